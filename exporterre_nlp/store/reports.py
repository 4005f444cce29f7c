"""Store mixin: reads for reports, comparisons and agreement.

Typed records out (dataclasses below), never row dicts. Reads only: building a
report never writes to the store, so a report can be made while coders work.
Wrap several reads in :meth:`ReportsMixin.snapshot` to see one consistent state.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .analysis import MACHINE_ORIGINS
from .base import in_clause, loads, texts_by_id


@dataclass(frozen=True)
class CountedCoding:
    """A coding that counts in a report, with its code key and place in the corpus."""
    id: int
    document_id: int
    segment_id: int | None
    start: int
    end: int
    code_id: int
    code_key: str
    coder: str
    status: str
    origin: str
    score: float | None
    source_id: int | None
    run_id: int | None


@dataclass(frozen=True)
class DocumentFacts:
    """A document without its text: what reports need for attributes and hashes."""
    id: int
    name: str
    phase: int
    lieu: str | None
    date: str | None
    format: str
    content_hash: str
    version: int
    participant: str | None
    attributes: dict[str, Any]
    characters: int


@dataclass(frozen=True)
class CoderActivity:
    coder: str
    status: str
    codings: int
    documents: int
    first_at: str
    last_at: str


@dataclass(frozen=True)
class ExtractionFact:
    """One machine finding (origin ``rule:<id>``, or ``model:<name>`` for the sentence model) and its fate."""
    coding_id: int
    document_id: int
    phase: int
    code_key: str
    rule_id: str
    category: str | None
    object: str | None
    decision: str                      # pending | accepted | rejected (latest human decision)


_COUNTED_COLS = ("c.id, c.document_id, c.segment_id, c.start, c.end, c.code_id, k.key, c.coder, c.status, "
                 "c.origin, c.score, c.source_id, c.run_id")


class ReportsMixin:
    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the same state of the store (one read transaction)."""
        with self.db.read():
            yield

    def counted_codings(self, *, include_pending: bool = False, coders: Iterable[str] | None = None,
                        machine: str = "machine") -> list[CountedCoding]:
        """Codings that count: human decisions (``manual``, ``accepted``), optionally by some coders.

        With ``include_pending``, machine suggestions no person has decided on yet
        (no coding has them as ``source_id``) are added.
        """
        sql = (f"SELECT {_COUNTED_COLS} FROM codings c JOIN codes k ON k.id = c.code_id "
               "WHERE c.status IN ('manual', 'accepted')")
        args: list[Any] = []
        if coders is not None:
            part, found = in_clause("c.coder", coders)
            sql += part
            args += found
        if include_pending:
            sql += (f" UNION ALL SELECT {_COUNTED_COLS} FROM codings c JOIN codes k ON k.id = c.code_id "
                    "WHERE c.status = 'pending' AND c.coder = ? "
                    "AND NOT EXISTS (SELECT 1 FROM codings x WHERE x.source_id = c.id)")
            args.append(machine)
        sql = f"SELECT * FROM ({sql}) ORDER BY 2, 4, 5, 1"
        with self.db.read() as conn:
            return [CountedCoding(*r) for r in conn.execute(sql, args)]

    def coder_codings(self, coder: str, statuses: Iterable[str]) -> list[CountedCoding]:
        """One coder's codings of the given statuses (agreement)."""
        part, found = in_clause("c.status", statuses)
        sql = (f"SELECT {_COUNTED_COLS} FROM codings c JOIN codes k ON k.id = c.code_id WHERE c.coder = ?"
               + part + " ORDER BY c.document_id, c.start, c.id")
        with self.db.read() as conn:
            return [CountedCoding(*r) for r in conn.execute(sql, [coder, *found])]

    def document_facts(self) -> list[DocumentFacts]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT d.id, d.name, d.phase, d.lieu, d.date, d.format, d.content_hash, d.version, p.key, "
                "d.attributes, length(d.text) FROM documents d "
                "LEFT JOIN participants p ON p.id = d.participant_id ORDER BY d.phase, d.name").fetchall()
        return [DocumentFacts(*r[:9], loads(r[9]) or {}, r[10]) for r in rows]

    def document_texts(self, document_ids: Iterable[int]) -> dict[int, str]:
        with self.db.read() as conn:
            return texts_by_id(conn, document_ids)

    def coder_activity(self) -> list[CoderActivity]:
        """Codings per coder and status (who coded what, for the run manifest)."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT coder, status, COUNT(*), COUNT(DISTINCT document_id), MIN(created_at), MAX(updated_at) "
                "FROM codings GROUP BY coder, status ORDER BY coder, status").fetchall()
        return [CoderActivity(*r) for r in rows]

    def extraction_facts(self, *, machine: str = "machine") -> list[ExtractionFact]:
        """Machine findings (rules, and the sentence model as ``model:<name>``) with their category, object
        and latest human decision."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT c.id, c.document_id, d.phase, k.key, c.origin, c.details, "
                "(SELECT x.status FROM codings x WHERE x.source_id = c.id ORDER BY x.updated_at DESC, x.id DESC "
                "LIMIT 1) FROM codings c JOIN codes k ON k.id = c.code_id JOIN documents d ON d.id = c.document_id "
                "WHERE c.coder = ? AND c.status = 'pending' AND " + MACHINE_ORIGINS + " "
                "ORDER BY d.phase, d.name, c.start, c.id", (machine,)).fetchall()
        out = []
        for cid, doc, phase, key, origin, details, decided in rows:
            d = loads(details) or {}
            obj = d.get("object")
            out.append(ExtractionFact(cid, doc, phase, key, origin.removeprefix("rule:"), d.get("category"),
                                      obj if isinstance(obj, str) else None, decided or "pending"))
        return out
