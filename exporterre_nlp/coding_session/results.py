"""The typed results a :class:`~exporterre_nlp.coding_session.CodingSession` returns (no raw rows)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Coding, Document, Segment
from ..store.views import CodingMark, DocumentProgress, SuggestionItem


@dataclass(frozen=True)
class CodeResult:
    """What coding a span did: the coding, and whether it is new (False: the same coding by the
    same coder on the same span already existed, nothing was stored)."""
    coding: Coding
    created: bool


@dataclass(frozen=True)
class MarksUpdate:
    """What a reader shows again after a change: my codings of the document, my recent codes."""
    marks: list[CodingMark] = field(default_factory=list)
    recent: list[int] = field(default_factory=list)
    result: CodeResult | None = None


@dataclass(frozen=True)
class ReaderText:
    """What a reader paints first: the document, its turns, my codings of it."""
    document: Document
    segments: list[Segment]
    marks: list[CodingMark]


@dataclass(frozen=True)
class ReaderExtras:
    """What a reader shows around the text: memos per turn, my pending suggestions, my recent codes."""
    memo_counts: dict[int, int]
    pending: list[SuggestionItem]
    recent: list[int]


@dataclass(frozen=True)
class CorpusRows:
    """The corpus list: every document with my progress (and the other coders', unless blind)."""
    rows: list[DocumentProgress]
    others: list[str]


@dataclass(frozen=True)
class CodeCounts:
    """Codings per code id. ``coded``: the human codings (manual + accepted) of every coder, or in
    blind mode only mine; ``mine``: this coder's; ``carried``: every coding of the code, whatever its
    coder or status (suggestions, rejections) — what deleting the code would delete, so it is given
    even in blind mode."""
    coded: dict[int, int]
    mine: dict[int, int]
    carried: dict[int, int]
    blind: bool = False


@dataclass(frozen=True)
class CoverageChoice:
    """The root branches of the codebook and those this coder marked as coded in a document."""
    branches: list[tuple[str, str]]         # (key, label)
    marked: set[str]


@dataclass(frozen=True)
class CoverageChange:
    added: int
    removed: int
