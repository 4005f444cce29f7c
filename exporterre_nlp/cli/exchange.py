"""``exporterre export …`` and ``exporterre import …``: REFI-QDA, IRaMuTeQ, spreadsheets."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import tr
from ..outputs import check_output
from .app import JSON_HELP, ForceOption, ProjectOption, app, console, err_console, handle_errors, open_project, \
    print_json, progress_bar, shown

export_app = typer.Typer(help=tr(
    "Exporter vers d'autres logiciels : REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder), IRaMuTeQ, tableur.",
    "Export to other programs: REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder), IRaMuTeQ, spreadsheet."),
    no_args_is_help=True)
import_app = typer.Typer(help=tr(
    "Importer un projet ou un livre de codes REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder).",
    "Import a REFI-QDA project or codebook (NVivo, ATLAS.ti, MAXQDA, QualCoder)."), no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")

OUT_HELP = tr("Fichier à écrire.", "File to write.")
CODERS_HELP = tr("Seulement les codages (et mémos) de ces codeurs, séparés par des virgules : --coders alice,bob.",
                 "Only the codings (and memos) of these coders, comma-separated: --coders alice,bob.")
PSEUDO_HELP = tr("Textes pseudonymisés : remplacements acceptés appliqués (exporterre pseudo), positions recalées. "
                 "Les détections encore en attente ne sont pas appliquées (signalé).",
                 "Pseudonymised texts: accepted replacements applied (exporterre pseudo), positions moved. "
                 "Detections still pending are not applied (reported).")
PENDING_HELP = tr("Inclure aussi les suggestions de la machine encore en attente (les rejetées ne sortent jamais).",
                  "Also include the machine's suggestions still pending (rejected ones never leave).")


def _coders(value: str | None) -> list[str] | None:
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    return names or None


def _report(result, what: str, as_json: bool) -> None:
    if as_json:
        print_json({"path": str(result.path), "documents": result.documents, "codes": result.codes,
                    "codings": result.codings, "memos": result.memos, "coders": list(result.coders),
                    "warnings": list(result.warnings), **result.details})
        return
    console.print(tr(f"{what} écrit : [bold]{shown(result.path)}[/] ({result.documents} textes, {result.codes} codes, "
                     f"{result.codings} codages, {result.memos} mémos"
                     + (f" ; codeurs : {', '.join(result.coders)}" if result.coders else "") + ").",
                     f"{what} written: [bold]{shown(result.path)}[/] ({result.documents} texts, {result.codes} codes, "
                     f"{result.codings} codings, {result.memos} memos"
                     + (f"; coders: {', '.join(result.coders)}" if result.coders else "") + ")."), highlight=False)
    for warning in result.warnings:
        err_console.print(f"[yellow]{tr('Attention :', 'Warning:')}[/] {shown(warning)}", highlight=False)


@export_app.command("qdpx", help=tr(
    "Projet REFI-QDA (.qdpx) : textes, codes, codages par codeur, mémos, phases/lieux/participants en "
    "variables et cas. S'ouvre dans NVivo, ATLAS.ti, MAXQDA, QualCoder.",
    "REFI-QDA project (.qdpx): texts, codes, codings per coder, memos, phases/places/participants as "
    "variables and cases. Opens in NVivo, ATLAS.ti, MAXQDA, QualCoder."))
@handle_errors
def export_qdpx_cmd(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
                    project: Optional[Path] = ProjectOption,
                    coders: Optional[str] = typer.Option(None, "--coders", help=CODERS_HELP),
                    include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
                    pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
                    force: bool = ForceOption,
                    cases_as_codes: bool = typer.Option(False, "--cas-en-codes", "--cases-as-codes", help=tr(
                        "Écrit aussi chaque participant comme un code qui code ses documents : c'est ainsi que "
                        "QualCoder et NVivo relient cas et documents (les autres logiciels y voient des codes).",
                        "Also write each participant as a code coding their documents: how QualCoder and NVivo "
                        "link cases and documents (other programs show them as codes).")),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..exchange import export_qdpx
    check_output(out, force=force)
    with open_project(project) as proj, progress_bar(tr("Export REFI-QDA", "REFI-QDA export"),
                                                     enabled=not as_json) as (update, cancel):
        result = export_qdpx(proj, out, pseudonymise=pseudonymise, coders=_coders(coders),
                             include_pending=include_pending, cases_as_codes=cases_as_codes,
                             progress=update, cancel=cancel)
    _report(result, tr("Projet REFI-QDA", "REFI-QDA project"), as_json)


@export_app.command("qdc", help=tr("Livre de codes REFI-QDA (.qdc) : les codes du projet tels qu'ils sont "
                                   "aujourd'hui, avec couleurs, définitions et étiquettes (ensembles).",
                                   "REFI-QDA codebook (.qdc): the project's codes as they are today, with "
                                   "colours, definitions and tags (sets)."))
@handle_errors
def export_qdc_cmd(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
                   project: Optional[Path] = ProjectOption, force: bool = ForceOption) -> None:
    from ..exchange import export_qdc
    check_output(out, force=force)
    with open_project(project) as proj:
        path = export_qdc(proj.store, out, name=proj.store.get_meta("codebook_name") or proj.path.name)
        n = len(proj.store.list_codes())
    console.print(tr(f"Livre de codes REFI-QDA écrit : [bold]{shown(path)}[/] ({n} codes).",
                     f"REFI-QDA codebook written: [bold]{shown(path)}[/] ({n} codes)."), highlight=False)


@export_app.command("iramuteq", help=tr(
    "Corpus texte pour IRaMuTeQ : une ligne étoilée par texte (**** *phase_3 *lieu_… *doc_… *part_…), "
    "les codes en thématiques (-*code_…). Les tours de l'enquêteur sont exclus par défaut.",
    "Text corpus for IRaMuTeQ: one star line per text (**** *phase_3 *lieu_… *doc_… *part_…), codes as "
    "thematics (-*code_…). Interviewer turns are left out by default."))
@handle_errors
def export_iramuteq_cmd(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
                        project: Optional[Path] = ProjectOption,
                        per_turn: bool = typer.Option(False, "--par-tour", "--per-turn", help=tr(
                            "Un texte par tour de parole (au lieu d'un par document), avec *loc_ et *role_.",
                            "One text per speaker turn (instead of one per document), with *loc_ and *role_.")),
                        interviewer: bool = typer.Option(False, "--avec-enqueteur", "--with-interviewer", help=tr(
                            "Garder aussi les tours de l'enquêteur.", "Keep the interviewer's turns too.")),
                        no_thematics: bool = typer.Option(False, "--sans-thematiques", "--no-thematics", help=tr(
                            "Ne pas écrire les codes en thématiques.", "Do not write codes as thematics.")),
                        passages: bool = typer.Option(False, "--thematiques-passages", "--span-thematics", help=tr(
                            "Thématiques au passage codé près (par défaut : par tour de parole ou paragraphe, "
                            "sous le code qui en couvre le plus).",
                            "Thematics exactly on the coded passages (default: per speaker turn or paragraph, "
                            "under the code covering most of it).")),
                        coders: Optional[str] = typer.Option(None, "--coders", help=CODERS_HELP),
                        include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
                        pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
                        force: bool = ForceOption,
                        as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..exchange import export_iramuteq
    check_output(out, force=force)
    with open_project(project) as proj, progress_bar("IRaMuTeQ", enabled=not as_json) as (update, cancel):
        result = export_iramuteq(proj, out, pseudonymise=pseudonymise,
                                 unit="turn" if per_turn else "document",
                                 include_interviewer=interviewer, thematics=not no_thematics,
                                 granularity="span" if passages else "segment",
                                 coders=_coders(coders), include_pending=include_pending,
                                 progress=update, cancel=cancel)
    if as_json:
        _report(result, "IRaMuTeQ", True)
        return
    for warning in result.warnings:
        err_console.print(f"[yellow]{tr('Attention :', 'Warning:')}[/] {shown(warning)}", highlight=False)
    console.print(tr(f"Corpus IRaMuTeQ écrit : [bold]{shown(result.path)}[/] ({result.documents} textes, "
                     f"{result.codes} codes en thématiques).",
                     f"IRaMuTeQ corpus written: [bold]{shown(result.path)}[/] ({result.documents} texts, "
                     f"{result.codes} codes as thematics)."), highlight=False)
    if result.details.get("overlap_chars"):
        err_console.print(tr(f"Note : {result.details['overlap_chars']} caractères portent plusieurs codes ; "
                             "IRaMuTeQ n'en garde qu'un (le codage le plus intérieur).",
                             f"Note: {result.details['overlap_chars']} characters carry several codes; "
                             "IRaMuTeQ keeps one (the innermost coding)."))
    if result.details.get("multi_code_segments"):
        err_console.print(tr(f"Note : {result.details['multi_code_segments']} segments portent plusieurs codes ; "
                             "chacun est rangé sous le code qui en couvre le plus.",
                             f"Note: {result.details['multi_code_segments']} segments carry several codes; "
                             "each goes under the code covering most of it."))


@export_app.command("codings", help=tr(
    "Tous les codages dans un tableur (.csv ou .xlsx) : document, phase, lieu, locuteur, rôle, participant, "
    "début, fin, code, codeur, statut, origine, texte.",
    "Every coding in a spreadsheet (.csv or .xlsx): document, phase, place, speaker, role, participant, "
    "start, end, code, coder, status, origin, text."))
@handle_errors
def export_codings_cmd(out: Path = typer.Option(..., "--out", "-o", help=tr(
                           "Fichier .csv ou .xlsx à écrire.", ".csv or .xlsx file to write.")),
                       project: Optional[Path] = ProjectOption,
                       coders: Optional[str] = typer.Option(None, "--coders", help=CODERS_HELP),
                       include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
                       pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
                       force: bool = ForceOption,
                       as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..exchange import export_codings
    check_output(out, force=force)
    with open_project(project) as proj, progress_bar(tr("Codages", "Codings"), enabled=not as_json) as (up, cancel):
        result = export_codings(proj, out, pseudonymise=pseudonymise, coders=_coders(coders),
                                include_pending=include_pending,
                                progress=up, cancel=cancel)
    _report(result, tr("Tableau des codages", "Codings table"), as_json)


@import_app.command("qdpx", help=tr(
    "Crée un NOUVEAU projet à partir d'un projet REFI-QDA (.qdpx) : textes, codes, codages par codeur, mémos, "
    "variables et cas. Images, audio et vidéo ne sont pas importés (signalé).",
    "Create a NEW project from a REFI-QDA project (.qdpx): texts, codes, codings per coder, memos, variables "
    "and cases. Pictures, audio and video are not imported (reported)."))
@handle_errors
def import_qdpx_cmd(file: Path = typer.Argument(..., help=tr("Fichier .qdpx.", ".qdpx file.")),
                    into: Path = typer.Option(..., "--into", help=tr(
                        "Dossier du nouveau projet : absent ou vide (rien n'est jamais écrasé).",
                        "Folder of the new project: absent or empty (nothing is ever overwritten).")),
                    phase: Optional[int] = typer.Option(None, "--phase", min=1, max=3, help=tr(
                        "Phase (1, 2 ou 3) des sources sans variable « phase » (projets d'autres logiciels).",
                        "Phase (1, 2 or 3) of sources without a 'phase' variable (other programs' projects).")),
                    codebook: Optional[Path] = typer.Option(None, "--codebook", exists=True, dir_okay=False, help=tr(
                        "Livre de codes YAML de départ (ses règles sont gardées, les codes du fichier ajoutés).",
                        "Starting YAML codebook (its rules are kept, the file's codes added).")),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..exchange import import_qdpx
    with progress_bar(tr("Import REFI-QDA", "REFI-QDA import"), enabled=not as_json) as (update, cancel):
        result = import_qdpx(file, into, default_phase=phase, codebook=codebook, progress=update, cancel=cancel)
    if as_json:
        print_json({"project": str(result.project), "documents": result.documents, "codes": result.codes,
                    "codings": result.codings, "memos": result.memos, "participants": result.participants,
                    "coders": list(result.coders), "warnings": list(result.warnings),
                    "selections": result.anchoring})
        return
    console.print(tr(f"Projet créé : [bold]{shown(result.project)}[/] ({result.documents} documents, {result.codes} codes, "
                     f"{result.codings} codages, {result.memos} mémos, {result.participants} participants).",
                     f"Project created: [bold]{shown(result.project)}[/] ({result.documents} documents, {result.codes} "
                     f"codes, {result.codings} codings, {result.memos} memos, {result.participants} participants)."),
                  highlight=False)
    for warning in result.warnings:
        err_console.print(f"[yellow]{tr('Attention :', 'Warning:')}[/] {shown(warning)}", highlight=False)


@import_app.command("qdc", help=tr("Convertit un livre de codes REFI-QDA (.qdc) en livre de codes YAML Exporterre.",
                                   "Convert a REFI-QDA codebook (.qdc) into an Exporterre YAML codebook."))
@handle_errors
def import_qdc_cmd(file: Path = typer.Argument(..., help=tr("Fichier .qdc.", ".qdc file.")),
                   out: Path = typer.Option(..., "--out", "-o", help=tr(
                       "Livre de codes YAML à écrire (ex. codebooks/importe.yaml).",
                       "YAML codebook to write (e.g. codebooks/imported.yaml).")),
                   force: bool = ForceOption) -> None:
    from ..exchange import import_qdc
    check_output(out, force=force)
    book = import_qdc(file, out)
    console.print(tr(f"Livre de codes écrit : [bold]{shown(out)}[/] ({len(book.codes)} codes). Vérifiez-le avec "
                     f"« exporterre codebook check {out} ».",
                     f"Codebook written: [bold]{shown(out)}[/] ({len(book.codes)} codes). Check it with "
                     f"'exporterre codebook check {out}'."), highlight=False)
