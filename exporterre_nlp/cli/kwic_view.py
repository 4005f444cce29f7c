"""How ``exporterre kwic`` lays out its lines to the terminal's width.

The keyword is what a reader looks for: it stays whole and in one column, bold;
the contexts on its left and right get what is left of the width (cut at their
outer ends, marked « … »); the reference (document:offset speaker) goes at the
end of the line when there is room for 30 characters of context a side, on a dim
line of its own above otherwise. Never wider than ``width``, so nothing wraps.
"""
from __future__ import annotations

from rich.text import Text

MIN_CONTEXT = 30                # context a side under which the reference takes its own line


def reference(line) -> str:
    return f"{line.document}:{line.start}" + (f" {line.speaker}" if line.speaker else "")


def _cut_left(text: str, n: int) -> str:
    if n <= 0:
        return ""
    return text if len(text) <= n else "…" + text[len(text) - n + 1:]


def _cut_right(text: str, n: int) -> str:
    if n <= 0:
        return ""
    return text if len(text) <= n else text[:n - 1] + "…"


def kwic_rows(lines, width: int) -> list[Text]:
    """The concordance as rows of at most ``width`` characters, the keyword in one column."""
    if not lines:
        return []
    match = max(len(x.match) for x in lines)
    refs = max(len(reference(x)) for x in lines)
    inline = (width - match - refs - 4) // 2 >= MIN_CONTEXT
    side = max((width - match - (refs + 2 if inline else 0) - 2) // 2, 0)
    rows = []
    for x in lines:
        if not inline:
            rows.append(Text(_cut_right(reference(x), width), style="dim"))
        row = Text(_cut_left(x.left, side).rjust(side) + " ")
        row.append(x.match[:max(width - side - 1, 1)], style="bold")
        row.append(" " * (match - len(x.match)) + " " + _cut_right(x.right, side))
        if inline:
            row.append(" " * (width - len(row) - refs) + reference(x).rjust(refs)[:refs], style="dim")
        rows.append(row)
    return rows
