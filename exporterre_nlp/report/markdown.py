"""Render the report's sections as Markdown (rapport.md).

Participant words can contain anything, including HTML (``<script>``) or
Markdown syntax. Every piece of text is escaped: ``& < >`` become entities
(so a Markdown viewer that allows raw HTML shows them as text) and Markdown
punctuation is backslash-escaped.
"""
from __future__ import annotations

import re
from typing import Any

from ..i18n import tr
from .model import Bullets, Heading, Image, Note, Paragraph, QuoteBlock, Section, TableBlock

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md(text: Any) -> str:
    """Escape a text for Markdown (inline, one line)."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


def _table(block: TableBlock) -> list[str]:
    t = block.table
    rows = t.rows if block.limit is None else t.rows[:block.limit]
    lines = ["| " + " | ".join(md(c) for c in t.columns) + " |",
             "|" + "|".join(" --- " for _ in t.columns) + "|"]
    lines += ["| " + " | ".join(md(v) for v in row) + " |" for row in rows]
    if block.limit is not None and len(t.rows) > block.limit:
        lines.append("")
        lines.append(md(tr(f"(… {len(t.rows) - block.limit} lignes de plus dans les tableaux)",
                           f"(… {len(t.rows) - block.limit} more rows in the tables)")))
    return lines


def render_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [md(block.text)]
    if isinstance(block, Note):
        mark = "⚠ " if block.kind == "warning" else ""
        return [f"> **{mark}{md(block.text)}**"]
    if isinstance(block, Heading):
        return ["#" * block.level + " " + md(block.text)]
    if isinstance(block, Bullets):
        return [f"- {md(item)}" for item in block.items]
    if isinstance(block, TableBlock):
        return _table(block)
    if isinstance(block, QuoteBlock):
        return [f"> « {md(block.quote.display)} »", ">", f"> — *{md(block.reference)}*"]
    if isinstance(block, Image):
        return [f"![{md(block.alt)}](graphiques/{block.name})"]
    raise TypeError(f"unknown block {block!r}")


def render_markdown(title: str, sections: list[Section], *, banner: str | None = None) -> str:
    lines = [f"# {md(title)}", ""]
    if banner:
        lines += [f"> **⚠ {md(banner)}**", ""]
    lines.append(f"**{md(tr('Sommaire', 'Contents'))}**")
    lines.append("")
    lines += [f"{i}. [{md(s.title)}](#{s.anchor})" for i, s in enumerate(sections, 1)]
    lines.append("")
    for s in sections:
        lines += [f'<a id="{s.anchor}"></a>', "", f"## {md(s.title)}", ""]
        for block in s.blocks:
            lines += render_block(block)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
