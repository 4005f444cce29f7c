"""The validation queue: machine suggestions one by one, with their evidence and context.

``y`` accepts, ``n`` rejects, ``c`` accepts under another code, ``s`` skips;
each decision is a coding of this coder (origin kept, linked to the suggestion)
written at once; ``u`` undoes it. ``f`` filters by category, code, phase, origin.
``t`` retrains the sentence model on the project's decisions and analyses again
(:mod:`.training`).
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exporterre_nlp.i18n import tr
from exporterre_nlp.store.views import SuggestionItem

from ..bindings import bind, help_binding, localize
from ..messages import DecisionSaved, QueueLoaded, StoreChanged
from ..widgets.passage import evidence_text, origin_label, passage_text
from ..widgets.status import StatusBar
from .dialogs import FilterDialog, QueueFilter
from .picker import CodePicker


SHOWN = 2000          # rows in the table at once; decide or filter to see the next ones


DETAIL_WORDS = 220    # the suggested words in the line under the table; longer ones end with « … » there
                     # and are read whole in the passage below


def row_detail(item: SuggestionItem) -> Text:
    """The focused row of the queue, whole: the table's columns cut what is wider than them."""
    words = " ".join(item.text.split())
    if len(words) > DETAIL_WORDS:
        words = words[:DETAIL_WORDS - 1] + "…"
    return Text.assemble(("■ ", item.color), (item.path, "bold"), (f"  {item.document}", "dim"),
                         ("  « ", "dim"), (words, "italic"), (" »", "dim"))


