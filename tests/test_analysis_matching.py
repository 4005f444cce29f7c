"""Skills ↔ needs by codebook tags."""
from __future__ import annotations

from exporterre_nlp.analysis import load_coded_corpus, skills_needs
from exporterre_nlp.analysis.matching import side_of
from report_store import build_store, code_everything


def test_needs_and_skills_meet_in_a_domain_with_counts_by_phase(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    corpus = load_coded_corpus(store)
    rows = {m.domain: m for m in skills_needs(corpus)}
    logement = rows["logement"]
    assert logement.needs == ["besoins.logement"] and logement.offers == ["competences.bricolage"]
    assert logement.need_segments == {"1": 0, "2": 0, "3": 2}
    assert logement.offer_segments == {"1": 1, "2": 1, "3": 0}
    assert logement.need_voices == ["H3-01", "H3-02"] and not logement.gap
    assert rows["enfance"].gap                       # childcare is needed, nobody offers it in the corpus
    assert rows["couture"].need_total == 0 and rows["couture"].offer_total == 2
    # the side words ("besoin", "competence") are not domains
    assert "besoin" not in rows and "competence" not in rows
    store.close()


def test_side_comes_from_the_root_branch(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    corpus = load_coded_corpus(store)
    assert side_of(corpus, "besoins.garde") == "need"
    assert side_of(corpus, "preoccupations.proprete") == "need"
    assert side_of(corpus, "competences.couture") == "offer"
    store.close()
