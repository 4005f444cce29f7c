"""Kill -9 harness (issue 17): run ingest, analyse, report and export, SIGKILL them at random moments, check.

``make faults`` (not in CI; minutes). For each command, one uninterrupted run gives the reference (its
duration, its output); then ``--kills`` runs are each killed with SIGKILL after a random delay in
[0, 1.2 × duration] and the project and outputs are checked:

- **integrity**: ``PRAGMA quick_check`` is ``ok`` and the store opens (our own checks pass);
- **nothing half-done**: no document without segments, no coding outside its text, no run left
  ``running`` once the store is reopened (a killed run shows as interrupted); an interrupted
  ``ingest`` completed by a second run gives exactly the documents of an uninterrupted import;
- **previous output intact**: the report folder's manifest lists files that all exist with their
  hashes (the previous report or the new one, never a mix, never a 0-byte file); an export file is
  byte-identical to the reference (the previous file or the same new one), never truncated.

Transcripts come from /work/shared/corpora/ud-rhapsodie (real speech; written to a temporary folder,
never to the repository) or, when absent, from corpus/demo. Prints one JSON summary.

    python -m benchmarks.faults [--kills 8] [--only report,export] [--seed 1]
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("EXPORTERRE_SHARED_CORPORA") or ROOT.parent / "shared" / "corpora")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from exporterre_nlp.cli import main; sys.argv[0] = 'exporterre'; main()",
            *args]


def _run(args: list[str], timeout: float = 1800) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[3:])} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def _killed(args: list[str], delay: float) -> int | None:
    """Start ``args``, SIGKILL it after ``delay`` seconds; returns its exit code if it finished first."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return None


def _killed_after_start(args: list[str], project: Path, kind: str, extra: float) -> int | None:
    """Start ``args``, wait until it has recorded its run (status running), SIGKILL it ``extra`` s later."""
    def last_run() -> tuple:
        with sqlite3.connect(project / "store.sqlite3") as conn:
            return conn.execute("SELECT id, status FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1",
                                (kind,)).fetchone() or (0, "")
    before = last_run()[0]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        run_id, status = last_run()
        if run_id > before and status == "running":
            try:
                return proc.wait(timeout=extra)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return None
        time.sleep(0.1)
    return proc.returncode


def transcripts(folder: Path, limit: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = CORPORA / "ud-rhapsodie" / "sentences.tsv"
    if not source.is_file():
        for path in sorted((ROOT / "corpus" / "demo").rglob("*.txt"))[:limit]:
            shutil.copy(path, folder / path.name)
        return folder
    docs: dict[str, list[str]] = defaultdict(list)
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            docs[row["doc_id"]].append(f"{row['speaker'].lstrip('$') or 'L1'} : {row['text']}")
    for doc_id in sorted(docs)[:limit]:
        (folder / f"{doc_id}.txt").write_text("\n".join(docs[doc_id]) + "\n", encoding="utf-8")
    return folder


# -- checks ------------------------------------------------------------------------------------------------------
def store_problems(project: Path) -> list[str]:
    problems = []
    db = project / "store.sqlite3"
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"quick_check: {check[:3]}")
        empty = conn.execute("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
                             "(SELECT 1 FROM segments s WHERE s.document_id = d.id)").fetchone()[0]
        if empty:
            problems.append(f"{empty} documents without segments")
        outside = conn.execute("SELECT COUNT(*) FROM codings c JOIN documents d ON d.id = c.document_id "
                               "WHERE c.end > length(d.text)").fetchone()[0]
        if outside:
            problems.append(f"{outside} codings outside their text")
    finally:
        conn.close()
    from exporterre_nlp.store import Store
    try:
        store = Store.open(project)
    except Exception as exc:                    # noqa: BLE001 - reported, not raised
        return problems + [f"store refused: {exc}"]
    try:
        running = [r.id for r in store.list_runs() if r.status == "running"]
        if running:
            problems.append(f"runs still 'running' after reopening: {running}")
    finally:
        store.close()
    return problems


