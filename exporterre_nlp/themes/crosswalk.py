"""Themes ↔ codebook codes: similarity scores, then pending codings.

Each code is described by its label, definition, "use when", examples and
keywords, embedded with the same fitted backend as the units; a theme is its
centroid. The score is their cosine similarity. For every theme, the best
codes (at most ``crosswalk_max_codes``) whose score reaches
``crosswalk_threshold`` are suggested: every unit of the theme becomes a
*pending* coding with origin ``topic:<theme>`` and that score, synchronised
through :meth:`Store.sync_suggestions` so that a re-run adds no duplicate and
leaves people's decisions alone. Only leaf codes are suggested (a parent such
as "besoins" is too broad to validate a span against).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..records import Code
from ..store import SuggestionDraft
from .embeddings import EmbeddingBackend
from .units import Unit

ORIGIN_PREFIX = "topic:"


def origin(theme: int) -> str:
    return f"{ORIGIN_PREFIX}{theme}"


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


def match_codes(centroids: dict[int, np.ndarray], codes: Sequence[Code], backend: EmbeddingBackend, *,
                threshold: float, max_codes: int) -> list[CodeMatch]:
    """Every (theme, leaf code) score; the best ones above the threshold are marked ``suggested``."""
    leaves = leaf_codes(codes)
    if not leaves or not centroids:
        return []
    code_vectors = backend.embed([code_text(c) for c in leaves])
    out: list[CodeMatch] = []
    for theme in sorted(centroids):
        sims = code_vectors @ centroids[theme]
        order = sorted(range(len(leaves)), key=lambda j: (-float(sims[j]), leaves[j].key))
        best = {j for j in order[:max_codes] if float(sims[j]) >= threshold}
        out += [CodeMatch(theme, leaves[j], round(float(sims[j]), 4), j in best) for j in order]
    return out


def suggestion_drafts(units: Sequence[Unit], topics: Sequence[int], matches: Sequence[CodeMatch], *,
                      run_id: int, labels: dict[int, str]) -> list[SuggestionDraft]:
    chosen: dict[int, list[CodeMatch]] = {}
    for m in matches:
        if m.suggested:
            chosen.setdefault(m.theme, []).append(m)
    drafts = []
    for unit, theme in zip(units, topics):
        for m in chosen.get(theme, []):
            drafts.append(SuggestionDraft(unit.document_id, unit.start, unit.end, m.code.key, origin(theme),
                                          m.score, unit.segment_id,
                                          {"category": "theme", "run": run_id, "theme": theme,
                                           "label": labels.get(theme, "")}))
    return drafts
