"""Escaping in HTML and Markdown, and formula neutralisation in CSV and XLSX."""
from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from exporterre_nlp import Project, Settings
from exporterre_nlp.report import write_report
from exporterre_nlp.report.markdown import md
from exporterre_nlp.report.model import Table
from exporterre_nlp.report.tables import safe_cell, write_csv, write_xlsx
from report_store import add_document, build_store, code_everything, code_turn

HOSTILE = [
    ("Ali", "<script>alert('xss')</script> voilà ce que je dis toujours aux voisins du quartier"),
    ("Bea", "=HYPERLINK(\"http://example.org\",\"clic\") c'est ce que je dis toujours aux voisins"),
    ("Cem", "+ de crèches pour les enfants du quartier, voilà ce qu'il faut vraiment ici"),
    ("Dia", "- Moi je couds des robes pour les mariages de tout le quartier depuis longtemps"),
    ("Eli", "@voisins on s'entraide pour garder les enfants le mercredi après-midi au quartier"),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("hostile")
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    turns = add_document(store, "groupe_<b>hall</b>", 2, "hall <i>B</i>", HOSTILE)
    store.add_code("divers", "Divers <em>", definition="Tout & n'importe quoi <br>")
    for t in turns:
        code_turn(store, t, "divers")
    store.mark_coverage("alice", [d.id for d in store.document_facts()], ["divers"])
    store.mark_coverage("alice", [turns[0].document_id], ["besoins", "competences", "preoccupations"])
    settings = Settings()
    settings.report.lemmas = "words"
    settings.report.quotes_per_code = 5
    project = Project(tmp_path, settings, store)
    result = write_report(project, tmp_path / "out")
    yield result, tmp_path / "out"
    store.close()


def test_html_escapes_participant_text(hostile):
    result, out = hostile
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html
    assert "<b>hall</b>" not in html and "groupe_&lt;b&gt;hall&lt;/b&gt;" in html
    assert "<em>" not in html and "<br>" not in html and "<i>B</i>" not in html


def test_html_is_self_contained(hostile):
    _, out = hostile
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://example.org", "")     # the only URL is a participant's words
    assert "https://" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert "<link" not in html


def test_markdown_escapes_participant_text(hostile):
    _, out = hostile
    text = (out / "rapport.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<b>hall</b>" not in text
    assert md("a | b *c* [d](e) #f") == r"a \| b \*c\* \[d\](e) \#f"


def test_csv_cells_that_look_like_formulas_are_neutralised(hostile):
    _, out = hostile
    with (out / "tableaux" / "citations.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    quotes = [r[-1] for r in rows[1:] if r[0] == "divers"]
    assert len(quotes) == 5
    for q in quotes:
        assert not q.startswith(("=", "+", "-", "@"))
    assert any(q.startswith("'=HYPERLINK") for q in quotes)
    assert any(q.startswith("'+ de crèches") for q in quotes)
    assert any(q.startswith("'- Moi") for q in quotes)
    assert any(q.startswith("'@voisins") for q in quotes)


def test_xlsx_cells_that_look_like_formulas_are_neutralised(hostile):
    _, out = hostile
    wb = load_workbook(out / "tableaux.xlsx")
    sheet = wb["citations"]
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("'=HYPERLINK") for v in values)
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_numbers_stay_numbers(tmp_path):
    assert safe_cell(-2.5) == -2.5 and safe_cell(3) == 3 and safe_cell("-2.5") == "'-2.5"
    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("ok") == "ok" and safe_cell(None) is None
    table = Table("t", "T", ["a", "b"], [[-2.5, "=1+1"]])
    write_csv(table, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "-2.5,'=1+1"
    write_xlsx([table], tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx")["t"]
    assert sheet["A4"].value == -2.5 and sheet["B4"].value == "'=1+1"
