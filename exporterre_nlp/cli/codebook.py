"""``exporterre codebook …``: validate and inspect codebooks."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.tree import Tree

from ..codebook import check_codebook, load_codebook
from ..i18n import tr
from .app import app, console, err_console, handle_errors

codebook_app = typer.Typer(help=tr("Livres de codes (YAML) : vérifier, afficher.",
                                   "Codebooks (YAML): check, show."), no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")


@codebook_app.command("check", help=tr(
    "Vérifie un livre de codes : clés uniques, parents connus, motifs valides (avec numéros de ligne).",
    "Check a codebook: unique keys, known parents, valid patterns (with line numbers)."))
@handle_errors
def check(path: Path = typer.Argument(..., help=tr("Fichier YAML du livre de codes.", "Codebook YAML file."),
                                      exists=True, dir_okay=False)) -> None:
    problems = check_codebook(path)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        where = f"{path}:{p.line}" if p.line else str(path)
        colour = "red" if p.severity == "error" else "yellow"
        label = tr("erreur", "error") if p.severity == "error" else tr("attention", "warning")
        err_console.print(f"[{colour}]{where}: {label}[/] : {p.message}", highlight=False)
    if errors:
        err_console.print(tr(f"{len(errors)} erreur(s) : corrigez-les puis relancez la vérification.",
                             f"{len(errors)} error(s): fix them and check again."))
        raise typer.Exit(1)
    book = load_codebook(path)
    console.print(tr(f"[green]OK[/] {path} : {len(book.codes)} codes, {len(book.rules)} règles d'extraction, "
                     f"{len(book.gazetteer)} lieux.",
                     f"[green]OK[/] {path}: {len(book.codes)} codes, {len(book.rules)} extraction rules, "
                     f"{len(book.gazetteer)} places."), highlight=False)


@codebook_app.command("show", help=tr("Affiche l'arbre des codes avec leurs définitions.", "Show the code tree with definitions."))
@handle_errors
def show(path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                     help=tr("Fichier YAML du livre de codes.", "Codebook YAML file."))) -> None:
    book = load_codebook(path)
    tree = Tree(f"[bold]{book.name}[/]")
    nodes = {}
    for code in book.codes:
        parent = nodes.get(code.parent, tree)
        nodes[code.key] = parent.add(f"[bold]{code.label}[/] [dim]{code.key}[/]"
                                     + (f" — {code.definition}" if code.definition else ""))
    console.print(tree)
