"""Themes as their own dimension: theme × phase (or lieu) with Lafon specificities.

A theme is compared like a code, but from the theme run's own units and never
through codings: rows are themes, columns phases or lieux, and the unit of
count is either the participants (distinct voices; a document without speakers
counts as one voice, like ``compare``) or the analysed units. Specificities and
adjusted residuals come from :func:`exporterre_nlp.analysis.specificity.specificities`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..analysis.corpus import phase_label
from ..analysis.specificity import SpecificityTable, exclusive_rows, specificities
from ..errors import ExporterreError
from ..i18n import tr
from ..records import PHASES, Run
from .results import resolve_run

THEME_UNITS = ("participants", "units")


@dataclass(frozen=True)
class ThemeComparison:
    run: Run
    by: str                                       # "phase" or "lieu"
    unit: str                                     # "participants" or "units"
    specificity: SpecificityTable                 # rows: theme ids as strings
    exclusive: list[tuple[str, str, int]]
    links: dict[int, list[str]]                   # theme -> codes a person linked to it

    def to_dict(self) -> dict[str, Any]:
        s = self.specificity
        rows = []
        for i, key in enumerate(s.rows):
            rows.append({"theme": int(key), "label": s.labels.get(key, key), "counts": dict(zip(s.columns, s.counts[i])),
                         "total": s.row_totals[i], "expected": dict(zip(s.columns, s.expected[i])),
                         "specificity": dict(zip(s.columns, s.scores[i])),
                         "residual": dict(zip(s.columns, s.residuals[i])), "flag": dict(zip(s.columns, s.flags[i])),
                         "linked_codes": self.links.get(int(key), [])})
        return {"run": self.run.id, "by": self.by, "unit": self.unit, "threshold": s.threshold,
                "columns": s.columns, "column_labels": s.column_labels,
                "column_totals": dict(zip(s.columns, s.column_totals)), "total": s.total, "rows": rows,
                "flagged": [{"theme": int(r), "column": c, "specificity": sc, "flag": f}
                            for r, c, sc, f in s.flagged()],
                "exclusive": [{"theme": int(r), "column": c, "count": n} for r, c, n in self.exclusive]}


def compare_themes(project, by: str = "phase", *, unit: str = "participants", run: Run | None = None,
                   threshold: float = 2.0) -> ThemeComparison:
    """Themes × ``by`` counted in ``unit``, with specificities (from the latest theme run by default)."""
    if unit == "segments":
        unit = "units"
    if by not in ("phase", "lieu"):
        raise ExporterreError(tr(f"Les thèmes se comparent par phase ou par lieu, pas par « {by} ».",
                                 f"Themes are compared by phase or by lieu, not by '{by}'."),
                              tr("Utilisez --by phase ou --by lieu.", "Use --by phase or --by lieu."))
    if unit not in THEME_UNITS:
        raise ExporterreError(tr(f"Unité de compte inconnue : « {unit} ».", f"Unknown unit of count: '{unit}'."),
                              tr("Utilisez --unit participants ou --unit segments.",
                                 "Use --unit participants or --unit segments."))
    store = project.store
    run = run or resolve_run(project)
    records = [t for t in store.list_themes(run.id) if t.theme >= 0]
    units = store.theme_units(run.id)
    voices = store.theme_unit_voices(run.id) if unit == "participants" else {}

    def column_of(u) -> str:
        return str(u.phase) if by == "phase" else (u.lieu or "")

    columns = [str(p) for p in PHASES] if by == "phase" else sorted({column_of(u) for u in units})
    col = {c: j for j, c in enumerate(columns)}
    row = {t.theme: i for i, t in enumerate(records)}
    if unit == "units":
        counts = [[0] * len(columns) for _ in records]
        totals = [0] * len(columns)
        for u in units:
            j = col[column_of(u)]
            totals[j] += 1
            if u.theme in row:
                counts[row[u.theme]][j] += 1
    else:
        cells: dict[tuple[int, int], set[str]] = defaultdict(set)
        present: dict[int, set[str]] = defaultdict(set)
        for u in units:
            j = col[column_of(u)]
            voice = voices.get(u.position, u.document)
            present[j].add(voice)
            if u.theme in row:
                cells[(row[u.theme], j)].add(voice)
        counts = [[len(cells.get((i, j), ())) for j in range(len(columns))] for i in range(len(records))]
        totals = [len(present[j]) for j in range(len(columns))]
    keys = [str(t.theme) for t in records]
    labels = {str(t.theme): t.label for t in records}
    column_labels = [phase_label(c) for c in columns] if by == "phase" else \
        [c or tr("(sans lieu)", "(no lieu)") for c in columns]
    spec = specificities(keys, columns, counts, totals, sum(totals), threshold=threshold, labels=labels,
                         column_labels=column_labels)
    links: dict[int, list[str]] = {}
    for link in store.theme_links(run.id):
        if link.status == "accepted":
            links.setdefault(link.theme, []).append(link.code_key)
    return ThemeComparison(run, by, unit, spec, exclusive_rows(keys, columns, counts, totals), links)
