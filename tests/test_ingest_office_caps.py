""".docx/.odt resource caps and DTD checks by a parser: hostile archives generated in code."""
from __future__ import annotations

import io
import random
import warnings
import zipfile
from pathlib import Path

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import P

from exporterre_nlp.errors import IngestError
from exporterre_nlp.ingest import read_file
from exporterre_nlp.settings import IngestSettings

pytestmark = pytest.mark.usefixtures("french")
DOCTYPE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


def _docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("E : Bonjour.")
    document.add_paragraph("Awa : Bonjour à vous.")
    path = tmp_path / "base.docx"
    document.save(str(path))
    return path


def _odt(tmp_path: Path) -> Path:
    document = OpenDocumentText()
    document.text.addElement(P(text="E : Bonjour."))
    document.text.addElement(P(text="Awa : Bonjour à vous."))
    path = tmp_path / "base.odt"
    document.save(str(path))
    return path


def _rewrite(source: Path, target: Path, replace: dict[str, bytes] | None = None,
             extra: list[tuple[str, bytes]] = ()) -> Path:
    replace = replace or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # zipfile warns about duplicate names
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
            for name, payload in extra:
                dst.writestr(name, payload)
    return target


def _body(path: Path, member: str) -> tuple[str, str]:
    with zipfile.ZipFile(path) as z:
        xml = z.read(member).decode("utf-8")
    marker = "<w:body>" if member == "word/document.xml" else "<office:text>"
    head, tail = xml.split(marker, 1)
    return head + marker, tail


def test_ingest_office_caps_large_xml_part_is_refused(tmp_path):
    base = _docx(tmp_path)
    head, tail = _body(base, "word/document.xml")
    rng = random.Random(0)          # varied text, as in the issue (4.8 MB .docx holding 40 MB of XML)
    units = [f"<w:p><w:r><w:t>{rng.getrandbits(48):x}</w:t></w:r></w:p>" for _ in range(12_000_000 // 40)]
    big = head + "".join(units) + tail                 # 12 MB of XML
    path = _rewrite(base, tmp_path / "gros.docx", {"word/document.xml": big.encode("utf-8")})
    assert path.stat().st_size < 6_000_000
    with pytest.raises(IngestError, match="partie XML « word/document.xml » dépasse 10 Mo"):
        read_file(path, IngestSettings(max_xml_elements=10**8))   # the size cap alone
    # the same document under the cap is read
    ok = head + "".join(units[:1000]) + tail
    assert units[0][15:20] in read_file(_rewrite(base, tmp_path / "ok.docx", {"word/document.xml": ok.encode()})).text


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_ingest_office_caps_deep_nesting_is_refused(tmp_path, fmt):
    base = _docx(tmp_path) if fmt == "docx" else _odt(tmp_path)
    member = "word/document.xml" if fmt == "docx" else "content.xml"
    head, tail = _body(base, member)
    tag = "w:sdt" if fmt == "docx" else "text:section"
    deep = head + f"<{tag}>" * 5000 + f"</{tag}>" * 5000 + tail
    path = _rewrite(base, tmp_path / f"profond.{fmt}", {member: deep.encode("utf-8")})
    with pytest.raises(IngestError, match="imbrique plus de 200 niveaux"):
        read_file(path)


@pytest.mark.parametrize("fmt, member", [
    ("docx", "word/document.xml"), ("docx", "word/media/image9.png"), ("docx", "customXml/item9.bin"),
    ("odt", "content.xml"), ("odt", "Pictures/x.png")])
def test_ingest_office_caps_doctype_in_utf16be_without_bom_is_refused(tmp_path, fmt, member):
    base = _docx(tmp_path) if fmt == "docx" else _odt(tmp_path)
    hostile = DOCTYPE.encode("utf-16-be")
    assert not hostile.startswith((b"\xfe\xff", b"<"))
    with zipfile.ZipFile(base) as z:
        present = member in z.namelist()
    path = _rewrite(base, tmp_path / f"x.{fmt}", {member: hostile} if present else None,
                    [] if present else [(member, hostile)])
    with pytest.raises(IngestError, match="XML dangereux"):
        read_file(path)


def test_ingest_office_caps_xml_part_expat_cannot_read_is_refused(tmp_path):
    base = _docx(tmp_path)
    with zipfile.ZipFile(base) as z:
        xml = z.read("word/document.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-32"')
    path = _rewrite(base, tmp_path / "u32.docx", {"word/document.xml": xml.encode("utf-32-be")})
    with pytest.raises(IngestError, match="endommagé"):
        read_file(path)


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_ingest_office_caps_many_small_elements_are_refused(tmp_path, fmt):
    """Varied tiny elements dodge the compression-ratio guard; the element cap stops them."""
    base = _docx(tmp_path) if fmt == "docx" else _odt(tmp_path)
    member = "word/document.xml" if fmt == "docx" else "content.xml"
    head, tail = _body(base, member)
    rng = random.Random(1)
    tag = "w:p w:rsidR" if fmt == "docx" else "text:s text:c"
    many = head + "".join(f'<{tag}="{rng.getrandbits(16)}"/>' for _ in range(160_000)) + tail
    path = _rewrite(base, tmp_path / f"many.{fmt}", {member: many.encode("utf-8")})
    with pytest.raises(IngestError, match="plus de 150000 éléments XML"):
        read_file(path)


def test_ingest_office_caps_duplicate_entry_names_are_refused(tmp_path):
    base = _docx(tmp_path)
    with zipfile.ZipFile(base) as z:
        xml = z.read("word/document.xml")
    path = _rewrite(base, tmp_path / "double.docx",
                    extra=[("word/document.xml", xml.replace(b"Bonjour.", b"Autre texte."))])
    with pytest.raises(IngestError, match="même nom"):
        read_file(path)


def test_ingest_office_caps_time_and_total_size_come_from_settings(tmp_path):
    base = _docx(tmp_path)
    assert read_file(base).text
    with pytest.raises(IngestError, match="secondes"):
        read_file(base, IngestSettings(max_office_seconds=0))
    with pytest.raises(IngestError, match="bombes zip"):
        read_file(base, IngestSettings(max_office_unzipped_bytes=5_000))
    with pytest.raises(IngestError, match="dépasse"):
        read_file(base, IngestSettings(max_xml_bytes=500))
    with pytest.raises(IngestError, match="plus de 20 éléments XML"):
        read_file(base, IngestSettings(max_xml_elements=20))


def test_ingest_office_caps_zip_bomb_in_nested_parts_is_refused(tmp_path):
    """Many members each just under the ratio guard still hit the total cap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(120):
            z.writestr(f"word/media/zeros{i}.bin", bytes(999_000))
    path = tmp_path / "bombe.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(IngestError, match="plus de 100 Mo"):
        read_file(path)
