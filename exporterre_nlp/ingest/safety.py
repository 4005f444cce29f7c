"""Guards run before a file reaches a parser: size, archive and XML checks.

.docx and .odt files are ZIP archives of XML. Before python-docx or odfpy sees one,
:func:`check_office_archive` makes sure that it is a sound ZIP (not an encrypted
Office file, not corrupt, no two members with the same name), that it cannot expand
into a zip bomb, that no member declares a DOCTYPE or entities (XXE, "billion
laughs") — checked by expat with DTDs forbidden, whatever the member's name or
encoding — and that its XML parts stay under the caps of ``IngestSettings``
(uncompressed size, size of one XML part, nesting depth, seconds), so that any
.docx/.odt is read or refused in seconds and a few hundred MB.
"""
from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from defusedxml.expatreader import DefusedExpatParser

from ..errors import IngestError
from ..i18n import tr
from ..settings import IngestSettings

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_MEMBERS = 10_000
# The ratio guard only applies to members above this size: small XML parts
# can legitimately compress very well.
RATIO_MIN_BYTES = 1_000_000
_APP = {"docx": ("Word", "Word"), "odt": ("LibreOffice Writer", "LibreOffice Writer")}
_DEFAULT_APP = ("un traitement de texte", "a word processor")


def check_file_size(path: Path, settings: IngestSettings) -> int:
    """Refuse missing files, folders and files above ``max_file_bytes``."""
    shown = str(path)
    if not path.exists():
        raise IngestError(tr(f"Fichier introuvable : {shown}.", f"File not found: {shown}."),
                          tr("Vérifiez le chemin indiqué.", "Check the path."), path=shown)
    if not path.is_file():
        raise IngestError(tr(f"{shown} n'est pas un fichier.", f"{shown} is not a file."),
                          tr("Indiquez un fichier, ou importez le dossier entier.",
                             "Give a file, or import the whole folder."), path=shown)
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        limit = settings.max_file_bytes // 1_000_000
        raise IngestError(
            tr(f"Le fichier {shown} est trop volumineux ({size // 1_000_000} Mo, limite {limit} Mo).",
               f"The file {shown} is too large ({size // 1_000_000} MB, limit {limit} MB)."),
            tr("Découpez-le en plusieurs documents, ou augmentez ingest.max_file_bytes dans "
               "settings.yaml si vous êtes sûr de sa provenance.",
               "Split it into several documents, or raise ingest.max_file_bytes in "
               "settings.yaml if you trust where it comes from."), path=shown)
    return size


def check_office_archive(data: bytes, path: str, fmt: str, settings: IngestSettings) -> None:
    """Raise :class:`IngestError` unless ``data`` is a sound, safe .docx/.odt archive.

    Every member the reader will parse as XML (by name, by the package's declared
    content type) is parsed here first by expat with DTDs and entities forbidden,
    streamed (no tree is built), under caps on its size, its nesting depth and the time
    spent; any other member is also run through the parser, and refused if it turns out
    to be XML with a DTD (whatever its name, encoding or byte-order mark).
    """
    deadline = time.monotonic() + settings.max_office_seconds
    app_fr, app_en = _APP.get(fmt, _DEFAULT_APP)
    if data.startswith(OLE2_MAGIC):
        raise password_error(path, fmt, app_fr, app_en)
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise _damaged(path, fmt, app_fr, app_en)
    try:
        archive = zipfile.ZipFile(buffer)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged(path, fmt, app_fr, app_en) from None
    if len(infos) > MAX_MEMBERS:
        raise _bomb(path, tr(f"{len(infos)} éléments", f"{len(infos)} members"))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise IngestError(
            tr(f"Le fichier {path} contient deux éléments portant le même nom (« {twice} ») : on ne peut pas "
               "savoir lequel est le bon, il a été refusé.",
               f"The file {path} holds two members with the same name ('{twice}'): there is no telling which "
               "one is right, so it was refused."),
            tr(f"Ouvrez-le dans {app_fr} ou LibreOffice et enregistrez-le à nouveau en .{fmt}.",
               f"Open it in {app_en} or LibreOffice and save it again as .{fmt}."), path=path)
    limit = min(settings.max_unzipped_bytes, settings.max_office_unzipped_bytes)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise password_error(path, fmt, app_fr, app_en)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > settings.max_zip_ratio:
            raise _bomb(path, tr(f"« {info.filename} » se décompresse {ratio:.0f} fois",
                                 f"'{info.filename}' expands {ratio:.0f} times"))
        if total > limit:
            raise _bomb(path, tr(f"plus de {limit // 1_000_000} Mo une fois décompressé",
                                 f"more than {limit // 1_000_000} MB once expanded"))
    if fmt == "odt" and b"encryption-data" in _member(archive, "META-INF/manifest.xml", path, fmt):
        raise password_error(path, fmt, app_fr, app_en)
    limits = _Limits(settings, deadline)
    xml_parts = _declared_xml(archive, path, fmt, settings, limits)
    for info in infos:
        if not info.is_dir():
            _scan(archive, info, info.filename in xml_parts or _xml_name(info.filename),
                  path, fmt, settings, limits)
    archive.close()


