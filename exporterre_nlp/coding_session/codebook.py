"""Codebook edits and counts, as typed calls of the session (each edit one undoable transaction)."""
from __future__ import annotations

from ..records import CODING_STATUSES, Code
from .results import CodeCounts


class SessionCodebook:
    """Mixed into :class:`~exporterre_nlp.coding_session.CodingSession` (needs ``store``, ``coder``, ``blind``)."""

    def code_counts(self) -> CodeCounts:
        """Codings per code. In blind mode ``coded`` counts only mine (the others' work stays hidden);
        ``carried`` always counts everything the code carries (what a deletion would remove)."""
        mine = self.store.code_counts_by(self.coder)
        coded = dict(mine) if self.blind else self.store.code_counts()
        return CodeCounts(coded, mine, self.store.code_counts(CODING_STATUSES), self.blind)

    def add_code(self, key: str, label: str, *, parent: int | None = None) -> Code:
        return self.store.add_code(key, label, parent=parent, actor=self.coder)

    def update_code(self, code_id: int, **changes) -> Code:
        """Change a code's ``label``, ``definition``, ``color`` or ``parent`` (None: a root code)."""
        return self.store.update_code(code_id, actor=self.coder, **changes)

    def merge_codes(self, source_id: int, target_id: int) -> int:
        """Move every coding of ``source_id`` to ``target_id`` and delete the source. Returns the codings moved."""
        return self.store.merge_codes(source_id, target_id, actor=self.coder)

    def delete_code(self, code_id: int, *, with_codings: bool = False) -> int:
        return self.store.delete_code(code_id, actor=self.coder, with_codings=with_codings)
