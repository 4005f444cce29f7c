"""Export a project as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

The archive holds ``project.qde`` (QDA-XML, valid against the shipped ``Project.xsd``)
and ``sources/<guid>.txt`` (the folder name of the spec, §8.1), each document's stored text in UTF-8 without BOM, so
that every ``startPosition``/``endPosition`` (code points, end exclusive) gives back
``document.text[start:end]``. What goes where:

* coders → ``<User>``; each coding → a ``<Coding>`` (its coder as ``creatingUser``)
  inside the ``<PlainTextSelection>`` of its span (codings of the same span share one);
* codes → nested ``<Code>`` with GUID, colour, description (see :mod:`.qdc`), tags → ``<Set>``;
* phase, lieu, date, participant and document metadata → ``<Variable>`` values on each source;
  participants → ``<Case>`` with their attributes and the sources they speak in;
* memos → ``<Note>`` (author as ``creatingUser``), referenced from the project, the
  source, the code, the coding, or a selection covering the memo's segment.
"""
from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable

from ..i18n import tr
from ..outputs import atomic_path, check_output
from ..records import Progress
from .names import Guids
from .qdc import ORIGIN, PROJECT_NS, XSI, code_elements, codebook_from_store, set_elements
from .context import each_document
from .results import ExportResult
from .memo_text import memos_description
from .selection import chosen_codings, chosen_memos
from .sidecar import SIDECAR, sidecar_bytes, sidecar_entries
from ..pseudo.view import TextView

_N = f"{{{PROJECT_NS}}}"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_STANDARD_VARIABLES = ("phase", "lieu", "date", "participant")


def xml_datetime(stamp: str | None) -> str | None:
    """``2026-06-09T10:00:00.123456+00:00`` → ``2026-06-09T10:00:00Z`` (what the tools write)."""
    if not stamp:
        return None
    return stamp[:19] + "Z" if len(stamp) >= 19 else None


