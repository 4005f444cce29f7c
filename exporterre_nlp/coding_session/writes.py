"""What the coding interface changes: codings, decisions, memos, turns read, coverage, undo/redo."""
from __future__ import annotations

from ..records import Coding, Event, Memo
from .results import CodeResult, CoverageChange, CoverageChoice


class SessionWrites:
    """Mixed into :class:`~exporterre_nlp.coding_session.CodingSession` (needs ``store``, ``coder``)."""

    # ----------------------------------------------------------------- codings
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

    # ------------------------------------------------------------------- memos
    def add_memo(self, target_type: str, target_id: int | None, text: str) -> Memo:
        return self.store.add_memo(target_type, target_id, self.coder, text)

    # ------------------------------------------------------- reading, coverage
    def mark_read(self, segment_ids: list[int]) -> int:
        """Record turns as read by this coder (what a project's own sentence model learns from)."""
        return self.store.mark_read(self.coder, segment_ids)

    def coverage_choice(self, document_id: int) -> CoverageChoice:
        """The codebook's root branches, and those I marked as coded in a document."""
        branches = [(c.key, c.label) for c in self.store.list_codes() if c.parent_id is None]
        marked = {m.code_key for m in self.store.coverage_marks(coders=[self.coder], document_id=document_id)}
        return CoverageChoice(branches, marked)

    def set_coverage(self, document_id: int, branches: set[str]) -> CoverageChange:
        """Make my coverage marks of a document exactly ``branches`` (root code keys)."""
        from ..analysis.coverage import mark_covered, unmark_covered
        marked = self.coverage_choice(document_id).marked
        add, drop = sorted(branches - marked), sorted(marked - branches)
        added = mark_covered(self.store, self.coder, [document_id], add) if add else 0
        removed = unmark_covered(self.store, self.coder, [document_id], drop) if drop else 0
        return CoverageChange(added, removed)

    # ------------------------------------------------------------- undo / redo
    def undo(self) -> Event | None:
        return self.store.undo(self.coder)

    def redo(self) -> Event | None:
        return self.store.redo(self.coder)
