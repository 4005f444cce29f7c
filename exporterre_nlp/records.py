"""Typed records exchanged between the store, the library and the shells.

Offsets (``start``, ``end``) are always character offsets into the stored,
normalised text of a document: ``document.text[start:end]`` gives the words back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PHASES = (1, 2, 3)
PHASE_NAMES = {1: "relais", 2: "lieux", 3: "habitants"}
ROLES = ("interviewer", "resident", "relais", "other")
# a role's name on screen (French, English)
ROLE_NAMES = {"interviewer": ("enquêteur·rice", "interviewer"), "resident": ("habitant·e", "resident"),
              "relais": ("relais", "intermediary"), "other": ("autre", "other")}
CODING_STATUSES = ("manual", "pending", "accepted", "rejected")
HUMAN_STATUSES = ("manual", "accepted")
MEMO_TARGETS = ("project", "document", "segment", "code", "coding")


# --- ingestion (before the store) ----------------------------------------------
@dataclass(frozen=True)
class SegmentDraft:
    """A speaker turn, subtitle cue or paragraph found by a reader.

    ``start``/``end`` delimit the spoken words only (label and timestamp excluded).
    """
    start: int
    end: int
    speaker: str | None = None
    timestamp: str | None = None     # e.g. "00:12:03" or "00:00:01.000 --> 00:00:04.000"
    kind: str = "turn"               # "turn", "cue", "paragraph" or "note" (non-speech: title, legend, transcriber's note)


@dataclass
class ParsedDocument:
    """A file read and normalised, ready to be stored."""
    name: str
    source_path: str
    format: str                      # "txt", "md", "docx", "odt", "srt", "vtt"
    encoding: str                    # detected encoding of the file (or "zip/xml")
    text: str                        # NFC, "\n" line ends, no BOM
    content_hash: str                # sha256 of ``text``
    metadata: dict[str, Any] = field(default_factory=dict)
    segments: list[SegmentDraft] = field(default_factory=list)


# --- stored records --------------------------------------------------------------
@dataclass(frozen=True)
class Participant:
    id: int
    key: str
    attributes: dict[str, Any]


@dataclass(frozen=True)
class Document:
    id: int
    name: str
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
    version: int
    created_at: str
    updated_at: str
    # path relative to the corpus root without extension, or a manifest id (the document's name
    # for documents imported before identities existed)
    identity: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class DocumentSummary:
    """A document without its text, for lists."""
    id: int
    name: str
    phase: int
    lieu: str | None
    date: str | None
    format: str
    participant: str | None
    words: int
    segments: int


@dataclass(frozen=True)
class Speaker:
    id: int
    document_id: int
    label: str
    role: str
    participant_id: int | None


@dataclass(frozen=True)
class Segment:
    id: int
    document_id: int
    position: int
    start: int
    end: int
    speaker_id: int | None
    speaker: str | None
    role: str | None
    kind: str
    timestamp: str | None


@dataclass(frozen=True)
class Code:
    id: int
    key: str
    label: str
    parent_id: int | None
    definition: str | None
    color: str | None
    position: int
    attributes: dict[str, Any]       # use_when, not_when, examples, tags, keywords...


@dataclass(frozen=True)
class Coding:
    id: int
    document_id: int
    start: int
    end: int
    code_id: int
    coder: str
    status: str                      # manual | pending | accepted | rejected
    origin: str                      # human | rule:<id> | topic:<id>
    score: float | None
    segment_id: int | None
    source_id: int | None            # the suggestion a decision was made on
    run_id: int | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Memo:
    id: int
    target_type: str
    target_id: int | None
    coder: str
    text: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    actor: str
    action: str                      # e.g. coding.add, coding.delete, coding.update, undo, redo
    entity: str                      # coding, memo, code
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undoes: int | None               # for undo/redo events: the event they revert
    undone: bool


@dataclass(frozen=True)
class Run:
    id: int
    kind: str                        # "analyse", "themes", "report"...
    started_at: str
    finished_at: str | None
    settings: dict[str, Any]
    versions: dict[str, Any]
    input_hash: str | None
    status: str                      # running | done | failed | cancelled
    summary: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    """A rule-based extraction: a pending coding plus what the rule saw."""
    id: int
    coding_id: int
    document_id: int
    segment_id: int | None
    start: int
    end: int
    category: str
    code_key: str
    rule_id: str
    object: str | None
    reported: bool
    negated: bool
    speaker: str | None
    role: str | None
    run_id: int | None


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file in an import."""
    path: str
    status: str                      # "added", "unchanged", "updated", "error", "skipped"
    document: str | None = None
    message: str | None = None
    segments: int = 0
    words: int = 0


@dataclass(frozen=True)
class Progress:
    """Progress of long work, reported through callbacks."""
    done: int
    total: int
    label: str = ""                  # for people, in the interface language
    stage: str = ""                  # for programs: a fixed key ("training", "analysis"…), never translated


def role_label(role: str | None) -> str:
    """A speaker role's name in the interface language ("" when unknown)."""
    from .i18n import tr
    return tr(*ROLE_NAMES[role]) if role in ROLE_NAMES else ""
