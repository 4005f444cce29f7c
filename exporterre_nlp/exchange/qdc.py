"""REFI-QDA codebooks (``.qdc``) and the ``<CodeBook>`` part of projects.

Our codes carry a key (``besoins.logement``) that other tools have no field for.
A code's REFI ``name`` is its label; its ``Description`` holds the definition,
the "use when / not when" guidance, and a last line ``[exporterre key=…]`` so
that a file coming back gives back the same keys. Codes from other tools get a
key made from their name (``Accès aux soins`` under ``besoins`` →
``besoins.acces_aux_soins``). Tags travel as REFI code sets.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..codebook import CodeDef, Codebook, save_codebook
from ..errors import IngestError
from ..i18n import tr
from ..outputs import atomic_write, check_output
from ..settings import IngestSettings
from .memo_text import memos_description, split_memos
from .names import Guids, ascii_slug, guid_key, unique
from .safety import local, read_xml_file

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ORIGIN = "Exporterre NLP"
_JSON_STR = r'"(?:[^"\\]|\\.)*"'
_FIELD = re.compile(rf' (label|color|tags)=({_JSON_STR}|#[0-9A-Fa-f]{{6}}|\[(?:[^\]"]|{_JSON_STR})*\])')
_MARKER = re.compile(rf'\n*\[exporterre key=([a-z0-9_.-]+)((?:{_FIELD.pattern})*)\]\s*$')
NEAR_COLOUR = 100      # a client that snaps colours to its palette (QualCoder) moves them by up to ~92
_USE = ("Utiliser quand : ", "Use when: ")
_NOT = ("Ne pas utiliser quand : ", "Do not use when: ")
_HEX3 = re.compile(r"^#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])$")
_HEX6 = re.compile(r"^#[0-9a-fA-F]{6}$")


def codebook_from_store(store, name: str) -> Codebook:
    """The project's codes as they are now (the TUI may have renamed, moved, merged codes)."""
    codes = store.list_codes()
    keys = {c.id: c.key for c in codes}
    defs = []
    for c in codes:
        a = c.attributes or {}
        defs.append(CodeDef(key=c.key, label=c.label, parent=keys.get(c.parent_id), definition=c.definition or "",
                            use_when=a.get("use_when") or "", not_when=a.get("not_when") or "",
                            examples=list(a.get("examples") or []), color=c.color, tags=list(a.get("tags") or []),
                            keywords=list(a.get("keywords") or [])))
    return Codebook(name=name, codes=_parents_first(defs))


def _parents_first(defs: list[CodeDef]) -> list[CodeDef]:
    by_parent: dict[str | None, list[CodeDef]] = {}
    for d in defs:
        by_parent.setdefault(d.parent, []).append(d)
    out: list[CodeDef] = []

    def walk(parent):
        for d in by_parent.get(parent, []):
            out.append(d)
            walk(d.key)
    walk(None)
    return out


# ----------------------------------------------------------------- writing
def description(code: CodeDef, memos=(), label_changed: bool = False, colour: str | None = None) -> str:
    """A code's ``<Description>``: definition, guidance, memos (see :mod:`.memo_text`), and the
    ``[exporterre key=…]`` line, with the original label when the exported name differs, the colour
    written (clients snap colours to a palette) and the tags (clients may drop ``<Sets>``)."""
    parts = [code.definition.strip()] if code.definition.strip() else []
    guidance = []
    if code.use_when.strip():
        guidance.append(tr(*_USE) + code.use_when.strip())
    if code.not_when.strip():
        guidance.append(tr(*_NOT) + code.not_when.strip())
    if guidance:
        parts.append("\n".join(guidance))
    if memos:
        parts.append(memos_description(memos))
    extra = f" label={json.dumps(code.label, ensure_ascii=False)}" if label_changed else ""
    if colour and _HEX6.match(colour):
        extra += f" color={colour}"
    if code.tags:
        extra += f" tags={json.dumps(sorted(code.tags), ensure_ascii=False)}"
    parts.append(f"[exporterre key={code.key}{extra}]")
    return "\n\n".join(parts)


def export_names(codebook: Codebook) -> dict[str, str]:
    """Code key → the name written: the label, qualified by the parent's label when another code
    has the same label (QualCoder allows a code name once and drops the others), e.g.
    ``Numérique (Besoins)`` and ``Numérique (Compétences)``; still equal names get `` (2)``…"""
    labels = {c.key: c.label or c.key for c in codebook.codes}
    counts: dict[str, int] = {}
    for name in labels.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    out, taken = {}, set()
    for c in codebook.codes:
        name = labels[c.key]
        if counts[name.casefold()] > 1:
            name = f"{name} ({labels[c.parent]})" if c.parent in labels else name
        base, n = name, 2
        while name.casefold() in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name.casefold())
        out[c.key] = name
    return out


