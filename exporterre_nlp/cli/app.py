"""The Typer application and what every command shares.

Commands live in sibling modules (corpus, codebook, analyse, themes, report,
code) and register themselves on :data:`app`. A command parses its arguments,
calls the library, and prints; it holds no SQL and no NLP logic.
"""
from __future__ import annotations

import functools
import json
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import typer
import typer.core
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import ExporterreError
from ..i18n import set_language, tr
from ..project import Project
from .click_fr import apply_language

def _translated_help_option(original):
    """Click's own help option says "Show this message and exit." in English."""
    def get_help_option(self, ctx):
        option = original(self, ctx)
        if option is not None:
            option.help = tr("Afficher cette aide et quitter.", "Show this message and exit.")
        return option
    return get_help_option


for _cls in (typer.core.TyperCommand, typer.core.TyperGroup):
    if not getattr(_cls.get_help_option, "_exporterre", False):
        _cls.get_help_option = _translated_help_option(_cls.get_help_option)
        _cls.get_help_option._exporterre = True

apply_language()
app = typer.Typer(
    name="exporterre",
    help=tr("Exporterre : analyse qualitative d'entretiens en français — importer un corpus, "
            "analyser, coder au terminal, résumer et comparer les phases de terrain.",
            "Exporterre: qualitative analysis of French interviews — import a corpus, analyse, "
            "code in the terminal, summarise and compare fieldwork phases."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

PROJECT_HELP = tr("Dossier du projet (créé par « exporterre init »). Par défaut : $EXPORTERRE_PROJECT.",
                  "Project folder (made by 'exporterre init'). Default: $EXPORTERRE_PROJECT.")
JSON_HELP = tr("Sortie JSON (pour un script ou un tableur).", "JSON output (for a script or spreadsheet).")

ProjectOption = typer.Option(None, "--project", "-p", help=PROJECT_HELP, envvar="EXPORTERRE_PROJECT",
                             show_envvar=False)
ForceOption = typer.Option(False, "--force", help=tr(
    "Remplacer le(s) fichier(s) de sortie qui existent déjà (sans --force, rien n'est écrasé).",
    "Replace output file(s) that already exist (without --force nothing is overwritten)."))


def shown(value: Any) -> str:
    """A file name or participant text as printed: no Rich markup, no control or escape sequences."""
    from rich.markup import escape
    from ..outputs import printable
    return escape(printable(str(value)))


@app.callback()
def _root(lang: Optional[str] = typer.Option(None, "--lang", help=tr("Langue des messages : fr ou en.",
                                                                      "Message language: fr or en."))) -> None:
    if lang:
        set_language(lang)
    apply_language()


def handle_errors(func: Callable) -> Callable:
    """Print library errors as one clear message and exit with status 1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ExporterreError as exc:
            err_console.print(f"[bold red]{tr('Erreur :', 'Error:')}[/] {shown(exc.message)}", highlight=False)
            if exc.hint:
                err_console.print(f"→ {shown(exc.hint)}", highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print(tr("Interrompu : rien de partiel n'a été gardé.", "Interrupted: nothing partial was kept."))
            raise typer.Exit(130) from None
    return wrapper


def open_project(path: Path | None) -> Project:
    project = Project.open(path)
    saved = project.store.backup_path
    if saved is not None:
        err_console.print(tr(f"Projet mis à jour vers le nouveau schéma ; copie de l'ancien : {shown(saved)}",
                             f"Project upgraded to the new schema; copy of the old one: {shown(saved)}"),
                          highlight=False)
    return project


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[tuple[Callable, threading.Event]]:
    """A rich progress bar; yields ``(callback, cancel_event)`` for the library.

    The callback accepts a :class:`~exporterre_nlp.records.Progress` or
    ``(done, total, label)``. Ctrl-C sets the cancel event.
    """
    cancel = threading.Event()
    if not enabled:
        yield (lambda *a, **k: None), cancel
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done=None, total=None, text: str | None = None):
            if hasattr(done, "done"):
                done, total, text = done.done, done.total, done.label
            bar.update(task, completed=done, total=total or None,
                       description=f"{label} {text}" if text else label)
        try:
            yield update, cancel
        except KeyboardInterrupt:
            cancel.set()
            raise
