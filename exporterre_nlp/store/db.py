"""SQLite connections and transactions.

Every connection: WAL journal, foreign keys on, a generous busy timeout, and
autocommit mode so that every write happens in an explicit ``BEGIN IMMEDIATE``
transaction (:func:`transaction`). With WAL, readers never block the writer and
a writer waits for another writer instead of failing: two coders writing at the
same time lose nothing and never see "database is locked".
"""
from __future__ import annotations

import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import StoreError
from ..i18n import tr

BUSY_TIMEOUT_MS = 30_000
# BEGIN IMMEDIATE already waits busy_timeout; this bounds the retries on top of it
# (SQLITE_BUSY can still surface without waiting, e.g. during WAL recovery).
MAX_BUSY_SECONDS = 120.0


def connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise StoreError(
            tr(f"Impossible d'activer le journal WAL sur {path} (mode obtenu : {mode}).",
               f"Cannot enable the WAL journal on {path} (got: {mode})."),
            tr("Placez le projet sur un disque local (pas un partage réseau).",
               "Put the project on a local disk (not a network share)."), path=str(path))
    # NORMAL is durable against a crash of the process (kill -9) in WAL mode.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Database:
    """A connection shared by the threads of one process, guarded by a lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = connect(self.path)
        self.lock = threading.RLock()
        self._depth = 0

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolls back on any error.

        Nested calls join the outer transaction, so that a composite action
        (merge two codes and log every moved coding) commits as one.
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self._begin()
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self._depth = 0
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self._depth = 0
                self._commit()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with self.lock:
            if self._depth or self.conn.in_transaction:
                yield self.conn
                return
            self._retry(lambda: self.conn.execute("BEGIN DEFERRED"))
            try:
                yield self.conn
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def _begin(self) -> None:
        self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))

    def _commit(self) -> None:
        try:
            self._retry(lambda: self.conn.execute("COMMIT"))
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _retry(self, action) -> None:
        deadline = time.monotonic() + MAX_BUSY_SECONDS
        delay = 0.01
        while True:
            try:
                action()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    if _is_busy(exc):
                        raise StoreError(
                            tr(f"Le projet {self.path.parent} est occupé par un autre programme depuis "
                               f"plus de {int(MAX_BUSY_SECONDS)} s.",
                               f"The project {self.path.parent} has been busy in another program for "
                               f"over {int(MAX_BUSY_SECONDS)} s."),
                            tr("Fermez l'autre session (ou attendez la fin de l'analyse) puis réessayez ; "
                               "rien n'a été perdu.",
                               "Close the other session (or wait for the analysis to end) and retry; "
                               "nothing was lost.")) from None
                    raise
                time.sleep(delay + random.random() * delay)
                delay = min(delay * 2, 0.5)