def code_elements(parent: ET.Element, codebook: Codebook, guids: Guids, ns: str,
                  notes: dict[str, list[str]] | None = None, memos: dict[str, list] | None = None) -> ET.Element:
    """Append ``<Codes>`` (nested ``<Code>``) to ``parent``; ``notes``: code key → note GUIDs;
    ``memos``: code key → memos written in the description too."""
    codes_el = ET.SubElement(parent, f"{{{ns}}}Codes")
    names = export_names(codebook)

    def add(container: ET.Element, code: CodeDef) -> None:
        name = names[code.key]
        attrs = {"guid": guids("code", code.key), "name": name, "isCodable": "true"}
        colour = codebook.color(code.key)
        if colour and _HEX6.match(colour):
            attrs["color"] = colour
        el = ET.SubElement(container, f"{{{ns}}}Code", attrs)
        ET.SubElement(el, f"{{{ns}}}Description").text = description(
            code, (memos or {}).get(code.key, ()), label_changed=name != (code.label or code.key),
            colour=attrs.get("color"))
        for note in (notes or {}).get(code.key, []):
            ET.SubElement(el, f"{{{ns}}}NoteRef", {"targetGUID": note})
        for child in codebook.children(code.key):
            add(el, child)

    for root in codebook.roots():
        add(codes_el, root)
    return codes_el


def set_elements(codebook: Codebook, guids: Guids, ns: str, member: str, member_attr: str) -> ET.Element | None:
    """``<Sets>``: one set per tag, its member codes."""
    tags = codebook.tags()
    if not tags:
        return None
    sets = ET.Element(f"{{{ns}}}Sets")
    for tag, keys in sorted(tags.items()):
        s = ET.SubElement(sets, f"{{{ns}}}Set", {"guid": guids("set", tag), "name": tag})
        for key in keys:
            ET.SubElement(s, f"{{{ns}}}{member}", {member_attr: guids("code", key)})
    return sets


def codebook_xml(codebook: Codebook, guids: Guids) -> bytes:
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    if not codebook.codes:
        raise IngestError(tr("Le livre de codes est vide : REFI-QDA exige au moins un code.",
                             "The codebook is empty: REFI-QDA requires at least one code."),
                          tr("Ajoutez des codes au projet, puis exportez à nouveau.",
                             "Add codes to the project, then export again."))
    code_elements(root, codebook, guids, CODEBOOK_NS)
    sets = set_elements(codebook, guids, CODEBOOK_NS, "MemberCode", "guid")
    if sets is not None:
        root.append(sets)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_qdc(store, out: str | Path, *, name: str = "codebook") -> Path:
    """Write the project's codebook as a REFI-QDA ``.qdc`` file."""
    out = check_output(out, force=True)
    return atomic_write(out, codebook_xml(codebook_from_store(store, name), Guids.for_store(store)))


# ----------------------------------------------------------------- reading
@dataclass
class ForeignCodes:
    """Codes read from REFI XML: our CodeDefs and the GUID → key map."""
    codes: list[CodeDef] = field(default_factory=list)
    by_guid: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)      # key → note GUIDs
    memos: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)   # key → memos in its description


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    m = _HEX3.match(value)
    if m:
        value = "#" + "".join(ch * 2 for ch in m.groups())
    return value if _HEX6.match(value) else None


def _split_description(text: str) -> tuple[str | None, str, str, str, dict, list]:
    """(key from the marker, definition, use_when, not_when, marker fields, memos)."""
    text = (text or "").replace("\r\n", "\n").strip()
    m = _MARKER.search(text)
    key = m.group(1) if m else None
    fields: dict = {}
    if m:
        for name, value in _FIELD.findall(m.group(2) or ""):
            try:
                fields[name] = value if value.startswith("#") else json.loads(value)
            except ValueError:
                continue
        text = text[:m.start()].rstrip()
    text, memos = split_memos(text)
    if not m:
        return None, text.strip(), "", "", fields, memos     # a foreign description: all of it is the definition
    use = not_ = ""
    kept = []
    for line in text.split("\n"):
        if line.startswith(_USE):
            use = line.split(":", 1)[1].strip()
        elif line.startswith(_NOT):
            not_ = line.split(":", 1)[1].strip()
        else:
            kept.append(line)
    return key, "\n".join(kept).strip(), use, not_, fields, memos


