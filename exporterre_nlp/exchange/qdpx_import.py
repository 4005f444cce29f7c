"""Import a REFI-QDA project (``.qdpx``) into a NEW Exporterre project.

Documents keep their text (normalised like every import: NFC, ``\\n``; positions
moved accordingly), get their speaker turns detected as at ingestion, and their
phase, lieu, date and participant from the REFI variables of the same names
(what :mod:`.qdpx_export` writes). Each REFI coding becomes a coding by the same
coder (status ``manual``, origin ``human``, the REFI GUID kept in its details);
notes become memos on what they were attached to. If anything is refused, the
new project folder is removed: nothing half-imported is left.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from ..codebook import Codebook, load_codebook, save_codebook
from ..errors import CancelledError, MetadataError, ProjectError
from ..i18n import tr
from ..ingest import find_segments, speaker_role
from ..project import Project, default_codebook_path
from ..records import PHASE_NAMES, Progress
from ..settings import Settings
from ..store import DB_FILE, NewDocument
from .names import unique
from .qdpx_read import ForeignProject, ForeignSource, read_qdpx
from .results import ImportResult

_DEFAULT_ROLE = {1: "relais", 2: "resident", 3: "resident"}
_STANDARD = ("phase", "lieu", "date", "participant", "interviewer", "participants")


def _phase(value: Any) -> int | None:
    text = str(value or "").strip().lower().removeprefix("phase").strip(" _-")
    if text.isdigit() and int(text) in PHASE_NAMES:
        return int(text)
    return next((n for n, name in PHASE_NAMES.items() if name == text), None)


def _split(value: Any) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()] if value not in (None, "") else []


def _check_phases(foreign: ForeignProject, default_phase: int | None, path: Path) -> dict[str, int]:
    phases, missing = {}, []
    for src in foreign.sources:
        phase = _phase(src.variables.get("phase")) or default_phase
        if phase is None:
            missing.append(src.name)
        phases[src.guid] = phase
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise MetadataError(
            tr(f"{len(missing)} source(s) de {path.name} n'ont pas de variable « phase » (1, 2 ou 3) : {shown}.",
               f"{len(missing)} source(s) of {path.name} have no 'phase' variable (1, 2 or 3): {shown}."),
            tr("Relancez avec --phase N pour les ranger dans la phase N, ou ajoutez une variable « phase » "
               "aux documents dans le logiciel d'origine.",
               "Run again with --phase N to put them in phase N, or add a 'phase' variable to the documents "
               "in the original program."), path=str(path))
    return phases


def _codebook(foreign: ForeignProject, base: str | Path | None) -> Codebook:
    if base is not None:
        book = load_codebook(base)
        known = {c.key for c in book.codes}
        book.codes += [c for c in foreign.codes.codes if c.key not in known]
        return book
    if not foreign.codes.codes:
        return load_codebook(default_codebook_path())
    return Codebook(name=foreign.name, codes=foreign.codes.codes,
                    description=tr("Importé d'un projet REFI-QDA.", "Imported from a REFI-QDA project."))


def import_qdpx(path: str | Path, into: str | Path, *, default_phase: int | None = None,
                codebook: str | Path | None = None, progress: Callable[[Progress], None] | None = None,
                cancel: threading.Event | None = None) -> ImportResult:
    """Create the project ``into`` from the REFI-QDA file ``path``.

    ``default_phase`` is used for sources without a ``phase`` variable (others'
    projects); ``codebook`` gives a YAML codebook to start from (its extraction
    rules are kept; codes of the file that it lacks are added).
    """
    path, into = Path(path), Path(into)
    if (into / DB_FILE).exists():
        raise ProjectError(tr(f"Un projet existe déjà dans {into}.", f"A project already exists in {into}."),
                           tr("L'import crée toujours un nouveau projet : choisissez un dossier neuf.",
                              "Import always creates a new project: choose a new folder."), path=str(into))
    settings = Settings()
    foreign = read_qdpx(path, settings.ingest)
    phases = _check_phases(foreign, default_phase, path)
    book = _codebook(foreign, codebook)
    existed = into.exists()
    with tempfile.TemporaryDirectory() as tmp:
        yaml_path = Path(tmp) / "codebook.yaml"
        save_codebook(book, yaml_path)
        project = Project.init(into, codebook=yaml_path)
    try:
        with project:
            return _fill(project, foreign, phases, path, progress, cancel)
    except BaseException:
        if not existed:
            shutil.rmtree(into, ignore_errors=True)
        else:
            for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", "codebook.yaml", "settings.yaml"):
                (into / name).unlink(missing_ok=True)
        raise


def _participants(foreign: ForeignProject) -> dict[str, list[str]]:
    by_source: dict[str, list[str]] = {}
    for name, _, sources in foreign.cases:
        for guid in sources:
            by_source.setdefault(guid, []).append(name)
    return by_source


def _new_document(src: ForeignSource, name: str, phase: int, cases: dict, case_keys: list[str],
                  path: Path) -> NewDocument:
    v = src.variables
    attributes = {k: val for k, val in v.items() if k not in _STANDARD}
    interviewer = _split(v.get("interviewer"))
    if interviewer:
        attributes["interviewer"] = interviewer
    keys = _split(v.get("participant")) or _split(v.get("participants")) or case_keys
    if len(keys) > 1:
        attributes["participants"] = keys
    single = keys[0] if len(keys) == 1 else None
    return NewDocument(
        name=name, phase=phase, text=src.text, content_hash=hashlib.sha256(src.text.encode("utf-8")).hexdigest(),
        format="txt", lieu=v.get("lieu") or None, date=v.get("date") or None,
        source_path=f"{path.name}#{src.name}", encoding="utf-8", participant=single,
        participant_attributes=cases.get(single) if single else None, attributes=attributes,
        participants=tuple((k, cases.get(k, {})) for k in keys) if len(keys) > 1 else ())


def _fill(project: Project, foreign: ForeignProject, phases: dict[str, int], path: Path,
          progress, cancel) -> ImportResult:
    store, settings = project.store, project.settings
    cases = {name: variables for name, variables, _ in foreign.cases}
    for name, variables in cases.items():
        store.upsert_participant(name, variables)
    case_of = _participants(foreign)
    code_of = foreign.codes.by_guid
    coders: set[str] = set()
    memos = codings = 0
    memo_targets: dict[str, tuple[str, int | None]] = {}
    taken: set[str] = set()
    warnings = list(foreign.warnings)
    skipped_codes = 0
    for n, src in enumerate(foreign.sources):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Import interrompu : le nouveau projet a été supprimé.",
                                    "Import cancelled: the new project was removed."))
        if progress:
            progress(Progress(n, len(foreign.sources), src.name))
        phase = phases[src.guid]
        name = unique(src.name, taken, sep=" ")
        doc = _new_document(src, name, phase, cases, case_of.get(src.guid, []), path)
        labels = list(settings.ingest.interviewer_labels) + list((doc.attributes or {}).get("interviewer", []))
        segments = find_segments(src.text, settings.ingest, interviewer_labels=(doc.attributes or {}).get(
            "interviewer", []))
        roles = {s.speaker: speaker_role(s.speaker, interviewer_labels=labels, default_role=_DEFAULT_ROLE[phase])
                 for s in segments if s.speaker}
        stored = store.add_document(doc, segments, roles)
        for note in src.notes:
            memo_targets.setdefault(note, ("document", stored.id))
        seen: set[tuple] = set()
        for sel in src.selections:
            first_coding = None
            for c in sel.codings:
                key = code_of.get(c.code_guid)
                if key is None:
                    skipped_codes += 1
                    continue
                if sel.start >= sel.end or (sel.start, sel.end, key, c.coder) in seen:
                    continue
                seen.add((sel.start, sel.end, key, c.coder))
                made = store.add_coding(stored.id, sel.start, sel.end, key, c.coder, status="manual",
                                        origin="human", details={"refi_guid": c.guid, "imported_from": path.name},
                                        actor="import")
                codings += 1
                coders.add(c.coder)
                first_coding = first_coding or made
                for note in c.notes:
                    memo_targets.setdefault(note, ("coding", made.id))
            for note in sel.notes:
                memo_targets.setdefault(note, _selection_target(store, stored.id, sel, first_coding))
            if sel.description:
                target = _selection_target(store, stored.id, sel, first_coding)
                store.add_memo(target[0], target[1], sel.author, sel.description)
                memos += 1
    for key, notes in foreign.codes.notes.items():
        for note in notes:
            memo_targets.setdefault(note, ("code", store.get_code(key).id))
    for note in foreign.project_notes:
        memo_targets.setdefault(note, ("project", None))
    for guid, note in foreign.notes.items():          # unreferenced notes stay as project memos
        target_type, target_id = memo_targets.get(guid, ("project", None))
        store.add_memo(target_type, target_id, note.author, note.text)
        memos += 1
    if skipped_codes:
        warnings.append(tr(f"{skipped_codes} codage(s) renvoient à un code absent du livre de codes ; ignorés.",
                           f"{skipped_codes} coding(s) point to a code missing from the codebook; skipped."))
    if progress:
        progress(Progress(len(foreign.sources), len(foreign.sources), ""))
    return ImportResult(project.path, len(foreign.sources), len(store.list_codes()), codings, memos,
                        len(cases), tuple(sorted(coders)), tuple(warnings))


def _selection_target(store, document_id: int, sel, first_coding) -> tuple[str, int | None]:
    """A note on a selection: on its coding, else on the segment it covers exactly, else on the document."""
    if first_coding is not None:
        return ("coding", first_coding.id)
    for seg in store.list_segments(document_id):
        if (seg.start, seg.end) == (sel.start, sel.end):
            return ("segment", seg.id)
    return ("document", document_id)
