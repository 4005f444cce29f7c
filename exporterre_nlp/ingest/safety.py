"""Guards run before a file reaches a parser: size, archive and XML checks.

.docx and .odt files are ZIP archives of XML. Before python-docx or odfpy sees one,
:func:`check_office_archive` makes sure that it is a sound ZIP (not an encrypted
Office file, not corrupt), that it cannot expand into a zip bomb, and that none of
its XML members (by name or by content) declares a DOCTYPE or entities (XXE,
"billion laughs").
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

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
    """Raise :class:`IngestError` unless ``data`` is a sound, safe .docx/.odt archive."""
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
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise password_error(path, fmt, app_fr, app_en)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > settings.max_zip_ratio:
            raise _bomb(path, tr(f"« {info.filename} » se décompresse {ratio:.0f} fois",
                                 f"'{info.filename}' expands {ratio:.0f} times"))
        if total > settings.max_unzipped_bytes:
            raise _bomb(path, tr(f"plus de {settings.max_unzipped_bytes // 1_000_000} Mo une fois décompressé",
                                 f"more than {settings.max_unzipped_bytes // 1_000_000} MB once expanded"))
    if fmt == "odt" and b"encryption-data" in _member(archive, "META-INF/manifest.xml", path, fmt):
        raise password_error(path, fmt, app_fr, app_en)
    for info in infos:
        if not info.is_dir() and _looks_like_xml(archive, info, path, fmt):
            _check_xml(archive, info, path, fmt, app_fr, app_en)
    archive.close()


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
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP)) from None
    if len(payload) > info.file_size:
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP))
    return payload


_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _looks_like_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, fmt: str) -> bool:
    """XML parts by name, and any other member whose first bytes look like XML
    (a hostile package may give its main part an unusual name)."""
    if info.filename.lower().endswith((".xml", ".rels", ".rdf")):
        return True
    try:
        with archive.open(info) as member:
            head = member.read(64)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        raise _damaged(path, fmt, *_APP.get(fmt, _DEFAULT_APP)) from None
    return head.lstrip(b" \t\r\n").startswith(_XML_STARTS)


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, fmt: str,
               app_fr: str, app_en: str) -> None:
    payload = _member(archive, info, path, fmt)
    try:
        SafeET.fromstring(payload, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise IngestError(
            tr(f"Le fichier {path} contient du XML dangereux (DOCTYPE ou entités dans "
               f"« {info.filename} ») : il a été refusé pour protéger l'ordinateur.",
               f"The file {path} holds dangerous XML (DOCTYPE or entities in "
               f"'{info.filename}'): it was refused to protect the computer."),
            tr(f"Ce fichier n'a pas été produit normalement par {app_fr}. Si vous en connaissez "
               f"la source, copiez son texte dans un nouveau document et importez celui-ci.",
               f"This file was not produced normally by {app_en}. If you know where it comes "
               f"from, copy its text into a new document and import that one."),
            path=path) from None
    except SafeET.ParseError:
        raise _damaged(path, fmt, app_fr, app_en) from None


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
