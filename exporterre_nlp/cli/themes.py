"""``exporterre themes``: recurring themes in the residents' words (BERTopic), by phase and lieu."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..i18n import tr
from ..records import PHASE_NAMES
from ..themes import (assignment_rows, export_themes, fit_themes, resolve_run, theme_assignments, theme_detail,
                      theme_overview, theme_table)
from .app import JSON_HELP, ProjectOption, app, console, err_console, handle_errors, open_project, print_json, \
    progress_bar


@app.command("themes")
@handle_errors
def themes(
    project: Optional[Path] = ProjectOption,
    by: Optional[str] = typer.Option(None, "--by", help=tr(
        "Fréquence des thèmes par « phase » ou par « lieu ».", "Theme frequencies by 'phase' or 'lieu'.")),
    show: Optional[int] = typer.Option(None, "--show", metavar="N", help=tr(
        "Un thème : ses mots, des citations de personnes différentes, ses phases, les codes les plus proches.",
        "One theme: its words, quotes from different people, its phases, the closest codes.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    segments: bool = typer.Option(False, "--segments", help=tr(
        "Le thème de chaque unité analysée (document, début, fin, locuteur, phase) — avec --json pour un tableur.",
        "The theme of every analysed unit (document, start, end, speaker, phase) — with --json for a spreadsheet.")),
    backend: Optional[str] = typer.Option(None, "--backend", help=tr(
        "Plongements : hybrid (défaut mesuré : tfidf + vecteurs spaCy), tfidf, spacy, e5 (encodeur contextuel, lent, en cache), transformer (modèle local).",
        "Embeddings: hybrid (measured default: tfidf + spaCy vectors), tfidf, spacy, e5 (contextual encoder, slow, cached), transformer (local model).")),
    n_themes: Optional[int] = typer.Option(None, "--n-themes", min=2, help=tr(
        "Nombre de thèmes (par défaut : déduit de la taille du corpus).",
        "Number of themes (default: from the corpus size).")),
    seed: Optional[int] = typer.Option(None, "--seed", help=tr(
        "Graine aléatoire (même corpus + réglages + graine ⇒ mêmes thèmes).",
        "Random seed (same corpus + settings + seed ⇒ same themes).")),
    unit: Optional[str] = typer.Option(None, "--unit", help=tr(
        "Unité d'analyse : turn (tours de parole) ou window (fenêtres de mots).",
        "Unit of analysis: turn (speaker turns) or window (word windows).")),
    run: Optional[int] = typer.Option(None, "--run", help=tr(
        "Afficher une analyse déjà faite (son numéro) sans recalculer.",
        "Show an existing run (its number) without fitting.")),
    refit: bool = typer.Option(False, "--refit", help=tr(
        "Recalculer même si une analyse identique existe déjà.", "Fit again even if an identical run exists.")),
    out: Optional[Path] = typer.Option(None, "--out", help=tr(
        "Écrire les tableaux (CSV) et les graphiques (HTML, PNG) dans ce dossier.",
        "Write the tables (CSV) and charts (HTML, PNG) into this folder.")),
) -> None:
    """Thèmes récurrents de la parole des habitants (BERTopic, hors enquêteur), reliés au livre de codes.

    Sans option : calcule (ou reprend une analyse identique), enregistre et affiche le tableau des thèmes.
    Les codes proches deviennent des suggestions à valider (origine topic:N).
    """
    with open_project(project) as proj:
        if run is not None:
            the_run = resolve_run(proj, run)
        else:
            with progress_bar(tr("Thèmes", "Themes")) as (callback, cancel):
                result = fit_themes(proj, backend=backend, n_themes=n_themes, seed=seed, unit=unit,
                                    reuse=not refit, progress=callback, cancel=cancel)
            the_run = result.run
            if not as_json:
                _say_run(the_run, result.reused)
        if segments:
            rows = assignment_rows(theme_assignments(proj, the_run))
            if as_json:
                print_json(rows)
            else:
                _print_segments(rows)
        elif show is not None:
            detail = theme_detail(proj, show, the_run)
            print_json(detail.to_dict()) if as_json else _print_detail(detail)
        elif by is not None:
            table = theme_table(proj, by, the_run)
            print_json(table.to_dict()) if as_json else _print_table(table)
        else:
            overview = theme_overview(proj, the_run)
            print_json(overview.to_dict()) if as_json else _print_overview(overview)
        if out is not None:
            files = export_themes(proj, the_run, out)
            err_console.print(tr(f"{len(files)} fichiers écrits dans {out}", f"{len(files)} files written to {out}"),
                              highlight=False)


def _say_run(run, reused: bool) -> None:
    s = run.summary
    what = tr("reprise de l'analyse identique", "reusing the identical run") if reused else \
        tr("analyse enregistrée", "run stored")
    err_console.print(tr(f"{what} n° {run.id} : {s.get('units')} unités, {s.get('themes')} thèmes, "
                         f"moteur {run.settings.get('themes', {}).get('backend')}, graine {run.settings.get('seed')}, "
                         f"hors thème {100 * float(s.get('outlier_share') or 0):.1f} %",
                         f"{what} #{run.id}: {s.get('units')} units, {s.get('themes')} themes, "
                         f"backend {run.settings.get('themes', {}).get('backend')}, seed {run.settings.get('seed')}, "
                         f"outliers {100 * float(s.get('outlier_share') or 0):.1f}%"), highlight=False)
    if s.get("fallback"):
        err_console.print(f"[yellow]{tr('Note', 'Note')} :[/] {s['fallback']}", highlight=False)
    sugg = s.get("suggestions") or {}
    if sugg:
        err_console.print(tr(f"suggestions de codes : {sugg.get('total', 0)} en attente "
                             f"({sugg.get('added', 0)} nouvelles, {sugg.get('removed', 0)} retirées)",
                             f"code suggestions: {sugg.get('total', 0)} pending "
                             f"({sugg.get('added', 0)} new, {sugg.get('removed', 0)} removed)"), highlight=False)


def _print_overview(overview) -> None:
    table = Table(title=tr(f"Thèmes — analyse n° {overview.run.id}", f"Themes — run #{overview.run.id}"))
    for col, justify in (("N°", "right"), (tr("Thème", "Theme"), "left"), (tr("Unités", "Units"), "right"),
                         ("%", "right"), ("P1", "right"), ("P2", "right"), ("P3", "right"),
                         (tr("Code le plus proche", "Closest code"), "left")):
        table.add_column(col, justify=justify)
    for t in overview.themes:
        best = t.codes[0] if t.codes else None
        code = f"{best.code} ({best.score:.2f}){' *' if best.suggested else ''}" if best else ""
        table.add_row(str(t.id), t.label, str(t.size), f"{100 * t.share:.1f}", str(t.phases["1"]),
                      str(t.phases["2"]), str(t.phases["3"]), code)
    console.print(table)
    console.print(tr("* suggéré comme codage en attente (à valider).  « --show N » détaille un thème.",
                     "* suggested as pending codings (to validate).  '--show N' details a theme."), style="dim")


def _print_table(table) -> None:
    totals = table.column_totals()
    title = tr("Thèmes par phase", "Themes by phase") if table.kind == "phase" else tr("Thèmes par lieu",
                                                                                       "Themes by lieu")
    out = Table(title=title)
    out.add_column("N°", justify="right")
    out.add_column(tr("Thème", "Theme"))
    for c in table.columns:
        name = f"P{c} {PHASE_NAMES.get(int(c), '')}" if table.kind == "phase" else (c or tr("(sans lieu)", "(none)"))
        out.add_column(f"{name}\n(n={totals[c]})", justify="right")
    for theme, label, counts in table.rows:
        out.add_row(str(theme), label, *[f"{counts[c]} ({100 * counts[c] / totals[c]:.0f} %)" if totals[c] else "0"
                                         for c in table.columns])
    console.print(out)


def _print_detail(detail) -> None:
    s = detail.summary
    console.print(f"[bold]{tr('Thème', 'Theme')} {s.id}[/] — {s.label}  ({s.size} {tr('unités', 'units')}, "
                  f"{100 * s.share:.1f} %)", highlight=False)
    console.print(f"{tr('Mots', 'Words')} : {', '.join(s.words)}", highlight=False)
    console.print(f"{tr('Phases', 'Phases')} : " + ", ".join(f"P{p} {n}" for p, n in s.phases.items()),
                  highlight=False)
    console.print(f"{tr('Lieux', 'Lieux')} : " + ", ".join(f"{k or '—'} {n}" for k, n in s.lieux.items()),
                  highlight=False)
    console.print(f"\n[bold]{tr('Citations', 'Quotes')}[/]")
    for q in detail.quotes:
        text = q.text if len(q.text) <= 400 else q.text[:400].rsplit(" ", 1)[0] + " …"
        console.print(f"« {text} »", highlight=False)
        console.print(f"   — {q.speaker or tr('(sans locuteur)', '(no speaker)')}, {q.document} "
                      f"[{q.start}:{q.end}]", style="dim", highlight=False)
    console.print(f"\n[bold]{tr('Codes les plus proches', 'Closest codes')}[/]")
    for c in s.codes[:5]:
        mark = tr(" (suggéré)", " (suggested)") if c.suggested else ""
        why = f"  [dim]({', '.join(c.shared_words)})[/]" if c.shared_words else ""
        console.print(f"  {c.code} — {c.label} : {c.score:.2f}{mark}{why}", highlight=False)
    if detail.matrix:
        console.print(f"\n[bold]{tr('Segments codés dans ce thème', 'Coded segments in this theme')}[/]")
        for c in detail.matrix:
            console.print(f"  {c.code_key} : {c.human} {tr('par des personnes', 'by people')}, "
                          f"{c.machine} {tr('suggérés par les règles', 'suggested by rules')}", highlight=False)


def _print_segments(rows) -> None:
    table = Table(title=tr("Unités et thèmes", "Units and themes"))
    for col in ("document", "start", "end", "speaker", "phase", "theme"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["document"], str(r["start"]), str(r["end"]), r["speaker"] or "", str(r["phase"]),
                      str(r["theme"]))
    console.print(table)
