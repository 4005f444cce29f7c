"""Report stage: time against baselines measured in the same run.

- ``specificity_speedup``: our hypergeometric tails (log-space sums with
  ``gammaln``) against ``scipy.stats.hypergeom(...).logsf/logcdf`` on the same
  cells; ``specificity_max_diff`` is the largest difference in score.
- ``report_over_read``: computing every figure of a report (word forms, no
  model) ÷ reading the coded corpus from the store, on a synthetic store of
  ``segments`` segments and ``codings`` codings.
- ``write_over_compute``: writing all formats (Markdown, HTML, CSV, XLSX, PNG)
  ÷ computing the figures.
"""
from __future__ import annotations

import hashlib
import math
import random
import tempfile
import time
from pathlib import Path

DOCS = 300
TURNS = 20
SENTENCES = [
    "on a besoin d'une place en crèche pour le petit, la garde des enfants c'est le problème",
    "moi je couds des robes et je fais les retouches pour les voisines de l'immeuble",
    "l'appartement est humide, il y a de la moisissure dans la chambre depuis l'hiver",
    "les poubelles débordent dans le local, les parties communes sont sales tous les jours",
    "je répare les voitures sur le parking, je suis mécanicien de métier depuis vingt ans",
    "le marché du dimanche c'est là qu'on se retrouve, on discute, on échange des nouvelles",
    "pour les papiers de la CAF il faut tout faire en ligne, sans ordinateur c'est dur",
    "les jeunes n'ont rien à faire le soir, il faudrait une salle ou des activités",
]
CODES = [("besoins", None), ("besoins.garde", "besoins"), ("besoins.logement", "besoins"),
         ("competences", None), ("competences.couture", "competences"), ("competences.mecanique", "competences"),
         ("preoccupations", None), ("preoccupations.proprete", "preoccupations")]
ROUTE = {0: "besoins.garde", 1: "competences.couture", 2: "besoins.logement", 3: "preoccupations.proprete",
         4: "competences.mecanique"}


def _store(folder: Path):
    from exporterre_nlp.records import SegmentDraft
    from exporterre_nlp.store import NewDocument, Store

    rng = random.Random(42)
    store = Store.open(folder / "store.sqlite3", create=True)
    for key, parent in CODES:
        store.add_code(key, key.split(".")[-1], parent=parent, attributes={"tags": [key.split(".")[-1]]})
    codings = []
    for d in range(DOCS):
        phase = 1 + d % 3
        text, drafts, picks = "", [], []
        for t in range(TURNS):
            speaker = "E" if t % 4 == 0 else f"P{d}"
            pick = rng.randrange(len(SENTENCES))
            words = SENTENCES[pick] + f" ({d}-{t})"
            start = len(text) + len(speaker) + 3
            text += f"{speaker} : {words}\n"
            drafts.append(SegmentDraft(start, start + len(words), speaker=speaker))
            picks.append(pick)
        doc = store.add_document(NewDocument(f"doc{d:04d}", phase, text, hashlib.sha256(text.encode()).hexdigest(),
                                             "txt", lieu=f"lieu{d % 5}", participant=f"P{d}"),
                                 drafts, {"E": "interviewer", f"P{d}": "resident"})
        for seg, pick in zip(store.list_segments(doc.id), picks):
            if seg.speaker != "E" and pick in ROUTE and rng.random() < (0.9 if phase == 3 and pick == 0 else 0.5):
                codings.append((doc.id, seg.start, seg.end, ROUTE[pick]))
    for doc_id, start, end, key in codings:
        store.add_coding(doc_id, start, end, key, "alice")
    return store, len(codings)


def _specificity_speed() -> dict:
    from scipy.stats import hypergeom

    from exporterre_nlp.analysis.specificity import lafon_score
    rng = random.Random(0)
    cells = []
    for _ in range(400):
        T = rng.randrange(500, 20000)
        F, t = rng.randrange(1, T // 5), rng.randrange(1, T)
        f = min(F, t, max(0, int(F * t / T + rng.gauss(0, 3 + F * t / T / 4))))
        cells.append((f, F, t, T))
    started = time.perf_counter()
    ours = [lafon_score(*c) for c in cells]
    mine = time.perf_counter() - started
    started = time.perf_counter()
    ref = []
    for f, F, t, T in cells:
        dist, e = hypergeom(T, F, t), F * t / T
        ref.append(-dist.logsf(f - 1) / math.log(10) if f > e else dist.logcdf(f) / math.log(10) if f < e else 0.0)
    theirs = time.perf_counter() - started
    diffs = [abs(a - b) for a, b in zip(ours, ref) if math.isfinite(b) and abs(b) < 300]
    return {"specificity_cells": len(cells), "specificity_ms_per_cell": round(1000 * mine / len(cells), 3),
            "specificity_speedup": round(theirs / mine, 1), "specificity_max_diff": float(f"{max(diffs):.2e}")}


def run(out: Path) -> dict:
    from exporterre_nlp import Project, Settings
    from exporterre_nlp.analysis import load_coded_corpus
    from exporterre_nlp.report import build_report_data, write_report

    figures = _specificity_speed()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        store, n_codings = _store(folder)
        figures["store_build_s"] = round(time.perf_counter() - started, 1)
        settings = Settings()
        settings.report.lemmas = "words"
        project = Project(folder, settings, store)
        write_report(project, folder / "warmup")            # imports, matplotlib font cache
        started = time.perf_counter()
        corpus = load_coded_corpus(store)
        read = time.perf_counter() - started
        started = time.perf_counter()
        build_report_data(project)
        compute = time.perf_counter() - started
        started = time.perf_counter()
        write_report(project, out / "report_bench")
        total = time.perf_counter() - started
        store.close()
    figures.update({
        "segments": len(corpus.units), "codings": n_codings, "read_s": round(read, 2),
        "compute_s": round(compute, 2), "write_all_s": round(total, 2),
        "report_over_read": round(compute / read, 1), "write_over_compute": round(total / compute, 2),
    })
    return figures
