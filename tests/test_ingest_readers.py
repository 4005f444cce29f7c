"""read_file: one test group per format, then hostile and broken files."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, LineBreak, List, ListItem, P, S, Span, Tab

from exporterre_nlp.errors import EncodingError, IngestError, MetadataError
from exporterre_nlp.i18n import set_language
from exporterre_nlp.ingest import SUPPORTED_FORMATS, read_file
from exporterre_nlp.settings import IngestSettings, Settings


pytestmark = pytest.mark.usefixtures("french")


def words(doc):
    return [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments]


def write_docx(path: Path, build) -> Path:
    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


def write_odt(path: Path, build) -> Path:
    document = OpenDocumentText()
    build(document)
    document.save(str(path))
    return path


def rewrite_zip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return target


def simple_docx(tmp_path: Path) -> Path:
    return write_docx(tmp_path / "simple.docx", lambda d: d.add_paragraph("E : Bonjour."))


# --- txt / md ------------------------------------------------------------------------
def test_txt_transcript_gives_turns_hash_and_name(tmp_path):
    path = tmp_path / "entretien_fatima.txt"
    path.write_text("E : Vous habitez ici ?\nFatima : Oui, euh, depuis 2004.\n", encoding="utf-8")
    doc = read_file(path)
    assert doc.name == "entretien_fatima"
    assert doc.format == "txt" and doc.encoding == "utf-8"
    assert doc.source_path == str(path)
    assert doc.content_hash == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert words(doc) == [("E", "Vous habitez ici ?"), ("Fatima", "Oui, euh, depuis 2004.")]
    assert [s.kind for s in doc.segments] == ["turn", "turn"]


def test_name_argument_overrides_the_stem(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Notes.", encoding="utf-8")
    assert read_file(path, name="phase3/a").name == "phase3/a"


def test_read_file_accepts_full_settings_object(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Animateur : bonjour\nAlain : salut", encoding="utf-8")
    settings = Settings()
    settings.ingest.interviewer_labels = ["Animateur"]
    assert words(read_file(path, settings))[0] == ("Animateur", "bonjour")


def test_md_front_matter_goes_to_metadata_not_text(tmp_path):
    path = tmp_path / "fatima.md"
    path.write_text("---\nphase: habitants\nlieu: Marché de l'Arlequin\ndate: 2026-03-12\n"
                    "interviewer: Claire; E\nâge: 43\n---\n\n# Entretien\n\nClaire : Bonjour.\n"
                    "Fatima : Bonjour !\n", encoding="utf-8")
    doc = read_file(path)
    assert doc.metadata == {"phase": 3, "lieu": "Marché de l'Arlequin", "date": "2026-03-12",
                            "interviewer": ["Claire", "E"], "âge": "43"}
    assert doc.text.startswith("# Entretien")
    assert "phase" not in doc.text
    # "Claire" is an interviewer label of this document, so it is a turn.
    assert words(doc) == [(None, "# Entretien"), ("Claire", "Bonjour."), ("Fatima", "Bonjour !")]


def test_md_without_front_matter_keeps_horizontal_rule_text(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("---\nJuste une ligne.\n---\nSuite.", encoding="utf-8")
    doc = read_file(path)
    assert doc.metadata == {}
    assert doc.text.startswith("---\nJuste une ligne.")


def test_md_bold_speaker_labels(tmp_path):
    path = tmp_path / "bold.md"
    path.write_text("**E** : Bonjour.\n**Fatima :** Salut.\n**E**: Ça va ?", encoding="utf-8")
    assert words(read_file(path)) == [("E", "Bonjour."), ("Fatima", "Salut."), ("E", "Ça va ?")]


def test_md_invalid_front_matter_names_the_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("---\nphase: 3\nlieu: [unclosed\n---\ntext", encoding="utf-8")
    with pytest.raises(MetadataError) as err:
        read_file(path)
    assert "bad.md" in str(err.value) and "ligne" in str(err.value)


@pytest.mark.parametrize("front, message", [
    ("phase: 7", "Phase invalide"),
    ("a: &a [x, x]\nb: [*a, *a]", "alias"),                         # YAML aliases (billion laughs)
])
def test_md_front_matter_bad_phase_or_aliases_are_refused(tmp_path, front, message):
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front}\n---\ntext", encoding="utf-8")
    with pytest.raises(MetadataError, match=message):
        read_file(path)


# --- docx -----------------------------------------------------------------------------
def test_docx_paragraphs_and_tables_in_order(tmp_path):
    def build(d):
        d.add_heading("Entretien avec Fatima", 1)
        d.add_paragraph("E : Vous faites quoi ?")
        d.add_paragraph("Fatima : De la couture, euh, des robes.")
        table = d.add_table(rows=2, cols=3)
        for r, row in enumerate([("00:12:03", "E", "Et le marché ?"), ("00:12:09", "Fatima", "Le mardi.")]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        d.add_paragraph("E : Merci beaucoup.")
    doc = read_file(write_docx(tmp_path / "f.docx", build))
    assert doc.encoding == "zip/xml" and doc.format == "docx"
    assert doc.text.split("\n")[0] == "Entretien avec Fatima"
    assert words(doc) == [(None, "Entretien avec Fatima"), ("E", "Vous faites quoi ?"),
                          ("Fatima", "De la couture, euh, des robes."), ("E", "Et le marché ?"),
                          ("Fatima", "Le mardi."), ("E", "Merci beaucoup.")]
    assert [s.timestamp for s in doc.segments][3:5] == ["00:12:03", "00:12:09"]


def test_docx_data_table_rows_become_tab_separated_lines(tmp_path):
    def build(d):
        d.add_paragraph("Associations rencontrées")
        table = d.add_table(rows=2, cols=3)
        for r, row in enumerate([("Nom", "Activité", "Jour"), ("Les Tisseuses", "couture, broderie", "mardi")]):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    doc = read_file(write_docx(tmp_path / "t.docx", build))
    assert doc.text == "Associations rencontrées\nNom\tActivité\tJour\nLes Tisseuses\tcouture, broderie\tmardi"
    # the title line is not speech (a note); the table rows are the material
    assert [s.kind for s in doc.segments] == ["note", "paragraph", "paragraph"]


def test_docx_tabs_breaks_and_tracked_insertions(tmp_path):
    def build(d):
        p = d.add_paragraph("Fatima :")
        run = p.add_run()
        run.add_tab()
        p.add_run("ligne un")
        p.add_run().add_break()
        p.add_run("ligne deux")
        d.add_paragraph("E : fin")
    path = write_docx(tmp_path / "b.docx", build)
    doc = read_file(path)
    assert doc.text == "Fatima :\tligne un\nligne deux\nE : fin"
    assert words(doc) == [("Fatima", "ligne un\nligne deux"), ("E", "fin")]


def test_docx_deleted_text_is_left_out(tmp_path):
    path = simple_docx(tmp_path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = (f'<w:p><w:r><w:t xml:space="preserve">E : Bonjour </w:t></w:r>'
            f'<w:del w:id="1" w:author="x"><w:r><w:delText>supprimé </w:delText></w:r></w:del>'
            f'<w:ins w:id="2" w:author="x"><w:r><w:t>ajouté</w:t></w:r></w:ins></w:p>')
    start = xml.index("<w:body>") + len("<w:body>")
    xml = xml[:start] + body + xml[start:]
    assert f'xmlns:w="{w}"' in xml
    target = rewrite_zip(path, tmp_path / "tracked.docx", {"word/document.xml": xml.encode("utf-8")})
    assert read_file(target).text.startswith("E : Bonjour ajouté")


# --- odt ------------------------------------------------------------------------------
def test_odt_headings_spans_spaces_tabs_and_lists(tmp_path):
    def build(o):
        o.text.addElement(H(outlinelevel=1, text="Visite du centre social"))
        p = P()
        p.addText("E")
        p.addElement(S(c=1))
        p.addText(": Vous venez")
        p.addElement(Span(text=" souvent ?"))
        o.text.addElement(p)
        p = P()
        p.addText("Fatima :")
        p.addElement(Tab())
        p.addText("oui,")
        p.addElement(S(c=3))
        p.addText("le mardi")
        p.addElement(LineBreak())
        p.addText("et le jeudi.")
        o.text.addElement(p)
        items = List()
        item = ListItem()
        item.addElement(P(text="E : D'accord."))
        items.addElement(item)
        o.text.addElement(items)
    doc = read_file(write_odt(tmp_path / "v.odt", build))
    assert doc.encoding == "zip/xml" and doc.format == "odt"
    assert doc.text == ("Visite du centre social\nE : Vous venez souvent ?\n"
                        "Fatima :\toui,   le mardi\net le jeudi.\nE : D'accord.")
    assert words(doc) == [(None, "Visite du centre social"), ("E", "Vous venez souvent ?"),
                          ("Fatima", "oui,   le mardi\net le jeudi."), ("E", "D'accord.")]


def test_odt_table_transcript_rows(tmp_path):
    def build(o):
        table = Table(name="T")
        table.addElement(TableColumn(numbercolumnsrepeated=2))
        for speaker, said in [("E", "Bonjour."), ("Mme Diallo", "Bonjour, entrez.")]:
            row = TableRow()
            for value in (speaker, said):
                cell = TableCell()
                cell.addElement(P(text=value))
                row.addElement(cell)
            table.addElement(row)
        o.text.addElement(table)
    doc = read_file(write_odt(tmp_path / "t.odt", build))
    assert words(doc) == [("E", "Bonjour."), ("Mme Diallo", "Bonjour, entrez.")]


def test_odt_encrypted_is_refused_as_password_protected(tmp_path):
    path = write_odt(tmp_path / "x.odt", lambda o: o.text.addElement(P(text="secret")))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="eA=="/>'
                '</manifest:file-entry></manifest:manifest>')
    target = rewrite_zip(path, tmp_path / "enc.odt", {"META-INF/manifest.xml": manifest.encode("utf-8"),
                                                      "content.xml": bytes(range(256)) * 4})
    with pytest.raises(IngestError, match="mot de passe"):
        read_file(target)


def test_odt_that_is_a_spreadsheet_is_refused(tmp_path):
    path = write_odt(tmp_path / "x.odt", lambda o: o.text.addElement(P(text="x")))
    target = rewrite_zip(path, tmp_path / "calc.odt",
                         {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    with pytest.raises(IngestError, match="OpenDocument"):
        read_file(target)


# --- srt / vtt ------------------------------------------------------------------------
SRT = ("1\n00:00:01,000 --> 00:00:04,000\nFatima : Bonjour, euh,\nbienvenue.\n\n"
       "2\n00:00:05,000 --> 00:00:06,500\nE : Merci.\n\n"
       "3\n00:00:07,000 --> 00:00:08,000\n<i>[rires]</i>\n\n"
       "4\n00:00:09,000 --> 00:00:10,000\nFatima : Voilà.\n")


def test_srt_cues_become_lines_and_cue_segments(tmp_path):
    path = tmp_path / "film.srt"
    path.write_bytes(SRT.replace("\n", "\r\n").encode("utf-8"))
    doc = read_file(path)
    assert doc.text == "Fatima : Bonjour, euh, bienvenue.\nE : Merci.\n[rires]\nFatima : Voilà."
    assert words(doc) == [("Fatima", "Bonjour, euh, bienvenue."), ("E", "Merci."),
                          (None, "[rires]"), ("Fatima", "Voilà.")]
    assert {s.kind for s in doc.segments} == {"cue"}
    assert doc.segments[0].timestamp == "00:00:01.000 --> 00:00:04.000"
    assert doc.segments[1].timestamp == "00:00:05.000 --> 00:00:06.500"


def test_vtt_voice_tags_give_speakers_and_entities_are_decoded(tmp_path):
    path = tmp_path / "visite.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Fatima>Bonjour &amp; bienvenue</v>\n\n"
                    "intro\n00:00:05.000 --> 00:00:06.000\n<v.loud Enquêtrice>Merci !\n\n"
                    "00:00:07.000 --> 00:00:08.000\nmusique\n", encoding="utf-8")
    doc = read_file(path)
    assert doc.text == "Fatima : Bonjour & bienvenue\nEnquêtrice : Merci !\nmusique"
    assert words(doc) == [("Fatima", "Bonjour & bienvenue"), ("Enquêtrice", "Merci !"), (None, "musique")]
    assert doc.segments[2].timestamp == "00:00:07.000 --> 00:00:08.000"


def test_vtt_without_header_is_malformed(tmp_path):
    path = tmp_path / "bad.vtt"
    path.write_text("00:00:01.000 --> 00:00:04.000\nbonjour\n", encoding="utf-8")
    with pytest.raises(IngestError, match="mal formé"):
        read_file(path)


def test_srt_cp1252_is_decoded(tmp_path):
    path = tmp_path / "old.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nL’été à l’œil\n".encode("cp1252"))
    doc = read_file(path)
    assert doc.text == "L’été à l’œil" and doc.encoding == "cp1252"


# --- refusals ---------------------------------------------------------------------------
def test_unknown_extension_names_file_and_formats(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(IngestError) as err:
        read_file(path)
    assert "scan.pdf" in err.value.message and all(f".{f}" in err.value.message for f in SUPPORTED_FORMATS)
    assert err.value.path == str(path)


def test_english_messages_on_request(tmp_path):
    set_language("en")
    path = tmp_path / "scan.rtf"
    path.write_text("x")
    with pytest.raises(IngestError, match="Unsupported format"):
        read_file(path)


def test_missing_file_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="introuvable"):
        read_file(tmp_path / "absent.txt")


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\ufeff\n".encode("utf-8")])
def test_empty_or_blank_file_is_refused(tmp_path, content):
    path = tmp_path / "vide.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match="vide"):
        read_file(path)


def test_md_with_only_front_matter_is_empty(tmp_path):
    path = tmp_path / "vide.md"
    path.write_text("---\nphase: 1\n---\n\n", encoding="utf-8")
    with pytest.raises(IngestError, match="vide"):
        read_file(path)


def test_file_over_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(IngestError, match="trop volumineux"):
        read_file(path, IngestSettings(max_file_bytes=1000))


@pytest.mark.parametrize("payload", [b"abc\x00def\x00" * 10, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                     b"PK\x03\x04\x14\x00\x00\x00rest"])
def test_binary_given_as_txt_is_refused(tmp_path, payload):
    path = tmp_path / "binaire.txt"
    path.write_bytes(payload)
    with pytest.raises(IngestError) as err:
        read_file(path)
    assert not isinstance(err.value, EncodingError)
    assert "binaire.txt" in str(err.value) and "texte" in str(err.value)


def test_undecodable_text_raises_encoding_error_with_fix(tmp_path):
    path = tmp_path / "casse.txt"
    path.write_bytes(b"Bonjour\nligne \x81\x8d\x90 deux\n")
    with pytest.raises(EncodingError) as err:
        read_file(path)
    assert "casse.txt" in err.value.message and "ligne 2" in err.value.message
    assert "UTF-8" in err.value.hint


def test_docx_that_is_not_a_zip_is_damaged(tmp_path):
    path = tmp_path / "abime.docx"
    path.write_bytes(b"this is not a zip at all" * 10)
    with pytest.raises(IngestError, match=r"fichier \.docx endommagé"):
        read_file(path)


def test_truncated_docx_is_damaged(tmp_path):
    data = simple_docx(tmp_path).read_bytes()
    path = tmp_path / "coupe.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="endommagé"):
        read_file(path)


def test_ole2_docx_is_password_protected(tmp_path):
    path = tmp_path / "secret.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    with pytest.raises(IngestError) as err:
        read_file(path)
    assert "mot de passe" in err.value.message and "secret.docx" in err.value.message
    assert "retirez le mot de passe" in err.value.hint


def test_docx_without_text_is_empty(tmp_path):
    path = write_docx(tmp_path / "vide.docx", lambda d: d.add_paragraph("   "))
    with pytest.raises(IngestError, match="vide"):
        read_file(path)


def test_xxe_in_an_oddly_named_xml_member_is_refused(tmp_path):
    path = simple_docx(tmp_path)
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    target = rewrite_zip(path, tmp_path / "odd.docx", {})
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("word/glossary.bin", hostile)
    with pytest.raises(IngestError, match="XML dangereux"):
        read_file(target)


def test_zip_that_is_not_word_is_refused(tmp_path):
    path = tmp_path / "autre.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "bonjour")
    with pytest.raises(IngestError, match="Word"):
        read_file(path)


def test_xxe_docx_is_refused(tmp_path):
    path = simple_docx(tmp_path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    head, rest = xml.split("?>", 1)
    hostile = head + '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest.replace("Bonjour.", "&e;")
    target = rewrite_zip(path, tmp_path / "xxe.docx", {"word/document.xml": hostile.encode("utf-8")})
    with pytest.raises(IngestError) as err:
        read_file(target)
    assert "XML dangereux" in err.value.message and "root:" not in str(err.value)


def test_billion_laughs_docx_is_refused(tmp_path):
    path = simple_docx(tmp_path)
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    head, rest = xml.split("?>", 1)
    hostile = head + f"?><!DOCTYPE lolz [{entities}]>" + rest.replace("Bonjour.", "&lol9;")
    target = rewrite_zip(path, tmp_path / "lol.docx", {"word/document.xml": hostile.encode("utf-8")})
    with pytest.raises(IngestError, match="XML dangereux"):
        read_file(target)


def test_xxe_in_odt_content_is_refused(tmp_path):
    path = write_odt(tmp_path / "x.odt", lambda o: o.text.addElement(P(text="x")))
    with zipfile.ZipFile(path) as z:
        xml = z.read("content.xml").decode("utf-8")
    head, rest = xml.split("?>", 1)
    hostile = head + '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest
    target = rewrite_zip(path, tmp_path / "xxe.odt", {"content.xml": hostile.encode("utf-8")})
    with pytest.raises(IngestError, match="XML dangereux"):
        read_file(target)


def test_zip_bomb_of_300_mb_zeros_is_refused(tmp_path):
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/media/zeros.bin", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(300):
                member.write(chunk)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(IngestError, match="bombes zip"):
        read_file(path)


def test_zip_total_size_limit_from_settings(tmp_path):
    path = simple_docx(tmp_path)
    with pytest.raises(IngestError, match="bombes zip"):
        read_file(path, IngestSettings(max_unzipped_bytes=10_000))


def test_zip_member_ratio_limit(tmp_path):
    path = tmp_path / "ratio.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/a.bin", bytes(2_000_000))
    path.write_bytes(buffer.getvalue())
    with pytest.raises(IngestError, match="se décompresse"):
        read_file(path)


def test_encrypted_zip_member_is_password_protected(tmp_path):
    path = simple_docx(tmp_path)
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit on every local and central header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        index = data.find(signature)
        while index >= 0:
            data[index + offset] |= 0x01
            index = data.find(signature, index + 4)
    target = tmp_path / "chiffre.docx"
    target.write_bytes(bytes(data))
    with pytest.raises(IngestError, match="mot de passe"):
        read_file(target)
