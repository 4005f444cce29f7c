"""Coder names: who codes, as the store records it (codings, decisions, memos, undo)."""
from __future__ import annotations

import re

from .errors import ExporterreError
from .i18n import tr

CODER_RE = re.compile(r"^[\w.@-]{1,40}$")
RESERVED_CODERS = ("machine", "codebook", "import", "human")


def check_coder(name: str) -> str:
    """``name`` stripped, or ExporterreError: a short identifier, not one of the program's own actors."""
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
