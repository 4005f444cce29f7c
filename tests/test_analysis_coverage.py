"""Coverage (issue 16, case 1) and the disagreement rule (case 7, union): what counts, over which documents."""
from __future__ import annotations

import pytest

from exporterre_nlp.analysis.comparison import compare
from exporterre_nlp.analysis.corpus import load_coded_corpus
from exporterre_nlp.analysis.counts import contingency
from exporterre_nlp.analysis.coverage import coverage, coverage_rows, mark_covered, unmark_covered
from exporterre_nlp.analysis.specificity import exclusive_rows, table_specificities
from exporterre_nlp.errors import ExporterreError
from report_store import build_store, code_everything, code_turn


@pytest.fixture
def phase3_only(tmp_path):
    """Only the phase-3 interviews are coded (as in the issue: nobody read phases 1 and 2)."""
    store, docs = build_store(tmp_path / "store.sqlite3")
    f, k = docs["habitante_baladins"], docs["habitant_arlequin"]
    code_turn(store, f[1], "besoins.garde")
    code_turn(store, f[2], "besoins.garde")
    code_turn(store, k[1], "besoins.garde")
    code_turn(store, k[3], "preoccupations.proprete")
    yield store, docs
    store.close()


def test_coverage_uncoded_phases_are_not_coded_rather_than_absent(phase3_only):
    store, _ = phase3_only
    corpus = load_coded_corpus(store)
    assert corpus.coverage.mode == "decisions"
    table = contingency(corpus, "phase")
    assert table.cell("besoins.garde", "3") == 3
    assert table.cell("besoins.garde", "1") is None and table.cell("besoins.garde", "2") is None
    spec = table_specificities(table)
    assert not any(c in ("1", "2") for r, c, _s, _f in spec.flagged())
    # "only in phase 3" needs another phase coded for that code
    assert exclusive_rows(table.rows, table.columns, table.counts, table.column_totals,
                          cell_totals=table.cell_totals) == []
    result = compare(store, "phase", unit="segments")
    assert result.exclusive == []
    assert result.to_dict()["rows"][1]["counts"] == {"1": None, "2": None, "3": 3}


def test_coverage_derived_per_branch_leaves_other_branches_not_coded(phase3_only):
    store, docs = phase3_only
    cover = coverage(store)
    f, k = docs["habitante_baladins"][0].document_id, docs["habitant_arlequin"][0].document_id
    assert cover.documents("besoins.logement") == {f, k}          # the whole branch, from one decision
    assert cover.documents("preoccupations") == {k}
    assert cover.documents("competences") == frozenset()


def test_coverage_marks_replace_derived_coverage_and_count_words(phase3_only):
    store, docs = phase3_only
    relais = docs["relais_centre"][0].document_id
    assert mark_covered(store, "alice", ["relais_centre"], ["besoins"]) == 1
    assert mark_covered(store, "alice", ["relais_centre"], ["besoins"]) == 0          # idempotent
    corpus = load_coded_corpus(store)
    assert corpus.coverage.mode == "marks"
    # once marks exist, only marks count: phase 3 is no longer covered (nobody marked it)
    assert corpus.uncovered_codings == 4
    table = contingency(corpus, "phase")
    assert table.cell("besoins.garde", "1") == 0 and table.cell("besoins.garde", "3") is None
    rows = {(r.branch, r.column): r for r in coverage_rows(corpus)}
    assert rows[("besoins", "1")].documents == 1 and rows[("besoins", "1")].documents_total == 1
    assert rows[("besoins", "1")].words > 0 and rows[("besoins", "3")].documents == 0
    assert rows[("besoins", "1")].participants == 1
    assert unmark_covered(store, "alice", [relais]) == 1
    assert coverage(store).mode == "decisions"


def test_coverage_branch_covered_when_all_its_children_are(phase3_only):
    store, docs = phase3_only
    mark_covered(store, "alice", ["relais_centre"], ["besoins.garde"])
    assert coverage(store).documents("besoins") == frozenset()
    mark_covered(store, "alice", ["relais_centre"], ["besoins.logement"])
    assert coverage(store).documents("besoins") == {docs["relais_centre"][0].document_id}


