"""Read a REFI-QDA project (``project.qde`` + sources) into plain records, checking
everything before a new project is created.

Supported: text sources (inline ``PlainTextContent`` or ``internal://`` files in
``Sources/``, any case), PDF sources through their plain-text ``Representation``,
codes (nested, sets as tags), users, text selections and their codings, codings
of a whole source, notes, variables, cases. Not supported (reported as warnings,
never silently): pictures, audio, video, PDF sources without a text
representation, sources kept outside the archive (``absolute://``, ``relative://``),
graphs and links.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..i18n import tr
from ..settings import IngestSettings
from .names import guid_key
from .anchor import Anchored, SourceText, anchor
from .memo_text import split_memos
from .offsets import normalise_with_map
from .qdc import ForeignCodes, read_codes
from .sidecar import read_sidecar
from .safety import SafeArchive, local

_UNSUPPORTED = {"PictureSource": ("image", "picture"), "AudioSource": ("audio", "audio"),
                "VideoSource": ("vidéo", "video"), "PDFSource": ("PDF sans texte", "PDF without text")}


@dataclass
class ForeignCoding:
    guid: str
    start: int
    end: int
    code_guid: str
    coder: str
    notes: list[str] = field(default_factory=list)


@dataclass
class ForeignSelection:
    start: int
    end: int
    codings: list[ForeignCoding]
    notes: list[str]
    description: str
    author: str
    guid: str | None = None


@dataclass
class ForeignSource:
    guid: str
    name: str
    text: str
    variables: dict[str, Any]
    selections: list[ForeignSelection]
    notes: list[str]
    description: str = ""
    owner: str = "importe"


@dataclass
class ForeignNote:
    guid: str
    text: str
    author: str
    span: tuple[int, int] | None = None      # an annotation: the words it is about (QualCoder)


@dataclass
class ForeignProject:
    name: str
    codes: ForeignCodes
    sources: list[ForeignSource]
    notes: dict[str, ForeignNote]
    project_notes: list[str]
    cases: list[tuple[str, dict[str, Any], list[str]]]       # (name, variables, source GUIDs)
    warnings: list[str]
    description: str = ""
    case_memos: dict[str, str] = field(default_factory=dict)   # case name → its Description
    anchoring: dict[str, int] = field(default_factory=dict)
    sidecar: dict[str, Any] = field(default_factory=dict)     # coding GUID → status, origin… (our own files)


def _children(el, name: str) -> list:
    return [c for c in el if local(c.tag) == name]


def _child(el, name: str):
    return next((c for c in el if local(c.tag) == name), None)


def _text_of(el, name: str) -> str:
    child = _child(el, name)
    return (child.text or "") if child is not None else ""


class _Reader:
    def __init__(self, path: Path, settings: IngestSettings):
        self.path = path
        self.archive = SafeArchive(path, settings)
        self.root = self.archive.project_xml()
        if local(self.root.tag) != "Project":
            raise IngestError(
                tr(f"{path} n'est pas un projet REFI-QDA (élément racine « {local(self.root.tag)} »).",
                   f"{path} is not a REFI-QDA project (root element '{local(self.root.tag)}')."),
                tr("Donnez un fichier .qdpx exporté par NVivo, ATLAS.ti, MAXQDA ou QualCoder.",
                   "Give a .qdpx file exported by NVivo, ATLAS.ti, MAXQDA or QualCoder."), path=str(path))
        self.warnings: list[str] = []
        self.anchoring = dict.fromkeys(("checked", "corrected", "searched", "unverified", "lost"), 0)
        self.case_memos: dict[str, str] = {}
        users = _child(self.root, "Users")
        self.users = {guid_key(u.get("guid")): (u.get("name") or u.get("id") or u.get("guid"))
                      for u in (_children(users, "User") if users is not None else [])}
        cases = _child(self.root, "Cases")
        # NVivo's and QualCoder's convention: a code with a case's GUID, coding a source, links them
        self.case_guids = {guid_key(c.get("guid")): (c.get("name") or c.get("guid"))
                           for c in (_children(cases, "Case") if cases is not None else []) if c.get("guid")}
        self.case_links: list[tuple[str, str]] = []         # (source GUID, case name)
        variables = _child(self.root, "Variables")
        self.variables = {guid_key(v.get("guid")): (v.get("name") or "variable")
                          for v in (_children(variables, "Variable") if variables is not None else [])}

    def user(self, guid: str | None, fallback: str = "importe") -> str:
        return self.users.get(guid_key(guid), fallback) if guid else fallback

    def plain_text(self, el, what: str) -> str | None:
        """The text of a TextSource-like element (inline or internal file); None if unreachable."""
        content = _child(el, "PlainTextContent")
        if content is not None:
            return content.text or ""
        ref = el.get("plainTextPath") or ""
        if ref.lower().startswith("internal://"):
            name = ref[len("internal://"):]
            info = self.archive.find(f"Sources/{name}")
            if info is None:
                self.warnings.append(tr(f"{what} : le fichier interne « {name} » manque dans l'archive ; ignoré.",
                                        f"{what}: internal file '{name}' is missing from the archive; skipped."))
                return None
            return self.archive.text(info)
        where = ref or tr("aucun texte", "no text")
        self.warnings.append(tr(f"{what} : texte hors de l'archive ({where}) non pris en charge ; ignoré. "
                                "Exportez le projet avec les sources incluses.",
                                f"{what}: text outside the archive ({where}) is not supported; skipped. "
                                "Export the project with the sources included."))
        return None

    def variable_values(self, el) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for vv in _children(el, "VariableValue"):
            ref = _child(vv, "VariableRef")
            name = self.variables.get(guid_key(ref.get("targetGUID"))) if ref is not None else None
            value = next((c.text for c in vv if local(c.tag) != "VariableRef"), None)
            if name and value not in (None, ""):
                out[name] = value.strip()
        return out

    def codings(self, el, fallback_user: str, start: int, end: int) -> list[ForeignCoding]:
        out = []
        for c in _children(el, "Coding"):
            ref = _child(c, "CodeRef")
            if ref is None or guid_key(ref.get("targetGUID")) in self.case_guids:
                continue
            out.append(ForeignCoding(guid_key(c.get("guid")), start, end, guid_key(ref.get("targetGUID")),
                                     self.user(c.get("creatingUser"), fallback_user),
                                     [guid_key(n.get("targetGUID")) for n in _children(c, "NoteRef")]))
        return out

    def source(self, el, name: str) -> ForeignSource | None:
        raw = self.plain_text(el, tr(f"Source « {name} »", f"Source '{name}'"))
        if raw is None:
            return None
        found = SourceText(raw)
        text = found.text
        owner = self.user(el.get("creatingUser"))
        elements, wanted = [], []
        for sel in _children(el, "PlainTextSelection"):
            refs = [guid_key(r.get("targetGUID")) for c in _children(sel, "Coding") for r in _children(c, "CodeRef")]
            linked = [self.case_guids[r] for r in refs if r in self.case_guids]
            self.case_links += [(guid_key(el.get("guid")), case) for case in linked]
            if linked and len(linked) == len(refs) and not _text_of(sel, "Description").strip():
                continue                                    # only a case ↔ source link
            try:
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                s = e = -1
            elements.append(sel)
            wanted.append((s, e, sel.get("name") or ""))
        placed = anchor(found, wanted)
        self._report(name, placed)
        selections = []
        for sel, span in zip(elements, placed.spans):
            if span is None:
                continue
            s, e = span
            author = self.user(sel.get("creatingUser"), owner)
            selections.append(ForeignSelection(s, e, self.codings(sel, author, s, e),
                                               [guid_key(n.get("targetGUID")) for n in _children(sel, "NoteRef")],
                                               _text_of(sel, "Description").strip(), author,
                                               guid_key(sel.get("guid"))))
        whole = self.codings(el, owner, 0, len(text))
        if whole and text:
            selections.append(ForeignSelection(0, len(text), whole, [], "", owner))
        for kind in ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection"):
            if _children(el, kind):
                self.warnings.append(tr(f"Source « {name} » : sélections de type {kind} non prises en charge.",
                                        f"Source '{name}': {kind} selections are not supported."))
        notes = [guid_key(n.get("targetGUID")) for n in _children(el, "NoteRef")]
        return ForeignSource(guid_key(el.get("guid")), name, text, self.variable_values(el), selections, notes,
                             _text_of(el, "Description").strip(), owner)

    def _report(self, name: str, placed: Anchored) -> None:
        """Warnings for one source's selections that were moved, searched, unchecked or lost."""
        self.anchoring["checked"] += len(placed.spans)
        for conv, n in placed.corrected.items():
            fr, en = conv.describe()
            self.anchoring["corrected"] += n
            self.warnings.append(tr(f"Source « {name} » : {n} passage(s) comptés autrement que la norme ({fr}) ; "
                                    "positions corrigées, mots vérifiés.",
                                    f"Source '{name}': {n} span(s) counted otherwise than the standard ({en}); "
                                    "positions corrected, words checked."))
        if placed.searched:
            self.anchoring["searched"] += placed.searched
            self.warnings.append(tr(f"Source « {name} » : {placed.searched} passage(s) retrouvés par leurs mots, "
                                    "au plus près de leur position d'origine.",
                                    f"Source '{name}': {placed.searched} span(s) found again by their words, "
                                    "nearest to their original position."))
        if placed.unverified:
            self.anchoring["unverified"] += placed.unverified
            self.warnings.append(tr(f"Source « {name} » : les noms des passages ne sont pas leurs mots ; "
                                    f"{placed.unverified} position(s) prises telles quelles (non vérifiées).",
                                    f"Source '{name}': the spans' names are not their words; "
                                    f"{placed.unverified} position(s) taken as they are (not checked)."))
        if placed.lost:
            self.anchoring["lost"] += len(placed.lost)
            shown = ", ".join(placed.lost[:5]) + (" …" if len(placed.lost) > 5 else "")
            self.warnings.append(tr(f"Source « {name} » : {len(placed.lost)} passage(s) introuvables dans le texte, "
                                    f"non importés : {shown}.",
                                    f"Source '{name}': {len(placed.lost)} span(s) not found in the text, "
                                    f"not imported: {shown}."))

    def sources(self) -> list[ForeignSource]:
        out = []
        container = _child(self.root, "Sources")
        for el in (list(container) if container is not None else []):
            kind = local(el.tag)
            name = el.get("name") or el.get("guid") or "source"
            if kind == "TextSource":
                found = self.source(el, name)
            elif kind == "PDFSource" and _child(el, "Representation") is not None:
                rep = _child(el, "Representation")
                found = self.source(rep, name)
                if found is not None:
                    found.guid = guid_key(el.get("guid"))
                    found.variables = {**self.variable_values(el), **found.variables}
                    found.notes += [guid_key(n.get("targetGUID")) for n in _children(el, "NoteRef")]
                    if _children(el, "PDFSelection"):
                        self.warnings.append(tr(f"Source « {name} » : zones de page PDF non prises en charge "
                                                "(seul le texte l'est).",
                                                f"Source '{name}': PDF page areas are not supported "
                                                "(only its text is)."))
            else:
                what_fr, what_en = _UNSUPPORTED.get(kind, (kind, kind))
                self.warnings.append(tr(f"Source « {name} » ({what_fr}) non prise en charge : Exporterre "
                                        "n'importe que des textes ; ignorée.",
                                        f"Source '{name}' ({what_en}) is not supported: Exporterre imports "
                                        "texts only; skipped."))
                found = None
            if found is not None:
                out.append(found)
        return out

    def notes(self) -> dict[str, ForeignNote]:
        out = {}
        container = _child(self.root, "Notes")
        for el in (_children(container, "Note") if container is not None else []):
            name = el.get("name") or "note"
            text = self.plain_text(el, tr(f"Note « {name} »", f"Note '{name}'"))
            if text is not None and text.strip():
                guid = guid_key(el.get("guid"))
                author = self.user(el.get("creatingUser"))
                text = normalise_with_map(text)[0]
                before, memos = split_memos(text)
                if len(memos) == 1 and not before.strip():      # a memo we wrote, back through another tool
                    author, text = memos[0][0] or author, memos[0][1]
                sel = _child(el, "PlainTextSelection")
                span = None
                if sel is not None:
                    try:
                        span = (int(sel.get("startPosition")), int(sel.get("endPosition")))
                    except (TypeError, ValueError):
                        span = None
                out[guid] = ForeignNote(guid, text, author, span)
        return out

    def cases(self) -> list[tuple[str, dict[str, Any], list[str]]]:
        container = _child(self.root, "Cases")
        out = []
        for el in (_children(container, "Case") if container is not None else []):
            name = el.get("name") or el.get("guid")
            refs = [guid_key(r.get("targetGUID")) for r in _children(el, "SourceRef")]
            refs += [src for src, case in self.case_links if case == name and src not in refs]
            out.append((name, self.variable_values(el), refs))
            memo = _text_of(el, "Description").strip()
            if memo:
                self.case_memos[name] = memo
        return out


