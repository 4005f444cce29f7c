"""Exporterre NLP — the headless library.

French-first qualitative analysis: ingest transcripts, analyse them with spaCy
and BERTopic, store codings with provenance, report and compare fieldwork
phases. This package never imports Textual: shells (the ``exporterre`` CLI and
the ``exporterre_tui`` terminal app) call the API below.

Heavy parts (spaCy, BERTopic) are imported lazily by the functions that need
them, so that ``import exporterre_nlp`` stays fast.
"""
from __future__ import annotations

from .errors import (CancelledError, CodebookError, EncodingError, ExporterreError, IngestError,
                     MetadataError, ModelError, NotFoundError, ProjectError, StoreError,
                     StoreTooNewError, UnknownCodeError)
from .i18n import get_language, set_language, tr
from .project import Project
from .records import (CODING_STATUSES, HUMAN_STATUSES, PHASE_NAMES, PHASES, ROLES, Code, Coding, Document,
                      DocumentSummary, Event, Finding, IngestResult, Memo, ParsedDocument, Participant, Progress,
                      Run, Segment, SegmentDraft, Speaker)
from .settings import Settings
from .store import NewDocument, SegmentView, Store, SuggestionDraft, SuggestionSync

__version__ = "0.1.0"

__all__ = [
    "CancelledError", "CodebookError", "EncodingError", "ExporterreError", "IngestError", "MetadataError",
    "ModelError", "NotFoundError", "ProjectError", "StoreError", "StoreTooNewError", "UnknownCodeError",
    "get_language", "set_language", "tr", "Project", "Settings", "Store", "NewDocument", "SegmentView",
    "SuggestionDraft", "SuggestionSync", "CODING_STATUSES", "HUMAN_STATUSES", "PHASE_NAMES", "PHASES", "ROLES",
    "Code", "Coding", "Document", "DocumentSummary", "Event", "Finding", "IngestResult", "Memo",
    "ParsedDocument", "Participant", "Progress", "Run", "Segment", "SegmentDraft", "Speaker", "__version__",
]
