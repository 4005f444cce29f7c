"""The transcript reader: one line-rendered widget, however long the document.

Only the lines on screen are rendered (Textual's line API): a 300,000-character
transcript with 5,000 turns is one widget and a list of line offsets
(:class:`~exporterre_tui.widgets.layout.TranscriptLayout`), not 5,000 widgets.

Each screen line shows a gutter (cursor bar, speaker label on the first line of
a turn, ✎ when the turn has memos) and the words, styled by:
the coder's own codings (background in the code's colour; nested codings draw
over the longer ones), the other coder's codings (underlined, in the code's
colour), the selection being coded (reversed), search hits (yellow) and the
coding picked with Tab (bold, underlined). Interviewer turns are dimmed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from exporterre_nlp.coding_tools import readable_on
from exporterre_nlp.records import Segment
from exporterre_nlp.store.views import CodingMark

from .layout import TranscriptLayout

GUTTER = 15          # "▌" + 12-character speaker label + memo mark + blank


@dataclass
class TranscriptData:
    """What the reader shows; set once per document, marks replaced after each write."""
    text: str
    segments: list[Segment]
    mine: dict[int, list[CodingMark]] = field(default_factory=dict)      # segment index → marks
    others: dict[int, list[CodingMark]] = field(default_factory=dict)
    memos: set[int] = field(default_factory=set)                         # segment ids with memos


def marks_by_segment(marks: list[CodingMark], starts: list[int], ends: list[int]) -> dict[int, list[CodingMark]]:
    """Group marks by the segments they overlap (a mark may span several turns)."""
    from bisect import bisect_left, bisect_right
    out: dict[int, list[CodingMark]] = {}
    for m in marks:
        first = max(bisect_right(starts, m.start) - 1, 0)
        last = bisect_left(starts, m.end)
        for i in range(first, min(last, len(starts))):
            if starts[i] < m.end and m.start < ends[i]:
                out.setdefault(i, []).append(m)
    for items in out.values():
        items.sort(key=lambda m: (m.start, -m.end, m.id))
    return out


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """Renders a transcript; the reader screen owns the cursor and the keys."""

    COMPONENT_CLASSES = {
        "transcript--label", "transcript--interviewer", "transcript--interviewer-label",
        "transcript--cursor", "transcript--cursor-bar", "transcript--hit", "transcript--memo",
        "transcript--empty",
    }

    DEFAULT_CSS = """
    TranscriptView { background: $surface; overflow-x: hidden; }
    TranscriptView > .transcript--label { color: $accent; text-style: bold; }
    TranscriptView > .transcript--interviewer { color: $text-muted; text-style: italic; }
    TranscriptView > .transcript--interviewer-label { color: $text-muted; }
    TranscriptView > .transcript--cursor { background: $boost; }
    TranscriptView > .transcript--cursor-bar { color: $accent; }
    TranscriptView > .transcript--hit { background: #ffd866; color: #000000; }
    TranscriptView > .transcript--memo { color: $warning; }
    TranscriptView > .transcript--empty { color: $text-muted; }
    """

    class Clicked(Message):
        """A turn was clicked (segment index)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: TranscriptData | None = None
        self.lines_layout: TranscriptLayout | None = None
        self.cursor = 0
        self.selection: tuple[int, int] | None = None     # shown when narrower than the turn
        self.focused_coding: int | None = None
        self.hits: dict[int, list[tuple[int, int]]] = {}
        self.placeholder = ""
        self.first_paint_at: float | None = None
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cache: dict[int, Strip] = {}

    # ------------------------------------------------------------------ data
    def set_data(self, data: TranscriptData) -> None:
        self.data = data
        self._starts = [s.start for s in data.segments]
        self._ends = [s.end for s in data.segments]
        self.cursor = min(self.cursor, max(len(data.segments) - 1, 0))
        self._relayout()

    def set_marks(self, mine: list[CodingMark] | None = None, others: list[CodingMark] | None = None,
                  memos: set[int] | None = None) -> None:
        if self.data is None:
            return
        if mine is not None:
            self.data.mine = marks_by_segment(mine, self._starts, self._ends)
        if others is not None:
            self.data.others = marks_by_segment(others, self._starts, self._ends)
        if memos is not None:
            self.data.memos = memos
        self.redraw()

    def set_hits(self, hits: list[tuple[int, int]]) -> None:
        from bisect import bisect_right
        grouped: dict[int, list[tuple[int, int]]] = {}
        for a, b in hits:
            i = bisect_right(self._starts, a) - 1
            if i >= 0:
                grouped.setdefault(i, []).append((a, b))
        self.hits = grouped
        self.redraw()

    def redraw(self) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER - 1, 10)

    def _relayout(self) -> None:
        if self.data is None:
            return
        self.lines_layout = TranscriptLayout(self.data.text, list(zip(self._starts, self._ends)), self.text_width)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.lines_layout))
        self.redraw()

    def on_resize(self) -> None:
        self._fit_width()

    def _fit_width(self) -> None:
        if self.data is not None and (self.lines_layout is None or self.lines_layout.width != self.text_width):
            self._relayout()
            self.show_cursor()

    # ---------------------------------------------------------------- cursor
    def set_cursor(self, index: int, selection: tuple[int, int] | None = None,
                   focused_coding: int | None = None) -> None:
        self.cursor = index
        self.selection = selection
        self.focused_coding = focused_coding
        self.redraw()
        self.show_cursor()

    def show_cursor(self) -> None:
        """Scroll so that the current turn (or, in a long turn, the selection) is on screen."""
        if self.lines_layout is None or not self.data or not self.data.segments:
            return
        lines = self.lines_layout.segment_lines(self.cursor)
        height = max(self.scrollable_content_region.height, 1)
        top = int(self.scroll_y)
        first, last = lines.start, lines.stop - 1
        if last - first + 1 > height:
            target = first
            if self.selection is not None:
                target = next((y for y in lines if self.lines_layout.lines[y].end > self.selection[0]), first)
            if not top <= target < top + height:
                self.scroll_to(y=max(first, target - 1), animate=False, immediate=True)
        elif first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            self.scroll_to(y=last - height + 1, animate=False, immediate=True)

    def page_size(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def segment_at_screen_line(self, y: int) -> int:
        return self.lines_layout.segment_at_line(int(self.scroll_y) + y) if self.lines_layout else 0

    def on_click(self, event: Click) -> None:
        if self.lines_layout is not None and len(self.lines_layout):
            self.post_message(self.Clicked(self.segment_at_screen_line(event.y)))

    # ------------------------------------------------------------- rendering
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0 and self.lines_layout is not None and self.lines_layout.width != self.text_width:
            # the text width changed without a resize (a scrollbar came or went): wrap again
            self.call_later(self._fit_width)
        index = int(self.scroll_y) + y
        if self.data is None or self.lines_layout is None or not len(self.lines_layout):
            if y == 0 and self.placeholder:
                style = self.get_component_rich_style("transcript--empty")
                return Strip([RichSegment(" " + self.placeholder, style)]).adjust_cell_length(width)
            return Strip.blank(width)
        if index >= len(self.lines_layout):
            return Strip.blank(width)
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_screen_line(index, width)
            self._cache[index] = strip
        if self.first_paint_at is None:
            self.first_paint_at = time.perf_counter()
        return strip

    def _render_screen_line(self, index: int, width: int) -> Strip:
        data = self.data
        line = self.lines_layout.lines[index]
        seg = data.segments[line.segment]
        current = line.segment == self.cursor
        # interviewer turns, and lines ingestion marked as non-speech (titles, legends, transcriber's notes),
        # are dimmed: neither is counted or quoted
        interviewer = seg.role == "interviewer" or seg.kind == "note"
        base = self.rich_style
        if interviewer:
            base = base + self.get_component_rich_style("transcript--interviewer")
        if current:
            base = base + self.get_component_rich_style("transcript--cursor")
        parts: list[RichSegment] = []
        bar = "▌" if current else " "
        parts.append(RichSegment(bar, self.get_component_rich_style("transcript--cursor-bar") if current else base))
        if line.first:
            label = (seg.speaker or "").strip()
            label = label if len(label) <= 12 else label[:11] + "…"
            label_style = self.get_component_rich_style(
                "transcript--interviewer-label" if interviewer else "transcript--label")
            parts.append(RichSegment(f"{label:<12}", label_style + (self.get_component_rich_style(
                "transcript--cursor") if current else Style())))
            memo = "✎" if seg.id in data.memos else " "
            parts.append(RichSegment(memo + " ", self.get_component_rich_style("transcript--memo")
                                     + (self.get_component_rich_style("transcript--cursor") if current else Style())))
        else:
            parts.append(RichSegment(" " * (GUTTER - 1), base))
        parts.extend(self._styled_words(line, base, current))
        return Strip(parts).adjust_cell_length(width, base)

    def _styled_words(self, line, base: Style, current: bool) -> list[RichSegment]:
        text = self.data.text
        a, b = line.start, line.end
        if a >= b:
            return []
        mine = [m for m in self.data.mine.get(line.segment, ()) if m.start < b and m.end > a]
        others = [m for m in self.data.others.get(line.segment, ()) if m.start < b and m.end > a]
        hits = [h for h in self.hits.get(line.segment, ()) if h[0] < b and h[1] > a]
        selection = self.selection if (current and self.selection) else None
        cuts = {a, b}
        for m in mine + others:
            cuts.update((max(m.start, a), min(m.end, b)))
        for h in hits:
            cuts.update((max(h[0], a), min(h[1], b)))
        if selection:
            cuts.update((min(max(selection[0], a), b), min(max(selection[1], a), b)))
        points = sorted(cuts)
        hit_style = self.get_component_rich_style("transcript--hit")
        out: list[RichSegment] = []
        for p, q in zip(points, points[1:]):
            if p >= q:
                continue
            style = base
            for m in others:
                if m.start <= p and q <= m.end:
                    style = style + Style(color=m.color, underline=True)
            for m in mine:                                  # later (inner) marks win
                if m.start <= p and q <= m.end:
                    style = style + Style(bgcolor=m.color, color=readable_on(m.color), italic=False)
                    if m.id == self.focused_coding:
                        style = style + Style(bold=True, underline=True)
            for h in hits:
                if h[0] <= p and q <= h[1]:
                    style = style + hit_style
            if selection and selection[0] <= p and q <= selection[1]:
                style = style + Style(reverse=True)
            out.append(RichSegment(text[p:q].replace("\n", " ").replace("\t", " "), style))
        return out
