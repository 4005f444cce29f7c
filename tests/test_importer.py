"""Importing files, folders and manifests into a project."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from exporterre_nlp import Project
from exporterre_nlp.importer import ingest_paths


MINI_CODEBOOK = """format: exporterre-codebook/1
name: Mini
language: fr
codes:
  - key: besoins
    label: Besoins
"""


@pytest.fixture()
def mini(tmp_path):
    book = tmp_path / "mini.yaml"
    book.write_text(MINI_CODEBOOK, encoding="utf-8")
    proj = Project.init(tmp_path / "p", codebook=book)
    yield proj
    proj.close()


def _dump(project: Project) -> list[str]:
    conn = project.store.db.conn
    return [line for line in conn.iterdump()]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_demo_corpus_imports_every_file_with_valid_offsets(mini, demo_corpus):
    results = ingest_paths(mini, [demo_corpus])
    errors = [r for r in results if r.status == "error"]
    assert not errors, errors
    status = mini.store.corpus_status()
    assert status["documents"] == len(results) >= 24
    assert status["words"] >= 30_000
    assert all(status["phases"][p]["documents"] > 0 for p in ("1", "2", "3"))
    assert status["speakers"]["interviewer"] > 0 and status["speakers"]["resident"] > 0
    for summary in mini.store.list_documents():
        doc = mini.store.get_document(summary.id)
        for seg in mini.store.list_segments(doc.id):
            words = doc.text[seg.start:seg.end]
            assert words and words == words.strip() and "\r" not in words
    # interviewer turns are recognised in every interview with an interviewer column
    views = mini.store.segment_views(roles=["interviewer"], include_unattributed=False)
    assert len({v.document for v in views}) >= 20


def test_reimporting_identical_files_changes_nothing(mini, demo_corpus):
    ingest_paths(mini, [demo_corpus / "phase3"], manifest=demo_corpus / "manifest.csv")
    before = _dump(mini)
    again = ingest_paths(mini, [demo_corpus / "phase3"], manifest=demo_corpus / "manifest.csv")
    assert {r.status for r in again} == {"unchanged"}
    assert _dump(mini) == before


def test_cli_values_override_manifest_and_front_matter(mini, tmp_path):
    f = _write(tmp_path / "c" / "notes.md", "---\nphase: 2\nlieu: marché\n---\nH1 : bonjour\nF2 : salut\n")
    ingest_paths(mini, [f], metadata={"phase": 3, "lieu": None})
    doc = mini.store.get_document("notes")
    assert doc.phase == 3 and doc.lieu == "marché"
    assert doc.text == "H1 : bonjour\nF2 : salut\n"


def test_a_failed_file_leaves_the_store_exactly_as_it_was(mini, tmp_path):
    ingest_paths(mini, [_write(tmp_path / "ok.txt", "E : bonjour\nAwa : bonjour\n")], metadata={"phase": 3})
    before = _dump(mini)
    bad = [_write(tmp_path / "sans_phase.txt", "E : bonjour\n"),
           _write(tmp_path / "binaire.txt", "\x00\x01\x02PK\x03\x04" * 50, "latin-1"),
           _write(tmp_path / "vide.txt", "   \n"),
           _write(tmp_path / "casse.docx", "pas un zip")]
    results = ingest_paths(mini, bad)
    assert [r.status for r in results] == ["error"] * 4
    assert all(Path(r.path).name in r.message for r in results), [r.message for r in results]
    assert _dump(mini) == before


def test_a_folder_import_reports_per_file_and_goes_on(mini, tmp_path):
    folder = tmp_path / "corpus"
    _write(folder / "a.txt", "E : bonjour\nAwa : on a besoin de crèches\n")
    _write(folder / "b.txt", "\x00" * 100, "latin-1")
    _write(folder / "c.txt", "E : bonjour\nKarim : il manque des bancs\n")
    _write(folder / "manifest.csv", "file,phase\na.txt,3\nb.txt,3\nc.txt,1\n")
    _write(folder / "README.md", "# pas un entretien\n")
    results = {Path(r.path).name: r.status for r in ingest_paths(mini, [folder])}
    assert results == {"a.txt": "added", "b.txt": "error", "c.txt": "added"}
    assert mini.store.get_document("c").phase == 1
    roles = {s.label: s.role for s in mini.store.list_speakers(mini.store.get_document("c").id)}
    assert roles == {"E": "interviewer", "Karim": "relais"}


def test_same_base_name_in_two_folders_gives_two_documents(mini, tmp_path):
    a = _write(tmp_path / "x" / "entretien.txt", "E : un\nAwa : deux\n")
    b = _write(tmp_path / "y" / "entretien.txt", "E : trois\nAwa : quatre\n")
    results = ingest_paths(mini, [a, b], metadata={"phase": 3})
    assert [(r.status, r.document) for r in results] == [("added", "entretien"), ("added", "y/entretien")]
    assert "déjà un autre document" in results[1].message
    assert "deux" in mini.store.get_document("entretien").text
    assert "quatre" in mini.store.get_document("y/entretien").text


def test_two_files_that_are_the_same_document_in_one_import_are_refused(mini, tmp_path):
    a = _write(tmp_path / "x" / "entretien.txt", "E : un\nAwa : deux\n")
    b = _write(tmp_path / "x" / "entretien.md", "E : trois\nAwa : quatre\n")
    results = ingest_paths(mini, [tmp_path / "x"], metadata={"phase": 3})
    assert [r.status for r in results] == ["added", "error"]
    assert "même document" in results[1].message and str(b) in results[1].message and str(a) in results[1].message


def test_changed_file_with_codings_is_not_overwritten_without_update(mini, tmp_path):
    f = _write(tmp_path / "e12.txt", "E : alors ?\nAwa : euh on a besoin de crèches ici.\n")
    ingest_paths(mini, [f], metadata={"phase": 3})
    doc = mini.store.get_document("e12")
    start = doc.text.index("besoin de crèches")
    coding = mini.store.add_coding(doc.id, start, start + 17, "besoins", "amina")
    _write(f, "E : Alors ?\nAwa : on a vraiment besoin de crèches ici, et de médecins.\n")
    before = _dump(mini)
    refused = ingest_paths(mini, [f], metadata={"phase": 3})[0]
    assert refused.status == "error" and "--update" in refused.message
    assert _dump(mini) == before
    updated = ingest_paths(mini, [f], metadata={"phase": 3}, update=True)[0]
    assert updated.status == "updated"
    doc = mini.store.get_document("e12")
    moved = mini.store.get_coding(coding.id)
    assert doc.text[moved.start:moved.end] == "besoin de crèches" and doc.version == 2


def test_changed_file_without_codings_is_replaced(mini, tmp_path):
    f = _write(tmp_path / "e13.txt", "E : alors ?\nAwa : oui.\n")
    ingest_paths(mini, [f], metadata={"phase": 3})
    _write(f, "E : alors ?\nAwa : oui, voilà.\n")
    assert ingest_paths(mini, [f], metadata={"phase": 3})[0].status == "updated"
    assert "voilà" in mini.store.get_document("e13").text


def test_group_documents_map_speakers_to_their_participants(mini, tmp_path):
    folder = tmp_path / "g"
    _write(folder / "couple.txt", "E : bonjour\nMélanie : bonjour\nDjamel : salut\nMélanie : voilà\n")
    _write(folder / "manifest.csv", "file,phase,participant,genre\ncouple.txt,3,H3-09a;H3-09b,F;H\n")
    ingest_paths(mini, [folder])
    doc = mini.store.get_document("couple")
    speakers = {s.label: s.participant_id for s in mini.store.list_speakers(doc.id)}
    parts = {p.id: p for p in mini.store.list_participants()}
    assert parts[speakers["Mélanie"]].key == "H3-09a" and parts[speakers["Mélanie"]].attributes["genre"] == "F"
    assert parts[speakers["Djamel"]].key == "H3-09b" and parts[speakers["Djamel"]].attributes["genre"] == "H"
    assert speakers["E"] is None


def test_a_file_given_alone_uses_the_manifest_of_its_folder(mini, demo_corpus):
    f = demo_corpus / "phase3" / "porte_a_porte_baladins_01.txt"
    result = ingest_paths(mini, [f])[0]
    assert result.status == "added"
    doc = mini.store.get_document(result.document)
    assert doc.phase == 3 and doc.encoding and "16" in doc.encoding
    assert json.dumps(doc.attributes, ensure_ascii=False)


def test_speakers_column_names_who_is_which_participant(mini, tmp_path):
    folder = tmp_path / "s"
    _write(folder / "couple.txt", "E : bonjour\nMélanie : bonjour\nDjamel : salut\nMélanie : voilà\n")
    _write(folder / "manifest.csv",
           "file,phase,participant,genre,speakers\ncouple.txt,3,H3-09a;H3-09b,H;F,Djamel;Mélanie\n")
    ingest_paths(mini, [folder])
    doc = mini.store.get_document("couple")
    parts = {p.id: p.key for p in mini.store.list_participants()}
    assert {s.label: parts.get(s.participant_id) for s in mini.store.list_speakers(doc.id)} == {
        "E": None, "Djamel": "H3-09a", "Mélanie": "H3-09b"}


def test_speakers_column_that_does_not_match_the_text_is_refused(mini, tmp_path):
    folder = tmp_path / "s"
    _write(folder / "couple.txt", "E : bonjour\nMélanie : bonjour\nDjamel : salut\n")
    _write(folder / "manifest.csv", "file,phase,participant,speakers\ncouple.txt,3,H3-09a;H3-09b,Djamel;Sophie\n")
    result = ingest_paths(mini, [folder])[0]
    assert result.status == "error" and "speakers" in result.message and "Sophie" in result.message
    assert mini.store.find_document("couple") is None
