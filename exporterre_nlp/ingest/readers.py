"""One reader per format: a file → :class:`~exporterre_nlp.records.ParsedDocument`.

Pure functions: nothing is stored here. Every error is an :class:`IngestError`
(or its subclasses) naming the file and saying what to do.
"""
from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

from ..errors import IngestError
from ..i18n import tr
from ..records import ParsedDocument, SegmentDraft
from ..settings import IngestSettings, Settings
from .coverage import check_coverage
from .encoding import decode_bytes, normalise_text
from .manifest import normalise_metadata, split_front_matter
from .office import docx_text, odt_text
from .safety import check_file_size, check_office_archive
from .speakers import find_segments
from .subtitles import subtitle_text

SUPPORTED_FORMATS = ("txt", "md", "docx", "odt", "srt", "vtt")


def read_file(path: str | os.PathLike, settings: IngestSettings | Settings | None = None, *,
              name: str | None = None) -> ParsedDocument:
    """Read, decode and normalise one file, find its segments (see the package doc)."""
    ingest = settings.ingest if isinstance(settings, Settings) else (settings or IngestSettings())
    path = Path(path)
    shown = str(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in SUPPORTED_FORMATS:
        raise _unsupported(shown, fmt)
    check_file_size(path, ingest)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(tr(f"Impossible de lire {shown} ({exc.strerror}).",
                             f"Cannot read {shown} ({exc.strerror})."),
                          tr("Vérifiez les droits d'accès au fichier.", "Check the file's permissions."),
                          path=shown) from None
    if not data:
        raise _empty(shown)
    metadata: dict = {}
    if fmt in ("docx", "odt"):
        check_office_archive(data, shown, fmt, ingest)
        raw = docx_text(data, shown) if fmt == "docx" else odt_text(data, shown)
        encoding = "zip/xml"
        text = normalise_text(raw)
        _require_text(text, shown)
        segments = find_segments(text, ingest)
        check_coverage(text, segments, shown)
    else:
        decoded, encoding = decode_bytes(data, shown)
        text = normalise_text(decoded)
        if fmt in ("srt", "vtt"):
            text, segments = _subtitles(text, fmt, shown, ingest)
        else:
            if fmt == "md":
                front, text = split_front_matter(text, shown)
                metadata = normalise_metadata(front, source=shown, require_phase=False)
            _require_text(text, shown)
            segments = find_segments(text, ingest, interviewer_labels=metadata.get("interviewer", ()))
            check_coverage(text, segments, shown)
    return ParsedDocument(
        name=unicodedata.normalize("NFC", name if name is not None else path.stem),
        source_path=shown,
        format=fmt,
        encoding=encoding,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata=metadata,
        segments=segments,
    )


def _subtitles(text: str, fmt: str, shown: str, ingest: IngestSettings) -> tuple[str, list[SegmentDraft]]:
    out, segments = subtitle_text(text, fmt, shown, ingest)
    if not segments:
        raise _empty(shown)
    return out, segments


def _require_text(text: str, shown: str) -> None:
    if not text.strip():
        raise _empty(shown)


def _empty(shown: str) -> IngestError:
    return IngestError(tr(f"Le fichier {shown} est vide : il ne contient aucun texte.",
                          f"The file {shown} is empty: it holds no text."),
                       tr("Vérifiez que c'est le bon fichier (et qu'il a bien été enregistré).",
                          "Check that this is the right file (and that it was saved)."),
                       path=shown)


def _unsupported(shown: str, fmt: str) -> IngestError:
    formats = ", ".join(f".{f}" for f in SUPPORTED_FORMATS)
    got = f".{fmt}" if fmt else tr("sans extension", "no extension")
    return IngestError(
        tr(f"Format non pris en charge pour {shown} ({got}). Formats acceptés : {formats}.",
           f"Unsupported format for {shown} ({got}). Accepted formats: {formats}."),
        tr("Enregistrez le document dans l'un de ces formats (par ex. .docx, ou .txt en UTF-8).",
           "Save the document in one of these formats (e.g. .docx, or .txt in UTF-8)."),
        path=shown)
