"""Store mixin: coverage — which documents a coder has coded, for which branches of the codebook.

A **coverage mark** says "coder C has read document D and coded it for code
(branch or category) K": in D, the absence of a coding of K (or of a code below
K) is then a finding, not a gap in the work. Marks are written by a person
(``origin = 'human'``) or in bulk by a command (``origin = 'bulk'``, e.g. the
demo), and every mark and unmark is logged (undoable, like a coding).

Reads give the marks as :class:`CoverageMark` records, and, for projects without
any mark, the *decisions* a coverage can be derived from
(:meth:`CoverageMixin.decision_branches`); the rule itself lives in
:mod:`exporterre_nlp.analysis.coverage`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..errors import NotFoundError
from ..i18n import tr
from .base import in_clause, now

COVERAGE_ORIGINS = ("human", "bulk")
_COVERAGE_COLS = "id, document_id, code_id, coder, origin, marked_at"


@dataclass(frozen=True)
class CoverageMark:
    id: int
    document_id: int
    code_id: int
    code_key: str
    coder: str
    origin: str                     # human | bulk
    marked_at: str


class CoverageMixin:
    def _coverage_state(self, conn, mark_id: int) -> dict | None:
        row = conn.execute(f"SELECT {_COVERAGE_COLS} FROM coverage WHERE id = ?", (mark_id,)).fetchone()
        return dict(zip([c.strip() for c in _COVERAGE_COLS.split(",")], row)) if row else None

    def _check_documents(self, conn, document_ids: list[int]) -> None:
        known = {r[0] for r in conn.execute("SELECT id FROM documents")}
        missing = [d for d in document_ids if d not in known]
        if missing:
            raise NotFoundError(tr(f"Document n° {missing[0]} introuvable.", f"Document #{missing[0]} not found."),
                                tr("« exporterre status » liste les documents du projet.",
                                   "'exporterre status' lists the project's documents."))

    def mark_coverage(self, coder: str, document_ids: Iterable[int], codes: Iterable[int | str], *,
                      origin: str = "human") -> int:
        """Mark ``document_ids`` as coded by ``coder`` for ``codes`` (keys or ids). Returns marks added."""
        if origin not in COVERAGE_ORIGINS:
            raise ValueError(f"origin must be one of {COVERAGE_ORIGINS}")
        document_ids, codes = list(dict.fromkeys(document_ids)), list(dict.fromkeys(codes))
        added = 0
        with self.db.transaction() as conn, self._batch():
            self._check_documents(conn, document_ids)
            code_ids = [self._code_id(conn, c) for c in codes]
            for d in document_ids:
                for cid in code_ids:
                    cur = conn.execute(
                        "INSERT OR IGNORE INTO coverage(document_id, code_id, coder, origin, marked_at) "
                        "VALUES (?, ?, ?, ?, ?)", (d, cid, coder, origin, now()))
                    if cur.rowcount:
                        added += 1
                        self._log(conn, coder, "coverage.mark", "coverage", cur.lastrowid, None,
                                  self._coverage_state(conn, cur.lastrowid))
        return added

    def unmark_coverage(self, coder: str, document_ids: Iterable[int], codes: Iterable[int | str] | None = None) -> int:
        """Remove ``coder``'s marks on ``document_ids`` (for ``codes``, or all of them). Returns marks removed."""
        document_ids = list(dict.fromkeys(document_ids))
        removed = 0
        with self.db.transaction() as conn, self._batch():
            self._check_documents(conn, document_ids)
            d_sql, d_args = in_clause("document_id", document_ids)
            sql, args = f"SELECT id FROM coverage WHERE coder = ?{d_sql}", [coder, *d_args]
            if codes is not None:
                c_sql, c_args = in_clause("code_id", [self._code_id(conn, c) for c in codes])
                sql, args = sql + c_sql, args + c_args
            for (mark_id,) in conn.execute(sql, args).fetchall():
                before = self._coverage_state(conn, mark_id)
                conn.execute("DELETE FROM coverage WHERE id = ?", (mark_id,))
                self._log(conn, coder, "coverage.unmark", "coverage", mark_id, before, None)
                removed += 1
        return removed

    def coverage_marks(self, *, coders: Iterable[str] | None = None,
                       document_id: int | None = None) -> list[CoverageMark]:
        """Every coverage mark (optionally of some coders, or of one document)."""
        sql = ("SELECT m.id, m.document_id, m.code_id, k.key, m.coder, m.origin, m.marked_at FROM coverage m "
               "JOIN codes k ON k.id = m.code_id WHERE 1=1")
        args: list = []
        if coders is not None:
            part, found = in_clause("m.coder", list(coders))
            sql, args = sql + part, args + found
        if document_id is not None:
            sql, args = sql + " AND m.document_id = ?", args + [document_id]
        with self.db.read() as conn:
            return [CoverageMark(*r) for r in conn.execute(sql + " ORDER BY m.document_id, k.position, m.coder",
                                                           args)]

    def decision_codes(self, *, coders: Iterable[str] | None = None,
                       machine: str = "machine") -> list[tuple[int, str, str]]:
        """(document id, code key, coder) of every human decision (manual, accepted, rejected): what a coverage
        is derived from when a project has no mark."""
        sql = ("SELECT DISTINCT c.document_id, k.key, c.coder FROM codings c JOIN codes k ON k.id = c.code_id "
               "WHERE c.status IN ('manual', 'accepted', 'rejected') AND c.coder != ?")
        args: list = [machine]
        if coders is not None:
            part, found = in_clause("c.coder", list(coders))
            sql, args = sql + part, args + found
        with self.db.read() as conn:
            return [tuple(r) for r in conn.execute(sql, args)]

    def suggestion_decisions(self, *, coders: Iterable[str] | None = None) -> list[tuple[int, int, int, int, str, str, str]]:
        """(suggestion id, document id, start, end, code key, coder, status) of every accepted or rejected decision
        on a machine suggestion: where coders decided differently is read from here."""
        sql = ("SELECT c.source_id, c.document_id, c.start, c.end, k.key, c.coder, c.status FROM codings c "
               "JOIN codes k ON k.id = c.code_id WHERE c.source_id IS NOT NULL AND c.status IN ('accepted', 'rejected')")
        args: list = []
        if coders is not None:
            part, found = in_clause("c.coder", list(coders))
            sql, args = sql + part, args + found
        with self.db.read() as conn:
            return [tuple(r) for r in conn.execute(sql + " ORDER BY c.source_id, c.coder", args)]
