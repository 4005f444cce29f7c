"""Themes on speech: AMI of each theme representation against topic labels on real spoken French (issue 18).

    nice -n 10 python experiments/spoken_topics.py [--seeds 42 0 1 2 3] [--extra-k 20] [--written]
                                                   [--cache outputs/spoken_topics_cache]
    python experiments/spoken_topics.py --cut OUT.jsonl     # (re)build the unit set, with its text
    python experiments/spoken_topics.py --build-data UNITS.jsonl LABELS_A.jsonl [LABELS_B.jsonl]

Results go to ``outputs/spoken_topics/results.{json,md}`` (docs/themes.md, "Themes on speech").

The labelled set is ``experiments/data/spoken_topics.jsonl``: one theme unit per line — ``id``,
``doc_id``, the ``sent_ids`` it spans (consecutive sentences of one speaker in one document of
``../shared/corpora/ud-rhapsodie`` or ``ud-parisstories``), ``label_a`` and, when the blind second
annotation exists, ``label_b``. It holds no corpus text: the text is rebuilt here from the shared
corpora's ``sentences.tsv`` (sentences joined by a space), and the script says so and stops when
they are absent. The labels and their definitions: ``experiments/data/spoken_topics_guide.md``.

How the units were cut (``--cut``, deterministic): runs of consecutive sentences of one speaker in
one document (a speaker turn, as ``themes/units.py`` takes turns); a turn of 20–120 words is a unit,
a longer one is cut into windows of consecutive sentences of at most 120 words (at sentence ends, as
the product's ``unit: window``); pieces under 20 words, single sentences over 120 words and pieces with
fewer than 6 content words (only fillers, "oui", "d'accord") are left out. Then, so that as many
documents as possible are represented, units are taken round-robin over documents (a seeded order
within each document) up to ``TARGET`` units.

The fit is the product's own code path for labelled texts (``themes.evaluation``, as
``benchmarks/bench_themes.py`` uses it): same French lemmas, the shipped ``ThemeSettings`` with
only the backend changed (``tfidf``, the default ``hybrid``, ``e5``), UMAP + k-means, one BLAS
thread. ``k`` is the product's rule (``choose_k``: round(sqrt(n / 2))) and, separately, the number of
labels. The e5 embeddings go through the product's embedding cache (``EmbeddingCache``), so a rerun
embeds nothing.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "experiments" / "data" / "spoken_topics.jsonl"
CORPORA = ("ud-rhapsodie", "ud-parisstories")
MIN_WORDS, MAX_WORDS, MIN_CONTENT, TARGET, CUT_SEED = 20, 120, 6, 360, 18


def shared_dir() -> Path:
    env = os.environ.get("EXPORTERRE_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


@dataclass(frozen=True)
class Sentence:
    corpus: str
    doc_id: str
    sent_id: str
    speaker: str
    text: str


def read_sentences(shared: Path) -> list[Sentence]:
    """Every sentence of the two spoken corpora, in file order (which is document order)."""
    out = []
    for corpus in CORPORA:
        with (shared / corpus / "sentences.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                out.append(Sentence(corpus, row["doc_id"], row["sent_id"], row["speaker"], row["text"]))
    return out


def _content_words(text: str) -> int:
    from exporterre_nlp.themes.words import stop_words, word_forms
    stop = stop_words()
    return sum(1 for w in word_forms(text) if w not in stop and len(w) > 2)


def _pieces(run: list[Sentence]) -> list[list[Sentence]]:
    """A turn of at most MAX_WORDS words whole; a longer one cut into windows at sentence ends."""
    count = lambda sents: sum(len(s.text.split()) for s in sents)  # noqa: E731
    if count(run) <= MAX_WORDS:
        return [run]
    out: list[list[Sentence]] = []
    current: list[Sentence] = []
    for s in run:
        n = len(s.text.split())
        if current and count(current) + n > MAX_WORDS:
            out.append(current)
            current = []
        current.append(s)
    if current:
        out.append(current)
    return out


def cut_units(sentences: list[Sentence]) -> list[dict]:
    """The labelled set's units, with their text (see the module docstring)."""
    runs: list[list[Sentence]] = []
    for s in sentences:
        if runs and runs[-1][-1].doc_id == s.doc_id and runs[-1][-1].speaker == s.speaker:
            runs[-1].append(s)
        else:
            runs.append([s])
    by_doc: dict[str, list[list[Sentence]]] = defaultdict(list)
    for run in runs:
        for piece in _pieces(run):
            text = " ".join(s.text for s in piece)
            if MIN_WORDS <= len(text.split()) <= MAX_WORDS and _content_words(text) >= MIN_CONTENT:
                by_doc[piece[0].doc_id].append(piece)
    rng = random.Random(CUT_SEED)
    queues = {}
    for doc in sorted(by_doc):
        pieces = list(by_doc[doc])
        rng.shuffle(pieces)
        queues[doc] = pieces
    chosen: list[list[Sentence]] = []
    while len(chosen) < TARGET and any(queues.values()):
        for doc in sorted(queues):
            if queues[doc] and len(chosen) < TARGET:
                chosen.append(queues[doc].pop(0))
    order = {s.sent_id: i for i, s in enumerate(sentences)}
    chosen.sort(key=lambda p: order[p[0].sent_id])
    return [{"id": f"st{n:03d}", "corpus": p[0].corpus, "doc_id": p[0].doc_id, "speaker": p[0].speaker,
             "sent_ids": [s.sent_id for s in p], "text": " ".join(s.text for s in p)}
            for n, p in enumerate(chosen, 1)]