class ValidationScreen(Screen):
    BINDINGS = [
        help_binding(),
        bind("y", "decide('accept')", "Accepter", "Accept"),
        bind("n", "decide('reject')", "Rejeter", "Reject"),
        bind("c", "accept_other", "Accepter sous un autre code", "Accept under another code"),
        bind("s", "skip", "Passer", "Skip"),
        bind("f", "filter", "Filtrer", "Filter"),
        bind("t", "train", "Réentraîner sur nos décisions", "Retrain on our decisions"),
        bind("j", "cursor(1)", "Suggestion suivante", "Next suggestion", show=False),
        bind("k", "cursor(-1)", "Suggestion précédente", "Previous suggestion", show=False),
        bind("o", "open", "Ouvrir dans le document", "Open in the document", show=False),
        bind("escape", "back", "Retour", "Back"),
    ]

    def __init__(self, document_id: int | None = None) -> None:
        super().__init__()
        localize(self)
        self.document_id = document_id
        self.items: list[SuggestionItem] = []
        self.filter = QueueFilter()
        self.decided = 0
        self.total = 0
        self.generation = 0          # bumped by each decision: a load started before it is stale
        self.loaded = False
        self.last_decision: str | None = None     # the last decision committed, said in the status line

    def compose(self) -> ComposeResult:
        yield Static("", id="queue-title", classes="screen-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-detail")       # the focused row whole: the table cuts long paths and words
        with VerticalScroll(id="evidence-box"):
            yield Static("", id="passage")        # the words under judgement first, in their turns
            yield Static("", id="evidence")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(tr("Document", "Document"), tr("Code suggéré", "Suggested code"),
                          tr("Origine", "Origin"), tr("Score", "Score"), tr("Passage", "Words"))
        table.loading = True
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="queue-load")
    def load(self) -> None:
        generation = self.generation
        self.app.writer.wait_committed()
        f = self.filter
        items = self.app.session.queue(document_id=self.document_id, origin=f.origin, code_id=f.code_id,
                                       phase=f.phase, category=f.category)
        self.post_message(QueueLoaded(items, generation))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        message.stop()
        items, generation = message.items, message.generation
        if generation != self.generation:
            self.load()
            return
        table = self.query_one(DataTable)
        row = table.cursor_row if table.row_count else 0
        self.total = len(items)
        self.items = items[:SHOWN]
        table.clear()
        for item in self.items:
            words = " ".join(item.text.split())
            table.add_row(item.document, Text.assemble(("■ ", item.color), item.path), origin_label(item.origin),
                          "" if item.score is None else f"{item.score:.2f}",
                          words if len(words) <= 60 else words[:59] + "…", key=str(item.id))
        table.loading = False
        self.loaded = True
        if self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))
        self.show_current()

    # ------------------------------------------------------------------ display
    def current(self) -> SuggestionItem | None:
        table = self.query_one(DataTable)
        if not self.items or table.cursor_row is None or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_current()

    def show_current(self) -> None:
        item = self.current()
        where = tr("ce document", "this document") if self.document_id is not None else tr("tout le corpus",
                                                                                             "the whole corpus")
        count = self.total
        self.query_one("#queue-title", Static).update(tr(
            f"Suggestions à valider ({where}) : {count} · filtres : {self.filter.describe(self.app.code_paths)}",
            f"Suggestions to validate ({where}): {count} · filters: {self.filter.describe(self.app.code_paths)}"))
        evidence = self.query_one("#evidence", Static)
        passage = self.query_one("#passage", Static)
        self.query_one("#queue-detail", Static).update(row_detail(item) if item is not None else "")
        if item is None:
            evidence.update(Text(tr("Plus rien à valider ici. Échap pour revenir ; f pour changer les filtres.",
                                    "Nothing left to validate here. Esc to go back; f to change the filters."),
                                 style="dim"))
            passage.update("")
        else:
            evidence.update(evidence_text(item))
            self.load_passage(item)             # a store read: in a worker, never on the UI thread
        position = (self.query_one(DataTable).cursor_row + 1) if item else 0
        self.query_one(StatusBar).show(tr("Validation", "Validation"), self.app.project_name,
                                       tr(f"codeur {self.app.coder}", f"coder {self.app.coder}"),
                                       f"{position}/{len(self.items)}", self.last_decision,
                                       tr(f"{self.decided} décision(s) ici", f"{self.decided} decision(s) here"))

    @work(thread=True, group="queue-passage")
    def load_passage(self, item: SuggestionItem) -> None:
        found = self.app.session.passage(item.document_id, item.start, item.end)
        self.app.call_from_thread(self._passage_loaded, item, found)

    def _passage_loaded(self, item: SuggestionItem, found) -> None:
        if self.current() is item:              # the coder may have moved on meanwhile
            self.query_one("#passage", Static).update(passage_text(found, item.color))

    # ------------------------------------------------------------------ actions
    def _remove_current(self) -> SuggestionItem | None:
        item = self.current()
        if item is None:
            return None
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.items.pop(row)
        self.total -= 1
        table.remove_row(str(item.id))
        if not self.items and self.total > 0:
            self.load()                              # the next rows of a long queue
        if self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))
        self.show_current()
        return item

    def _decide(self, decision: str, code_id: int | None = None) -> None:
        item = self._remove_current()
        if item is None:
            return
        session = self.app.session
        self.decided += 1
        self.generation += 1
        self.app.write_reply(lambda: session.decide(item.id, decision, code_id=code_id), self,
                             lambda coding: DecisionSaved(item.id, decision, coding))

    def on_decision_saved(self, message: DecisionSaved) -> None:
        """A decision is committed: say which, under which code (it may differ from the suggested one)."""
        message.stop()
        path = self.app.code_paths.get(message.coding.code_id, "")
        self.last_decision = (tr(f"accepté : {path}", f"accepted: {path}") if message.coding.status == "accepted"
                              else tr(f"rejeté : {path}", f"rejected: {path}"))
        self.show_current()

    def action_decide(self, decision: str) -> None:
        self._decide(decision)

    def action_accept_other(self) -> None:
        item = self.current()
        if item is None:
            return

        def chosen(code_id) -> None:
            if isinstance(code_id, int) and self.current() is item:
                self._decide("accept", code_id)

        def show(recent) -> None:
            if self.app.screen is self:
                self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors, recent=recent,
                                                title=tr(f"Accepter sous quel code ? (suggéré : {item.path})",
                                                         f"Accept under which code? (suggested: {item.path})")),
                                     chosen)
        self.app.read(self.app.session.recent_codes, show)

    def action_skip(self) -> None:
        self.action_cursor(1)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if self.items:
            table.move_cursor(row=min(max(table.cursor_row + step, 0), len(self.items) - 1))

    def action_filter(self) -> None:
        session, doc_id = self.app.session, self.document_id

        def chosen(f: QueueFilter | None) -> None:
            if f is not None:
                self.filter = f
                self.load()

        def show(facets) -> None:
            if self.app.screen is self:
                self.app.push_screen(FilterDialog(facets, self.filter), chosen)
        self.app.read(lambda: session.facets(doc_id), show)

    def action_train(self) -> None:
        from .training import TrainingScreen

        def done(summary: str | None) -> None:
            if summary is not None:
                self.load()
        self.app.push_screen(TrainingScreen(), done)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        item = self.current()
        if item is not None:
            self.app.open_document(item.document_id, at=item.start)

    def action_back(self) -> None:
        self.app.pop_screen()