def _near(a: str, b: str) -> bool:
    ra, rb = ([int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in (a, b))
    return sum((x - y) ** 2 for x, y in zip(ra, rb)) ** 0.5 <= NEAR_COLOUR


def read_codes(codes_el, sets_el=None, set_member: str = "MemberCode") -> ForeignCodes:
    out = ForeignCodes()
    taken: set[str] = set()

    def walk(el, parent: CodeDef | None) -> None:
        for code_el in (c for c in el if local(c.tag) == "Code"):
            desc = next((d.text or "" for d in code_el if local(d.tag) == "Description"), "")
            key, definition, use, not_, fields, memos = _split_description(desc)
            name = (code_el.get("name") or "").strip()
            label = fields.get("label") if isinstance(fields.get("label"), str) else None
            if label and (name == label or name.startswith(label + " (")):
                name = label                     # the name was qualified on export: the label comes back
            if key is None or key in taken:
                base = ascii_slug(name, empty="code")
                key = f"{parent.key}.{base}" if parent else base
            key = unique(key, taken)
            colour = _colour(code_el.get("color"))
            written = _colour(fields.get("color")) if isinstance(fields.get("color"), str) else None
            if written and (colour is None or _near(colour, written)):
                colour = written                 # snapped to a client's palette (QualCoder): ours comes back
            if parent is not None and colour and _inherited(out, parent, colour):
                colour = None                    # shown by the parent already: inherit it
            code = CodeDef(key=key, label=name or key, parent=parent.key if parent else None,
                           definition=definition, use_when=use, not_when=not_, color=colour)
            tags = fields.get("tags")
            if sets_el is None and isinstance(tags, list):      # a client dropped the sets: tags from the marker
                code.tags = [str(t) for t in tags]
            out.codes.append(code)
            out.by_guid[guid_key(code_el.get("guid"))] = key
            out.notes[key] = [guid_key(n.get("targetGUID")) for n in code_el if local(n.tag) == "NoteRef"]
            if memos:
                out.memos[key] = memos
            walk(code_el, code)

    walk(codes_el, None)
    if sets_el is not None:
        by_key = {c.key: c for c in out.codes}
        for set_el in (s for s in sets_el if local(s.tag) == "Set"):
            tag = ascii_slug(set_el.get("name") or "", empty="ensemble")
            for member in (m for m in set_el if local(m.tag) == set_member):
                key = out.by_guid.get(guid_key(member.get("guid") or member.get("targetGUID")))
                if key and tag not in by_key[key].tags:
                    by_key[key].tags.append(tag)
    return out


def _inherited(out: ForeignCodes, parent: CodeDef, colour: str | None) -> bool:
    """True when ``colour`` is what the parent shows (its own or inherited)."""
    by_key = {c.key: c for c in out.codes}
    node = parent
    while node is not None:
        if node.color:
            return node.color == colour
        node = by_key.get(node.parent) if node.parent else None
    return False


def import_qdc(path: str | Path, out: str | Path, *, settings: IngestSettings | None = None,
               name: str | None = None) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook and save it as an Exporterre YAML codebook."""
    path = Path(path)
    root = read_xml_file(path, settings or IngestSettings())
    if local(root.tag) != "CodeBook":
        raise IngestError(
            tr(f"{path} n'est pas un livre de codes REFI-QDA (élément racine « {local(root.tag)} »).",
               f"{path} is not a REFI-QDA codebook (root element '{local(root.tag)}')."),
            tr("Donnez un fichier .qdc ; pour un projet complet (.qdpx), utilisez « exporterre import qdpx ».",
               "Give a .qdc file; for a whole project (.qdpx), use 'exporterre import qdpx'."), path=str(path))
    codes_el = next((c for c in root if local(c.tag) == "Codes"), None)
    sets_el = next((c for c in root if local(c.tag) == "Sets"), None)
    found = read_codes(codes_el if codes_el is not None else [], sets_el)
    if not found.codes:
        raise IngestError(tr(f"Le livre de codes {path} ne contient aucun code.",
                             f"The codebook {path} holds no code."),
                          tr("Vérifiez le fichier exporté.", "Check the exported file."), path=str(path))
    book = Codebook(name=name or path.stem, codes=found.codes,
                    description=tr(f"Importé de {path.name} (REFI-QDA).", f"Imported from {path.name} (REFI-QDA)."))
    save_codebook(book, check_output(out, force=True))
    return book
