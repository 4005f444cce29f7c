"""Analysis runs: what was computed, with which settings and versions."""
from __future__ import annotations

from typing import Any

from ..errors import NotFoundError
from ..i18n import tr
from ..records import Run
from .base import dumps, loads, now

_RUN_COLS = "id, kind, started_at, finished_at, settings, versions, input_hash, status, summary"


def _run(row) -> Run:
    r = list(row)
    for i in (4, 5, 8):
        r[i] = loads(r[i]) or {}
    return Run(*r)


class RunsMixin:
    def start_run(self, kind: str, *, settings: dict[str, Any], versions: dict[str, Any],
                  input_hash: str | None = None) -> Run:
        with self.db.transaction() as conn:
            rid = conn.execute("INSERT INTO runs(kind, started_at, settings, versions, input_hash) VALUES (?, ?, ?, ?, ?)",
                               (kind, now(), dumps(settings), dumps(versions), input_hash)).lastrowid
            return _run(conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE id = ?", (rid,)).fetchone())

    def finish_run(self, run_id: int, *, status: str = "done", summary: dict[str, Any] | None = None) -> Run:
        with self.db.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                         (now(), status, dumps(summary or {}), run_id))
            return _run(conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE id = ?", (run_id,)).fetchone())

    def get_run(self, run_id: int) -> Run:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Analyse n° {run_id} introuvable.", f"Run #{run_id} not found."))
        return _run(row)

    def latest_run(self, kind: str, status: str = "done") -> Run | None:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE kind = ? AND status = ? ORDER BY id DESC LIMIT 1",
                               (kind, status)).fetchone()
        return _run(row) if row else None

    def list_runs(self, kind: str | None = None) -> list[Run]:
        sql, args = f"SELECT {_RUN_COLS} FROM runs", []
        if kind:
            sql += " WHERE kind = ?"
            args.append(kind)
        with self.db.read() as conn:
            return [_run(r) for r in conn.execute(sql + " ORDER BY id", args)]
