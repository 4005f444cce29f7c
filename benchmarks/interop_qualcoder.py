"""Our .qdpx through the real QualCoder and back (outside CI: needs a QualCoder checkout and PyQt6).

    python benchmarks/interop_qualcoder.py QUALCODER_CHECKOUT --python /tmp/qcvenv/bin/python [--project P]
                                           [--no-cases-as-codes]
    make interop QUALCODER=/path/to/QualCoder QC_PYTHON=/tmp/qcvenv/bin/python

This script fetches nothing. Get QualCoder's source and a Python with PyQt6, outside this repository:

    git clone https://github.com/ccbogel/QualCoder /tmp/QualCoder
    python3 -m venv /tmp/qcvenv && /tmp/qcvenv/bin/pip install PyQt6

What it does:
1. exports a project (``--project``, else the demo corpus with deterministic codings by three
   coders, two of them on the same words, and a memo on every kind of target) with ``export_qdpx``
   (``cases_as_codes=True`` unless ``--no-cases-as-codes``);
2. runs QualCoder's own REFI-QDA project import (``qualcoder.refi.RefiImport``) headless
   (``QT_QPA_PLATFORM=offscreen``) into a new QualCoder project (its SQLite ``data.qda``, tables
   created by the statements of QualCoder's ``new_project``, read from its source at run time);
   file dialogs are answered by this script, nothing else is changed. QualCoder's ``helpers``
   module (PDF, images, media player) is replaced by a stub providing ``Message``;
3. compares QualCoder's database with our store: texts, codes, codings by coder, memos, cases;
4. runs QualCoder's REFI-QDA project export, imports that file with ``import_qdpx`` and compares
   the result with the original project (the trip back).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODERS = ("alice", "bob", "claire")

DRIVER = r'''
import ast, os, sqlite3, sys, types
checkout, qdpx, work, out_dir = sys.argv[1:5]
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["HOME"] = work                       # QualCoder prepares exports in ~/.qualcoder
os.makedirs(os.path.join(work, ".qualcoder"), exist_ok=True)
sys.path.insert(0, os.path.join(checkout, "src"))
from PyQt6 import QtWidgets
qapp = QtWidgets.QApplication(["qualcoder-interop"])


class Message:                                  # QualCoder's message boxes: answered "OK"
    def __init__(self, *args, **kwargs):
        pass

    def exec(self):
        return 0


helpers = types.ModuleType("qualcoder.helpers")
helpers.Message = Message
sys.modules["qualcoder.helpers"] = helpers
import qualcoder  # noqa: E402  (installs _())
from qualcoder import refi  # noqa: E402


class Log:
    def __init__(self):
        self.lines = []

    def append(self, text):
        self.lines.append(str(text))


def schema(checkout):
    """The CREATE TABLE statements of QualCoder's MainWindow.new_project, read from its source."""
    tree = ast.parse(open(os.path.join(checkout, "src", "qualcoder", "__main__.py"), encoding="utf-8").read())
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "new_project")
    out = []
    for call in ast.walk(fn):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "execute" and call.args:
            try:
                sql = eval(compile(ast.Expression(call.args[0]), "sql", "eval"), {"__builtins__": {}})
            except Exception:
                continue
            if isinstance(sql, str) and sql.lstrip().upper().startswith("CREATE"):
                out.append(sql)
    return out


class App:
    version = "QualCoder (interop check)"

    def __init__(self, path):
        self.project_path = path
        self.project_name = os.path.basename(path)
        self.conn = sqlite3.connect(os.path.join(path, "data.qda"))
        self.settings = {"codername": "default", "directory": work, "ai_enable": "False",
                         "font": "Noto Sans", "fontsize": 10}
        self.ai_models = []
        self.project_events = None

    def write_config_ini(self, *args):
        pass

    def get_annotations(self):
        keys = "anid", "fid", "pos0", "pos1", "memo", "owner", "date"
        rows = self.conn.execute("select anid, fid, pos0, pos1, memo, owner, date from annotation").fetchall()
        return [dict(zip(keys, r)) for r in rows]


path = os.path.join(work, "exporterre.qda")
for sub in ("", "documents", "images", "audio", "video"):
    os.makedirs(os.path.join(path, sub), exist_ok=True)
app = App(path)
for sql in schema(checkout):
    app.conn.execute(sql)
