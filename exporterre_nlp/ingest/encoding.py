"""Encoding detection and text normalisation, never a silent replacement.

Detection order (every decode is ``errors="strict"``):

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-32, UTF-16;
2. UTF-16 without BOM, only when the NUL bytes sit all on one side of every pair;
3. any other NUL byte, or a known binary signature (PDF, ZIP, OLE2, images, RTF)
   → :class:`IngestError` (the file is not plain text);
4. UTF-8 (ASCII is UTF-8);
5. a file that is not UTF-8 but holds UTF-8 sequences of French letters mixes two
   encodings → :class:`EncodingError`;
6. cp1252 (Windows "ANSI", a superset of the printable latin-1), accepted when every
   non-ASCII character is a Latin-1 letter or sign or common French punctuation;
7. otherwise charset-normalizer is the arbiter between the legacy encodings that
   decode cleanly (cp1252, iso8859-15, mac-roman, cp850) with the fewest unlikely
   characters, and its choice is kept only when it recognises a language in the
   result (coherence ≥ 0.2).

Otherwise :class:`EncodingError`, which says where the first bad byte is and how to
fix the file (re-save it as UTF-8).
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import EncodingError, IngestError
from ..i18n import tr

# Binary signatures: (magic bytes, French name, English name, French hint, English hint)
_SIGNATURES = (
    (b"%PDF", "un PDF", "a PDF",
     "Copiez le texte dans un fichier .txt ou .docx (ou exportez-le depuis le logiciel d'origine).",
     "Copy the text into a .txt or .docx file (or export it from the original software)."),
    (b"PK\x03\x04", "une archive ZIP (peut-être un .docx ou .odt renommé)",
     "a ZIP archive (perhaps a renamed .docx or .odt)",
     "Donnez au fichier sa vraie extension (.docx, .odt) ou enregistrez-le en texte.",
     "Give the file its real extension (.docx, .odt) or save it as text."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un ancien document Office (.doc) ou un fichier chiffré",
     "an old Office document (.doc) or an encrypted file",
     "Ouvrez-le dans Word ou LibreOffice et enregistrez-le en .docx ou en texte (.txt, UTF-8).",
     "Open it in Word or LibreOffice and save it as .docx or text (.txt, UTF-8)."),
    (b"{\\rtf", "un document RTF", "an RTF document",
     "Ouvrez-le dans Word ou LibreOffice et enregistrez-le en .docx ou en texte (.txt, UTF-8).",
     "Open it in Word or LibreOffice and save it as .docx or text (.txt, UTF-8)."),
    (b"\x89PNG", "une image PNG", "a PNG image", "Importez la transcription, pas l'image.",
     "Import the transcript, not the image."),
    (b"\xff\xd8\xff", "une image JPEG", "a JPEG image", "Importez la transcription, pas l'image.",
     "Import the transcript, not the image."),
    (b"GIF8", "une image GIF", "a GIF image", "Importez la transcription, pas l'image.",
     "Import the transcript, not the image."),
)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Control characters that ordinary text files may contain.
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1a")
# UTF-8 sequences of the characters French text uses most (é, à, ’, «, œ, €...):
# found in a file that is not valid UTF-8, they mean two encodings are mixed.
_UTF8_FRENCH = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xc5[\x92\x93]|\xe2\x80[\x90-\xbf]|\xe2\x82\xac")
# Non-ASCII characters accepted in a cp1252 reading without further evidence: the
# Latin-1 letters and common signs, and the cp1252 punctuation French uses. Other
# cp1252 characters (‚ Ž ˆ ™...) are what DOS or Mac Roman bytes look like in
# cp1252, so those files go to the arbiter.
_FRENCH_1252 = set("€…‘’“”•–—œŒ\xa0\xad«»°§£¿¡©®·µ²³ºª´") | {
    chr(c) for c in range(0xC0, 0x100) if chr(c) not in "×÷"}
# Legacy encodings the arbiter chooses from (strict decoding, no control characters).
_LEGACY = ("cp1252", "iso8859_15", "mac_roman", "cp850")
_MIN_COHERENCE = 0.2

_FIX_FR = ("Ouvrez le fichier dans un éditeur de texte (Bloc-notes, LibreOffice, VS Code) "
           "et enregistrez-le en UTF-8, puis importez-le à nouveau.")
_FIX_EN = ("Open the file in a text editor (Notepad, LibreOffice, VS Code), save it as "
           "UTF-8 and import it again.")


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no byte-order mark; everything else (NBSP...) kept."""
    text = text.replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def check_binary_signature(data: bytes, path: str) -> None:
    """Refuse a file whose first bytes say it is not plain text."""
    for magic, what_fr, what_en, hint_fr, hint_en in _SIGNATURES:
        if data.startswith(magic):
            raise IngestError(
                tr(f"Le fichier {path} n'est pas un texte : c'est {what_fr}.",
                   f"The file {path} is not text: it is {what_en}."),
                tr(hint_fr, hint_en), path=path)