def _xml_name(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".rdf"))


def _declared_xml(archive: zipfile.ZipFile, path: str, fmt: str, settings: IngestSettings,
                  limits: _Limits) -> set[str]:
    """Members the package declares as XML ([Content_Types].xml, META-INF/manifest.xml)."""
    index = "[Content_Types].xml" if fmt == "docx" else "META-INF/manifest.xml"
    try:
        info = archive.getinfo(index)
    except KeyError:
        return set()
    _scan(archive, info, True, path, fmt, settings, limits)
    limits.count = 0                    # counted again with the other members
    try:
        root = SafeET.fromstring(_member(archive, info, path, fmt), forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError):
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP)) from None
    found: set[str] = set()
    names = {i.filename for i in archive.infolist()}
    defaults: dict[str, str] = {}
    for element in root.iter():
        attrs = {k.rsplit("}", 1)[-1]: v for k, v in element.attrib.items()}
        kind = attrs.get("ContentType") or attrs.get("media-type") or ""
        if "xml" not in kind.lower():
            continue
        if "Extension" in attrs:
            defaults[attrs["Extension"].lower()] = kind
        target = attrs.get("PartName") or attrs.get("full-path")
        if target:
            found.add(target.lstrip("/"))
    found |= {n for n in names if n.rsplit(".", 1)[-1].lower() in defaults}
    return found


class _Limits(ContentHandler):
    """Counts depth and elements while expat streams a member (shared by the members of one archive)."""

    def __init__(self, settings: IngestSettings, deadline: float):
        super().__init__()
        self.depth = 0
        self.max_depth = settings.max_xml_depth
        self.max_count = settings.max_xml_elements
        self.deadline = deadline
        self.count = 0

    def startElement(self, name, attrs):  # noqa: N802 - SAX API
        self.depth += 1
        self.count += 1
        if self.depth > self.max_depth:
            raise _TooDeep()
        if self.count > self.max_count:
            raise _TooMany()
        if self.count % 5000 == 0 and time.monotonic() > self.deadline:
            raise _TooSlow()

    startElementNS = startElement  # noqa: N815

    def endElement(self, name):  # noqa: N802
        self.depth -= 1

    endElementNS = endElement  # noqa: N815


class _TooDeep(Exception):
    pass


class _TooSlow(Exception):
    pass


