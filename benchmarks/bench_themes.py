"""Themes: quality against human labels, stage overhead against bare BERTopic, 20,000 segments.

- ``quality``: adjusted mutual information (AMI) between themes and the annotators'
  majority label on ``../shared/corpora/granddebat-annotated`` — mean of the five
  questions with the most labelled answers, and all answers pooled (gold = the
  question) — for each embedding backend × clustering and a scikit-learn LDA
  baseline, k = number of gold labels, mean over seeds 42, 0, 1, 2; plus the
  shipped default with k chosen from the corpus size. Table written to
  ``outputs/bench/themes_quality.md``.
- ``stage_over_bare_bertopic``: our theme stage (fit with French words, outlier
  reduction, quotes, class counts, crosswalk) ÷ a bare BERTopic fit (its default
  vectorizer, the same UMAP and k-means) on the same embeddings (target ≤ 1.2),
  best of 3, one BLAS thread for both.
- ``scale_*``: an end-to-end ``fit_themes`` on a project of 20,000 segments built by
  replicating real spoken French (Rhapsodie, ParisStories), in a subprocess for
  its peak memory; then a second fit (parse cache warm).

``EXPORTERRE_BENCH_QUICK=1`` uses one seed and skips the 20,000-segment run.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [42, 0, 1, 2]
METHODS = [  # (name, backend, clustering, reduction); SVD components as in the shipped settings
    ("tfidf · kmeans", "tfidf", "kmeans", "none"),
    ("tfidf · kmeans (umap)", "tfidf", "kmeans", "umap"),
    ("tfidf · agglomerative", "tfidf", "agglomerative", "none"),
    ("tfidf · hdbscan leaf → k (umap)", "tfidf", "hdbscan", "umap"),
    ("spacy · kmeans", "spacy", "kmeans", "none"),
    ("spacy · agglomerative", "spacy", "agglomerative", "none"),
    ("spacy · hdbscan leaf → k (umap)", "spacy", "hdbscan", "umap"),
    ("hybrid · kmeans", "hybrid", "kmeans", "none"),
    ("hybrid · kmeans (umap)", "hybrid", "kmeans", "umap"),
    ("hybrid · agglomerative", "hybrid", "agglomerative", "none"),
    ("hybrid · hdbscan leaf → k (umap)", "hybrid", "hdbscan", "umap"),
]


def shared_dir() -> Path:
    env = os.environ.get("EXPORTERRE_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


def quality(shared: Path, seeds: list[int]) -> list[dict]:
    from exporterre_nlp.settings import ThemeSettings
    from exporterre_nlp.themes import evaluation as ev
    answers = ev.load_granddebat(shared / "granddebat-annotated")
    corpus = ev.Corpus([a.text for a in answers])
    questions = ev.top_questions(answers, 5)
    tasks = [(q, [i for i, a in enumerate(answers) if a.question_id == q], False) for q in questions]
    tasks.append(("pooled", list(range(len(answers))), True))
    default = ThemeSettings()
    rows = []
    methods = [(n, b, c, r, True) for n, b, c, r in METHODS] + [("LDA (scikit-learn)", "lda", "", "", True),
               (f"shipped default ({default.backend} · {default.clustering} ({default.reduction})), "
                "k from corpus size",
                default.backend, default.clustering, default.reduction, False)]
    for name, backend, clustering, reduction, k_gold in methods:
        started = time.perf_counter()
        scores: dict[str, float] = {}
        for task, idx, pooled in tasks:
            gold = [answers[i].question_id if pooled else answers[i].label for i in idx]
            k = ev.n_gold(gold) if k_gold else None
            values = []
            for seed in seeds:
                if backend == "lda":
                    found = ev.lda_assignments(corpus, idx, k, seed)
                else:
                    settings = replace(default, backend=backend, clustering=clustering, reduction=reduction,
                                       n_themes=k)
                    found = ev.bertopic_assignments(corpus, idx, settings, seed)
                values.append(ev.ami(gold, found))
            scores[task] = sum(values) / len(values)
        five = sum(scores[q] for q in questions) / len(questions)
        rows.append({"method": name, "five_questions": round(five, 3), "pooled": round(scores["pooled"], 3),
                     "per_question": {q: round(scores[q], 3) for q in questions},
                     "seconds": round(time.perf_counter() - started, 1)})
        print(f"    {name}: five {five:.3f} pooled {scores['pooled']:.3f}", flush=True)
    return rows


def quality_markdown(rows: list[dict], seeds: list[int]) -> str:
    lines = [f"AMI against the majority label, mean over seeds {', '.join(map(str, seeds))}.", "",
             "| method | 5 questions | pooled |", "|---|---|---|"]
    lines += [f"| {r['method']} | {r['five_questions']:.3f} | {r['pooled']:.3f} |" for r in rows]
    return "\n".join(lines) + "\n"


def stage_ratio(shared: Path, repeats: int = 3) -> dict:
    """Our theme stage ÷ bare BERTopic (same embeddings, same k-means), best of ``repeats``."""
    from bertopic import BERTopic
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import CountVectorizer

    from exporterre_nlp.codebook import load_codebook
    from exporterre_nlp.project import default_codebook_path
    from exporterre_nlp.records import Code
    from exporterre_nlp.settings import ThemeSettings
    from exporterre_nlp.themes import crosswalk, evaluation as ev
    from exporterre_nlp.themes.model import choose_k, fit_topics, make_reducer
    from exporterre_nlp.themes.pipeline import class_counts, single_thread
    from exporterre_nlp.themes.quotes import centroids, pick_quotes, unit_scores
    from exporterre_nlp.themes.units import Unit

    answers = ev.load_granddebat(shared / "granddebat-annotated")
    corpus = ev.Corpus([a.text for a in answers])
    idx = list(range(len(answers)))
    settings = ThemeSettings()
    k = choose_k(len(idx))
    units = [Unit(i, i, a.question_id, i, 0, len(a.text), a.reference, "resident", i % 3 + 1, None, None, a.text)
             for i, a in enumerate(answers)]
    book = load_codebook(default_codebook_path())
    codes = [Code(i, c.key, c.label, None, c.definition, None, i,
                  {"examples": c.examples, "keywords": c.keywords, "use_when": c.use_when}) for i, c in
             enumerate(book.codes)]
    texts = corpus.texts
    with single_thread():
        backend, emb = corpus.embed(settings.backend, idx, seed=42, settings=settings)

        def bare():
            model = BERTopic(umap_model=make_reducer(settings, n_units=len(texts), seed=42,
                                                     reduction=settings.reduction),
                             hdbscan_model=KMeans(n_clusters=k, n_init=10, random_state=42),
                             vectorizer_model=CountVectorizer(), calculate_probabilities=False)
            model.fit_transform(texts, embeddings=emb)

        def ours():
            fit = fit_topics(texts, emb, settings=replace(settings, n_themes=k), seed=42,
                             tokenizer=corpus.tokenizer, backend=backend)
            cents = centroids(emb, fit.topics)
            scores = unit_scores(emb, fit.topics, cents)
            pick_quotes(units, fit.topics, scores, per_theme=settings.quotes_per_theme)
            class_counts(0, units, fit.topics)
            crosswalk.match_codes(fit.model, sorted(cents), codes, threshold=settings.crosswalk_threshold,
                                  max_codes=settings.crosswalk_max_codes)

        bare()                                            # warm-up: imports, first-call costs
        ours()
        t_bare, t_ours = [], []
        for _ in range(repeats):
            t0 = time.perf_counter(); bare(); t_bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); ours(); t_ours.append(time.perf_counter() - t0)
    return {"stage_units": len(texts), "stage_k": k, "bare_bertopic_s": round(min(t_bare), 3),
            "theme_stage_s": round(min(t_ours), 3), "stage_over_bare_bertopic": round(min(t_ours) / min(t_bare), 3)}


def _spoken_documents(shared: Path):
    rows = []
    for corpus, sep in (("ud-rhapsodie", "-"), ("ud-parisstories", "_")):
        with (shared / corpus / "sentences.tsv").open(encoding="utf-8", newline="") as fh:
            data = list(csv.DictReader(fh, delimiter="\t"))
        by_doc: dict[str, list] = {}
        for r in data:
            by_doc.setdefault(r["doc_id"], []).append(r)
        for doc_id, sents in sorted(by_doc.items()):
            turns, current = [], None
            for s in sents:
                speaker = s["speaker"] if s["speaker"] in ("L1", "L2") else None
                if current and current[0] == speaker and len(current[1]) < 5:
                    current[1].append(s["text"])
                else:
                    current = (speaker, [s["text"]])
                    turns.append(current)
            rows.append((doc_id, [(sp, " ".join(t)) for sp, t in turns]))
    return rows


def scale_child(segments: int, folder: Path) -> dict:
    """Runs in a subprocess: build a project of ``segments`` replicated segments, fit twice."""
    import resource

    from exporterre_nlp import Project, SegmentDraft, Settings, Store
    from exporterre_nlp.store import NewDocument
    from exporterre_nlp.themes import fit_themes

    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    # The hybrid, which `auto` chooses beyond themes.e5_max_words (big projects); e5's own cost is measured
    # by `python -m benchmarks nlp` (words/s, cached re-runs).
    settings.themes.backend = "hybrid"
    settings.save(folder)
    store = Store.open(folder, create=True)
    store.add_code("besoins", "Besoins")
    store.add_code("besoins.mobilite", "Mobilité", parent="besoins", definition="Se déplacer",
                   attributes={"keywords": ["bus", "métro", "tram", "train", "voiture"]})
    docs = _spoken_documents(shared_dir())
    count, copy = 0, 0
    while count < segments:
        for doc_id, turns in docs:
            text, segs = "", []
            for speaker, words in turns:
                segs.append(SegmentDraft(len(text), len(text) + len(words), speaker))
                text += words + "\n\n"
            segs = segs[:segments - count]
            roles = {"L1": "resident", "L2": "interviewer"}
            store.add_document(NewDocument(name=f"{doc_id}-copie{copy}", phase=copy % 3 + 1, text=text,
                                           content_hash=hashlib.sha256(text.encode()).hexdigest(), format="txt",
                                           lieu=f"lieu {copy % 4}"), segs, roles)
            count += len(segs)
            if count >= segments:
                break
        copy += 1
    project = Project(folder, settings, store)
    t0 = time.perf_counter()
    first = fit_themes(project)
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = fit_themes(project, seed=7)                   # parse cache warm, another seed: a real second fit
    t_second = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = first.run.summary
    return {"scale_segments": count, "scale_units": s["units"], "scale_words": s["words"],
            "scale_first_fit_s": round(t_first, 1), "scale_second_fit_s": round(t_second, 1),
            "scale_stage_seconds": s["seconds"], "scale_second_stage_seconds": second.run.summary["seconds"],
            "scale_peak_rss_mb": round(peak_mb), "scale_themes": s["themes"]}


def run(out: Path) -> dict:
    shared = shared_dir()
    if not (shared / "granddebat-annotated").is_dir():
        return {"skipped": f"shared corpora absent ({shared})"}
    quick = os.environ.get("EXPORTERRE_BENCH_QUICK") == "1"
    seeds = SEEDS[:1] if quick else SEEDS
    figures: dict = {}
    figures.update(stage_ratio(shared))
    rows = quality(shared, seeds)
    (out / "themes_quality.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    (out / "themes_quality.md").write_text(quality_markdown(rows, seeds), encoding="utf-8")
    figures["quality"] = {r["method"]: {"five": r["five_questions"], "pooled": r["pooled"]} for r in rows}
    if not quick:
        folder = out / "themes-scale"
        if folder.exists():
            import shutil
            shutil.rmtree(folder)
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_themes", "--scale", "20000", str(folder)],
                              cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            figures["scale_error"] = proc.stderr[-2000:]
        else:
            figures.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return figures


if __name__ == "__main__":                                    # the 20,000-segment child process
    if len(sys.argv) == 4 and sys.argv[1] == "--scale":
        print(json.dumps(scale_child(int(sys.argv[2]), Path(sys.argv[3]))))
