"""The NLP commands: analyse, extractions, kwic, freq (French output, JSON for scripts)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exporterre_nlp.cli import app
from nlp_support import add_document

runner = CliRunner()
pytestmark = pytest.mark.slow
JSON_KEYS = {"document", "start", "end", "text", "category", "code", "rule", "object", "speaker", "role", "phase",
             "status"}


pytestmark = pytest.mark.usefixtures("french")


@pytest.fixture()
def analysed(project):
    add_document(project.store, "parc_08", 3, [
        ("E", "Qu'est-ce qui vous manque ?"),
        ("Lina", "Il nous faudrait une crèche. Je sais coudre et je parle wolof."),
        ("Lina", "Le problème c'est les ascenseurs, euh, ils marchent jamais."),
    ], lieu="parc")
    add_document(project.store, "asso_01", 1, [("Nadia", "Les femmes ont besoin de cours de français.")])
    path = str(project.path)
    result = runner.invoke(app, ["analyse", "--project", path, "--model", "sm"])
    assert result.exit_code == 0, result.output
    assert "Trouvailles par catégorie" in result.output and "besoin" in result.output
    return path


def test_extractions_json_has_the_documented_fields(analysed, project):
    result = runner.invoke(app, ["extractions", "--project", analysed, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(JSON_KEYS <= set(r) for r in rows)
    for r in rows:
        assert project.store.get_document(r["document"]).text[r["start"]:r["end"]] == r["text"]
        assert r["status"] == "pending"
    needs = json.loads(runner.invoke(app, ["extractions", "-p", analysed, "--category", "besoin", "--phase", "3",
                                           "--json"]).stdout)
    assert needs and {r["category"] for r in needs} == {"besoin"} and {r["phase"] for r in needs} == {3}


def test_extractions_table_is_in_french(analysed):
    result = runner.invoke(app, ["extractions", "-p", analysed, "--category", "compétence"])
    assert result.exit_code == 0, result.output
    assert "compétence" in result.output and "citation" in result.output


def test_unknown_category_is_refused(analysed):
    result = runner.invoke(app, ["extractions", "-p", analysed, "--category", "envie"])
    assert result.exit_code != 0 and "catégorie inconnue" in result.output


def test_kwic_and_freq_commands(analysed):
    out = runner.invoke(app, ["kwic", "crèche", "-p", analysed, "--json"])
    assert out.exit_code == 0, out.output
    lines = json.loads(out.stdout)
    assert [l["match"] for l in lines] == ["crèche"] and lines[0]["speaker"] == "Lina"
    out = runner.invoke(app, ["freq", "-p", analysed, "--by", "phase", "--json", "--top", "5"])
    assert out.exit_code == 0, out.output
    table = json.loads(out.stdout)
    assert table["groups"] == ["1", "3"] and len(table["rows"]) == 5
    assert all(set(r["groups"]) == {"1", "3"} for r in table["rows"])


def test_analyse_without_project_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPORTERRE_PROJECT", raising=False)
    result = runner.invoke(app, ["analyse"])
    assert result.exit_code == 1 and "--project" in result.output


def test_train_model_writes_a_model_that_eval_measures(tmp_path):
    from nlp_support import write_labelled_set
    labelled = write_labelled_set(tmp_path / "etiquettes.jsonl")
    out = tmp_path / "modele.json.gz"
    result = runner.invoke(app, ["train-model", "--out", str(out), "--set", str(labelled), "--name", "essai", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["origin"] == "model:essai" and summary["sentences"] == 250 and out.exists()
    assert set(summary["cross_validation"]) == {"besoin", "preoccupation", "competence", "ressource", "lieu"}
    table = runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model", str(out)])
    assert table.exit_code == 0, table.output
    assert "règles" in table.output and "model:essai" in table.output
    measured = json.loads(runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model",
                                              str(out), "--json"]).output)
    assert measured["sentence_model"] == "model:essai" and set(measured["rules_only"]) == set(measured["categories"])
    alone = json.loads(runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model", "none",
                                           "--json"]).output)
    assert alone["sentence_model"] is None and "rules_only" not in alone
    # the operating points are in the file; eval measures one of them and says when CV never reached it
    assert set(summary["operating_points"]) <= set(summary["cross_validation"])
    strict = json.loads(runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model",
                                            str(out), "--target-precision", "0.9", "--json"]).output)
    reached = {c for c, points in summary["operating_points"].items() if any(p["target"] >= 0.9 for p in points)}
    assert strict["target_precision"] == 0.9 and set(strict["below_target"]) == set(measured["categories"]) - reached
    shown = runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model", str(out),
                                "--target-precision", "0.9"])
    assert "précision visée 0.90" in " ".join(shown.output.split())


def test_a_broken_model_file_is_refused_by_eval_with_a_fix(tmp_path):
    broken = tmp_path / "casse.json.gz"
    broken.write_bytes(b"\x1f\x8b pas un gzip")
    result = runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model", str(broken)])
    assert result.exit_code != 0 and "casse.json.gz" in result.output and "train-model" in result.output
