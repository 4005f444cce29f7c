"""Every hot-path query that reads codings, segments or theme units has a plan that uses an index.

The store's queries are captured while the analysis, report and theme reads run
on a small project (SQLite's trace callback gives each statement with its
values), then ``EXPLAIN QUERY PLAN`` is asked of each. Without statistics
(no ANALYZE) SQLite plans as if every table were large, so a plan seen here is
the plan of a 10-million-word project. A full scan of a large table is allowed
only as the outer loop of a statement (reading the whole table once); inside a
join or a correlated subquery it runs once per outer row — the
units × codings statement of issue 23 that never finished at 3M words.
"""
from __future__ import annotations

import re
import sqlite3

import pytest

from exporterre_nlp import SuggestionDraft
from exporterre_nlp.store.migrations import MIGRATIONS

from report_store import add_theme_run, build_store, code_everything

LARGE = {"codings", "segments", "theme_units", "theme_quotes", "pseudo_candidates", "segment_reads", "events",
         "speakers", "documents"}
_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_]+)(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|JOIN\b|LEFT\b|USING\b|"
                        r"GROUP\b|ORDER\b|INNER\b|CROSS\b|NATURAL\b|LIMIT\b|UNION\b)([A-Za-z_]+))?", re.I)


def _aliases(sql: str) -> dict[str, str]:
    out = {}
    for table, alias in _TABLE_REF.findall(sql):
        out[table] = table
        if alias:
            out[alias] = table
    return out


def inner_full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The plan lines of ``sql`` that scan a large table once per row of an outer loop."""
    plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    aliases = _aliases(sql)
    parent_of = {node: parent for node, parent, _, _ in plan}
    detail_of = {node: detail for node, _, _, detail in plan}
    seen_access: dict[int, int] = {}
    bad = []
    for node, parent, _, detail in plan:
        if not detail.startswith(("SCAN ", "SEARCH ")):
            continue
        rank = seen_access.get(parent, 0)
        seen_access[parent] = rank + 1
        correlated, up = False, parent
        while up:
            correlated |= detail_of.get(up, "").startswith("CORRELATED")
            up = parent_of.get(up, 0)
        name = detail.split()[1]
        if detail.startswith("SCAN ") and aliases.get(name, name) in LARGE and (rank > 0 or correlated):
            bad.append(detail)
    return bad


def _hot_path_statements(store, docs) -> list[str]:
    from exporterre_nlp.analysis.agreement import agreement
    from exporterre_nlp.analysis.comparison import compare
    from exporterre_nlp.analysis.corpus import load_coded_corpus
    from exporterre_nlp.report.themes import theme_part

    turn = docs["habitante_baladins"][1]
    ids = store.sync_suggestions("rule:", [SuggestionDraft(turn.document_id, turn.start, turn.end, "besoins.garde",
                                                           "rule:x", 0.9, turn.segment_id)]).ids
    store.decide(ids[0], "bob", "accept")
    run_id = add_theme_run(store, docs)
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        corpus = load_coded_corpus(store, include_pending=True)
        compare(store, "phase", include_pending=True)
        compare(store, "phase", unit="participants")
        agreement(store, ["alice", "bob"])
        theme_part(store, corpus, store.document_texts(corpus.documents))
        store.refresh_theme_code_matrix(run_id)
        store.theme_units(run_id, document_ids=[turn.document_id])
        store.theme_unit_voices(run_id)
        store.theme_codes(run_id)
        store.theme_links(run_id)
        store.theme_quotes(run_id)
        store.suggestion_queue("amina")
        store.suggestion_facets("amina")
        store.pending_for("amina")
        store.list_codings(document_id=turn.document_id)
        store.code_counts()
        store.code_counts_by("alice")
        store.segment_views(roles=["resident"], include_unattributed=True)
        store.read_segments()
        store.document_progress(["alice"])
        store.coding_marks(turn.document_id, ["alice"])
        store.counted_codings(include_pending=True)
        store.coder_codings("alice", ["manual"])
        store.document_facts()
        store.extraction_facts()
        store.list_pseudo_candidates()
        store.sync_suggestions("rule:", [])
        store.delete_document(docs["lieu_mosquee"][0].document_id)     # the cascades of a deleted document
    finally:
        store.db.conn.set_trace_callback(None)
    return [s for s in dict.fromkeys(seen) if re.match(r"\s*(SELECT|WITH|INSERT|UPDATE|DELETE)", s, re.I)]


@pytest.fixture()
def captured(tmp_path):
    store, docs = build_store(tmp_path)
    code_everything(store, docs)
    statements = _hot_path_statements(store, docs)
    store.close()
    conn = sqlite3.connect(tmp_path / "store.sqlite3")
    yield conn, statements
    conn.close()


def test_store_hot_path_queries_never_scan_a_large_table_inside_a_join(captured):
    conn, statements = captured
    assert len(statements) > 30                          # the capture really saw the reads
    assert any("theme_code_matrix" in s and "JOIN codings" in s for s in statements)
    bad = {s[:160]: found for s in statements if (found := inner_full_scans(conn, s))}
    assert not bad, bad


def test_store_query_plan_check_finds_the_scan_of_issue_23(captured, tmp_path):
    """Without migration 8's index on codings(segment_id), the theme × code matrix scans every coding per unit."""
    conn, statements = captured
    matrix = next(s for s in statements if s.startswith("INSERT INTO theme_code_matrix"))
    conn.execute("DROP INDEX codings_segment")
    conn.close()
    fresh = sqlite3.connect(tmp_path / "store.sqlite3")          # a new connection: no cached plan
    try:
        assert inner_full_scans(fresh, matrix) == ["SCAN c USING INDEX codings_code"]
    finally:
        fresh.close()


def test_store_foreign_keys_of_large_tables_are_indexed(tmp_path):
    """A delete cascades through every foreign key: without an index each one is a full scan per deleted row."""
    from exporterre_nlp import Store
    store = Store.open(tmp_path, create=True)
    conn = store.db.conn
    missing = []
    for table in sorted(LARGE):
        firsts = set()
        for (index,) in conn.execute("SELECT name FROM pragma_index_list(?)", (table,)):
            cols = conn.execute("SELECT name FROM pragma_index_info(?) ORDER BY seqno", (index,)).fetchall()
            if cols:
                firsts.add(cols[0][0])
        pk = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[5] == 1]
        firsts.update(pk)
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
            if fk[3] not in firsts:
                missing.append(f"{table}.{fk[3]}")
    store.close()
    assert not missing, missing
    assert any(number == 8 for number, _ in MIGRATIONS)
