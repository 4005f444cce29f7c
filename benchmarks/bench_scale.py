"""Scale benchmark: the whole pipeline on 1M-, 3M- and 10M-word projects (``make bench-scale``, not in CI).

Projects are built by replicating real text, never by inventing it: the shared
corpora (Rhapsodie interviews, ParisStories anecdotes, Grand Débat answers, in
``../shared/corpora``) and the demo's plain-text transcripts (.txt, .md; the
.docx/.odt/.vtt files are left out because a line cannot be added to them
without rewriting them). Every copy of a document starts with a distinct first
line ("Copie 3 — Rhap_D0004"), so no two documents are identical (ingest
refuses exact duplicates).

Each step runs as its own CLI process under ``/usr/bin/time`` (wall time and
peak resident memory of that process), in order: ingest, pseudo detect,
analyse, themes, report, compare, the three exports, the TUI's corpus list
(the library call its screen makes), and the TUI itself through Pilot (the
corpus list shown, then a 300,000-character interview of the project opened:
first transcript line drawn). The growth exponent ``k`` of each step is ``log(t2 / t1) / log(w2 / w1)`` between the smallest and the largest size run,
on CPU seconds (user + system: the machine is shared, and wall time also
counts the other programs): 1 is linear, 2 quadratic.

    python -m benchmarks.bench_scale 1000000 3000000      # sizes in words
    SCALE_SIZES="1000000 3000000 10000000" make bench-scale

Figures go to ``outputs/bench/scale.json`` (merged across calls) and a
Markdown table is printed. Projects stay in ``outputs/bench/scale/`` (delete
them after: a 10M-word project is several GB).
"""
from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
if not SHARED.exists():
    SHARED = Path("/work/shared/corpora")
DEMO = ROOT / "corpus" / "demo"
SKIP_IN_ALL = True                       # `python -m benchmarks` runs it only when named
DEFAULT_SIZES = (1_000_000, 3_000_000, 10_000_000)
STEP_TIMEOUT = int(os.environ.get("SCALE_STEP_TIMEOUT", "5400"))
LIEUX = ["Arlequin", "Baladins", "Village Olympique", "Géants", "marché", "porte-à-porte"]
CORPUS_LIST = ("import sys, time\n"
               "from exporterre_nlp import Project\n"
               "p = Project.open(sys.argv[1]); s = p.store\n"
               "t = time.perf_counter()\n"
               "others = s.human_coders(machine=p.settings.extraction.coder)\n"
               "rows = s.document_progress(['amina'] + others, machine=p.settings.extraction.coder)\n"
               "print(len(rows), round(time.perf_counter() - t, 3))\n")
LONG_NAME = "longue_transcription"       # one 300,000-character interview, opened in the TUI
LONG_CHARS = 300_000
# The TUI itself through Pilot (headless, 120×40): start → corpus list filled, then the long interview opened
# → its first transcript line drawn. Printed as "rows corpus_s open_s".
TUI_OPEN = ("import asyncio, sys, time\n"
            "from exporterre_nlp import Project\n"
            "from exporterre_tui import ExporterreApp\n"
            "from exporterre_tui.screens.reader import ReaderScreen\n"
            "from textual.widgets import DataTable\n"
            "p = Project.open(sys.argv[1]); doc = p.store.get_document(sys.argv[2])\n"
            "app = ExporterreApp(p, 'amina'); out = {}\n"
            "async def main():\n"
            "    t = time.perf_counter()\n"
            "    async with app.run_test(size=(120, 40)) as pilot:\n"
            "        table = app.screen.query_one(DataTable)\n"
            "        while not table.row_count:\n"
            "            await asyncio.sleep(0.001)\n"
            "        out['rows'], out['corpus'] = table.row_count, time.perf_counter() - t\n"
            "        await app.settle(); t = time.perf_counter()\n"
            "        app.call_later(app.open_document, doc.id)\n"
            "        while not (isinstance(app.screen, ReaderScreen) and app.screen.view.first_paint_at):\n"
            "            await asyncio.sleep(0.0005)\n"
            "        out['open'] = app.screen.view.first_paint_at - t\n"
            "try:\n"
            "    asyncio.run(main())\n"
            "finally:\n"
            "    app.writer.shutdown()\n"
            "print(out['rows'], round(out['corpus'], 3), round(out['open'], 3), len(doc.text))\n")


