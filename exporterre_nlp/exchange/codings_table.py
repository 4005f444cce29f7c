"""Codings as a spreadsheet (CSV or XLSX): one row per coding, with its context and words.

Columns: document, phase, lieu, speaker, role, participant, start, end, code,
coder, status, origin, text — ``text`` is ``document.text[start:end]``. Cells
starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) get a leading
apostrophe so that no spreadsheet runs them as formulas. The CSV is UTF-8 with a
byte-order mark (Excel then reads the accents right).
"""
from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import ExporterreError
from ..i18n import tr
from ..outputs import atomic_path, check_output
from ..records import Progress
from .context import ProjectContext, each_document
from .names import safe_cell
from .results import ExportResult
from .selection import chosen_codings
from ..pseudo.view import TextView

COLUMNS = ("document", "phase", "lieu", "speaker", "role", "participant", "start", "end", "code", "coder",
           "status", "origin", "text")


def coding_rows(project, *, coders: Iterable[str] | None = None, include_pending: bool = False,
                pseudonymise: bool = False,
                progress: Callable[[Progress], None] | None = None,
                cancel: threading.Event | None = None) -> list[list[Any]]:
    """The rows (not yet neutralised), in corpus order. ``start``/``end`` always point into the
    stored text (provenance); with ``pseudonymise`` the words and speaker are pseudonymised."""
    return _rows(project, TextView(project.store, pseudonymise), coders, include_pending, progress, cancel)


def _rows(project, view: TextView, coders, include_pending, progress, cancel) -> list[list[Any]]:
    ctx = ProjectContext(project.store)
    codings = chosen_codings(project.store, coders=coders, include_pending=include_pending)
    by_doc: dict[int, list] = {}
    for c in codings:
        by_doc.setdefault(c.document_id, []).append(c)
    rows = []
    ids = [d for d in ctx.documents() if d in by_doc]
    for doc_id in each_document(ids, progress, cancel):
        dc = ctx.document(doc_id)
        doc = dc.document
        text = view.text(doc)
        segments = {s.id: s for s in dc.segments}
        for c in by_doc[doc_id]:
            seg = segments.get(c.segment_id) or dc.segment_at(c.start)
            s, e = view.span(doc, c.start, c.end)
            rows.append([doc.name, doc.phase, doc.lieu or "",
                         view.speaker(doc, seg.speaker if seg else None) or "", (seg.role if seg else None) or "",
                         dc.participant_of(seg) or "", c.start, c.end, ctx.key_of[c.code_id], c.coder,
                         c.status, c.origin, text[s:e]])
    if progress:
        progress(Progress(len(ids), len(ids), ""))
    return rows


def export_codings(project, out: str | Path, *, coders: Iterable[str] | None = None, include_pending: bool = False,
                   pseudonymise: bool = False, progress: Callable[[Progress], None] | None = None,
                   cancel: threading.Event | None = None) -> ExportResult:
    """Write the codings to ``out``: ``.csv`` or ``.xlsx`` (by the suffix)."""
    out = check_output(out, force=True)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExporterreError(tr(f"Format inconnu pour {out.name} : l'export des codages écrit du .csv ou du .xlsx.",
                                 f"Unknown format for {out.name}: the codings export writes .csv or .xlsx."),
                              tr("Donnez un nom de fichier finissant par .csv ou .xlsx.",
                                 "Give a file name ending in .csv or .xlsx."))
    view = TextView(project.store, pseudonymise)
    rows = [[safe_cell(v) for v in row] for row in _rows(project, view, coders, include_pending, progress, cancel)]
    with atomic_path(out) as tmp:
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(COLUMNS)
                writer.writerows(rows)
        else:
            from openpyxl import Workbook
            book = Workbook()
            sheet = book.active
            sheet.title = tr("codages", "codings")
            sheet.append(list(COLUMNS))
            for row in rows:
                sheet.append(row)
            book.save(tmp)
    coders = tuple(sorted({r[9] for r in rows}))
    return ExportResult(out, documents=len({r[0] for r in rows}), codes=len({r[8] for r in rows}),
                        codings=len(rows), coders=coders,
                        warnings=tuple(view.warnings))
