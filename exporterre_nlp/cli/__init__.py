"""Command-line interface: ``exporterre <command>``.

Each sibling module registers its commands on :data:`app.app`. Help texts are
built when the modules are imported, so the language is settled first: from
``--lang`` on the command line, else ``EXPORTERRE_LANG``, else French.
"""
from __future__ import annotations

import importlib
import sys

from ..i18n import get_language, set_language


def _language_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


_lang = _language_from_argv(sys.argv[1:]) if sys.argv and sys.argv[0].endswith("exporterre") else None
if _lang in ("fr", "en"):
    set_language(_lang)

from .app import app  # noqa: E402  (after the language is known)
from .help_en import COMMAND_HELP_EN  # noqa: E402

# Command modules, in the order of `exporterre --help`. A module that is not
# written yet is skipped, so the CLI always starts.
_COMMAND_MODULES = ("corpus", "codebook", "analyse", "pseudo", "themes", "code", "report", "exchange", "places")
for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:   # pragma: no cover - only while a module is absent
        if exc.name != f"{__name__}.{_name}":
            raise


def _use_english_help(typer_app, prefix: str = "") -> None:
    """Commands documented by a French docstring get their English help here."""
    for info in typer_app.registered_commands:
        name = prefix + (info.name or info.callback.__name__)
        if name in COMMAND_HELP_EN and not info.help:
            info.help = COMMAND_HELP_EN[name]
    for group in typer_app.registered_groups:
        _use_english_help(group.typer_instance, f"{prefix}{group.name} ")


if get_language() == "en":
    _use_english_help(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