def read_qdpx(path: str | Path, settings: IngestSettings | None = None) -> ForeignProject:
    """Everything Exporterre can take from a ``.qdpx``, with warnings for the rest."""
    reader = _Reader(Path(path), settings or IngestSettings())
    root = reader.root
    check_unique_guids(root, Path(path))
    codebook = _child(root, "CodeBook")
    codes_el = _child(codebook, "Codes") if codebook is not None else None
    codes = read_codes(codes_el if codes_el is not None else [], _child(root, "Sets"))
    for kind in ("Graphs", "Links"):
        if _child(root, kind) is not None:
            reader.warnings.append(tr(f"Les éléments « {kind} » (graphes, liens) ne sont pas importés.",
                                      f"'{kind}' elements (graphs, links) are not imported."))
    sources = reader.sources()
    cases = reader.cases()
    case_codes = {codes.by_guid.pop(g) for g in reader.case_guids if g in codes.by_guid}
    codes.codes = [c for c in codes.codes if c.key not in case_codes]     # cases, not codes
    return ForeignProject(root.get("name") or Path(path).stem, codes, sources, reader.notes(),
                          [guid_key(n.get("targetGUID")) for n in _children(root, "NoteRef")], cases,
                          reader.warnings, _text_of(root, "Description").strip(), reader.case_memos,
                          reader.anchoring, read_sidecar(reader.archive))


