"""Wrapping a transcript into screen lines, without building a widget per turn.

A :class:`TranscriptLayout` maps every screen line to ``(segment index, start,
end)`` offsets in the document text. It is computed once per width (about
50 ms for 300,000 characters) and lets the transcript view render only the
lines on screen.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Line:
    segment: int          # index in the segment list
    start: int            # absolute offsets of the words shown on this line
    end: int
    first: bool           # the first line of its segment (carries the speaker label)


def wrap_span(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` into lines of at most ``width`` characters.

    Newlines inside the span start a new line; a word longer than a line is cut.
    Returns absolute ``(start, end)`` per line, trailing blanks excluded.
    """
    width = max(width, 4)
    lines: list[tuple[int, int]] = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        line_start = line_end = -1
        for m in _WORD.finditer(text, pos, stop):
            a, b = m.start(), m.end()
            if line_start < 0:
                line_start = a
            elif b - line_start > width:
                lines.append((line_start, line_end))
                line_start = a
            while b - line_start > width:          # a word longer than the line
                lines.append((line_start, line_start + width))
                line_start += width
            line_end = b
        if line_start >= 0:
            lines.append((line_start, line_end))
        if nl < 0:
            break
        pos = nl + 1
    if not lines:
        lines.append((start, start))
    return lines


class TranscriptLayout:
    """Screen lines of the segments ``[(start, end), ...]`` of ``text`` at a given width."""

    def __init__(self, text: str, spans: list[tuple[int, int]], width: int) -> None:
        self.width = width
        self.lines: list[Line] = []
        self.first_line: list[int] = []
        for index, (start, end) in enumerate(spans):
            self.first_line.append(len(self.lines))
            for n, (a, b) in enumerate(wrap_span(text, start, end, width)):
                self.lines.append(Line(index, a, b, n == 0))
        self.first_line.append(len(self.lines))      # sentinel: end of the last segment

    def __len__(self) -> int:
        return len(self.lines)

    def segment_lines(self, index: int) -> range:
        return range(self.first_line[index], self.first_line[index + 1])

    def segment_at_line(self, y: int) -> int:
        return self.lines[min(max(y, 0), len(self.lines) - 1)].segment if self.lines else 0


def segment_of_offset(starts: list[int], ends: list[int], offset: int) -> int | None:
    """Index of the segment containing ``offset`` (``starts`` sorted), or None."""
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < ends[i]:
        return i
    return None
