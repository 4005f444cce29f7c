"""Reading REFI-QDA files without trusting them.

A ``.qdpx`` is a ZIP archive and a ``.qdc`` an XML file written by another
program. Before anything is parsed: the size limits of ``settings.ingest`` (the
same as for imported documents), no encrypted member, no zip bomb, and XML
parsed by defusedxml with DOCTYPE, entities and external references refused.
Members are read in memory by name (never extracted), so names like ``../x``
cannot write anywhere.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..errors import IngestError
from ..i18n import tr
from ..ingest.safety import RATIO_MIN_BYTES, check_file_size
from ..settings import IngestSettings

MAX_MEMBERS = 100_000


def local(tag: str) -> str:
    """The element name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(payload: bytes, path: str, member: str | None = None):
    """The root element of untrusted XML; dangerous or broken XML raises IngestError."""
    where = f" (« {member} »)" if member else ""
    where_en = f" ('{member}')" if member else ""
    try:
        return SafeET.fromstring(payload, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise IngestError(
            tr(f"Le fichier {path}{where} contient du XML dangereux (DOCTYPE ou entités) : il a été refusé "
               "pour protéger l'ordinateur.",
               f"The file {path}{where_en} holds dangerous XML (DOCTYPE or entities): it was refused to "
               "protect the computer."),
            tr("Un fichier exporté normalement par NVivo, ATLAS.ti, MAXQDA ou QualCoder n'en contient pas. "
               "Exportez-le à nouveau depuis le logiciel d'origine.",
               "A file exported normally by NVivo, ATLAS.ti, MAXQDA or QualCoder holds none. "
               "Export it again from the original program."),
            path=path) from None
    except SafeET.ParseError as exc:
        raise IngestError(
            tr(f"Le fichier {path}{where} n'est pas du XML valide ({exc}).",
               f"The file {path}{where_en} is not valid XML ({exc})."),
            tr("Exportez-le à nouveau depuis le logiciel d'origine (format REFI-QDA).",
               "Export it again from the original program (REFI-QDA format)."), path=path) from None


def read_xml_file(path: Path, settings: IngestSettings):
    check_file_size(path, settings)
    return parse_xml(path.read_bytes(), str(path))


class SafeArchive:
    """A checked ``.qdpx`` archive; members are looked up case-insensitively."""

    def __init__(self, path: Path, settings: IngestSettings):
        check_file_size(path, settings)
        self.path = str(path)
        data = path.read_bytes()
        buffer = io.BytesIO(data)
        if not zipfile.is_zipfile(buffer):
            raise self._damaged()
        try:
            self.zip = zipfile.ZipFile(buffer)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise self._damaged() from None
        if len(infos) > MAX_MEMBERS:
            raise self._bomb(tr(f"{len(infos)} éléments", f"{len(infos)} members"))
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise IngestError(
                    tr(f"Le fichier {self.path} est chiffré (mot de passe) : il ne peut pas être lu.",
                       f"The file {self.path} is encrypted (password): it cannot be read."),
                    tr("Exportez le projet à nouveau sans mot de passe.",
                       "Export the project again without a password."), path=self.path)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_MIN_BYTES and ratio > settings.max_zip_ratio:
                raise self._bomb(tr(f"« {info.filename} » se décompresse {ratio:.0f} fois",
                                    f"'{info.filename}' expands {ratio:.0f} times"))
            if total > settings.max_unzipped_bytes:
                raise self._bomb(tr(f"plus de {settings.max_unzipped_bytes // 1_000_000} Mo une fois décompressé",
                                    f"more than {settings.max_unzipped_bytes // 1_000_000} MB once expanded"))
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.is_dir():
                continue
            key = info.filename.replace("\\", "/").lower()
            if key in self._by_name:
                raise IngestError(
                    tr(f"Le fichier {self.path} contient deux fois l'élément « {info.filename} » : on ne peut pas "
                       "savoir lequel est le bon ; rien n'a été importé.",
                       f"The file {self.path} holds the entry '{info.filename}' twice: there is no telling "
                       "which one is right; nothing was imported."),
                    tr("Exportez le projet à nouveau depuis le logiciel d'origine.",
                       "Export the project again from the original program."), path=self.path)
            self._by_name[key] = info

    def exact(self, name: str) -> zipfile.ZipInfo | None:
        """A member by its exact path (case-insensitive), never by file name alone."""
        return self._by_name.get(name.replace("\\", "/").lower().lstrip("/"))

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """A member by path (case-insensitive), else by file name in any folder."""
        key = name.replace("\\", "/").lower().lstrip("/")
        if key in self._by_name:
            return self._by_name[key]
        base = key.rsplit("/", 1)[-1]
        matches = sorted(k for k in self._by_name if k.rsplit("/", 1)[-1] == base)
        return self._by_name[matches[0]] if matches else None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self.zip.open(info) as member:
                payload = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
            raise self._damaged() from None
        if len(payload) > info.file_size:
            raise self._damaged()
        return payload

    def project_xml(self):
        candidates = sorted((k for k in self._by_name if k.endswith(".qde")), key=lambda k: (k.count("/"), k))
        if not candidates:
            raise IngestError(
                tr(f"Le fichier {self.path} ne contient pas de project.qde : ce n'est pas un projet REFI-QDA.",
                   f"The file {self.path} holds no project.qde: it is not a REFI-QDA project."),
                tr("Exportez le projet au format REFI-QDA (.qdpx) depuis le logiciel d'origine.",
                   "Export the project as REFI-QDA (.qdpx) from the original program."), path=self.path)
        info = self._by_name[candidates[0]]
        return parse_xml(self.read(info), self.path, info.filename)

    def text(self, info: zipfile.ZipInfo) -> str:
        payload = self.read(info)
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IngestError(
                tr(f"Le texte « {info.filename} » de {self.path} n'est pas en UTF-8 (octet {exc.start}), "
                   "contrairement à ce qu'exige REFI-QDA.",
                   f"The text '{info.filename}' in {self.path} is not UTF-8 (byte {exc.start}), as REFI-QDA "
                   "requires."),
                tr("Exportez le projet à nouveau, ou signalez le problème à l'éditeur du logiciel d'origine.",
                   "Export the project again, or report the problem to the original program's maker."),
                path=self.path) from None

    def _damaged(self) -> IngestError:
        return IngestError(
            tr(f"Le fichier {self.path} n'est pas une archive .qdpx lisible (ZIP endommagé ou autre format).",
               f"The file {self.path} is not a readable .qdpx archive (damaged ZIP or another format)."),
            tr("Exportez le projet à nouveau au format REFI-QDA (.qdpx) depuis le logiciel d'origine.",
               "Export the project again as REFI-QDA (.qdpx) from the original program."), path=self.path)

    def _bomb(self, detail: str) -> IngestError:
        return IngestError(
            tr(f"Le fichier {self.path} a été refusé : {detail} (protection contre les « bombes zip »).",
               f"The file {self.path} was refused: {detail} (protection against zip bombs)."),
            tr("Un projet ordinaire ne fait pas cela. S'il est authentique (sources très volumineuses), "
               "augmentez ingest.max_unzipped_bytes / ingest.max_zip_ratio dans settings.yaml.",
               "An ordinary project does not do this. If it is genuine (very large sources), raise "
               "ingest.max_unzipped_bytes / ingest.max_zip_ratio in settings.yaml."), path=self.path)
