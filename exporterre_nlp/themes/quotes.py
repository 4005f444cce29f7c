"""Representative quotes of a theme: close to its centre, from different speakers.

Units are ranked by cosine similarity to the theme's centroid (the mean of
its units' embeddings); quotes are taken down that ranking, skipping a speaker
already quoted, so a theme is never illustrated by one talkative person only.
A quote is a whole unit: its document and exact offsets are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .embeddings import normalise
from .units import Unit


@dataclass(frozen=True)
class QuotePick:
    theme: int
    rank: int
    unit: Unit
    score: float


def centroids(embeddings: np.ndarray, topics: Sequence[int]) -> dict[int, np.ndarray]:
    """Normalised mean embedding of each theme (outliers excluded)."""
    topics_arr = np.asarray(topics)
    out = {}
    for t in sorted(set(int(x) for x in topics_arr) - {-1}):
        out[t] = normalise(embeddings[topics_arr == t].mean(axis=0, keepdims=True))[0]
    return out


def unit_scores(embeddings: np.ndarray, topics: Sequence[int], cents: dict[int, np.ndarray]) -> list[float | None]:
    """Cosine similarity of each unit to its theme's centroid (None for outliers)."""
    return [float(embeddings[i] @ cents[t]) if t in cents else None for i, t in enumerate(topics)]


def pick_quotes(units: Sequence[Unit], topics: Sequence[int], scores: Sequence[float | None], *,
                per_theme: int = 3) -> list[QuotePick]:
    by_theme: dict[int, list[int]] = {}
    for i, t in enumerate(topics):
        if t != -1:
            by_theme.setdefault(int(t), []).append(i)
    picks: list[QuotePick] = []
    for t in sorted(by_theme):
        ranked = sorted(by_theme[t], key=lambda i: (-(scores[i] or 0.0), units[i].position))
        seen: set[str] = set()
        for i in ranked:
            if len(seen) >= per_theme:
                break
            who = units[i].speaker_key
            if who in seen:
                continue
            seen.add(who)
            picks.append(QuotePick(t, len(seen), units[i], float(scores[i] or 0.0)))
    return picks
