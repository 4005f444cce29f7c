"""``exporterre init``, ``ingest``, ``status``, ``versions``: create a project, fill it, see its documents."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..i18n import tr
from ..importer import ingest_paths
from ..project import Project
from ..records import PHASE_NAMES
from .app import JSON_HELP, ForceOption, ProjectOption, app, console, err_console, handle_errors, open_project, \
    print_json, progress_bar, shown


@app.command("init", help=tr(
    "Crée un projet : la base SQLite, les réglages (settings.yaml) et une copie du livre de codes.",
    "Create a project: the SQLite store, the settings (settings.yaml) and a copy of the codebook."))
@handle_errors
def init(
    directory: Path = typer.Argument(..., help=tr("Dossier du nouveau projet (créé s'il n'existe pas).",
                                                  "Folder of the new project (created if missing).")),
    codebook: Optional[Path] = typer.Option(None, "--codebook", "-c", exists=True, dir_okay=False,
                                            help=tr("Livre de codes YAML à utiliser (par défaut : "
                                                    "codebooks/exporterre.yaml).",
                                                    "Codebook YAML to use (default: codebooks/exporterre.yaml).")),
) -> None:
    project = Project.init(directory, codebook=codebook)
    n = len(project.store.list_codes())
    project.close()
    console.print(tr(f"Projet créé dans [bold]{shown(directory)}[/] ({n} codes). Suite : "
                     f"exporterre ingest DOSSIER --project {shown(directory)}",
                     f"Project created in [bold]{shown(directory)}[/] ({n} codes). Next: "
                     f"exporterre ingest FOLDER --project {shown(directory)}"), highlight=False)


_STATUS_FR = {"added": "ajouté", "unchanged": "inchangé", "updated": "mis à jour", "error": "erreur",
              "skipped": "ignoré"}


@app.command("ingest", help=tr(
    "Importe des entretiens et des notes dans le projet (un fichier en échec ne laisse aucune trace ; "
    "un document est identifié par son chemin relatif sans extension ; les liens symboliques ne sont pas suivis).",
    "Import interviews and notes into the project (a file that fails leaves no trace; a document is identified "
    "by its relative path without extension; symbolic links are not followed)."))
@handle_errors
def ingest(
    paths: List[Path] = typer.Argument(..., help=tr(
        "Fichiers (.txt .md .docx .odt .srt .vtt), dossiers (lus récursivement, avec leur manifest.csv) "
        "ou manifestes CSV.",
        "Files (.txt .md .docx .odt .srt .vtt), folders (read recursively, with their manifest.csv) "
        "or CSV manifests.")),
    project: Optional[Path] = ProjectOption,
    phase: Optional[int] = typer.Option(None, "--phase", min=1, max=3, help=tr(
        "Phase du terrain pour ces fichiers : 1 relais, 2 lieux, 3 habitants.",
        "Fieldwork phase of these files: 1 relais, 2 lieux, 3 habitants.")),
    lieu: Optional[str] = typer.Option(None, "--lieu", help=tr("Lieu (ex. marché, porte-à-porte).",
                                                               "Place (e.g. marché, porte-à-porte).")),
    date: Optional[str] = typer.Option(None, "--date", help=tr("Date (2026-03-12 ou 12/03/2026).",
                                                               "Date (2026-03-12 or 12/03/2026).")),
    participant: Optional[str] = typer.Option(None, "--participant", help=tr(
        "Identifiant pseudonyme du participant (ex. H3-05).", "Pseudonymous participant id (e.g. H3-05).")),
    interviewer: Optional[str] = typer.Option(None, "--interviewer", help=tr(
        "Étiquette(s) de l'enquêteur·rice dans le texte, séparées par « ; » (ex. « E;Claire »).",
        "Interviewer label(s) in the text, separated by ';' (e.g. 'E;Claire').")),
    manifest: Optional[Path] = typer.Option(None, "--manifest", exists=True, dir_okay=False, help=tr(
        "Manifeste CSV à appliquer (sinon le manifest*.csv du dossier).",
        "CSV manifest to apply (else the folder's manifest*.csv).")),
    update: bool = typer.Option(False, "--update", help=tr(
        "Remplacer les documents modifiés même s'ils portent des codages : les codages sont recalés sur le "
        "nouveau texte.",
        "Replace changed documents even when they carry codings: codings are re-anchored on the new text.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    proj = open_project(project)
    metadata = {"phase": phase, "lieu": lieu, "date": date, "participant": participant,
                "interviewer": interviewer}
    with progress_bar(tr("Import", "Import"), enabled=not as_json) as (update_bar, cancel):
        results = ingest_paths(proj, paths, metadata=metadata, manifest=manifest, update=update,
                               progress=update_bar, cancel=cancel)
    proj.close()
    if as_json:
        print_json([r.__dict__ for r in results])
    else:
        table = Table(title=tr("Import", "Import"), show_lines=False)
        for col in (tr("fichier", "file"), tr("document", "document"), tr("résultat", "result"),
                    tr("tours/§", "turns/§"), tr("mots", "words")):
            table.add_column(col)
        base_names = [Path(r.path).name for r in results]
        names = [r.path if base_names.count(b) > 1 else b for r, b in zip(results, base_names)]
        for r, file_name in zip(results, names):
            colour = {"error": "red", "added": "green", "updated": "yellow"}.get(r.status, "")
            label = _STATUS_FR.get(r.status, r.status) if tr("fr", "en") == "fr" else r.status
            table.add_row(shown(file_name), shown(r.document or "—"), f"[{colour}]{label}[/]" if colour else label,
                          str(r.segments or ""), str(r.words or ""))
        console.print(table)
        for r, file_name in zip(results, names):
            if r.message and r.status != "unchanged":
                colour = {"error": "red", "updated": "yellow", "skipped": "dim"}.get(r.status, "green")
                (err_console if r.status == "error" else console).print(
                    f"[{colour}]{shown(file_name)}[/] : {shown(r.message)}", highlight=False)
        counts = {s: sum(1 for r in results if r.status == s) for s in _STATUS_FR}
        console.print(tr(f"{counts['added']} ajouté(s), {counts['updated']} mis à jour, {counts['unchanged']} "
                         f"inchangé(s), {counts['skipped']} ignoré(s), {counts['error']} refusé(s).",
                         f"{counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
                         f"{counts['skipped']} skipped, {counts['error']} refused."), highlight=False)
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)


@app.command("status", help=tr(
    "État du projet : documents, mots, segments et locuteurs par phase ; codages par statut.",
    "Project status: documents, words, segments and speakers per phase; codings per status."))
@handle_errors
def status(project: Optional[Path] = ProjectOption,
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..store.runs import run_state
    proj = open_project(project)
    data = proj.store.corpus_status()
    interrupted = [r for r in proj.store.list_runs() if r.summary.get("interrupted")]
    coders = proj.store.human_coders()
    counts = proj.store.suggestion_counts(coders)
    data["suggestions"] = {"total": counts.total, "undecided": counts.undecided, "left": counts.left}
    documents = proj.store.document_progress(coders)
    data["documents_list"] = [{"name": d.name, "phase": d.phase, "lieu": d.lieu, "participant": d.participant,
                               "words": d.words, "segments": d.segments, "coded_segments": d.coded_segments,
                               "pending": d.pending} for d in documents]
    proj.close()
    if as_json:
        print_json({**data, "interrupted_runs": [{"id": r.id, "kind": r.kind, "started_at": r.started_at}
                                                 for r in interrupted]})
        return
    table = Table(title=tr(f"Projet {shown(proj.path)}", f"Project {shown(proj.path)}"))
    for col in ("phase", tr("documents", "documents"), tr("mots", "words"), tr("segments", "segments")):
        table.add_column(col, justify="right" if col != "phase" else "left")
    for key, row in data["phases"].items():
        table.add_row(f"{key} — {PHASE_NAMES[int(key)]}", str(row["documents"]), f"{row['words']:,}".replace(",", " "),
                      str(row["segments"]))
    table.add_row(tr("[bold]total[/]", "[bold]total[/]"), str(data["documents"]),
                  f"{data['words']:,}".replace(",", " "), str(data["segments"]))
    console.print(table)
    if documents:
        console.print(documents_table(documents, coders))
    roles = data["speakers"]
    console.print(tr(f"Locuteurs : {roles['interviewer']} enquêteur·rices, {roles['resident']} habitant·es, "
                     f"{roles['relais']} relais, {roles['other']} autres — {data['participants']} participants.",
                     f"Speakers: {roles['interviewer']} interviewers, {roles['resident']} residents, "
                     f"{roles['relais']} relais, {roles['other']} other — {data['participants']} participants."))
    if data["codings"]:
        parts = ", ".join(status_words(s, n) for s, n in sorted(data["codings"].items()) if s != "pending")
        console.print(tr(f"Codages : {parts or 'aucun'}.", f"Codings: {parts or 'none'}."))
    suggestions = data["suggestions"]
    if suggestions["total"]:
        left = " ; ".join(tr(f"{n} à valider par {c}", f"{n} left for {c}") for c, n in suggestions["left"].items())
        console.print(tr(f"Suggestions de la machine : {suggestions['total']}, dont {suggestions['undecided']} sans "
                         f"aucune décision" + (f" ; {left}" if left else "") + ".",
                         f"Machine suggestions: {suggestions['total']}, {suggestions['undecided']} without any "
                         f"decision" + (f"; {left}" if left else "") + "."))

    for r in interrupted[-5:]:
        console.print(tr(f"[yellow]Analyse n° {r.id} ({r.kind}, démarrée le {r.started_at[:16]}) : {run_state(r)}[/] "
                         "— le processus s'est arrêté avant la fin ; relancez-la.",
                         f"[yellow]Run #{r.id} ({r.kind}, started {r.started_at[:16]}): {run_state(r)}[/] — the "
                         "process stopped before the end; run it again."),
                      highlight=False)


_STATUS_WORDS = {"manual": ("manuel(s)", "manual"), "accepted": ("accepté(s)", "accepted"),
                 "rejected": ("rejeté(s)", "rejected"), "pending": ("en attente", "pending")}


def status_words(status: str, n: int) -> str:
    """``4 accepté(s)``: a count of codings with their status in the interface language."""
    return f"{n} {tr(*_STATUS_WORDS.get(status, (status, status)))}"


def documents_table(documents, coders: list[str]) -> Table:
    """The documents, with each coder's progress (segments coded / segments) and suggestions left."""
    table = Table(title=tr("Documents", "Documents"))
    table.add_column(tr("document", "document"), overflow="fold")
    table.add_column("phase", justify="right")
    table.add_column(tr("mots", "words"), justify="right")
    for coder in coders:
        table.add_column(tr(f"codé {coder}", f"coded {coder}"), justify="right")
        table.add_column(tr(f"à valider {coder}", f"to validate {coder}"), justify="right")
    for d in documents:
        row = [shown(d.name), str(d.phase), str(d.words)]
        for coder in coders:
            row += [f"{d.coded_segments.get(coder, 0)}/{d.segments}", str(d.pending.get(coder, 0))]
        table.add_row(*row)
    return table


