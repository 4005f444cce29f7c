"""The reader: a transcript turn by turn, coded spans in colour, coding at a keypress.

The cursor is a turn (segment); the selection starts as the whole turn and is
narrowed or widened word by word. A turn the cursor reaches is recorded as read
by this coder (``Store.mark_read``): a project's own sentence model learns from
the turns read, coded or not. Enter opens the code picker, 1–9 apply a
recent code, Tab picks one of my codings of the turn (to remove, recode or
resize it), ``m`` writes a memo, ``/`` searches, ``o`` shows another coder.
"""
from __future__ import annotations

from bisect import bisect_right

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input

from exporterre_nlp.coding_session import ReaderExtras, ReaderText
from exporterre_nlp.coding_tools import Selection
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.i18n import tr

from ..bindings import bind, help_binding, localize
from ..messages import StoreChanged
from ..widgets.segment_panel import PanelState, SegmentPanel
from ..widgets.status import StatusBar
from ..widgets.transcript import TranscriptData, TranscriptView
from .reader_actions import ReaderActions


class ReaderScreen(ReaderActions, Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        help_binding(),
        bind("j,down", "move(1)", "Segment suivant", "Next turn", show=False),
        bind("k,up", "move(-1)", "Segment précédent", "Previous turn", show=False),
        bind("pagedown,space", "page(1)", "Page suivante", "Next page", show=False),
        bind("pageup", "page(-1)", "Page précédente", "Previous page", show=False),
        bind("home,g", "jump(0)", "Premier segment", "First turn", show=False),
        bind("end,G", "jump(-1)", "Dernier segment", "Last turn", show=False),
        bind("left,h", "start(-1)", "Sélection : début un mot plus tôt (élargir)", "Selection: start one word earlier",
             show=False),
        bind("right,l", "start(1)", "Sélection : début un mot plus tard (rétrécir)", "Selection: start one word later",
             show=False),
        bind("shift+left,H", "end(-1)", "Sélection : fin un mot plus tôt (rétrécir)", "Selection: end one word earlier",
             show=False),
        bind("shift+right,L", "end(1)", "Sélection : fin un mot plus tard (élargir)", "Selection: end one word later",
             show=False),
        bind("enter,c", "code", "Coder la sélection", "Code the selection"),
        *[bind(str(n), f"recent({n})", "Appliquer un code récent (1–9)", "Apply a recent code (1–9)", show=False)
          for n in range(1, 10)],
        bind("tab", "focus_coding(1)", "Choisir un de mes codages du segment", "Pick one of my codings of the turn",
             show=False),
        bind("shift+tab", "focus_coding(-1)", "Codage précédent du segment", "Previous coding of the turn", show=False),
        bind("x,delete", "remove", "Retirer le codage choisi", "Remove the picked coding", show=False),
        bind("r", "recode", "Changer le code du codage choisi", "Change the code of the picked coding", show=False),
        bind("equals_sign", "resize", "Ajuster le codage choisi à la sélection", "Fit the picked coding to the selection",
             show=False),
        bind("m", "memo", "Mémo (segment, document, code)", "Memo (turn, document, code)"),
        bind("slash", "search", "Chercher dans le document", "Search in the document"),
        bind("n", "next_hit(1)", "Occurrence suivante", "Next match", show=False),
        bind("N", "next_hit(-1)", "Occurrence précédente", "Previous match", show=False),
        bind("o", "other_coder", "Afficher un autre codeur", "Show another coder"),
        bind("v", "validate", "Suggestions du document", "Suggestions of the document"),
        bind("b", "codebook", "Livre de codes", "Codebook", show=False),
        bind("escape", "escape", "Retour (ou effacer sélection/recherche)", "Back (or clear selection/search)"),
        bind("backspace", "back", "Retour au corpus", "Back to the corpus", show=False),
    ]

    def __init__(self, document: int | str, *, at: int | None = None) -> None:
        super().__init__()
        localize(self)
        self.document_ref = document                # an id, or a name looked up by the load worker
        self.document_id: int | None = document if isinstance(document, int) else None
        self.start_at = at
        self.document = None
        self.segments: list = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cursor = 0
        self.selection: Selection | None = None
        self.focus_index: int | None = None
        self.mine: list = []
        self.others: list = []
        self.other_coder: str | None = None
        self.memo_counts: dict[int, int] = {}
        self.pending_by_segment: dict[int, int] = {}
        self.recent: list[int] = []
        self.hits: list[tuple[int, int]] = []
        self.hit_index = -1
        self.query_text = ""
        self.loaded = False
        self.generation = 0          # bumped by each write: marks read before it are stale
        self.displayed_at: float | None = None      # when the last write showed on screen (benchmarks)
        self.read: set[int] = set()                  # segments recorded as read by this coder (this visit)

    # --------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Horizontal(id="reader-body"):
            yield TranscriptView(id="transcript")
            yield SegmentPanel(id="segment-panel")
        yield Input(placeholder=tr("Chercher dans le document (Entrée ; Échap pour fermer)",
                                   "Search in the document (Enter; Esc to close)"), id="search")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def on_mount(self) -> None:
        self.view.placeholder = tr("Chargement du document…", "Loading the document…")
        self.view.focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.reload_marks()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload_marks()

    # ----------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, group="reader-load")
    def load(self) -> None:
        """Text, turns and my codings first (first paint), then the counts around them."""
        self.app.writer.wait_committed()
        session = self.app.session
        try:
            found = session.reader_text(self.document_ref)
        except ExporterreError as exc:                 # an unknown name: said, and back to where we were
            self.app.call_from_thread(self._not_found, exc)
            return
        self.app.call_from_thread(self._loaded, found)
        self.app.call_from_thread(self._extras_loaded, session.reader_extras(found.document.id))

    def _not_found(self, error: ExporterreError) -> None:
        self.notify(str(error), severity="error", timeout=8)
        if self.app.screen is self:
            self.app.pop_screen()

    def _loaded(self, found: ReaderText) -> None:
        doc, segments, marks = found.document, found.segments, found.marks
        self.document, self.segments, self.document_id = doc, segments, doc.id
        self.starts = [s.start for s in segments]
        self.ends = [s.end for s in segments]
        self.mine = marks
        self.view.set_data(TranscriptData(doc.text, segments))
        self.view.set_marks(mine=marks)
        self.loaded = True
        index = 0
        if self.start_at is not None:
            index = max(bisect_right(self.starts, self.start_at) - 1, 0)
        if not segments:
            self.view.placeholder = tr("Ce document n'a aucun segment.", "This document has no segments.")
        self.go_to(index)

    def _extras_loaded(self, extras: ReaderExtras) -> None:
        self._apply_extras(extras)
        self.refresh_cursor()

    def _apply_extras(self, extras: ReaderExtras) -> None:
        memo_counts = extras.memo_counts
        self.memo_counts, self.recent = memo_counts, extras.recent
        by_segment: dict[int, int] = {}
        for item in extras.pending:
            i = bisect_right(self.starts, item.start) - 1
            if i >= 0:
                by_segment[i] = by_segment.get(i, 0) + 1
        self.pending_by_segment = by_segment
        self.view.set_marks(mine=self.mine, memos=set(memo_counts))

    @work(thread=True, exclusive=True, group="reader-marks")
    def reload_marks(self) -> None:
        generation = self.generation
        self.app.writer.wait_committed()
        if self.document_id is None:                   # not loaded yet: its load reads all this
            return
        session = self.app.session
        marks = session.coding_marks(self.document_id)
        others = session.coding_marks(self.document_id, self.other_coder) if self.other_coder else []
        extras = session.reader_extras(self.document_id)
        self.app.call_from_thread(self._marks_loaded, marks, others, extras, generation)

    def _marks_loaded(self, marks, others, extras: ReaderExtras, generation: int) -> None:
        if not self.loaded:
            return
        if generation != self.generation:
            self.reload_marks()
            return
        self.mine, self.others = marks, others
        self.view.set_marks(others=others)
        self._apply_extras(extras)
        self.refresh_cursor()

    # ------------------------------------------------------------------ cursor
    def go_to(self, index: int, selection: Selection | None = None) -> None:
        if not self.segments:
            self.refresh_cursor()
            return
        self.cursor = min(max(index, 0), len(self.segments) - 1)
        seg = self.segments[self.cursor]
        self.selection = selection or Selection.whole(self.document.text, seg.start, seg.end)
        self.focus_index = None
        self.refresh_cursor()
        self._mark_read(seg.id)

    def _mark_read(self, segment_id: int) -> None:
        """The turn under the cursor counts as read by this coder: what a project's own model learns
        from (a turn read and not coded says « nothing of the kind here »)."""
        if segment_id in self.read:
            return
        self.read.add(segment_id)
        session = self.app.session
        self.app.write(lambda: session.mark_read([segment_id]))

    def my_codings_here(self) -> list:
        if not self.segments:
            return []
        a, b = self.starts[self.cursor], self.ends[self.cursor]
        return [m for m in self.mine if m.start < b and m.end > a]

    def focused_mark(self):
        here = self.my_codings_here()
        if self.focus_index is None or not here:
            return None
        return here[self.focus_index % len(here)]

    def refresh_cursor(self) -> None:
        focused = self.focused_mark()
        whole = True
        if self.document is not None and self.selection is not None:
            whole = self.selection.is_whole(self.document.text)
        sel = None if (whole or self.selection is None) else (self.selection.start, self.selection.end)
        self.view.set_cursor(self.cursor, sel, focused.id if focused else None)
        self._show_panel(focused, whole)
        self._show_status()

    def _show_panel(self, focused, whole: bool) -> None:
        seg = self.segments[self.cursor] if self.segments else None
        others = []
        if seg is not None and self.other_coder:
            others = [m for m in self.others if m.start < seg.end and m.end > seg.start]
        recent = [(n, self.app.codes_by_id[c].label, self.app.code_colors.get(c, ""))
                  for n, c in enumerate(self.recent[:9], start=1) if c in self.app.codes_by_id]
        self.query_one(SegmentPanel).show(PanelState(
            seg, self.cursor + 1, len(self.segments), self.document.text if self.document else "",
            (self.selection.start, self.selection.end) if self.selection else None, whole,
            self.my_codings_here(), focused.id if focused else None, self.other_coder, others,
            self.pending_by_segment.get(self.cursor, 0), self.memo_counts.get(seg.id, 0) if seg else 0, recent))

    def _show_status(self) -> None:
        app = self.app
        search = None
        if self.hits:
            search = tr(f"« {self.query_text} » {self.hit_index + 1}/{len(self.hits)} (n/N)",
                        f"'{self.query_text}' {self.hit_index + 1}/{len(self.hits)} (n/N)")
        self.query_one(StatusBar).show(
            tr("Lecture", "Reader"), app.project_name, tr(f"codeur {app.coder}", f"coder {app.coder}"),
            self.document.name if self.document else None,
            tr(f"segment {self.cursor + 1}/{len(self.segments)}", f"turn {self.cursor + 1}/{len(self.segments)}")
            if self.segments else None,
            tr(f"avec {self.other_coder}", f"with {self.other_coder}") if self.other_coder else None, search)

    def action_move(self, step: int) -> None:
        self.go_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        if not self.segments:
            return
        view = self.view
        line = view.lines_layout.first_line[self.cursor] + step * view.page_size()
        self.go_to(view.lines_layout.segment_at_line(line))

    def action_jump(self, index: int) -> None:
        self.go_to(index if index >= 0 else len(self.segments) - 1)

    def on_transcript_view_clicked(self, event: TranscriptView.Clicked) -> None:
        self.go_to(event.index)

    # --------------------------------------------------------------- selection
    def action_start(self, step: int) -> None:
        if self.selection is not None:
            self.selection = self.selection.move_start(self.document.text, step)
            self.refresh_cursor()

    def action_end(self, step: int) -> None:
        if self.selection is not None:
            self.selection = self.selection.move_end(self.document.text, step)
            self.refresh_cursor()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.display = False
            self.view.focus()
        elif self.hits:
            self.hits, self.hit_index = [], -1
            self.view.set_hits([])
            self.refresh_cursor()
        elif self.selection is not None and not self.selection.is_whole(self.document.text):
            self.go_to(self.cursor)
        else:
            self.action_back()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -------------------------------------------------------------- elsewhere
    def action_validate(self) -> None:
        from .validation import ValidationScreen
        if self.document_id is None:
            return
        self.app.push_screen(ValidationScreen(document_id=self.document_id))

    def action_codebook(self) -> None:
        from .codebook import CodebookScreen
        self.app.push_screen(CodebookScreen())
