"""Manifest CSV, metadata validation and YAML front matter."""
from __future__ import annotations

import codecs
import datetime as dt

import pytest

from exporterre_nlp.errors import MetadataError
from exporterre_nlp.i18n import set_language
from exporterre_nlp.ingest import load_manifest, manifest_key, normalise_metadata, split_front_matter


pytestmark = pytest.mark.usefixtures("french")


# --- load_manifest -------------------------------------------------------------------
def test_semicolon_manifest_with_bom_and_attributes(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_bytes(codecs.BOM_UTF8 + (
        "file;phase;lieu;date;participant;interviewer;role;âge;quartier\r\n"
        "entretiens/fatima.docx;3;Marché;12/03/2026;Fatima;E, Claire;habitante;43;Arlequin\r\n"
        "./relais\\centre.txt;relais;Centre social;2026-02-01;;Claire;relais;;\r\n"
        "\r\n").encode("utf-8"))
    manifest = load_manifest(path)
    assert manifest == {
        "entretiens/fatima.docx": {"phase": 3, "lieu": "Marché", "date": "2026-03-12",
                                   "participant": "Fatima", "interviewer": ["E", "Claire"],
                                   "role": "resident", "âge": "43", "quartier": "Arlequin"},
        "relais/centre.txt": {"phase": 1, "lieu": "Centre social", "date": "2026-02-01",
                              "interviewer": ["Claire"], "role": "relais"},
    }


def test_comma_manifest_with_quotes_and_missing_phase(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('file,lieu,notes\nnotes/visite.md,"Mosquée, salle du bas","dit ""bonjour"""\n',
                    encoding="utf-8")
    assert load_manifest(path) == {"notes/visite.md": {"lieu": "Mosquée, salle du bas",
                                                       "notes": 'dit "bonjour"'}}


def test_cp1252_manifest_from_excel(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes("fichier;phase;lieu\r\nété.txt;2;Église\r\n".encode("cp1252"))
    assert load_manifest(path) == {"été.txt": {"phase": 2, "lieu": "Église"}}


def test_manifest_without_file_column_is_refused(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("nom;phase\nfatima.txt;3\n", encoding="utf-8")
    with pytest.raises(MetadataError) as err:
        load_manifest(path)
    assert "`file`" in err.value.message and "m.csv" in err.value.message
    assert err.value.path == str(path)


def test_duplicate_rows_name_both_lines(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("file;phase\na.txt;1\nb.txt;2\n./a.txt;3\n", encoding="utf-8")
    with pytest.raises(MetadataError) as err:
        load_manifest(path)
    assert "ligne 4" in err.value.message and "ligne 2" in err.value.message and "m.csv" in err.value.message


@pytest.mark.parametrize("content, message", [
    ("file;phase\na.txt;1\nb.txt;quatre\n", r"m\.csv, ligne 3"),    # a bad phase names the line
    ("file;phase\n;1\n", "ligne 2"),                                 # an empty file cell
    ("file;phase\na.txt;1;extra\n", "séparateur"),                   # too many cells
    ("\n\n", "vide"),                                                # an empty manifest
])
def test_a_bad_manifest_is_refused_with_the_line_or_the_cause(tmp_path, content, message):
    path = tmp_path / "m.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MetadataError, match=message):
        load_manifest(path)


def test_missing_manifest_is_a_metadata_error(tmp_path):
    with pytest.raises(MetadataError, match="illisible"):
        load_manifest(tmp_path / "absent.csv")


@pytest.mark.parametrize("value,key", [("a.txt", "a.txt"), ("./x/../b/a.txt", "b/a.txt"),
                                       ("dossier\\sous\\f.docx", "dossier/sous/f.docx"),
                                       ("  e\u0301te\u0301.txt ", "été.txt")])
def test_manifest_key_normalises_paths(value, key):
    assert manifest_key(value) == key


@pytest.mark.parametrize("value", ["/etc/passwd", "C:\\corpus\\a.txt", "../a.txt", "."])
def test_manifest_key_refuses_paths_outside_the_corpus(value):
    with pytest.raises(MetadataError):
        manifest_key(value)


# --- normalise_metadata ----------------------------------------------------------------
@pytest.mark.parametrize("raw,phase", [("1", 1), (1, 1), (2.0, 2), ("phase 1", 1), ("Phase 3", 3),
                                       ("relais", 1), ("Lieux", 2), ("habitants", 3),
                                       ("Phase 3 (habitants)", 3), (" 2 ", 2)])
def test_phase_forms(raw, phase):
    assert normalise_metadata({"phase": raw}, source="x")["phase"] == phase


@pytest.mark.parametrize("raw", [4, 0, "phase 4", "quatre", True, 1.5, "1 habitants", [1]])
def test_invalid_phases(raw):
    with pytest.raises(MetadataError, match="Phase invalide"):
        normalise_metadata({"phase": raw}, source="doc.txt")


def test_missing_phase_says_how_to_give_one():
    with pytest.raises(MetadataError) as err:
        normalise_metadata({"lieu": "Marché"}, source="fatima.txt")
    assert "fatima.txt" in err.value.message and "phase" in err.value.message.lower()
    for way in ("phase: 3", "colonne `phase`", "--phase 3"):
        assert way in err.value.hint
    assert err.value.path == "fatima.txt"


def test_missing_phase_allowed_when_not_required():
    assert normalise_metadata({"lieu": "Marché"}, source="x", require_phase=False) == {"lieu": "Marché"}


def test_missing_phase_message_in_english():
    set_language("en")
    with pytest.raises(MetadataError, match="Missing phase"):
        normalise_metadata({}, source="x.txt")


@pytest.mark.parametrize("raw,iso", [("2026-03-12", "2026-03-12"), ("12/03/2026", "2026-03-12"),
                                     ("1/3/2026", "2026-03-01"), ("12.03.2026", "2026-03-12"),
                                     (dt.date(2026, 3, 12), "2026-03-12"),
                                     (dt.datetime(2026, 3, 12, 10, 30), "2026-03-12"),
                                     ("2026-03-12T10:30:00", "2026-03-12")])
def test_date_forms(raw, iso):
    assert normalise_metadata({"phase": 1, "date": raw}, source="x")["date"] == iso


@pytest.mark.parametrize("raw", ["31/02/2026", "mars 2026", "2026-13-01", "03/12/26"])
def test_invalid_dates(raw):
    with pytest.raises(MetadataError, match="Date invalide"):
        normalise_metadata({"phase": 1, "date": raw}, source="x")


@pytest.mark.parametrize("raw,labels", [("E", ["E"]), ("E; Claire", ["E", "Claire"]),
                                        ("E, Claire ,", ["E", "Claire"]), (["E", "Claire; Jo"], ["E", "Claire", "Jo"]),
                                        ("E;E", ["E"])])
def test_interviewer_labels(raw, labels):
    assert normalise_metadata({"phase": 1, "interviewer": raw}, source="x")["interviewer"] == labels


@pytest.mark.parametrize("raw,role", [("habitant", "resident"), ("Habitante", "resident"),
                                      ("résident", "resident"), ("resident", "resident"),
                                      ("relais", "relais"), ("autre", "other"), ("other", "other")])
def test_roles(raw, role):
    assert normalise_metadata({"phase": 3, "role": raw}, source="x")["role"] == role


def test_invalid_role():
    with pytest.raises(MetadataError, match="Rôle invalide"):
        normalise_metadata({"phase": 3, "role": "maire"}, source="x")


def test_other_keys_become_attribute_strings_and_empty_values_are_dropped():
    meta = normalise_metadata({"Phase": "3", "Lieu": " Marché ", "âge": 43, "langues": ["arabe", "français"],
                               "voisin": True, "vide": "  ", "rien": None, "Enquêtrice": "Claire"},
                              source="x")
    assert meta == {"phase": 3, "lieu": "Marché", "âge": "43", "langues": "arabe; français",
                    "voisin": "true", "interviewer": ["Claire"]}


def test_nested_mapping_is_refused():
    with pytest.raises(MetadataError):
        normalise_metadata({"phase": 3, "famille": {"enfants": 2}}, source="x")


def test_normalise_metadata_is_idempotent():
    raw = {"phase": "habitants", "date": "12/03/2026", "interviewer": "E; Claire", "role": "habitante",
           "lieu": "Marché", "âge": 43}
    once = normalise_metadata(raw, source="x")
    assert normalise_metadata(once, source="x") == once


# --- front matter ---------------------------------------------------------------------
def test_front_matter_split():
    meta, rest = split_front_matter("---\nphase: 3\ndate: 2026-03-12\n---\n\n\nE : bonjour\n", "f.md")
    assert meta == {"phase": 3, "date": "2026-03-12"}
    assert rest == "E : bonjour\n"


def test_front_matter_with_dots_closing_and_empty_block():
    assert split_front_matter("---\nlieu: parc\n...\ntexte", "f.md") == ({"lieu": "parc"}, "texte")
    assert split_front_matter("---\n---\ntexte", "f.md") == ({}, "texte")


def test_text_without_front_matter_is_untouched():
    for text in ("E : bonjour", "---\nsans fin", "--- titre\n---\n", "---\n- une liste\n---\nx"):
        assert split_front_matter(text, "f.md") == ({}, text)