def _sub(parent: ET.Element, tag: str, attrs: dict[str, Any] | None = None, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _N + tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _value(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return None
    return str(value)


def _snippet(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class _Variables:
    """Variables declared once, referenced by GUID from sources and cases."""

    def __init__(self, guids: Guids):
        self.guids = guids
        self.types: dict[str, str] = {}

    def value(self, parent: ET.Element, name: str, value: Any) -> None:
        text = _value(value)
        if text is None:
            return
        kind = "Integer" if name == "phase" else "Text"
        self.types.setdefault(name, kind)
        vv = _sub(parent, "VariableValue")
        _sub(vv, "VariableRef", {"targetGUID": self.guids("variable", name)})
        _sub(vv, "IntegerValue" if kind == "Integer" else "TextValue", text=text)

    def element(self) -> ET.Element | None:
        if not self.types:
            return None
        el = ET.Element(_N + "Variables")
        for name, kind in self.types.items():
            _sub(el, "Variable", {"guid": self.guids("variable", name), "name": name, "typeOfVariable": kind})
        return el


def build_project(project, *, coders: Iterable[str] | None = None, include_pending: bool = False,
                  pseudonymise: bool = False, cases_as_codes: bool = False,
                  progress: Callable[[Progress], None] | None = None,
                  cancel: threading.Event | None = None) -> tuple[bytes, dict[str, str], ExportResult]:
    """``(project.qde bytes, {archive path: text}, summary)`` without writing anything."""
    store = project.store
    guids = Guids.for_store(store)
    view = TextView(store, pseudonymise)
    codebook = codebook_from_store(store, store.get_meta("codebook_name") or project.path.name)
    codings = chosen_codings(store, coders=coders, include_pending=include_pending)
    memos = chosen_memos(store, coders)
    key_of = {c.id: c.key for c in store.list_codes()}
    exported_ids = {c.id for c in codings}

    # memos by what they are attached to
    on: dict[tuple[str, Any], list[str]] = {}
    memo_on: dict[tuple[str, Any], list] = {}
    lost_memos = 0
    for m in memos:
        if m.target_type == "coding" and m.target_id not in exported_ids:
            lost_memos += 1
            continue
        target = (m.target_type, key_of.get(m.target_id) if m.target_type == "code" else m.target_id)
        on.setdefault(target, []).append(guids("memo", m.id))
        memo_on.setdefault(target, []).append(m)
    users = sorted({c.coder for c in codings} | {m.coder for m in memos})

    ET.register_namespace("", PROJECT_NS)
    ET.register_namespace("xsi", XSI)
    docs = [store.get_document(d.id) for d in store.list_documents()]
    stamps = [d.created_at for d in docs] + [c.updated_at for c in codings] + [m.updated_at for m in memos]
    root = ET.Element(_N + "Project", {
        "name": project.path.name, "origin": ORIGIN,
        f"{{{XSI}}}schemaLocation": f"{PROJECT_NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"})
    if stamps:
        root.set("creationDateTime", xml_datetime(min(stamps)))
        root.set("modifiedDateTime", xml_datetime(max(stamps)))
    if users:
        users_el = _sub(root, "Users")
        for name in users:
            _sub(users_el, "User", {"guid": guids("user", name), "name": name})
    participants = store.list_participants() if cases_as_codes else []
    case_sources = _case_sources(store, docs) if cases_as_codes else {}
    if codebook.codes or participants:
        code_notes = {k: v for (t, k), v in on.items() if t == "code"}
        code_memos = {k: v for (t, k), v in memo_on.items() if t == "code"}
        codes_el = code_elements(_sub(root, "CodeBook"), codebook, guids, PROJECT_NS, code_notes, code_memos)
        for p in participants:       # NVivo's and QualCoder's case ↔ source link: a code with the case's GUID
            _sub(codes_el, "Code", {"guid": guids("case", p.key), "name": p.key, "isCodable": "true"})
    variables = _Variables(guids)
    cases_el = _cases(store, docs, guids, variables)
    sidecar = sidecar_entries(codings, lambda cid: guids("coding", cid))
    sources_el = ET.Element(_N + "Sources")
    files: dict[str, str] = {}
    by_doc: dict[int, list] = {}
    for c in codings:
        by_doc.setdefault(c.document_id, []).append(c)
    for doc in each_document(docs, progress, cancel, lambda d: d.name):
        text = view.text(doc)
        guid = guids("document", doc.id)
        files[f"sources/{guid}.txt"] = text        # the spec (§8.1) names the folder "sources"
        src = _sub(sources_el, "TextSource", {
            "guid": guid, "name": doc.name, "plainTextPath": f"internal://{guid}.txt",
            "creationDateTime": xml_datetime(doc.created_at), "modifiedDateTime": xml_datetime(doc.updated_at)})
        if memo_on.get(("document", doc.id)):
            _sub(src, "Description", text=memos_description(memo_on[("document", doc.id)]))
        _selections(src, doc, view, by_doc.get(doc.id, []), store, on, memo_on, guids, key_of)
        for p in participants:
            if doc.id in case_sources.get(p.id, ()):        # QualCoder: positions 0-0 = the whole file
                sel = _sub(src, "PlainTextSelection", {"guid": guids("case-link", f"{doc.id}:{p.key}"),
                                                       "name": p.key, "startPosition": 0, "endPosition": 0})
                coding = _sub(sel, "Coding", {"guid": guids("case-coding", f"{doc.id}:{p.key}")})
                _sub(coding, "CodeRef", {"targetGUID": guids("case", p.key)})
        for note in on.get(("document", doc.id), []):
            _sub(src, "NoteRef", {"targetGUID": note})
        participant = store.get_participant(doc.participant_id).key if doc.participant_id else None
        for name, value in (("phase", doc.phase), ("lieu", doc.lieu), ("date", doc.date),
                            ("participant", participant)):
            variables.value(src, name, value)
        for name, value in sorted(doc.attributes.items()):
            if name not in _STANDARD_VARIABLES:
                variables.value(src, name, value)
    var_el = variables.element()
    for el in (var_el, cases_el, sources_el if len(sources_el) else None):
        if el is not None:
            root.append(el)
    if memos:
        notes_el = _sub(root, "Notes")
        for m in memos:
            if m.target_type == "coding" and m.target_id not in exported_ids:
                continue
            note = _sub(notes_el, "Note", {"guid": guids("memo", m.id), "name": _snippet(m.text, 50) or "memo",
                                           "creatingUser": guids("user", m.coder),
                                           "creationDateTime": xml_datetime(m.created_at),
                                           "modifiedDateTime": xml_datetime(m.updated_at)})
            _sub(note, "PlainTextContent", text=m.text)
    sets = set_elements(codebook, guids, PROJECT_NS, "MemberCode", "targetGUID")
    if sets is not None:
        root.append(sets)
    if memo_on.get(("project", None)):
        _sub(root, "Description", text=memos_description(memo_on[("project", None)]))
    for note in on.get(("project", None), []):
        _sub(root, "NoteRef", {"targetGUID": note})
    if progress:
        progress(Progress(len(docs), len(docs), ""))
    ET.indent(root)
    warnings = list(view.warnings)
    if lost_memos:
        warnings.append(tr(f"{lost_memos} mémo(s) sur des codages non exportés ont été laissés de côté.",
                           f"{lost_memos} memo(s) on codings not exported were left out."))
    summary = ExportResult(Path(), len(docs), len(codebook.codes), len(codings), len(memos) - lost_memos,
                           tuple(users), tuple(warnings))
    extra = {SIDECAR: sidecar_bytes(sidecar)} if sidecar else {}
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), {**files, **extra}, summary


def _cases(store, docs, guids: Guids, variables: _Variables) -> ET.Element | None:
    """One case per participant, with attributes and the documents they speak in."""
    participants = store.list_participants()
    if not participants:
        return None
    sources = _case_sources(store, docs)
    el = ET.Element(_N + "Cases")
    for p in participants:
        case = _sub(el, "Case", {"guid": guids("case", p.key), "name": p.key})
        if isinstance(p.attributes.get("memo"), str) and p.attributes["memo"].strip():
            _sub(case, "Description", text=p.attributes["memo"])
        for name, value in sorted(p.attributes.items()):
            if name != "memo":
                variables.value(case, name, value)
        for doc_id in sorted(sources.get(p.id, ())):
            _sub(case, "SourceRef", {"targetGUID": guids("document", doc_id)})
    return el


def _case_sources(store, docs) -> dict[int, set[int]]:
    """Participant id → the documents they speak in."""
    sources: dict[int, set[int]] = {}
    for doc in docs:
        if doc.participant_id is not None:
            sources.setdefault(doc.participant_id, set()).add(doc.id)
    for sp in store.list_speakers():
        if sp.participant_id is not None:
            sources.setdefault(sp.participant_id, set()).add(sp.document_id)
    return sources


def _selections(src: ET.Element, doc, view: TextView, codings, store, on, memo_on, guids: Guids, key_of) -> None:
    """One ``<PlainTextSelection>`` per span and coder (QualCoder takes the coder from the
    selection), and one per segment carrying a memo; memos on codings and segments are
    written in the selection's ``<Description>`` too."""
    text = view.text(doc)
    spans: dict[tuple[int, int, str], list] = {}
    for c in codings:
        spans.setdefault((*view.span(doc, c.start, c.end), c.coder), []).append(c)
    segment_notes: dict[tuple[int, int, str], tuple[list[str], list]] = {}
    if any(t == "segment" for t, _ in on):
        for seg in store.list_segments(doc.id):
            notes = on.get(("segment", seg.id))
            if notes:
                where = (*view.span(doc, seg.start, seg.end), "")
                got = segment_notes.setdefault(where, ([], []))
                got[0].extend(notes)
                got[1].extend(memo_on.get(("segment", seg.id), []))
                spans.setdefault(where, [])
    for (start, end, coder) in sorted(spans):
        group = spans[(start, end, coder)]
        notes, seg_memos = segment_notes.get((start, end, coder), ([], []))
        first = min((c.created_at for c in group), default=min((m.created_at for m in seg_memos),
                                                                default=doc.created_at))
        author = coder or (seg_memos[0].coder if seg_memos else None)
        ident = f"{doc.id}:{start}:{end}" + (f":{coder}" if coder else "")
        sel = _sub(src, "PlainTextSelection", {
            "guid": guids("selection", ident), "name": _snippet(text[start:end]),
            "startPosition": start, "endPosition": end,
            "creatingUser": guids("user", author) if author else None,
            "creationDateTime": xml_datetime(first)})
        described = seg_memos + [m for c in group for m in memo_on.get(("coding", c.id), [])]
        if described:
            _sub(sel, "Description", text=memos_description(described))
        for c in group:
            coding = _sub(sel, "Coding", {"guid": guids("coding", c.id), "creatingUser": guids("user", c.coder),
                                          "creationDateTime": xml_datetime(c.created_at)})
            _sub(coding, "CodeRef", {"targetGUID": guids("code", key_of[c.code_id])})
            for note in on.get(("coding", c.id), []):
                _sub(coding, "NoteRef", {"targetGUID": note})
        for note in notes:
            _sub(sel, "NoteRef", {"targetGUID": note})


def export_qdpx(project, out: str | Path, *, coders: Iterable[str] | None = None, include_pending: bool = False,
                pseudonymise: bool = False, cases_as_codes: bool = False,
                progress: Callable[[Progress], None] | None = None,
                cancel: threading.Event | None = None) -> ExportResult:
    """Write ``out`` (.qdpx). With ``pseudonymise``, texts carry the accepted pseudonyms and
    every position is moved to the pseudonymised text (see :mod:`exporterre_nlp.pseudo.view`).
    With ``cases_as_codes``, each participant is also a code carrying its case's GUID that codes
    the sources they speak in (positions 0-0): how NVivo and QualCoder link cases to sources,
    which they do not read from ``<SourceRef>``; other tools show these as codes."""
    out = check_output(out, force=True)
    qde, files, summary = build_project(project, coders=coders, include_pending=include_pending,
                                        pseudonymise=pseudonymise, cases_as_codes=cases_as_codes,
                                        progress=progress, cancel=cancel)
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("project.qde", ZIP_DATE), qde, zipfile.ZIP_DEFLATED)
        for name, text in files.items():
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return ExportResult(out, summary.documents, summary.codes, summary.codings, summary.memos, summary.coders,
                        summary.warnings)
