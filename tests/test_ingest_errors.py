"""Bad files get a per-file French message (never a traceback), a folder import goes on and ends
with a summary; symbolic links are never followed; manifest rows without a file are reported."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exporterre_nlp import Project
from exporterre_nlp.cli import app
from exporterre_nlp.errors import MetadataError
from exporterre_nlp.importer import ingest_paths
from exporterre_nlp.ingest import read_file, split_front_matter

pytestmark = pytest.mark.usefixtures("french")
GOOD = "E : Bonjour.\nAwa : Bonjour à vous.\n"


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _by_name(results):
    return {Path(r.path).name: r for r in results}


def test_ingest_errors_impossible_front_matter_date_is_a_message(tmp_path):
    path = _write(tmp_path / "a.md", "---\nphase: 3\ndate: 2026-02-30\n---\n" + GOOD)
    with pytest.raises(MetadataError, match="Date invalide « 2026-02-30 »") as err:
        read_file(path)
    assert "2026-03-12" in err.value.hint


def test_ingest_errors_front_matter_date_still_read_when_valid(tmp_path):
    assert read_file(_write(tmp_path / "a.md", "---\ndate: 2026-02-28\n---\n" + GOOD)).metadata["date"] == "2026-02-28"


def test_ingest_errors_deeply_nested_front_matter_is_refused(tmp_path):
    deep = "---\nphase: 3\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n" + GOOD
    with pytest.raises(MetadataError, match="imbriqué trop profondément"):
        split_front_matter(deep, "deep.md")
    nested = "---\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)) + "---\n" + GOOD
    with pytest.raises(MetadataError, match="imbriqué trop profondément"):
        split_front_matter(nested, "deep.md")


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="needs a filesystem that accepts any bytes")
def test_ingest_errors_folder_goes_on_and_ends_with_a_summary(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    _write(folder / "a.md", "---\nphase: 3\ndate: 2026-02-30\n---\n" + GOOD)
    _write(folder / "deep.md", "---\nphase: 3\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n" + GOOD)
    _write(Path(os.fsdecode(bytes(folder) + b"/nom\xff\xfe.txt")), GOOD)
    _write(folder / "ok.txt", GOOD)
    _write(folder / "z.txt", GOOD.replace("Awa", "Karim"))
    Project.init(tmp_path / "p").close()
    import exporterre_nlp.importer as importer
    real = importer.read_file

    def flaky(path, *args, **kwargs):           # any other failure of one file
        if Path(path).name == "z.txt":
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(importer, "read_file", flaky)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--phase", "3", "--project", str(tmp_path / "p")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    out = result.output
    assert "Traceback" not in out
    assert "Date invalide « 2026-02-30 »" in out and "imbriqué trop profondément" in out
    assert "pas de l'UTF-8" in out and "Renommez le fichier" in out
    assert "erreur inattendue : RuntimeError : boom" in out
    assert "1 ajouté(s), 0 mis à jour, 0 inchangé(s), 0 ignoré(s), 4 refusé(s)." in out
    proj = Project.open(tmp_path / "p")
    try:
        assert [d.name for d in proj.store.list_documents()] == ["ok"]
    finally:
        proj.close()


def test_ingest_errors_pdf_doc_and_audio_in_a_folder_are_said_not_skipped_in_silence(project, tmp_path):
    folder = tmp_path / "corpus"
    _write(folder / "ok.txt", GOOD)
    _write(folder / "entretien_03.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    _write(folder / "vieux" / "entretien_04.DOC", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    _write(folder / "audio" / "entretien_05.m4a", b"\x00\x00\x00\x20ftypM4A ")
    _write(folder / "photo.jpg", b"\xff\xd8\xff")
    results = _by_name(ingest_paths(project, [folder], metadata={"phase": 3}))
    assert results["ok.txt"].status == "added"
    assert results["entretien_03.pdf"].status == "skipped" and "pdftotext" in results["entretien_03.pdf"].message
    assert "soffice --headless --convert-to docx" in results["entretien_04.DOC"].message
    assert "transcri" in results["entretien_05.m4a"].message
    assert "photo.jpg" not in results                     # a picture is not a transcript anybody forgot
    assert [d.name for d in project.store.list_documents()] == ["ok"]
    # the command says it too, naming the file
    out = CliRunner().invoke(app, ["ingest", str(folder), "--project", str(project.path), "--phase", "3"])
    assert "entretien_03.pdf" in out.output and "format non lu (.pdf)" in out.output


def test_ingest_errors_symlinks_in_a_folder_are_not_followed(project, tmp_path):
    outside = _write(tmp_path / "secret" / "passwd.txt", "root:x:0:0:root:/root:/bin/bash\n")
    folder = tmp_path / "corpus"
    _write(folder / "ok.txt", GOOD)
    (folder / "x.txt").symlink_to(outside)
    (folder / "dossier").symlink_to(outside.parent, target_is_directory=True)
    results = _by_name(ingest_paths(project, [folder], metadata={"phase": 3}))
    assert results["ok.txt"].status == "added"
    assert results["x.txt"].status == "skipped" and "lien symbolique ignoré" in results["x.txt"].message
    assert results["dossier"].status == "skipped"
    assert [d.name for d in project.store.list_documents()] == ["ok"]
    assert all("root:x" not in d.text for d in map(project.store.get_document, ["ok"]))


def test_ingest_errors_symlink_given_directly_or_by_manifest_is_not_followed(project, tmp_path):
    outside = _write(tmp_path / "secret.txt", GOOD)
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "lien.txt").symlink_to(outside)
    (folder / "sub" / "b.txt").symlink_to(outside)
    manifest = _write(folder / "manifest.csv", "file,phase\nsub/b.txt,3\n")
    direct = ingest_paths(project, [folder / "lien.txt"], metadata={"phase": 3})
    by_manifest = ingest_paths(project, [manifest])
    assert [r.status for r in direct + by_manifest] == ["skipped", "skipped"]
    assert project.store.list_documents() == []
    with pytest.raises(Exception, match="lien symbolique"):
        from exporterre_nlp.importer import ingest_file
        ingest_file(project, folder / "lien.txt", metadata={"phase": 3})


def test_ingest_errors_manifest_rows_without_file_are_reported(project, tmp_path):
    folder = tmp_path / "corpus"
    _write(folder / "a.txt", GOOD)
    _write(folder / "manifest.csv", "file,phase\na.txt,3\nentretien_absent.txt,3\n")
    results = _by_name(ingest_paths(project, [folder]))
    assert results["a.txt"].status == "added"
    missing = results["entretien_absent.txt"]
    assert missing.status == "error" and "absent" in missing.message and "colonne `file`" in missing.message
    given = _by_name(ingest_paths(project, [folder / "manifest.csv"]))
    assert given["entretien_absent.txt"].status == "error"