def test_coverage_unknown_document_or_branch_is_a_readable_error(phase3_only):
    store, _ = phase3_only
    with pytest.raises(ExporterreError):
        mark_covered(store, "alice", ["pas_un_document"], ["besoins"])
    with pytest.raises(ExporterreError):
        mark_covered(store, "alice", ["relais_centre"], ["pas_une_branche"])


def test_coverage_mark_is_undoable(phase3_only):
    store, _ = phase3_only
    mark_covered(store, "alice", None, ["besoins"], bulk=True)
    assert coverage(store).bulk_marks == 4
    store.undo("alice")
    assert coverage(store).mode == "decisions"


@pytest.fixture
def disputed(tmp_path):
    """alice accepts a machine suggestion, bruno rejects it; both read the document."""
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    turn = docs["habitante_baladins"][4]
    suggestion = code_turn(store, turn, "preoccupations.proprete", coder="machine", status="pending",
                           origin="rule:test")
    store.decide(suggestion.id, "alice", "accept")
    store.decide(suggestion.id, "bruno", "reject")
    store.mark_coverage("bruno", [turn.document_id], ["preoccupations"])
    yield store, docs, turn
    store.close()


def test_coverage_disagreement_default_rule_a_covering_coders_rejection_wins(disputed):
    store, _docs, turn = disputed
    corpus = load_coded_corpus(store)
    assert contingency(corpus, "phase", unit="segments").cell("preoccupations.proprete", "3") == 1   # Karim only
    assert len(corpus.disagreements) == 1
    d = corpus.disagreements[0]
    assert (d.accepted_by, d.rejected_by, d.counted) == (("alice",), ("bruno",), False)
    assert corpus.vetoed_codings == 1
    union = load_coded_corpus(store, rule="any")
    assert contingency(union, "phase", unit="segments").cell("preoccupations.proprete", "3") == 2
    assert union.disagreements[0].counted
    majority = load_coded_corpus(store, rule="majority")           # one against one: not counted
    assert contingency(majority, "phase", unit="segments").cell("preoccupations.proprete", "3") == 1


def test_coverage_disagreement_rejection_by_a_coder_who_did_not_cover_does_not_veto(disputed):
    store, _docs, turn = disputed
    store.unmark_coverage("bruno", [turn.document_id])
    corpus = load_coded_corpus(store)
    assert contingency(corpus, "phase", unit="segments").cell("preoccupations.proprete", "3") == 2
    assert corpus.disagreements[0].counted


def test_coverage_unknown_rule_is_a_readable_error(disputed):
    store, _, _ = disputed
    with pytest.raises(ExporterreError):
        load_coded_corpus(store, rule="vote")


def test_coverage_migration_marks_old_transcript_headers_as_notes(tmp_path):
    """A store written before migration 7: its transcript headers become non-speech on upgrade."""
    import sqlite3
    from exporterre_nlp.store import Store
    store, docs = build_store(tmp_path / "store.sqlite3")
    header = docs["relais_centre"][0]
    store.close()
    conn = sqlite3.connect(tmp_path / "store.sqlite3")
    conn.execute("DROP TABLE coverage")
    conn.execute("INSERT INTO segments(document_id, position, start, end, kind) VALUES (?, 99, 0, 5, 'paragraph')",
                 (header.document_id,))
    from exporterre_nlp.store.migrations import MIGRATIONS, m007_coverage
    before = next(n for n, step in MIGRATIONS if step is m007_coverage) - 1
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    store = Store.open(tmp_path / "store.sqlite3")
    kinds = {s.position: s.kind for s in store.list_segments(header.document_id)}
    assert kinds[99] == "note" and kinds[1] == "turn"
    notes = docs["lieu_mosquee"][0].document_id                      # field notes: untouched
    assert {s.kind for s in store.list_segments(notes)} == {"paragraph"}
    assert store.coverage_marks() == []
    store.close()
