"""Issue 17 (outputs): no command writes on a project's own files, replaces a user's file without --force, or
leaves a half-written file; the report replaces the previous one only once complete."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exporterre_nlp.cli import app
from exporterre_nlp.outputs import (OutputError, StagedFolder, atomic_path, atomic_write, check_output,
                                    finish_interrupted_publish, leftover_temporaries, printable)

from exchange_project import build

runner = CliRunner()


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    s.project.close()
    return s


def _fake_project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    (root / "private").mkdir(parents=True)
    (root / "cache").mkdir()
    for name in ("store.sqlite3", "codebook.yaml", "settings.yaml"):
        (root / name).write_text("x", encoding="utf-8")
    return root


@pytest.mark.parametrize("target", ["store.sqlite3", "store.sqlite3-wal", "store.sqlite3.v1-2026.bak",
                                    "codebook.yaml", "settings.yaml", "private/pseudo_key.sqlite3",
                                    "private/new.txt", "cache/x/y.csv", "."])
def test_outputs_refuses_the_projects_own_files(tmp_path, target):
    root = _fake_project(tmp_path)
    for kind in ("file", "folder"):
        with pytest.raises(OutputError) as err:
            check_output(root / target, kind=kind, force=True)
        assert "Refusé" in err.value.message and str(root) in err.value.message and err.value.hint


def test_outputs_refuses_a_symlink_to_the_store(tmp_path):
    root = _fake_project(tmp_path)
    link = tmp_path / "export.qdpx"
    link.symlink_to(root / "store.sqlite3")
    with pytest.raises(OutputError):
        check_output(link, force=True)


def test_outputs_allows_a_subfolder_of_the_project_and_files_elsewhere(tmp_path):
    root = _fake_project(tmp_path)
    assert check_output(root / "exports" / "p.qdpx") == root / "exports" / "p.qdpx"
    assert check_output(root / "rapport", kind="folder") == root / "rapport"
    assert check_output(tmp_path / "ailleurs" / "codebook.yaml") == tmp_path / "ailleurs" / "codebook.yaml"


def test_outputs_folder_where_a_file_goes_and_existing_file_need_a_decision(tmp_path):
    (tmp_path / "dossier").mkdir()
    with pytest.raises(OutputError, match="est un dossier"):
        check_output(tmp_path / "dossier")
    (tmp_path / "a.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError) as err:
        check_output(tmp_path / "a.csv")
    assert "a.csv" in err.value.message and "--force" in err.value.hint
    assert check_output(tmp_path / "a.csv", force=True) == tmp_path / "a.csv"
    with pytest.raises(OutputError, match="est un fichier"):
        check_output(tmp_path / "a.csv", kind="folder", force=True)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "rapport.md").write_text("my notes", encoding="utf-8")
    with pytest.raises(OutputError, match="rapport.md"):
        check_output(tmp_path / "r", kind="folder", replaces=["rapport.md"], own_marker="manifest.json")
    (tmp_path / "r" / "manifest.json").write_text("{}", encoding="utf-8")      # an earlier report of ours
    check_output(tmp_path / "r", kind="folder", replaces=["rapport.md"], own_marker="manifest.json")


def test_outputs_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = atomic_write(tmp_path / "t.txt", "ancien")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("nouveau à moit", encoding="utf-8")
            raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "ancien"
    assert leftover_temporaries(tmp_path) == []
    atomic_write(target, b"octets")
    assert target.read_bytes() == b"octets"


def test_outputs_atomic_write_removes_temporaries_a_kill_left_long_ago(tmp_path):
    dead = tmp_path / ".exporterre-tmp-abc123-p.qdpx"
    recent = tmp_path / ".exporterre-tmp-def456-p.qdpx"
    other = tmp_path / ".exporterre-tmp-ghi789-autre.csv"
    for path in (dead, recent, other):
        path.write_bytes(b"moiti")
    os.utime(dead, (1, 1))
    os.utime(other, (1, 1))
    atomic_write(tmp_path / "p.qdpx", b"complet")
    assert not dead.exists() and recent.exists() and other.exists()      # only this target's, only old ones


def test_outputs_staged_folder_keeps_the_previous_set_until_published(tmp_path):
    out = tmp_path / "rapport"
    first = StagedFolder(out, marker="manifest.json")
    first.path("a.md").write_text("v1", encoding="utf-8")
    first.path("old/only_v1.csv").write_text("v1", encoding="utf-8")
    first.path("manifest.json").write_text("1", encoding="utf-8")
    first.publish()
    before = _digest(out)
    second = StagedFolder(out, marker="manifest.json")                # killed before publish: nothing moved
    second.path("a.md").write_text("v2", encoding="utf-8")
    assert _digest(out) == {**before, **{k: v for k, v in _digest(out).items() if k.startswith(".exporterre")}}
    third = StagedFolder(out, marker="manifest.json")                 # the next run cleans the dead stage
    assert not second.stage.exists()
    third.path("a.md").write_text("v3", encoding="utf-8")
    third.path("manifest.json").write_text("3", encoding="utf-8")
    third.publish(previous=["a.md", "old/only_v1.csv", "manifest.json"])
    assert (out / "a.md").read_text() == "v3" and not (out / "old" / "only_v1.csv").exists()
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "manifest.json", "old"]


def test_outputs_interrupted_publish_is_rolled_forward(tmp_path):
    out = tmp_path / "rapport"
    staged = StagedFolder(out, marker="manifest.json")
    for name in ("a.md", "b.md", "manifest.json"):
        staged.path(name).write_text("new " + name, encoding="utf-8")
    # A kill after the commit note and the first rename: simulate by writing the note and moving one file.
    (out / ".exporterre-commit.json").write_text(json.dumps(
        {"stage": staged.stage.name, "files": ["a.md", "b.md", "manifest.json"], "stale": [],
         "marker": "manifest.json"}), encoding="utf-8")
    os.replace(staged.stage / "a.md", out / "a.md")
    assert finish_interrupted_publish(out) is True
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.md", "manifest.json"]
    assert (out / "manifest.json").read_text() == "new manifest.json"


def test_outputs_printable_neutralises_escape_sequences():
    assert printable("a\x1b[31mrouge\x07\r.txt") == "a\\x1b[31mrouge\\x07\\x0d.txt"
    assert printable("ligne\tet\nsuite é") == "ligne\tet\nsuite é"
    assert "\u202e" not in printable("photo\u202egnp.txt")


# -- through the commands ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["export", "qdpx"], ["export", "iramuteq"], ["export", "qdc"],
                                  ["export", "codings"]])
@pytest.mark.parametrize("victim", ["store.sqlite3", "codebook.yaml", "settings.yaml", "private/x.qdpx"])
def test_outputs_export_refuses_to_replace_project_files(sample, args, victim):
    root = sample.project.path
    before = _digest(root)
    out = root / victim          # the guard speaks before the codings export's own format check
    result = runner.invoke(app, [*args, "--project", str(root), "--out", str(out), "--force"])
    assert result.exit_code == 1, result.output
    assert "Refusé" in result.output and "Traceback" not in result.output
    after = _digest(root)
    assert {k: v for k, v in after.items() if not k.startswith("store.sqlite3-")} == \
        {k: v for k, v in before.items() if not k.startswith("store.sqlite3-")}


def test_outputs_export_into_a_folder_or_over_a_file_is_a_message(sample, tmp_path):
    root = str(sample.project.path)
    result = runner.invoke(app, ["export", "qdpx", "--project", root, "--out", root])
    assert result.exit_code == 1 and "Refusé" in result.output
    (tmp_path / "dossier").mkdir()
    result = runner.invoke(app, ["export", "qdpx", "--project", root, "--out", str(tmp_path / "dossier")])
    assert result.exit_code == 1 and "est un dossier" in result.output and "Traceback" not in result.output
    mine = tmp_path / "mes_codes.qdc"
    mine.write_text("à moi", encoding="utf-8")
    result = runner.invoke(app, ["export", "qdc", "--project", root, "--out", str(mine)])
    assert result.exit_code == 1 and "mes_codes.qdc" in result.output and "--force" in result.output
    assert mine.read_text(encoding="utf-8") == "à moi"
    result = runner.invoke(app, ["export", "qdc", "--project", root, "--out", str(mine), "--force"])
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8").startswith("<?xml")
    result = runner.invoke(app, ["import", "qdc", str(mine), "--out", str(Path(root) / "codebook.yaml")])
    assert result.exit_code == 1 and "Refusé" in result.output


def test_outputs_report_refuses_project_files_and_keeps_previous_report_on_failure(sample, tmp_path, monkeypatch):
    root = str(sample.project.path)
    for bad in (root, str(Path(root) / "cache"), str(Path(root) / "store.sqlite3")):
        result = runner.invoke(app, ["report", "--project", root, "--out", bad])
        assert result.exit_code == 1 and "Refusé" in result.output, result.output
    out = tmp_path / "rapport"
    assert runner.invoke(app, ["report", "--project", root, "--out", str(out)]).exit_code == 0
    first = _digest(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) | {"manifest.json"} == set(first)
    # A failure (a kill is the same: nothing moved before the new set is complete) half-way through the new one.
    import exporterre_nlp.report as report

    def broken(*a, **k):
        raise OSError("disque plein")
    monkeypatch.setattr(report, "render_html", broken)
    result = runner.invoke(app, ["report", "--project", root, "--out", str(out)])
    assert result.exit_code != 0
    assert _digest(out) == first and leftover_temporaries(out) == []
    monkeypatch.undo()
    # Re-running into a folder holding our own previous report needs no --force; a stranger's rapport.md does.
    assert runner.invoke(app, ["report", "--project", root, "--out", str(out)]).exit_code == 0
    other = tmp_path / "notes"
    other.mkdir()
    (other / "rapport.md").write_text("mes notes", encoding="utf-8")
    result = runner.invoke(app, ["report", "--project", root, "--out", str(other)])
    assert result.exit_code == 1 and "rapport.md" in result.output and "--force" in result.output
    assert (other / "rapport.md").read_text(encoding="utf-8") == "mes notes"


# -- kill -9 (fast variant of benchmarks/faults.py) ---------------------------------------------------------------
def _killed_in_child(work, delay: float) -> bool:
    """Run ``work()`` in a forked child and SIGKILL it after ``delay`` s; True if it was killed."""
    import signal
    import time
    pid = os.fork()
    if pid == 0:                                   # child: no pytest teardown, no atexit
        try:
            work()
        finally:
            os._exit(0)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return True


@pytest.mark.slow          # ~10 s once matplotlib is loaded, up to a minute on a loaded machine
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_outputs_report_and_export_survive_sigkill(sample, tmp_path):
    import random
    import time
    from exporterre_nlp import Project
    from exporterre_nlp.exchange import export_qdpx
    from exporterre_nlp.analysis.lexicon import plain_words
    from exporterre_nlp.report import write_report
    root = sample.project.path
    out, qdpx = tmp_path / "rapport", tmp_path / "p.qdpx"

    def report():
        with Project.open(root) as proj:
            write_report(proj, out, lemmatise=plain_words)   # no spaCy: fast

    def export():
        with Project.open(root) as proj:
            export_qdpx(proj, qdpx)

    durations = {}
    for name, work in (("report", report), ("export", export)):
        work()                                     # imports, matplotlib's font cache: not part of the timing
        started = time.perf_counter()
        work()
        durations[name] = time.perf_counter() - started
    reference = hashlib.sha256(qdpx.read_bytes()).hexdigest()
    rng = random.Random(17)
    kills = 0
    for _ in range(3):
        kills += _killed_in_child(report, rng.uniform(0.05, 1.1 * durations["report"]))
        finish_interrupted_publish(out)            # what the next report does first
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        for name, digest in manifest["files"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
        kills += _killed_in_child(export, rng.uniform(0.05, 1.1 * durations["export"]))
        assert hashlib.sha256(qdpx.read_bytes()).hexdigest() == reference
    assert kills >= 3
    with sqlite3.connect(root / "store.sqlite3") as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_outputs_themes_pseudo_and_model_commands_refuse_project_files(sample, tmp_path):
    root = sample.project.path
    before = _digest(root)
    for args in (["themes", "--project", str(root), "--out", str(root / "cache")],
                 ["themes", "--project", str(root), "--out", str(root)],
                 ["pseudo", "export", "--project", str(root), "--out", str(root / "private")],
                 ["pseudo", "export", "--project", str(root), "--out", str(root)],
                 ["train-model", "--out", str(root / "store.sqlite3")]):
        result = runner.invoke(app, args)
        assert result.exit_code != 0 and "Traceback" not in result.output, (args, result.output)
        assert "Refusé" in result.output or "est un dossier" in result.output, (args, result.output)
    assert {k: v for k, v in _digest(root).items() if not k.startswith("store.sqlite3-")} == \
        {k: v for k, v in before.items() if not k.startswith("store.sqlite3-")}


def test_outputs_pseudo_export_needs_force_over_existing_texts(sample, tmp_path):
    root = str(sample.project.path)
    out = tmp_path / "pseudo"
    out.mkdir()
    (out / "marche_samedi.txt").write_text("mon texte", encoding="utf-8")
    result = runner.invoke(app, ["pseudo", "export", "--project", root, "--out", str(out)])
    assert result.exit_code == 1 and "marche_samedi.txt" in result.output and "--force" in result.output
    assert (out / "marche_samedi.txt").read_text(encoding="utf-8") == "mon texte"
    result = runner.invoke(app, ["pseudo", "export", "--project", root, "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "Fatima" in (out / "marche_samedi.txt").read_text(encoding="utf-8") or \
        (out / "marche_samedi.txt").read_text(encoding="utf-8") != "mon texte"