@app.command("versions", help=tr(
    "Les versions précédentes d'un document réimporté (« ingest --update » garde l'ancien texte) : liste, "
    "texte d'une version (--show N) ou copie dans un fichier (--out).",
    "The previous versions of a re-imported document ('ingest --update' keeps the old text): list, text of a "
    "version (--show N) or a copy in a file (--out)."))
@handle_errors
def versions(document: str = typer.Argument(..., help=tr("Nom du document (exporterre status les liste).",
                                                         "Document name (exporterre status lists them).")),
             show: Optional[int] = typer.Option(None, "--show", help=tr(
                 "Numéro de la version dont afficher le texte.", "Number of the version whose text to print.")),
             out: Optional[Path] = typer.Option(None, "--out", help=tr(
                 "Écrire le texte de la version --show N dans ce fichier (.txt, UTF-8).",
                 "Write the text of version --show N to this file (.txt, UTF-8).")),
             project: Optional[Path] = ProjectOption, force: bool = ForceOption,
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..errors import NotFoundError
    from ..outputs import atomic_write, check_output
    if out is not None and show is None:
        raise typer.BadParameter(tr(f"--out écrit le texte d'une version : donnez aussi --show N (« exporterre "
                                    f"versions {document} » liste les numéros).",
                                    f"--out writes the text of one version: give --show N too ('exporterre versions "
                                    f"{document}' lists the numbers)."), param_hint="--out")
    if out is not None:
        check_output(out, force=force)
    proj = open_project(project)
    try:
        current = proj.store.get_document(document)
        older = proj.store.list_versions(current.id)
    finally:
        proj.close()
    if show is not None:
        chosen = next((v for v in older if v.version == show), None)
        text = current.text if show == current.version else (chosen.text if chosen else None)
        if text is None:
            numbers = ", ".join(str(v.version) for v in older) or tr("aucune", "none")
            raise NotFoundError(tr(f"« {current.name} » n'a pas de version n° {show} (versions précédentes : "
                                   f"{numbers} ; version actuelle : {current.version}).",
                                   f"'{current.name}' has no version {show} (previous versions: {numbers}; current "
                                   f"version: {current.version})."),
                                tr(f"« exporterre versions {current.name} » les liste.",
                                   f"'exporterre versions {current.name}' lists them."))
        if out is None:
            console.print(text, markup=False, highlight=False, end="" if text.endswith("\n") else "\n")
        else:
            atomic_write(out, text)
            console.print(tr(f"Version {show} de « {current.name} » écrite : {shown(out)}.",
                             f"Version {show} of '{current.name}' written: {shown(out)}."), highlight=False)
        return
    rows = [{"version": v.version, "imported_at": v.imported_at, "replaced_at": v.replaced_at,
             "words": len(v.text.split()), "source_path": v.source_path, "current": False} for v in older]
    rows.append({"version": current.version, "imported_at": current.updated_at, "replaced_at": None,
                 "words": current.words, "source_path": current.source_path, "current": True})
    if as_json:
        print_json({"document": current.name, "versions": rows})
        return
    table = Table(title=tr(f"Versions de « {current.name} »", f"Versions of '{current.name}'"))
    for col in ("version", tr("importée le", "imported"), tr("remplacée le", "replaced"), tr("mots", "words"),
                tr("fichier", "file")):
        table.add_column(col)
    for r in rows:
        table.add_row(f"{r['version']}" + (tr(" (actuelle)", " (current)") if r["current"] else ""),
                      (r["imported_at"] or "")[:16], (r["replaced_at"] or "—")[:16], str(r["words"]),
                      shown(r["source_path"] or ""))
    console.print(table)
    if not older:
        console.print(tr("Aucune version précédente : le document n'a pas été réimporté avec un autre texte.",
                         "No previous version: the document was not re-imported with another text."))
    else:
        console.print(tr(f"« exporterre versions {current.name} --show N [--out fichier.txt] » donne le texte "
                         "d'une version.",
                         f"'exporterre versions {current.name} --show N [--out file.txt]' gives a version's text."),
                      highlight=False)
