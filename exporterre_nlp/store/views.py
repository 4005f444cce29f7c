"""Store mixin: the reads the coding screens need, as typed records.

- :meth:`ViewsMixin.document_progress`: per document, how far each coder got
  (segments coded, codings) and how many machine suggestions wait for them;
- :meth:`ViewsMixin.coding_marks`: the codings of a document with their code's
  label, path and (inherited) colour, for one or several coders;
- :meth:`ViewsMixin.suggestion_queue` / :meth:`ViewsMixin.suggestion_facets`:
  the validation queue with its evidence, and the values it can be filtered by;
- :meth:`ViewsMixin.passage`: a span with the speaker turns around it;
- :meth:`ViewsMixin.search_document`: accent- and case-blind search → offsets;
- :meth:`ViewsMixin.recent_codes`, :meth:`ViewsMixin.code_counts_by`,
  :meth:`ViewsMixin.human_coders`, :meth:`ViewsMixin.memo_counts`.

Nothing here writes; writes go through store/coding.py (logged, undoable).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..coding_tools import code_paths, effective_colors, find_all
from ..errors import NotFoundError
from ..i18n import tr
from ..records import HUMAN_STATUSES
from .base import in_clause, loads, texts_by_id

MACHINE = "machine"


@dataclass(frozen=True)
class DocumentProgress:
    """A document of the corpus list with each coder's progress on it."""
    id: int
    name: str
    phase: int
    lieu: str | None
    date: str | None
    participant: str | None
    words: int
    segments: int
    coded_segments: dict[str, int] = field(default_factory=dict)   # coder → segments with a coding
    codings: dict[str, int] = field(default_factory=dict)          # coder → codings (manual/accepted)
    pending: dict[str, int] = field(default_factory=dict)          # coder → suggestions to decide

    def share(self, coder: str) -> float:
        """Fraction of segments ``coder`` has coded (0..1)."""
        return self.coded_segments.get(coder, 0) / self.segments if self.segments else 0.0

    def status(self, coder: str) -> str:
        """``todo`` (nothing coded), ``started`` or ``done`` (every segment coded)."""
        done = self.coded_segments.get(coder, 0)
        if done == 0:
            return "todo"
        return "done" if done >= self.segments else "started"


@dataclass(frozen=True)
class SuggestionCounts:
    """Machine suggestions: all of them, those nobody decided, those left for each coder."""
    total: int
    undecided: int
    left: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CodingMark:
    """A coding as a reader shows it: span, code label and colour, who and how."""
    id: int
    document_id: int
    start: int
    end: int
    code_id: int
    code_key: str
    label: str
    path: str                       # "Besoins › Logement"
    color: str                      # "#rrggbb", inherited from the parent when the code has none
    coder: str
    status: str
    origin: str
    score: float | None
    segment_id: int | None


@dataclass(frozen=True)
class SuggestionItem:
    """A pending machine suggestion in a coder's validation queue, with its evidence."""
    id: int
    document_id: int
    document: str
    phase: int
    lieu: str | None
    start: int
    end: int
    code_id: int
    code_key: str
    label: str
    path: str
    color: str
    origin: str                     # rule:<id> | topic:<id>
    score: float | None
    segment_id: int | None
    category: str | None
    details: dict[str, Any]
    text: str                       # the suggested words (document.text[start:end])


@dataclass(frozen=True)
class SuggestionFacets:
    """The values a validation queue can be filtered by (only those present)."""
    categories: list[str]
    origins: list[str]              # origin kinds: "rule", "topic"…
    codes: list[tuple[int, str]]    # (code id, path)
    phases: list[int]


@dataclass(frozen=True)
class PassageTurn:
    segment_id: int
    position: int
    start: int                      # absolute offset of ``text`` in the document
    speaker: str | None
    role: str | None
    text: str


@dataclass(frozen=True)
class Passage:
    """A span with the turns around it (the turn holding it in the middle)."""
    document_id: int
    document: str
    start: int
    end: int
    turns: list[PassageTurn]


