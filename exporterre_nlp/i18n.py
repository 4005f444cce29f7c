"""User-facing language: French by default, English on request.

Messages are written next to the code that raises or prints them, in both
languages: ``tr("Fichier illisible", "Unreadable file")``. The language comes from
``EXPORTERRE_LANG`` (``fr`` or ``en``) or from :func:`set_language`.
"""
from __future__ import annotations

import os

_SUPPORTED = ("fr", "en")
_language: str | None = None


def get_language() -> str:
    if _language is not None:
        return _language
    env = os.environ.get("EXPORTERRE_LANG", "fr").strip().lower()[:2]
    return env if env in _SUPPORTED else "fr"


def set_language(lang: str | None) -> None:
    """Force the language (``None`` returns to the environment's choice)."""
    global _language
    if lang is not None and lang not in _SUPPORTED:
        raise ValueError(f"language must be one of {_SUPPORTED}, not {lang!r}")
    _language = lang


def tr(fr: str, en: str) -> str:
    """Pick the French or English text according to the current language."""
    return en if get_language() == "en" else fr
