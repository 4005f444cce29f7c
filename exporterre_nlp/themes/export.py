"""Writing a theme run to files: CSV tables, HTML charts (BERTopic's plotly figures), PNG charts.

``export_themes(project, run, out_dir)`` writes:

- ``themes.csv``: one row per theme (label, size, share, words, units per phase, closest codes);
- ``theme_units.csv``: every analysed unit with its document, offsets, speaker, phase, lieu, theme;
- ``themes_by_phase.csv``, ``themes_by_lieu.csv``: units per theme and class;
- ``theme_quotes.csv``: representative quotes with their references;
- ``theme_code_matrix.csv``: segments carrying both a theme and a code;
- ``themes_barchart.html``, ``themes_by_phase.html``: BERTopic's plotly figures (plotly.js written
  once beside them, so they open offline);
- ``themes_sizes.png``, ``themes_by_phase.png``: matplotlib charts for reports.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..i18n import tr
from ..outputs import atomic_path, check_output
from ..records import PHASE_NAMES, Run
from .pipeline import load_model
from .results import resolve_run, theme_overview, theme_table


THEME_FILES = ("themes.csv", "theme_units.csv", "themes_by_phase.csv", "themes_by_lieu.csv", "theme_quotes.csv",
               "theme_code_matrix.csv", "themes_barchart.html", "themes_by_phase.html", "themes_sizes.png",
               "themes_by_phase.png")


def _write_csv(path: Path, header: list[str], rows) -> Path:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def export_themes(project, run: Run | None, out_dir: str | Path) -> list[Path]:
    """Write the tables and charts of a theme run into ``out_dir``; returns the files written."""
    run = run or resolve_run(project)
    out = check_output(out_dir, kind="folder", force=True)
    out.mkdir(parents=True, exist_ok=True)
    store = project.store
    overview = theme_overview(project, run)
    labels = {t.id: t.label for t in overview.themes}
    written = [_write_csv(out / "themes.csv",
                          ["theme", "label", "size", "share", "words", "phase_1", "phase_2", "phase_3", "codes",
                           "linked_codes"],
                          [(t.id, t.label, t.size, round(t.share, 4), " ".join(t.words), t.phases["1"],
                            t.phases["2"], t.phases["3"],
                            "; ".join(f"{c.code} ({c.score:.2f}{'*' if c.suggested else ''})" for c in t.codes),
                            "; ".join(f"{c.code} ({c.decided_by})" for c in t.codes if c.decision == "accepted"))
                           for t in overview.themes])]
    units = store.theme_units(run.id)
    texts = _unit_texts(store, units)
    written.append(_write_csv(out / "theme_units.csv",
                              ["document", "start", "end", "speaker", "role", "phase", "lieu", "theme", "label",
                               "score", "text"],
                              [(u.document, u.start, u.end, u.speaker or "", u.role or "", u.phase, u.lieu or "",
                                u.theme, labels.get(u.theme, ""), "" if u.score is None else u.score, text)
                               for u, text in zip(units, texts)]))
    for by in ("phase", "lieu"):
        table = theme_table(project, by, run)
        written.append(_write_csv(out / f"themes_by_{by}.csv", ["theme", "label", *table.columns],
                                  [(t, label, *[counts[c] for c in table.columns]) for t, label, counts in table.rows]))
    written.append(_write_csv(out / "theme_quotes.csv", ["theme", "rank", "document", "start", "end", "speaker",
                                                         "score", "text"],
                              [(q.theme, q.rank, q.document, q.start, q.end, q.speaker or "", q.score, q.text)
                               for q in store.theme_quotes(run.id)]))
    matrix = store.refresh_theme_code_matrix(run.id)
    written.append(_write_csv(out / "theme_code_matrix.csv", ["theme", "label", "code", "human", "machine"],
                              [(c.theme, labels.get(c.theme, ""), c.code_key, c.human, c.machine) for c in matrix]))
    written += _png_charts(project, run, out, overview)
    written += _html_charts(project, run, out, units, texts)
    return written


def _unit_texts(store, units) -> list[str]:
    docs: dict[int, str] = {}
    out = []
    for u in units:
        if u.document_id not in docs:
            docs[u.document_id] = store.get_document(u.document_id).text
        out.append(docs[u.document_id][u.start:u.end])
    return out


def _png_charts(project, run: Run, out: Path, overview) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    themes = overview.themes
    if not themes:
        return []
    names = [f"{t.id} · {t.label}"[:48] for t in themes]
    height = max(3.0, 0.35 * len(themes) + 1.2)

    fig, ax = plt.subplots(figsize=(9, height))
    ax.barh(range(len(themes)), [t.size for t in themes], color="#4c72b0")
    ax.set_yticks(range(len(themes)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(tr("unités (tours de parole ou fenêtres)", "units (turns or windows)"))
    ax.set_title(tr(f"Thèmes — analyse n° {run.id}", f"Themes — run #{run.id}"))
    fig.tight_layout()
    sizes = out / "themes_sizes.png"
    with atomic_path(sizes) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)

    table = theme_table(project, "phase", run)
    totals = table.column_totals()
    rows = [r for r in table.rows if r[0] != -1]
    fig, ax = plt.subplots(figsize=(9, height))
    colours = {"1": "#dd8452", "2": "#55a868", "3": "#4c72b0"}
    width = 0.27
    for j, col in enumerate(table.columns):
        shares = [100 * counts[col] / totals[col] if totals[col] else 0 for _, _, counts in rows]
        ax.barh([i + (j - 1) * width for i in range(len(rows))], shares, height=width, color=colours.get(col),
                label=f"{tr('phase', 'phase')} {col} ({PHASE_NAMES.get(int(col), '')})")
    ax.set_yticks(range(len(rows)), [f"{t} · {label}"[:48] for t, label, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(tr("% des unités de la phase", "% of the phase's units"))
    ax.set_title(tr("Thèmes par phase", "Themes by phase"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    by_phase = out / "themes_by_phase.png"
    with atomic_path(by_phase) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
    return [sizes, by_phase]


def _html_charts(project, run: Run, out: Path, units, texts) -> list[Path]:
    model = load_model(project, run)
    n_themes = len([t for t in set(model.topics_) if t != -1])
    written = []
    fig = model.visualize_barchart(top_n_topics=n_themes, n_words=8, width=280, height=260,
                                   title=tr("Mots des thèmes", "Theme words"))
    path = out / "themes_barchart.html"
    with atomic_path(path) as tmp:   # plotly.min.js goes beside it, in the same folder
        fig.write_html(tmp, include_plotlyjs="directory")
    written.append(path)
    if len(texts) == len(model.topics_):
        classes = [f"{tr('phase', 'phase')} {u.phase}" for u in units]
        from .model import lemma_documents
        per_class = model.topics_per_class(lemma_documents(texts, model.exporterre_tokenizer), classes=classes)
        fig = model.visualize_topics_per_class(per_class, top_n_topics=n_themes, normalize_frequency=True,
                                               title=tr("Thèmes par phase", "Themes by phase"))
        path = out / "themes_by_phase.html"
        with atomic_path(path) as tmp:
            fig.write_html(tmp, include_plotlyjs="directory")
        written.append(path)
    return written
