"""Codes, codings, machine suggestions and decisions — every change logged.

Every change a person makes goes through one transaction that also appends to
the event log (see :mod:`.history` for undo and redo).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..errors import ExporterreError, NotFoundError, UnknownCodeError
from ..i18n import tr
from ..records import CODING_STATUSES, Code, Coding
from .base import dumps, in_clause, like_prefix, loads, now

_CODING_COLS = ("id, document_id, start, end, code_id, coder, status, origin, score, segment_id, "
                "source_id, run_id, created_at, updated_at")
_CODING_STATE_COLS = _CODING_COLS + ", details"
_CODE_COLS = "id, key, label, parent_id, definition, color, position, attributes"


@dataclass(frozen=True)
class SuggestionDraft:
    """A machine suggestion to store as a pending coding."""
    document_id: int
    start: int
    end: int
    code_key: str
    origin: str                        # "rule:<id>" or "topic:<id>"
    score: float | None = None
    segment_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuggestionSync:
    added: int
    kept: int
    removed: int
    ids: list[int]                     # coding id of each draft, in order


def _coding(row) -> Coding:
    return Coding(*row[:14])


def _code(row) -> Code:
    r = list(row)
    r[7] = loads(r[7]) or {}
    return Code(*r)


class CodingMixin:
    # ====================================================================== codes
    def _code_id(self, conn, code: int | str) -> int:
        if isinstance(code, int):
            row = conn.execute("SELECT id FROM codes WHERE id = ?", (code,)).fetchone()
        else:
            row = conn.execute("SELECT id FROM codes WHERE key = ?", (code,)).fetchone()
        if row is None:
            raise UnknownCodeError(
                tr(f"Code inconnu : « {code} ».", f"Unknown code: '{code}'."),
                tr("Vérifiez la clé dans le livre de codes (exporterre codebook check) ou ajoutez le code.",
                   "Check the key in the codebook (exporterre codebook check) or add the code."))
        return row[0]

    def list_codes(self) -> list[Code]:
        with self.db.read() as conn:
            return [_code(r) for r in conn.execute(f"SELECT {_CODE_COLS} FROM codes ORDER BY position, id")]

    def get_code(self, code: int | str) -> Code:
        with self.db.read() as conn:
            cid = self._code_id(conn, code)
            return _code(conn.execute(f"SELECT {_CODE_COLS} FROM codes WHERE id = ?", (cid,)).fetchone())

    def code_counts(self, statuses: Sequence[str] = ("manual", "accepted")) -> dict[int, int]:
        """Number of codings per code id, for the given statuses."""
        part, found = in_clause("status", statuses)
        with self.db.read() as conn:
            return dict(conn.execute(f"SELECT code_id, COUNT(*) FROM codings WHERE 1=1{part} GROUP BY code_id",
                                     found).fetchall())

    def _code_state(self, conn, code_id: int) -> dict | None:
        row = conn.execute(f"SELECT {_CODE_COLS} FROM codes WHERE id = ?", (code_id,)).fetchone()
        return dict(zip([c.strip() for c in _CODE_COLS.split(",")], row)) if row else None

    def sync_codebook(self, codebook, actor: str = "codebook") -> dict[str, int]:
        """Insert or update the codes of a :class:`~exporterre_nlp.codebook.Codebook`.

        Codes absent from the codebook are kept (they may carry codings).
        """
        added = updated = 0
        with self.db.transaction() as conn:
            for position, c in enumerate(codebook.codes):
                parent_id = self._code_id(conn, c.parent) if c.parent else None
                attrs = {"use_when": c.use_when, "not_when": c.not_when, "examples": list(c.examples),
                         "tags": list(c.tags), "keywords": list(c.keywords)}
                row = conn.execute("SELECT id FROM codes WHERE key = ?", (c.key,)).fetchone()
                values = (c.label, parent_id, c.definition, c.color, position, dumps(attrs))
                if row is None:
                    cid = conn.execute("INSERT INTO codes(label, parent_id, definition, color, position, "
                                       "attributes, key) VALUES (?, ?, ?, ?, ?, ?, ?)", values + (c.key,)).lastrowid
                    self._log(conn, actor, "code.add", "code", cid, None, self._code_state(conn, cid))
                    added += 1
                else:
                    before = self._code_state(conn, row[0])
                    conn.execute("UPDATE codes SET label = ?, parent_id = ?, definition = ?, color = ?, "
                                 "position = ?, attributes = ? WHERE id = ?", values + (row[0],))
                    after = self._code_state(conn, row[0])
                    if after != before:
                        self._log(conn, actor, "code.update", "code", row[0], before, after)
                        updated += 1
        return {"added": added, "updated": updated}

    def add_code(self, key: str, label: str, *, parent: str | int | None = None, definition: str | None = None,
                 color: str | None = None, attributes: dict | None = None, actor: str = "human") -> Code:
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM codes WHERE key = ?", (key,)).fetchone():
                raise ExporterreError(tr(f"Le code « {key} » existe déjà.", f"Code '{key}' already exists."),
                                      tr("Choisissez une autre clé.", "Choose another key."))
            parent_id = self._code_id(conn, parent) if parent is not None else None
            position = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM codes").fetchone()[0]
            cid = conn.execute("INSERT INTO codes(key, label, parent_id, definition, color, position, attributes) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (key, label, parent_id, definition, color, position, dumps(attributes or {}))).lastrowid
            self._log(conn, actor, "code.add", "code", cid, None, self._code_state(conn, cid))
            return _code(conn.execute(f"SELECT {_CODE_COLS} FROM codes WHERE id = ?", (cid,)).fetchone())

    def update_code(self, code: int | str, *, actor: str = "human", **changes) -> Code:
        """Rename, recolour, redefine or move (``parent=``) a code."""
        allowed = {"label", "definition", "color", "parent", "attributes"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {unknown}")
        with self.db.transaction() as conn:
            cid = self._code_id(conn, code)
            before = self._code_state(conn, cid)
            if "parent" in changes:
                parent_id = self._code_id(conn, changes.pop("parent")) if changes["parent"] is not None else None
                if parent_id is not None and (parent_id == cid or cid in self._ancestor_ids(conn, parent_id)):
                    raise ExporterreError(tr("Un code ne peut pas être rangé sous lui-même ou sous un de ses enfants.",
                                             "A code cannot be moved under itself or one of its children."))
                conn.execute("UPDATE codes SET parent_id = ? WHERE id = ?", (parent_id, cid))
            for col in ("label", "definition", "color"):
                if col in changes:
                    conn.execute(f"UPDATE codes SET {col} = ? WHERE id = ?", (changes[col], cid))
            if "attributes" in changes:
                conn.execute("UPDATE codes SET attributes = ? WHERE id = ?", (dumps(changes["attributes"]), cid))
            self._log(conn, actor, "code.update", "code", cid, before, self._code_state(conn, cid))
            return _code(conn.execute(f"SELECT {_CODE_COLS} FROM codes WHERE id = ?", (cid,)).fetchone())

    def _ancestor_ids(self, conn, code_id: int) -> list[int]:
        out, current = [], code_id
        while current is not None:
            row = conn.execute("SELECT parent_id FROM codes WHERE id = ?", (current,)).fetchone()
            current = row[0] if row else None
            if current is not None:
                out.append(current)
        return out

    def merge_codes(self, source: int | str, target: int | str, *, actor: str = "human") -> int:
        """Move every coding and child of ``source`` to ``target``, then delete ``source``.

        Returns the number of codings moved. One undo reverts the whole merge.
        """
        with self.db.transaction() as conn:
            sid, tid = self._code_id(conn, source), self._code_id(conn, target)
            if sid == tid or sid in self._ancestor_ids(conn, tid):
                raise ExporterreError(tr("Impossible de fusionner un code dans lui-même ou dans un de ses enfants.",
                                         "Cannot merge a code into itself or one of its children."))
            moved = 0
            with self._batch():
                for (coding_id,) in conn.execute("SELECT id FROM codings WHERE code_id = ?", (sid,)).fetchall():
                    before = self._coding_state(conn, coding_id)
                    if self._same_manual(conn, before, tid) is not None:
                        # the coder already has this span under the target: one coding, not two
                        conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                        self._log(conn, actor, "coding.delete", "coding", coding_id, before, None)
                        moved += 1
                        continue
                    conn.execute("UPDATE codings SET code_id = ?, updated_at = ? WHERE id = ?",
                                 (tid, now(), coding_id))
                    self._log(conn, actor, "coding.update", "coding", coding_id, before,
                              self._coding_state(conn, coding_id))
                    moved += 1
                for (child,) in conn.execute("SELECT id FROM codes WHERE parent_id = ?", (sid,)).fetchall():
                    before = self._code_state(conn, child)
                    conn.execute("UPDATE codes SET parent_id = ? WHERE id = ?", (tid, child))
                    self._log(conn, actor, "code.update", "code", child, before, self._code_state(conn, child))
                before = self._code_state(conn, sid)
                conn.execute("DELETE FROM codes WHERE id = ?", (sid,))
                self._log(conn, actor, "code.delete", "code", sid, before, None)
            return moved

    def delete_code(self, code: int | str, *, actor: str = "human", with_codings: bool = False) -> int:
        """Delete a code. With codings, refuses unless ``with_codings`` (then they go too, undoably)."""
        with self.db.transaction() as conn:
            cid = self._code_id(conn, code)
            n = conn.execute("SELECT COUNT(*) FROM codings WHERE code_id = ?", (cid,)).fetchone()[0]
            if n and not with_codings:
                raise ExporterreError(
                    tr(f"Le code porte {n} codage(s) : il n'a pas été supprimé.",
                       f"The code carries {n} coding(s): it was not deleted."),
                    tr("Fusionnez-le dans un autre code, ou confirmez la suppression des codages (annulable).",
                       "Merge it into another code, or confirm deleting its codings (undoable)."))
            if conn.execute("SELECT 1 FROM codes WHERE parent_id = ?", (cid,)).fetchone():
                raise ExporterreError(tr("Ce code a des sous-codes : déplacez-les ou fusionnez d'abord.",
                                         "This code has children: move or merge them first."))
            with self._batch():
                # decisions (source_id) first, then the codings they point to
                for (coding_id,) in conn.execute("SELECT id FROM codings WHERE code_id = ? ORDER BY id DESC",
                                                 (cid,)).fetchall():
                    before = self._coding_state(conn, coding_id)
                    conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                    self._log(conn, actor, "coding.delete", "coding", coding_id, before, None)
                before = self._code_state(conn, cid)
                conn.execute("DELETE FROM codes WHERE id = ?", (cid,))
                self._log(conn, actor, "code.delete", "code", cid, before, None)
            return n

    # ==================================================================== codings
    def _coding_state(self, conn, coding_id: int) -> dict | None:
        row = conn.execute(f"SELECT {_CODING_STATE_COLS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            return None
        return dict(zip([c.strip() for c in _CODING_STATE_COLS.split(",")], row))

    @staticmethod
    def _same_manual(conn, state: dict, code_id: int) -> int | None:
        """The id of the manual coding identical to ``state`` under ``code_id`` (same document, span
        and coder), if any: the store holds one manual coding per (document, span, code, coder)."""
        if state["status"] != "manual":
            return None
        row = conn.execute("SELECT id FROM codings WHERE document_id = ? AND start = ? AND end = ? AND code_id = ? "
                           "AND coder = ? AND status = 'manual' AND id != ?",
                           (state["document_id"], state["start"], state["end"], code_id, state["coder"],
                            state.get("id", -1))).fetchone()
        return row[0] if row else None

    def _check_span(self, conn, document_id: int, start: int, end: int, memo: dict | None = None) -> None:
        """``memo`` remembers the text length of each document within one transaction
        (``length(text)`` reads the whole text)."""
        if memo is not None and ("length", document_id) in memo:
            row = memo[("length", document_id)]
        else:
            row = conn.execute("SELECT length(text) FROM documents WHERE id = ?", (document_id,)).fetchone()
            if memo is not None:
                memo[("length", document_id)] = row
        if row is None:
            raise NotFoundError(tr(f"Document n° {document_id} introuvable.", f"Document #{document_id} not found."))
        if not (0 <= start < end <= row[0]):
            raise ExporterreError(tr(f"Passage invalide [{start}, {end}) pour un texte de {row[0]} caractères.",
                                     f"Invalid span [{start}, {end}) for a text of {row[0]} characters."))

    def add_coding(self, document_id: int, start: int, end: int, code: int | str, coder: str, *,
                   status: str = "manual", origin: str = "human", score: float | None = None,
                   segment_id: int | None = None, source_id: int | None = None, run_id: int | None = None,
                   details: dict | None = None, actor: str | None = None) -> Coding:
        if status not in CODING_STATUSES:
            raise ValueError(f"status must be one of {CODING_STATUSES}")
        with self.db.transaction() as conn:
            return self._add_coding(conn, document_id, start, end, code, coder, status, origin, score,
                                    segment_id, source_id, run_id, details or {}, actor or coder)

    def _add_coding(self, conn, document_id, start, end, code, coder, status, origin, score, segment_id,
                    source_id, run_id, details, actor) -> Coding:
        cid = self._insert_coding(conn, document_id, start, end, code, coder, status, origin, score, segment_id,
                                  source_id, run_id, details, actor)
        return _coding(conn.execute(f"SELECT {_CODING_COLS} FROM codings WHERE id = ?", (cid,)).fetchone())

    def _insert_coding(self, conn, document_id, start, end, code, coder, status, origin, score, segment_id,
                       source_id, run_id, details, actor, memo: dict | None = None) -> int:
        """Insert and log one coding; its id. ``memo`` (a dict kept for one transaction, as
        :meth:`sync_suggestions` does) remembers the documents' lengths and the codes checked."""
        self._check_span(conn, document_id, start, end, memo)
        if memo is None:
            code_id = self._code_id(conn, code)
        else:
            code_id = memo.get(("code", code))
            if code_id is None:
                code_id = memo[("code", code)] = self._code_id(conn, code)
        if status == "manual":
            # the same coding by the same coder on the same span is stored once (idempotent)
            twin = self._same_manual(conn, {"document_id": document_id, "start": start, "end": end,
                                            "coder": coder, "status": status}, code_id)
            if twin is not None:
                return twin
        if segment_id is None:
            row = conn.execute("SELECT id FROM segments WHERE document_id = ? AND start <= ? AND ? < end "
                               "ORDER BY start LIMIT 1", (document_id, start, start)).fetchone()
            segment_id = row[0] if row else None
        stamp = now()
        cid = conn.execute(
            "INSERT INTO codings(document_id, start, end, code_id, coder, status, origin, score, segment_id, "
            "source_id, run_id, details, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document_id, start, end, code_id, coder, status, origin, score, segment_id, source_id, run_id,
             dumps(details), stamp, stamp)).lastrowid
        self._log(conn, actor, "coding.add", "coding", cid, None, self._coding_state(conn, cid))
        return cid

    def find_manual_coding(self, document_id: int, start: int, end: int, code: int | str,
                           coder: str) -> Coding | None:
        """``coder``'s manual coding of exactly ``[start, end)`` with ``code``, if there is one."""
        with self.db.read() as conn:
            twin = self._same_manual(conn, {"document_id": document_id, "start": start, "end": end, "coder": coder,
                                            "status": "manual"}, self._code_id(conn, code))
            if twin is None:
                return None
            return _coding(conn.execute(f"SELECT {_CODING_COLS} FROM codings WHERE id = ?", (twin,)).fetchone())

    def get_coding(self, coding_id: int) -> Coding:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_CODING_COLS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Codage n° {coding_id} introuvable.", f"Coding #{coding_id} not found."))
        return _coding(row)

    def coding_details(self, coding_id: int) -> dict[str, Any]:
        with self.db.read() as conn:
            row = conn.execute("SELECT details FROM codings WHERE id = ?", (coding_id,)).fetchone()
        return (loads(row[0]) or {}) if row else {}

    def update_coding(self, coding_id: int, *, actor: str, start: int | None = None, end: int | None = None,
                      code: int | str | None = None, status: str | None = None) -> Coding:
        """Resize a span, change its code or its status (logged, undoable)."""
        with self.db.transaction() as conn:
            before = self._coding_state(conn, coding_id)
            if before is None:
                raise NotFoundError(tr(f"Codage n° {coding_id} introuvable.", f"Coding #{coding_id} not found."))
            new_start = before["start"] if start is None else start
            new_end = before["end"] if end is None else end
            self._check_span(conn, before["document_id"], new_start, new_end)
            code_id = before["code_id"] if code is None else self._code_id(conn, code)
            if status is not None and status not in CODING_STATUSES:
                raise ValueError(f"status must be one of {CODING_STATUSES}")
            after = dict(before, start=new_start, end=new_end, status=status or before["status"])
            twin = self._same_manual(conn, after, code_id)
            if twin is not None and twin != coding_id:
                raise ExporterreError(
                    tr("Ce codage existe déjà (même passage, même code) : rien n'a été changé.",
                       "This coding already exists (same span, same code): nothing was changed."),
                    tr("Retirez l'un des deux (x) si vous vouliez les réunir.",
                       "Remove one of them (x) if you meant to join them."))
            conn.execute("UPDATE codings SET start = ?, end = ?, code_id = ?, status = ?, updated_at = ? WHERE id = ?",
                         (new_start, new_end, code_id, status or before["status"], now(), coding_id))
            self._log(conn, actor, "coding.update", "coding", coding_id, before, self._coding_state(conn, coding_id))
            return _coding(conn.execute(f"SELECT {_CODING_COLS} FROM codings WHERE id = ?", (coding_id,)).fetchone())

    def delete_coding(self, coding_id: int, *, actor: str) -> None:
        with self.db.transaction() as conn:
            before = self._coding_state(conn, coding_id)
            if before is None:
                raise NotFoundError(tr(f"Codage n° {coding_id} introuvable.", f"Coding #{coding_id} not found."))
            conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
            self._log(conn, actor, "coding.delete", "coding", coding_id, before, None)

    def list_codings(self, *, document_id: int | None = None, coder: str | None = None,
                     coders: Iterable[str] | None = None, statuses: Iterable[str] | None = None,
                     code_ids: Iterable[int] | None = None, origin_prefix: str | None = None) -> list[Coding]:
        sql = f"SELECT {_CODING_COLS} FROM codings WHERE 1=1"
        args: list[Any] = []
        for col, values in (("coder", coders), ("status", statuses), ("code_id", code_ids)):
            if values is not None:
                part, found = in_clause(col, values)
                sql += part
                args += found
        if document_id is not None:
            sql += " AND document_id = ?"
            args.append(document_id)
        if coder is not None:
            sql += " AND coder = ?"
            args.append(coder)
        if origin_prefix is not None:
            sql += " AND origin LIKE ? ESCAPE '\\'"
            args.append(like_prefix(origin_prefix))
        sql += " ORDER BY document_id, start, id"
        with self.db.read() as conn:
            return [_coding(r) for r in conn.execute(sql, args)]

    def coders(self) -> list[str]:
        with self.db.read() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]

    # ================================================= machine suggestions, decisions
    def sync_suggestions(self, origin_prefix: str, drafts: Sequence[SuggestionDraft], *, coder: str = "machine",
                         run_id: int | None = None, document_ids: Iterable[int] | None = None) -> SuggestionSync:
        """Make the pending suggestions under ``origin_prefix`` equal to ``drafts``.

        Identical suggestions are kept (same id), new ones added, stale ones
        removed — except stale ones a person already decided on, which stay.
        Codings made or decided by people are never touched. ``document_ids``
        limits the scope (only those documents' suggestions are compared).
        """
        scope = list(document_ids) if document_ids is not None else None
        with self.db.transaction() as conn:
            sql = ("SELECT id, document_id, start, end, code_id, origin FROM codings WHERE coder = ? AND "
                   "status = 'pending' AND origin LIKE ? ESCAPE '\\'")
            args: list[Any] = [coder, like_prefix(origin_prefix)]
            if scope is not None:
                part, found = in_clause("document_id", scope)
                sql += part
                args += found
            existing = {tuple(r[1:]): r[0] for r in conn.execute(sql, args)}
            code_ids: dict[str, int] = {}
            ids: list[int] = []
            produced: dict[tuple, int] = {}
            added = kept = removed = 0
            memo: dict[tuple, Any] = {}
            with self._batch():
                for d in drafts:
                    if d.code_key not in code_ids:
                        code_ids[d.code_key] = self._code_id(conn, d.code_key)
                    key = (d.document_id, d.start, d.end, code_ids[d.code_key], d.origin)
                    if key in produced:                       # the same suggestion twice in one run
                        ids.append(produced[key])
                        continue
                    if key in existing:
                        coding_id = existing[key]
                        conn.execute("UPDATE codings SET score = ?, run_id = ?, details = ?, "
                                     "segment_id = COALESCE(?, segment_id) WHERE id = ?",
                                     (d.score, run_id, dumps(d.details), d.segment_id, coding_id))
                        kept += 1
                    else:
                        coding_id = self._insert_coding(conn, d.document_id, d.start, d.end, key[3], coder,
                                                        "pending", d.origin, d.score, d.segment_id, None, run_id,
                                                        d.details, coder, memo)
                        added += 1
                    produced[key] = coding_id
                    ids.append(coding_id)
                for key, coding_id in existing.items():
                    if key in produced:
                        continue
                    if conn.execute("SELECT 1 FROM codings WHERE source_id = ? LIMIT 1", (coding_id,)).fetchone():
                        continue                              # a person decided on it: keep it
                    before = self._coding_state(conn, coding_id)
                    conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                    self._log(conn, coder, "coding.delete", "coding", coding_id, before, None)
                    removed += 1
            return SuggestionSync(added, kept, removed, ids)

    def sync_suggestion_sets(self, sets: Sequence[tuple[str, Sequence[SuggestionDraft]]], *, coder: str = "machine",
                             run_id: int | None = None) -> list[SuggestionSync]:
        """:meth:`sync_suggestions` for several origins (the rules', the sentence model's) in ONE transaction:
        an error or a kill half-way leaves every origin's suggestions as they were."""
        with self.db.transaction():
            return [self.sync_suggestions(prefix, drafts, coder=coder, run_id=run_id) for prefix, drafts in sets]

    def decide(self, suggestion_id: int, coder: str, decision: str, *, code: int | str | None = None) -> Coding:
        """Record ``coder``'s decision on a machine suggestion.

        ``decision`` is ``accept`` or ``reject``; ``code`` accepts under another
        code. The decision is a coding of its own (status accepted/rejected,
        origin of the suggestion kept, ``source_id`` = the suggestion). A new
        decision by the same coder replaces the previous one.
        """
        if decision not in ("accept", "reject"):
            raise ValueError("decision must be 'accept' or 'reject'")
        with self.db.transaction() as conn:
            s = self._coding_state(conn, suggestion_id)
            if s is None:
                raise NotFoundError(tr(f"Suggestion n° {suggestion_id} introuvable.",
                                       f"Suggestion #{suggestion_id} not found."))
            with self._batch():
                for (old_id,) in conn.execute("SELECT id FROM codings WHERE source_id = ? AND coder = ?",
                                              (suggestion_id, coder)).fetchall():
                    before = self._coding_state(conn, old_id)
                    conn.execute("DELETE FROM codings WHERE id = ?", (old_id,))
                    self._log(conn, coder, "coding.delete", "coding", old_id, before, None)
                details = dict(loads(s["details"]) or {})
                if code is not None:
                    details["suggested_code_id"] = s["code_id"]
                return self._add_coding(conn, s["document_id"], s["start"], s["end"],
                                        code if code is not None else s["code_id"], coder,
                                        "accepted" if decision == "accept" else "rejected", s["origin"], s["score"],
                                        s["segment_id"], suggestion_id, s["run_id"], details, coder)

    def _pending_query(self, coder: str, *, origin_prefix: str | None, code_ids: Iterable[int] | None,
                       phases: Iterable[int] | None, document_id: int | None, category: str | None,
                       machine: str) -> tuple[str, list[Any]]:
        """``FROM … WHERE …`` of the validation queue (aliases ``c`` codings, ``d`` documents), and its args."""
        sql = ("FROM codings c JOIN documents d ON d.id = c.document_id WHERE c.coder = ? AND c.status = 'pending' "
               "AND NOT EXISTS (SELECT 1 FROM codings x WHERE x.source_id = c.id AND x.coder = ?)")
        args: list[Any] = [machine, coder]
        if origin_prefix:
            sql += " AND c.origin LIKE ? ESCAPE '\\'"
            args.append(like_prefix(origin_prefix))
        for column, values in (("c.code_id", code_ids), ("d.phase", phases)):
            if values is not None:
                part, found = in_clause(column, values)
                sql += part
                args += found
        if document_id is not None:
            sql += " AND c.document_id = ?"
            args.append(document_id)
        if category:
            sql += " AND json_extract(c.details, '$.category') = ?"
            args.append(category)
        return sql + " ORDER BY d.phase, d.name, c.start, c.id", args

    # -- turns read ---------------------------------------------------------------
    def mark_read(self, coder: str, segment_ids: Iterable[int]) -> int:
        """Record that ``coder`` read these segments (in the interface); returns how many were new.
        Not a coding and not in the undo history: it only tells a project's model what was read."""
        ids = sorted(set(segment_ids))
        if not ids:
            return 0
        with self.db.transaction() as conn:
            before = conn.total_changes
            conn.executemany("INSERT OR IGNORE INTO segment_reads (segment_id, coder, read_at) VALUES (?, ?, ?)",
                             [(i, coder, now()) for i in ids])
            return conn.total_changes - before

    def read_segments(self, coders: Iterable[str] | None = None) -> dict[int, frozenset[int]]:
        """Document id → ids of its segments read by one of ``coders`` (default: anyone)."""
        sql = ("SELECT s.document_id, r.segment_id FROM segment_reads r JOIN segments s ON s.id = r.segment_id")
        args: list[Any] = []
        if coders is not None:
            part, args = in_clause("r.coder", sorted(set(coders)))
            sql += " WHERE 1 = 1" + part
        out: dict[int, set[int]] = {}
        with self.db.read() as conn:
            for document_id, segment_id in conn.execute(sql, args):
                out.setdefault(document_id, set()).add(segment_id)
        return {d: frozenset(ids) for d, ids in out.items()}

    def pending_for(self, coder: str, *, origin_prefix: str | None = None, code_ids: Iterable[int] | None = None,
                    phases: Iterable[int] | None = None, document_id: int | None = None,
                    category: str | None = None, machine: str = "machine") -> list[Coding]:
        """Machine suggestions that ``coder`` has not decided on yet (the validation queue)."""
        where, args = self._pending_query(coder, origin_prefix=origin_prefix, code_ids=code_ids, phases=phases,
                                          document_id=document_id, category=category, machine=machine)
        columns = ", ".join("c." + col.strip() for col in _CODING_COLS.split(","))
        with self.db.read() as conn:
            return [_coding(r) for r in conn.execute(f"SELECT {columns} {where}", args)]
