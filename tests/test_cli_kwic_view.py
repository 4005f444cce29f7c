"""`exporterre kwic` keeps the keyword whole and in one column at 80 and 120 columns."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from exporterre_nlp.cli import app
from exporterre_nlp.cli.app import console
from exporterre_nlp.cli.kwic_view import kwic_rows
from exporterre_nlp.nlp.concordance import KwicLine

runner = CliRunner()


def line(left, match, right, document="habitante_arlequin_entretien_long", speaker="Samira"):
    return KwicLine(document, 3, None, speaker, "resident", 1, 1200, 1200 + len(match), left, match, right)


LINES = [line("ben on a vraiment besoin d'un local, euh, pour les femmes du quartier et", "besoin",
              " de crèches aussi parce que les mamans elles travaillent le matin tôt"),
         line("x", "besoins", "", speaker=None),
         line("les " * 20, "avoir besoin", " de " * 20, document="c")]


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_kwic_view_keyword_whole_in_one_column(width):
    rows = [r for r in kwic_rows(LINES, width) if not r.style]     # the dim reference lines aside
    assert len(rows) == len(LINES)
    columns = set()
    for row, x in zip(rows, LINES):
        text = row.plain
        assert len(text) <= width
        [bold] = [span for span in row.spans if span.style == "bold"]
        assert text[bold.start:bold.end] == x.match                 # whole
        columns.add(bold.start)
    assert len(columns) == 1
    if width >= 200:        # room for the references beside the lines
        assert "habitante_arlequin_entretien_long:1200 Samira" in rows[0].plain


@pytest.mark.parametrize("columns", [80, 120])
def test_kwic_view_cli_shows_the_keyword_at_80_and_120_columns(french, tmp_path, monkeypatch, columns):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "tui"))
    from tui_helpers import make_project
    project = make_project(tmp_path / "p")
    monkeypatch.setattr(console, "_width", columns)
    result = runner.invoke(app, ["kwic", "logement", "--project", str(project)])
    assert result.exit_code == 0, result.output
    rows = [r for r in result.output.splitlines() if "logement" in r.lower() and "occurrence" not in r]
    assert len(rows) == 2
    assert all(len(r) <= columns for r in result.output.splitlines())
    assert len({r.lower().index(" logement ") for r in rows}) == 1
