"""``exporterre report``, ``compare``, ``agreement``: summaries, comparisons between phases, agreement."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..i18n import set_language, tr
from .app import JSON_HELP, ProjectOption, app, console, err_console, handle_errors, open_project, print_json, \
    progress_bar

PENDING_HELP = tr("Compter aussi les suggestions de la machine en attente de validation (le rapport le signale "
                  "alors partout).",
                  "Also count the machine's suggestions awaiting review (the report then says so everywhere).")


def _fmt(x: float) -> str:
    return f"{x:+.1f}"


@app.command("report")
@handle_errors
def report(
    out: Path = typer.Option(..., "--out", "-o", help=tr("Dossier où écrire le rapport (créé au besoin).",
                                                         "Folder to write the report into (created if needed).")),
    project: Optional[Path] = ProjectOption,
    include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
    lang: Optional[str] = typer.Option(None, "--lang", help=tr("Langue du rapport : fr (défaut) ou en.",
                                                               "Report language: fr (default) or en.")),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=tr(
        "Montrer citations, locuteurs et libellés avec les pseudonymes acceptés (exporterre pseudo) ; le rapport "
        "signale les détections encore en attente.",
        "Show quotes, speakers and labels with the accepted pseudonyms (exporterre pseudo); the report flags "
        "detections still pending.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Écrit le rapport complet : rapport.md, rapport.html, tableaux CSV/XLSX, graphiques PNG, manifest.json."""
    from ..report import write_report          # heavy parts are imported when a command runs, not at start
    if lang:
        set_language(lang)
    proj = open_project(project)
    try:
        with progress_bar(tr("Rapport", "Report"), enabled=not as_json) as (update, cancel):
            result = write_report(proj, out, include_pending=include_pending or None, lang=lang,
                                  pseudonymise=pseudonymise, progress=update, cancel=cancel)
    finally:
        proj.close()
    if as_json:
        print_json({"folder": str(result.folder), "files": [str(p) for p in result.files],
                    "include_pending": result.data.include_pending, "codes": len(result.data.code_sheets),
                    "themes": len(result.data.themes), "theme_run": result.data.theme_run,
                    "pseudonymise": pseudonymise, "pseudonymisation": result.data.pseudo})
        return
    console.print(tr(f"Rapport écrit dans [bold]{result.folder}[/] : {len(result.files)} fichiers "
                     f"({len(result.data.code_sheets)} fiches de code, {len(result.data.themes)} thèmes).",
                     f"Report written to [bold]{result.folder}[/]: {len(result.files)} files "
                     f"({len(result.data.code_sheets)} code sheets, {len(result.data.themes)} themes)."),
                  highlight=False)
    console.print(f"  {result.markdown}\n  {result.html}", highlight=False)
    if result.data.include_pending:
        err_console.print(tr("[yellow]Attention :[/] suggestions en attente incluses.",
                             "[yellow]Warning:[/] pending suggestions included."))
    if result.data.pseudo:
        p = result.data.pseudo
        console.print(tr(f"Pseudonymisé : {p['applied']} remplacement(s) appliqué(s).",
                         f"Pseudonymised: {p['applied']} replacement(s) applied."), highlight=False)
        for warning in p["warnings"]:
            err_console.print(tr("[yellow]Attention :[/] ", "[yellow]Warning:[/] ") + warning, highlight=False,
                              markup=True)


