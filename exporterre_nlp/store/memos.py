"""Memos on the project, a document, a segment, a code or a coding — logged, undoable."""
from __future__ import annotations

from ..errors import NotFoundError
from ..i18n import tr
from ..records import MEMO_TARGETS, Memo
from .base import now

_MEMO_COLS = "id, target_type, target_id, coder, text, created_at, updated_at"


def _memo(row) -> Memo:
    return Memo(*row)


class MemosMixin:
    def add_memo(self, target_type: str, target_id: int | None, coder: str, text: str) -> Memo:
        if target_type not in MEMO_TARGETS:
            raise ValueError(f"target_type must be one of {MEMO_TARGETS}")
        with self.db.transaction() as conn:
            stamp = now()
            mid = conn.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (target_type, target_id, coder, text, stamp, stamp)).lastrowid
            row = conn.execute(f"SELECT {_MEMO_COLS} FROM memos WHERE id = ?", (mid,)).fetchone()
            self._log(conn, coder, "memo.add", "memo", mid, None, dict(zip(_MEMO_COLS.split(", "), row)))
            return _memo(row)

    def update_memo(self, memo_id: int, text: str, *, actor: str) -> Memo:
        with self.db.transaction() as conn:
            row = conn.execute(f"SELECT {_MEMO_COLS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
            if row is None:
                raise NotFoundError(tr(f"Mémo n° {memo_id} introuvable.", f"Memo #{memo_id} not found."))
            conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?", (text, now(), memo_id))
            new = conn.execute(f"SELECT {_MEMO_COLS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
            self._log(conn, actor, "memo.update", "memo", memo_id, dict(zip(_MEMO_COLS.split(", "), row)),
                      dict(zip(_MEMO_COLS.split(", "), new)))
            return _memo(new)

    def delete_memo(self, memo_id: int, *, actor: str) -> None:
        with self.db.transaction() as conn:
            row = conn.execute(f"SELECT {_MEMO_COLS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
            if row is None:
                raise NotFoundError(tr(f"Mémo n° {memo_id} introuvable.", f"Memo #{memo_id} not found."))
            conn.execute("DELETE FROM memos WHERE id = ?", (memo_id,))
            self._log(conn, actor, "memo.delete", "memo", memo_id, dict(zip(_MEMO_COLS.split(", "), row)), None)

    def list_memos(self, target_type: str | None = None, target_id: int | None = None,
                   coder: str | None = None) -> list[Memo]:
        sql, args = f"SELECT {_MEMO_COLS} FROM memos WHERE 1=1", []
        for col, val in (("target_type", target_type), ("target_id", target_id), ("coder", coder)):
            if val is not None:
                sql += f" AND {col} = ?"
                args.append(val)
        with self.db.read() as conn:
            return [_memo(r) for r in conn.execute(sql + " ORDER BY id", args)]

