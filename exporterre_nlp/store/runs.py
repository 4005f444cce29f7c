"""Analysis runs: what was computed, with which settings and versions.

A run records the process computing it (pid and host). A run still ``running`` whose process is gone
(killed, machine stopped) is marked at the next opening of the store: status ``failed`` with
``summary = {"interrupted": true, …}``, shown as "interrompu" (:func:`run_state`).
"""
from __future__ import annotations

import os
import socket
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
            rid = conn.execute("INSERT INTO runs(kind, started_at, settings, versions, input_hash, pid, host) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (kind, now(), dumps(settings), dumps(versions), input_hash, os.getpid(),
                                _host())).lastrowid
            return _run(conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE id = ?", (rid,)).fetchone())

    def finish_run(self, run_id: int, *, status: str = "done", summary: dict[str, Any] | None = None) -> Run:
        with self.db.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                         (now(), status, dumps(summary or {}), run_id))
            return _run(conn.execute(f"SELECT {_RUN_COLS} FROM runs WHERE id = ?", (run_id,)).fetchone())

    def mark_interrupted_runs(self) -> list[int]:
        """Runs left ``running`` by a process that no longer exists on this machine (or by a program from
        before runs recorded their process) become interrupted; returns their ids."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT id, pid, host FROM runs WHERE status = 'running'").fetchall()
        host = _host()
        dead = [rid for rid, pid, where in rows if pid is None or (where == host and not _alive(pid))]
        if not dead:
            return []
        with self.db.transaction() as conn:
            for rid in dead:
                conn.execute("UPDATE runs SET status = 'failed', finished_at = ?, summary = ? "
                             "WHERE id = ? AND status = 'running'",
                             (now(), dumps({"interrupted": True,
                                            "error": "interrupted: the process stopped before the end"}), rid))
        return dead

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


def _host() -> str:
    return socket.gethostname()


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":     # on Windows os.kill would stop the process: cannot tell
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True           # exists, owned by someone else
    return True


def run_state(run: Run) -> str:
    """How a run is shown: ``interrompu`` / ``interrupted`` for a run whose process was killed."""
    from ..i18n import tr
    if run.status == "failed" and (run.summary or {}).get("interrupted"):
        return tr("interrompu", "interrupted")
    return {"running": tr("en cours", "running"), "done": tr("terminé", "done"), "failed": tr("échoué", "failed"),
            "cancelled": tr("annulé", "cancelled")}.get(run.status, run.status)