@app.command("compare")
@handle_errors
def compare(
    by: str = typer.Option("phase", "--by", help=tr(
        "Attribut en colonnes : phase, lieu, document, ou un attribut des participants (genre, age, quartier…).",
        "Attribute in columns: phase, lieu, document, or a participant attribute (genre, age, quartier…).")),
    codes: Optional[str] = typer.Option(None, "--codes", help=tr(
        "Branche(s) du livre de codes à comparer, séparées par des virgules (ex. besoins).",
        "Codebook branch(es) to compare, comma-separated (e.g. besoins).")),
    unit: str = typer.Option("segments", "--unit", help=tr(
        "Unité de compte : segments ou participants.", "Unit of count: segments or participants.")),
    project: Optional[Path] = ProjectOption,
    include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
    threshold: Optional[float] = typer.Option(None, "--seuil", "--threshold", help=tr(
        "Seuil de spécificité pour signaler une case (défaut : réglages, 2 = p ≤ 1 %).",
        "Specificity threshold to flag a cell (default: settings, 2 = p ≤ 1%).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    themes: bool = typer.Option(False, "--themes", help=tr(
        "Comparer les thèmes (dernière analyse de thèmes) au lieu des codes : thèmes × phase ou lieu.",
        "Compare the themes (latest theme run) instead of codes: themes × phase or lieu.")),
) -> None:
    """Tableau codes × phase (ou tout attribut) avec spécificités de Lafon : ce qui distingue les phases."""
    if themes:
        from .themes import compare_themes_command
        return compare_themes_command(project, by, unit, threshold, as_json)
    from ..analysis.comparison import compare as compare_codes
    from ..analysis.corpus import phase_label
    proj = open_project(project)
    try:
        result = compare_codes(proj.store, by, unit=unit, codes=codes, include_pending=include_pending,
                               include_interviewer=proj.settings.report.include_interviewer,
                               threshold=threshold if threshold is not None else
                               proj.settings.report.specificity_threshold,
                               machine=proj.settings.extraction.coder)
    finally:
        proj.close()
    if as_json:
        print_json(result.to_dict())
        return
    t, s = result.table, result.specificity
    unit_word = tr("segments", "segments") if t.unit == "segments" else tr("participants", "participants")
    title = tr(f"Codes × {t.by} ({unit_word})", f"Codes × {t.by} ({unit_word})")
    if t.include_pending:
        title += tr(" — suggestions en attente incluses", " — pending suggestions included")
    table = Table(title=title, show_lines=False)
    table.add_column(tr("code", "code"))
    for label in t.column_labels:
        table.add_column(label, justify="right")
    table.add_column("total", justify="right")
    for i, key in enumerate(t.rows):
        cells = []
        for j in range(len(t.columns)):
            flag = s.flags[i][j]
            style = "bold red" if flag == "+" else "bold blue" if flag == "-" else ""
            text = f"{t.counts[i][j]} ({_fmt(s.scores[i][j])})"
            cells.append(f"[{style}]{text}[/]" if style else text)
        table.add_row("  " * t.depth[key] + t.labels[key], *cells, str(t.row_totals[i]))
    table.add_row(tr(f"[dim]{unit_word} de la colonne[/]", f"[dim]{unit_word} in column[/]"),
                  *[str(n) for n in t.column_totals], str(t.total))
    console.print(table)
    console.print(tr(f"Entre parenthèses : spécificité de Lafon (log10 signé de p) ; en couleur à partir de "
                     f"±{s.threshold:g} (rouge : sur-représenté, bleu : sous-représenté).",
                     f"In brackets: Lafon specificity (signed log10 p); coloured from ±{s.threshold:g} "
                     f"(red: over-, blue: under-represented)."), highlight=False)
    for key, column, n in result.exclusive:
        col = phase_label(column) if t.by == "phase" else column
        console.print(tr(f"• « {t.labels[key]} » : seulement dans {col} ({n})",
                         f"• '{t.labels[key]}': only in {col} ({n})"), highlight=False)


@app.command("agreement")
@handle_errors
def agreement(
    coders: Optional[str] = typer.Option(None, "--coders", help=tr(
        "Codeurs à comparer, séparés par des virgules (défaut : tous ceux qui ont codé).",
        "Coders to compare, comma-separated (default: everyone who coded).")),
    machine: bool = typer.Option(False, "--machine", help=tr(
        "Comparer aussi chaque codeur aux suggestions de la machine.",
        "Also compare each coder with the machine's suggestions.")),
    project: Optional[Path] = ProjectOption,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Accord entre codeurs (κ de Cohen, α de Krippendorff) par code, sur les segments codés par l'un ou l'autre."""
    from ..analysis.agreement import agreement as measure_agreement
    proj = open_project(project)
    names = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    try:
        pairs = measure_agreement(proj.store, names, machine=machine)
    finally:
        proj.close()
    if as_json:
        print_json([{"a": p.rater_a, "b": p.rater_b, "documents": p.documents, "segments": p.units,
                     "mean_kappa": p.mean_kappa,
                     "codes": [{"code": c.code, "label": c.label, "segments": c.units, "both": c.both,
                                "only_a": c.only_a, "only_b": c.only_b, "neither": c.neither, "kappa": c.kappa,
                                "alpha": c.alpha, "percent": c.percent} for c in p.codes]} for p in pairs])
        return
    for p in pairs:
        mean = f"{p.mean_kappa:.2f}" if p.mean_kappa is not None else "—"
        table = Table(title=tr(f"{p.rater_a} ↔ {p.rater_b} : {p.documents} documents, {p.units} segments, "
                               f"κ moyen {mean}",
                               f"{p.rater_a} ↔ {p.rater_b}: {p.documents} documents, {p.units} segments, "
                               f"mean κ {mean}"))
        for col in (tr("code", "code"), tr("les deux", "both"), f"{p.rater_a} " + tr("seul", "only"),
                    f"{p.rater_b} " + tr("seul", "only"), tr("accord %", "agreement %"), "κ", "α"):
            table.add_column(col, justify="left" if col == tr("code", "code") else "right")
        for c in p.codes:
            table.add_row(c.label, str(c.both), str(c.only_a), str(c.only_b), f"{c.percent:.0f}",
                          f"{c.kappa:.2f}" if c.kappa is not None else "—",
                          f"{c.alpha:.2f}" if c.alpha is not None else "—")
        console.print(table)
    console.print(tr("Unité : le segment, par code ; seuls comptent les segments des documents travaillés par les "
                     "deux où l'un au moins a posé un code (le texte non codé ne gonfle pas l'accord).",
                     "Unit: the segment, per code; only segments of documents both worked on where at least one "
                     "applied a code count (uncoded text does not inflate agreement)."), highlight=False)
