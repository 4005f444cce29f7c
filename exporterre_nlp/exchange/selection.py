"""Which codings and memos an export takes (shared by every export)."""
from __future__ import annotations

from typing import Iterable

from ..records import Coding, Memo

HUMAN = ("manual", "accepted")


def statuses(include_pending: bool) -> tuple[str, ...]:
    return HUMAN + ("pending",) if include_pending else HUMAN


def chosen_codings(store, *, coders: Iterable[str] | None = None, include_pending: bool = False,
                   document_id: int | None = None) -> list[Coding]:
    """Codings people made or accepted (and machine suggestions still pending, on request);
    rejected suggestions never leave the project."""
    return store.list_codings(document_id=document_id, coders=list(coders) if coders else None,
                              statuses=statuses(include_pending))


def chosen_memos(store, coders: Iterable[str] | None = None) -> list[Memo]:
    memos = store.list_memos()
    wanted = set(coders) if coders else None
    return [m for m in memos if wanted is None or m.coder in wanted]
