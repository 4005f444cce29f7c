"""Which files an ``ingest`` reads, with their manifest rows and their identity.

A document's **identity** is its path relative to the corpus root, as a POSIX path
without the file's extension (``relais/entretien_01``), or the ``id`` (``identifiant``)
column of its manifest row. The corpus root is:

* the folder given to ``ingest`` (or the folder of the ``--manifest`` when the folder
  is inside it);
* the folder of the manifest, for a manifest given directly or found next to a file;
* for a file given alone: the current folder when the file is inside it (the path as
  typed), else its absolute path.

Symbolic links are never followed: a link inside a corpus folder, a link given
directly or a manifest row naming a link (or leading outside the manifest's folder)
is reported as skipped, not read. File names that are not valid UTF-8 are refused
with a message (rename the file). Manifest rows naming a file that does not exist
are reported. Nothing here touches the store.
"""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..i18n import tr
from .manifest import load_manifest, manifest_key
from .readers import SUPPORTED_FORMATS
from .speakers import label_key

_SKIPPED_NAMES = ("readme", "lisezmoi", "licence", "license")


@dataclass
class Job:
    """One file to import."""
    path: Path
    manifest_meta: dict[str, Any] = field(default_factory=dict)
    identity: str | None = None


@dataclass(frozen=True)
class Notice:
    """A path that was not imported, and why (``status``: "skipped" or "error")."""
    path: str
    status: str
    message: str


def shown_path(path: str | os.PathLike) -> str:
    """A path as it can be printed: bytes that are not UTF-8 become '�'."""
    return os.fspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def origin_of(path: Path) -> str:
    """The absolute path of a file, its folders resolved but not the file itself (a link stays a link)."""
    return str(path.absolute().parent.resolve() / path.name)


def identity_of(path: Path, root: Path | None) -> str:
    """The identity of ``path`` under ``root`` (see the module doc); ``root`` None: relative to the
    current folder when inside it, else the absolute path."""
    absolute = Path(origin_of(path))
    base = (root or Path.cwd()).resolve()
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        relative = absolute if root is None else Path(absolute.name)
    text = relative.with_suffix("").as_posix() if relative.suffix else relative.as_posix()
    return unicodedata.normalize("NFC", text)


def is_candidate(path: Path) -> bool:
    name = path.name.lower()
    return (not name.startswith(".") and path.suffix.lower().lstrip(".") in SUPPORTED_FORMATS
            and not name.startswith(_SKIPPED_NAMES))


def collect(paths: Iterable[str | os.PathLike], manifest: str | os.PathLike | None = None
            ) -> tuple[list[Job], list[Notice]]:
    """Expand folders and manifests into the files to import (see the module doc).

    A folder is read recursively; a ``manifest*.csv`` at its root is used. A CSV given
    directly is a manifest: the files it lists are imported.
    """
    jobs: list[Job] = []
    notices: list[Notice] = []
    explicit = load_manifest(manifest) if manifest else None
    explicit_root = Path(manifest).resolve().parent if manifest else None
    paths = [Path(p) for p in paths]
    folders = [p.resolve() for p in paths if p.is_dir() and not p.is_symlink()]
    # several folders in one command: their common parent is the corpus root
    shared_root = Path(os.path.commonpath(folders)) if len(folders) > 1 else None
    for path in paths:
        if path.is_symlink():
            notices.append(_symlink(path))
            continue
        if path.suffix.lower() == ".csv" and path.is_file():
            root = path.resolve().parent
            _manifest_jobs(load_manifest(path), root, jobs, notices)
            continue
        if path.is_dir():
            rows, root = explicit, explicit_root
            if rows is None or not _inside(path, root):
                found = sorted(path.glob("manifest*.csv"))
                rows, root = (load_manifest(found[0]), path.resolve()) if found else (rows or {}, path.resolve())
            id_root = root if root != path.resolve() or shared_root is None else shared_root
            seen: set[str] = set()
            for f in _walk(path, notices):
                row, key = _row_for(rows, root, f)
                seen.add(key)
                jobs.append(Job(f, row, _identity(f, id_root, row)))
            for key in rows:
                if key not in seen and _inside(root / key, path) and not os.path.lexists(root / key):
                    notices.append(_missing(path / key if root == path.resolve() else root / key, key))
            continue
        if explicit is not None:
            row, _ = _row_for(explicit, explicit_root, path)
            root = explicit_root if _inside(path, explicit_root) else None
            jobs.append(Job(path, row, _identity(path, root, row)))
        else:
            row, root = _nearest_manifest_row(path)
            jobs.append(Job(path, row, _identity(path, root, row)))
    kept = []
    for job in jobs:
        if _bad_name(job.path):
            notices.append(_bad_name_notice(job.path))
        else:
            kept.append(job)
    return kept, notices


# --- internals ------------------------------------------------------------------------
def _manifest_jobs(rows: dict[str, dict], root: Path, jobs: list[Job], notices: list[Notice]) -> None:
    for key, meta in rows.items():
        target = root / key
        if os.path.islink(target):
            notices.append(_symlink(target))
        elif os.path.lexists(target) and not _inside(target.resolve(), root):
            notices.append(_symlink(target))
        elif not os.path.lexists(target):
            notices.append(_missing(target, key))
        else:
            row = dict(meta)
            jobs.append(Job(target, row, _identity(target, root, row)))


