"""Render the report's sections as one self-contained HTML file (rapport.html).

No external resource: the style is inline and the charts are embedded as
``data:`` PNG images, so the file can be mailed or opened offline. Every text
(participant words above all) goes through :func:`html.escape`; nothing from
the corpus is ever written as markup.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from ..i18n import get_language, tr
from .model import Bullets, Heading, Image, Note, Paragraph, QuoteBlock, Section, TableBlock

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:0 auto;
padding:0 1.2rem 3rem;line-height:1.5;color:#222}
h1{border-bottom:3px solid #1b9e77;padding-bottom:.3rem}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
blockquote{margin:.8rem 0;padding:.4rem .9rem;border-left:4px solid #1b9e77;background:#f7faf9}
blockquote .ref{display:block;color:#555;font-size:.85rem;margin-top:.3rem}
.note{padding:.5rem .8rem;border-radius:4px;background:#eef4ff;margin:.6rem 0}
.warning{background:#fff3cd;border:1px solid #e0b000;font-weight:600}
.banner{position:sticky;top:0;z-index:2}
.scroll{overflow-x:auto}img{max-width:100%;height:auto;display:block;margin:1rem 0}nav ol{columns:2}
"""


def e(value: Any) -> str:
    return escape(str(value), quote=True)


def _cell(value: Any, header: bool = False) -> str:
    tag = "th" if header else "td"
    numeric = not header and isinstance(value, (int, float)) and not isinstance(value, bool)
    attr = ' class="num"' if numeric else ""
    return f"<{tag}{attr}>{e(value)}</{tag}>"


def _table(block: TableBlock) -> str:
    t = block.table
    rows = t.rows if block.limit is None else t.rows[:block.limit]
    head = "".join(_cell(c, True) for c in t.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    more = ""
    if block.limit is not None and len(t.rows) > block.limit:
        extra = len(t.rows) - block.limit
        text = tr(f"… {extra} lignes de plus dans les tableaux", f"… {extra} more rows in the tables")
        more = f'<p class="note">{e(text)}</p>'
    caption = f"<caption>{e(t.title)}</caption>" if t.title else ""
    return (f'<div class="scroll"><table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
            f"{more}")


def render_block(block, images: dict[str, Path]) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{e(block.text)}</p>"
    if isinstance(block, Note):
        return f'<p class="note {e(block.kind)}">{e(block.text)}</p>'
    if isinstance(block, Heading):
        level = max(3, min(block.level, 6))
        return f"<h{level}>{e(block.text)}</h{level}>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, TableBlock):
        return _table(block)
    if isinstance(block, QuoteBlock):
        return (f"<blockquote><span>« {e(block.quote.display)} »</span>"
                f'<span class="ref">— {e(block.reference)}</span></blockquote>')
    if isinstance(block, Image):
        path = images.get(block.name)
        if path is None:
            return ""
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" alt="{e(block.alt)}">'
    raise TypeError(f"unknown block {block!r}")


def render_html(title: str, sections: list[Section], *, images: dict[str, Path] | None = None,
                banner: str | None = None) -> str:
    images = images or {}
    parts = ["<!DOCTYPE html>", f'<html lang="{e(get_language())}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
             "style-src 'unsafe-inline'\">",
             f"<title>{e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    if banner:
        parts.append(f'<p class="note warning banner">⚠ {e(banner)}</p>')
    parts.append(f"<h1>{e(title)}</h1>")
    parts.append(f"<nav><strong>{e(tr('Sommaire', 'Contents'))}</strong><ol>"
                 + "".join(f'<li><a href="#{e(s.anchor)}">{e(s.title)}</a></li>' for s in sections) + "</ol></nav>")
    for s in sections:
        parts.append(f'<section id="{e(s.anchor)}"><h2>{e(s.title)}</h2>')
        parts += [render_block(b, images) for b in s.blocks]
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(p for p in parts if p) + "\n"
