"""Import files into a project: read, check metadata, store — one file at a time.

Each file is stored in one transaction: a file that fails leaves the store
exactly as it was, and a folder import reports per file and goes on.
Metadata precedence: front matter < manifest row < command-line values.
"""
from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable

from .anchoring import remap_spans
from .errors import CancelledError, DuplicateDocumentError, ExporterreError, IngestError, MetadataError
from .i18n import tr
from .ingest import check_coverage, find_segments, label_key, normalise_metadata, read_file, speaker_role
from .ingest.collect import Job, collect as collect_jobs, identity_of, origin_of, shown_path
from .project import Project
from .records import IngestResult, ParsedDocument, Progress
from .store import NewDocument

_DEFAULT_ROLE = {1: "relais", 2: "resident", 3: "resident"}
_STANDARD = ("phase", "lieu", "date", "participant", "interviewer", "role", "name", "file", "speakers")


def collect(paths: Iterable[str | Path], manifest: str | Path | None = None) -> list[Job]:
    """The files an import would read (see :mod:`exporterre_nlp.ingest.collect`)."""
    return collect_jobs(paths, manifest)[0]


def ingest_paths(project: Project, paths: Iterable[str | Path], *, metadata: dict[str, Any] | None = None,
                 manifest: str | Path | None = None, update: bool = False,
                 progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None) -> list[IngestResult]:
    """Import files, folders or manifests into ``project``; one result per file.

    Skipped paths (symbolic links) and refused ones (manifest rows without a file, file
    names that are not UTF-8) come first; then one result per file, in order. A file
    that fails, whatever the reason, gives an "error" result and the import goes on.
    """
    jobs, notices = collect_jobs(paths, manifest)
    results: list[IngestResult] = [IngestResult(n.path, n.status, None, n.message) for n in notices]
    seen: dict[str, Path] = {}
    for done, job in enumerate(jobs):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr(f"Import interrompu après {done} fichier(s) ; ceux-ci sont complets, "
                                    "aucun fichier n'est à moitié importé.",
                                    f"Import cancelled after {done} file(s); those are complete, "
                                    "no file is half-imported."))
        shown = shown_path(job.path)
        if progress:
            progress(Progress(done, len(jobs), shown_path(job.path.name)))
        try:
            result = ingest_file(project, job.path, manifest_meta=job.manifest_meta, metadata=metadata,
                                 update=update, names_seen=seen, identity=job.identity)
        except ExporterreError as exc:
            result = IngestResult(shown, "error", None, str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops a folder import
            result = IngestResult(shown, "error", None, _unexpected(shown, exc))
        results.append(result)
    if progress:
        progress(Progress(len(jobs), len(jobs), ""))
    return results


def ingest_file(project: Project, path: Path, *, manifest_meta: dict[str, Any] | None = None,
                metadata: dict[str, Any] | None = None, update: bool = False,
                names_seen: dict[str, Path] | None = None, identity: str | None = None) -> IngestResult:
    """Import one file. ``identity`` (default: see :func:`identity_of`) decides whether it is a
    document already in the project; ``names_seen`` collects the identities of one import run."""
    settings = project.settings
    path = Path(path)
    shown = shown_path(path)
    if path.is_symlink():
        raise IngestError(tr(f"{shown} est un lien symbolique : il n'est pas suivi.",
                             f"{shown} is a symbolic link: it is not followed."),
                          tr("Importez le fichier lui-même (copiez-le dans le dossier du corpus).",
                             "Import the file itself (copy it into the corpus folder)."), path=shown)
    if not path.exists():
        raise IngestError(tr(f"Fichier introuvable : {shown}.", f"File not found: {shown}."),
                          tr("Vérifiez le chemin (et la colonne `file` du manifeste).",
                             "Check the path (and the manifest's `file` column)."), path=shown)
    identity = identity or identity_of(path, None)
    origin = origin_of(path)
    name_hint = (manifest_meta or {}).get("name") or (metadata or {}).get("name")
    parsed = read_file(path, settings.ingest, name=name_hint)
    raw = {**parsed.metadata, **(manifest_meta or {}), **{k: v for k, v in (metadata or {}).items() if v is not None}}
    meta = normalise_metadata(raw, source=shown)
    if names_seen is not None:
        other = names_seen.get(identity)
        if other is not None and other != path:
            raise DuplicateDocumentError(
                tr(f"Deux fichiers désignent le même document « {identity} » : {shown_path(other)} et {shown}.",
                   f"Two files are the same document '{identity}': {shown_path(other)} and {shown}."),
                tr("Un document est identifié par son chemin sans extension : renommez l'un des deux, "
                   "ou donnez une colonne `id` dans le manifeste.",
                   "A document is identified by its path without extension: rename one of them, "
                   "or give an `id` column in the manifest."), path=shown)
        names_seen[identity] = path
    labels = list(settings.ingest.interviewer_labels) + list(meta.get("interviewer", []))
    segments = parsed.segments
    if parsed.format not in ("srt", "vtt") and meta.get("interviewer"):
        segments = find_segments(parsed.text, settings.ingest, interviewer_labels=meta["interviewer"])
        check_coverage(parsed.text, segments, shown)
    default_role = meta.get("role") or _DEFAULT_ROLE[meta["phase"]]
    if default_role == "resident" and meta["phase"] == 1 and "role" not in meta:
        default_role = "relais"
    roles = {s.speaker: speaker_role(s.speaker, interviewer_labels=labels, default_role=default_role)
             for s in segments if s.speaker}
    doc = _new_document(parsed, meta, path, roles, segments)
    words = len(parsed.text.split())
    store = project.store
    with store.importing():      # decide and write in one transaction: a concurrent import waits
        found, adopt, warning, identity = _match(store, identity, origin, parsed.name, parsed.content_hash)
        if found is None:
            name = _free_name(store, parsed.name, identity)
            store.add_document(replace(doc, name=name, identity=identity, origin=origin), segments, roles)
            notes = [warning] if warning else []
            if name != parsed.name:
                notes.insert(0, tr(f"nommé « {name} » : le nom « {parsed.name} » désigne déjà un autre document",
                                   f"named '{name}': the name '{parsed.name}' is already another document"))
            return IngestResult(shown, "added", name, " ; ".join(notes) or None, len(segments), words)
        existing = store.get_document(found.id)
        doc = replace(doc, name=existing.name, identity=adopt, origin=origin)
        if existing.content_hash == parsed.content_hash and _same_metadata(existing, doc):
            if adopt or (found.origin != origin and not found.legacy):
                store.confirm_identity(existing.id, adopt or found.identity, origin)
            return IngestResult(shown, "unchanged", existing.name,
                                tr("identique au document déjà importé", "identical to the document already imported"),
                                len(segments), words)
        codings = store.list_codings(document_id=existing.id)
        if existing.content_hash != parsed.content_hash and codings and not update:
            raise DuplicateDocumentError(
                tr(f"Le document « {existing.name} » existe déjà avec un autre texte et porte {len(codings)} "
                   "codage(s) : il n'a pas été remplacé.",
                   f"The document '{existing.name}' already exists with another text and carries {len(codings)} "
                   "coding(s): it was not replaced."),
                tr("Relancez avec --update pour remplacer le texte en recalant les codages sur le nouveau texte "
                   "(ceux dont les mots ont disparu sont signalés et supprimés, annulable ; l'ancienne version "
                   "est gardée), ou renommez le fichier pour l'importer comme un nouveau document.",
                   "Run again with --update to replace the text and re-anchor the codings on the new text "
                   "(those whose words are gone are reported and removed, undoably; the old version is kept), "
                   "or rename the file to import it as a new document."), path=shown)
        remap = {}
        lost = 0
        if existing.content_hash != parsed.content_hash and codings:
            spans = remap_spans(existing.text, parsed.text, [(c.start, c.end) for c in codings])
            for coding, span in zip(codings, spans):
                remap[coding.id] = (span.start, span.end) if span else None
                lost += span is None
        store.replace_document(existing.id, doc, segments, roles, remap=remap, actor="import")
    notes = [_changes(existing, doc)]
    if remap:
        notes.append(tr(f"{len(remap) - lost} codage(s) recalé(s), {lost} perdu(s) (mots disparus ; « undo » "
                        "de l'acteur import pour revenir)",
                        f"{len(remap) - lost} coding(s) re-anchored, {lost} lost (words gone)"))
    return IngestResult(shown, "updated", existing.name, " ; ".join(notes), len(segments), words)


def _match(store, identity: str, origin: str, stem: str, content_hash: str):
    """``(stored document, identity to record or None, warning)``: the document this file is, if any.

    In order: the document imported from this very file (``origin``); the document with
    this identity when its recorded file is gone (the corpus moved); a document from
    before identities existed (migration 6) whose name is the file's base name,
    confirmed by the same text or the same file in its recorded path. When the identity
    belongs to another file that still exists (two corpus roots holding the same
    relative path), this file is a new document and its identity gets parent folders
    until it is unique. An unconfirmed old document is left alone, with a warning.
    """
    candidates = store.document_origins(identity=identity, origin=origin, legacy_name=stem)
    for c in candidates:
        if c.origin == origin:
            return c, None, None, identity
    for c in candidates:
        if c.identity == identity and not c.legacy:
            if c.origin is None or not os.path.lexists(c.origin):
                return c, None, None, identity
            identity = _longer_identity(store, identity, origin)
    warning = None
    for c in candidates:
        if c.legacy and c.identity == stem:
            same = _same_file(c.source_path, origin)
            if c.content_hash == content_hash or same:
                return c, identity, None, identity
            if same is None:
                warning = tr(f"un document « {c.name} » importé avant les identités par chemin ({c.source_path}) "
                             "n'a pas pu être reconnu comme ce fichier : s'il s'agit du même, supprimez l'un des deux",
                             f"a document '{c.name}' imported before path identities ({c.source_path}) could not "
                             "be recognised as this file: if it is the same, delete one of them")
    if any(c.identity == identity for c in candidates):
        identity = _longer_identity(store, identity, origin)
    return None, None, warning, identity


def _longer_identity(store, identity: str, origin: str) -> str:
    """The file's path with more parent folders, until no document has it as identity."""
    parts = Path(origin).with_suffix("").parts
    for k in range(len(identity.split("/")) + 1, len(parts) + 1):
        candidate = "/".join(parts[-k:]).lstrip("/")
        if not store.document_origins(identity=candidate):
            return candidate
    return Path(origin).as_posix()


def _same_file(source_path: str | None, origin: str) -> bool | None:
    """Does the recorded path name this file? True, False, or None when it cannot tell (a bare file
    name recorded from another folder)."""
    if not source_path:
        return None
    recorded = Path(source_path)
    if recorded.is_absolute() or recorded.exists():
        try:
            return origin_of(recorded) == origin
        except OSError:
            return None
    parts, here = recorded.parts, Path(origin).parts
    if len(parts) >= 2:
        return parts[-2:] == here[-2:]
    return None


def _free_name(store, stem: str, identity: str) -> str:
    """The base name, else the shortest tail of the identity's path that no document uses."""
    parts = identity.split("/")
    tails = ["/".join(parts[-k:]) for k in range(2, len(parts) + 1)] if len(parts) > 1 else [identity]
    numbered = [f"{stem} ({n})" for n in range(2, 100)]
    candidates = [stem, *tails, *numbered]
    taken = store.names_taken(candidates)
    return next((c for c in candidates if c not in taken), f"{identity} ({len(taken)})")


def _changes(existing, doc: NewDocument) -> str:
    """What an update changed, in words (the previous version is kept)."""
    changed = []
    for key, before, after in (("phase", existing.phase, doc.phase), ("lieu", existing.lieu, doc.lieu),
                               ("date", existing.date, doc.date)):
        if before != after:
            changed.append(f"{key} {before or '—'} → {after or '—'}")
    old_attrs, new_attrs = existing.attributes or {}, doc.attributes or {}
    changed += sorted(k for k in set(old_attrs) | set(new_attrs) if old_attrs.get(k) != new_attrs.get(k))
    parts = []
    if existing.content_hash != doc.content_hash:
        parts.append(tr("texte modifié", "text changed"))
    if changed:
        parts.append(tr(f"métadonnées modifiées : {', '.join(changed)}", f"metadata changed: {', '.join(changed)}"))
    return tr(f"{' ; '.join(parts)} (version {existing.version} gardée dans l'historique)",
              f"{'; '.join(parts)} (version {existing.version} kept in the history)")


def _unexpected(shown: str, exc: BaseException) -> str:
    detail = shown_path(str(exc))[:200]
    return tr(f"Le fichier {shown} n'a pas pu être importé (erreur inattendue : {type(exc).__name__} : {detail}). "
              "Le projet n'a pas été modifié pour ce fichier.\n→ Vérifiez le fichier (ouvrez-le, réenregistrez-le) ; "
              "si l'erreur persiste, signalez-la avec ce message.",
              f"The file {shown} could not be imported (unexpected error: {type(exc).__name__}: {detail}). "
              "The project was not changed for this file.\n→ Check the file (open it, save it again); "
              "if the error persists, report it with this message.")


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
