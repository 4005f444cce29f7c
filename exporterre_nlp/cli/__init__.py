"""Command-line interface: ``exporterre <command>``.

Each sibling module registers its commands on :data:`app.app`.
"""
from __future__ import annotations

import importlib

from .app import app

# Command modules, in the order of `exporterre --help`. A module that is not
# written yet is skipped, so the CLI always starts.
_COMMAND_MODULES = ("corpus", "codebook", "analyse", "pseudo", "themes", "code", "report", "exchange")
for _name in _COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:   # pragma: no cover - only while a module is absent
        if exc.name != f"{__name__}.{_name}":
            raise


def main() -> None:
    app()


__all__ = ["app", "main"]
