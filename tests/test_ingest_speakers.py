"""Speaker turns in French transcripts, paragraphs in field notes, speaker roles."""
from __future__ import annotations

import pytest

from exporterre_nlp.ingest import find_segments, speaker_role
from exporterre_nlp.settings import IngestSettings


def turns(text, **kwargs):
    segments = find_segments(text, IngestSettings(), **kwargs)
    check_invariants(text, segments)
    return [(s.speaker, text[s.start:s.end]) for s in segments]


def check_invariants(text, segments):
    previous_end = 0
    for s in segments:
        assert previous_end <= s.start < s.end <= len(text)
        piece = text[s.start:s.end]
        assert piece == piece.strip()
        previous_end = s.end


@pytest.mark.parametrize("line,speaker,said,timestamp", [
    ("E : Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("E: Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("E\u00a0: Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("Enq. : Vous habitez ici ?", "Enq", "Vous habitez ici ?", None),
    ("Enquêteur : Vous habitez ici ?", "Enquêteur", "Vous habitez ici ?", None),
    ("Enquêtrice : Vous habitez ici ?", "Enquêtrice", "Vous habitez ici ?", None),
    ("Q : Vous habitez ici ?", "Q", "Vous habitez ici ?", None),
    ("[00:12:03] E : Vous habitez ici ?", "E", "Vous habitez ici ?", "00:12:03"),
    ("(00:12) E - Vous habitez ici ?", "E", "Vous habitez ici ?", "00:12"),
    ("00:12:03 E : Vous habitez ici ?", "E", "Vous habitez ici ?", "00:12:03"),
    ("E — Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("E – Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("**E** : Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("**E :** Vous habitez ici ?", "E", "Vous habitez ici ?", None),
    ("E (00:12:03) : Vous habitez ici ?", "E", "Vous habitez ici ?", "00:12:03"),
])
def test_interviewer_line_conventions(line, speaker, said, timestamp):
    text = f"{line}\nFatima : Oui, euh, depuis 2004.\n"
    segments = find_segments(text, IngestSettings())
    check_invariants(text, segments)
    first = segments[0]
    assert (first.speaker, text[first.start:first.end], first.timestamp, first.kind) == (
        speaker, said, timestamp, "turn")
    assert (segments[1].speaker, text[segments[1].start:segments[1].end]) == ("Fatima", "Oui, euh, depuis 2004.")


@pytest.mark.parametrize("a,b", [("Q", "R"), ("H1", "F2"), ("Fatima", "Mme Diallo"), ("E", "M. Benali"),
                                 ("Enquêtrice", "Habitante 2")])
def test_resident_label_conventions(a, b):
    text = f"{a} : Et le marché ?\n{b} : Le mardi, euh, le mardi.\n{a} : D'accord.\n"
    assert turns(text) == [(a, "Et le marché ?"), (b, "Le mardi, euh, le mardi."), (a, "D'accord.")]


def test_timestamped_turns_keep_timestamps():
    text = "[00:12:03] Fatima : bonjour\n[00:12:10] E : oui\n00:12:15 Fatima : bon\n"
    segments = find_segments(text, IngestSettings())
    assert [s.timestamp for s in segments] == ["00:12:03", "00:12:10", "00:12:15"]
    assert [text[s.start:s.end] for s in segments] == ["bonjour", "oui", "bon"]


def test_turn_continues_over_lines_until_next_turn():
    text = "E : Et alors ?\nFatima : Alors, euh,\nj'ai commencé la couture\n\nen 2004.  \n\nE : D'accord.\n"
    assert turns(text) == [("E", "Et alors ?"),
                           ("Fatima", "Alors, euh,\nj'ai commencé la couture\n\nen 2004."),
                           ("E", "D'accord.")]


def test_label_alone_on_its_line():
    text = "E :\n  Vous venez souvent ?\nFatima :\nOui.\n"
    assert turns(text) == [("E", "Vous venez souvent ?"), ("Fatima", "Oui.")]


def test_turn_without_words_is_skipped():
    text = "E :\nFatima : Oui.\nE : Bon.\n"
    assert turns(text) == [("Fatima", "Oui."), ("E", "Bon.")]


def test_lines_before_first_turn_are_paragraphs():
    text = "Entretien n°3\nLieu : marché\nDate : 12/03/2026\n\nE : Bonjour.\nFatima : Bonjour.\n"
    segments = find_segments(text, IngestSettings())
    check_invariants(text, segments)
    # One block of lines (no blank line between them): one paragraph per line, marked as non-speech (a note).
    assert [(s.kind, s.speaker, text[s.start:s.end]) for s in segments] == [
        ("note", None, "Entretien n°3"), ("note", None, "Lieu : marché"),
        ("note", None, "Date : 12/03/2026"),
        ("turn", "E", "Bonjour."), ("turn", "Fatima", "Bonjour.")]


def test_header_blocks_separated_by_blank_lines_are_paragraphs():
    text = "Entretien n°3\nmarché du mardi\n\nContexte : stand\n\nE : Bonjour.\nFatima : Bonjour.\n"
    assert turns(text)[:2] == [(None, "Entretien n°3\nmarché du mardi"), (None, "Contexte : stand")]


def test_header_lines_without_blank_lines_are_one_paragraph_each():
    text = "Entretien n°3\nLieu : marché\nE : Bonjour.\nFatima : Bonjour.\n"
    assert turns(text)[:2] == [(None, "Entretien n°3"), (None, "Lieu : marché")]


def test_field_notes_become_paragraphs_split_on_blank_lines():
    text = ("Visite du centre social, mardi.\nBeaucoup de monde à l'accueil.\n\n"
            "Il m'a dit : viens voir l'atelier.\nAttention : le local ferme à 17 h.\n\n"
            "Note : revoir Mme Diallo.\n")
    segments = find_segments(text, IngestSettings())
    check_invariants(text, segments)
    assert {s.kind for s in segments} == {"paragraph"} and {s.speaker for s in segments} == {None}
    assert [text[s.start:s.end] for s in segments] == [
        "Visite du centre social, mardi.\nBeaucoup de monde à l'accueil.",
        "Il m'a dit : viens voir l'atelier.\nAttention : le local ferme à 17 h.",
        "Note : revoir Mme Diallo."]


def test_field_notes_without_blank_lines_give_one_paragraph_per_line():
    text = "Note : marché plein.\nNote : beaucoup d'enfants.\nAttention : travaux.\n"
    assert turns(text) == [(None, "Note : marché plein."), (None, "Note : beaucoup d'enfants."),
                           (None, "Attention : travaux.")]


def test_names_listed_once_each_are_not_a_transcript():
    text = "Fatou : vend des beignets le samedi\nAmadou : répare les vélos\nSalif : coiffe\n"
    assert all(speaker is None for speaker, _ in turns(text))


def test_repeated_label_makes_a_transcript_without_known_labels():
    text = "Animatrice du centre : On commence ?\nSalif : Oui.\nAnimatrice du centre : Bien.\n"
    assert turns(text) == [("Animatrice du centre", "On commence ?"), ("Salif", "Oui."),
                           ("Animatrice du centre", "Bien.")]


def test_colon_sentences_inside_a_transcript_stay_in_the_turn():
    text = ("E : Et votre fils ?\nFatima : Il travaille.\nIl m'a dit : maman, viens.\n"
            "Attention : il est pressé.\nE : D'accord.\n")
    assert turns(text) == [("E", "Et votre fils ?"),
                           ("Fatima", "Il travaille.\nIl m'a dit : maman, viens.\nAttention : il est pressé."),
                           ("E", "D'accord.")]


def test_single_appearance_speaker_is_kept_in_a_transcript():
    text = "E : Bonjour.\nFatima : Bonjour.\nMme Diallo : Je peux entrer ?\nE : Oui.\nFatima : Entrez.\n"
    assert ("Mme Diallo", "Je peux entrer ?") in turns(text)


def test_lowercase_unknown_and_long_labels_are_not_speakers():
    text = ("E : Et après ?\nFatima : et après : rien.\nUn deux trois quatre : non.\n"
            "Fatima : bon.\nE : ok.\n")
    assert turns(text) == [("E", "Et après ?"),
                           ("Fatima", "et après : rien.\nUn deux trois quatre : non."),
                           ("Fatima", "bon."), ("E", "ok.")]


def test_max_label_length_setting():
    text = "Mme Bernadette : oui\nE : bon\nMme Bernadette : non\nE : bien\n"
    assert [s.speaker for s in find_segments(text, IngestSettings())] == ["Mme Bernadette", "E"] * 2
    segments = find_segments(text, IngestSettings(max_label_length=8))
    assert [s.speaker for s in segments] == [None, "E", "E"]
    assert text[segments[1].start:segments[1].end] == "bon\nMme Bernadette : non"


def test_lowercase_known_label_is_accepted():
    text = "enquêtrice : bonjour\nFatima : bonjour\n"
    assert turns(text)[0] == ("enquêtrice", "bonjour")


def test_document_interviewer_labels_count_as_known():
    text = "Claire : Vous venez souvent ?\nSalif : Oui.\n"
    assert turns(text) == [(None, "Claire : Vous venez souvent ?"), (None, "Salif : Oui.")]
    assert turns(text, interviewer_labels=["Claire"]) == [("Claire", "Vous venez souvent ?"), ("Salif", "Oui.")]


def test_speaker_spelling_is_unified_per_document():
    text = "Enquêtrice : Bonjour.\nFATIMA : Salut.\nEnquetrice : Ça va ?\nFatima : Oui.\n"
    assert [speaker for speaker, _ in turns(text)] == ["Enquêtrice", "FATIMA", "Enquêtrice", "FATIMA"]


def test_markdown_heading_ends_a_turn():
    text = "E : Bonjour.\nFatima : Bonjour.\n\n## Partie 2\n\nRemarque de l'enquêtrice.\n\nE : Reprenons.\n"
    segments = find_segments(text, IngestSettings())
    check_invariants(text, segments)
    assert [(s.kind, text[s.start:s.end]) for s in segments] == [
        ("turn", "Bonjour."), ("turn", "Bonjour."), ("note", "## Partie 2"),
        ("note", "Remarque de l'enquêtrice."), ("turn", "Reprenons.")]


def test_speakers_field_notes_title_and_bracketed_notes_are_not_speech():
    """Issue 16, case 6: a field-note title and a transcriber's note are not what a participant said."""
    text = ("Notes de terrain – marché de l'Arlequin\nDimanche 3 mai 2026\n\n"
            "8 h. Arrivée. Une vendeuse dit que la place est sale après le marché.\n\n"
            "[Fin de l'enregistrement]\n")
    segments = find_segments(text, IngestSettings())
    check_invariants(text, segments)
    assert [s.kind for s in segments] == ["note", "paragraph", "note"]
    plain = "Une vendeuse dit que la place est sale.\n\nUn homme répare les vélos.\n"
    assert [s.kind for s in find_segments(plain, IngestSettings())] == ["paragraph", "paragraph"]


def test_urls_and_clock_times_are_not_labels():
    text = "Site : http://exemple.fr\n10h : arrivée\n12:30 : déjeuner\n"
    assert all(speaker is None for speaker, _ in turns(text))


def test_empty_and_blank_text_give_no_segments():
    assert find_segments("", IngestSettings()) == []
    assert find_segments(" \n\n\t", IngestSettings()) == []


# --- roles ---------------------------------------------------------------------------
LABELS = IngestSettings().interviewer_labels


@pytest.mark.parametrize("label", ["E", "e", "E.", "Enq.", "Enquetrice", "Enquêtrice", "ENQUÊTEUR",
                                   "enquêteur ", "E1", "Enq 2", "Q"])
def test_interviewer_labels_are_interviewers(label):
    assert speaker_role(label, interviewer_labels=LABELS, default_role="resident") == "interviewer"


@pytest.mark.parametrize("label", ["Fatima", "H1", "F2", "R", "Mme Diallo", "Eric", "Enquêtée"])
def test_other_labels_get_the_default_role(label):
    assert speaker_role(label, interviewer_labels=LABELS, default_role="resident") == "resident"
    assert speaker_role(label, interviewer_labels=LABELS, default_role="relais") == "relais"


def test_document_interviewer_names_are_interviewers():
    labels = [*LABELS, "Claire"]
    assert speaker_role("claire", interviewer_labels=labels, default_role="resident") == "interviewer"
    assert speaker_role("Claire", interviewer_labels=LABELS, default_role="resident") == "resident"


def test_lone_adverb_line_is_not_a_speaker_in_a_transcript():
    text = "E : Et le quartier ?\nFatima : C'est calme.\nFranchement : on est bien.\nE : D'accord.\n"
    assert turns(text)[1] == ("Fatima", "C'est calme.\nFranchement : on est bien.")


def test_title_with_a_dash_is_not_a_speaker():
    text = ("Entretien – association de femmes, atelier couture\nVisite – salle de prière\n"
            "Q : Merci Zohra.\nR : Oui.\nQ : Et ensuite ?\n")
    assert turns(text)[:2] == [(None, "Entretien – association de femmes, atelier couture"),
                               (None, "Visite – salle de prière")]


def test_dash_separated_names_confirmed_by_repetition():
    text = "Fatima — Bonjour.\nSalif — Salut.\nFatima — Ça va ?\nSalif — Oui.\n"
    assert turns(text) == [("Fatima", "Bonjour."), ("Salif", "Salut."), ("Fatima", "Ça va ?"), ("Salif", "Oui.")]


def test_legend_line_is_a_paragraph_not_a_turn():
    text = ("Enquêtrice : enquêtrice ; Rachid : président ; H1, H2 : fidèles\n"
            "Rachid : Bienvenue.\nEnquêtrice : Merci.\nRachid : Entrez.\n")
    assert turns(text)[0] == (None, "Enquêtrice : enquêtrice ; Rachid : président ; H1, H2 : fidèles")
    assert turns(text)[1] == ("Rachid", "Bienvenue.")


def test_turn_with_semicolons_is_still_a_turn():
    text = "E : Vous avez des enfants ; ils vont à l'école ?\nFatima : Oui ; deux.\n"
    assert turns(text) == [("E", "Vous avez des enfants ; ils vont à l'école ?"), ("Fatima", "Oui ; deux.")]


@pytest.mark.parametrize("line,label", [
    ("AB+CD123 : ah oui", "AB+CD123"),          # Orléans style: two speaker codes at once
    ("AB12 + CD123 : ah oui", "AB12+CD123"),
    ("L1/L2 : [rires]", "L1+L2"),
    ("(AB12 et CD123) : ensemble", "AB12+CD123"),
    ("(Fatima, Karim) : oui oui", "Fatima+Karim"),
])
def test_speakers_overlap_labels_are_turns_of_several_speakers(line, label):
    text = (f"AB12 : on habitait là\nCD123 : oui\nAB : hm\nL1 : bon\nL2 : hm\nFatima : alors\nKarim : voilà\n{line}\n"
            "AB12 : fin\n")
    got = turns(text)
    said = line.split(":", 1)[1].strip()
    assert (label, said) in got
    assert len(got) == 9


def test_speakers_overlap_label_of_unknown_parts_in_running_text_is_not_a_turn():
    # "il/elle" and "et/ou" are words, not speakers: the line stays inside the turn
    text = "E : alors\nH1 : oui\nil/elle : c'est pareil\net/ou : bon\nE : d'accord\n"
    got = turns(text)
    assert got[1] == ("H1", "oui\nil/elle : c'est pareil\net/ou : bon")
    assert len(got) == 3


def test_speakers_overlap_labels_of_a_real_orleans_like_window():
    text = ("AB1 : tu vois le marché\nCD123 : ouais ouais\nAB1+CD123 : [rires]\nAB1 : le samedi\n"
            "CD123 : hm\nAB1/CD123 : ah oui\n")
    got = turns(text)
    assert [s for s, _ in got] == ["AB1", "CD123", "AB1+CD123", "AB1", "CD123", "AB1+CD123"]
    assert all("+" not in said and "/" not in said for _, said in got)


def test_speakers_slash_words_that_are_not_speakers_of_the_document_stay_text():
    text = "E : le trajet ?\nH1 : en car\nParis/Lyon : trois heures\nE : d'accord\n"
    got = turns(text)
    assert got[1] == ("H1", "en car\nParis/Lyon : trois heures")