def rebuild_texts(units: list[dict], shared: Path) -> list[str]:
    """Each unit's text from the shared corpora (its sentences joined by a space)."""
    by_id = {s.sent_id: s for s in read_sentences(shared)}
    missing = [sid for u in units for sid in u["sent_ids"] if sid not in by_id]
    if missing:
        raise SystemExit(f"{len(missing)} sentence ids not found in {shared} (first: {missing[0]})")
    return [" ".join(by_id[sid].text for sid in u["sent_ids"]) for u in units]


GUIDE = ROOT / "experiments" / "data" / "spoken_topics_guide.md"
BACKENDS = ("tfidf", "hybrid", "e5")
SEEDS = [42, 0, 1, 2, 3]


def guide_labels(path: Path = GUIDE) -> list[str]:
    """The closed label set: every "**`label`** —" heading of the annotation guide."""
    import re
    return re.findall(r"^\*\*`([a-z_]+)`\*\* —", path.read_text(encoding="utf-8"), flags=re.M)


def load_set(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build_data(units_path: Path, labels_a: Path, labels_b: Path | None, out: Path = DATA) -> list[dict]:
    """The committed set: the units' ids, documents, sentence ids and labels, never their text."""
    read = lambda p: {r["id"]: r["label"] for r in load_set(p)}  # noqa: E731
    a = read(labels_a)
    b = read(labels_b) if labels_b is not None and labels_b.exists() else {}
    rows = []
    for u in load_set(units_path):
        row = {"id": u["id"], "doc_id": u["doc_id"], "sent_ids": u["sent_ids"], "label_a": a[u["id"]]}
        if u["id"] in b:
            row["label_b"] = b[u["id"]]
        rows.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def agreement(rows: list[dict]) -> dict:
    """Cohen's kappa and raw agreement between the two annotations, with the most frequent confusions."""
    from sklearn.metrics import cohen_kappa_score
    pairs = [(r["label_a"], r["label_b"]) for r in rows if "label_b" in r]
    if not pairs:
        return {}
    a, b = zip(*pairs)
    confusions = Counter(tuple(sorted(p)) for p in pairs if p[0] != p[1])
    per_label = {}
    for lab in sorted(set(a) | set(b)):
        both = sum(1 for x, y in pairs if x == y == lab)
        per_label[lab] = {"a": a.count(lab), "b": b.count(lab),
                          "f1": round(2 * both / (a.count(lab) + b.count(lab)), 2)}
    return {"units": len(pairs), "kappa": round(float(cohen_kappa_score(a, b)), 3),
            "agreement": round(sum(x == y for x, y in pairs) / len(pairs), 3),
            "agreed_units": sum(x == y for x, y in pairs), "per_label": per_label,
            "confusions": [[x, y, n] for (x, y), n in confusions.most_common(8)]}


def cached_corpus(texts: list[str], cache_root: Path, threads: int):
    """``themes.evaluation.Corpus`` whose ``e5`` backend reads and fills the product's embedding cache."""
    from exporterre_nlp.themes import evaluation as ev
    from exporterre_nlp.themes.embeddings import make_backend

    class CachedCorpus(ev.Corpus):
        def embed(self, backend, idx, *, seed, settings):
            if backend != "e5":
                return super().embed(backend, idx, seed=seed, settings=settings)
            b = make_backend("e5", tokenizer=self.tokenizer, seed=seed, cache_root=cache_root, threads=threads)
            return b, b.fit_embed([self.texts[i] for i in idx])

    return CachedCorpus(texts)


def warm_e5(texts: list[str], cache_root: Path, threads: int) -> dict:
    """Embed every unit once into the cache (a rerun embeds nothing); words/s of what was embedded."""
    from exporterre_nlp.nlp.embedding_cache import EmbeddingCache
    from exporterre_nlp.nlp.encoder import get_encoder
    cache = EmbeddingCache(cache_root, get_encoder("e5", threads=threads))
    t0 = time.perf_counter()
    cache.embed(texts)
    seconds = time.perf_counter() - t0
    words = sum(len(t.split()) for t in texts)
    return {"texts": len(texts), "words": words, "embedded": cache.embedded, "cached": cache.cached,
            "seconds": round(seconds, 1),
            "words_per_s": round(words / seconds) if cache.embedded == len(texts) and seconds > 0 else None}


def score(gold: list, found: list, keep: list[int] | None = None) -> float:
    from exporterre_nlp.themes.evaluation import ami
    if keep is not None:
        gold, found = [gold[i] for i in keep], [found[i] for i in keep]
    return ami(gold, found)


def evaluate(rows: list[dict], texts: list[str], seeds: list[int], cache_root: Path, threads: int,
             extra_k: list[int]) -> list[dict]:
    """AMI of every representation × k × seed, on all units and on ParisStories alone.

    Besides the labels: AMI against the document (does a representation group a speaker's own units rather
    than a topic?) and the share of the largest theme (a catch-all theme is useless, docs/themes.md).
    """
    from exporterre_nlp.settings import ThemeSettings
    from exporterre_nlp.themes import evaluation as ev
    from exporterre_nlp.themes.model import choose_k
    corpus = cached_corpus(texts, cache_root, threads)
    n_labels = len(set(r["label_a"] for r in rows))
    tasks = [("all", list(range(len(rows)))),
             ("parisstories", [i for i, r in enumerate(rows) if r["doc_id"].startswith("ParisStories")])]
    out = []
    for task, idx in tasks:
        sub = [rows[i] for i in idx]
        gold_a = [r["label_a"] for r in sub]
        gold_b = [r.get("label_b") for r in sub]
        has_b = all(g is not None for g in gold_b)
        agreed = [j for j, r in enumerate(sub) if has_b and r["label_a"] == r["label_b"]]
        ks = [("rule", choose_k(len(idx))), ("labels", min(n_labels, len(idx) - 1))]
        ks += [(f"k={k}", k) for k in extra_k]
        for backend in BACKENDS:
            for k_name, k in ks:
                started = time.perf_counter()
                values = {"a": [], "b": [], "agreed": [], "doc": [], "largest": []}
                for seed in seeds:
                    settings = replace(ThemeSettings(), backend=backend, n_themes=k)
                    found = ev.bertopic_assignments(corpus, idx, settings, seed)
                    values["a"].append(score(gold_a, found))
                    if has_b:
                        values["b"].append(score(gold_b, found))
                        values["agreed"].append(score(gold_a, found, agreed))
                    values["doc"].append(score([r["doc_id"] for r in sub], found))
                    values["largest"].append(Counter(found).most_common(1)[0][1] / len(found))
                row = {"task": task, "units": len(idx), "backend": backend, "k_mode": k_name, "k": k,
                       "seeds": seeds, "agreed_units": len(agreed) if has_b else None,
                       "seconds": round(time.perf_counter() - started, 1)}
                for key, vals in values.items():
                    if vals:
                        row[key] = {"mean": round(sum(vals) / len(vals), 3), "min": round(min(vals), 3),
                                    "max": round(max(vals), 3), "per_seed": [round(v, 3) for v in vals]}
                out.append(row)
                print(f"  {task} {backend} k={k} ({k_name}): " + " ".join(
                    f"{key} {row[key]['mean']:.3f}" for key in ("a", "b", "agreed", "doc", "largest") if key in row),
                    flush=True)
    return out


def written(shared: Path, seeds: list[int], cache_root: Path, threads: int) -> list[dict]:
    """The written reference, same pipeline: the Grand Débat answers as ``benchmarks/bench_themes.py`` grades
    them (five questions with the most labelled answers, and all answers pooled with the question as label;
    k = number of gold labels), for the three representations with the shipped UMAP + k-means."""
    from exporterre_nlp.settings import ThemeSettings
    from exporterre_nlp.themes import evaluation as ev
    answers = ev.load_granddebat(shared / "granddebat-annotated")
    texts = [a.text for a in answers]
    print(f"written: {len(texts)} answers, {sum(len(t.split()) for t in texts)} words; e5 "
          f"{warm_e5(texts, cache_root, threads)}", flush=True)
    corpus = cached_corpus(texts, cache_root, threads)
    questions = ev.top_questions(answers, 5)
    tasks = [(q, [i for i, a in enumerate(answers) if a.question_id == q], False) for q in questions]
    tasks.append(("pooled", list(range(len(answers))), True))
    out = []
    for backend in BACKENDS:
        scores = {}
        for task, idx, pooled in tasks:
            gold = [answers[i].question_id if pooled else answers[i].label for i in idx]
            settings = replace(ThemeSettings(), backend=backend, n_themes=ev.n_gold(gold))
            scores[task] = [ev.ami(gold, ev.bertopic_assignments(corpus, idx, settings, seed)) for seed in seeds]
        five = [sum(scores[q][j] for q in questions) / len(questions) for j in range(len(seeds))]
        row = {"backend": backend, "seeds": seeds,
               "five_questions": {"mean": round(sum(five) / len(five), 3), "min": round(min(five), 3),
                                  "max": round(max(five), 3), "per_seed": [round(v, 3) for v in five]},
               "pooled": {"mean": round(sum(scores["pooled"]) / len(seeds), 3),
                          "min": round(min(scores["pooled"]), 3), "max": round(max(scores["pooled"]), 3),
                          "per_seed": [round(v, 3) for v in scores["pooled"]]}}
        out.append(row)
        print(f"  written {backend}: five {fmt(row['five_questions'])} pooled {fmt(row['pooled'])}", flush=True)
    return out


def fmt(cell: dict | None) -> str:
    if not cell:
        return "—"
    return f"{cell['mean']:.3f} [{cell['min']:.3f}–{cell['max']:.3f}]"


def markdown(results: list[dict], agree: dict) -> str:
    lines = []
    if agree:
        lines += [f"Agreement A/B on {agree['units']} units: Cohen's κ {agree['kappa']:.3f}, raw "
                  f"{agree['agreement']:.3f} ({agree['agreed_units']} units agreed).", ""]
    lines += ["| units | representation | k | AMI vs A | AMI vs B | AMI on agreed units | AMI vs document |"
              " largest theme |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['task']} ({r['units']}) | {r['backend']} | {r['k']} ({r['k_mode']}) | {fmt(r.get('a'))} | "
                     f"{fmt(r.get('b'))} | {fmt(r.get('agreed'))} | {fmt(r.get('doc'))} | {fmt(r.get('largest'))} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cut", type=Path, help="write the unit set with its text to this JSONL file and stop")
    parser.add_argument("--build-data", nargs="+", type=Path, metavar=("UNITS", "LABELS"),
                        help="UNITS LABELS_A [LABELS_B]: write experiments/data/spoken_topics.jsonl and stop")
    parser.add_argument("--seeds", nargs="+", type=int, default=SEEDS)
    parser.add_argument("--extra-k", nargs="*", type=int, default=[],
                        help="other numbers of themes to try besides the rule and the number of labels")
    parser.add_argument("--cache", type=Path, default=ROOT / "outputs" / "spoken_topics_cache",
                        help="embedding cache folder (the product's EmbeddingCache layout)")
    parser.add_argument("--threads", type=int, default=2, help="e5 encoder threads")
    parser.add_argument("--written", action="store_true",
                        help="also the Grand Débat written answers, same three representations (embeds ~2,100 answers "
                             "with e5 the first time)")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "spoken_topics")
    args = parser.parse_args()
    shared = shared_dir()
    if args.build_data:
        rows = build_data(args.build_data[0], args.build_data[1],
                          args.build_data[2] if len(args.build_data) > 2 else None)
        print(f"{len(rows)} units written to {DATA} ({sum('label_b' in r for r in rows)} with label_b)")
        return
    if not all((shared / c / "sentences.tsv").exists() for c in CORPORA):
        print(f"skipped: the spoken corpora are absent ({shared}/{{{','.join(CORPORA)}}}/sentences.tsv)")
        return
    if args.cut:
        units = cut_units(read_sentences(shared))
        args.cut.parent.mkdir(parents=True, exist_ok=True)
        with args.cut.open("w", encoding="utf-8") as fh:
            for u in units:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
        docs = Counter(u["doc_id"] for u in units)
        words = [len(u["text"].split()) for u in units]
        print(f"{len(units)} units from {len(docs)} documents "
              f"({sum(1 for u in units if u['corpus'] == 'ud-rhapsodie')} Rhapsodie); "
              f"words min {min(words)} median {sorted(words)[len(words) // 2]} max {max(words)}")
        return
    rows = load_set()
    texts = rebuild_texts(rows, shared)
    labels = set(guide_labels())
    unknown = {r[key] for r in rows for key in ("label_a", "label_b") if key in r} - labels
    if unknown:
        raise SystemExit(f"labels not in the guide: {sorted(unknown)}")
    agree = agreement(rows)
    print(f"{len(rows)} units, {sum(len(t.split()) for t in texts)} words; labels A: "
          f"{dict(Counter(r['label_a'] for r in rows).most_common())}")
    if agree:
        print(f"agreement: kappa {agree['kappa']}, raw {agree['agreement']} ({agree['agreed_units']} agreed)")
    else:
        print("no second annotation (label_b) in the set: AMI against label A only")
    reference = {"label_a_vs_document": round(score([r["doc_id"] for r in rows], [r["label_a"] for r in rows]), 3)}
    print(f"reference: AMI(label A, document) = {reference['label_a_vs_document']}")
    e5 = warm_e5(texts, args.cache, args.threads)
    print(f"e5: {e5}", flush=True)
    results = evaluate(rows, texts, args.seeds, args.cache, args.threads, args.extra_k)
    written_rows = written(shared, args.seeds[:4], args.cache, args.threads) if args.written else []
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"agreement": agree, "reference": reference, "e5": e5,
                                                       "results": results, "written": written_rows},
                                                       indent=2, ensure_ascii=False), encoding="utf-8")
    table = markdown(results, agree)
    if written_rows:
        table += "\n| written (Grand Débat) | 5 questions | pooled |\n|---|---|---|\n" + "".join(
            f"| {r['backend']} | {fmt(r['five_questions'])} | {fmt(r['pooled'])} |\n" for r in written_rows)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
