"""The project store: the only place in Exporterre that speaks SQL.

``Store.open(project_dir)`` opens (and migrates) ``<project>/store.sqlite3``.
Reads and writes return typed records (:mod:`exporterre_nlp.records`).
"""
from __future__ import annotations

from .base import DB_FILE, StoreBase
from .coding import CodingMixin, SuggestionDraft, SuggestionSync
from .coverage import CoverageMixin, CoverageMark
from .history import HistoryMixin
from .memos import MemosMixin
from .documents import DocumentOrigin, DocumentsMixin, DocumentVersion, NewDocument, SegmentView
from .migrations import LATEST as SCHEMA_VERSION
from .runs import RunsMixin
from .analysis import AnalysisMixin
from .themes import ThemesMixin
from .views import ViewsMixin
from .reports import ReportsMixin
from .pseudo import PseudoMixin
from .places import PlacesMixin


class Store(DocumentsMixin, CodingMixin, MemosMixin, HistoryMixin, RunsMixin, AnalysisMixin, ThemesMixin,
            ViewsMixin, ReportsMixin, PseudoMixin, CoverageMixin, PlacesMixin, StoreBase):
    """Typed access to one project's SQLite store."""


__all__ = ["Store", "NewDocument", "DocumentOrigin", "DocumentVersion", "SegmentView", "SuggestionDraft", "SuggestionSync",
           "CoverageMark", "DB_FILE",
           "SCHEMA_VERSION"]
