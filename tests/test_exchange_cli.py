"""`exporterre export …` / `exporterre import …` end to end through the CLI."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exporterre_nlp.cli import app

from exchange_project import build, human_codings

runner = CliRunner()


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    s.project.close()
    return s


def test_export_and_import_commands(sample, tmp_path):
    p = str(sample.project.path)
    out = tmp_path / "out"
    for args in (["export", "qdpx", "--out", str(out / "p.qdpx")],
                 ["export", "qdc", "--out", str(out / "c.qdc")],
                 ["export", "iramuteq", "--out", str(out / "corpus.txt"), "--par-tour"],
                 ["export", "codings", "--out", str(out / "codages.xlsx"), "--coders", "alice"]):
        result = runner.invoke(app, [*args, "--project", p])
        assert result.exit_code == 0, result.output
        assert (out / args[3].split("/")[-1]).exists()
    result = runner.invoke(app, ["import", "qdpx", str(out / "p.qdpx"), "--into", str(tmp_path / "copie"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["documents"] == 2 and summary["coders"] == ["alice", "bob"]
    from exporterre_nlp import Project
    with Project.open(sample.project.path) as a, Project.open(tmp_path / "copie") as b:
        assert human_codings(a) == human_codings(b)
    result = runner.invoke(app, ["import", "qdc", str(out / "c.qdc"), "--out", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0 and (tmp_path / "c.yaml").exists()


def test_import_errors_are_actionable(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK nope")
    result = runner.invoke(app, ["import", "qdpx", str(bad), "--into", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "bad.qdpx" in result.output and "→" in result.output
    assert not (tmp_path / "p").exists()


def test_import_qdpx_into_a_folder_that_is_not_empty_is_refused(sample, tmp_path):
    out = tmp_path / "p.qdpx"
    assert runner.invoke(app, ["export", "qdpx", "--out", str(out), "--project", str(sample.project.path)]).exit_code == 0
    target = tmp_path / "cible"
    target.mkdir()
    (target / "settings.yaml").write_text("a: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "qdpx", str(out), "--into", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "vide" in result.output
    assert (target / "settings.yaml").read_text(encoding="utf-8") == "a: 1\n"
