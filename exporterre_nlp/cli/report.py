"""``exporterre report``, ``compare``, ``agreement``: summaries, comparisons between phases, agreement."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..i18n import set_language, tr
from ..outputs import check_output
from .app import JSON_HELP, ForceOption, ProjectOption, app, console, err_console, handle_errors, open_project, \
    print_json, progress_bar, shown

PENDING_HELP = tr("Compter aussi les suggestions de la machine en attente de validation (le rapport le signale "
                  "alors partout).",
                  "Also count the machine's suggestions awaiting review (the report then says so everywhere).")


UNIT_HELP = tr("Unité de comparaison : participants (défaut : voix distinctes ; un document de notes de terrain "
               "compte pour une voix) ou segments.",
               "Unit of comparison: participants (default: distinct voices; a field-note document counts as one "
               "voice) or segments.")
RULE_HELP = tr("Règle quand des codeurs ont décidé différemment d'une suggestion : no-rejection (défaut : comptée si "
               "aucun codeur ayant couvert le document ne l'a rejetée), any (union), majority.",
               "Rule when coders decided differently on a suggestion: no-rejection (default: counted unless a coder "
               "who covered the document rejected it), any (union), majority.")


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
    unit: Optional[str] = typer.Option(None, "--unit", help=UNIT_HELP),
    rule: Optional[str] = typer.Option(None, "--rule", "--regle", help=RULE_HELP),
    force: bool = ForceOption,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Écrit le rapport complet : rapport.md, rapport.html, tableaux CSV/XLSX, graphiques PNG, manifest.json.

    Un rapport précédent dans le même dossier n'est remplacé qu'une fois le nouveau complet."""
    from ..report import REPORT_FILES, write_report   # heavy parts are imported when a command runs, not at start
    check_output(out, kind="folder", force=force, replaces=REPORT_FILES, own_marker="manifest.json")
    if lang:
        set_language(lang)
    proj = open_project(project)
    try:
        with progress_bar(tr("Rapport", "Report"), enabled=not as_json) as (update, cancel):
            result = write_report(proj, out, include_pending=include_pending or None, lang=lang,
                                  pseudonymise=pseudonymise, progress=update, cancel=cancel, unit=unit, rule=rule)
    finally:
        proj.close()
    if as_json:
        print_json({"folder": str(result.folder), "files": [str(p) for p in result.files],
                    "include_pending": result.data.include_pending, "codes": len(result.data.code_sheets),
                    "themes": len(result.data.themes), "theme_run": result.data.theme_run,
                    "pseudonymise": pseudonymise, "pseudonymisation": result.data.pseudo,
                    "unit": result.data.unit, "coverage_mode": result.data.coverage_mode,
                    "pending_not_counted": result.data.pending_not_counted,
                    "disagreement_rule": result.data.rule, "disagreements": len(result.data.disagreements)})
        return
    console.print(tr(f"Rapport écrit dans [bold]{shown(result.folder)}[/] : {len(result.files)} fichiers "
                     f"({len(result.data.code_sheets)} fiches de code, {len(result.data.themes)} thèmes).",
                     f"Report written to [bold]{shown(result.folder)}[/]: {len(result.files)} files "
                     f"({len(result.data.code_sheets)} code sheets, {len(result.data.themes)} themes)."),
                  highlight=False)
    console.print(f"  {shown(result.markdown)}\n  {shown(result.html)}", highlight=False)
    if result.data.include_pending:
        err_console.print(tr("[yellow]Attention :[/] suggestions en attente incluses.",
                             "[yellow]Warning:[/] pending suggestions included."))
    elif result.data.pending_not_counted:
        err_console.print(pending_text(result.data.pending_not_counted), highlight=False)
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
    unit: str = typer.Option("participants", "--unit", help=UNIT_HELP),
    rule: Optional[str] = typer.Option(None, "--rule", "--regle", help=RULE_HELP),
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
                               machine=proj.settings.extraction.coder,
                               rule=rule or proj.settings.report.disagreement_rule)
    finally:
        proj.close()
    if as_json:
        print_json(result.to_dict())
        return
    t, s = result.table, result.specificity
    unit_word = tr("segments", "segments") if t.unit == "segments" else tr("participants", "participants")
    _print_coverage(result, t.by, phase_label)
    if result.pending_not_counted and not t.include_pending:
        console.print(pending_text(result.pending_not_counted), highlight=False)
    if not any(t.row_totals):
        console.print(tr("Aucun codage compté dans les documents couverts : pas de tableau à comparer. Codez "
                         "(exporterre code), marquez la couverture (exporterre coverage mark) ou ajoutez "
                         "--include-pending.",
                         "No coding counted in covered documents: no table to compare. Code (exporterre code), mark "
                         "coverage (exporterre coverage mark) or add --include-pending."), highlight=False)
        return
    title = tr(f"Codes × {t.by} ({unit_word})", f"Codes × {t.by} ({unit_word})")
    if t.include_pending:
        title += tr(" — suggestions en attente incluses", " — pending suggestions included")
    table = Table(title=title, show_lines=False)
    table.add_column(tr("code", "code"))
    for label in t.column_labels:
        table.add_column(shown(label), justify="right")
    table.add_column("total", justify="right")
    for i, key in enumerate(t.rows):
        cells = []
        for j in range(len(t.columns)):
            if not t.is_covered(i, j):
                cells.append(tr("[dim]non codé[/]", "[dim]not coded[/]"))
                continue
            flag = s.flags[i][j]
            style = "bold red" if flag == "+" else "bold blue" if flag == "-" else ""
            text = f"{t.counts[i][j]} ({_fmt(s.scores[i][j])})"
            cells.append(f"[{style}]{text}[/]" if style else text)
        table.add_row("  " * t.depth[key] + shown(t.labels[key]), *cells, str(t.row_totals[i]))
    table.add_row(tr(f"[dim]{unit_word} de la colonne[/]", f"[dim]{unit_word} in column[/]"),
                  *[str(n) for n in t.column_totals], str(t.total))
    console.print(table)
    console.print(tr(f"Unité : {unit_word} (--unit pour changer). Entre parenthèses : spécificité de Lafon (log10 "
                     f"signé de p) ; en couleur à partir de ±{s.threshold:g} (rouge : sur-représenté, bleu : "
                     "sous-représenté). « non codé » : aucun document couvert pour ce code dans cette colonne.",
                     f"Unit: {unit_word} (--unit to change). In brackets: Lafon specificity (signed log10 p); "
                     f"coloured from ±{s.threshold:g} (red: over-, blue: under-represented). 'not coded': no "
                     "document covered for that code in that column."), highlight=False)
    for key, column, n in result.exclusive:
        col = phase_label(column) if t.by == "phase" else column
        console.print(tr(f"• « {shown(t.labels[key])} » : seulement dans {shown(col)} ({n}) parmi les colonnes codées",
                         f"• '{shown(t.labels[key])}': only in {shown(col)} ({n}) among the coded columns"),
                      highlight=False)
    if result.disagreements:
        counted = sum(d.counted for d in result.disagreements)
        console.print(tr(f"{len(result.disagreements)} désaccord(s) entre codeurs (règle {result.rule}) : "
                         f"{counted} compté(s), {len(result.disagreements) - counted} écarté(s).",
                         f"{len(result.disagreements)} disagreement(s) between coders (rule {result.rule}): "
                         f"{counted} counted, {len(result.disagreements) - counted} left out."), highlight=False)


