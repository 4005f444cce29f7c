"""IRaMuTeQ corpus: star lines, thematics, interviewer turns, neutralised stars, per-turn texts."""
from __future__ import annotations

import re

import pytest

from exporterre_nlp.exchange import ascii_slug, export_iramuteq, iramuteq_corpus

from exchange_project import build

VARIABLE = re.compile(r"^\*[a-z0-9]+_[a-z0-9_]+$")


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    yield s
    s.project.close()


def _texts(corpus: str) -> list[list[str]]:
    texts, current = [], None
    for line in corpus.splitlines():
        if line.startswith("****"):
            current = [line]
            texts.append(current)
        elif line.strip():
            assert current is not None, f"text before the first star line: {line!r}"
            current.append(line)
    return texts


def test_star_lines_carry_phase_lieu_document_participant(sample):
    corpus, details = iramuteq_corpus(sample.project)
    texts = _texts(corpus)
    assert len(texts) == details["texts"] == 2
    heads = {t[0] for t in texts}
    assert "**** *phase_3 *lieu_marche_de_l_arlequin *doc_marche_samedi *part_h3_01" in heads
    assert "**** *phase_1 *lieu_association *doc_relais_couture *part_r1_02" in heads
    for head in heads:
        assert all(VARIABLE.match(v) for v in head.split()[1:]), head


def test_codes_are_thematic_lines_before_their_words(sample):
    corpus, details = iramuteq_corpus(sample.project, granularity="span")
    lines = corpus.splitlines()
    i = lines.index("-*code_competences_cuisine")
    assert lines[i + 1] == "je vends des gâteaux 😀 que je fais moi-même"
    assert details["codes"]["code_besoins_garde_enfants"] == "besoins.garde_enfants"
    # nested codings: "trop petits" (preoccupations) sits inside the logement coding → its own thematic
    j = lines.index("-*code_preoccupations")
    assert lines[j + 1] == "trop petits" and lines[j - 2] == "-*code_besoins_logement"
    assert details["overlap_chars"] == len("trop petits")
    # uncoded words go under code_aucun, and every thematic line is followed by words
    assert "-*code_aucun" in lines
    for k, line in enumerate(lines):
        if line.startswith("-*"):
            assert VARIABLE.match(line[1:]) and lines[k + 1] and not lines[k + 1].startswith(("-*", "*"))


def test_interviewer_turns_left_out_by_default(sample):
    corpus, _ = iramuteq_corpus(sample.project)
    assert "vous pouvez me parler du marché" not in corpus
    assert "Avec les familles du Village Olympique" in corpus
    with_interviewer, _ = iramuteq_corpus(sample.project, include_interviewer=True)
    assert "vous pouvez me parler du marché" in with_interviewer
    assert "Fatima :" not in with_interviewer and "E :" not in with_interviewer     # labels never in the text


def test_stars_inside_a_turn_cannot_break_the_corpus(sample):
    text = sample.project.store.get_document("marche_samedi").text
    assert "\n**** *ceci_casserait" in text and "\n*variable_piege" in text
    for options in ({}, {"unit": "turn"}, {"thematics": False}):
        corpus, details = iramuteq_corpus(sample.project, **options)
        stars = [line for line in corpus.splitlines() if line.startswith("*")]
        assert len(stars) == details["texts"] and all(s.startswith("**** *phase_") for s in stars)
        body = [line for line in corpus.splitlines() if not line.startswith(("****", "-*"))]
        assert not any("*" in line for line in body)
        assert "ceci_casserait le corpus" in corpus        # the words stay


def test_one_text_per_turn_with_speaker_and_role(sample):
    corpus, details = iramuteq_corpus(sample.project, unit="turn", thematics=False)
    store = sample.project.store
    kept = [s for d in store.list_documents() for s in store.list_segments(d.id) if s.role != "interviewer"]
    texts = _texts(corpus)
    assert len(texts) == len(kept) == details["texts"]
    assert any(t[0].endswith("*part_h3_01 *loc_fatima *role_resident") for t in texts)
    assert any("*loc_karim *role_relais" in t[0] for t in texts)


def test_export_writes_utf8_file(sample, tmp_path):
    result = export_iramuteq(sample.project, tmp_path / "out" / "corpus.txt")
    data = result.path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and "😀".encode() in data
    themes = {line for line in data.decode().splitlines() if line.startswith("-*code_")} - {"-*code_aucun"}
    assert result.documents == 2 and result.codes == len(themes) >= 3


@pytest.mark.parametrize("value, expected", [
    ("Marché de l’Œuvre", "marche_de_l_oeuvre"), ("  ", "nd"), ("H3-01", "h3_01"),
    ("besoins.garde_enfants", "besoins_garde_enfants"), ("Ça va ? 😀 déjà", "ca_va_deja"),
])
def test_values_are_lower_case_ascii_with_underscores(value, expected):
    assert ascii_slug(value) == expected


def test_default_thematics_follow_whole_segments(sample):
    corpus, details = iramuteq_corpus(sample.project)
    lines = corpus.splitlines()
    spans_corpus, _ = iramuteq_corpus(sample.project, granularity="span")
    # every kept segment is one line, never cut at a coding boundary
    words = [line for line in lines if line and not line.startswith(("****", "-*"))]
    assert "trop petits" not in words
    assert len(words) < len([x for x in spans_corpus.splitlines() if x and not x.startswith(("****", "-*"))])
    # the segment holding the logement coding and the nested one goes under logement (it covers more)
    k = next(i for i, line in enumerate(lines) if "trop petits" in line)
    theme = next(lines[i] for i in range(k, -1, -1) if lines[i].startswith("-*"))
    assert theme == "-*code_besoins_logement"
    assert details["multi_code_segments"] >= 1
    for k, line in enumerate(lines):
        if line.startswith("-*"):
            assert VARIABLE.match(line[1:]) and lines[k + 1] and not lines[k + 1].startswith(("-*", "*"))