class _TooMany(Exception):
    pass


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, must_be_xml: bool, path: str, fmt: str,
          settings: IngestSettings, limits: _Limits) -> None:
    """Stream one member through expat (DTD and entities forbidden) under the caps."""
    app_fr, app_en = _APP.get(fmt, _DEFAULT_APP)
    deadline = limits.deadline
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    limits.depth = 0
    counted = limits.count
    parser.setContentHandler(limits)
    seen = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(1 << 20):
                seen += len(chunk)
                if seen > info.file_size:
                    raise _damaged(path, fmt, app_fr, app_en)
                if seen > settings.max_xml_bytes:
                    if must_be_xml:
                        raise _bomb(path, tr(
                            f"la partie XML « {info.filename} » dépasse {settings.max_xml_bytes // 1_000_000} Mo",
                            f"the XML part '{info.filename}' exceeds {settings.max_xml_bytes // 1_000_000} MB"))
                    limits.count = counted
                    return          # a large member that parsed as XML so far but is not declared XML: unused
                if time.monotonic() > deadline:
                    raise _TooSlow()
                parser.feed(chunk)
            parser.close()
    except DefusedXmlException:
        raise _dangerous(path, info.filename, app_fr, app_en) from None
    except _TooDeep:
        raise _bomb(path, tr(f"« {info.filename} » imbrique plus de {settings.max_xml_depth} niveaux d'éléments",
                             f"'{info.filename}' nests more than {settings.max_xml_depth} levels of elements")) from None
    except _TooMany:
        raise _bomb(path, tr(f"plus de {settings.max_xml_elements} éléments XML",
                             f"more than {settings.max_xml_elements} XML elements")) from None
    except _TooSlow:
        raise _bomb(path, tr(f"sa vérification dépasse {settings.max_office_seconds:.0f} secondes",
                             f"checking it takes more than {settings.max_office_seconds:.0f} seconds")) from None
    except (SAXException, ValueError, UnicodeError, LookupError):
        if must_be_xml:
            raise _damaged(path, fmt, app_fr, app_en) from None
        limits.count = counted          # not XML (a picture...): its bytes are not elements
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        raise _damaged(path, fmt, app_fr, app_en) from None


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo | str, path: str, fmt: str) -> bytes:
    """A member's bytes (never more than its declared size); b"" when absent."""
    if isinstance(info, str):
        try:
            info = archive.getinfo(info)
        except KeyError:
            return b""
    try:
        with archive.open(info) as member:
            payload = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError, zlib.error):
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP)) from None
    if len(payload) > info.file_size:
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP))
    return payload


def _dangerous(path: str, member: str, app_fr: str, app_en: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} contient du XML dangereux (DOCTYPE ou entités dans "
           f"« {member} ») : il a été refusé pour protéger l'ordinateur.",
           f"The file {path} holds dangerous XML (DOCTYPE or entities in "
           f"'{member}'): it was refused to protect the computer."),
        tr(f"Ce fichier n'a pas été produit normalement par {app_fr}. Si vous en connaissez "
           f"la source, copiez son texte dans un nouveau document et importez celui-ci.",
           f"This file was not produced normally by {app_en}. If you know where it comes "
           f"from, copy its text into a new document and import that one."),
        path=path)


def password_error(path: str, fmt: str, app_fr: str, app_en: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} est protégé par un mot de passe (chiffré), ou c'est un ancien "
           f"document .doc renommé en .{fmt} : il ne peut pas être lu.",
           f"The file {path} is password-protected (encrypted), or it is an old .doc "
           f"document renamed to .{fmt}: it cannot be read."),
        tr(f"Ouvrez-le dans {app_fr} ou LibreOffice, retirez le mot de passe (Word : Fichier > "
           f"Informations > Protéger le document) et enregistrez-le en .{fmt}, puis importez-le à nouveau.",
           f"Open it in {app_en} or LibreOffice, remove the password (Word: File > Info > "
           f"Protect Document) and save it as .{fmt}, then import it again."),
        path=path)


def _damaged(path: str, fmt: str, app_fr: str, app_en: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} est un fichier .{fmt} endommagé (archive illisible).",
           f"The file {path} is a damaged .{fmt} file (unreadable archive)."),
        tr(f"Ouvrez-le dans {app_fr} ou LibreOffice, qui peut souvent le réparer, "
           f"enregistrez-le à nouveau en .{fmt} et réimportez-le.",
           f"Open it in {app_en} or LibreOffice, which can often repair it, save it again "
           f"as .{fmt} and import it again."),
        path=path)


def _bomb(path: str, detail: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} a été refusé : {detail} (protection contre les « bombes zip »).",
           f"The file {path} was refused: {detail} (protection against zip bombs)."),
        tr("Un document ordinaire ne fait pas cela. S'il est authentique (très grandes images), "
           "retirez les images ou augmentez ingest.max_unzipped_bytes / ingest.max_zip_ratio "
           "dans settings.yaml.",
           "An ordinary document does not do this. If it is genuine (very large pictures), "
           "remove the pictures or raise ingest.max_unzipped_bytes / ingest.max_zip_ratio "
           "in settings.yaml."),
        path=path)