# ------------------------------------------------------------------ the real text
def _tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _order(sent_id: str) -> int:
    digits = "".join(ch for ch in sent_id.replace("_", "-").rsplit("-", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def source_documents() -> list[dict]:
    """Every real document once: name, text body (without the copy line), phase-free metadata."""
    docs: list[dict] = []
    for corpus in ("ud-rhapsodie", "ud-parisstories"):
        rows = _tsv(SHARED / corpus / "sentences.tsv")
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_doc[r["doc_id"]].append(r)
        for doc_id in sorted(by_doc):
            sents = sorted(by_doc[doc_id], key=lambda r: _order(r["sent_id"]))
            lines, speaker, words = [], None, []
            for s in sents:
                who = s.get("speaker") or "L1"
                if who != speaker and words:
                    lines.append(f"{speaker} : {' '.join(words)}")
                    words = []
                speaker = who
                words.append(s["text"])
            if words:
                lines.append(f"{speaker} : {' '.join(words)}")
            docs.append({"name": doc_id, "text": "\n\n".join(lines) + "\n", "interviewer": "L2",
                         "ext": "txt"})
    with (SHARED / "granddebat-annotated" / "responses_labeled.csv").open(encoding="utf-8", newline="") as fh:
        answers = list(csv.DictReader(fh))
    by_question: dict[str, list[str]] = defaultdict(list)
    for a in answers:
        text = " ".join((a["response"] or "").split())
        if text:
            by_question[a["question_id"]].append(text)
    for q, texts in sorted(by_question.items()):
        for i in range(0, len(texts), 25):                      # 25 written answers per document
            docs.append({"name": f"granddebat_{q[-6:]}_{i // 25:02d}", "text": "\n\n".join(texts[i:i + 25]) + "\n",
                         "interviewer": "", "ext": "txt"})
    with (DEMO / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        manifest = {r["file"]: r for r in csv.DictReader(fh)}
    for rel, row in sorted(manifest.items()):
        path = DEMO / rel
        if path.suffix not in (".txt", ".md") or not path.exists():
            continue
        raw = path.read_bytes()
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):        # the demo holds UTF-16 and Windows-1252 transcripts
            text = raw.decode("utf-16")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
        docs.append({"name": "demo_" + path.stem, "text": text.replace("\r\n", "\n"),
                     "interviewer": row.get("interviewer") or "", "ext": path.suffix[1:]})
    return docs


def build_corpus(folder: Path, target_words: int) -> dict:
    """Copies of the real documents until ``target_words``; a manifest gives phase, lieu, interviewer."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = source_documents()
    words = files = copy = 0
    rows = []
    while words < target_words:
        copy += 1
        for i, doc in enumerate(sources):
            if words >= target_words:
                break
            name = f"c{copy:03d}_{doc['name']}.{doc['ext']}"
            text = f"Copie {copy} — {doc['name']}\n\n{doc['text']}"
            (folder / name).write_text(text, encoding="utf-8")
            words += len(text.split())
            files += 1
            rows.append({"file": name, "phase": 1 + (files % 3), "lieu": LIEUX[files % len(LIEUX)],
                         "interviewer": doc["interviewer"]})
    # one long interview (real Rhapsodie turns replicated to 300,000 characters), for the TUI's open
    from .bench_tui import build_text, rhapsodie_turns
    text, _ = build_text(rhapsodie_turns(SHARED / "ud-rhapsodie" / "sentences.tsv"), LONG_CHARS)
    (folder / f"{LONG_NAME}.txt").write_text(text, encoding="utf-8")
    words += len(text.split())
    files += 1
    rows.append({"file": f"{LONG_NAME}.txt", "phase": 1, "lieu": LIEUX[0], "interviewer": "L2"})
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "phase", "lieu", "interviewer"])
        writer.writeheader()
        writer.writerows(rows)
    return {"words": words, "files": files, "copies": copy}


# ------------------------------------------------------------------ the steps
def steps(project: Path, corpus: Path, out: Path) -> list[tuple[str, list[str]]]:
    exe = str(Path(sys.executable).parent / "exporterre")
    p = ["--project", str(project)]
    return [
        ("ingest", [exe, "ingest", str(corpus), *p]),
        ("pseudo detect", [exe, "pseudo", "detect", *p]),
        ("analyse", [exe, "analyse", *p]),
        ("themes", [exe, "themes", *p, "--refit"]),
        ("report", [exe, "report", *p, "--out", str(out / "rapport"), "--include-pending"]),
        ("compare", [exe, "compare", *p, "--by", "phase", "--include-pending"]),
        ("export qdpx", [exe, "export", "qdpx", *p, "--out", str(out / "echange.qdpx"), "--include-pending"]),
        ("export iramuteq", [exe, "export", "iramuteq", *p, "--out", str(out / "iramuteq.txt"), "--include-pending"]),
        ("export codings", [exe, "export", "codings", *p, "--out", str(out / "codages.csv"), "--include-pending"]),
        ("tui corpus list", [sys.executable, "-c", CORPUS_LIST, str(project)]),
        ("tui open", [sys.executable, "-c", TUI_OPEN, str(project), LONG_NAME]),
    ]


def timed(cmd: list[str], log: Path) -> dict:
    """Wall time and peak RSS (MB) of one process; its output goes to ``log``."""
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}\n")
        fh.flush()
        try:
            proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M %U %S", *cmd], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=STEP_TIMEOUT,
                                  env={**os.environ, "COLUMNS": "120"})
        except subprocess.TimeoutExpired:
            return {"status": f"timeout after {STEP_TIMEOUT} s", "seconds": None, "peak_mb": None, "cpu": None}
        fh.write(proc.stdout)
        fh.write(proc.stderr[-4000:])
    wall = time.perf_counter() - started
    peak = cpu = None
    for line in proc.stderr.splitlines():
        if line.startswith("TIME "):
            _, _, kb, user, system = line.split()
            peak, cpu = round(int(kb) / 1024), round(float(user) + float(system), 1)
    printed = proc.stdout.strip().splitlines()
    return {"status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}", "seconds": round(wall, 1),
            "cpu": cpu, "peak_mb": peak, "printed": printed[-1] if printed else ""}


def run_size(words: int, base: Path) -> dict:
    folder = base / f"{words // 1000}k"
    corpus, project, out = folder / "corpus", folder / "projet", folder / "sorties"
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    made = build_corpus(corpus, words)
    subprocess.run([str(Path(sys.executable).parent / "exporterre"), "init", str(project)], check=True,
                   stdout=subprocess.DEVNULL)
    out.mkdir(parents=True)
    log = folder / "log.txt"
    results = {"corpus": made, "steps": {}}
    print(f"\n## {made['words']:,} words, {made['files']} files ({made['copies']} copies)", flush=True)
    for name, cmd in steps(project, corpus, out):
        r = timed(cmd, log)
        results["steps"][name] = r
        if name == "tui corpus list" and r["status"] == "ok":      # "rows seconds" of the library call
            r["call_s"] = float(r["printed"].split()[1])
        if name == "tui open" and r["status"] == "ok":             # "rows corpus_s open_s chars" through Pilot
            _, corpus_s, open_s, _ = r["printed"].split()
            r["corpus_shown_s"], r["first_paint_s"] = float(corpus_s), float(open_s)
        extra = "".join(f"  {k} {r[k]} s" for k in ("call_s", "corpus_shown_s", "first_paint_s") if k in r)
        print(f"  {name:<16} {r['status']:<8} wall {r['seconds']} s  cpu {r['cpu']} s  {r['peak_mb']} MB{extra}",
              flush=True)
    store = project / "store.sqlite3"
    results["store_mb"] = round(store.stat().st_size / 2 ** 20) if store.exists() else None
    return results


def exponents(by_size: dict[int, dict], measure: str = "cpu") -> dict[str, float | None]:
    """k of each step between the smallest and the largest size (on CPU seconds: the machine is shared,
    so wall time also counts the other programs' load)."""
    sizes = sorted(by_size)
    if len(sizes) < 2:
        return {}
    lo, hi = by_size[sizes[0]], by_size[sizes[-1]]
    ratio = hi["corpus"]["words"] / lo["corpus"]["words"]
    out = {}
    for step, r in hi["steps"].items():
        a, b = lo["steps"].get(step, {}).get(measure), r.get(measure)
        out[step] = round(math.log(b / a) / math.log(ratio), 2) if a and b and a > 0.05 else None
    return out


def table(by_size: dict[int, dict]) -> str:
    sizes = sorted(by_size)
    ks = exponents(by_size)
    head = "| step | " + " | ".join(f"{by_size[s]['corpus']['words'] / 1e6:.2f}M words: wall, CPU, peak"
                                    for s in sizes)
    lines = [head + " | k |", "|---|" + "---|" * (len(sizes) + 1)]
    for step in by_size[sizes[0]]["steps"]:
        cells = []
        for s in sizes:
            r = by_size[s]["steps"].get(step)
            if r is None:
                cells.append("not run")
            elif r["status"] != "ok":
                cells.append(r["status"])
            else:
                shown = "".join(f"; {label} {r[key]} s" for key, label in
                                (("call_s", "call"), ("corpus_shown_s", "list shown"), ("first_paint_s", "open"))
                                if key in r)
                cells.append(f"{r['seconds']} s, {r.get('cpu')} s, {r['peak_mb']} MB{shown}")
        k = ks.get(step)
        lines.append(f"| {step} | " + " | ".join(cells) + f" | {'' if k is None else k} |")
    return "\n".join(lines)


def _load(path: Path) -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(path.read_text()).items()} if path.exists() else {}


def main(argv: list[str]) -> int:
    sizes = [int(float(a)) for a in (argv or os.environ.get("SCALE_SIZES", "").split())] or list(DEFAULT_SIZES)
    if not (SHARED / "ud-rhapsodie" / "sentences.tsv").exists():
        print(f"The shared corpora are absent ({SHARED}): nothing to replicate.", file=sys.stderr)
        return 2
    base = Path(os.environ.get("SCALE_DIR") or ROOT / "outputs" / "bench" / "scale")
    base.mkdir(parents=True, exist_ok=True)
    saved = ROOT / "outputs" / "bench" / "scale.json"
    saved.parent.mkdir(parents=True, exist_ok=True)          # SCALE_DIR may be elsewhere
    for words in sizes:
        result = run_size(words, base)
        by_size = _load(saved)                      # merged: several sizes may run in parallel
        by_size[words] = result
        saved.write_text(json.dumps({str(k): v for k, v in sorted(by_size.items())}, indent=2, ensure_ascii=False))
    by_size = _load(saved)
    print("\n" + table({s: by_size[s] for s in sorted(by_size)}))
    return 0


def run(out: Path) -> dict:                # `python -m benchmarks bench_scale`: the 1M size only
    main([str(DEFAULT_SIZES[0])])
    return json.loads((ROOT / "outputs" / "bench" / "scale.json").read_text())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
