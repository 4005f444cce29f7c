"""PNG charts with matplotlib (Agg backend: no display needed, works over SSH).

- codes × phase bars: share of each phase's segments that carry the code
  (phases differ in size, so raw counts would mislead);
- code × phase heat map: Lafon specificity scores (red over-, blue
  under-represented), with the counts written in the cells;
- theme sizes: units per theme, stacked by phase.
"""
from __future__ import annotations

from pathlib import Path

from ..analysis.corpus import phase_label
from ..i18n import tr
from .model import ReportData

PHASE_COLOURS = {"1": "#7570b3", "2": "#d95f02", "3": "#1b9e77"}
MAX_CODES = 25


def _pyplot():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def _suffix(data: ReportData) -> str:
    return tr(" — suggestions en attente incluses", " — pending suggestions included") if data.include_pending else ""


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path


def _leaf_rows(data: ReportData) -> list[int]:
    t = data.phase_table
    rows = [i for i, k in enumerate(t.rows) if not t.branch[k] and t.row_totals[i] > 0]
    rows.sort(key=lambda i: (-t.row_totals[i], t.rows[i]))
    return sorted(rows[:MAX_CODES])


def codes_phase_bars(data: ReportData, path: Path) -> Path | None:
    t = data.phase_table
    rows = _leaf_rows(data)
    if not rows:
        return None
    plt = _pyplot()
    import numpy as np
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.6))
    y = np.arange(len(rows))
    width = 0.8 / max(len(t.columns), 1)
    for j, phase in enumerate(t.columns):
        # the share of the phase's covered segments (a phase not coded for a code shows no bar)
        values = [100.0 * t.counts[i][j] / ((t.cell_totals[i][j] if t.cell_totals else t.column_totals[j]) or 1)
                  for i in rows]
        ax.barh(y + j * width, values, height=width, label=phase_label(phase),
                color=PHASE_COLOURS.get(phase, None))
    ax.set_yticks(y + width * (len(t.columns) - 1) / 2)
    ax.set_yticklabels([t.labels[t.rows[i]] for i in rows])
    ax.invert_yaxis()
    ax.set_xlabel(tr("% des segments couverts de la phase portant le code",
                     "% of the phase's covered segments carrying the code"))
    ax.set_title(tr("Codes par phase", "Codes by phase") + _suffix(data))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def codes_phase_heatmap(data: ReportData, path: Path) -> Path | None:
    t, s = data.phase_table, data.phase_specificity
    rows = _leaf_rows(data)
    if not rows:
        return None
    plt = _pyplot()
    import numpy as np
    scores = np.array([[max(-10.0, min(10.0, s.scores[i][j])) for j in range(len(t.columns))] for i in rows])
    fig, ax = plt.subplots(figsize=(2.2 + 1.3 * len(t.columns), 0.42 * len(rows) + 1.6))
    image = ax.imshow(scores, cmap="RdBu_r", vmin=-10, vmax=10, aspect="auto")
    ax.set_xticks(range(len(t.columns)))
    ax.set_xticklabels([phase_label(c) for c in t.columns])
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([t.labels[t.rows[i]] for i in rows])
    for r, i in enumerate(rows):
        for j in range(len(t.columns)):
            flag = s.flags[i][j]
            ax.text(j, r, f"{t.counts[i][j]}{flag}", ha="center", va="center", fontsize=8,
                    color="white" if abs(scores[r, j]) > 6 else "black")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(tr("spécificité (log10 signé de p)", "specificity (signed log10 p)"))
    ax.set_title(tr("Codes × phases : spécificités", "Codes × phases: specificities") + _suffix(data))
    return _save(fig, path)


def theme_sizes(data: ReportData, path: Path) -> Path | None:
    if not data.themes:
        return None
    plt = _pyplot()
    themes = sorted(data.themes, key=lambda t: t.id)
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(themes) + 1.6))
    left = [0] * len(themes)
    for phase in ("1", "2", "3"):
        values = [t.by_phase.get(phase, 0) for t in themes]
        ax.barh(range(len(themes)), values, left=left, label=phase_label(phase), color=PHASE_COLOURS[phase])
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(range(len(themes)))
    ax.set_yticklabels([f"{t.id} · {t.label}" for t in themes])
    ax.invert_yaxis()
    ax.set_xlabel(tr("unités analysées", "analysed units"))
    ax.set_title(tr("Taille des thèmes, par phase", "Theme sizes, by phase"))
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


CHARTS = (("codes_par_phase.png", codes_phase_bars), ("codes_phases_specificites.png", codes_phase_heatmap),
          ("themes_tailles.png", theme_sizes))


def write_charts(data: ReportData, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, draw in CHARTS:
        path = draw(data, folder / name)
        if path is not None:
            out[name] = path
    return out
