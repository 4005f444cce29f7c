"""Two `exporterre ingest` at once on the same project: the second waits, nothing crashes or doubles."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from exporterre_nlp import Project

CLI = "import sys; from exporterre_nlp.cli import app; sys.exit(app())"


def test_ingest_concurrency_two_processes_on_the_same_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(300):
        (corpus / f"entretien_{i:02d}.txt").write_text(
            f"E : Bonjour, entretien {i}.\nAwa : Je parle du quartier {i}, des bancs et des crèches.\n",
            encoding="utf-8")
    Project.init(tmp_path / "p").close()
    command = [sys.executable, "-c", CLI, "ingest", str(corpus), "--phase", "3", "--project", str(tmp_path / "p"),
               "--json"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "EXPORTERRE_LANG": "fr"})
            for _ in range(2)]
    outs = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, outs):
        assert run.returncode == 0, err[-2000:]
        assert "Traceback" not in err and "IntegrityError" not in err
    statuses = [sorted({r["status"] for r in json.loads(out)}) for out, _ in outs]
    added = sum(r["status"] == "added" for out, _ in outs for r in json.loads(out))
    assert added == 300, statuses          # each file added once, by one of the two (both overlap:
    # with 300 files the old read-then-write import failed with IntegrityError)
    proj = Project.open(tmp_path / "p")
    try:
        docs = proj.store.list_documents()
        assert len(docs) == 300 and len({d.name for d in docs}) == 300
    finally:
        proj.close()
