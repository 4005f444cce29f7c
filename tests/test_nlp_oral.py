"""The oral-French component: fillers, marks, truncations, repetitions, entities."""
from __future__ import annotations

import csv

import pytest
import spacy

from exporterre_nlp.nlp.oral import FILLER, MARK, REPEAT, TRUNCATED, load_lexicon, stop_words
from nlp_support import nlp_full  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def blank():
    """Tokenizer + oral component only: fast, no model."""
    nlp = spacy.blank("fr")
    nlp.add_pipe("exporterre_oral")
    return nlp


def kinds(nlp, text):
    doc = nlp(text)
    return {t.text: t._.oral for t in doc}, doc


def test_fillers_and_marks_are_marked_and_words_are_not(blank):
    marks, doc = kinds(blank, "Euh ben on a besoin d'une crèche [rires] hein, (inaudible) xxx du coup.")
    assert marks["Euh"] == FILLER and marks["ben"] == FILLER and marks["hein"] == FILLER
    assert marks["du"] == FILLER and marks["coup"] == FILLER
    assert marks["rires"] == MARK and marks["["] == MARK and marks["inaudible"] == MARK and marks["xxx"] == MARK
    assert marks["besoin"] is None and marks["crèche"] is None and marks["on"] is None


def test_truncated_words_and_repetitions(blank):
    doc = blank("je je vais p~ prendre le v- vélo, la, la, la frappe. On a on a besoin.")
    got = [(t.text, t._.oral) for t in doc]
    assert got[0] == ("je", REPEAT) and got[1] == ("je", None)
    assert ("p~", TRUNCATED) in got and ("v-", TRUNCATED) in got
    las = [k for w, k in got if w == "la"]
    assert las == [REPEAT, REPEAT, None]
    on = [k for w, k in got if w == "On"]
    assert on == [REPEAT]                     # "On a on a": the first copy of the bigram
    assert [k for w, k in got if w == "besoin"] == [None]


def test_legitimate_doubles_and_contextual_words_stay(blank):
    _, doc = kinds(blank, "Nous nous entraidons. C'est bon, tu fais quoi ? Un bon médecin, quel genre de travail.")
    marked = [t.text for t in doc if t._.is_oral]
    assert marked == []


def test_contextual_fillers_at_the_edge_are_marked(blank):
    _, doc = kinds(blank, "Bon, voilà, c'est dur, quoi. Enfin, bref.")
    assert {t.lower_ for t in doc if t._.oral == FILLER} == {"bon", "voilà", "quoi", "enfin", "bref"}


def test_the_text_and_offsets_are_never_changed(blank):
    text = "Ben euh [rires] je je sais coudre (inaudible)."
    doc = blank(text)
    assert doc.text == text
    for t in doc:
        assert text[t.idx:t.idx + len(t.text)] == t.text


def test_filler_list_is_data(tmp_path):
    path = tmp_path / "fillers.yaml"
    path.write_text("always: [bidule]\nmarks: []\n", encoding="utf-8")
    nlp = spacy.blank("fr")
    nlp.add_pipe("exporterre_oral", config={"fillers_path": str(path)})
    doc = nlp("euh bidule voilà")
    assert [t._.oral for t in doc] == [None, FILLER, None]
    assert load_lexicon(path).digest != load_lexicon().digest


def test_stop_words_include_fillers_and_oral_particles():
    words = stop_words()
    assert {"euh", "ben", "bon", "oui", "voilà", "le", "de"} <= words
    assert "crèche" not in words and "besoin" not in words


@pytest.mark.slow
def test_ner_never_reports_fillers_as_people_or_places(nlp_full):
    sentences = ["Ben je sais pas.", "Hein, c'est comme ça.", "Bah voilà, on fait avec.", "Ben oui, Fatima est venue.",
                 "Hein ? Bon, ben on verra.", "Bah non."]
    for doc in nlp_full.pipe(sentences):
        for ent in doc.ents:
            assert not any(t._.is_oral for t in ent), (doc.text, ent.text, ent.label_)
            assert ent.text.lower() not in {"ben", "hein", "bah", "bon", "ça"}


@pytest.mark.slow
def test_no_entity_on_fillers_in_real_speech(nlp_full, shared_corpora):
    """Rhapsodie sentences with fillers: no entity contains a filler token."""
    rows = list(csv.DictReader(open(shared_corpora / "ud-rhapsodie" / "sentences.tsv", encoding="utf-8"),
                               delimiter="\t"))
    texts = [r["text"] for r in rows if any(w in r["text"].lower().split() for w in ("ben", "bah", "hein,", "euh,"))]
    texts = texts[:300]
    assert len(texts) >= 100
    fillers_seen = 0
    for doc in nlp_full.pipe(texts, batch_size=64):
        fillers_seen += sum(1 for t in doc if t._.oral == FILLER)
        for ent in doc.ents:
            assert not any(t._.oral == FILLER for t in ent), (doc.text, ent.text)
    assert fillers_seen >= len(texts)


def test_marks_are_found_at_their_characters_whatever_the_spacing(blank):
    """The marker rebuilds the doc's text from its forms and spaces: marks after double spaces,
    line breaks and tabs land on the tokens holding their characters."""
    text = "Alors  [rires]\n\non a\tbesoin (inaudible)  d'un local ,  xxx  12:03 ."
    marks, doc = kinds(blank, text)
    assert doc.text == text
    assert [t.text for t in doc if t._.oral == MARK] == ["[", "rires", "]", "(", "inaudible", ")", "xxx", "12:03"]
    assert marks["besoin"] is None and marks["local"] is None
