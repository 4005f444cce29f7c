"""``exporterre code``: open the terminal coding interface for one coder."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from ..coders import CODER_RE, RESERVED_CODERS, check_coder  # noqa: F401  (re-exported)
from ..errors import ExporterreError
from ..i18n import set_language, tr
from .app import ProjectOption, app, handle_errors, open_project


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
    blind: bool = typer.Option(False, "--blind", help=tr(
        "Mode aveugle (double codage) : les codages et la progression des autres codeurs restent cachés.",
        "Blind mode (double coding): the other coders' codings and progress stay hidden.")),
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
        run_app(proj, name, document=document, blind=blind)
    finally:
        proj.close()
