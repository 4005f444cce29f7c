"""Themes ↔ codebook codes: similarity scores, then pending codings.

Each code is described by its label, definition, "use when", examples and
keywords (keywords count twice). Both sides are read in the theme model's own
vocabulary of French lemmas: a theme is its c-TF-IDF row (what BERTopic's
topic words come from), a code is its lemma counts weighted the same way. The
score is their cosine similarity, and the lemmas that contribute most are kept
as the reason ("shared words"). This lexical score was preferred to comparing
embeddings: with TF-IDF+SVD vectors, a short code description lands near every
generic theme (a bakery theme scored 0.28 with "transport"), whereas shared
lemmas are specific and can be shown to the person validating. For every theme, the best
codes (at most ``crosswalk_max_codes``) whose score reaches
``crosswalk_threshold`` are *suggested links*: "theme T resembles code C", stored
per theme (``theme_codes.suggested``) for a person to accept or reject for the
whole theme in one decision (:mod:`.links`). No coding is written per unit (the
demo had 1,040 such pending codings, which made counts of codes depend on the
theme seed). Only leaf codes are suggested (a parent such as "besoins" is too
broad).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..records import Code

ORIGIN_PREFIX = "topic:"           # origin of the per-unit suggestions of earlier versions (removed by migration 8)


def code_text(code: Code) -> str:
    attrs = code.attributes or {}
    parts = [code.label, code.definition or "", attrs.get("use_when") or ""]
    parts += [str(x) for x in attrs.get("examples") or []]
    keywords = [str(x) for x in attrs.get("keywords") or []]
    parts += keywords * 2                      # keywords are the code's own words: weigh them twice
    return "\n".join(p for p in parts if p)


def leaf_codes(codes: Sequence[Code]) -> list[Code]:
    parents = {c.parent_id for c in codes if c.parent_id is not None}
    return [c for c in codes if c.id not in parents]


@dataclass(frozen=True)
class CodeMatch:
    theme: int
    code: Code
    score: float
    suggested: bool
    shared_words: tuple[str, ...] = ()


def match_codes(model, themes: Sequence[int], codes: Sequence[Code], *, threshold: float,
                max_codes: int, n_shared: int = 5) -> list[CodeMatch]:
    """Every (theme, leaf code) score from a fitted BERTopic; the best above the threshold are ``suggested``."""
    from sklearn.preprocessing import normalize
    leaves = leaf_codes(codes)
    if not leaves or not themes:
        return []
    vocab = np.asarray(model.vectorizer_model.get_feature_names_out())
    from .model import lemma_documents
    docs = lemma_documents([code_text(c) for c in leaves], model.exporterre_tokenizer)
    code_m = normalize(model.ctfidf_model.transform(model.vectorizer_model.transform(docs)))
    theme_m = normalize(model.c_tf_idf_[[t + model._outliers for t in themes]])
    sims = (theme_m @ code_m.T).toarray()
    explain = max(3, max_codes)                   # shared words for the codes people will see
    out: list[CodeMatch] = []
    for i, theme in enumerate(themes):
        order = sorted(range(len(leaves)), key=lambda j: (-float(sims[i, j]), leaves[j].key))
        best = {j for j in order[:max_codes] if float(sims[i, j]) >= threshold}
        for rank, j in enumerate(order):
            shared: tuple[str, ...] = ()
            if rank < explain and sims[i, j] > 0:
                contrib = theme_m[i].multiply(code_m[j]).tocoo()
                top = sorted(zip(contrib.data, contrib.col), key=lambda x: (-x[0], x[1]))[:n_shared]
                shared = tuple(str(vocab[c]) for _, c in top)
            out.append(CodeMatch(theme, leaves[j], round(float(sims[i, j]), 4), j in best, shared))
    return out
