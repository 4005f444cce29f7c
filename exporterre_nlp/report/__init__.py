"""Reports: Markdown, self-contained HTML, CSV/XLSX tables, PNG charts and a run manifest.

``write_report(project, out)`` writes::

    out/rapport.md            the report (French by default)
    out/rapport.html          the same, one self-contained file
    out/tableaux/*.csv        every table (codes_par_phase.csv has counts, specificities, residuals)
    out/tableaux.xlsx         the same tables, one sheet each
    out/graphiques/*.png      codes × phase bars, code × phase heat map, theme sizes
    out/manifest.json         versions, settings, seed, input hashes, runs, coders, file hashes
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .. import i18n
from ..i18n import tr
from ..outputs import StagedFolder, check_output
from ..records import Progress
from .builder import build_report_data
from .charts import write_charts
from .html import render_html
from .manifest import add_files, build_manifest
from .markdown import render_markdown
from .model import ReportData, Table
from .annexes import page
from .layout import _section
from .pseudo import manifest_part, pseudo_banner, pseudo_statement
from .tables import all_tables, safe_cell, write_csv, write_xlsx


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    files: list[Path]
    data: ReportData

    @property
    def markdown(self) -> Path:
        return self.folder / "rapport.md"

    @property
    def html(self) -> Path:
        return self.folder / "rapport.html"


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Use ``lang`` for the texts written inside, then return to the previous choice."""
    if lang is None:
        yield
        return
    previous = i18n._language
    i18n.set_language(lang)
    try:
        yield
    finally:
        i18n.set_language(previous)


def pending_banner(data: ReportData) -> str | None:
    if not data.include_pending:
        return None
    return tr("Ce rapport inclut des suggestions de la machine non validées (en attente) : ses chiffres ne sont pas "
              "ceux des seules décisions de l'équipe.",
              "This report includes machine suggestions not yet reviewed (pending): its figures are not those of "
              "the team's decisions alone.")


TABLE_NAMES = ("codes_par_phase", "codes_par_phase_participants", "codes_par_lieu", "codes_resume", "citations",
               "couverture", "desaccords",
               "besoins_competences", "lemmes_par_phase", "themes_par_phase", "extractions", "accord", "lieux")


REPORT_FILES = ("rapport.md", "rapport.html", "tableaux.xlsx", "manifest.json", "tableaux", "graphiques", "lieux")


def _previous_files(out: Path) -> list[str]:
    """The files the previous report here wrote (its manifest's list), replaced or removed by this one only
    once this one is complete; files the manifest does not list are left alone."""
    try:
        files = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError, AttributeError):
        return []
    return [name for name in files if isinstance(name, str)] + ["manifest.json"]


def banner_of(data: ReportData) -> str | None:
    """The warning on top of every page (pending suggestions counted, pseudonymisation incomplete)."""
    found = [b for b in (pending_banner(data), pseudo_banner(data)) if b]
    return " ".join(found) or None


def write_report(project, out: str | Path, *, include_pending: bool | None = None, lang: str | None = None,
                 include_interviewer: bool | None = None, lemmatise=None, pseudonymise: bool = False,
                 progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None, unit: str | None = None,
                 rule: str | None = None) -> ReportResult:
    """Compute and write the whole report of ``project`` into the folder ``out``.

    ``pseudonymise``: show participants' words with the accepted pseudonyms (``exporterre pseudo``)."""
    # Refuses the project's own files and a file where the folder goes (the CLI asks for --force before).
    out = check_output(out, kind="folder", force=True)
    with language(lang):
        data = build_report_data(project, include_pending=include_pending, include_interviewer=include_interviewer,
                                 lemmatise=lemmatise, pseudonymise=pseudonymise, progress=progress, cancel=cancel,
                                 unit=unit, rule=rule)
        # Everything is written into a hidden folder inside ``out`` first, then moved into place (manifest
        # last): a kill leaves the previous report whole; it is replaced only by a complete new one.
        staged = StagedFolder(out, marker="manifest.json")
        try:
            stage = staged.stage
            files: list[Path] = []
            charts = write_charts(data, stage / "graphiques")
            from ..places.render import report_places
            places, places_section, places_table, map_png = report_places(
                project, stage, include_pending=data.include_pending, pseudonymise=pseudonymise)
            if places is not None:
                files += places.files
            if map_png is not None:
                charts["carte_lieux.png"] = map_png
            files += charts.values()
            tables = all_tables(data) + ([places_table] if places_table is not None else [])
            files += [write_csv(t, staged.path(f"tableaux/{t.name}.csv")) for t in tables]
            banner = banner_of(data)
            sheet_note = " ".join(x for x in (banner, pseudo_statement(data)) if x) or None
            files.append(write_xlsx(tables, stage / "tableaux.xlsx", note=sheet_note))
            data.manifest = {**data.manifest, **build_manifest(project, data), **manifest_part(data)}
            sections = page(data, set(charts))
            framed = _section(data, places_section.anchor, places_section.title)   # the page's warnings first
            framed.blocks += places_section.blocks
            sections.insert(len(sections) - 1, framed)                 # before the method section
            (stage / "rapport.md").write_text(render_markdown(data.title, sections, banner=banner), encoding="utf-8")
            (stage / "rapport.html").write_text(render_html(data.title, sections, images=charts, banner=banner),
                                                encoding="utf-8")
            files += [stage / "rapport.md", stage / "rapport.html"]
            manifest = add_files(dict(data.manifest), stage, files)
            (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
                                                 + "\n", encoding="utf-8")
        except BaseException:
            staged.discard()
            raise
        staged.publish(previous=_previous_files(out))
        files = [out / p.relative_to(stage) for p in files] + [out / "manifest.json"]
    return ReportResult(out, files, data)


__all__ = ["ReportResult", "ReportData", "Table", "build_report_data", "write_report", "REPORT_FILES", "safe_cell", "all_tables"]
