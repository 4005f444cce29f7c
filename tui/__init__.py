"""Exporterre's terminal UI (Textual), installed as ``exporterre_tui``.

Start it with ``exporterre code --project P --coder NAME`` or
``run_app(Project.open(P), "NAME")``. The UI only renders and calls the
library (``exporterre_nlp``): no SQL and no NLP here.
"""
from .app import ExporterreApp, run_app

__all__ = ["ExporterreApp", "run_app"]