app.conn.execute("INSERT INTO project VALUES(?,?,?,?,?,?,?,?,null,null,null)",
                 ("v14", "2026-01-01 00:00:00", "", "interop", 0, 0, "default", ""))
app.conn.commit()
QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (qdpx, "*.qdpx"))
QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: out_dir)
log = Log()
refi.RefiImport(app, log, "qdpx")


class LineEndings:                               # the export's "line endings" question: QualCoder's default
    def __init__(self, *args, **kwargs):
        self.ui = types.SimpleNamespace(radioButton_maxqda=types.SimpleNamespace(isChecked=lambda: False))

    def exec(self):
        return 1


refi.RefiLineEndings = LineEndings
refi.RefiExport(app, log, "project")
app.conn.close()
open(os.path.join(work, "qualcoder.log"), "w", encoding="utf-8").write("\n".join(log.lines))
print(path)
'''


def demo_project(folder: Path, seed: int = 11):
    """The demo corpus, codings by three coders (two of them on the same words), memos on every target."""
    from exporterre_nlp import Project
    from exporterre_nlp.importer import ingest_paths
    project = Project.init(folder / "demo")
    ingest_paths(project, [ROOT / "corpus" / "demo"])
    store = project.store
    rng = random.Random(seed)
    codes = [c.key for c in store.list_codes()]
    first = None
    for d in store.list_documents():
        for seg in store.list_segments(d.id):
            if seg.end - seg.start < 20 or rng.random() < 0.5:
                continue
            a = rng.randrange(seg.start, seg.end - 10)
            b = rng.randrange(a + 5, seg.end + 1)
            code = rng.choice(codes)
            for coder in rng.sample(CODERS, rng.choice((1, 1, 2))):
                c = store.add_coding(d.id, a, b, code, coder)
                first = first or c
    doc = store.list_documents()[0]
    seg = store.list_segments(doc.id)[1]
    store.add_memo("project", None, "alice", "Mémo du projet : terrain d’été 😀")
    store.add_memo("document", doc.id, "bob", "Mémo du document : bruit de fond.")
    store.add_memo("code", store.get_code(codes[3]).id, "bob", "Mémo du code : à préciser.")
    store.add_memo("coding", first.id, first.coder, "Mémo du codage : tour clé.")
    store.add_memo("segment", seg.id, "claire", "Mémo du tour : à relire.")
    return project


def _qualcoder_side(db: Path) -> dict:
    conn = sqlite3.connect(db)
    q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
    texts = {name: text for name, text in q("select name, fulltext from source")}
    codes = {cid: name for cid, name in q("select cid, name from code_name")}
    codings = Counter()
    for fid_name, text, pos0, pos1, cid, owner in q(
            "select s.name, s.fulltext, c.pos0, c.pos1, c.cid, c.owner from code_text c join source s on s.id = c.fid"):
        codings[(fid_name, text[pos0:pos1], codes.get(cid), owner)] += 1
    memos = {"project": [m for (m,) in q("select memo from project") if m],
             "document": [m for (m,) in q("select memo from source") if m],
             "code": [m for (m,) in q("select memo from code_name") if m],
             "coding": [m for (m,) in q("select memo from code_text") if m],
             "annotation": [m for (m,) in q("select memo from annotation") if m],
             "case": [m for (m,) in q("select memo from cases") if m]}
    cases = q("select count(*) from cases")[0][0]
    case_links = q("select count(*) from case_text")[0][0]
    attributes = q("select count(*) from attribute")[0][0]
    conn.close()
    return {"texts": texts, "codes": codes, "codings": codings, "memos": memos, "cases": cases,
            "case_links": case_links, "attributes": attributes}


def _our_side(project, statuses) -> dict:
    from exporterre_nlp.exchange.qdc import codebook_from_store, export_names
    s = project.store
    names = export_names(codebook_from_store(s, "x"))
    key_of = {c.id: c.key for c in s.list_codes()}
    docs = {d.id: s.get_document(d.id) for d in s.list_documents()}
    codings = Counter()
    for c in s.list_codings(statuses=statuses):
        d = docs[c.document_id]
        codings[(d.name, d.text[c.start:c.end], names[key_of[c.code_id]], c.coder)] += 1
    spans = Counter((c.document_id, c.start, c.end) for c in {(c.document_id, c.start, c.end, c.coder): c
                                                             for c in s.list_codings(statuses=statuses)}.values())
    return {"texts": {d.name: d.text for d in docs.values()}, "codes": names, "codings": codings,
            "shared_spans": sum(n > 1 for n in spans.values()),
            "memos": s.list_memos(), "participants": s.list_participants()}


def _signature(project, statuses) -> tuple[Counter, Counter]:
    s = project.store
    keys = {c.id: c.key for c in s.list_codes()}
    docs = {d.id: s.get_document(d.id) for d in s.list_documents()}
    codings = Counter((docs[c.document_id].name, docs[c.document_id].text[c.start:c.end], keys[c.code_id], c.coder)
                      for c in s.list_codings(statuses=statuses))
    memos = Counter((m.target_type, m.coder, m.text) for m in s.list_memos())
    return codings, memos


def _code_fields(project, copy) -> dict:
    """How many codes come back with the same parent, definition, guidance, colour and tags."""
    def fields(p):
        s = p.store
        keys = {c.id: c.key for c in s.list_codes()}
        return {c.key: {"parent": keys.get(c.parent_id), "definition": c.definition,
                        "guidance": ((c.attributes or {}).get("use_when"), (c.attributes or {}).get("not_when")),
                        "colour": c.color,
                        "tags": sorted((c.attributes or {}).get("tags") or [])} for c in s.list_codes()}
    a, b = fields(project), fields(copy)
    out = {"codes_same_key": len(set(a) & set(b))}
    for name in ("parent", "definition", "guidance", "colour", "tags"):
        out[f"codes_same_{name}"] = sum(a[k][name] == b[k][name] for k in a if k in b)
    out["codes_with_tags"] = sum(bool(v["tags"]) for v in a.values())
    return out


def _document_fields(project, copy) -> dict:
    """Documents with the same phase, lieu, date and segment count; participants with the same attributes."""
    def docs(p):
        s = p.store
        return {d.name: (d.phase, d.lieu, d.date, len(s.list_segments(d.id))) for d in s.list_documents()}
    def parts(p):
        return {x.key: {k: v for k, v in x.attributes.items() if k != "memo"} for x in p.store.list_participants()}
    a, b = docs(project), docs(copy)
    pa, pb = parts(project), parts(copy)
    return {"documents_same_phase_lieu_date_segments": sum(a[n] == b.get(n) for n in a),
            "participants_same_attributes": sum(pa[k] == pb.get(k) for k in pa)}


def _links(project) -> set[tuple[str, str]]:
    """(document, participant) pairs: the document's own participant and its speakers' ones."""
    s = project.store
    keys = {p.id: p.key for p in s.list_participants()}
    out = set()
    for d in s.list_documents():
        doc = s.get_document(d.id)
        if doc.participant_id is not None:
            out.add((doc.name, keys[doc.participant_id]))
        out |= {(doc.name, keys[sp.participant_id]) for sp in s.list_speakers(d.id) if sp.participant_id}
        out |= {(doc.name, k) for k in (doc.attributes or {}).get("participants", [])}
    return out


def compare(ours: dict, qc: dict) -> dict:
    by_coder = {}
    for coder in sorted({k[3] for k in ours["codings"]}):
        mine = Counter({k: v for k, v in ours["codings"].items() if k[3] == coder})
        theirs = Counter({k: v for k, v in qc["codings"].items() if k[3] == coder})
        by_coder[coder] = {"ours": sum(mine.values()), "qualcoder": sum(theirs.values()),
                           "identical": sum((mine & theirs).values())}
    kinds = {}
    for m in ours["memos"]:
        where = {"segment": ("annotation", "coding")}.get(m.target_type, (m.target_type,))
        found = any(m.text in text for kind in where for text in qc["memos"][kind])
        kinds.setdefault(m.target_type, [0, 0])
        kinds[m.target_type][0] += 1
        kinds[m.target_type][1] += found
    return {
        "texts": {"ours": len(ours["texts"]), "qualcoder": len(qc["texts"]),
                  "identical": sum(qc["texts"].get(n) == t for n, t in ours["texts"].items())},
        "codes": {"ours": len(ours["codes"]), "qualcoder": len(qc["codes"]),
                  "same_names": len(set(ours["codes"].values()) & set(qc["codes"].values()))},
        "codings_by_coder": by_coder,
        "spans_coded_by_several_coders": ours["shared_spans"],
        "memos_found_in_qualcoder": {k: {"ours": v[0], "found": v[1]} for k, v in kinds.items()},
        "cases": {"ours": len(ours["participants"]), "qualcoder": qc["cases"],
                  "case_source_links_in_qualcoder": qc["case_links"]},
    }


def run(checkout: Path, python: str, project_path: Path | None, work: Path, cases_as_codes: bool = True,
        include_pending: bool = False) -> dict:
    from exporterre_nlp import Project
    from exporterre_nlp.exchange import export_qdpx, import_qdpx
    project = Project.open(project_path) if project_path else demo_project(work)
    ours_qdpx = export_qdpx(project, work / "ours.qdpx", cases_as_codes=cases_as_codes,
                            include_pending=include_pending).path
    statuses = ["manual", "accepted"] + (["pending"] if include_pending else [])
    qc_work, qc_out = work / "qualcoder", work / "qualcoder_export"
    qc_work.mkdir()
    qc_out.mkdir()
    done = subprocess.run([python, "-c", DRIVER, str(checkout), str(ours_qdpx), str(qc_work), str(qc_out)],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"QualCoder failed:\n{done.stderr[-3000:]}")
    qc_db = Path(done.stdout.strip().splitlines()[-1]) / "data.qda"
    there = compare(_our_side(project, statuses), _qualcoder_side(qc_db))
    log = (qc_work / "qualcoder.log").read_text(encoding="utf-8")
    there["qualcoder_duplicate_messages"] = log.count("Duplicated text coding")
    exported = sorted(qc_out.glob("*.qdpx"))
    back: dict = {}
    if exported:
        result = import_qdpx(exported[-1], work / "back")
        with Project.open(work / "back") as copy:
            (c0, m0), (c1, m1) = _signature(project, statuses), _signature(copy, statuses)
            texts0 = {d.name: project.store.get_document(d.id).text for d in project.store.list_documents()}
            texts1 = {d.name: copy.store.get_document(d.id).text for d in copy.store.list_documents()}
            back = {"texts_identical": sum(texts1.get(n) == t for n, t in texts0.items()), "texts": len(texts0),
                    "codings": sum(c0.values()), "codings_back": sum(c1.values()),
                    "codings_identical": sum((c0 & c1).values()),
                    "memos": sum(m0.values()), "memos_back_same_kind_author_text": sum((m0 & m1).values()),
                    "memos_back_text_only": sum(any(t in x[2] for x in m1) for (_, _, t) in m0.elements()),
                    "participants": len(project.store.list_participants()),
                    "participants_back": len(copy.store.list_participants()),
                    "document_participant_links": len(_links(project)),
                    "document_participant_links_identical": len(_links(project) & _links(copy)),
                    "code_labels_identical": sorted(c.label for c in project.store.list_codes())
                    == sorted(c.label for c in copy.store.list_codes()),
                    **_code_fields(project, copy), **_document_fields(project, copy),
                    "selections": result.anchoring}
    project.close()
    return {"there": there, "back": back}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qualcoder", type=Path, help="a QualCoder checkout (the folder holding src/qualcoder)")
    parser.add_argument("--python", default=os.environ.get("QC_PYTHON", sys.executable),
                        help="a Python with PyQt6 installed (default: $QC_PYTHON, else this one)")
    parser.add_argument("--project", type=Path, help="an Exporterre project (default: the demo corpus, coded)")
    parser.add_argument("--sans-cas-en-codes", "--no-cases-as-codes", dest="cases_as_codes", action="store_false",
                        help="export without --cases-as-codes (QualCoder then links no case to any text)")
    parser.add_argument("--include-pending", action="store_true", help="export pending machine suggestions too")
    args = parser.parse_args(argv)
    if not (args.qualcoder / "src" / "qualcoder" / "refi.py").exists():
        raise SystemExit(f"{args.qualcoder} is not a QualCoder checkout (no src/qualcoder/refi.py). Get one with:\n"
                         "  git clone https://github.com/ccbogel/QualCoder /tmp/QualCoder\n"
                         "  python3 -m venv /tmp/qcvenv && /tmp/qcvenv/bin/pip install PyQt6")
    with tempfile.TemporaryDirectory() as tmp:
        figures = run(args.qualcoder.resolve(), args.python, args.project, Path(tmp), args.cases_as_codes,
                      args.include_pending)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
