"""Exchange stage, on the demo corpus with many codings; times against a baseline
measured in the same run.

- ``baseline_read_s``: reading every document and every coding's words from the store.
- ``qdpx_export_over_read``, ``qdpx_import_over_read``, ``iramuteq_over_read``,
  ``codings_csv_over_read``: each exchange step ÷ that baseline.
- ``round_trip_identical``: share of codings whose (document, words, code, coder) come
  back identical after export → import (must be 1.0).
- ``qdpx_bytes_per_coding``: size of the archive per coding.
"""
from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODERS = ("alice", "bob", "chloe")


def _project(folder: Path, seed: int = 7):
    from exporterre_nlp import Project
    from exporterre_nlp.importer import ingest_paths
    project = Project.init(folder / "demo")
    ingest_paths(project, [ROOT / "corpus" / "demo"])
    store = project.store
    rng = random.Random(seed)
    codes = [c.key for c in store.list_codes()]
    for d in store.list_documents():
        for seg in store.list_segments(d.id):
            for coder in CODERS:
                for _ in range(2):
                    a = rng.randrange(seg.start, seg.end)
                    b = rng.randrange(a + 1, seg.end + 1)
                    store.add_coding(d.id, a, b, rng.choice(codes), coder)
    return project


def _signature(project) -> list[tuple]:
    s = project.store
    keys = {c.id: c.key for c in s.list_codes()}
    texts = {d.id: (d.name, s.get_document(d.id).text) for d in s.list_documents()}
    return sorted((texts[c.document_id][0], texts[c.document_id][1][c.start:c.end], keys[c.code_id], c.coder)
                  for c in s.list_codings())


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def run(out: Path) -> dict:
    from exporterre_nlp import Project
    from exporterre_nlp.exchange import export_codings, export_iramuteq, export_qdpx, import_qdpx
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = _project(folder)
        base, before = _timed(lambda: _signature(project))
        t_export, result = _timed(lambda: export_qdpx(project, folder / "demo.qdpx"))
        t_import, _ = _timed(lambda: import_qdpx(folder / "demo.qdpx", folder / "copie"))
        with Project.open(folder / "copie") as copy:
            after = _signature(copy)
        t_ira, _ = _timed(lambda: export_iramuteq(project, folder / "corpus.txt"))
        t_csv, _ = _timed(lambda: export_codings(project, folder / "codages.csv"))
        same = sum(a == b for a, b in zip(before, after)) / max(len(before), 1)
        figures = {
            "documents": result.documents, "codings": result.codings,
            "baseline_read_s": round(base, 3),
            "qdpx_export_s": round(t_export, 2), "qdpx_import_s": round(t_import, 2),
            "qdpx_export_over_read": round(t_export / base, 1), "qdpx_import_over_read": round(t_import / base, 1),
            "iramuteq_over_read": round(t_ira / base, 1), "codings_csv_over_read": round(t_csv / base, 1),
            "round_trip_identical": round(same, 4) if len(before) == len(after) else 0.0,
            "qdpx_bytes_per_coding": round(result.path.stat().st_size / max(result.codings, 1)),
        }
        project.close()
    return figures