_UNIQUE = {"sources": ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource"),
           "codes": ("Code",), "selections": ("PlainTextSelection", "PDFSelection", "PictureSelection",
                                              "AudioSelection", "VideoSelection"), "codings": ("Coding",)}
_KIND_FR = {"sources": "sources", "codes": "codes", "selections": "passages", "codings": "codages"}


def check_unique_guids(root, path: Path) -> None:
    """Two sources, codes, selections or codings sharing a GUID make every reference to it
    ambiguous (codings would land on the wrong document, code or words): refused."""
    codebook = _child(root, "CodeBook")
    for kind, tags in _UNIQUE.items():
        seen: dict[str, str] = {}
        scope = codebook if kind == "codes" else _child(root, "Sources")
        if scope is None:
            continue
        for el in scope.iter():
            if local(el.tag) not in tags or el.get("guid") is None:
                continue
            key = guid_key(el.get("guid"))
            name = el.get("name") or ""
            if key in seen:
                raise IngestError(
                    tr(f"{path.name} est incohérent : deux {_KIND_FR[kind]} portent le même identifiant {key} "
                       f"(« {seen[key]} » et « {name} ») ; rien n'a été importé.",
                       f"{path.name} is inconsistent: two {kind} share the identifier {key} "
                       f"('{seen[key]}' and '{name}'); nothing was imported."),
                    tr("Les références à cet identifiant seraient ambiguës. Exportez le projet à nouveau depuis "
                       "le logiciel d'origine, ou signalez le problème à son éditeur.",
                       "References to this identifier would be ambiguous. Export the project again from the "
                       "original program, or report the problem to its maker."), path=str(path))
            seen[key] = name