class ViewsMixin:
    # ----------------------------------------------------------- code look-ups
    def _code_index(self) -> tuple[dict[int, Any], dict[int, str], dict[int, str]]:
        codes = self.list_codes()
        return {c.id: c for c in codes}, code_paths(codes), effective_colors(codes)

    # --------------------------------------------------------------- corpus list
    def document_progress(self, coders: Iterable[str], *, machine: str = MACHINE,
                          statuses: Sequence[str] = HUMAN_STATUSES) -> list[DocumentProgress]:
        """Every document with, for each of ``coders``, segments coded, codings and pending suggestions."""
        coders = list(dict.fromkeys(coders))
        st_sql, st_args = in_clause("status", list(statuses))
        with self.db.read() as conn:
            docs = conn.execute(
                "SELECT d.id, d.name, d.phase, d.lieu, d.date, p.key, d.words, "
                "(SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) "
                "FROM documents d LEFT JOIN participants p ON p.id = d.participant_id "
                "ORDER BY d.phase, d.name").fetchall()
            coded: dict[int, dict[str, int]] = {}
            counts: dict[int, dict[str, int]] = {}
            pending: dict[int, dict[str, int]] = {}
            if coders:
                c_sql, c_args = in_clause("coder", coders)
                for doc_id, coder, n_seg, n in conn.execute(
                        "SELECT document_id, coder, COUNT(DISTINCT segment_id), COUNT(*) FROM codings "
                        f"WHERE 1=1{c_sql}{st_sql} GROUP BY document_id, coder", c_args + st_args):
                    coded.setdefault(doc_id, {})[coder] = n_seg
                    counts.setdefault(doc_id, {})[coder] = n
                for coder in coders:
                    for doc_id, n in conn.execute(
                            "SELECT c.document_id, COUNT(*) FROM codings c WHERE c.coder = ? AND "
                            "c.status = 'pending' AND NOT EXISTS (SELECT 1 FROM codings x WHERE "
                            "x.source_id = c.id AND x.coder = ?) GROUP BY c.document_id", (machine, coder)):
                        pending.setdefault(doc_id, {})[coder] = n
        return [DocumentProgress(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7],
                                 coded.get(d[0], {}), counts.get(d[0], {}), pending.get(d[0], {}))
                for d in docs]

    def suggestion_counts(self, coders: Iterable[str], *, machine: str = MACHINE) -> SuggestionCounts:
        """How many machine suggestions there are, how many nobody has decided yet, and how many
        are left for each of ``coders`` (the count the validation screen shows)."""
        coders = list(dict.fromkeys(coders))
        with self.db.read() as conn:
            total, undecided = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(NOT EXISTS (SELECT 1 FROM codings x WHERE x.source_id = c.id "
                "AND x.status IN ('accepted', 'rejected'))), 0) FROM codings c WHERE c.coder = ? "
                "AND c.status = 'pending'", (machine,)).fetchone()
            left = {coder: conn.execute(
                "SELECT COUNT(*) FROM codings c WHERE c.coder = ? AND c.status = 'pending' AND NOT EXISTS "
                "(SELECT 1 FROM codings x WHERE x.source_id = c.id AND x.coder = ?)", (machine, coder)).fetchone()[0]
                for coder in coders}
        return SuggestionCounts(total, undecided, left)

    def human_coders(self, *, machine: str = MACHINE) -> list[str]:
        """Coders with at least one coding of their own (the machine excluded)."""
        with self.db.read() as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT coder FROM codings WHERE coder != ? ORDER BY coder", (machine,))]

    # ------------------------------------------------------------------- reader
    def coding_marks(self, document_id: int, coders: Iterable[str], *,
                     statuses: Sequence[str] = HUMAN_STATUSES) -> list[CodingMark]:
        """The codings of ``coders`` in a document, by start, with label, path and colour."""
        coders = list(coders)
        c_sql, c_args = in_clause("c.coder", coders)
        s_sql, s_args = in_clause("c.status", list(statuses))
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT c.id, c.document_id, c.start, c.end, c.code_id, c.coder, c.status, c.origin, c.score, "
                f"c.segment_id FROM codings c WHERE c.document_id = ?{c_sql}{s_sql} ORDER BY c.start, c.id",
                [document_id] + c_args + s_args).fetchall()
        index, paths, colors = self._code_index()
        return [CodingMark(r[0], r[1], r[2], r[3], r[4], index[r[4]].key, index[r[4]].label, paths[r[4]],
                           colors[r[4]], r[5], r[6], r[7], r[8], r[9]) for r in rows]

    def search_document(self, document_id: int, query: str, *, limit: int | None = None) -> list[tuple[int, int]]:
        """Offsets of ``query`` in the document's text, ignoring case and accents."""
        with self.db.read() as conn:
            row = conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Document n° {document_id} introuvable.", f"Document #{document_id} not found."))
        return find_all(row[0], query, limit=limit)

    def memo_counts(self, document_id: int) -> dict[int, int]:
        """``{segment id: number of memos}`` for the segments of a document."""
        with self.db.read() as conn:
            return dict(conn.execute(
                "SELECT m.target_id, COUNT(*) FROM memos m JOIN segments s ON s.id = m.target_id "
                "WHERE m.target_type = 'segment' AND s.document_id = ? GROUP BY m.target_id",
                (document_id,)).fetchall())

    def passage(self, document_id: int, start: int, end: int, *, around: int = 1) -> Passage:
        """The turn holding ``[start, end)`` and ``around`` turns before and after it."""
        with self.db.read() as conn:
            doc = conn.execute("SELECT name FROM documents WHERE id = ?", (document_id,)).fetchone()
            if doc is None:
                raise NotFoundError(tr(f"Document n° {document_id} introuvable.",
                                       f"Document #{document_id} not found."))
            hit = conn.execute("SELECT position FROM segments WHERE document_id = ? AND start <= ? "
                               "ORDER BY start DESC LIMIT 1", (document_id, start)).fetchone()
            position = hit[0] if hit else 0
            rows = conn.execute(
                "SELECT s.id, s.position, s.start, sp.label, sp.role, substr(d.text, s.start + 1, s.end - s.start) "
                "FROM segments s JOIN documents d ON d.id = s.document_id "
                "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
                "WHERE s.document_id = ? AND s.position BETWEEN ? AND ? ORDER BY s.position",
                (document_id, position - around, position + around)).fetchall()
            if not rows:      # a document without segments: a window of text instead
                lo = max(0, start - 200)
                text = conn.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                                    (lo + 1, end - lo + 200, document_id)).fetchone()[0]
                rows = [(0, 0, lo, None, None, text)]
        return Passage(document_id, doc[0], start, end, [PassageTurn(*r) for r in rows])

    def recent_codes(self, coder: str, *, limit: int = 9) -> list[int]:
        """Ids of the codes ``coder`` applied most recently (newest first)."""
        with self.db.read() as conn:
            return [r[0] for r in conn.execute(
                "SELECT code_id FROM codings WHERE coder = ? AND status IN ('manual', 'accepted') "
                "GROUP BY code_id ORDER BY MAX(id) DESC LIMIT ?", (coder, limit))]

    def code_counts_by(self, coder: str, statuses: Sequence[str] = HUMAN_STATUSES) -> dict[int, int]:
        """Number of ``coder``'s codings per code id."""
        s_sql, s_args = in_clause("status", list(statuses))
        with self.db.read() as conn:
            return dict(conn.execute(f"SELECT code_id, COUNT(*) FROM codings WHERE coder = ?{s_sql} "
                                     "GROUP BY code_id", [coder] + s_args).fetchall())

    # --------------------------------------------------------------- validation
    def suggestion_queue(self, coder: str, *, origin_prefix: str | None = None,
                         code_ids: Iterable[int] | None = None, phases: Iterable[int] | None = None,
                         document_id: int | None = None, category: str | None = None,
                         machine: str = MACHINE) -> list[SuggestionItem]:
        """The machine suggestions ``coder`` has not decided on, with their evidence.

        Same selection and order as :meth:`pending_for` (both use ``_pending_query``).
        """
        where, args = self._pending_query(coder, origin_prefix=origin_prefix, code_ids=code_ids, phases=phases,
                                          document_id=document_id, category=category, machine=machine)
        sql = ("SELECT c.id, c.document_id, d.name, d.phase, d.lieu, c.start, c.end, c.code_id, c.origin, "
               f"c.score, c.segment_id, c.details {where}")
        with self.db.read() as conn:
            rows = conn.execute(sql, args).fetchall()
            # the documents' texts once each (substr() per row would re-read a long text every time)
            texts = texts_by_id(conn, (r[1] for r in rows))
        index, paths, colors = self._code_index()
        out = []
        for r in rows:
            details = loads(r[11]) or {}
            cid = r[7]
            out.append(SuggestionItem(r[0], r[1], r[2], r[3], r[4], r[5], r[6], cid, index[cid].key,
                                      index[cid].label, paths[cid], colors[cid], r[8], r[9], r[10],
                                      details.get("category"), details, texts[r[1]][r[5]:r[6]]))
        return out

    def suggestion_facets(self, coder: str, *, document_id: int | None = None,
                          machine: str = MACHINE) -> SuggestionFacets:
        """Categories, origin kinds, codes and phases present in ``coder``'s queue."""
        sql = ("FROM codings c JOIN documents d ON d.id = c.document_id WHERE c.coder = ? AND "
               "c.status = 'pending' AND NOT EXISTS (SELECT 1 FROM codings x WHERE x.source_id = c.id "
               "AND x.coder = ?)")
        args: list[Any] = [machine, coder]
        if document_id is not None:
            sql += " AND c.document_id = ?"
            args.append(document_id)
        with self.db.read() as conn:
            cats = [r[0] for r in conn.execute(
                f"SELECT DISTINCT json_extract(c.details, '$.category') AS k {sql} AND k IS NOT NULL ORDER BY k",
                args)]
            origins = sorted({r[0].split(":", 1)[0] for r in conn.execute(f"SELECT DISTINCT c.origin {sql}", args)})
            code_ids = [r[0] for r in conn.execute(f"SELECT DISTINCT c.code_id {sql}", args)]
            phases = [r[0] for r in conn.execute(f"SELECT DISTINCT d.phase {sql} ORDER BY d.phase", args)]
        _index, paths, _colors = self._code_index()
        codes = sorted(((cid, paths[cid]) for cid in code_ids), key=lambda t: t[1])
        return SuggestionFacets(cats, origins, codes, phases)
