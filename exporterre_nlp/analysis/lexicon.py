"""Lemmas of the units: top lemmas of a code and lemma × attribute specificities.

Lemmas come from the French spaCy model through the NLP area's parse cache
(:func:`project_lemmas`; content words only: nouns, verbs, adjectives; French
stop words and oral fillers removed). Proper nouns are left out on purpose:
they are where residents' names would leak into a report. Counts are in
tokens, as in TXM: a column's total is the number of content tokens spoken in it.

:func:`plain_words` (lower-cased word forms, no model) serves tests and quick
previews (``report.lemmas: words`` in the settings).
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from ..records import Progress
from .corpus import CodedCorpus
from .quotes import FILLERS
from .specificity import SpecificityTable, lafon_score, specificities

CONTENT_POS = ("NOUN", "VERB", "ADJ")
_WORD = re.compile(r"[^\W\d_]{2,}(?:['’][^\W\d_]+)?", re.UNICODE)

Lemmatiser = Callable[[Sequence[str]], list[list[str]]]


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS) | frozenset(FILLERS) | {"dire", "faire", "aller", "avoir", "être", "falloir",
                                                         "pouvoir", "vouloir", "savoir", "venir", "voir", "mettre"}


def plain_words(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased word forms minus stop words and fillers (no model; for tests and previews)."""
    stop = _stop()
    out = []
    for text in texts:
        words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
        out.append([w.split("'")[-1] for w in words if w not in stop and w.split("'")[-1] not in stop])
    return out


def project_lemmas(project, corpus: CodedCorpus, *, progress: Callable[[Progress], None] | None = None,
                   cancel: threading.Event | None = None) -> dict[int, list[str]]:
    """Segment id → content-word lemmas, through the NLP area's parse cache (``nlp.parsed_units``):
    an analysed corpus is not parsed again. Oral fillers and marks (``token._.is_oral``) are skipped."""
    from ..nlp import parsed_units, stop_words

    stop = stop_words(project.settings.nlp.fillers) | _stop()
    wanted = {u.segment_id for u in corpus.units}
    views = [v for v in project.store.segment_views() if v.segment_id in wanted]
    out: dict[int, list[str]] = {}
    for view, doc in parsed_units(project, views, profile="lemmas", progress=progress, cancel=cancel):
        out[view.segment_id] = [
            t.lemma_.lower().replace("’", "'") for t in doc
            if t.pos_ in CONTENT_POS and t.is_alpha and len(t.text) > 1 and not t._.is_oral
            and t.lemma_.lower() not in stop and t.lower_ not in stop]
    return {u.segment_id: out.get(u.segment_id, []) for u in corpus.units}


def unit_lemmas(corpus: CodedCorpus, lemmatise: Lemmatiser = plain_words) -> dict[int, list[str]]:
    """Segment id → its words, with any text → words function (no project needed)."""
    lists = lemmatise([u.text for u in corpus.units])
    return {u.segment_id: lemmas for u, lemmas in zip(corpus.units, lists)}


@dataclass(frozen=True)
class TopLemma:
    lemma: str
    count: int                 # occurrences in the code's segments
    score: float               # Lafon specificity of the lemma in these segments against the corpus


def top_lemmas(corpus: CodedCorpus, key: str, lemmas: dict[int, list[str]], *, n: int = 10,
               min_count: int = 2) -> list[TopLemma]:
    """The lemmas most specific to the segments carrying ``key`` (over-represented there)."""
    inside = Counter()
    for u in corpus.units_with(key):
        inside.update(lemmas.get(u.segment_id, ()))
    if not inside:
        return []
    everywhere = _corpus_counts(corpus, lemmas)
    T, t = sum(everywhere.values()), sum(inside.values())
    ranked = [TopLemma(w, f, lafon_score(f, everywhere[w], t, T)) for w, f in inside.items() if f >= min_count]
    ranked.sort(key=lambda x: (-x.score, -x.count, x.lemma))
    return [x for x in ranked if x.score > 0][:n]


def _corpus_counts(corpus: CodedCorpus, lemmas: dict[int, list[str]]) -> Counter:
    cache = corpus.__dict__.setdefault("_lemma_counts", {})
    if id(lemmas) not in cache:
        total = Counter()
        for u in corpus.units:
            total.update(lemmas.get(u.segment_id, ()))
        cache[id(lemmas)] = total
    return cache[id(lemmas)]


def lemma_specificities(corpus: CodedCorpus, lemmas: dict[int, list[str]], by: str = "phase", *,
                        min_count: int = 5, threshold: float = 2.0) -> SpecificityTable:
    """Lemma × attribute table in tokens, with Lafon scores (lemmas seen ``min_count`` times or more)."""
    columns = corpus.values(by)
    index = {v: j for j, v in enumerate(columns)}
    per_column = [Counter() for _ in columns]
    for u in corpus.units:
        per_column[index[corpus.attribute(u, by)]].update(lemmas.get(u.segment_id, ()))
    total = Counter()
    for c in per_column:
        total.update(c)
    rows = sorted((w for w, f in total.items() if f >= min_count), key=lambda w: (-total[w], w))
    counts = [[c[w] for c in per_column] for w in rows]
    column_totals = [sum(c.values()) for c in per_column]
    return specificities(rows, columns, counts, column_totals, sum(column_totals), threshold=threshold,
                         row_totals=[total[w] for w in rows])
