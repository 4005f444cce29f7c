"""A coder's session on a project, headless: what the coding interface does, as typed calls.

The terminal UI (``exporterre_tui``) is a shell over this: its screens ask a
:class:`CodingSession` what to show (the corpus list, a document, my codings, the
suggestion queue, memos, code counts…) and to change things (code a span, change
or remove a coding, decide on a suggestion, edit the codebook, undo or redo), and
get back typed records (:mod:`.results`, the store's view records) — never raw
rows, never SQL, never a store handle. A session is one coder (a name checked by
:func:`~exporterre_nlp.coders.check_coder` where a person types it), optionally
blind (double coding: the other coders' codings, memos and counts stay hidden).
Every call is one transaction of the store; calls are meant to run off the
interface's thread (its single writer for changes, its workers for reads).

Split by concept: :mod:`.reads`, :mod:`.writes`, :mod:`.codebook`, :mod:`.themes` (theme ↔ code links).
"""
from __future__ import annotations

from ..store.views import MACHINE
from .codebook import SessionCodebook
from .reads import SessionReads
from .themes import SessionThemes, ThemeLinkRow, ThemeLinks
from .results import (CodeCounts, CodeResult, CorpusRows, CoverageChange, CoverageChoice, MarksUpdate,
                      ReaderExtras, ReaderText)
from .writes import SessionWrites

__all__ = ["CodingSession", "CodeCounts", "CodeResult", "CorpusRows", "CoverageChange", "CoverageChoice",
           "MarksUpdate", "ReaderExtras", "ReaderText", "ThemeLinkRow", "ThemeLinks"]


class CodingSession(SessionReads, SessionWrites, SessionCodebook, SessionThemes):
    def __init__(self, store, coder: str, *, machine: str = MACHINE, blind: bool = False) -> None:
        self.store = store
        self.coder = coder                 # checked where a person types it (check_coder)
        self.machine = machine
        self.blind = blind
