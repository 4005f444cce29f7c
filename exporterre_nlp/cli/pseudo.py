"""``exporterre pseudo``: find personal data, review it, show and export pseudonymised texts."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from ..i18n import tr
from ..pseudo import (accept, accept_all, add_span, detect, edit_pseudonym, export_texts, keep_flagged,
                      pseudonymised_document, reject, review_items)
from .app import JSON_HELP, ForceOption, ProjectOption, app, console, handle_errors, open_project, print_json, \
    progress_bar, shown
from ..outputs import printable

pseudo_app = typer.Typer(
    help=tr("Pseudonymiser le corpus avant tout partage : détecter les noms, téléphones, e-mails, numéros de "
            "sécurité sociale et adresses, les relire, puis montrer ou exporter les textes pseudonymisés. "
            "La clé (vrai nom → pseudonyme) reste dans le dossier private/ du projet : ne le partagez jamais.",
            "Pseudonymise the corpus before sharing it: detect names, phones, e-mails, social-security numbers "
            "and addresses, review them, then show or export the pseudonymised texts. The key (real name → "
            "pseudonym) stays in the project's private/ folder: never share it."),
    no_args_is_help=True)
app.add_typer(pseudo_app, name="pseudo")

_CATEGORY_FR = {"person": "personne", "phone": "téléphone", "email": "e-mail", "nir": "n° sécu", "address": "adresse"}


def _cat(category: str) -> str:
    return tr(_CATEGORY_FR.get(category, category), category)


@pseudo_app.command("detect")
@handle_errors
def detect_cmd(
    project: Optional[Path] = ProjectOption,
    no_ner: bool = typer.Option(False, "--no-ner", help=tr(
        "Sans le modèle français (listes de prénoms, titres, locuteurs et motifs seulement) : plus rapide, "
        "moins de noms trouvés.",
        "Without the French model (name lists, titles, speakers and patterns only): faster, fewer names found.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Détecter les données personnelles de tout le corpus et les proposer à la relecture.

    Les décisions déjà prises sont gardées ; relancer ne crée pas de doublons.
    """
    with open_project(project) as proj:
        with progress_bar(tr("Détection", "Detection")) as (callback, cancel):
            result = detect(proj, use_ner=False if no_ner else None, progress=callback, cancel=cancel)
        if as_json:
            print_json(result.__dict__)
            return
        console.print(tr(f"{result.candidates} détections dans {result.documents} documents "
                         f"({result.persons} personnes distinctes) en {result.seconds} s.",
                         f"{result.candidates} detections in {result.documents} documents "
                         f"({result.persons} distinct people) in {result.seconds} s."))
        for cat, n in sorted(result.by_category.items()):
            console.print(f"  {_cat(cat)} : {n}")
        console.print(tr(f"Nouvelles : {result.added}, retirées : {result.removed}. "
                         "Relisez-les avec « exporterre pseudo review ».",
                         f"New: {result.added}, removed: {result.removed}. "
                         "Review them with 'exporterre pseudo review'."))


