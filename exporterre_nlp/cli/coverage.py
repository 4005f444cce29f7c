"""``exporterre coverage mark / unmark / show``: which documents a coder has coded, for which branches."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..i18n import tr
from .app import JSON_HELP, ProjectOption, app, console, handle_errors, open_project, print_json
from .code import check_coder

coverage_app = typer.Typer(help=tr(
    "Couverture : marquer les documents codés (et pour quelles branches du livre de codes). Les comptes et "
    "comparaisons n'utilisent que les documents couverts.",
    "Coverage: mark the documents you have coded (and for which codebook branches). Counts and comparisons use "
    "only covered documents."), no_args_is_help=True)
app.add_typer(coverage_app, name="coverage")

CODER_HELP = tr("Votre nom de codeur.", "Your coder name.")
DOC_HELP = tr("Document (nom ou numéro) ; répétable.", "Document (name or number); repeatable.")
BRANCH_HELP = tr("Branche ou catégorie du livre de codes (clé ou libellé, ex. besoins) ; répétable. Défaut : toutes "
                 "les branches.", "Codebook branch or category (key or label, e.g. besoins); repeatable. Default: "
                 "every branch.")
ALL_HELP = tr("Tous les documents (ou ceux de --phase).", "Every document (or those of --phase).")
PHASE_HELP = tr("Seulement les documents de cette phase (avec --all).", "Only the documents of this phase (with --all).")
BULK_HELP = tr("Marques posées en bloc, sans lecture document par document (le rapport le dit en première page).",
               "Marks made in bulk, not by reading each document (the report says so on its first page).")


def _documents(doc: list[str] | None, every: bool) -> list[str] | None:
    from ..errors import ExporterreError
    if every:
        return None
    if not doc:
        raise ExporterreError(tr("Aucun document indiqué.", "No document given."),
                              tr("Donnez --doc NOM (répétable) ou --all.", "Give --doc NAME (repeatable) or --all."))
    return doc


@coverage_app.command("mark")
@handle_errors
def mark(
    coder: str = typer.Option(..., "--coder", "-c", envvar="EXPORTERRE_CODER", help=CODER_HELP),
    doc: Optional[List[str]] = typer.Option(None, "--doc", "-d", help=DOC_HELP),
    branch: Optional[List[str]] = typer.Option(None, "--branch", "-b", help=BRANCH_HELP),
    every: bool = typer.Option(False, "--all", help=ALL_HELP),
    phase: Optional[int] = typer.Option(None, "--phase", help=PHASE_HELP),
    bulk: bool = typer.Option(False, "--bulk", help=BULK_HELP),
    project: Optional[Path] = ProjectOption,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Marque des documents comme codés par vous pour des branches du livre de codes."""
    from ..analysis.coverage import mark_covered
    coder = check_coder(coder)
    proj = open_project(project)
    try:
        added = mark_covered(proj.store, coder, _documents(doc, every), branch or None, phase=phase,
                             bulk=bulk or every)
    finally:
        proj.close()
    if as_json:
        print_json({"added": added})
        return
    console.print(tr(f"{added} marque(s) de couverture ajoutée(s) pour {coder}.",
                     f"{added} coverage mark(s) added for {coder}."), highlight=False)


@coverage_app.command("unmark")
@handle_errors
def unmark(
    coder: str = typer.Option(..., "--coder", "-c", envvar="EXPORTERRE_CODER", help=CODER_HELP),
    doc: Optional[List[str]] = typer.Option(None, "--doc", "-d", help=DOC_HELP),
    branch: Optional[List[str]] = typer.Option(None, "--branch", "-b", help=BRANCH_HELP),
    every: bool = typer.Option(False, "--all", help=ALL_HELP),
    phase: Optional[int] = typer.Option(None, "--phase", help=PHASE_HELP),
    project: Optional[Path] = ProjectOption,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Retire vos marques de couverture (sur des branches, ou toutes)."""
    from ..analysis.coverage import unmark_covered
    coder = check_coder(coder)
    proj = open_project(project)
    try:
        removed = unmark_covered(proj.store, coder, _documents(doc, every), branch or None, phase=phase)
    finally:
        proj.close()
    if as_json:
        print_json({"removed": removed})
        return
    console.print(tr(f"{removed} marque(s) retirée(s).", f"{removed} mark(s) removed."), highlight=False)


@coverage_app.command("show")
@handle_errors
def show(
    project: Optional[Path] = ProjectOption,
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Couverture par branche et par phase : documents, mots et participants couverts / total."""
    from ..analysis.corpus import load_coded_corpus, phase_label
    from ..analysis.coverage import coverage_rows
    proj = open_project(project)
    try:
        corpus = load_coded_corpus(proj.store, include_interviewer=proj.settings.report.include_interviewer,
                                   machine=proj.settings.extraction.coder)
    finally:
        proj.close()
    rows = coverage_rows(corpus)
    if as_json:
        print_json({"mode": corpus.coverage.mode, "marks": corpus.coverage.marks,
                    "bulk_marks": corpus.coverage.bulk_marks, "rows": [r.__dict__ for r in rows]})
        return
    table = Table(title=tr("Couverture (couverts / total)", "Coverage (covered / total)"))
    for col in (tr("branche", "branch"), "phase", "documents", tr("mots", "words"), "participants"):
        table.add_column(col, justify="left" if col in (tr("branche", "branch"), "phase") else "right")
    for r in rows:
        table.add_row(corpus.codes[r.branch].label, phase_label(r.column), f"{r.documents}/{r.documents_total}",
                      f"{r.words}/{r.words_total}", f"{r.participants}/{r.participants_total}")
    console.print(table)
    console.print(coverage_rule_text(corpus.coverage), highlight=False)


def coverage_rule_text(cover) -> str:
    if cover.mode == "marks":
        text = tr(f"Couverture : {cover.marks} marque(s) posée(s) par les codeurs.",
                  f"Coverage: {cover.marks} mark(s) made by the coders.")
        if cover.bulk_marks:
            text += tr(f" Dont {cover.bulk_marks} posée(s) en bloc (--bulk/--all), sans lecture document par "
                       "document.", f" {cover.bulk_marks} of them made in bulk (--bulk/--all), not by reading each "
                       "document.")
        return text
    return tr("Aucune marque de couverture : un document compte comme codé pour une branche quand un codeur y a pris "
              "au moins une décision dans cette branche. Marquez la couverture avec « exporterre coverage mark ».",
              "No coverage mark: a document counts as coded for a branch when a coder made at least one decision "
              "in that branch there. Mark coverage with 'exporterre coverage mark'.")