def decode_bytes(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` without guessing: returns ``(text, encoding name)``.

    The text is returned as decoded (the codec drops the BOM, line ends untouched); apply
    :func:`normalise_text` afterwards.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            if codec == "utf-32" and not _decodes(data, codec):
                continue    # FF FE 00 00 may also be UTF-16 text starting with U+0000
            return _strict(data, codec, name, path), name
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _strict(data, utf16, utf16, path), utf16
    check_binary_signature(data, path)
    if b"\x00" in data:
        raise _binary(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_error = exc
    else:
        _refuse_control_heavy(text, path)
        return text, "utf-8"
    if _UTF8_FRENCH.search(data):
        raise _mixed(data, first_error, path)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_control_heavy(text, path)
        if all(c < "\x80" or c in _FRENCH_1252 for c in text):
            return text, "cp1252"
    arbitrated = _arbiter(data)
    if arbitrated is not None:
        return arbitrated
    raise _undecodable(data, first_error, path)


# --- helpers -------------------------------------------------------------------
def _strict(data: bytes, codec: str, name: str, path: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            tr(f"Le fichier {path} annonce l'encodage {name} (marque d'ordre des octets) mais "
               f"contient des octets invalides (position {exc.start}).",
               f"The file {path} declares the {name} encoding (byte-order mark) but holds "
               f"invalid bytes (position {exc.start})."),
            tr(_FIX_FR, _FIX_EN), path=path) from None
    return text


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when NUL bytes fall all on one side of each pair."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    sample = data[:65536]
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0), odd.count(0)
    if odd_nul >= 0.7 * len(odd) and even_nul == 0:
        return "utf-16-le"
    if even_nul >= 0.7 * len(even) and odd_nul == 0:
        return "utf-16-be"
    return None


def _refuse_control_heavy(text: str, path: str) -> None:
    controls = sum(1 for c in text if _is_control(c))
    if controls and controls > 0.01 * len(text):
        raise _binary(path)


def _arbiter(data: bytes) -> tuple[str, str] | None:
    """Among the legacy encodings that decode cleanly, keep those whose reading has the
    fewest unlikely characters; charset-normalizer picks among them, and its choice
    is kept only when it recognises a language in the result (coherence)."""
    readable = {}
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not any(_is_control(c) for c in text):
            readable[codec] = text
    if not readable:
        return None
    unlikely = {codec: sum(1 for c in text if c >= "\x80" and c not in _FRENCH_1252)
                for codec, text in readable.items()}
    fewest = min(unlikely.values())
    readable = {codec: text for codec, text in readable.items() if unlikely[codec] == fewest}
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data, cp_isolation=list(readable)).best()
    if best is None or best.encoding not in readable:
        return None
    if best.coherence < _MIN_COHERENCE or best.chaos > 0.2:
        return None
    return readable[best.encoding], best.encoding.replace("_", "-")


def _is_control(c: str) -> bool:
    return (c < " " and c not in _ALLOWED_CONTROLS) or "\x7f" <= c <= "\x9f"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _binary(path: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} contient des données binaires : ce n'est pas un fichier texte.",
           f"The file {path} holds binary data: it is not a text file."),
        tr("Vérifiez qu'il s'agit bien de la transcription ; sinon enregistrez-la en texte "
           "(.txt, UTF-8) ou en .docx.",
           "Check that this is the transcript; otherwise save it as text (.txt, UTF-8) or .docx."),
        path=path)


def _mixed(data: bytes, exc: UnicodeDecodeError, path: str) -> EncodingError:
    line = _line_of(data, exc.start)
    return EncodingError(
        tr(f"Le fichier {path} mélange deux encodages (UTF-8 et un autre) : premier octet "
           f"invalide à la ligne {line}. Il ne peut pas être lu sans deviner.",
           f"The file {path} mixes two encodings (UTF-8 and another one): first invalid byte "
           f"on line {line}. It cannot be read without guessing."),
        tr(f"Corrigez les caractères de la ligne {line} puis {_FIX_FR[0].lower()}{_FIX_FR[1:]}",
           f"Fix the characters on line {line}, then {_FIX_EN[0].lower()}{_FIX_EN[1:]}"),
        path=path)


def _undecodable(data: bytes, exc: UnicodeDecodeError, path: str) -> EncodingError:
    line = _line_of(data, exc.start)
    return EncodingError(
        tr(f"Impossible de déterminer l'encodage du fichier {path} sans deviner : ce n'est ni "
           f"de l'UTF-8 ni du Windows-1252 (premier octet invalide à la ligne {line}).",
           f"Cannot determine the encoding of {path} without guessing: it is neither UTF-8 "
           f"nor Windows-1252 (first invalid byte on line {line})."),
        tr(_FIX_FR, _FIX_EN), path=path)