@pseudo_app.command("review")
@handle_errors
def review_cmd(
    project: Optional[Path] = ProjectOption,
    category: Optional[str] = typer.Option(None, "--category", "-c", help=tr(
        "Seulement une catégorie : person, phone, email, nir, address.",
        "Only one category: person, phone, email, nir, address.")),
    document: Optional[str] = typer.Option(None, "--document", "-d", help=tr("Seulement ce document.",
                                                                              "Only this document.")),
    status: str = typer.Option("pending", "--status", help=tr(
        "pending (à relire, défaut), accepted, rejected ou all.", "pending (default), accepted, rejected or all.")),
    accept_category: Optional[str] = typer.Option(None, "--accept-all", metavar="CATEGORIE", help=tr(
        "Accepter d'un coup toutes les détections en attente de cette catégorie (ou « all »).",
        "Accept at once every pending detection of this category (or 'all').")),
    min_score: float = typer.Option(0.0, "--min-score", help=tr(
        "Avec --accept-all : seulement les détections de score au moins égal.",
        "With --accept-all: only detections scoring at least this.")),
    keep: Optional[str] = typer.Option(None, "--keep-flagged", metavar="MARQUE", help=tr(
        "Garder tels quels (refuser) les noms en attente marqués « lieu » (nom de personne dans un nom de lieu), "
        "« public » (personnalité publique) ou « all ».",
        "Keep as they are (reject) the pending names flagged 'lieu' (a person's name inside a place name), "
        "'public' (public figure) or 'all'.")),
    limit: int = typer.Option(200, "--limit", help=tr("Nombre de lignes affichées au plus.",
                                                      "Maximum number of rows shown.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Lister les détections à relire (numéro, document, mots, pseudonyme proposé, détecteur, score).

    Décidez ensuite avec « exporterre pseudo accept N… » ou « reject N… ».
    """
    with open_project(project) as proj:
        if keep:
            n = keep_flagged(proj.store, keep)
            console.print(tr(f"{n} noms marqués gardés tels quels.", f"{n} flagged names kept as they are."))
            if not accept_category:
                return
        if accept_category:
            n = accept_all(proj.store, accept_category, min_score=min_score)
            console.print(tr(f"{n} détections acceptées.", f"{n} detections accepted."))
            return
        items = review_items(proj.store, status=None if status == "all" else status, category=category,
                             document=document)
        if as_json:
            print_json([{"id": i.candidate.id, "document": i.document, "start": i.candidate.start,
                         "end": i.candidate.end, "category": i.candidate.category, "words": i.words,
                         "pseudonym": i.candidate.pseudonym, "detector": i.candidate.detector,
                         "score": i.candidate.score, "status": i.candidate.status, "note": i.candidate.note}
                        for i in items])
            return
        table = Table(show_lines=False)
        for col in (tr("N°", "#"), tr("Document", "Document"), tr("Catégorie", "Category"), tr("Contexte", "Context"),
                    tr("Pseudonyme", "Pseudonym"), tr("Détecteur", "Detector"), "Score"):
            table.add_column(col)
        for i in items[:limit]:
            c = i.candidate
            table.add_row(str(c.id), shown(i.document), _cat(c.category),
                          f"…{shown(i.before[-25:])} [bold]{shown(i.words)}[/] {shown(i.after[:25])}…",
                          shown(c.pseudonym), c.detector,
                          f"{c.score:.2f}" + (f" ({c.note})" if c.note else ""))
        console.print(table)
        more = len(items) - limit
        console.print(tr(f"{len(items)} détections" + (f" ({more} non affichées : --limit)" if more > 0 else "") + ".",
                         f"{len(items)} detections" + (f" ({more} not shown: --limit)" if more > 0 else "") + "."))


@pseudo_app.command("accept")
@handle_errors
def accept_cmd(ids: List[int] = typer.Argument(..., help=tr("Numéros des détections.", "Detection numbers.")),
               project: Optional[Path] = ProjectOption) -> None:
    """Accepter des détections : elles seront remplacées par leur pseudonyme."""
    with open_project(project) as proj:
        n = accept(proj.store, ids)
        console.print(tr(f"{n} détections acceptées.", f"{n} detections accepted."))


@pseudo_app.command("reject")
@handle_errors
def reject_cmd(ids: List[int] = typer.Argument(..., help=tr("Numéros des détections.", "Detection numbers.")),
               project: Optional[Path] = ProjectOption) -> None:
    """Rejeter des détections (ce n'est pas une donnée personnelle : le texte reste tel quel)."""
    with open_project(project) as proj:
        n = reject(proj.store, ids)
        console.print(tr(f"{n} détections rejetées.", f"{n} detections rejected."))


@pseudo_app.command("edit")
@handle_errors
def edit_cmd(candidate: int = typer.Argument(..., help=tr("Numéro de la détection.", "Detection number.")),
             pseudonym: str = typer.Argument(..., help=tr("Le pseudonyme voulu.", "The pseudonym wanted.")),
             only_this: bool = typer.Option(False, "--only-this", help=tr(
                 "Ne changer que cette détection (sinon : la même personne partout).",
                 "Change this detection only (otherwise: the same person everywhere).")),
             project: Optional[Path] = ProjectOption) -> None:
    """Choisir un autre pseudonyme (pour la même personne dans tout le projet, et dans la clé)."""
    with open_project(project) as proj:
        n = edit_pseudonym(proj, candidate, pseudonym, everywhere=not only_this)
        console.print(tr(f"Pseudonyme changé dans {n} détections.", f"Pseudonym changed in {n} detections."))


@pseudo_app.command("add")
@handle_errors
def add_cmd(document: str = typer.Argument(..., help=tr("Nom ou numéro du document.", "Document name or number.")),
            words: str = typer.Argument(..., help=tr("Les mots à remplacer, tels qu'écrits dans le texte.",
                                                     "The words to replace, as written in the text.")),
            category: str = typer.Option("person", "--category", "-c", help=tr(
                "person, phone, email, nir ou address.", "person, phone, email, nir or address.")),
            project: Optional[Path] = ProjectOption) -> None:
    """Ajouter à la main ce que la détection a manqué : chaque occurrence des mots dans le document (acceptée)."""
    from ..errors import ExporterreError
    with open_project(project) as proj:
        doc = proj.store.get_document(int(document) if document.isdigit() else document)
        start, n = doc.text.find(words), 0
        while start >= 0:
            add_span(proj, doc.id, start, start + len(words), category)
            n += 1
            start = doc.text.find(words, start + len(words))
        if n == 0:
            raise ExporterreError(tr(f"« {words} » n'apparaît pas dans « {doc.name} ».",
                                     f"'{words}' does not occur in '{doc.name}'."),
                                  tr("Copiez les mots exactement comme dans le texte (exporterre pseudo show).",
                                     "Copy the words exactly as in the text (exporterre pseudo show)."))
        console.print(tr(f"{n} passages ajoutés et acceptés.", f"{n} passages added and accepted."))


@pseudo_app.command("show")
@handle_errors
def show_cmd(document: str = typer.Argument(..., help=tr("Nom ou numéro du document.", "Document name or number.")),
             project: Optional[Path] = ProjectOption) -> None:
    """Afficher le texte pseudonymisé d'un document (seules les détections acceptées sont appliquées)."""
    with open_project(project) as proj:
        pd = pseudonymised_document(proj.store, int(document) if document.isdigit() else document)
        console.print(printable(pd.text), markup=False, highlight=False)
        if pd.pending or pd.stale:
            console.print(tr(f"[yellow]{pd.pending} détections en attente non appliquées"
                             + (f", {len(pd.stale)} périmées (texte modifié)" if pd.stale else "") + ".[/]",
                             f"[yellow]{pd.pending} pending detections not applied"
                             + (f", {len(pd.stale)} stale (text changed)" if pd.stale else "") + ".[/]"))


@pseudo_app.command("export")
@handle_errors
def export_cmd(out: Path = typer.Option(..., "--out", help=tr("Dossier où écrire les textes.",
                                                              "Folder to write the texts into.")),
               strict: bool = typer.Option(False, "--strict", help=tr(
                   "Refuser l'export tant que des détections attendent une décision.",
                   "Refuse to export while detections wait for a decision.")),
               project: Optional[Path] = ProjectOption, force: bool = ForceOption) -> None:
    """Écrire les textes pseudonymisés (un .txt par document). La clé n'est jamais copiée."""
    from ..outputs import check_output
    from ..pseudo.review import text_file_name
    with open_project(project) as proj:
        check_output(out, kind="folder", force=force,
                     replaces=[text_file_name(d.name) for d in proj.store.list_documents()])
        with progress_bar(tr("Export", "Export")) as (callback, cancel):
            files = export_texts(proj, out, require_reviewed=strict, progress=callback, cancel=cancel)
        pending = len(proj.store.list_pseudo_candidates(status="pending"))
        console.print(tr(f"{len(files)} textes écrits dans {shown(out)}.", f"{len(files)} texts written to {shown(out)}."))
        if pending:
            console.print(tr(f"[yellow]Attention : {pending} détections en attente n'ont pas été appliquées.[/]",
                             f"[yellow]Warning: {pending} pending detections were not applied.[/]"))
