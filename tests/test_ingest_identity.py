"""Document identity: path relative to the corpus root (or manifest id), versions kept on re-import."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from exporterre_nlp import Project
from exporterre_nlp.cli import app
from exporterre_nlp.importer import ingest_paths
from exporterre_nlp.store import migrations

pytestmark = pytest.mark.usefixtures("french")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_identity_same_base_name_in_two_folders_is_two_documents(project, tmp_path, monkeypatch):
    """The issue's case: `ingest relais/entretien_01.txt --phase 1` then `habitants/entretien_01.txt --phase 3`."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "relais" / "entretien_01.txt", "E : Votre association ?\nKarim : Le club de foot.\n")
    _write(tmp_path / "habitants" / "entretien_01.txt", "E : Vous habitez ici ?\nAwa : Depuis vingt ans.\n")
    first = ingest_paths(project, [Path("relais/entretien_01.txt")], metadata={"phase": 1})[0]
    second = ingest_paths(project, [Path("habitants/entretien_01.txt")], metadata={"phase": 3})[0]
    assert (first.status, second.status) == ("added", "added")
    assert second.document == "habitants/entretien_01"
    relais = project.store.get_document("entretien_01")
    assert relais.phase == 1 and "club de foot" in relais.text and relais.identity == "relais/entretien_01"
    habitants = project.store.get_document("habitants/entretien_01")
    assert habitants.phase == 3 and "vingt ans" in habitants.text
    # and again, each folder as a corpus root: both are recognised (same files), nothing changes
    again = ingest_paths(project, [tmp_path / "relais"], metadata={"phase": 1})
    again += ingest_paths(project, [tmp_path / "habitants"], metadata={"phase": 3})
    assert [r.status for r in again] == ["unchanged"] * 2, [(r.path, r.status, r.message) for r in again]


def test_ingest_identity_two_folders_imported_one_after_the_other(project, tmp_path):
    """Each folder is its own corpus root, so both files are `entretien_01`: still two documents."""
    _write(tmp_path / "relais" / "entretien_01.txt", "E : Votre association ?\nKarim : Le club de foot.\n")
    _write(tmp_path / "habitants" / "entretien_01.txt", "E : Vous habitez ici ?\nAwa : Depuis vingt ans.\n")
    for _ in range(2):
        first = ingest_paths(project, [tmp_path / "relais"], metadata={"phase": 1})[0]
        second = ingest_paths(project, [tmp_path / "habitants"], metadata={"phase": 3})[0]
    assert (first.status, second.status) == ("unchanged", "unchanged")
    assert [(d.name, d.phase) for d in project.store.list_documents()] == [
        ("entretien_01", 1), ("habitants/entretien_01", 3)]
    assert project.store.get_document("habitants/entretien_01").identity == "habitants/entretien_01"


def test_ingest_identity_old_document_that_cannot_be_told_apart_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _old_store(tmp_path, monkeypatch, {"entretien_01.txt": "E : un\nKarim : deux\n"})
    _write(tmp_path / "x" / "entretien_01.txt", "E : quatre\nAwa : cinq\n")
    proj = Project.open(path)
    try:
        result = ingest_paths(proj, [tmp_path / "x"], metadata={"phase": 3})[0]
        assert result.status == "added" and "n'a pas pu être reconnu" in result.message
        assert proj.store.get_document("entretien_01").text == "E : un\nKarim : deux\n"
        assert "cinq" in proj.store.get_document(result.document).text
    finally:
        proj.close()


def test_ingest_identity_the_same_file_from_another_root_is_the_same_document(project, tmp_path):
    f = _write(tmp_path / "corpus" / "relais" / "e1.txt", "E : Bonjour.\nKarim : Bonjour.\n")
    ingest_paths(project, [tmp_path / "corpus"], metadata={"phase": 1})
    result = ingest_paths(project, [f.parent], metadata={"phase": 1})[0]
    assert result.status == "unchanged" and len(project.store.list_documents()) == 1


def test_ingest_identity_manifest_id_follows_a_renamed_file(project, tmp_path):
    folder = tmp_path / "c"
    _write(folder / "a.txt", "E : Bonjour.\nAwa : Oui.\n")
    _write(folder / "manifest.csv", "file,id,phase\na.txt,H3-12,3\n")
    assert ingest_paths(project, [folder])[0].status == "added"
    (folder / "a.txt").rename(folder / "b.txt")
    _write(folder / "manifest.csv", "file,Identifiant,phase\nb.txt,H3-12,3\n")
    result = ingest_paths(project, [folder])[0]
    assert result.status == "unchanged" and result.document == "a"
    assert "id" not in project.store.get_document("a").attributes


def test_ingest_identity_reimport_keeps_the_old_version_and_says_what_changed(project, tmp_path):
    f = _write(tmp_path / "e.txt", "E : Alors ?\nAwa : On a besoin de crèches.\n")
    ingest_paths(project, [f], metadata={"phase": 1, "lieu": "marché"})
    _write(f, "E : Alors ?\nAwa : On a vraiment besoin de crèches.\n")
    result = ingest_paths(project, [f], metadata={"phase": 3, "lieu": "marché"})[0]
    assert result.status == "updated"
    assert "texte modifié" in result.message and "phase 1 → 3" in result.message and "lieu" not in result.message
    doc = project.store.get_document("e")
    versions = project.store.list_versions(doc.id)
    assert [(v.version, v.phase, v.lieu) for v in versions] == [(1, 1, "marché")]
    assert "vraiment" not in versions[0].text and "vraiment" in doc.text and doc.version == 2
    # metadata only
    result = ingest_paths(project, [f], metadata={"phase": 3, "lieu": "parc"})[0]
    assert result.status == "updated" and "texte" not in result.message and "lieu marché → parc" in result.message
    assert [v.version for v in project.store.list_versions(doc.id)] == [1, 2]


