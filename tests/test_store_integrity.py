"""Issue 17 (store): a file that is not a whole store of ours is refused untouched; old stores of ours are
recognised, backed up (and the backup announced) before they get our application_id; killed runs show as
interrupted; the console never interprets names or participant text."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exporterre_nlp import Project
from exporterre_nlp.cli import app
from exporterre_nlp.errors import StoreError, StoreTooNewError
from exporterre_nlp.store import Store
from exporterre_nlp.store.integrity import APPLICATION_ID, DamagedStoreError, ForeignStoreError
from exporterre_nlp.store.migrations import LATEST, MIGRATIONS, m005_identity
from exporterre_nlp.store.runs import run_state

runner = CliRunner()


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _project_with(tmp_path: Path, make) -> Path:
    """A project folder whose store.sqlite3 is replaced by what ``make(path)`` writes."""
    Project.init(tmp_path / "p").close()
    store = tmp_path / "p" / "store.sqlite3"
    for extra in store.parent.glob("store.sqlite3-*"):
        extra.unlink()
    store.unlink()
    make(store)
    return tmp_path / "p"


def _refused(project: Path, error=StoreError) -> str:
    before = _snapshot(project)
    with pytest.raises(error) as err:
        Project.open(project)
    assert _snapshot(project) == before, "the refused file (or its folder) was modified"
    result = runner.invoke(app, ["status", "--project", str(project)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert _snapshot(project) == before
    return err.value.message + "\n" + (err.value.hint or "")


def test_store_integrity_empty_file_is_refused_untouched(tmp_path):
    project = _project_with(tmp_path, lambda p: p.write_bytes(b""))
    text = _refused(project, DamagedStoreError)
    assert "vide" in text and "n'a pas été modifié" in text


def test_store_integrity_text_file_is_refused(tmp_path):
    project = _project_with(tmp_path, lambda p: p.write_text("pas une base\n" * 50, encoding="utf-8"))
    assert "SQLite" in _refused(project, ForeignStoreError)


def _foreign_app(path: Path, app_id: int = 0) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places(url) VALUES ('https://exemple.fr')")
    if app_id:
        conn.execute(f"PRAGMA application_id = {app_id}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("app_id", [0, 0x0F055112])
def test_store_integrity_other_applications_database_is_refused(tmp_path, app_id):
    project = _project_with(tmp_path, lambda p: _foreign_app(p, app_id))
    text = _refused(project, ForeignStoreError)
    assert "n'est pas une base Exporterre" in text
    conn = sqlite3.connect(project / "store.sqlite3")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert tables == {"moz_places"} and mode == "delete"


def _real_store(path: Path, pages: int = 0) -> None:
    store = Store.open(path, create=True)
    with store.db.transaction() as conn:
        for i in range(pages):
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (f"k{i}", "x" * 3000))
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def test_store_integrity_truncated_store_is_refused(tmp_path):
    def make(path):
        _real_store(path, pages=40)
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    assert "tronquée" in _refused(_project_with(tmp_path, make), DamagedStoreError)


def test_store_integrity_corrupted_page_is_refused_before_any_write(tmp_path):
    def make(path):
        _real_store(path, pages=40)
        with open(path, "r+b") as fh:
            page = int.from_bytes(open(path, "rb").read(100)[16:18], "big")
            fh.seek(page * 5)                      # an inner page of the meta table
            fh.write(os.urandom(page))
    text = _refused(_project_with(tmp_path, make), DamagedStoreError)
    assert "endommagée" in text


def test_store_integrity_too_new_store_in_rollback_mode_is_not_switched_to_wal(tmp_path):
    def make(path):
        _real_store(path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f"PRAGMA user_version = {LATEST + 3}")
        conn.close()
    project = _project_with(tmp_path, make)
    text = _refused(project, StoreTooNewError)
    assert f"schéma {LATEST + 3}" in text and "n'a pas été modifié" in text
    header = (project / "store.sqlite3").read_bytes()[:20]
    assert header[18:20] == b"\x01\x01"              # still rollback journal (WAL would be 2, 2)


def _legacy_store(path: Path) -> int:
    """A store as the program made it before application_id: every migration before ours."""
    mine = next(n for n, m in MIGRATIONS if m is m005_identity)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for number, migration in MIGRATIONS:
        if number < mine:
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO meta(key, value) VALUES ('codebook_name', 'ancien')")
    conn.close()
    return mine - 1


def test_store_integrity_old_store_of_ours_is_recognised_backed_up_and_announced(tmp_path):
    old = {}
    project = _project_with(tmp_path, lambda p: old.setdefault("v", _legacy_store(p)))
    result = runner.invoke(app, ["status", "--project", str(project)])
    assert result.exit_code == 0, result.output
    backups = sorted(project.glob(f"store.sqlite3.v{old['v']}-*.bak"))
    assert len(backups) == 1 and backups[0].name in result.output.replace("\n", "")
    conn = sqlite3.connect(project / "store.sqlite3")
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert conn.execute("SELECT value FROM meta WHERE key = 'codebook_name'").fetchone()[0] == "ancien"
    conn.close()
    with sqlite3.connect(backups[0]) as bak:
        assert bak.execute("PRAGMA user_version").fetchone()[0] == old["v"]
    assert not list(project.glob("*.partial"))


def test_store_integrity_new_store_carries_the_application_id(tmp_path):
    Project.init(tmp_path / "p").close()
    with sqlite3.connect(tmp_path / "p" / "store.sqlite3") as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_store_runs_killed_run_is_shown_interrupted(tmp_path):
    Project.init(tmp_path / "p").close()
    store = Store.open(tmp_path / "p")
    killed = store.start_run("analyse", settings={}, versions={})
    alive = store.start_run("themes", settings={}, versions={})
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout.strip()
    with store.db.transaction() as conn:
        conn.execute("UPDATE runs SET pid = ? WHERE id = ?", (int(dead_pid), killed.id))
    store.close()
    store = Store.open(tmp_path / "p")
    assert store.get_run(alive.id).status == "running"          # this process is still alive
    run = store.get_run(killed.id)
    assert run.status == "failed" and run.summary["interrupted"] and run_state(run) == "interrompu"
    store.close()
    result = runner.invoke(app, ["status", "--project", str(tmp_path / "p")])
    assert result.exit_code == 0 and f"Analyse n° {killed.id}" in result.output and "interrompu" in result.output


@pytest.mark.parametrize("name", ["[red]rouge.txt", "a[/]b.txt", "esc\x1b[2Jfin.txt", "[bold]x[/bold].txt"])
def test_cli_file_names_are_never_markup_or_escape_sequences(tmp_path, name):
    Project.init(tmp_path / "p").close()
    corpus = tmp_path / "corpus"
    (corpus / name).parent.mkdir(parents=True)          # "a[/]b.txt": folder "a[", file "]b.txt"
    (corpus / name).write_text("E : Bonjour.\nFatima : On manque de crèches ici.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(corpus / name), "--project", str(tmp_path / "p"), "--phase", "3"])
    assert "Traceback" not in result.output and "MarkupError" not in repr(result.exception)
    assert "\x1b" not in result.output
    shown = Path(name).name.replace("\x1b", "\\x1b")
    assert shown[:12] in result.output.replace("\n", ""), result.output
    # an error message naming the file goes through the same escaping
    (corpus / name).write_bytes(b"\xff\xfe\x00" * 3)
    result = runner.invoke(app, ["ingest", str(corpus / name), "--project", str(tmp_path / "p"), "--phase", "3"])
    assert "Traceback" not in result.output and "\x1b" not in result.output


def test_cli_coder_names_are_printed_literally_in_agreement(tmp_path):
    from exchange_project import build, span
    sample = build(tmp_path)
    store = sample.project.store
    doc = store.get_document("marche_samedi")
    store.add_coding(doc.id, *span(doc.text, "Il faut plus de crèches"), "besoins.garde_enfants", "[/]eve")
    sample.project.close()
    result = runner.invoke(app, ["agreement", "--project", str(sample.project.path), "--coders", "alice,[/]eve"])
    assert result.exit_code == 0, result.output
    assert "[/]eve" in result.output and "Traceback" not in result.output
