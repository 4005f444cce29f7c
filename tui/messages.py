"""Messages the screens exchange."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual.message import Message


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