def test_ingest_identity_codings_are_reanchored_on_update(project, tmp_path):
    f = _write(tmp_path / "e.txt", "E : alors ?\nAwa : euh on a besoin de crèches ici.\n")
    ingest_paths(project, [f], metadata={"phase": 3})
    doc = project.store.get_document("e")
    start = doc.text.index("besoin de crèches")
    code = project.store.list_codes()[0].key
    coding = project.store.add_coding(doc.id, start, start + 17, code, "amina")
    _write(f, "E : Alors ?\nAwa : on a vraiment besoin de crèches ici.\n")
    assert ingest_paths(project, [f], metadata={"phase": 3}, update=True)[0].status == "updated"
    moved = project.store.get_coding(coding.id)
    assert project.store.get_document("e").text[moved.start:moved.end] == "besoin de crèches"


def test_ingest_identity_old_versions_are_listed_shown_and_written_by_the_versions_command(project, tmp_path):
    f = _write(tmp_path / "e.txt", "E : alors ?\nAwa : euh on a besoin de crèches ici.\n")
    ingest_paths(project, [f], metadata={"phase": 3})
    first = project.store.get_document("e").text
    _write(f, "E : Alors ?\nAwa : on a vraiment besoin de crèches ici.\n")
    ingest_paths(project, [f], metadata={"phase": 3}, update=True)
    run = CliRunner().invoke
    p = ["--project", str(project.path)]
    listed = run(app, ["versions", "e", *p])
    assert listed.exit_code == 0, listed.output
    assert "1" in listed.output and "2 (actuelle)" in listed.output
    shown = run(app, ["versions", "e", "--show", "1", *p])
    assert shown.exit_code == 0 and shown.output == first
    out = tmp_path / "sortie" / "e_v1.txt"
    assert run(app, ["versions", "e", "--show", "1", "--out", str(out), *p]).exit_code == 0
    assert out.read_text(encoding="utf-8") == first
    # a version that does not exist, --out without --show, a file inside the project: refused, named
    missing = run(app, ["versions", "e", "--show", "7", *p])
    assert missing.exit_code != 0 and "pas de version n° 7" in missing.output and "1" in missing.output
    assert run(app, ["versions", "e", "--out", str(out), *p]).exit_code != 0
    inside = run(app, ["versions", "e", "--show", "1", "--out", str(project.path / "store.sqlite3"), *p])
    assert inside.exit_code != 0
    assert project.store.get_document("e").version == 2
    data = run(app, ["versions", "e", "--json", *p])
    import json
    assert [v["version"] for v in json.loads(data.output)["versions"]] == [1, 2]


def _old_store(tmp_path: Path, monkeypatch, files: dict[str, str]) -> Path:
    """A project written before migration 6 (schema 4), with documents imported from ``files``."""
    with monkeypatch.context() as m:
        old = [(n, f) for n, f in migrations.MIGRATIONS if n < 6]
        m.setattr(migrations, "MIGRATIONS", old)
        m.setattr(migrations, "LATEST", old[-1][0])
        proj = Project.init(tmp_path / "p")
        conn = proj.store.db.conn
        for rel, text in files.items():
            conn.execute("INSERT INTO documents(name, phase, source_path, format, content_hash, text, created_at, "
                         "updated_at) VALUES (?, 1, ?, 'txt', ?, ?, 'x', 'x')",
                         (Path(rel).stem, rel, "h-" + rel, text))
        proj.close()
    return tmp_path / "p"


def test_ingest_identity_migration_keeps_names_as_identities(tmp_path, monkeypatch):
    path = _old_store(tmp_path, monkeypatch, {"relais/entretien_01.txt": "E : un\n"})
    proj = Project.open(path)
    try:
        doc = proj.store.get_document("entretien_01")
        assert doc.identity == "entretien_01" and doc.text == "E : un\n"
        assert [o.legacy for o in proj.store.document_origins(identity="entretien_01")] == [True]
    finally:
        proj.close()


def test_ingest_identity_old_document_is_recognised_only_when_it_is_the_same_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _old_store(tmp_path, monkeypatch, {"relais/entretien_01.txt": "E : un\nKarim : deux\n"})
    _write(tmp_path / "relais" / "entretien_01.txt", "E : un\nKarim : deux, trois\n")
    _write(tmp_path / "habitants" / "entretien_01.txt", "E : quatre\nAwa : cinq\n")
    proj = Project.open(path)
    try:
        other = ingest_paths(proj, [Path("habitants/entretien_01.txt")], metadata={"phase": 3})[0]
        assert other.status == "added" and other.document == "habitants/entretien_01"
        assert "n'a pas pu être reconnu" not in (other.message or "")   # its recorded path says it is another file
        same = ingest_paths(proj, [Path("relais/entretien_01.txt")], metadata={"phase": 1})[0]
        assert same.status == "updated" and same.document == "entretien_01"
        assert proj.store.get_document("entretien_01").identity == "relais/entretien_01"
        assert proj.store.get_document("habitants/entretien_01").phase == 3
    finally:
        proj.close()


def test_ingest_identity_cli_shows_paths_when_base_names_collide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Project.init(tmp_path / "p").close()
    _write(tmp_path / "relais" / "entretien_01.txt", "E : un\nKarim : deux\n")
    _write(tmp_path / "habitants" / "entretien_01.txt", "E : trois\nAwa : quatre\n")
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "relais", "habitants", "--phase", "3", "--project", "p"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "relais/entretien_01.txt" in result.output and "habitants/entretien_01.txt" in result.output
    assert "2 ajouté(s)" in result.output
