"""Concordance (KWIC) and word frequencies over the project's segments.

``kwic`` by form is a plain search in the stored text (no model needed); by
lemma it reads the parsed segments (parse cache, ``lemmas`` profile, which a
previous full analysis already satisfies) and matches lemma sequences, skipping
oral tokens ("avoir euh besoin" is found for "avoir besoin"). ``frequencies``
counts forms or lemmas without fillers, transcription marks, repetitions,
punctuation, numbers and (by default) stop words, overall or by phase or lieu.
Offsets are those of the stored document text.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..errors import ExporterreError
from ..i18n import tr
from ..records import Progress
from .analyse import parsed_units, units
from .oral import stop_words

GROUPINGS = (None, "phase", "lieu")
NO_LIEU = "—"


@dataclass(frozen=True)
class KwicLine:
    document: str
    phase: int
    lieu: str | None
    speaker: str | None
    role: str | None
    segment_id: int
    start: int                 # offsets in the document text
    end: int
    left: str
    match: str
    right: str


@dataclass(frozen=True)
class FreqRow:
    term: str
    total: int
    groups: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FreqTable:
    by: str | None
    lemma: bool
    groups: list[str]               # group labels in order ("1", "2", "3" or lieux)
    tokens: dict[str, int]          # counted words per group ("*" = all)
    rows: list[FreqRow]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _line(seg, s: int, e: int, width: int) -> KwicLine:
    text = seg.text
    left = _flat(text[max(0, s - width):s])
    right = _flat(text[e:e + width])
    return KwicLine(seg.document, seg.phase, seg.lieu, seg.speaker, seg.role, seg.segment_id,
                    seg.start + s, seg.start + e, left[-width:], text[s:e], right[:width])


def _check_term(term: str) -> list[str]:
    words = term.split()
    if not words:
        raise ExporterreError(tr("Le terme cherché est vide.", "The search term is empty."),
                              tr("Donnez un mot ou une expression, par exemple : exporterre kwic besoin",
                                 "Give a word or phrase, e.g. exporterre kwic besoin"))
    return words


def kwic(project, term: str, *, lemma: bool = False, phases: Iterable[int] | None = None, width: int = 40,
         model: str | None = None, progress: Callable[[Progress], None] | None = None,
         cancel: threading.Event | None = None) -> list[KwicLine]:
    """Every occurrence of ``term`` (a form, or with ``lemma`` a lemma sequence), in corpus order."""
    words = _check_term(term)
    segments = units(project.store, project.settings, phases=list(phases) if phases is not None else None)
    if not lemma:
        rx = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)
        return [_line(seg, m.start(), m.end(), width) for seg in segments for m in rx.finditer(seg.text)]
    parsed = list((seg, [t for t in doc if not t._.is_oral and not t.is_space])
                  for seg, doc in parsed_units(project, segments, model=model, profile="lemmas",
                                               progress=progress, cancel=cancel, read_only_vocab=True))
    targets = _query_lemmas([w.lower() for w in words], parsed)
    out = []
    n = len(targets)
    for seg, tokens in parsed:
        lemmas = [t.lemma_.lower() for t in tokens]
        for i in range(len(tokens) - n + 1):
            if all(lemmas[i + k] in targets[k] for k in range(n)):
                first, last = tokens[i], tokens[i + n - 1]
                out.append(_line(seg, first.idx, last.idx + len(last.text), width))
    return out


def _query_lemmas(words: list[str], parsed) -> list[set[str]]:
    """Each query word as a lemma: itself, plus the lemma the corpus gives that form."""
    seen: dict[str, Counter] = {w: Counter() for w in words}
    for _, tokens in parsed:
        for t in tokens:
            if t.lower_ in seen:
                seen[t.lower_][t.lemma_.lower()] += 1
    out = []
    for w in words:
        options = {w}
        if seen[w] and w not in seen[w]:
            options.add(seen[w].most_common(1)[0][0])
        out.append(options)
    return out


def frequencies(project, *, by: str | None = None, lemma: bool = False, top: int = 30,
                phases: Iterable[int] | None = None, keep_stop_words: bool = False, min_length: int = 2,
                model: str | None = None, progress: Callable[[Progress], None] | None = None,
                cancel: threading.Event | None = None) -> FreqTable:
    """The ``top`` most frequent words (or lemmas), overall or by phase / lieu."""
    if by not in GROUPINGS:
        raise ExporterreError(tr(f"Regroupement inconnu « {by} ».", f"Unknown grouping '{by}'."),
                              tr("Choisissez --by phase ou --by lieu.", "Choose --by phase or --by lieu."))
    stops = frozenset() if keep_stop_words else stop_words(project.settings.nlp.fillers)
    segments = units(project.store, project.settings, phases=list(phases) if phases is not None else None)
    counts: dict[str, Counter] = {}
    totals: Counter = Counter()
    for seg, doc in parsed_units(project, segments, model=model, profile="lemmas", progress=progress,
                                 cancel=cancel, read_only_vocab=True):
        group = "*" if by is None else (str(seg.phase) if by == "phase" else (seg.lieu or NO_LIEU))
        bucket = counts.setdefault(group, Counter())
        glued = -1
        for t in doc:
            if t.i == glued:
                continue
            if t._.is_oral or t.is_punct or t.is_space or t.like_num or not any(c.isalpha() for c in t.text):
                continue
            term = (t.lemma_ or t.text).lower() if lemma else t.lower_
            term, form = term.replace("’", "'"), t.lower_.replace("’", "'")
            if form.endswith("'") and len(form) > 3 and not t.whitespace_ and t.i + 1 < len(doc) \
                    and doc[t.i + 1].is_alpha:
                # an elided word the tokenizer cut off its pronoun: quelqu' + un → quelqu'un
                glued = t.i + 1
                term = form = form + doc[t.i + 1].lower_
            if len(term) < min_length or term in stops or form in stops:
                continue
            bucket[term] += 1
            totals[group] += 1
    overall: Counter = Counter()
    for bucket in counts.values():
        overall.update(bucket)
    groups = sorted(counts, key=lambda g: (g == NO_LIEU, g))
    rows = [FreqRow(term, n, {g: counts[g][term] for g in groups} if by else {})
            for term, n in sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    tokens = {g: totals[g] for g in groups}
    tokens["*"] = sum(totals.values())
    return FreqTable(by, lemma, groups if by else [], tokens, rows)
