"""Documents, participants, speakers and segments."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..errors import NotFoundError
from ..i18n import tr
from ..records import Document, DocumentSummary, Participant, SegmentDraft, Segment, Speaker
from .base import dumps, in_clause, loads, now

_DOC_COLS = ("id, name, phase, lieu, date, source_path, format, encoding, content_hash, text, "
             "participant_id, attributes, version, created_at, updated_at, identity")
_VERSION_COLS = ("name, identity, phase, lieu, date, source_path, format, encoding, content_hash, text, "
                 "participant_id, attributes")


@dataclass(frozen=True)
class NewDocument:
    """Everything needed to store a document (see ``Store.add_document``)."""
    name: str
    phase: int
    text: str
    content_hash: str
    format: str
    lieu: str | None = None
    date: str | None = None
    source_path: str | None = None
    encoding: str | None = None
    participant: str | None = None
    participant_attributes: dict[str, Any] | None = None
    attributes: dict[str, Any] | None = None
    # Several participants in one document (a couple, a group): their keys and
    # attributes, and which speaker label is which participant.
    participants: tuple[tuple[str, dict[str, Any]], ...] = ()
    speaker_participants: dict[str, str] | None = None
    # path relative to the corpus root (no extension) or manifest id; None: the name
    identity: str | None = None
    origin: str | None = None            # absolute path of the imported file


@dataclass(frozen=True)
class DocumentOrigin:
    """How a stored document was identified (see ``importer``)."""
    id: int
    name: str
    identity: str
    legacy: bool            # identity copied from the name by migration 6, not yet confirmed
    origin: str | None
    source_path: str | None
    content_hash: str


@dataclass(frozen=True)
class DocumentVersion:
    """A previous version of a re-imported document (text and metadata)."""
    document_id: int
    version: int
    name: str
    identity: str | None
    phase: int
    lieu: str | None
    date: str | None
    source_path: str | None
    format: str
    encoding: str | None
    content_hash: str
    text: str
    participant_id: int | None
    attributes: dict[str, Any]
    imported_at: str
    replaced_at: str


@dataclass(frozen=True)
class SegmentView:
    """A segment with the context analysis and reports need, and its words."""
    segment_id: int
    document_id: int
    document: str
    phase: int
    lieu: str | None
    participant: str | None
    position: int
    start: int
    end: int
    speaker: str | None
    role: str | None
    text: str
    kind: str = "turn"          # turn | cue | paragraph | note (non-speech: title, legend, transcriber's note)


def _document(row: sqlite3.Row | tuple) -> Document:
    r = list(row)
    r[11] = loads(r[11]) or {}
    return Document(*r)


def _segment(row) -> Segment:
    return Segment(*row)


class DocumentsMixin:
    # -- writes --------------------------------------------------------------
    def upsert_participant(self, key: str, attributes: dict[str, Any] | None = None) -> Participant:
        """Create the participant, or merge new attributes into an existing one."""
        with self.db.transaction() as conn:
            return self._upsert_participant(conn, key, attributes or {})

    def _upsert_participant(self, conn, key: str, attributes: dict[str, Any]) -> Participant:
        row = conn.execute("SELECT id, attributes FROM participants WHERE key = ?", (key,)).fetchone()
        if row is None:
            pid = conn.execute("INSERT INTO participants(key, attributes) VALUES (?, ?)",
                               (key, dumps(attributes))).lastrowid
            return Participant(pid, key, dict(attributes))
        merged = {**(loads(row[1]) or {}), **attributes}
        conn.execute("UPDATE participants SET attributes = ? WHERE id = ?", (dumps(merged), row[0]))
        return Participant(row[0], key, merged)

    def add_document(self, doc: NewDocument, segments: Sequence[SegmentDraft],
                     roles: dict[str, str]) -> Document:
        """Store a document, its speakers and segments in one transaction.

        ``roles`` maps each speaker label to interviewer/resident/relais/other.
        """
        with self.db.transaction() as conn:
            return self._insert_document(conn, doc, segments, roles)

    def _insert_document(self, conn, doc: NewDocument, segments, roles) -> Document:
        participant_id = self._document_participants(conn, doc)
        stamp = now()
        doc_id = conn.execute(
            "INSERT INTO documents(name, phase, lieu, date, source_path, format, encoding, content_hash, "
            "text, participant_id, attributes, version, created_at, updated_at, identity, origin, words) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
            (doc.name, doc.phase, doc.lieu, doc.date, doc.source_path, doc.format, doc.encoding,
             doc.content_hash, doc.text, participant_id, dumps(doc.attributes or {}), stamp, stamp,
             doc.identity or doc.name, doc.origin, len(doc.text.split())),
        ).lastrowid
        self._insert_segments(conn, doc_id, doc, segments, roles, participant_id)
        return self._get_document(conn, doc_id)

    def _document_participants(self, conn, doc: NewDocument) -> int | None:
        """Upsert the document's participant(s); the id of the single one, if single."""
        for key, attrs in doc.participants:
            self._upsert_participant(conn, key, attrs)
        if doc.participant:
            return self._upsert_participant(conn, doc.participant, doc.participant_attributes or {}).id
        return None

    def _insert_segments(self, conn, doc_id: int, doc: NewDocument, segments, roles, participant_id) -> None:
        text = doc.text
        speaker_ids: dict[str, int] = {}
        labels = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
        talkers = [label for label in labels if roles.get(label, "other") != "interviewer"]
        mapping = doc.speaker_participants or {}
        for label in labels:
            role = roles.get(label, "other")
            pid = None
            if label in mapping:
                pid = conn.execute("SELECT id FROM participants WHERE key = ?", (mapping[label],)).fetchone()[0]
            elif participant_id is not None and role != "interviewer" and len(talkers) == 1:
                # the document's participant is its one non-interviewer speaker
                pid = participant_id
            speaker_ids[label] = conn.execute(
                "INSERT INTO speakers(document_id, label, role, participant_id) VALUES (?, ?, ?, ?)",
                (doc_id, label, role, pid)).lastrowid
        rows = []
        for position, seg in enumerate(segments):
            if not (0 <= seg.start < seg.end <= len(text)):
                raise ValueError(f"segment {position} out of bounds: {seg}")
            rows.append((doc_id, position, seg.start, seg.end,
                         speaker_ids.get(seg.speaker) if seg.speaker else None, seg.kind, seg.timestamp))
        conn.executemany("INSERT INTO segments(document_id, position, start, end, speaker_id, kind, timestamp) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def replace_document(self, document_id: int, doc: NewDocument, segments: Sequence[SegmentDraft],
                         roles: dict[str, str], remap: dict[int, tuple[int, int] | None] | None = None,
                         actor: str = "import") -> Document:
        """Replace the text of a document, keeping its id and its codings.

        The previous text and metadata are kept in ``document_versions``.
        ``remap`` gives, for each coding id, its new (start, end) in the new text,
        or None when its words are gone (the coding is then deleted, logged).
        Every change is written to the event log in one batch. ``doc.identity``,
        when given, becomes the document's confirmed identity (its name is kept).
        """
        with self.db.transaction() as conn:
            old = self._get_document(conn, document_id)
            conn.execute(
                f"INSERT INTO document_versions(document_id, version, {_VERSION_COLS}, imported_at, replaced_at) "
                f"SELECT id, version, {_VERSION_COLS}, updated_at, ? FROM documents WHERE id = ?",
                (now(), document_id))
            if doc.identity is not None:
                conn.execute("UPDATE documents SET identity = ?, identity_legacy = 0 WHERE id = ?",
                             (doc.identity, document_id))
            if doc.origin is not None:
                conn.execute("UPDATE documents SET origin = ? WHERE id = ?", (doc.origin, document_id))
            participant_id = self._document_participants(conn, doc) or (
                old.participant_id if not doc.participants else None)
            conn.execute("DELETE FROM segments WHERE document_id = ?", (document_id,))
            conn.execute("DELETE FROM speakers WHERE document_id = ?", (document_id,))
            conn.execute(
                "UPDATE documents SET phase = ?, lieu = ?, date = ?, source_path = ?, format = ?, encoding = ?, "
                "content_hash = ?, text = ?, participant_id = ?, attributes = ?, version = version + 1, "
                "updated_at = ?, words = ? WHERE id = ?",
                (doc.phase, doc.lieu, doc.date, doc.source_path, doc.format, doc.encoding, doc.content_hash,
                 doc.text, participant_id, dumps(doc.attributes or {}), now(), len(doc.text.split()), document_id))
            self._insert_segments(conn, document_id, doc, segments, roles, participant_id)
            with self._batch():
                self._apply_remap(conn, remap or {}, actor)
            self._relink_segments(conn, document_id)
            return self._get_document(conn, document_id)

    def _apply_remap(self, conn, remap: dict[int, tuple[int, int] | None], actor: str) -> None:
        for coding_id, span in remap.items():
            before = self._coding_state(conn, coding_id)
            if before is None:
                continue
            if span is None:
                conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
                self._log(conn, actor, "coding.delete", "coding", coding_id, before, None)
            else:
                conn.execute("UPDATE codings SET start = ?, end = ?, segment_id = NULL, updated_at = ? "
                             "WHERE id = ?", (span[0], span[1], now(), coding_id))
                self._log(conn, actor, "coding.update", "coding", coding_id, before,
                          self._coding_state(conn, coding_id))

    def _relink_segments(self, conn, document_id: int) -> None:
        """Attach codings to the segment that contains their start."""
        conn.execute(
            "UPDATE codings SET segment_id = (SELECT s.id FROM segments s WHERE s.document_id = codings.document_id "
            "AND s.start <= codings.start AND codings.start < s.end ORDER BY s.start LIMIT 1) "
            "WHERE document_id = ? AND segment_id IS NULL", (document_id,))

    def delete_document(self, document_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    # -- reads ---------------------------------------------------------------
    def _get_document(self, conn, document_id: int) -> Document:
        row = conn.execute(f"SELECT {_DOC_COLS} FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Document n° {document_id} introuvable.", f"Document #{document_id} not found."))
        return _document(row)

    def get_document(self, ref: int | str) -> Document:
        """A document by id or by name."""
        with self.db.read() as conn:
            if isinstance(ref, int):
                return self._get_document(conn, ref)
            row = conn.execute(f"SELECT {_DOC_COLS} FROM documents WHERE name = ?", (ref,)).fetchone()
        if row is None:
            raise NotFoundError(
                tr(f"Aucun document nommé « {ref} » dans le projet.", f"No document named '{ref}' in the project."),
                tr("« exporterre status » liste les documents.", "'exporterre status' lists the documents."))
        return _document(row)

    def find_document(self, name: str) -> Document | None:
        try:
            return self.get_document(str(name))
        except NotFoundError:
            return None

    def importing(self):
        """One write transaction around an import's read-decide-write step: a second
        ``ingest`` running at the same time waits for it (``BEGIN IMMEDIATE``)."""
        return self.db.transaction()

    def document_origins(self, *, identity: str | None = None, origin: str | None = None,
                         legacy_name: str | None = None) -> list[DocumentOrigin]:
        """Documents whose identity, origin (absolute file path) or unconfirmed legacy name is the one given."""
        cond, args = [], []
        if identity is not None:
            cond.append("identity = ?")
            args.append(identity)
        if origin is not None:
            cond.append("origin = ?")
            args.append(origin)
        if legacy_name is not None:
            cond.append("(identity_legacy = 1 AND identity = ?)")
            args.append(legacy_name)
        if not cond:
            return []
        with self.db.read() as conn:
            rows = conn.execute("SELECT id, name, identity, identity_legacy, origin, source_path, content_hash "
                                f"FROM documents WHERE {' OR '.join(cond)} ORDER BY id", args).fetchall()
        return [DocumentOrigin(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]

    def confirm_identity(self, document_id: int, identity: str, origin: str | None) -> None:
        """Record a document's identity (and file) once an import has recognised it."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE documents SET identity = ?, identity_legacy = 0, origin = ? WHERE id = ?",
                         (identity, origin, document_id))

    def names_taken(self, names: Iterable[str]) -> set[str]:
        """Which of ``names`` are names of documents."""
        names = list(names)
        part, args = in_clause("name", names)
        with self.db.read() as conn:
            return {r[0] for r in conn.execute(f"SELECT name FROM documents WHERE 1=1{part}", args)}

    def list_versions(self, document_id: int) -> list[DocumentVersion]:
        """Previous versions of a document, oldest first (the current one is in ``documents``)."""
        with self.db.read() as conn:
            rows = conn.execute(f"SELECT document_id, version, {_VERSION_COLS}, imported_at, replaced_at "
                                "FROM document_versions WHERE document_id = ? ORDER BY version",
                                (document_id,)).fetchall()
        return [DocumentVersion(*r[:13], loads(r[13]) or {}, r[14], r[15]) for r in rows]

    def list_documents(self, phase: int | None = None, lieu: str | None = None) -> list[DocumentSummary]:
        sql = ("SELECT d.id, d.name, d.phase, d.lieu, d.date, d.format, p.key, "
               "d.words, (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) "
               "FROM documents d LEFT JOIN participants p ON p.id = d.participant_id WHERE 1=1")
        args: list[Any] = []
        if phase is not None:
            sql += " AND d.phase = ?"
            args.append(phase)
        if lieu is not None:
            sql += " AND d.lieu = ?"
            args.append(lieu)
        sql += " ORDER BY d.phase, d.name"
        with self.db.read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [DocumentSummary(*r) for r in rows]

    def get_participant(self, participant_id: int) -> Participant:
        with self.db.read() as conn:
            row = conn.execute("SELECT id, key, attributes FROM participants WHERE id = ?",
                               (participant_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Participant n° {participant_id} introuvable.",
                                   f"Participant #{participant_id} not found."))
        return Participant(row[0], row[1], loads(row[2]) or {})

    def list_participants(self) -> list[Participant]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT id, key, attributes FROM participants ORDER BY key").fetchall()
        return [Participant(r[0], r[1], loads(r[2]) or {}) for r in rows]

    def list_speakers(self, document_id: int | None = None) -> list[Speaker]:
        sql = "SELECT id, document_id, label, role, participant_id FROM speakers"
        args: tuple = ()
        if document_id is not None:
            sql += " WHERE document_id = ?"
            args = (document_id,)
        with self.db.read() as conn:
            return [Speaker(*r) for r in conn.execute(sql + " ORDER BY document_id, id", args)]

    def list_segments(self, document_id: int) -> list[Segment]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT s.id, s.document_id, s.position, s.start, s.end, s.speaker_id, sp.label, sp.role, "
                "s.kind, s.timestamp FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id "
                "WHERE s.document_id = ? ORDER BY s.position", (document_id,)).fetchall()
        return [_segment(r) for r in rows]

    def segment_views(self, *, roles: Iterable[str] | None = None, phases: Iterable[int] | None = None,
                      document_ids: Iterable[int] | None = None,
                      include_unattributed: bool = True, include_notes: bool = False) -> list[SegmentView]:
        """Segments with their words and context, in corpus order.

        ``roles`` keeps only speakers of those roles; segments without a
        speaker (field-note paragraphs) are kept unless ``include_unattributed``
        is False. Non-speech segments (``kind = 'note'``: titles, legends,
        transcriber's notes) are left out unless ``include_notes``.
        """
        sql = ("SELECT s.id, d.id, d.name, d.phase, d.lieu, p.key, s.position, s.start, s.end, sp.label, "
               "sp.role, substr(d.text, s.start + 1, s.end - s.start), s.kind "
               "FROM segments s JOIN documents d ON d.id = s.document_id "
               "LEFT JOIN speakers sp ON sp.id = s.speaker_id "
               "LEFT JOIN participants p ON p.id = COALESCE(sp.participant_id, d.participant_id) WHERE 1=1")
        args: list[Any] = []
        if not include_notes:
            sql += " AND s.kind != 'note'"
        if roles is not None:
            roles = list(roles)
            cond = f"sp.role IN ({','.join('?' * len(roles))})" if roles else "0"
            sql += f" AND ({cond}{' OR s.speaker_id IS NULL' if include_unattributed else ''})"
            args += roles
        for column, values in (("d.phase", phases), ("d.id", document_ids)):
            if values is not None:
                part, found = in_clause(column, values)
                sql += part
                args += found
        sql += " ORDER BY d.phase, d.name, s.position"
        with self.db.read() as conn:
            return [SegmentView(*r) for r in conn.execute(sql, args)]

    def corpus_status(self) -> dict[str, Any]:
        """Counts per phase and per speaker role (``exporterre status``)."""
        with self.db.read() as conn:
            docs = conn.execute("SELECT phase, words FROM documents").fetchall()
            segments = conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
            roles = dict(conn.execute("SELECT role, COUNT(*) FROM speakers GROUP BY role").fetchall())
            seg_phase = dict(conn.execute("SELECT d.phase, COUNT(*) FROM segments s JOIN documents d "
                                          "ON d.id = s.document_id GROUP BY d.phase").fetchall())
            participants = conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
            codings = conn.execute("SELECT status, COUNT(*) FROM codings GROUP BY status").fetchall()
        phases = {str(p): {"documents": 0, "words": 0, "segments": seg_phase.get(p, 0)} for p in (1, 2, 3)}
        for phase, words in docs:
            phases[str(phase)]["documents"] += 1
            phases[str(phase)]["words"] += words
        return {
            "documents": len(docs),
            "segments": segments,
            "words": sum(p["words"] for p in phases.values()),
            "participants": participants,
            "phases": phases,
            "speakers": {role: roles.get(role, 0) for role in ("interviewer", "resident", "relais", "other")},
            "codings": {status: n for status, n in codings},
        }
