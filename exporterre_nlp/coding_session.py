"""A coder's session on a project, headless: what the coding interface does, as typed calls.

The terminal UI (``exporterre_tui``) is a shell over this: its screens ask a
:class:`CodingSession` to code a span, change or remove a coding, decide on a
suggestion, undo or redo, and get back typed results (:class:`CodeResult`,
:class:`MarksUpdate`) — never raw store rows, never SQL. A session is one coder
(a name checked by :func:`~exporterre_nlp.coders.check_coder` where a person types it), optionally blind (double coding: the other coders'
codings stay hidden). Every call is one transaction of the store; calls are meant
to run off the interface's thread (its single writer, its workers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .records import Coding, Event
from .store.views import MACHINE, CodingMark


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


class CodingSession:
    def __init__(self, store, coder: str, *, machine: str = MACHINE, blind: bool = False) -> None:
        self.store = store
        self.coder = coder                 # checked where a person types it (check_coder)
        self.machine = machine
        self.blind = blind

    # ------------------------------------------------------------------ reads
    def marks(self, document_id: int, result: CodeResult | None = None) -> MarksUpdate:
        """My codings of a document and my recent codes (with what the change just made, if given)."""
        return MarksUpdate(self.store.coding_marks(document_id, [self.coder]), self.store.recent_codes(self.coder),
                           result)

    def other_coders(self) -> list[str]:
        """The coders whose codings may be shown beside mine (none in blind mode)."""
        if self.blind:
            return []
        return [c for c in self.store.human_coders(machine=self.machine) if c != self.coder]

    # ----------------------------------------------------------------- writes
    def code(self, document_id: int, start: int, end: int, code_id: int, *,
             segment_id: int | None = None) -> CodeResult:
        """Code ``[start, end)`` with ``code_id`` (idempotent for an identical coding)."""
        existing = self.store.find_manual_coding(document_id, start, end, code_id, self.coder)
        if existing is not None:
            return CodeResult(existing, False)
        # add_coding is idempotent too (another program may have stored it meanwhile)
        return CodeResult(self.store.add_coding(document_id, start, end, code_id, self.coder,
                                                segment_id=segment_id), True)

    def recode(self, coding_id: int, code_id: int) -> None:
        self.store.update_coding(coding_id, actor=self.coder, code=code_id)

    def resize(self, coding_id: int, start: int, end: int) -> None:
        self.store.update_coding(coding_id, actor=self.coder, start=start, end=end)

    def remove(self, coding_id: int) -> None:
        self.store.delete_coding(coding_id, actor=self.coder)

    def decide(self, suggestion_id: int, decision: str, *, code_id: int | None = None) -> Coding:
        """``accept`` or ``reject`` a machine suggestion (``code_id``: accept under another code)."""
        return self.store.decide(suggestion_id, self.coder, decision, code=code_id)

    def undo(self) -> Event | None:
        return self.store.undo(self.coder)

    def redo(self) -> Event | None:
        return self.store.redo(self.coder)

