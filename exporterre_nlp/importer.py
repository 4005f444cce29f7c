"""Import files into a project: read, check metadata, store — one file at a time.

Each file is stored in one transaction: a file that fails leaves the store
exactly as it was, and a folder import reports per file and goes on.
Metadata precedence: front matter < manifest row < command-line values.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .anchoring import remap_spans
from .errors import CancelledError, DuplicateDocumentError, ExporterreError, IngestError, MetadataError
from .i18n import tr
from .ingest import SUPPORTED_FORMATS, check_coverage, find_segments, load_manifest, manifest_key, normalise_metadata, read_file
from .ingest import label_key, speaker_role
from .project import Project
from .records import IngestResult, ParsedDocument, Progress
from .store import NewDocument

_SKIPPED_NAMES = ("readme", "lisezmoi", "licence", "license")
_DEFAULT_ROLE = {1: "relais", 2: "resident", 3: "resident"}
_STANDARD = ("phase", "lieu", "date", "participant", "interviewer", "role", "name", "file", "speakers")


@dataclass
class _Job:
    path: Path
    manifest_meta: dict[str, Any] = field(default_factory=dict)


def _is_candidate(path: Path) -> bool:
    name = path.name.lower()
    return (path.is_file() and not name.startswith(".") and path.suffix.lower().lstrip(".") in SUPPORTED_FORMATS
            and not name.startswith(_SKIPPED_NAMES))


def collect(paths: Iterable[str | Path], manifest: str | Path | None = None) -> list[_Job]:
    """Expand folders and manifests into the files to import, with their manifest rows.

    A folder is read recursively; a ``manifest*.csv`` at its root is used. A CSV
    given directly is a manifest: the files it lists are imported.
    """
    jobs: list[_Job] = []
    explicit = load_manifest(manifest) if manifest else None
    explicit_root = Path(manifest).resolve().parent if manifest else None
    for raw in paths:
        path = Path(raw)
        if path.suffix.lower() == ".csv" and path.is_file():
            rows = load_manifest(path)
            for key, meta in rows.items():
                jobs.append(_Job(path.parent / key, meta))
            continue
        if path.is_dir():
            rows, root = explicit, explicit_root
            if rows is None:
                found = sorted(path.glob("manifest*.csv"))
                rows, root = (load_manifest(found[0]), path.resolve()) if found else ({}, path.resolve())
            files = sorted(p for p in path.rglob("*") if _is_candidate(p))
            for f in files:
                jobs.append(_Job(f, _row_for(rows, root, f)))
            continue
        if explicit is not None:
            jobs.append(_Job(path, _row_for(explicit, explicit_root, path)))
        else:
            jobs.append(_Job(path, _nearest_manifest_row(path)))
    return jobs


def _nearest_manifest_row(path: Path, levels: int = 3) -> dict[str, Any]:
    """For a file given alone: its row in a manifest*.csv of a parent folder, if any."""
    folder = path.resolve().parent
    for _ in range(levels):
        for candidate in sorted(folder.glob("manifest*.csv")):
            row = _row_for(load_manifest(candidate), folder, path)
            if row:
                return row
        if folder.parent == folder:
            break
        folder = folder.parent
    return {}


def _row_for(rows: dict[str, dict], root: Path | None, path: Path) -> dict[str, Any]:
    if not rows or root is None:
        return {}
    try:
        key = manifest_key(path.resolve().relative_to(root).as_posix())
    except ValueError:
        key = manifest_key(path.name)
    return dict(rows.get(key) or rows.get(manifest_key(path.name)) or {})


def ingest_paths(project: Project, paths: Iterable[str | Path], *, metadata: dict[str, Any] | None = None,
                 manifest: str | Path | None = None, update: bool = False,
                 progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None) -> list[IngestResult]:
    """Import files, folders or manifests into ``project``; one result per file."""
    jobs = collect(paths, manifest)
    results: list[IngestResult] = []
    names_seen: dict[str, Path] = {}
    for done, job in enumerate(jobs):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr(f"Import interrompu après {done} fichier(s) ; ceux-ci sont complets, "
                                    "aucun fichier n'est à moitié importé.",
                                    f"Import cancelled after {done} file(s); those are complete, "
                                    "no file is half-imported."))
        if progress:
            progress(Progress(done, len(jobs), job.path.name))
        try:
            result = ingest_file(project, job.path, manifest_meta=job.manifest_meta, metadata=metadata,
                                 update=update, names_seen=names_seen)
        except ExporterreError as exc:
            result = IngestResult(str(job.path), "error", None, str(exc))
        results.append(result)
    if progress:
        progress(Progress(len(jobs), len(jobs), ""))
    return results


def ingest_file(project: Project, path: Path, *, manifest_meta: dict[str, Any] | None = None,
                metadata: dict[str, Any] | None = None, update: bool = False,
                names_seen: dict[str, Path] | None = None) -> IngestResult:
    settings = project.settings
    if not path.exists():
        raise IngestError(tr(f"Fichier introuvable : {path}.", f"File not found: {path}."),
                          tr("Vérifiez le chemin (et la colonne `file` du manifeste).",
                             "Check the path (and the manifest's `file` column)."), path=str(path))
    name_hint = (manifest_meta or {}).get("name") or (metadata or {}).get("name")
    parsed = read_file(path, settings.ingest, name=name_hint)
    raw = {**parsed.metadata, **(manifest_meta or {}), **{k: v for k, v in (metadata or {}).items() if v is not None}}
    meta = normalise_metadata(raw, source=str(path))
    if names_seen is not None:
        other = names_seen.get(parsed.name)
        if other is not None and other != path:
            raise DuplicateDocumentError(
                tr(f"Deux fichiers portent le même nom de document « {parsed.name} » : {other} et {path}.",
                   f"Two files have the same document name '{parsed.name}': {other} and {path}."),
                tr("Renommez l'un des deux (le nom du fichier sans extension sert de nom de document), "
                   "ou donnez une colonne `name` dans le manifeste.",
                   "Rename one of them (the file name without extension is the document name), "
                   "or give a `name` column in the manifest."), path=str(path))
        names_seen[parsed.name] = path
    labels = list(settings.ingest.interviewer_labels) + list(meta.get("interviewer", []))
    segments = parsed.segments
    if parsed.format not in ("srt", "vtt") and meta.get("interviewer"):
        segments = find_segments(parsed.text, settings.ingest, interviewer_labels=meta["interviewer"])
        check_coverage(parsed.text, segments, str(path))
    default_role = meta.get("role") or _DEFAULT_ROLE[meta["phase"]]
    if default_role == "resident" and meta["phase"] == 1 and "role" not in meta:
        default_role = "relais"
    roles = {s.speaker: speaker_role(s.speaker, interviewer_labels=labels, default_role=default_role)
             for s in segments if s.speaker}
    doc = _new_document(parsed, meta, path, roles, segments)
    store = project.store
    existing = store.find_document(parsed.name)
    words = len(parsed.text.split())
    if existing is None:
        store.add_document(doc, segments, roles)
        return IngestResult(str(path), "added", parsed.name, None, len(segments), words)
    if existing.content_hash == parsed.content_hash and _same_metadata(existing, doc):
        return IngestResult(str(path), "unchanged", parsed.name,
                            tr("identique au document déjà importé", "identical to the document already imported"),
                            len(segments), words)
    codings = store.list_codings(document_id=existing.id)
    if existing.content_hash != parsed.content_hash and codings and not update:
        raise DuplicateDocumentError(
            tr(f"Le document « {parsed.name} » existe déjà avec un autre texte et porte {len(codings)} codage(s) : "
               "il n'a pas été remplacé.",
               f"The document '{parsed.name}' already exists with another text and carries {len(codings)} "
               "coding(s): it was not replaced."),
            tr("Relancez avec --update pour remplacer le texte en recalant les codages sur le nouveau texte "
               "(ceux dont les mots ont disparu sont signalés et supprimés, annulable), ou renommez le fichier "
               "pour l'importer comme un nouveau document.",
               "Run again with --update to replace the text and re-anchor the codings on the new text "
               "(those whose words are gone are reported and removed, undoably), or rename the file to "
               "import it as a new document."), path=str(path))
    remap = {}
    lost = 0
    if existing.content_hash != parsed.content_hash and codings:
        spans = remap_spans(existing.text, parsed.text, [(c.start, c.end) for c in codings])
        for coding, span in zip(codings, spans):
            remap[coding.id] = (span.start, span.end) if span else None
            lost += span is None
    store.replace_document(existing.id, doc, segments, roles, remap=remap, actor="import")
    message = None
    if remap:
        message = tr(f"{len(remap) - lost} codage(s) recalé(s), {lost} perdu(s) (mots disparus ; « undo » "
                     "de l'acteur import pour revenir)",
                     f"{len(remap) - lost} coding(s) re-anchored, {lost} lost (words gone)")
    return IngestResult(str(path), "updated", parsed.name, message, len(segments), words)


def _split(value: Any) -> list[str]:
    return [v.strip() for v in str(value).split(";")] if value not in (None, "") else []


def _new_document(parsed: ParsedDocument, meta: dict[str, Any], path: Path, roles: dict[str, str],
                  segments) -> NewDocument:
    attributes = {k: v for k, v in meta.items() if k not in _STANDARD}
    keys = _split(meta.get("participant"))
    participant = keys[0] if len(keys) == 1 else None
    participants: list[tuple[str, dict[str, Any]]] = []
    speaker_participants: dict[str, str] = {}
    if len(keys) > 1:
        # attribute cells hold one value per participant, separated by ';'
        for i, key in enumerate(keys):
            attrs = {}
            for k, v in attributes.items():
                parts = _split(v)
                attrs[k] = parts[i] if len(parts) == len(keys) else v
            participants.append((key, attrs))
        talkers = [label for label in dict.fromkeys(s.speaker for s in segments if s.speaker)
                   if roles.get(label) != "interviewer"]
        named = _split(meta.get("speakers"))
        if named:                            # explicit: `speakers` lists labels in participant order
            by_key = {label_key(t): t for t in talkers}
            missing = [n for n in named if label_key(n) not in by_key]
            if len(named) != len(keys) or missing:
                raise MetadataError(
                    tr(f"{path} : la colonne `speakers` ({'; '.join(named)}) ne correspond pas aux participants "
                       f"({'; '.join(keys)}) ou aux locuteurs du texte ({', '.join(talkers) or 'aucun'}).",
                       f"{path}: the `speakers` column ({'; '.join(named)}) does not match the participants "
                       f"({'; '.join(keys)}) or the speakers of the text ({', '.join(talkers) or 'none'})."),
                    tr("Donnez un nom de locuteur tel qu'écrit dans le texte pour chaque participant, dans le même "
                       "ordre, séparés par « ; ».",
                       "Give one speaker label as written in the text for each participant, in the same order, "
                       "separated by ';'."), path=str(path))
            speaker_participants = {by_key[label_key(n)]: k for n, k in zip(named, keys)}
        elif len(talkers) == len(keys):      # else: speakers in order of first appearance
            speaker_participants = dict(zip(talkers, keys))
    return NewDocument(
        name=parsed.name, phase=meta["phase"], text=parsed.text, content_hash=parsed.content_hash,
        format=parsed.format, lieu=meta.get("lieu"), date=meta.get("date"), source_path=str(path),
        encoding=parsed.encoding, participant=participant,
        participant_attributes=attributes if participant else None,
        attributes={**attributes, **({"participants": keys} if len(keys) > 1 else {}),
                    **({"interviewer": meta["interviewer"]} if meta.get("interviewer") else {})},
        participants=tuple(participants), speaker_participants=speaker_participants or None)


def _same_metadata(existing, doc: NewDocument) -> bool:
    return (existing.phase, existing.lieu, existing.date, existing.attributes) == (
        doc.phase, doc.lieu, doc.date, doc.attributes or {})
