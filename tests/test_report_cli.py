"""``exporterre report``, ``compare`` and ``agreement`` on a small project."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exporterre_nlp import Settings
from exporterre_nlp.cli import app
from report_store import build_store, code_everything, code_turn

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("french")


@pytest.fixture()
def project_dir(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    f = docs["habitante_baladins"]
    code_turn(store, f[1], "besoins.garde", "bruno")
    code_turn(store, f[2], "besoins.logement", "bruno")
    code_turn(store, f[3], "besoins.garde", "machine", status="pending", origin="rule:garde")
    store.close()
    settings = Settings()
    settings.report.lemmas = "words"
    settings.save(tmp_path)
    return tmp_path


def test_compare_by_phase_as_json(project_dir):
    default = json.loads(runner.invoke(app, ["compare", "--project", str(project_dir), "--json"]).output)
    assert default["unit"] == "participants"                    # distinct voices unless asked otherwise
    garde = next(r for r in default["rows"] if r["code"] == "besoins.garde")
    assert garde["counts"] == {"1": 0, "2": 0, "3": 2}
    result = runner.invoke(app, ["compare", "--project", str(project_dir), "--by", "phase", "--unit", "segments",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["columns"] == ["1", "2", "3"] and data["unit"] == "segments"
    garde = next(r for r in data["rows"] if r["code"] == "besoins.garde")
    assert garde["counts"] == {"1": 0, "2": 0, "3": 3}
    assert garde["specificity"]["3"] > 0 > garde["specificity"]["1"]
    assert {"code": "besoins.garde", "column": "3", "count": 3} in data["exclusive"]


def test_compare_a_branch_by_lieu_in_participants(project_dir):
    result = runner.invoke(app, ["compare", "--project", str(project_dir), "--by", "lieu", "--codes", "besoins",
                                 "--unit", "participants", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["code"] for r in data["rows"]] == ["besoins", "besoins.garde", "besoins.logement"]
    assert data["unit"] == "participants"


def test_compare_table_in_the_terminal_and_pending_option(project_dir):
    result = runner.invoke(app, ["compare", "--project", str(project_dir)])
    assert result.exit_code == 0, result.output
    assert "Garde d'enfants" in result.output and "spécificité" in result.output
    assert "1 suggestion(s) de la machine en attente ne sont pas comptées" in result.output
    assert "--include-pending" in result.output and "Couverture" in result.output
    pending = runner.invoke(app, ["compare", "--project", str(project_dir), "--include-pending", "--unit", "segments",
                                  "--json"])
    garde = next(r for r in json.loads(pending.output)["rows"] if r["code"] == "besoins.garde")
    assert garde["counts"]["3"] == 4


def test_compare_unknown_attribute_or_branch_is_a_clear_error(project_dir):
    result = runner.invoke(app, ["compare", "--project", str(project_dir), "--by", "pointure"])
    assert result.exit_code == 1 and "Attribut inconnu" in result.output and "genre" in result.output
    result = runner.invoke(app, ["compare", "--project", str(project_dir), "--codes", "rien"])
    assert result.exit_code == 1 and "rien" in result.output


def test_report_command_writes_the_folder(project_dir, tmp_path):
    out = tmp_path / "rapport"
    result = runner.invoke(app, ["report", "--project", str(project_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "rapport.html").is_file() and (out / "manifest.json").is_file()
    result = runner.invoke(app, ["report", "--project", str(project_dir), "--out", str(tmp_path / "en"),
                                 "--lang", "en", "--include-pending", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["include_pending"] is True
    assert "Code sheets" in (tmp_path / "en" / "rapport.md").read_text(encoding="utf-8")


def test_agreement_between_coders_and_with_the_machine(project_dir):
    result = runner.invoke(app, ["agreement", "--project", str(project_dir), "--json"])
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.output)
    assert [(p["a"], p["b"]) for p in pairs] == [("alice", "bruno")]
    assert pairs[0]["documents"] == 1
    result = runner.invoke(app, ["agreement", "--project", str(project_dir), "--coders", "alice", "--machine"])
    assert result.exit_code == 0, result.output
    assert "alice ↔ machine" in result.output


def test_agreement_with_one_coder_explains_what_is_missing(project_dir):
    result = runner.invoke(app, ["agreement", "--project", str(project_dir), "--coders", "alice"])
    assert result.exit_code == 1
    assert "au moins deux codeurs" in result.output


def test_coverage_commands_mark_show_and_unmark(project_dir):
    base = ["--project", str(project_dir), "--coder", "chloe"]
    result = runner.invoke(app, ["coverage", "mark", *base, "--doc", "relais_centre", "--branch", "besoins", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"added": 1}
    shown = json.loads(runner.invoke(app, ["coverage", "show", "--project", str(project_dir), "--json"]).output)
    assert shown["mode"] == "marks" and shown["bulk_marks"] == 0
    row = next(r for r in shown["rows"] if r["branch"] == "besoins" and r["column"] == "1")
    assert (row["documents"], row["documents_total"]) == (1, 1)
    bad = runner.invoke(app, ["coverage", "mark", *base, "--doc", "nulle_part"])
    assert bad.exit_code == 1 and "nulle_part" in bad.output
    none = runner.invoke(app, ["coverage", "mark", *base])
    assert none.exit_code == 1 and "--all" in none.output
    result = runner.invoke(app, ["coverage", "unmark", *base, "--doc", "relais_centre", "--json"])
    assert json.loads(result.output) == {"removed": 1}