def documents_of(project: Path) -> dict[str, str]:
    with sqlite3.connect(project / "store.sqlite3") as conn:
        return dict(conn.execute("SELECT name, content_hash FROM documents"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_problems(out: Path) -> tuple[list[str], bool]:
    """(problems, mid_publish): a consistent report set, else what is wrong."""
    from exporterre_nlp.outputs import COMMIT_FILE, finish_interrupted_publish
    mid = (out / COMMIT_FILE).is_file()
    if mid:
        finish_interrupted_publish(out)         # what the next run does first
    manifest = out / "manifest.json"
    if not manifest.is_file() or manifest.stat().st_size == 0:
        return ["no manifest"], mid
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    problems = [f"{name}: missing" for name in files if not (out / name).is_file()]
    problems += [f"{name}: changed (a mix of two reports)" for name in files
                 if (out / name).is_file() and sha(out / name) != files[name]]
    problems += [f"{name}: 0 bytes" for name in files if (out / name).is_file() and (out / name).stat().st_size == 0]
    return problems, mid


# -- scenarios ---------------------------------------------------------------------------------------------------
def scenario_ingest(work: Path, corpus: Path, kills: int, rng: random.Random) -> dict:
    reference = work / "ingest-ref"
    _run(_cli("init", str(reference)))
    duration = _run(_cli("ingest", str(corpus), "--project", str(reference), "--phase", "2"))
    expected = documents_of(reference)
    result = {"kills": 0, "finished_before_kill": 0, "problems": [], "seconds": round(duration, 2),
              "documents": len(expected), "killed_mid_import": 0}
    for i in range(kills):
        project = work / f"ingest-{i}"
        _run(_cli("init", str(project)))
        code = _killed(_cli("ingest", str(corpus), "--project", str(project), "--phase", "2"),
                       rng.uniform(0, 1.2 * duration))
        result["kills" if code is None else "finished_before_kill"] += 1
        problems = store_problems(project)
        result["killed_mid_import"] += 0 < len(documents_of(project)) < len(expected)
        _run(_cli("ingest", str(corpus), "--project", str(project), "--phase", "2"))     # resume
        if documents_of(project) != expected:
            problems.append("resumed import differs from an uninterrupted one")
        result["problems"] += [f"kill {i}: {p}" for p in problems + store_problems(project)]
        shutil.rmtree(project)
    return result


def scenario_analyse(work: Path, project: Path, kills: int, rng: random.Random, *, kind: str = "analyse") -> dict:
    args = _cli(kind, "--project", str(project))
    duration = _run(args)
    result = {"kills": 0, "finished_before_kill": 0, "problems": [], "seconds": round(duration, 2)}
    for i in range(kills):
        # every other kill waits until the run is recorded, so that kills land inside the run too; the parse
        # cache is emptied first (safe to delete), so that the run parses instead of reusing cached findings
        if i % 2:
            code = _killed(args, rng.uniform(0, 1.2 * duration))
        else:
            shutil.rmtree(project / "cache", ignore_errors=True)
            code = _killed_after_start(args, project, kind, rng.uniform(0, 0.5 * duration))
        result["kills" if code is None else "finished_before_kill"] += 1
        result["problems"] += [f"kill {i}: {p}" for p in store_problems(project)]
    with sqlite3.connect(project / "store.sqlite3") as conn:      # kills that landed after the run started
        result["runs_shown_interrupted"] = conn.execute(
            "SELECT COUNT(*) FROM runs WHERE kind = ? AND summary LIKE '%\"interrupted\": true%'", (kind,)).fetchone()[0]
    return result


def scenario_report(work: Path, project: Path, kills: int, rng: random.Random) -> dict:
    out = work / "rapport"
    args = _cli("report", "--project", str(project), "--out", str(out), "--include-pending")
    duration = _run(args)
    result = {"kills": 0, "finished_before_kill": 0, "killed_while_writing": 0, "mid_publish": 0, "problems": [],
              "seconds": round(duration, 2)}
    for i in range(kills):
        code = _killed(args, rng.uniform(0, 1.2 * duration))
        result["kills" if code is None else "finished_before_kill"] += 1
        result["killed_while_writing"] += any(out.glob(".exporterre-tmp-stage-*"))
        problems, mid = report_problems(out)
        result["mid_publish"] += mid
        result["problems"] += [f"kill {i}: {p}" for p in problems + store_problems(project)]
    return result


def scenario_export(work: Path, project: Path, kills: int, rng: random.Random) -> dict:
    result = {"kills": 0, "finished_before_kill": 0, "killed_while_writing": 0, "temporaries_left": 0,
              "problems": [], "seconds": {}}
    for fmt, name in (("qdpx", "projet.qdpx"), ("codings", "codages.xlsx"), ("iramuteq", "corpus.txt")):
        target = work / "echange" / name
        args = _cli("export", fmt, "--project", str(project), "--out", str(target), "--include-pending", "--force")
        duration = _run(args)
        reference = sha(target)
        result["seconds"][fmt] = round(duration, 2)
        for i in range(kills):
            code = _killed(args, rng.uniform(0, 1.2 * duration))
            result["kills" if code is None else "finished_before_kill"] += 1
            leftovers = list((work / "echange").glob(".exporterre-tmp-*"))
            result["killed_while_writing"] += bool(leftovers)
            result["temporaries_left"] += len(leftovers)      # hidden, safe to delete (docs/safety.md)
            for path in leftovers:
                path.unlink()
            if not target.is_file():
                result["problems"].append(f"{fmt} kill {i}: file gone")
            elif fmt != "codings" and sha(target) != reference:
                result["problems"].append(f"{fmt} kill {i}: file differs from the previous one ({target.stat().st_size} B)")
            elif fmt == "codings":
                from openpyxl import load_workbook
                try:
                    load_workbook(target, read_only=True).close()
                except Exception as exc:            # noqa: BLE001
                    result["problems"].append(f"codings kill {i}: unreadable workbook ({exc})")
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=8, help="kills per command")
    parser.add_argument("--documents", type=int, default=30, help="transcripts to import")
    parser.add_argument("--only", default="ingest,analyse,report,export")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    wanted = set(options.only.split(","))
    summary: dict = {"kills_per_command": options.kills}
    with tempfile.TemporaryDirectory(prefix="exporterre-faults-") as tmp:
        work = Path(tmp)
        corpus = transcripts(work / "corpus", options.documents)
        summary["corpus"] = "ud-rhapsodie" if (CORPORA / "ud-rhapsodie").is_dir() else "demo"
        if "ingest" in wanted:
            summary["ingest"] = scenario_ingest(work, corpus, options.kills, rng)
        project = work / "projet"
        _run(_cli("init", str(project)))
        _run(_cli("ingest", str(corpus), "--project", str(project), "--phase", "2"))
        if wanted & {"analyse", "report", "export"}:
            _run(_cli("analyse", "--project", str(project)))      # suggestions for the report and exports
        if "analyse" in wanted:
            summary["analyse"] = scenario_analyse(work, project, options.kills, rng)
        if "report" in wanted:
            summary["report"] = scenario_report(work, project, options.kills, rng)
        if "export" in wanted:
            summary["export"] = scenario_export(work, project, options.kills, rng)
    summary["kills_total"] = sum(v["kills"] for v in summary.values() if isinstance(v, dict))
    summary["problems_total"] = sum(len(v["problems"]) for v in summary.values() if isinstance(v, dict))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


if __name__ == "__main__":
    sys.exit(1 if main()["problems_total"] else 0)
