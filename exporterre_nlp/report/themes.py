"""The themes part of a report, read from the latest theme run in the store.

Themes are fitted by ``exporterre themes`` (exporterre_nlp/themes/); a report
only reads what that run stored: themes, the theme of every analysed unit,
the crosswalk to codes and people's decisions on it (theme-level links); the codes
on the same segments are counted from today's counted codings, like the rest of the
report. A theme is its own dimension (theme × phase with its own specificities): it
never adds a coding, so no count of codes depends on the theme fit. When no run
exists (or this store has no theme tables yet), the report says so instead of
fitting anything itself.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ..analysis.corpus import CodedCorpus, not_given, phase_label
from ..analysis.quotes import QuoteCandidate, select_quotes, trim_span
from ..analysis.specificity import SpecificityTable, exclusive_rows, specificities
from ..i18n import tr
from ..store.themes import run_backend
from .model import ThemeSheet


@dataclass
class ThemePart:
    run_id: int | None
    status: str                                        # explanation when there are no themes
    sheets: list[ThemeSheet] = field(default_factory=list)
    specificity: SpecificityTable | None = None
    exclusive: list[tuple[str, str, int]] = field(default_factory=list)
    outlier_share: float | None = None
    segment_themes: dict[int, set[int]] = field(default_factory=dict)   # segment id -> themes on it
    labels: dict[int, str] = field(default_factory=dict)
    method: str = ""                                   # the embeddings and seed of the run, for the report


def run_method(run) -> str:
    """How a theme run was fitted, in one phrase: its embeddings (and whether ``auto`` chose them) and seed."""
    backend, seed = run_backend(run) or "?", (run.settings or {}).get("seed", "?")
    auto = (run.summary or {}).get("backend_requested") == "auto"
    how = tr(" choisis automatiquement", " chosen automatically") if auto else ""
    return tr(f"plongements « {backend} »{how}, graine {seed}", f"'{backend}' embeddings{how}, seed {seed}")


def _overlapping(corpus: CodedCorpus) -> Callable[[int, int, int], list[int]]:
    by_doc: dict[int, list] = defaultdict(list)
    for u in corpus.units:
        by_doc[u.document_id].append(u)
    starts = {d: [u.start for u in us] for d, us in by_doc.items()}

    def find(document_id: int, start: int, end: int) -> list[int]:
        units = by_doc.get(document_id, [])
        i = max(bisect.bisect_right(starts.get(document_id, []), start) - 1, 0)
        out = []
        while i < len(units) and units[i].start < end:
            if units[i].end > start:
                out.append(units[i].segment_id)
            i += 1
        return out
    return find


def theme_part(store, corpus: CodedCorpus, texts: dict[int, str], *, quotes: int = 3, threshold: float = 2.0,
               vectorize=None, mmr_lambda: float = 0.6, near_duplicate: float = 0.8,
               min_words: int = 6, max_chars: int = 400, max_codes: int = 3) -> ThemePart:
    if not hasattr(store, "list_themes") or not hasattr(store, "theme_units"):
        return ThemePart(None, tr("Les thèmes ne sont pas disponibles dans cette version du projet.",
                                  "Themes are not available in this version of the project."))
    run = store.latest_run("themes")
    if run is None:
        return ThemePart(None, tr("Aucune analyse de thèmes n'a encore été faite (lancez « exporterre themes »).",
                                  "No theme run yet (run 'exporterre themes')."))
    records = [t for t in store.list_themes(run.id) if t.theme >= 0]
    units = store.theme_units(run.id)
    if not records or not units:
        return ThemePart(run.id, tr(f"L'analyse de thèmes n° {run.id} n'a produit aucun thème.",
                                    f"Theme run #{run.id} produced no theme."))
    find = _overlapping(corpus)
    units_by_id = {u.segment_id: u for u in corpus.units}
    phases = [str(p) for p in sorted({u.phase for u in units} | {1, 2, 3})]
    column = {p: j for j, p in enumerate(phases)}
    ids = [t.theme for t in records]
    row = {t: i for i, t in enumerate(ids)}
    counts = [[0] * len(phases) for _ in ids]
    totals = [0] * len(phases)
    segment_themes: dict[int, set[int]] = defaultdict(set)
    members: dict[int, list[QuoteCandidate]] = defaultdict(list)
    documents: dict[int, set[int]] = defaultdict(set)
    voices: dict[int, set[str]] = defaultdict(set)
    lieux: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for u in units:
        j = column[str(u.phase)]
        totals[j] += 1
        hits = find(u.document_id, u.start, u.end)
        for sid in hits:
            segment_themes[sid].add(u.theme)
        if u.theme < 0 or u.theme not in row:
            continue
        counts[row[u.theme]][j] += 1
        documents[u.theme].add(u.document_id)
        lieux[u.theme][u.lieu or not_given()] += 1
        voices[u.theme].update(units_by_id[h].voice for h in hits)
        if not hits:                       # not a unit of the report (e.g. a transcript header): never quoted
            continue
        unit = units_by_id[hits[0]]
        text = texts.get(u.document_id, "")
        start, end = trim_span(text, max(u.start, unit.start), min(u.end, unit.end), max_chars)
        if end > start:
            members[u.theme].append(QuoteCandidate(u.document_id, u.document, u.phase, u.lieu, unit.position, start,
                                                   end, unit.speaker, unit.voice, text[start:end]))
    labels = {t.theme: t.label for t in records}
    spec = specificities([str(t) for t in ids], phases, counts, totals, sum(totals), threshold=threshold,
                         labels={str(t): labels[t] for t in ids}, column_labels=[phase_label(p) for p in phases])
    # the closest codes: those the crosswalk suggested, else the best scores (a few, not the whole codebook)
    scored = defaultdict(list)
    for c in (store.theme_codes(run.id) if hasattr(store, "theme_codes") else []):
        scored[c.theme].append(c)
    # people's decisions on "theme T resembles code C", for the whole theme (never codings)
    decided: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for link in (store.theme_links(run.id) if hasattr(store, "theme_links") else []):
        decided[link.theme][link.code_key] = (link.status, link.coder)
    crosswalk = {}
    for theme, found in scored.items():
        found.sort(key=lambda c: (-c.score, c.code_key))
        chosen = [c for c in found if c.suggested or c.code_key in decided[theme]] or found
        crosswalk[theme] = [(c.code_key, c.code_label, round(float(c.score), 3))
                            for c in chosen[:max(max_codes, len(decided[theme]))]]
    for theme, links in decided.items():          # a decided link without a score (a code added after the run)
        listed = {k for k, _, _ in crosswalk.get(theme, [])}
        crosswalk.setdefault(theme, []).extend(
            (key, corpus.codes[key].label if key in corpus.codes else key, 0.0)
            for key in sorted(links) if key not in listed)
    # codes the counted codings put on the same segments (today's codings, same statuses as the report)
    shared_counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sid, found in segment_themes.items():
        for theme in found:
            for key in corpus.direct.get(sid, ()):
                shared_counts[theme][key] += 1
    shared = {t: [(k, corpus.codes[k].label, n) for k, n in counts.items()] for t, counts in shared_counts.items()}
    sheets = []
    for t in records:
        i = row[t.theme]
        chosen = select_quotes(sorted(members[t.theme], key=lambda q: (q.phase, q.document, q.start)), quotes,
                               vectorize=vectorize, mmr_lambda=mmr_lambda, near_duplicate=near_duplicate,
                               min_words=min_words)
        sheets.append(ThemeSheet(
            id=t.theme, label=t.label, size=t.size, words=[w for w, _ in t.words][:10],
            by_phase={p: counts[i][j] for p, j in column.items()},
            scores={p: spec.scores[i][j] for p, j in column.items()},
            flags={p: spec.flags[i][j] for p, j in column.items()}, quotes=chosen,
            codes=crosswalk.get(t.theme, []), documents=len(documents[t.theme]),
            participants=len(voices[t.theme]),
            by_lieu=dict(sorted(lieux[t.theme].items(), key=lambda kv: (-kv[1], kv[0]))),
            shared=sorted(shared.get(t.theme, []), key=lambda c: (-c[2], c[0]))[:5],
            links=dict(decided.get(t.theme, {}))))
    outliers = sum(1 for u in units if u.theme < 0)
    exclusive = [(labels[int(r)], p, n) for r, p, n in exclusive_rows(spec.rows, phases, counts, totals)]
    return ThemePart(run.id, "", sheets, spec, exclusive, round(outliers / len(units), 4),
                     dict(segment_themes), labels, run_method(run))
