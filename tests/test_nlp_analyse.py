"""`analyse` on a project: suggestions, idempotence, people's codings, speakers, phases, offsets."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from exporterre_nlp.errors import CancelledError
from exporterre_nlp.nlp.analyse import analyse
from nlp_support import add_document, nlp_full  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture()
def corpus(project, nlp_full):
    store = project.store
    add_document(store, "habitante_03", 3, [
        ("E", "Est-ce que vous avez besoin de quelque chose ici ?"),
        ("Awa", "Euh ben on a besoin d'une crèche, hein. Et je sais coudre, je fais de la couture."),
        ("Awa", "Non, on n'a pas besoin de voiture."),
    ], lieu="porte-à-porte")
    add_document(store, "centre_social_01", 1, [
        ("E", "Il nous faudrait quoi, d'après vous ?"),
        ("Karima", "Les mamans ont besoin d'une garde d'enfants. Il y a un jardin partagé aux Baladins."),
    ], lieu="centre social")
    return project


def test_findings_become_pending_machine_suggestions_with_evidence(corpus):
    result = analyse(corpus)
    assert result.findings == len(corpus.store.list_findings()) > 0
    codings = corpus.store.list_codings(origin_prefix="rule:")
    assert {c.status for c in codings} == {"pending"} and {c.coder for c in codings} == {"machine"}
    need = next(f for f in corpus.store.list_findings(category="besoin", phases=[3]))
    assert need.text == "a besoin d'une crèche" and need.object == "crèche" and need.code_key.startswith("besoins")
    assert need.speaker == "Awa" and need.role == "resident" and not need.reported and not need.negated
    details = corpus.store.coding_details(need.coding_id)
    assert details["rule"] == need.rule_id and details["matched"] and details["category"] == "besoin"


def test_offsets_of_every_finding_give_back_its_words(corpus):
    analyse(corpus)
    for f in corpus.store.list_findings():
        doc = corpus.store.get_document(f.document_id)
        assert doc.text[f.start:f.end] == f.text
        assert f.matched in f.text
        seg = next(s for s in corpus.store.list_segments(f.document_id) if s.id == f.segment_id)
        assert seg.start <= f.start < f.end <= seg.end


def test_rerun_never_duplicates_and_keeps_the_same_suggestions(corpus):
    first = analyse(corpus)
    ids = sorted(c.id for c in corpus.store.list_codings(origin_prefix="rule:"))
    second = analyse(corpus)
    assert sorted(c.id for c in corpus.store.list_codings(origin_prefix="rule:")) == ids
    assert (second.added, second.kept, second.removed) == (0, first.findings, 0)
    assert second.parsed == 0 and second.cached == second.segments and not second.model_loaded


def test_rerun_never_touches_codings_people_made_or_decided_on(corpus):
    analyse(corpus)
    store = corpus.store
    doc = store.get_document("habitante_03")
    manual = store.add_coding(doc.id, 0, 10, "besoins", "claire")
    decided = store.list_findings(category="competence")[0]
    store.decide(decided.coding_id, "claire", "accept")
    old_skills = {f.coding_id for f in store.list_findings(category="competence")}
    assert len(old_skills) >= 2
    book = Path(corpus.codebook_path)                     # the skill rules are renamed: old findings go stale
    book.write_text(book.read_text(encoding="utf-8").replace("id: competence.", "id: savoir."), encoding="utf-8")
    result = analyse(corpus)
    assert result.removed == len(old_skills) - 1
    assert store.get_coding(manual.id).status == "manual"
    assert store.get_coding(decided.coding_id).status == "pending"          # kept: a person decided on it
    assert any(c.status == "accepted" for c in store.list_codings(coder="claire"))
    still = {f.coding_id: f for f in store.list_findings(category="competence")}
    assert old_skills & set(still) == {decided.coding_id}
    assert still[decided.coding_id].status == "accepted"
    assert any(f.rule_id.startswith("savoir.") for f in still.values())


def test_interviewer_turns_are_left_out_unless_asked(corpus):
    analyse(corpus)
    assert all(f.role != "interviewer" for f in corpus.store.list_findings())
    corpus.settings.nlp.include_interviewer = True
    analyse(corpus)
    assert any(f.role == "interviewer" for f in corpus.store.list_findings())


def test_phase_one_findings_are_reported_not_first_hand(corpus):
    analyse(corpus)
    phase1 = corpus.store.list_findings(phases=[1])
    assert phase1 and all(f.reported for f in phase1)
    assert not any(f.reported for f in corpus.store.list_findings(phases=[3]))
    assert {f.document for f in corpus.store.list_findings(reported=False)} == {"habitante_03"}


def test_negated_need_is_not_suggested(corpus):
    result = analyse(corpus)
    assert result.negated_skipped >= 1
    assert not any("voiture" in f.text for f in corpus.store.list_findings())


def test_cancelled_analysis_keeps_no_suggestion(corpus):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        analyse(corpus, cancel=cancel)
    assert corpus.store.list_codings(origin_prefix="rule:") == []
    assert corpus.store.list_runs("analyse")[-1].status == "cancelled"


def test_demo_corpus_end_to_end(project, demo_corpus):
    """Ingest the demo corpus, analyse with the light model, check every finding."""
    from exporterre_nlp import importer
    importer.ingest_paths(project, [demo_corpus])
    result = analyse(project, model="sm")
    assert result.segments > 300 and result.words > 20_000
    findings = project.store.list_findings()
    assert {f.category for f in findings} == {"besoin", "preoccupation", "competence", "ressource", "lieu"}
    assert {f.phase for f in findings} == {1, 2, 3}
    texts = {d.id: project.store.get_document(d.id).text for d in project.store.list_documents()}
    for f in findings:
        assert texts[f.document_id][f.start:f.end] == f.text
        assert f.role != "interviewer"
    assert all(f.reported for f in findings if f.phase == 1)
    again = analyse(project, model="sm")
    assert again.parsed == 0 and again.added == 0 and again.removed == 0


def test_the_sentence_model_reviews_batches_of_segments_with_the_same_suggestions(project, demo_corpus, monkeypatch):
    """Segments wait for the sentence model in batches: two at a time or all at once, the same suggestions."""
    import shutil

    from exporterre_nlp import importer
    from exporterre_nlp.nlp import analyse as analyse_module
    importer.ingest_paths(project, [demo_corpus])

    def stored():
        return sorted((c.document_id, c.start, c.end, c.code_id, c.origin, c.score, c.status,
                       tuple(sorted(project.store.coding_details(c.id).items())))
                      for c in project.store.list_codings())
    monkeypatch.setattr(analyse_module, "REVIEW_BATCH", 2)
    small = analyse(project)
    assert small.segments > 20 and small.sentence_model and small.from_model > 0 and small.vetoed > 0
    first = stored()
    shutil.rmtree(project.cache_dir(analyse_module.FINDINGS_FOLDER))     # extract again, from the parses
    monkeypatch.setattr(analyse_module, "REVIEW_BATCH", 10_000)
    large = analyse(project)
    assert large.parsed == 0 and (large.added, large.removed) == (0, 0)
    assert (large.findings, large.from_model, large.vetoed, large.negated_skipped) == \
           (small.findings, small.from_model, small.vetoed, small.negated_skipped)
    assert stored() == first