def pending_text(n: int) -> str:
    return tr(f"{n} suggestion(s) de la machine en attente ne sont pas comptées : validez-les avec « exporterre code "
              "--coder NOM » (écran de validation), ou comptez-les avec --include-pending.",
              f"{n} machine suggestion(s) awaiting review are not counted: review them with 'exporterre code --coder "
              "NAME' (review screen), or count them with --include-pending.")


def _print_coverage(result, by: str, phase_label) -> None:
    table = Table(title=tr("Couverture (couverts / total)", "Coverage (covered / total)"))
    for col in (tr("branche", "branch"), by, "documents", tr("mots", "words"), "participants"):
        table.add_column(col, justify="left" if col in (tr("branche", "branch"), by) else "right")
    for r in result.coverage or []:
        table.add_row(shown(result.table.labels.get(r.branch, r.branch)),
                      shown(phase_label(r.column) if by == "phase" else r.column),
                      f"{r.documents}/{r.documents_total}", f"{r.words}/{r.words_total}",
                      f"{r.participants}/{r.participants_total}")
    console.print(table)
    console.print(tr("Couverture : marques des codeurs (exporterre coverage mark)." if result.coverage_mode == "marks"
                     else "Couverture déduite des décisions (aucune marque) : un document compte comme codé pour une "
                     "branche quand un codeur y a décidé au moins un code de cette branche.",
                     "Coverage: the coders' marks (exporterre coverage mark)." if result.coverage_mode == "marks"
                     else "Coverage derived from decisions (no mark): a document counts as coded for a branch when a "
                     "coder decided at least one code of that branch there."), highlight=False)


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
        table = Table(title=tr(f"{shown(p.rater_a)} ↔ {shown(p.rater_b)} : {p.documents} documents, {p.units} segments, "
                               f"κ moyen {mean}",
                               f"{shown(p.rater_a)} ↔ {shown(p.rater_b)}: {p.documents} documents, {p.units} segments, "
                               f"mean κ {mean}"))
        for col in (tr("code", "code"), tr("les deux", "both"), f"{shown(p.rater_a)} " + tr("seul", "only"),
                    f"{shown(p.rater_b)} " + tr("seul", "only"), tr("accord %", "agreement %"), "κ", "α"):
            table.add_column(col, justify="left" if col == tr("code", "code") else "right")
        for c in p.codes:
            table.add_row(shown(c.label), str(c.both), str(c.only_a), str(c.only_b), f"{c.percent:.0f}",
                          f"{c.kappa:.2f}" if c.kappa is not None else "—",
                          f"{c.alpha:.2f}" if c.alpha is not None else "—")
        console.print(table)
    console.print(tr("Unité : le segment, par code ; seuls comptent les segments des documents travaillés par les "
                     "deux où l'un au moins a posé un code (le texte non codé ne gonfle pas l'accord). Tous les codes "
                     "posés, suggérés ou rejetés sont comptés ; avec la machine, chaque code sur les documents que "
                     "le codeur a couverts pour lui. Pire accord en premier.",
                     "Unit: the segment, per code; only segments of documents both worked on where at least one "
                     "applied a code count (uncoded text does not inflate agreement). Every code applied, suggested "
                     "or rejected counts; with the machine, each code over the documents the coder covered for it. "
                     "Worst agreement first."), highlight=False)


from . import coverage as _coverage  # noqa: E402,F401  (registers `exporterre coverage`)