def _walk(folder: Path, notices: list[Notice]) -> list[Path]:
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        notices.append(Notice(shown_path(exc.filename or folder), "error", tr(
            f"Dossier illisible : {shown_path(exc.filename or folder)} ({exc.strerror}). Vérifiez ses droits d'accès.",
            f"Unreadable folder: {shown_path(exc.filename or folder)} ({exc.strerror}). Check its permissions.")))

    for here, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        base = Path(here)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                notices.append(_symlink(base / name))
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        for name in sorted(files):
            f = base / name
            if not is_candidate(f):
                notice = _unread_format(f)
                if notice is not None:
                    notices.append(notice)
                continue
            if f.is_symlink():
                notices.append(_symlink(f))
            else:
                found.append(f)
    return sorted(found)


def _inside(path: Path, root: Path | None) -> bool:
    if root is None:
        return False
    try:
        Path(origin_of(path)).relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _row_for(rows: dict[str, dict] | None, root: Path | None, path: Path) -> tuple[dict[str, Any], str]:
    if not rows or root is None:
        return {}, ""
    try:
        key = manifest_key(Path(origin_of(path)).relative_to(root.resolve()).as_posix())
    except ValueError:
        key = manifest_key(path.name)
    if key in rows:
        return dict(rows[key]), key
    name = manifest_key(path.name)
    return dict(rows.get(name) or {}), name


def _nearest_manifest_row(path: Path, levels: int = 3) -> tuple[dict[str, Any], Path | None]:
    """For a file given alone: its row in a manifest*.csv of a parent folder, if any, and that folder."""
    folder = Path(origin_of(path)).parent
    for _ in range(levels):
        for candidate in sorted(folder.glob("manifest*.csv")):
            row, _key = _row_for(load_manifest(candidate), folder, path)
            if row:
                return row, folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return {}, None


_ID_COLUMNS = ("id", "identifiant", "identifier")


def _identity(path: Path, root: Path | None, row: dict[str, Any]) -> str:
    column = next((k for k in row if label_key(str(k)) in _ID_COLUMNS), None)
    given = row.pop(column, None) if column is not None else None
    if given not in (None, ""):
        return unicodedata.normalize("NFC", " ".join(str(given).split()))
    return identity_of(path, root)


def _bad_name(path: Path) -> bool:
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_name_notice(path: Path) -> Notice:
    shown = shown_path(path)
    return Notice(shown, "error", tr(
        f"Le nom du fichier {shown} contient des octets qui ne sont pas de l'UTF-8 (affichés « � ») : "
        "il n'a pas été importé.\n→ Renommez le fichier (dans l'explorateur de fichiers) puis relancez l'import.",
        f"The name of the file {shown} holds bytes that are not UTF-8 (shown as '�'): it was not imported.\n"
        "→ Rename the file (in the file manager), then run the import again."))


# Files a researcher may well have put in a corpus folder but that Exporterre does not read: said, never
# skipped in silence (the other files of a folder, e.g. pictures or spreadsheets, are passed over quietly).
_CONVERT = ("convertissez-le en .docx, .odt ou .txt (LibreOffice : Fichier > Enregistrer sous, ou "
            "« soffice --headless --convert-to docx FICHIER ») puis importez-le à nouveau",
            "convert it to .docx, .odt or .txt (LibreOffice: File > Save As, or "
            "'soffice --headless --convert-to docx FILE') then import it again")
_UNREAD_FORMATS = {
    "pdf": ("exportez son texte (« pdftotext -layout FICHIER.pdf », ou ouvrez-le dans LibreOffice et enregistrez-le "
            "en .odt) puis importez le fichier texte",
            "export its text ('pdftotext -layout FILE.pdf', or open it in LibreOffice and save it as .odt) then "
            "import the text file"),
    "doc": _CONVERT, "rtf": _CONVERT, "pages": _CONVERT, "wpd": _CONVERT, "odm": _CONVERT,
    **{audio: ("Exporterre lit des transcriptions, pas l'audio : transcrivez l'enregistrement (ou exportez la "
               "transcription en .srt, .vtt ou .docx) puis importez la transcription",
               "Exporterre reads transcripts, not audio: transcribe the recording (or export the transcript as "
               ".srt, .vtt or .docx) then import the transcript")
       for audio in ("mp3", "wav", "m4a", "ogg", "flac", "wma", "aac", "mp4")},
}


def _unread_format(path: Path) -> Notice | None:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _UNREAD_FORMATS or path.name.startswith("."):
        return None
    shown = shown_path(path)
    fix_fr, fix_en = _UNREAD_FORMATS[fmt]
    return Notice(shown, "skipped", tr(f"format non lu (.{fmt}) : {shown} ; {fix_fr}.",
                                       f"format not read (.{fmt}): {shown}; {fix_en}."))


def _symlink(path: Path) -> Notice:
    shown = shown_path(path)
    return Notice(shown, "skipped", tr(
        f"lien symbolique ignoré : {shown} (les liens ne sont jamais suivis, pour ne pas importer un fichier "
        "situé hors du corpus). Copiez le fichier lui-même dans le dossier si vous voulez l'importer.",
        f"symbolic link skipped: {shown} (links are never followed, so that no file from outside the corpus is "
        "imported). Copy the file itself into the folder if you want to import it."))


def _missing(path: Path, key: str) -> Notice:
    shown = shown_path(path)
    return Notice(shown, "error", tr(
        f"Le manifeste décrit « {key} », mais ce fichier est absent ({shown}).\n"
        "→ Corrigez le nom dans la colonne `file` du manifeste, ajoutez le fichier, ou supprimez la ligne.",
        f"The manifest describes '{key}', but this file is missing ({shown}).\n"
        "→ Fix the name in the manifest's `file` column, add the file, or delete the row."))
