"""KWIC and frequencies on a known text."""
from __future__ import annotations

import pytest

from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.nlp.concordance import frequencies, kwic
from nlp_support import add_document, nlp_full  # noqa: F401  (fixture)


@pytest.fixture()
def known(project):
    add_document(project.store, "marche_03", 3, [
        ("E", "Et le marché, vous y allez ?"),
        ("Awa", "Le marché du samedi, euh, c'est le marché des familles. Les enfants adorent les marchés."),
        ("Awa", "Ben on a besoin d'une crèche. Les crèches ferment tôt, hein."),
    ], lieu="marché")
    add_document(project.store, "relais_01", 1, [
        ("Karima", "Les mamans ont besoin de crèches et d'un marché plus proche."),
    ], lieu="centre social")
    return project


def test_kwic_by_form_gives_offsets_context_and_speaker(known):
    lines = kwic(known, "marché", width=12)
    assert [(l.document, l.match) for l in lines] == [("relais_01", "marché"), ("marche_03", "marché"),
                                                      ("marche_03", "marché")]   # corpus order: phase 1 first
    for line in lines:
        text = known.store.get_document(line.document).text
        assert text[line.start:line.end] == line.match
        assert text[line.start - len(line.left):line.start] == line.left and len(line.left) <= 12
        assert line.speaker in ("Awa", "Karima")            # the interviewer's "marché" is left out
    assert kwic(known, "marché", phases=[3])[0].document == "marche_03"
    assert [l.match for l in kwic(known, "besoin d'une")] == ["besoin d'une"]


@pytest.mark.slow
def test_kwic_by_lemma_finds_every_form(known, nlp_full):
    forms = sorted(l.match for l in kwic(known, "marché", lemma=True))
    assert forms == ["marché", "marché", "marché", "marchés"]
    assert sorted(l.match for l in kwic(known, "crèches", lemma=True)) == ["crèche", "crèches", "crèches"]
    assert [l.match for l in kwic(known, "avoir besoin", lemma=True)] == ["ont besoin", "a besoin"]


def test_empty_term_is_an_error(known):
    with pytest.raises(ExporterreError):
        kwic(known, "  ")


@pytest.mark.slow
def test_frequencies_skip_fillers_stop_words_and_the_interviewer(known, nlp_full):
    table = frequencies(known, top=50)
    counts = {r.term: r.total for r in table.rows}
    assert counts["marché"] == 3 and counts["crèche"] == 1 and counts["crèches"] == 2
    assert not {"euh", "ben", "hein", "le", "de", "on"} & set(counts)
    assert table.tokens["*"] == sum(counts.values())          # top 50 covers every word here
    lemmas = {r.term: r.total for r in frequencies(known, lemma=True, top=50).rows}
    assert lemmas["marché"] == 4 and lemmas["crèche"] == 3


@pytest.mark.slow
def test_frequencies_by_phase_and_by_lieu(known, nlp_full):
    table = frequencies(known, by="phase", lemma=True, top=50)
    assert table.groups == ["1", "3"]
    row = next(r for r in table.rows if r.term == "crèche")
    assert row.groups == {"1": 1, "3": 2} and row.total == 3
    by_lieu = frequencies(known, by="lieu", lemma=True, top=50)
    assert by_lieu.groups == ["centre social", "marché"]
    with pytest.raises(ExporterreError):
        frequencies(known, by="speaker")


@pytest.mark.slow
def test_frequencies_from_the_cache_read_without_the_french_tokenizer_match_a_fresh_parse(project, nlp_full):
    import sys
    add_document(project.store, "voisins", 3, [
        ("Awa", "Quelqu'un m'a dit qu'il y avait deux crèches, jusqu'ici personne ne m'a aidée, quelqu'un doit "
                "le faire. Les voisins, quelqu'une d'entre elles, aident aujourd'hui."),
    ])
    fresh = frequencies(project, top=100), frequencies(project, top=100, lemma=True), kwic(project, "aider", lemma=True)
    from exporterre_nlp.nlp import pipeline
    saved = {m: sys.modules.pop(m) for m in list(sys.modules) if m.startswith("spacy.lang.fr")}
    kept = {k: pipeline._loaded.pop(k) for k in list(pipeline._loaded) if k == "reading-vocab" or "fr." in str(k)}
    try:                                          # as in a new process: only the cache is read
        cached = (frequencies(project, top=100), frequencies(project, top=100, lemma=True),
                  kwic(project, "aider", lemma=True))
        assert "spacy.lang.fr" not in sys.modules     # the tokenizer exceptions were not built
    finally:
        sys.modules.update(saved)
        pipeline._loaded.update(kept)
    assert cached == fresh
    terms = {r.term for r in fresh[0].rows}
    assert "quelqu'" not in terms and "jusqu'ici" in terms     # elided words glued back (quelqu'un: stop word)
    assert "deux" not in terms                                 # French like_num, from the cache too
