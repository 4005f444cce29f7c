"""Themes: BERTopic over the residents' words, French, offline, reproducible, crosswalked to the codebook.

Public API (shells call these):

- :func:`fit_themes` — fit, store the run and its theme-level crosswalk to codes (never codings);
- :func:`decide_link` — a person accepts or rejects "theme T resembles code C" for the whole theme;
- :func:`compare_themes` — theme × phase (or lieu) with Lafon specificities, by participants or units;
- :func:`theme_overview`, :func:`theme_detail`, :func:`theme_table`, :func:`theme_assignments`
  — read a run back (typed records with ``to_dict()``);
- :func:`export_themes` — CSV tables, HTML and PNG charts;
- :func:`resolve_run`, :func:`load_model`.

BERTopic and spaCy are imported lazily, inside the functions that need them.
"""
from __future__ import annotations

from ..store.themes import ThemeClassCount, ThemeCodeCell, ThemeCodeScore, ThemeQuote, ThemeRecord, ThemeUnit
from .compare import ThemeComparison, compare_themes
from .export import export_themes
from .links import accepted_links, decide_link
from .pipeline import RUN_KIND, ThemeFitResult, find_reusable_run, fit_themes, load_model, theme_settings
from .results import (ThemeDetail, ThemeOverview, ThemeSummary, ThemeTable, assignment_rows, resolve_run,
                      theme_assignments, theme_detail, theme_overview, theme_table)

__all__ = [
    "RUN_KIND", "ThemeFitResult", "ThemeComparison", "compare_themes", "accepted_links", "decide_link", "fit_themes", "find_reusable_run", "load_model", "theme_settings",
    "export_themes", "ThemeDetail", "ThemeOverview", "ThemeSummary", "ThemeTable", "assignment_rows",
    "resolve_run", "theme_assignments", "theme_detail", "theme_overview", "theme_table",
    "ThemeClassCount", "ThemeCodeCell", "ThemeCodeScore", "ThemeQuote", "ThemeRecord", "ThemeUnit",
]
