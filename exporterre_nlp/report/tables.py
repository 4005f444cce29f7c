"""The report's tables, and writing them as CSV files and one XLSX workbook.

Spreadsheet safety: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) would run as a formula in Excel or LibreOffice, so it is
written with a leading apostrophe (OWASP "CSV injection"). Numbers stay numbers.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..analysis.corpus import phase_label
from ..i18n import tr
from ..analysis.specificity import table_specificities
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


def _not_coded() -> str:
    return tr("non codé", "not coded")


def phase_counts_table(name: str, title: str, t, s, data: ReportData) -> Table:
    """Codes × phases in one unit: counts ("non codé" where no document is covered), covered totals,
    specificities, residuals and flags."""
    phases = t.columns
    columns = [tr("code", "code"), tr("libellé", "label"), tr("niveau", "level"), tr("branche", "branch")]
    columns += [f"n_{p}" for p in phases] + ["total"]
    columns += [tr(f"couverts_{p}", f"covered_{p}") for p in phases]
    columns += [f"spec_{p}" for p in phases]
    columns += [f"residu_{p}" if data.language == "fr" else f"residual_{p}" for p in phases]
    columns += [f"signe_{p}" if data.language == "fr" else f"flag_{p}" for p in phases]
    columns += [tr("unité", "unit"), tr("statuts_comptés", "statuses_counted")]
    rows = []
    for i, key in enumerate(t.rows):
        covered = [t.is_covered(i, j) for j in range(len(phases))]
        cell_totals = t.cell_totals[i] if t.cell_totals else t.column_totals
        rows.append([key, t.labels[key], t.depth[key], tr("oui", "yes") if t.branch[key] else "",
                     *[n if c else _not_coded() for n, c in zip(t.counts[i], covered)], t.row_totals[i],
                     *cell_totals,
                     *[x if c else "" for x, c in zip(s.scores[i], covered)],
                     *[x if c else "" for x, c in zip(s.residuals[i], covered)],
                     *s.flags[i], t.unit, _statuses(data)])
    rows.append([tr(f"({t.unit} de la phase)", f"({t.unit} in phase)"), "", "", "", *t.column_totals, t.total,
                 *[""] * (4 * len(phases)), t.unit, _statuses(data)])
    return Table(name, title, columns, rows)


def code_phase_table(data: ReportData) -> Table:
    return phase_counts_table("codes_par_phase", tr("Codes × phases (segments) : effectifs et spécificités",
                                                    "Codes × phases (segments): counts and specificities"),
                              data.phase_table, data.phase_specificity, data)


def contingency_table(name: str, title: str, t, spec, data: ReportData) -> Table:
    columns = [tr("code", "code"), tr("libellé", "label")] + list(t.column_labels or t.columns) + ["total"]
    if spec is not None:
        columns += [f"spec · {c}" for c in (t.column_labels or t.columns)]
    columns += [tr("statuts_comptés", "statuses_counted")]
    rows = []
    for i, key in enumerate(t.rows):
        covered = [t.is_covered(i, j) for j in range(len(t.columns))]
        rows.append([key, t.labels[key], *[n if c else _not_coded() for n, c in zip(t.counts[i], covered)],
                     t.row_totals[i], *([x if c else "" for x, c in zip(spec.scores[i], covered)] if spec else []),
                     _statuses(data)])
    unit = tr("segments", "segments") if t.unit == "segments" else tr("participants", "participants")
    rows.append([tr(f"({unit} de la colonne)", f"({unit} in column)"), "", *t.column_totals, t.total,
                 *([""] * len(t.columns) if spec else []), _statuses(data)])
    return Table(name, title, columns, rows)


def coverage_table(data: ReportData) -> Table:
    rows = []
    for r in data.coverage:
        rows.append([data.code_labels.get(r.branch, r.branch), phase_label(r.column),
                     f"{r.documents}/{r.documents_total}", f"{r.words}/{r.words_total}",
                     f"{r.participants}/{r.participants_total}"])
    return Table("couverture", tr("Couverture par branche et par phase (couverts / total)",
                                  "Coverage by branch and phase (covered / total)"),
                 [tr("branche", "branch"), "phase", "documents", tr("mots", "words"), "participants"], rows)


def all_tables(data: ReportData) -> list[Table]:
    """Every table of the report, in the order of the page."""
    tables = [code_phase_table(data),
              phase_counts_table("codes_par_phase_participants",
                                 tr("Codes × phases (participants) : effectifs et spécificités",
                                    "Codes × phases (participants): counts and specificities"),
                                 data.phase_participants, data.phase_participants_specificity
                                 or table_specificities(data.phase_participants), data),
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
            quotes.rows.append([s.key, q.document, q.speaker or "", q.voice, q.phase, q.lieu or "", q.position + 1,
                                q.start, q.end, q.display] + mark)
    tables += [summary, quotes]
    tables.append(coverage_table(data))
    tables.append(Table("desaccords", tr("Désaccords entre codeurs (suggestions acceptées par l'un, rejetées par "
                                         "l'autre)", "Disagreements between coders (suggestions accepted by one, "
                                         "rejected by another)"),
                        ["document", tr("début", "start"), tr("fin", "end"), tr("code", "code"),
                         tr("acceptée_par", "accepted_by"), tr("rejetée_par", "rejected_by"),
                         tr(f"comptée_règle_{data.rule}", f"counted_rule_{data.rule}")],
                        [[data.document_names.get(d.document_id, d.document_id), d.start, d.end, d.code_key,
                          ", ".join(d.accepted_by), ", ".join(d.rejected_by), tr("oui", "yes") if d.counted else
                          tr("non", "no")] for d in data.disagreements]))
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
        rows = [[p.rater_a, p.rater_b, c.code, data.code_labels.get(c.code, c.label), c.units, c.both, c.only_a,
                 c.only_b, c.neither, c.percent, c.kappa if c.kappa is not None else "",
                 c.alpha if c.alpha is not None else ""]
                for p in data.agreement for c in p.codes]
        tables.append(Table("accord", tr("Accord entre codeurs (par code, unité : segment)",
                                         "Agreement between coders (per code, unit: segment)"),
                            [tr("codeur_a", "coder_a"), tr("codeur_b", "coder_b"), tr("code", "code"),
                             tr("libellé", "label"), "segments", tr("les_deux", "both"), tr("a_seul", "a_only"),
                             tr("b_seul", "b_only"), tr("aucun", "neither"), tr("accord_brut_%", "raw_agreement_%"),
                             "kappa", "alpha"], rows))
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
