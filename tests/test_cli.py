"""The command line: init, ingest, status (French by default, English on request)."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from exporterre_nlp.cli import app

runner = CliRunner()

MINI = "format: exporterre-codebook/1\nname: Mini\nlanguage: fr\ncodes:\n  - key: besoins\n    label: Besoins\n"


pytestmark = pytest.mark.usefixtures("french")


@pytest.fixture()
def project_dir(tmp_path):
    book = tmp_path / "mini.yaml"
    book.write_text(MINI, encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--codebook", str(book)])
    assert result.exit_code == 0, result.output
    return tmp_path / "p"


def test_init_creates_store_settings_and_codebook(project_dir):
    assert (project_dir / "store.sqlite3").exists()
    assert (project_dir / "settings.yaml").exists()
    assert (project_dir / "codebook.yaml").read_text(encoding="utf-8").startswith("format:")


def test_init_refuses_an_existing_project(project_dir):
    result = runner.invoke(app, ["init", str(project_dir)])
    assert result.exit_code == 1
    assert "existe déjà" in result.output


def test_status_json_has_the_documented_shape(project_dir, demo_corpus):
    result = runner.invoke(app, ["ingest", str(demo_corpus), "--project", str(project_dir), "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(runner.invoke(app, ["status", "--project", str(project_dir), "--json"]).stdout)
    assert isinstance(status["documents"], int) and status["documents"] >= 24
    assert status["segments"] > status["documents"] and status["words"] >= 30_000
    for phase in ("1", "2", "3"):
        assert status["phases"][phase]["documents"] > 0 and status["phases"][phase]["words"] > 0
    assert status["speakers"]["interviewer"] > 0 and status["speakers"]["resident"] > 0
    assert sum(p["words"] for p in status["phases"].values()) == status["words"]


def test_project_comes_from_the_environment(project_dir, tmp_path):
    f = tmp_path / "e12.txt"
    f.write_text("E : bonjour\nAwa : on a besoin de crèches\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(f), "--phase", "3", "--lieu", "marché"],
                           env={"EXPORTERRE_PROJECT": str(project_dir)})
    assert result.exit_code == 0, result.output
    assert "1 ajouté" in result.output
    status = json.loads(runner.invoke(app, ["status", "--json"], env={"EXPORTERRE_PROJECT": str(project_dir)}).stdout)
    assert status["phases"]["3"]["documents"] == 1


def test_missing_phase_is_one_actionable_french_message(project_dir, tmp_path):
    f = tmp_path / "sans.txt"
    f.write_text("E : bonjour\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(f), "--project", str(project_dir)])
    assert result.exit_code == 1
    assert "sans.txt" in result.output and "--phase" in result.output
    assert "Traceback" not in result.output


def test_no_project_says_how_to_give_one(tmp_path):
    result = runner.invoke(app, ["status"], env={"EXPORTERRE_PROJECT": ""})
    assert result.exit_code == 1
    assert "--project" in result.output and "EXPORTERRE_PROJECT" in result.output


def test_messages_in_english_on_request(tmp_path):
    result = runner.invoke(app, ["--lang", "en", "status", "--project", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "is not an Exporterre project" in result.output


def test_codebook_check_accepts_the_shipped_codebook():
    from pathlib import Path
    shipped = Path(__file__).resolve().parents[1] / "codebooks" / "exporterre.yaml"
    result = runner.invoke(app, ["codebook", "check", str(shipped)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "codes" in result.output


def test_codebook_check_names_each_problem_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: exporterre-codebook/1\nname: X\ncodes:\n  - key: besoins\n    label: Besoins\n"
                   "  - key: besoins\n    label: Doublon\n  - key: orphelin\n    label: O\n    parent: inconnu\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["codebook", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:6" in result.output and f"{bad}:8" in result.output
    assert "inconnu" in result.output


def test_every_command_has_english_help_on_request():
    import os
    import subprocess
    import sys
    code = ("from exporterre_nlp.cli import app\n"
            "def walk(a, prefix=''):\n"
            "    for i in a.registered_commands:\n"
            "        yield prefix + (i.name or i.callback.__name__), i.help\n"
            "    for g in a.registered_groups:\n"
            "        yield from walk(g.typer_instance, prefix + g.name + ' ')\n"
            "missing = [name for name, text in walk(app) if not text]\n"
            "print(len(list(walk(app))), missing)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "EXPORTERRE_LANG": "en"})
    assert out.returncode == 0, out.stderr
    count, missing = out.stdout.split(" ", 1)
    assert int(count) >= 20 and missing.strip() == "[]"
