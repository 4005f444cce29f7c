"""Shared plumbing of the store mixins: opening, timestamps, JSON, event log."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import StoreError
from ..i18n import tr
from .db import Database
from .integrity import check_store_file
from .migrations import LATEST, migrate

DB_FILE = "store.sqlite3"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def like_prefix(prefix: str) -> str:
    """A ``LIKE ? ESCAPE '\\'`` argument matching ``prefix`` literally, then anything."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def in_clause(column: str, values) -> tuple[str, list[Any]]:
    """`` AND column IN (?, …)`` and its arguments; an empty list selects nothing."""
    values = list(values)
    if not values:
        return " AND 0", []
    return f" AND {column} IN ({','.join('?' * len(values))})", values


def texts_by_id(conn, document_ids: Iterable[int]) -> dict[int, str]:
    """Document id → stored text, each text read once (500 ids per query, under SQLite's
    variable limit)."""
    ids = sorted(set(document_ids))
    texts: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        part, found = in_clause("id", ids[i:i + 500])
        texts.update(conn.execute(f"SELECT id, text FROM documents WHERE 1=1{part}", found).fetchall())
    return texts


class StoreBase:
    """Opening and the event log; the mixins add typed reads and writes."""

    def __init__(self, db: Database, backup_path: Path | None = None):
        self.db = db
        self.backup_path = backup_path

    @classmethod
    def open(cls, location: str | Path, *, create: bool = False):
        """Open the store of a project directory (or a ``.sqlite3`` file)."""
        path = Path(location)
        if path.suffix != ".sqlite3":
            path = path / DB_FILE
        if not path.exists() and not create:
            raise StoreError(
                tr(f"Aucun projet Exporterre dans {path.parent} (fichier {path.name} absent).",
                   f"No Exporterre project in {path.parent} ({path.name} missing)."),
                tr(f"Créez-le avec « exporterre init {path.parent} » ou indiquez le bon dossier avec --project.",
                   f"Create it with 'exporterre init {path.parent}' or give the right folder with --project."),
                path=str(path))
        if path.exists():
            # Before anything writes (the WAL switch, a migration): refuse, untouched, a file that is empty,
            # truncated, another program's, too new or damaged.
            check_store_file(path, LATEST)
        db = None
        try:
            db = Database(path)
            saved = migrate(db.conn, path)
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            raise StoreError(
                tr(f"Le fichier {path} n'est pas une base Exporterre lisible ({exc}).",
                   f"The file {path} is not a readable Exporterre store ({exc})."),
                tr("Restaurez la dernière sauvegarde (*.bak à côté) ou recréez le projet.",
                   "Restore the latest backup (*.bak next to it) or create the project again."),
                path=str(path)) from None
        except BaseException:
            if db is not None:
                db.close()
            raise
        store = cls(db, saved)
        recover = getattr(store, "mark_interrupted_runs", None)
        if recover is not None:
            recover()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.db.path

    # -- meta ----------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.db.lock:
            row = self.db.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- event log -----------------------------------------------------------
    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Group the events logged inside into one undoable batch."""
        stack = self.__dict__.setdefault("_batch_stack", [])
        stack.append(None)
        try:
            yield
        finally:
            stack.pop()

    def _log(self, conn: sqlite3.Connection, actor: str, action: str, entity: str,
             entity_id: int | None, before: dict | None, after: dict | None,
             undoes: int | None = None) -> int:
        stack = self.__dict__.get("_batch_stack") or []
        batch = stack[-1] if (stack and undoes is None) else None
        cur = conn.execute(
            "INSERT INTO events(at, actor, action, entity, entity_id, before, after, batch, undoes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), actor, action, entity, entity_id,
             dumps(before) if before is not None else None,
             dumps(after) if after is not None else None, batch, undoes))
        event_id = cur.lastrowid
        if batch is None and undoes is None:
            conn.execute("UPDATE events SET batch = ? WHERE id = ?", (event_id, event_id))
            if stack:
                stack[-1] = event_id
        return event_id
