"""French topic words: lemmas, accents kept, fillers and stop words out, elisions split."""
from __future__ import annotations

import pytest

from exporterre_nlp.themes.words import FrenchTokenizer, Lexicon, clean, stop_words, word_forms

ORAL = ("Euh ben moi j'habite à l'Arlequin, hein, bon voilà quoi, l'école est à côté [rires] et "
        "aujourd'hui la sécurité c'est compliqué (inaudible) 00:12:03 euh les élèves ils ont peur.")


def test_word_forms_keep_accents_and_split_elisions():
    forms = word_forms("L'école, j'habite à l'Arlequin ; qu'elle soit sécurisée, aujourd'hui, quelqu'un.")
    assert "école" in forms and "sécurisée" in forms and "arlequin" in forms
    assert "aujourd'hui" in forms and "quelqu'un" in forms
    assert not any("'" in f for f in forms if f not in ("aujourd'hui", "quelqu'un"))
    assert "lécole" not in forms and "jhabite" not in forms


def test_transcription_marks_and_timestamps_are_removed():
    cleaned = clean("oui [rires] (inaudible) [00:12:03] 01:02:03 d’accord")
    assert "rires" not in cleaned and "inaudible" not in cleaned and "12" not in cleaned
    assert "d'accord" in cleaned                          # typographic apostrophe normalised


def test_email_addresses_and_links_never_become_topic_words():
    words = FrenchTokenizer()("écrivez à fatima.benali@gmail.com ou sur https://www.asso-arlequin.fr/contact pour la couture")
    assert words == ["écrivez", "couture"]


def test_oral_fillers_are_stop_words():
    stops = stop_words()
    for filler in ("euh", "ben", "bah", "hein", "bon", "voilà", "quoi", "ouais", "genre"):
        assert filler in stops


def test_tokenizer_without_lexicon_drops_fillers_keeps_accents():
    words = FrenchTokenizer()(ORAL)
    assert "sécurité" in words and "école" in words
    for filler in ("euh", "ben", "hein", "bon", "voilà", "quoi", "rires", "inaudible"):
        assert filler not in words


def test_lexicon_maps_forms_to_lemmas_and_filters_parts_of_speech():
    lexicon = Lexicon({"élèves": ("élève", "NOUN"), "habite": ("habiter", "VERB"), "compliqué": ("compliqué", "ADJ"),
                       "aujourd'hui": ("aujourd'hui", "ADV")})
    words = FrenchTokenizer(lexicon)(ORAL)
    assert "élève" in words and "habiter" in words and "compliqué" in words
    assert "élèves" not in words and "aujourd'hui" not in words


def test_bigrams_pair_consecutive_content_lemmas():
    tok = FrenchTokenizer().with_bigrams()
    assert tok("les transports en commun") == ["transports", "commun", "transports commun"]
    assert FrenchTokenizer()("les transports en commun") == ["transports", "commun"]


@pytest.mark.slow
def test_real_french_lemmas_keep_accents_and_drop_fillers():
    from exporterre_nlp.themes.lexicon import analyse_texts
    texts = [ORAL, "Les élèves de l'école élémentaire réclament des activités après les cours, euh, le mercredi."]
    tok = FrenchTokenizer(analyse_texts(texts).lexicon)
    words = [w for t in texts for w in tok(t)]
    assert "élève" in words and "école" in words and "activité" in words
    assert "sécurité" in words
    assert not set(words) & {"euh", "ben", "hein", "bon", "voilà", "quoi", "le", "l'", "de", "être", "avoir"}
    assert all(w == w.lower() for w in words)
