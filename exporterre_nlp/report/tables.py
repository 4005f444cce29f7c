"""The report's tables, and writing them as CSV files and one XLSX workbook.

Spreadsheet safety: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) would run as a formula in Excel or LibreOffice, so it is
written with a leading apostrophe (OWASP "CSV injection"). Numbers stay numbers.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..i18n import tr
from .model import ReportData, Table

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def _statuses(data: ReportData) -> str:
    return "manual+accepted+pending" if data.include_pending else "manual+accepted"


def _pseudo_mark(data: ReportData) -> list[str]:
    """The last cell of a quote row in a pseudonymised report: says whether anything was left unreplaced."""
    if not data.pseudo:
        return []
    if data.pseudo["warnings"]:
        return [tr("INCOMPLÈTE : ", "INCOMPLETE: ") + " ".join(data.pseudo["warnings"])]
    return [tr("pseudonymisée (positions : texte d'origine)", "pseudonymised (positions: original text)")]


def code_phase_table(data: ReportData) -> Table:
    t, s = data.phase_table, data.phase_specificity
    phases = t.columns
    columns = [tr("code", "code"), tr("libellé", "label"), tr("niveau", "level"), tr("branche", "branch")]
    columns += [f"n_{p}" for p in phases] + ["total"] + [f"spec_{p}" for p in phases]
    columns += [f"residu_{p}" if data.language == "fr" else f"residual_{p}" for p in phases]
    columns += [f"signe_{p}" if data.language == "fr" else f"flag_{p}" for p in phases]
    columns += [tr("statuts_comptés", "statuses_counted")]
    rows = []
    for i, key in enumerate(t.rows):
        rows.append([key, t.labels[key], t.depth[key], tr("oui", "yes") if t.branch[key] else "",
                     *t.counts[i], t.row_totals[i], *s.scores[i], *s.residuals[i], *s.flags[i], _statuses(data)])
    rows.append([tr("(segments de la phase)", "(segments in phase)"), "", "", "", *t.column_totals, t.total,
                 *[""] * (3 * len(phases)), _statuses(data)])
    return Table("codes_par_phase", tr("Codes × phases (segments) : effectifs et spécificités",
                                       "Codes × phases (segments): counts and specificities"), columns, rows)


def contingency_table(name: str, title: str, t, spec, data: ReportData) -> Table:
    columns = [tr("code", "code"), tr("libellé", "label")] + list(t.column_labels or t.columns) + ["total"]
    if spec is not None:
        columns += [f"spec · {c}" for c in (t.column_labels or t.columns)]
    columns += [tr("statuts_comptés", "statuses_counted")]
    rows = []
    for i, key in enumerate(t.rows):
        rows.append([key, t.labels[key], *t.counts[i], t.row_totals[i], *(spec.scores[i] if spec else []),
                     _statuses(data)])
    unit = tr("segments", "segments") if t.unit == "segments" else tr("participants", "participants")
    rows.append([tr(f"({unit} de la colonne)", f"({unit} in column)"), "", *t.column_totals, t.total,
                 *([""] * len(t.columns) if spec else []), _statuses(data)])
    return Table(name, title, columns, rows)


def all_tables(data: ReportData) -> list[Table]:
    """Every table of the report, in the order of the page."""
    tables = [code_phase_table(data),
              contingency_table("codes_par_phase_participants",
                                tr("Codes × phases (participants)", "Codes × phases (participants)"),
                                data.phase_participants, None, data),
              contingency_table("codes_par_lieu", tr("Codes × lieux (segments)", "Codes × places (segments)"),
                                data.lieu_table, data.lieu_specificity, data)]
    summary = Table("codes_resume", tr("Codes : segments, documents, participants", "Codes: segments, documents,"
                                       " participants"),
                    [tr("code", "code"), tr("libellé", "label"), "segments", "documents", "participants",
                     tr("codages", "codings")] + [f"segments_{p}" for p in ("1", "2", "3")]
                    + [f"participants_{p}" for p in ("1", "2", "3")] + [tr("lemmes", "lemmas")], [])
    quotes = Table("citations", tr("Citations retenues", "Selected quotes"),
                   [tr("code", "code"), "document", tr("locuteur", "speaker"), tr("participant", "participant"),
                    "phase", tr("lieu", "place"), "segment", tr("début", "start"), tr("fin", "end"),
                    tr("citation", "quote")] + ([tr("pseudonymisation", "pseudonymisation")] if data.pseudo else []), [])
    mark = _pseudo_mark(data)
    for s in data.code_sheets:
        f = s.figures
        summary.rows.append([s.key, s.label, f.segments, f.documents, f.participants, f.codings,
                             *[f.by_phase.get(p, {}).get("segments", 0) for p in ("1", "2", "3")],
                             *[f.by_phase.get(p, {}).get("participants", 0) for p in ("1", "2", "3")],
                             ", ".join(x.lemma for x in s.lemmas)])
        for q in s.quotes:
            quotes.rows.append([s.key, q.document, q.speaker or "", q.voice, q.phase, q.lieu or "", q.position,
                                q.start, q.end, q.display] + mark)
    tables += [summary, quotes]
    matching = Table("besoins_competences", tr("Besoins ↔ compétences et ressources, par domaine",
                                               "Needs ↔ skills and resources, by domain"),
                     [tr("domaine", "domain")] + [tr(f"besoins_{p}", f"needs_{p}") for p in ("1", "2", "3")]
                     + [tr(f"offres_{p}", f"offers_{p}") for p in ("1", "2", "3")]
                     + [tr("voix_besoins", "voices_needs"), tr("voix_offres", "voices_offers"),
                        tr("codes_besoins", "need_codes"), tr("codes_offres", "offer_codes"),
                        tr("manque", "gap")], [])
    for m in data.matching:
        matching.rows.append([m.domain, *[m.need_segments.get(p, 0) for p in ("1", "2", "3")],
                              *[m.offer_segments.get(p, 0) for p in ("1", "2", "3")],
                              len(m.need_voices), len(m.offer_voices), ", ".join(m.needs), ", ".join(m.offers),
                              tr("oui", "yes") if m.gap else ""])
    tables.append(matching)
    if data.lemma_specificity is not None:
        ls = data.lemma_specificity
        tables.append(Table("lemmes_par_phase", tr("Lemmes × phases (occurrences) : spécificités",
                                                   "Lemmas × phases (tokens): specificities"),
                            [tr("lemme", "lemma")] + [f"n_{p}" for p in ls.columns] + ["total"]
                            + [f"spec_{p}" for p in ls.columns],
                            [[w, *ls.counts[i], ls.row_totals[i], *ls.scores[i]] for i, w in enumerate(ls.rows)]))
    if data.themes and data.theme_specificity is not None:
        ts = data.theme_specificity
        tables.append(Table("themes_par_phase", tr("Thèmes × phases (unités analysées)",
                                                   "Themes × phases (analysed units)"),
                            [tr("thème", "theme"), tr("libellé", "label"), tr("taille", "size")]
                            + [f"n_{p}" for p in ts.columns] + [f"spec_{p}" for p in ts.columns]
                            + [tr("mots", "words"), tr("codes_proches", "closest_codes")],
                            [[t.id, t.label, t.size, *[t.by_phase.get(p, 0) for p in ts.columns],
                              *[t.scores.get(p, 0.0) for p in ts.columns], ", ".join(t.words),
                              ", ".join(f"{k} ({s})" for k, _, s in t.codes)] for t in data.themes]))
    if data.extraction:
        tables.append(Table("extractions", tr("Extractions automatiques par catégorie et phase",
                                              "Automatic extractions by category and phase"),
                            [tr("catégorie", "category"), "phase", tr("en_attente", "pending"),
                             tr("acceptées", "accepted"), tr("rejetées", "rejected"), tr("objets", "objects")],
                            [[r.category, r.phase, r.pending, r.accepted, r.rejected,
                              ", ".join(f"{o} ({n})" for o, n in r.top_objects)] for r in data.extraction]))
    if data.agreement:
        rows = [[p.rater_a, p.rater_b, c.code, c.label, c.units, c.both, c.only_a, c.only_b, c.neither,
                 c.kappa if c.kappa is not None else "", c.alpha if c.alpha is not None else ""]
                for p in data.agreement for c in p.codes]
        tables.append(Table("accord", tr("Accord entre codeurs (par code, unité : segment)",
                                         "Agreement between coders (per code, unit: segment)"),
                            [tr("codeur_a", "coder_a"), tr("codeur_b", "coder_b"), tr("code", "code"),
                             tr("libellé", "label"), "segments", tr("les_deux", "both"), tr("a_seul", "a_only"),
                             tr("b_seul", "b_only"), tr("aucun", "neither"), "kappa", "alpha"], rows))
    return tables


def write_csv(table: Table, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(c) for c in table.columns])
        for row in table.rows:
            writer.writerow([safe_cell(v) for v in row])
    return path


def write_xlsx(tables: list[Table], path: Path, *, note: str | None = None) -> Path:
    """One sheet per table; ``note`` (e.g. pending suggestions included) heads every sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        ws.append([safe_cell(table.title)])
        ws["A1"].font = Font(bold=True)
        ws.append([safe_cell(note)] if note else [])
        ws.append([safe_cell(c) for c in table.columns])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([safe_cell(v) for v in row])
        ws.freeze_panes = "A4"
    wb.save(path)
    return path
