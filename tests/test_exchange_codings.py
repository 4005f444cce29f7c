"""Codings spreadsheet: columns, words from the stored text, context, formula neutralisation."""
from __future__ import annotations

import csv

import pytest

from exporterre_nlp import ExporterreError
from exporterre_nlp.exchange import COLUMNS, coding_rows, export_codings

from exchange_project import build, human_codings


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    yield s
    s.project.close()


def test_rows_hold_the_coded_words_and_their_context(sample):
    rows = [dict(zip(COLUMNS, r)) for r in coding_rows(sample.project)]
    assert len(rows) == len(human_codings(sample.project))
    store = sample.project.store
    for r in rows:
        assert store.get_document(r["document"]).text[r["start"]:r["end"]] == r["text"]
        assert r["status"] in ("manual", "accepted")
    cuisine = [r for r in rows if r["code"] == "competences.cuisine"]
    assert {r["coder"] for r in cuisine} == {"alice", "bob"}
    assert all((r["speaker"], r["role"], r["participant"], r["phase"], r["lieu"]) ==
               ("Fatima", "resident", "H3-01", 3, "Marché de l’Arlequin") for r in cuisine)
    pending = coding_rows(sample.project, include_pending=True)
    assert len(pending) == len(rows) + 2 and {r[10] for r in pending} == {"manual", "pending"}


def test_csv_neutralises_formulas(sample, tmp_path):
    result = export_codings(sample.project, tmp_path / "codages.csv")
    with result.path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS)
    formula = [r for r in rows if "SOMME" in r["text"]]
    assert formula and formula[0]["text"].startswith("'=SOMME(A1:A3)")
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_xlsx_cells_are_text_not_formulas(sample, tmp_path):
    from openpyxl import load_workbook
    result = export_codings(sample.project, tmp_path / "codages.xlsx", coders=["bob"])
    sheet = load_workbook(result.path).active
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS)
    cells = [row for row in sheet.iter_rows(min_row=2)]
    assert {row[9].value for row in cells} == {"bob"}
    text = next(row[12] for row in cells if "SOMME" in str(row[12].value))
    assert text.data_type == "s" and text.value.startswith("'=")
    assert isinstance(cells[0][6].value, int)          # offsets stay numbers


def test_unknown_spreadsheet_format_is_refused(sample, tmp_path):
    with pytest.raises(ExporterreError, match=r"\.csv"):
        export_codings(sample.project, tmp_path / "codages.ods")
