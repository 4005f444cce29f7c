"""Reading a theme run back: the overview, one theme, the units, the tables by phase or lieu.

Shells (CLI, TUI, reports) call these; they return typed records with a
``to_dict()`` giving the JSON shape of ``exporterre themes --json``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError
from ..i18n import tr
from ..records import PHASES, Run
from ..store.themes import ThemeCodeCell, ThemeQuote, ThemeUnit, run_backend
from .pipeline import RUN_KIND

CLASS_KINDS = ("phase", "lieu")


@dataclass(frozen=True)
class CodeScore:
    code: str
    label: str
    score: float
    suggested: bool
    shared_words: tuple[str, ...] = ()
    decision: str | None = None        # "accepted" / "rejected" by a person for the whole theme, else None
    decided_by: str | None = None


@dataclass(frozen=True)
class ThemeSummary:
    id: int
    label: str
    size: int
    share: float                       # of all analysed units
    words: list[str]
    phases: dict[str, int]             # "1", "2", "3" → units
    lieux: dict[str, int]
    codes: list[CodeScore]             # closest codes, best first

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "size": self.size, "share": round(self.share, 4),
                "words": self.words, "phases": self.phases, "lieux": self.lieux,
                "codes": [{"code": c.code, "label": c.label, "score": c.score, "suggested": c.suggested,
                           "shared_words": list(c.shared_words), "decision": c.decision,
                           "decided_by": c.decided_by} for c in self.codes]}


@dataclass(frozen=True)
class ThemeOverview:
    run: Run
    backend: str
    units: int
    outlier_share: float
    themes: list[ThemeSummary]

    def to_dict(self) -> dict[str, Any]:
        s = self.run.summary
        return {"run": self.run.id, "backend": self.backend, "seed": self.run.settings.get("seed"),
                "units": self.units, "outlier_share": round(self.outlier_share, 4),
                "outlier_share_before_reduction": s.get("outlier_share_before"),
                "clustering": s.get("clustering"), "fallback": s.get("fallback"),
                "finished_at": self.run.finished_at, "input_hash": self.run.input_hash,
                "themes": [t.to_dict() for t in self.themes]}


@dataclass(frozen=True)
class ThemeDetail:
    summary: ThemeSummary
    quotes: list[ThemeQuote]
    matrix: list[ThemeCodeCell] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary.to_dict(),
                "quotes": [{"document": q.document, "start": q.start, "end": q.end, "speaker": q.speaker,
                            "score": q.score, "text": q.text} for q in self.quotes],
                "code_matrix": [{"code": c.code_key, "human": c.human, "machine": c.machine} for c in self.matrix]}


def resolve_run(project, run_id: int | None = None) -> Run:
    """The given theme run, or the latest finished one."""
    store = project.store
    if run_id is not None:
        run = store.get_run(run_id)
        if run.kind != RUN_KIND:
            raise NotFoundError(tr(f"L'analyse n° {run_id} n'est pas une analyse de thèmes.",
                                   f"Run #{run_id} is not a theme run."))
        return run
    run = store.latest_run(RUN_KIND)
    if run is None:
        raise NotFoundError(tr("Aucune analyse de thèmes dans ce projet.", "No theme run in this project."),
                            tr("Lancez « exporterre themes --project DOSSIER » pour en calculer une.",
                               "Run 'exporterre themes --project FOLDER' to compute one."))
    return run


def theme_overview(project, run: Run | None = None, *, max_codes: int = 3) -> ThemeOverview:
    store = project.store
    run = run or resolve_run(project)
    counts: dict[str, dict[int, dict[str, int]]] = {k: defaultdict(dict) for k in CLASS_KINDS}
    for c in store.theme_class_counts(run.id):
        counts[c.kind][c.theme][c.value] = c.units
    codes: dict[int, list[CodeScore]] = defaultdict(list)
    decided = {(link.theme, link.code_key): link for link in store.theme_links(run.id)}
    for c in store.theme_codes(run.id):
        link = decided.get((c.theme, c.code_key))
        if len(codes[c.theme]) < max_codes or link is not None:   # a decided link is always shown
            codes[c.theme].append(CodeScore(c.code_key, c.code_label, c.score, c.suggested, c.shared_words,
                                            link.status if link else None, link.coder if link else None))
    n_units = int(run.summary.get("units") or 0)
    themes = []
    for t in store.list_themes(run.id):
        phases = {str(p): counts["phase"][t.theme].get(str(p), 0) for p in PHASES}
        lieux = dict(sorted(counts["lieu"][t.theme].items()))
        themes.append(ThemeSummary(t.theme, t.label, t.size, t.size / n_units if n_units else 0.0,
                                   [w for w, _ in t.words], phases, lieux, codes[t.theme]))
    return ThemeOverview(run, run_backend(run) or "", n_units, float(run.summary.get("outlier_share") or 0.0), themes)


def theme_detail(project, theme_id: int, run: Run | None = None) -> ThemeDetail:
    run = run or resolve_run(project)
    overview = theme_overview(project, run, max_codes=10)
    found = next((t for t in overview.themes if t.id == theme_id), None)
    if found is None:
        ids = ", ".join(str(t.id) for t in overview.themes)
        raise NotFoundError(tr(f"Pas de thème n° {theme_id} dans l'analyse n° {run.id}.",
                               f"No theme #{theme_id} in run #{run.id}."),
                            tr(f"Thèmes disponibles : {ids}.", f"Available themes: {ids}."))
    store = project.store
    matrix = [c for c in store.theme_code_matrix(run.id) if c.theme == theme_id]
    return ThemeDetail(found, store.theme_quotes(run.id, theme_id), matrix)


def theme_assignments(project, run: Run | None = None) -> list[ThemeUnit]:
    """Every analysed unit and its theme (-1: none)."""
    run = run or resolve_run(project)
    return project.store.theme_units(run.id)


def assignment_rows(units: list[ThemeUnit]) -> list[dict[str, Any]]:
    """The ``--segments --json`` shape: one object per unit."""
    return [{"document": u.document, "start": u.start, "end": u.end, "speaker": u.speaker, "phase": u.phase,
             "lieu": u.lieu, "segment_id": u.segment_id, "theme": u.theme} for u in units]


@dataclass(frozen=True)
class ThemeTable:
    """Units per theme (rows) and class (columns): phase or lieu."""
    kind: str
    columns: list[str]
    rows: list[tuple[int, str, dict[str, int]]]    # (theme, label, counts by column)

    def column_totals(self) -> dict[str, int]:
        return {c: sum(r[2].get(c, 0) for r in self.rows) for c in self.columns}

    def to_dict(self) -> dict[str, Any]:
        totals = self.column_totals()
        return {"by": self.kind, "columns": self.columns, "totals": totals,
                "themes": [{"id": t, "label": label, "counts": counts,
                            "shares": {c: round(counts.get(c, 0) / totals[c], 4) if totals[c] else 0.0
                                       for c in self.columns}} for t, label, counts in self.rows]}


def theme_table(project, by: str = "phase", run: Run | None = None) -> ThemeTable:
    if by not in CLASS_KINDS:
        raise NotFoundError(tr(f"Regroupement inconnu : « {by} ».", f"Unknown grouping: '{by}'."),
                            tr("Utilisez --by phase ou --by lieu.", "Use --by phase or --by lieu."))
    run = run or resolve_run(project)
    store = project.store
    labels = {t.theme: t.label for t in store.list_themes(run.id)}
    labels[-1] = tr("(hors thème)", "(no theme)")
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    for c in store.theme_class_counts(run.id, by):
        cells[c.theme][c.value] = c.units
    columns = [str(p) for p in PHASES] if by == "phase" else sorted({v for row in cells.values() for v in row})
    rows = [(t, labels.get(t, str(t)), {c: cells[t].get(c, 0) for c in columns})
            for t in sorted(cells, key=lambda x: (x == -1, x))]
    return ThemeTable(by, columns, rows)
