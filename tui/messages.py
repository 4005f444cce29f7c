"""Messages the screens exchange: the app's plumbing (WriteDone, StoreChanged) and the typed
completions a screen receives when its work is done (CodingSaved, MemoSaved, DecisionSaved,
QueueLoaded, CodebookEdited, ThemeLinksLoaded, ThemeLinkSaved)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual.message import Message

from exporterre_nlp.coding_session import CodeResult, MarksUpdate, ThemeLinks
from exporterre_nlp.records import Coding, Memo
from exporterre_nlp.store.themes import ThemeLink
from exporterre_nlp.store.views import SuggestionItem


@dataclass
class WriteDone(Message):
    """A store write finished in the writer thread (posted to the app)."""
    token: int
    result: Any
    error: BaseException | None
    then: Callable[[Any], None] | None
    committed_at: float


class StoreChanged(Message):
    """The store changed (a write, an undo, a redo): screens showing it reload."""

    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what


@dataclass
class CodingSaved(Message):
    """A change of the reader's codings (code, recode, resize, remove) is committed; ``update`` holds my
    codings of the document and my recent codes read right after it, and what coding a span did."""
    document_id: int
    update: MarksUpdate

    @property
    def result(self) -> CodeResult | None:
        return self.update.result


@dataclass
class MemoSaved(Message):
    """A memo is committed; ``memo_counts`` (``{segment id: memos}``) re-read for the reader's document."""
    memo: Memo
    memo_counts: dict[int, int]


@dataclass
class DecisionSaved(Message):
    """A decision on a machine suggestion is committed: ``coding`` is the coder's decision
    (status ``accepted`` or ``rejected``, ``source_id`` the suggestion)."""
    suggestion_id: int
    decision: str
    coding: Coding


@dataclass
class QueueLoaded(Message):
    """The validation queue was read (in a worker) for the screen's ``generation`` of decisions."""
    items: list[SuggestionItem]
    generation: int


@dataclass
class CodebookEdited(Message):
    """A codebook edit is committed: ``said`` what to tell the coder (or None), ``file_note`` why
    codebook.yaml could not follow (None when it was rewritten)."""
    said: str | None
    file_note: str | None


@dataclass
class ThemeLinksLoaded(Message):
    """The latest theme run's themes and their code links were read (in a worker)."""
    links: ThemeLinks


@dataclass
class ThemeLinkSaved(Message):
    """A decision on a theme ↔ code link is committed (one per theme and code, for the whole theme)."""
    link: ThemeLink
