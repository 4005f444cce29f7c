"""Every store write runs in one background thread, in the order keys were pressed.

A write is a closure calling the library's coding session (``session.code(...)``, ``session.undo()``...):
each is one transaction, committed at once. Running them in a single worker
thread keeps the interface responsive even when another program holds the
store for a while (SQLite then waits), and keeps writes in keypress order.
When a write finishes, :class:`~exporterre_tui.messages.WriteDone` is posted to
the app, which calls the ``then`` callback on the UI thread.
"""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from .messages import WriteDone


class StoreWriter:
    def __init__(self, app) -> None:
        self.app = app
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exporterre-write")
        self._tokens = itertools.count(1)
        self._outstanding: set[int] = set()
        self._lock = threading.Lock()
        self._queued = 0                        # submitted and not yet committed
        self._idle = threading.Condition()
        self.commit_times: list[float] = []     # perf_counter() right after each change committed
        self.done_times: list[float] = []       # perf_counter() when each write (and its re-reads) ended

    def submit(self, work: Callable[[], Any], then: Callable[[Any], None] | None = None) -> int:
        """Run ``work()`` in the writer thread, then ``then(result)`` on the UI thread."""
        token = next(self._tokens)
        with self._lock:
            self._outstanding.add(token)
        with self._idle:
            self._queued += 1
        self._pool.submit(self._run, token, work, then)
        return token

    def _run(self, token: int, work: Callable[[], Any], then) -> None:
        result, error = None, None
        try:
            result = work()
        except BaseException as exc:       # reported on the UI thread
            error = exc
        done = time.perf_counter()
        self.done_times.append(done)
        with self._idle:
            self._queued -= 1
            self._idle.notify_all()
        self.app.post_message(WriteDone(token, result, error, then, done))

    def committed(self) -> None:
        """Called by a write right after its transaction committed (timing for benchmarks)."""
        self.commit_times.append(time.perf_counter())

    def wait_committed(self, timeout: float = 60.0) -> None:
        """Block (in a worker thread, never the UI) until every submitted write committed.

        Background loads call this first, so that what they read includes the
        changes the coder just made (read-your-writes).
        """
        with self._idle:
            self._idle.wait_for(lambda: self._queued == 0, timeout)

    def finished(self, token: int) -> None:
        with self._lock:
            self._outstanding.discard(token)

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._outstanding)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every submitted write is committed and its callback ran."""
        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            await asyncio.sleep(0.002)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
