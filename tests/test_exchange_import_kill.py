"""``import qdpx`` killed with SIGKILL at random moments leaves nothing half-done: the target is
absent (or the whole project), never a project with some of the documents; the next import
removes the hidden folder the killed one left and succeeds."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from exporterre_nlp import Project
from exporterre_nlp.exchange import import_qdpx

N_SOURCES = 30
TURN = "A : Le marché du samedi, c'est là qu'on se retrouve, on parle, on achète des légumes.\n"


def _big_qdpx(path: Path) -> Path:
    guid = "{:08X}-0000-4000-8000-{:012X}".format
    sources, files = [], {}
    for n in range(N_SOURCES):
        text = f"E : Entretien {n}\n" + TURN * 60
        start = text.index("marché")
        sels = "".join(
            f'<PlainTextSelection guid="{guid(3, n * 1000 + k)}" name="marché" startPosition="{start + k * len(TURN)}"'
            f' endPosition="{start + k * len(TURN) + 6}"><Coding guid="{guid(4, n * 1000 + k)}">'
            f'<CodeRef targetGUID="{guid(1, 0)}"/></Coding></PlainTextSelection>' for k in range(40))
        sources.append(f'<TextSource guid="{guid(2, n)}" name="entretien_{n:02d}" '
                       f'plainTextPath="internal://{guid(2, n)}.txt">{sels}</TextSource>')
        files[f"Sources/{guid(2, n)}.txt"] = text
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="gros">'
           f'<CodeBook><Codes><Code guid="{guid(1, 0)}" name="Lieux" isCodable="true"/></Codes></CodeBook>'
           f'<Sources>{"".join(sources)}</Sources></Project>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for name, text in files.items():
            z.writestr(name, text)
    return path


_CHILD = """
import sys
from exporterre_nlp.exchange import import_qdpx
import_qdpx(sys.argv[1], sys.argv[2], default_phase=2,
            progress=lambda p: print(p.done, flush=True))
print("fini", flush=True)
"""


@pytest.mark.slow
def test_exchange_import_qdpx_killed_leaves_nothing_half_done(tmp_path):
    qdpx = _big_qdpx(tmp_path / "gros.qdpx")
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    killed = 0
    for run in range(4):
        target = tmp_path / f"projet_{run}"
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(qdpx), str(target)],
                                 stdout=subprocess.PIPE, text=True, env=env)
        stop_at = rng.randrange(1, N_SOURCES - 2)
        for line in child.stdout:                         # kill while documents are being written
            if line.strip().isdigit() and int(line) >= stop_at:
                child.send_signal(signal.SIGKILL)
                killed += 1
                break
        child.wait(timeout=120)
        assert not target.exists(), f"run {run}: a half project was left at {target}"
        leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(f".{target.name}.import-")]
        assert leftovers                                   # the hidden folder of the killed import
        result = import_qdpx(qdpx, target, default_phase=2)     # the next import cleans it and succeeds
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{target.name}.import-")]
        with Project.open(target) as p:
            assert len(p.store.list_documents()) == N_SOURCES
            assert len(p.store.list_codings()) == result.codings == N_SOURCES * 40
    assert killed == 4
