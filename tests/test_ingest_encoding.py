"""Encoding detection and normalisation: exact text, never a silent replacement."""
from __future__ import annotations

import codecs
import unicodedata

import pytest

from exporterre_nlp.errors import EncodingError, IngestError
from exporterre_nlp.i18n import set_language
from exporterre_nlp.ingest import decode_bytes, normalise_text, read_file

FRENCH = "L’été, Chloé a mangé des œufs à 3 € chez Gaëlle\u00a0: « c’est ça ! »"
LONG_FRENCH = ("Le marché de la Villeneuve, c'est là où l'on trouve des légumes frais. "
               "Les habitants y vont chaque été, même en hiver ; ils achètent des œufs à 3 € "
               "la douzaine. Où est la boulangère ? Ça dépend des jours, répondit-elle.\n") * 3


pytestmark = pytest.mark.usefixtures("french")


def test_utf8_is_kept_exactly_with_nbsp():
    text, encoding = decode_bytes(FRENCH.encode("utf-8"))
    assert (text, encoding) == (FRENCH, "utf-8")
    assert "\u00a0" in normalise_text(text)


def test_utf8_bom_and_crlf_are_normalised(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "E : bonjour\r\nFatima : salut\r\n".encode("utf-8"))
    doc = read_file(path)
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "E : bonjour\nFatima : salut\n"
    assert "\ufeff" not in doc.text and "\r" not in doc.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "u16.txt"
    path.write_bytes(bom + f"E : {FRENCH}\r\nFatima : oui\r\n".encode(codec))
    doc = read_file(path)
    assert doc.encoding == "utf-16"
    assert doc.text == f"E : {FRENCH}\nFatima : oui\n"
    assert [doc.text[s.start:s.end] for s in doc.segments] == [FRENCH, "oui"]


def test_utf16_without_bom_is_recognised():
    text, encoding = decode_bytes("Notes du marché, été 2026.".encode("utf-16-le"))
    assert (text, encoding) == ("Notes du marché, été 2026.", "utf-16-le")


def test_utf32_with_bom():
    assert decode_bytes(codecs.BOM_UTF32_LE + "été".encode("utf-32-le")) == ("été", "utf-32")


def test_cp1252_keeps_curly_apostrophe_oe_euro_and_accents(tmp_path):
    path = tmp_path / "ansi.txt"
    path.write_bytes(FRENCH.encode("cp1252"))
    doc = read_file(path)
    assert doc.encoding == "cp1252"
    assert doc.text == FRENCH


@pytest.mark.parametrize("codec,name", [("iso8859_15", "iso8859-15"), ("mac_roman", "mac-roman"),
                                        ("cp850", "cp850")])
def test_other_legacy_encodings_need_charset_evidence(codec, name):
    sample = LONG_FRENCH if codec != "cp850" else LONG_FRENCH.replace("œ", "oe").replace("€", "euros")
    text, encoding = decode_bytes(sample.encode(codec))
    assert (text, encoding) == (sample, name)


def test_short_legacy_bytes_without_evidence_are_refused():
    with pytest.raises(EncodingError):
        decode_bytes(b"Bonjour\nligne \x81\x8d\x90 deux\n")


def test_undecodable_bytes_raise_and_never_replace(tmp_path):
    path = tmp_path / "casse.txt"
    path.write_bytes(b"E : bonjour\nFatima : \x81\x8d\x8f\x90\x9d\n")
    with pytest.raises(EncodingError) as err:
        read_file(path)
    message = str(err.value)
    assert "\ufffd" not in message
    assert "casse.txt" in message and "UTF-8" in message and "ligne 2" in message
    assert err.value.path == str(path)


def test_mixed_utf8_and_cp1252_is_refused_with_line():
    data = "ligne un : été\n".encode("utf-8") + "ligne deux : été\n".encode("cp1252")
    with pytest.raises(EncodingError, match=r"mélange deux encodages.*ligne 2"):
        decode_bytes(data, "melange.txt")


def test_bad_bytes_after_a_utf16_bom_are_an_encoding_error():
    with pytest.raises(EncodingError, match="utf-16"):
        decode_bytes(codecs.BOM_UTF16_LE + b"a\x00\x00\xdc", "x.txt")


def test_control_heavy_text_is_binary():
    with pytest.raises(IngestError, match="binaires"):
        decode_bytes(bytes(range(1, 32)) * 20, "x.txt")


def test_normalise_text_nfc_line_ends_and_boms():
    raw = "\ufeffE : e\u0301te\u0301\r\nligne\rfin\ufeff\u00a0!"
    text = normalise_text(raw)
    assert text == "E : été\nligne\nfin\u00a0!"
    assert unicodedata.is_normalized("NFC", text)


def test_english_encoding_message():
    set_language("en")
    with pytest.raises(EncodingError, match="Cannot determine the encoding"):
        decode_bytes(b"abc \x81\x8d\x8f\x90\x9d", "x.txt")
