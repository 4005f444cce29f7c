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
import os
import shutil
import tempfile
import threading
from dataclasses import replace
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
from .anchor import flat
from .memo_text import description_memos
from .names import unique
from .qdpx_read import ForeignProject, ForeignSource, read_qdpx
from .results import ImportResult

_DEFAULT_ROLE = {1: "relais", 2: "resident", 3: "resident"}
_STANDARD = ("phase", "lieu", "date", "participant", "interviewer", "participants")


def _phase(value: Any) -> int | None:
    text = str(value or "").strip().lower().removeprefix("phase").strip(" _-")
    whole, dot, zeros = text.partition(".")
    if dot and whole.isdigit() and set(zeros) <= {"0"}:      # QualCoder writes numbers as FloatValue "3.0"
        text = whole
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
    rules are kept; codes of the file that it lacks are added). ``into`` must not
    exist or be an empty folder. The project is built in a hidden folder next to
    it and renamed into place at the end: an interruption (even ``kill -9``) leaves
    no project at ``into``, only a hidden folder that the next import removes.
    """
    path, into = Path(path), Path(into)
    _check_target(into)
    settings = Settings()
    foreign = read_qdpx(path, settings.ingest)
    phases = _check_phases(foreign, default_phase, path)
    book = _codebook(foreign, codebook)
    into.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(into)
    building = into.parent / f"{_prefix(into)}{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            yaml_path = Path(tmp) / "codebook.yaml"
            save_codebook(book, yaml_path)
            project = Project.init(building, codebook=yaml_path)
        with project:
            result = _fill(project, foreign, phases, path, progress, cancel)
        _check_target(into)                    # nothing appeared there meanwhile
        os.replace(building, into)             # atomic; an empty folder at ``into`` is replaced
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return replace(result, project=into)


def _prefix(into: Path) -> str:
    return f".{into.name}.import-"


def _check_target(into: Path) -> None:
    """``into`` must be absent or an empty folder (an import never writes over anything)."""
    if not into.exists() and not into.is_symlink():
        return
    if into.is_dir() and not into.is_symlink() and not any(into.iterdir()):
        return
    already = (into / DB_FILE).exists()
    raise ProjectError(
        tr(f"Un projet existe déjà dans {into}." if already else
           f"{into} existe et n'est pas un dossier vide : l'import n'y écrit rien.",
           f"A project already exists in {into}." if already else
           f"{into} exists and is not an empty folder: the import writes nothing there."),
        tr("L'import crée toujours un nouveau projet : choisissez un dossier neuf (absent ou vide).",
           "Import always creates a new project: choose a new folder (absent or empty)."), path=str(into))


def _remove_stale(into: Path) -> None:
    """Hidden folders left by an import that was killed (its process is gone) are removed."""
    for old in into.parent.glob(f"{_prefix(into)}*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False                 # ours, from an earlier failed call: safe to remove
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


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
        memo = foreign.case_memos.get(name)
        store.upsert_participant(name, {**variables, "memo": memo} if memo else variables)
    case_of = _participants(foreign)
    note_text = {guid: note.text for guid, note in foreign.notes.items()}
    texts = lambda guids: [note_text[g] for g in guids if g in note_text]   # noqa: E731
    coders: set[str] = set()
    counts = {"codings": 0, "memos": 0, "skipped_codes": 0}
    memo_targets: dict[str, tuple[str, int | None]] = {}
    made_by_guid: dict[str, int] = {}
    taken: set[str] = set()
    warnings = list(foreign.warnings)

    def memo(target: tuple[str, int | None], author: str, text: str) -> None:
        store.add_memo(target[0], target[1], author, text)
        counts["memos"] += 1

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
        for author, text in description_memos(src.description, src.owner, texts(src.notes)):
            memo(("document", stored.id), author, text)
        first_of: dict[int, Any] = {}
        seen: set[tuple] = set()
        # suggestions before the decisions made on them (a decision points to its suggestion)
        jobs = [(sel_n, sel, c) for sel_n, sel in enumerate(src.selections) for c in sel.codings]
        jobs.sort(key=lambda job: bool((foreign.sidecar.get(job[2].guid) or {}).get("suggestion")))
        for sel_n, sel, c in jobs:
            key = foreign.codes.by_guid.get(c.code_guid)
            if key is None:
                counts["skipped_codes"] += 1
                continue
            meta = foreign.sidecar.get(c.guid) or {}
            status, origin = meta.get("status", "manual"), meta.get("origin", "human")
            if sel.start >= sel.end or (sel.start, sel.end, key, c.coder, status, origin) in seen:
                continue
            seen.add((sel.start, sel.end, key, c.coder, status, origin))
            made = store.add_coding(stored.id, sel.start, sel.end, key, c.coder, status=status, origin=origin,
                                    score=meta.get("score"), source_id=made_by_guid.get(meta.get("suggestion")),
                                    details={"refi_guid": c.guid, "imported_from": path.name}, actor="import")
            made_by_guid[c.guid] = made.id
            counts["codings"] += 1
            coders.add(c.coder)
            first_of.setdefault(sel_n, made)
            for note in c.notes:
                memo_targets.setdefault(note, ("coding", made.id))
        for sel_n, sel in enumerate(src.selections):
            first_coding = first_of.get(sel_n)
            for note in sel.notes:
                memo_targets.setdefault(note, _selection_target(store, stored.id, sel, first_coding))
            known = texts(sel.notes + [g for c in sel.codings for g in c.notes])
            for author, text in description_memos(sel.description, sel.author, known):
                memo(_selection_target(store, stored.id, sel, first_coding), author, text)
    for key, notes in foreign.codes.notes.items():
        for note in notes:
            memo_targets.setdefault(note, ("code", store.get_code(key).id))
    for key, pairs in foreign.codes.memos.items():
        known = {flat(t) for t in texts(foreign.codes.notes.get(key, []))}
        for author, text in pairs:
            if flat(text) not in known:
                memo(("code", store.get_code(key).id), author or "importe", text)
    for note in foreign.project_notes:
        memo_targets.setdefault(note, ("project", None))
    for author, text in description_memos(foreign.description, "importe", texts(foreign.project_notes)):
        memo(("project", None), author, text)
    for guid, note in foreign.notes.items():          # unreferenced notes stay as project memos
        target = memo_targets.get(guid, ("project", None))
        if target[0] == "document" and note.span is not None:     # an annotation on a turn: on that turn
            target = next((("segment", seg.id) for seg in store.list_segments(target[1])
                           if (seg.start, seg.end) == note.span), target)
        memo(target, note.author, note.text)
    if counts["skipped_codes"]:
        skipped = counts["skipped_codes"]
        warnings.append(tr(f"{skipped} codage(s) renvoient à un code absent du livre de codes ; ignorés.",
                           f"{skipped} coding(s) point to a code missing from the codebook; skipped."))
    if progress:
        progress(Progress(len(foreign.sources), len(foreign.sources), ""))
    return ImportResult(project.path, len(foreign.sources), len(store.list_codes()), counts["codings"],
                        counts["memos"], len(cases), tuple(sorted(coders)), tuple(warnings),
                        dict(foreign.anchoring))


def _selection_target(store, document_id: int, sel, first_coding) -> tuple[str, int | None]:
    """A note on a selection: on its coding, else on the segment it covers exactly, else on the document."""
    if first_coding is not None:
        return ("coding", first_coding.id)
    for seg in store.list_segments(document_id):
        if (seg.start, seg.end) == (sel.start, sel.end):
            return ("segment", seg.id)
    return ("document", document_id)
