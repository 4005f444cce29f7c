"""Two coders writing at once, and kill -9 at any moment (real processes)."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from exporterre_nlp import NewDocument, SegmentDraft, Store

WRITER = textwrap.dedent("""
    import sys
    from exporterre_nlp import Store
    store = Store.open(sys.argv[1])
    coder, n = sys.argv[2], int(sys.argv[3])
    doc = store.get_document("d")
    for i in range(n):
        # distinct spans: an identical manual coding is stored once (issue 19)
        c = store.add_coding(doc.id, i % 50, i % 50 + 5 + (i // 50) % 60, "besoins", coder)
        if i % 7 == 0:
            store.add_memo("coding", c.id, coder, f"note {i}")
        print(c.id, flush=True)
    """)


@pytest.fixture()
def project_dir(tmp_path):
    store = Store.open(tmp_path, create=True)
    store.add_code("besoins", "Besoins")
    text = "Awa : " + "on a besoin de crèches et de médecins ici. " * 3
    store.add_document(NewDocument("d", 3, text, "h", "txt"), [SegmentDraft(6, len(text) - 1, "Awa")],
                       {"Awa": "resident"})
    store.close()
    return tmp_path


def _spawn(project_dir, coder, n):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(project_dir), coder, str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("trial", range(3))
def test_two_coders_writing_at_once_lose_nothing(project_dir, trial):
    procs = [_spawn(project_dir, coder, 150) for coder in ("amina", "karim")]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "locked" not in err.lower()
    store = Store.open(project_dir)
    for coder, (out, _) in zip(("amina", "karim"), outputs):
        reported = {int(line) for line in out.split()}
        stored = {c.id for c in store.list_codings(coder=coder)}
        assert len(reported) == 150 and reported <= stored
    assert len(store.list_codings()) == 300
    store.close()


@pytest.mark.parametrize("trial", range(5))
def test_kill_9_loses_no_committed_row_and_keeps_integrity(project_dir, trial):
    proc = _spawn(project_dir, "amina", 100_000)
    committed: list[int] = []
    target = random.Random(trial).randint(5, 400)
    deadline = time.monotonic() + 60
    while len(committed) < target and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # lines printed after our last read were committed too: read what is left
    committed += [int(x) for x in proc.stdout.read().split()]
    assert len(committed) >= min(target, 5)
    raw = sqlite3.connect(project_dir / "store.sqlite3")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    store = Store.open(project_dir)
    stored = {c.id for c in store.list_codings(coder="amina")}
    assert set(committed) <= stored
    # the event log holds every committed coding too (written in the same transaction)
    events = {e.entity_id for e in store.list_events("amina", limit=1_000_000) if e.action == "coding.add"}
    assert set(committed) <= events
    store.close()
