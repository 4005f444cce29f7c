"""Measuring themes against human labels (the Grand Débat answers in shared corpora).

Metric: adjusted mutual information (AMI) between the themes and the
annotators' majority label (NMI flatters many small clusters). Majority label:
the label with the most votes; ties are broken by the label's total votes over
the whole question (the more common label wins), then alphabetically — a fixed,
documented rule, so two runs always grade against the same gold.

These helpers are used by ``benchmarks/bench_themes.py`` and by the tests; they
run the same code path as a project fit (:func:`.model.fit_topics`).
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..settings import ThemeSettings
from .embeddings import make_backend
from .lexicon import analyse_texts
from .model import choose_k, fit_topics
from .pipeline import single_thread
from .words import FrenchTokenizer


@dataclass(frozen=True)
class LabelledAnswer:
    reference: str
    question_id: str
    text: str
    votes: dict[str, int]
    label: str                        # majority label (ties broken as documented above)


def majority_label(votes: dict[str, int], totals: dict[str, int]) -> str:
    return min(votes, key=lambda lab: (-votes[lab], -totals.get(lab, 0), lab))


def load_granddebat(folder: str | Path) -> list[LabelledAnswer]:
    """The labelled answers (answers without any vote are left out)."""
    path = Path(folder) / "responses_labeled.csv"
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            votes = json.loads(row["category_votes_json"] or "{}")
            if votes and row["response"].strip():
                rows.append((row["reference"], row["question_id"], row["response"], votes))
    totals: dict[str, Counter] = {}
    for _ref, qid, _text, votes in rows:
        totals.setdefault(qid, Counter()).update(votes)
    return [LabelledAnswer(ref, qid, text, votes, majority_label(votes, totals[qid]))
            for ref, qid, text, votes in rows]


def top_questions(answers: Sequence[LabelledAnswer], n: int = 5) -> list[str]:
    counts = Counter(a.question_id for a in answers)
    return [q for q, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def ami(gold: Sequence, found: Sequence) -> float:
    from sklearn.metrics import adjusted_mutual_info_score
    return float(adjusted_mutual_info_score(list(gold), list(found)))


class Corpus:
    """Texts analysed once (lemmas, spaCy vectors), sliced per question."""

    def __init__(self, texts: Sequence[str], *, with_vectors: bool = True, model: str = "md", spoken: bool = False):
        self.texts = list(texts)
        self.spoken = spoken              # transcribed speech: what ``themes.backend: auto`` looks at
        analysis = analyse_texts(self.texts, model=model, with_vectors=with_vectors)
        self.tokenizer = FrenchTokenizer(analysis.lexicon)
        self.vectors = analysis.vectors

    def embed(self, backend: str, idx: Sequence[int], *, seed: int, settings: ThemeSettings):
        if backend == "auto":             # as a project fit resolves it
            from .pipeline import decide_backend
            words = sum(len(self.texts[i].split()) for i in idx)
            backend = decide_backend(settings, 1.0 if self.spoken else 0.0, words).backend
        b = make_backend(backend, tokenizer=self.tokenizer, seed=seed, transformer_model=settings.transformer_model,
                         n_components=settings.svd_components,
                         bigrams=settings.tfidf_bigrams)
        vectors = self.vectors[list(idx)] if self.vectors is not None else None
        return b, b.fit_embed([self.texts[i] for i in idx], vectors)


def bertopic_assignments(corpus: Corpus, idx: Sequence[int], settings: ThemeSettings, seed: int) -> list[int]:
    with single_thread():
        backend, emb = corpus.embed(settings.backend, idx, seed=seed, settings=settings)
        fit = fit_topics([corpus.texts[i] for i in idx], emb, settings=settings, seed=seed,
                         tokenizer=corpus.tokenizer, backend=backend)
    return fit.topics


def lda_assignments(corpus: Corpus, idx: Sequence[int], k: int, seed: int) -> list[int]:
    """scikit-learn LDA on the same French lemmas, each text to its most probable topic."""
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer
    texts = [corpus.texts[i] for i in idx]
    counts = CountVectorizer(analyzer=corpus.tokenizer, min_df=2 if len(texts) >= 50 else 1).fit_transform(texts)
    lda = LatentDirichletAllocation(n_components=k, random_state=seed, learning_method="batch", max_iter=50)
    with single_thread():
        return [int(t) for t in np.argmax(lda.fit_transform(counts), axis=1)]


def n_gold(gold: Sequence) -> int:
    return len(set(gold))


def rule_k(n: int) -> int:
    return choose_k(n, None)
