"""``exporterre code``: open the terminal coding interface for one coder."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

import typer

from ..errors import ExporterreError
from ..i18n import set_language, tr
from .app import ProjectOption, app, handle_errors, open_project

CODER_RE = re.compile(r"^[\w.@-]{1,40}$")
RESERVED_CODERS = ("machine", "codebook", "import", "human")


def check_coder(name: str) -> str:
    name = (name or "").strip()
    if not CODER_RE.match(name):
        raise ExporterreError(
            tr(f"Nom de codeur invalide : « {name} ».", f"Invalid coder name: '{name}'."),
            tr("Utilisez un identifiant court sans espace (lettres, chiffres, . _ - @), p. ex. --coder amina.",
               "Use a short identifier without spaces (letters, digits, . _ - @), e.g. --coder amina."))
    if name.lower() in RESERVED_CODERS:
        raise ExporterreError(
            tr(f"« {name} » est réservé au programme.", f"'{name}' is reserved for the program."),
            tr("Choisissez votre propre nom de codeur, p. ex. --coder amina.",
               "Choose your own coder name, e.g. --coder amina."))
    return name


@app.command("code")
@handle_errors
def code(
    project: Optional[Path] = ProjectOption,
    coder: str = typer.Option(
        ..., "--coder", "-c", envvar="EXPORTERRE_CODER",
        help=tr("Votre nom de codeur : vos codages, décisions et mémos sont à ce nom ; « u » annule vos "
                "actions, même après redémarrage. Par défaut : $EXPORTERRE_CODER.",
                "Your coder name: your codings, decisions and memos carry it; 'u' undoes your actions, even "
                "after a restart. Default: $EXPORTERRE_CODER.")),
    document: Optional[str] = typer.Option(
        None, "--document", "-d", help=tr("Ouvrir directement ce document (son nom).",
                                          "Open this document directly (its name).")),
    lang: Optional[str] = typer.Option(None, "--lang", help=tr("Langue de l'interface : fr ou en.",
                                                               "Interface language: fr or en.")),
) -> None:
    """Ouvre l'interface de codage au terminal : lire les entretiens segment par segment, coder, écrire des
    mémos, valider les suggestions de la machine. « ? » dans l'interface liste toutes les touches."""
    if lang:
        if lang not in ("fr", "en"):
            raise ExporterreError(tr(f"Langue inconnue : « {lang} ».", f"Unknown language: '{lang}'."),
                                  tr("Choisissez fr ou en.", "Choose fr or en."))
        set_language(lang)
        os.environ["EXPORTERRE_LANG"] = lang
    name = check_coder(coder)
    proj = open_project(project)
    try:
        if document is not None:
            proj.store.get_document(document)          # a clear error before the screen opens
        from exporterre_tui import run_app            # Textual is imported only by this command
        run_app(proj, name, document=document)
    finally:
        proj.close()
