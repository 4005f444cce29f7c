"""Undo and redo: replay the append-only event log, per actor, across restarts.

Every change people make to codings, memos and codes is logged with a before
and an after image; a composite action (a merge, a decision replacing another)
shares one batch. Undo restores the before images of the actor's latest batch
still in effect; redo re-applies the after images of the batch undone most
recently, as long as the actor did nothing new since.
"""
from __future__ import annotations

from ..records import Event
from .base import dumps, loads
from .coding import _CODE_COLS, _CODING_STATE_COLS
from .coverage import _COVERAGE_COLS
from .memos import _MEMO_COLS

# Columns restored by undo/redo, per entity (the before/after images).
_ENTITY_TABLE = {"coding": ("codings", _CODING_STATE_COLS), "memo": ("memos", _MEMO_COLS),
                 "code": ("codes", _CODE_COLS), "coverage": ("coverage", _COVERAGE_COLS),
                 "theme_link": ("theme_links", "id, run_id, theme, code_id, status, coder, decided_at")}


class HistoryMixin:
    def list_events(self, actor: str | None = None, limit: int = 100) -> list[Event]:
        sql, args = "SELECT id, at, actor, action, entity, entity_id, before, after, undoes, undone FROM events", []
        if actor:
            sql += " WHERE actor = ?"
            args.append(actor)
        with self.db.read() as conn:
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", args + [limit]).fetchall()
        return [Event(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6]), loads(r[7]), r[8], bool(r[9])) for r in rows]

    def _restore(self, conn, entity: str, entity_id: int, image: dict | None) -> None:
        table, cols = _ENTITY_TABLE[entity]
        if image is None:
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (entity_id,))
            return
        names = [c.strip() for c in cols.split(",")]
        values = [dumps(image[n]) if isinstance(image.get(n), (dict, list)) else image.get(n) for n in names]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
        conn.execute(f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                     f"ON CONFLICT(id) DO UPDATE SET {updates}", values)

    def _apply_batch(self, conn, actor: str, batch: int, backwards: bool, action: str) -> Event:
        events = conn.execute("SELECT id, entity, entity_id, before, after FROM events WHERE batch = ? "
                              "AND undoes IS NULL ORDER BY id", (batch,)).fetchall()
        ordered = reversed(events) if backwards else events
        # codes must exist before codings that point to them, and vice versa on delete
        for _id, entity, entity_id, before, after in ordered:
            self._restore(conn, entity, entity_id, loads(before if backwards else after))
        conn.execute("UPDATE events SET undone = ? WHERE batch = ? AND undoes IS NULL", (1 if backwards else 0, batch))
        self._log(conn, actor, action, events[0][1], events[0][2], None, None, undoes=batch)
        row = conn.execute("SELECT id, at, actor, action, entity, entity_id, before, after, undoes, undone "
                           "FROM events WHERE id = ?", (events[0][0],)).fetchone()
        return Event(row[0], row[1], row[2], row[3], row[4], row[5], loads(row[6]), loads(row[7]), row[8],
                     bool(row[9]))

    def undo(self, actor: str) -> Event | None:
        """Revert ``actor``'s latest action still in effect. Returns its first event, or None."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT batch FROM events WHERE actor = ? AND undoes IS NULL AND undone = 0 "
                               "ORDER BY id DESC LIMIT 1", (actor,)).fetchone()
            if row is None:
                return None
            return self._apply_batch(conn, actor, row[0], True, "undo")

    def redo(self, actor: str) -> Event | None:
        """Re-apply the action ``actor`` undid most recently, if nothing new was done since."""
        with self.db.transaction() as conn:
            last_do = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events WHERE actor = ? AND undoes IS NULL",
                                   (actor,)).fetchone()[0]
            row = conn.execute(
                "SELECT u.undoes FROM events u WHERE u.actor = ? AND u.action = 'undo' AND u.id > ? AND EXISTS "
                "(SELECT 1 FROM events e WHERE e.batch = u.undoes AND e.undoes IS NULL AND e.undone = 1) "
                "ORDER BY u.id DESC LIMIT 1", (actor, last_do)).fetchone()
            if row is None:
                return None
            return self._apply_batch(conn, actor, row[0], False, "redo")
