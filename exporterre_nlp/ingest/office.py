"""Text of .docx (python-docx) and .odt (odfpy) documents, in reading order.

Both readers return one line per paragraph or heading. Tables give one line per
row: a row shaped like a transcript (``[time] | speaker | words``) becomes
``[time] speaker : words`` so that speaker turns are found; any other row gives
its cells separated by tabs. Deleted tracked changes, comments, footnotes and
text boxes are left out; inserted tracked changes are kept.

Call these only on archives that :func:`safety.check_office_archive` accepted.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

from ..errors import IngestError
from ..i18n import tr
from .speakers import TIMESTAMP, split_label

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TS_CELL = re.compile(rf"[\[(]?({TIMESTAMP})[\])]?")


# --- docx -------------------------------------------------------------------------
def docx_text(data: bytes, path: str) -> str:
    import docx
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception:  # python-docx raises many kinds on a package that is not Word's
        raise _not_a(path, "docx", "un document Word", "a Word document") from None
    return "\n".join(_docx_blocks(body))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _docx_blocks(container) -> Iterator[str]:
    for child in container:
        tag = _local(child.tag)
        if tag == "p":
            yield _docx_paragraph(child)
        elif tag == "tbl":
            for row in child.iter(f"{_W}tr"):
                if _nearest_table(row) is child:
                    yield _row_line([_cell_text(cell) for cell in row if _local(cell.tag) == "tc"])
        elif tag in ("sdt", "sdtContent", "ins", "customXml", "smartTag", "moveTo"):
            yield from _docx_blocks(child)


def _nearest_table(row):
    parent = row.getparent()
    while parent is not None and _local(parent.tag) != "tbl":
        parent = parent.getparent()
    return parent


def _cell_text(cell) -> str:
    return " ".join(line.strip() for line in _docx_blocks(cell) if line.strip())


_DOCX_SKIP = {"del", "moveFrom", "txbxContent", "pPr", "rPr", "instrText", "delText",
              "footnoteReference", "endnoteReference", "commentReference", "fldChar"}


def _docx_paragraph(paragraph) -> str:
    out: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = _local(child.tag)
            if tag in _DOCX_SKIP:
                continue
            if tag == "t":
                out.append(child.text or "")
            elif tag in ("tab", "ptab"):
                out.append("\t")
            elif tag in ("br", "cr"):
                out.append("\n")
            elif tag == "noBreakHyphen":
                out.append("-")
            else:
                walk(child)

    walk(paragraph)
    return "".join(out)


# --- odt ----------------------------------------------------------------------------
def odt_text(data: bytes, path: str) -> str:
    from odf import opendocument
    try:
        document = opendocument.load(io.BytesIO(data))
        body = document.text
    except Exception:  # odfpy raises KeyError, SAX errors, zip errors...
        raise _not_a(path, "odt", "un document texte OpenDocument", "an OpenDocument text") from None
    if not str(document.mimetype).startswith("application/vnd.oasis.opendocument.text"):
        raise _not_a(path, "odt", "un document texte OpenDocument", "an OpenDocument text")
    return "\n".join(_odt_blocks(body))


_ODT_BLOCK_SKIP = {"tracked-changes", "sequence-decls", "variable-decls", "user-field-decls",
                   "table-of-content", "alphabetical-index", "forms", "table-columns",
                   "table-column", "covered-table-cell", "soft-page-break"}
_ODT_INLINE_SKIP = {"note", "annotation", "annotation-end", "frame", "tracked-changes",
                    "change", "change-start", "change-end", "bookmark", "bookmark-start",
                    "bookmark-end", "reference-mark", "reference-mark-start",
                    "reference-mark-end", "soft-page-break"}


def _odt_blocks(container) -> Iterator[str]:
    for child in container.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        name = child.qname[1]
        if name in ("p", "h"):
            yield _odt_inline(child).strip(" ")
        elif name == "table":
            yield from _odt_rows(child)
        elif name not in _ODT_BLOCK_SKIP:
            yield from _odt_blocks(child)     # list, list-item, section...


def _odt_rows(table) -> Iterator[str]:
    for child in table.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        name = child.qname[1]
        if name == "table-row":
            cells = [c for c in child.childNodes
                     if c.nodeType == c.ELEMENT_NODE and c.qname[1] == "table-cell"]
            yield _row_line([" ".join(line.strip() for line in _odt_blocks(cell) if line.strip())
                             for cell in cells])
        elif name in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _odt_rows(child)


def _odt_inline(element) -> str:
    out: list[str] = []

    def walk(node) -> None:
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                out.append(re.sub(r"[ \t\r\n]+", " ", child.data))
                continue
            if child.nodeType != child.ELEMENT_NODE:
                continue
            name = child.qname[1]
            if name == "s":
                count = child.attributes.get((child.qname[0], "c"), "1")
                out.append(" " * (int(count) if str(count).isdigit() else 1))
            elif name == "tab":
                out.append("\t")
            elif name == "line-break":
                out.append("\n")
            elif name not in _ODT_INLINE_SKIP:
                walk(child)

    walk(element)
    return "".join(out)


# --- shared -----------------------------------------------------------------------
def _row_line(cells: list[str]) -> str:
    filled = [c for c in cells if c]
    timestamp = None
    if len(filled) == 3 and (m := _TS_CELL.fullmatch(filled[0])):
        timestamp, filled = m.group(1), filled[1:]
    if len(filled) == 2:
        label = filled[0].rstrip(" :\u00a0")
        found = split_label(f"{label} : x") if label else None
        if found is not None and found[1] == len(label) + 2:
            prefix = f"[{timestamp}] " if timestamp else ""
            return f"{prefix}{label} : {filled[1]}"
    return "\t".join(c for c in cells if c) if timestamp is None else "\t".join([timestamp, *filled])


def _not_a(path: str, fmt: str, what_fr: str, what_en: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier {path} n'est pas {what_fr} lisible, malgré son extension .{fmt}.",
           f"The file {path} is not a readable {what_en}, despite its .{fmt} extension."),
        tr(f"Ouvrez-le dans Word ou LibreOffice et enregistrez-le à nouveau en .{fmt} "
           f"(ou donnez-lui sa vraie extension).",
           f"Open it in Word or LibreOffice and save it again as .{fmt} "
           f"(or give it its real extension)."),
        path=path)
