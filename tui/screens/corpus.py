"""The corpus screen: every document with each coder's progress; Enter opens one."""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exporterre_nlp.coding_session import CorpusRows, CoverageChange, CoverageChoice
from exporterre_nlp.i18n import tr
from exporterre_nlp.records import PHASE_NAMES
from exporterre_nlp.store.views import DocumentProgress

from ..bindings import bind, help_binding, localize
from ..messages import StoreChanged
from ..widgets.status import StatusBar

STATUSES = (None, "todo", "started", "done", "pending")


def status_name(status: str | None) -> str:
    return {None: tr("tous", "all"), "todo": tr("à coder", "to code"), "started": tr("en cours", "started"),
            "done": tr("codés", "coded"), "pending": tr("avec suggestions", "with suggestions")}[status]


def progress_cell(done: int, total: int) -> Text:
    share = done / total if total else 0.0
    filled = round(share * 6)
    style = "green" if total and done >= total else ("yellow" if done else "dim")
    return Text.assemble(("▰" * filled + "▱" * (6 - filled), style), f" {done}/{total}")


class CorpusScreen(Screen):
    BINDINGS = [
        help_binding(),
        bind("enter", "open", "Ouvrir le document", "Open the document"),
        bind("j", "cursor(1)", "Document suivant", "Next document", show=False),
        bind("k", "cursor(-1)", "Document précédent", "Previous document", show=False),
        bind("p", "cycle('phase')", "Filtrer par phase", "Filter by phase"),
        bind("l", "cycle('lieu')", "Filtrer par lieu", "Filter by place"),
        bind("s", "cycle('status')", "Filtrer par état de codage", "Filter by coding status"),
        bind("v", "validate", "Suggestions à valider", "Suggestions to validate"),
        bind("m", "coverage", "Marquer codé (branches)", "Mark as coded (branches)", show=False),
        bind("b", "codebook", "Livre de codes", "Codebook"),
        bind("t", "themes", "Thèmes et codes", "Themes and codes"),
        bind("C", "coder", "Changer de codeur (mode aveugle)", "Switch coder (blind mode)", show=False),
        bind("q", "app.quit", "Quitter", "Quit"),
    ]
    # (column, shown from this many terminal columns): what a coder needs first, the rest as room allows
    COLUMNS = (("name", 0), ("phase", 0), ("lieu", 90), ("participant", 120), ("words", 105), ("coded", 0),
               ("pending", 0), ("others", 140))

    def __init__(self) -> None:
        super().__init__()
        localize(self)
        self.rows: list[DocumentProgress] = []
        self.others: list[str] = []
        self.filters: dict[str, object] = {"phase": None, "lieu": None, "status": None}

    def compose(self) -> ComposeResult:
        yield Static("", id="corpus-filters", classes="screen-title")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.shown_columns: tuple[str, ...] = ()
        self.rebuild_columns()
        self.query_one(DataTable).loading = True
        self.load()

    def columns_for(self, width: int) -> tuple[str, ...]:
        return tuple(name for name, least in self.COLUMNS
                     if width >= least and not (name == "others" and self.app.blind))

    def rebuild_columns(self) -> None:
        """The columns that fit the terminal; the table is refilled when they change."""
        shown = self.columns_for(self.app.size.width)
        titles = {"name": tr("Document", "Document"), "phase": tr("Ph.", "Ph."), "lieu": tr("Lieu", "Place"),
                  "participant": tr("Participant", "Participant"), "words": tr("Mots", "Words"),
                  "coded": tr(f"Codé ({self.app.coder})", f"Coded ({self.app.coder})"),
                  "pending": tr("À valider", "To validate"), "others": tr("Autres codeurs", "Other coders")}
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for name in shown:
            table.add_column(titles[name], key=name)
        self.shown_columns = shown
        if self.rows:
            self.refresh_table()

    def on_resize(self, event) -> None:
        if self.columns_for(self.app.size.width) != self.shown_columns:
            self.rebuild_columns()

    def on_screen_resume(self) -> None:
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="corpus-load")
    def load(self) -> None:
        self.app.writer.wait_committed()
        self.app.call_from_thread(self._loaded, self.app.session.corpus())

    def _loaded(self, corpus: CorpusRows) -> None:
        self.rows, self.others = corpus.rows, corpus.others
        self.refresh_table()

    def visible_rows(self) -> list[DocumentProgress]:
        coder = self.app.coder
        out = []
        for r in self.rows:
            if self.filters["phase"] is not None and r.phase != self.filters["phase"]:
                continue
            if self.filters["lieu"] is not None and r.lieu != self.filters["lieu"]:
                continue
            status = self.filters["status"]
            if status == "pending" and not r.pending.get(coder):
                continue
            if status in ("todo", "started", "done") and r.status(coder) != status:
                continue
            out.append(r)
        return out

    FIRST_ROWS = 300           # filled at once; the rest follows in chunks, frame by frame
    CHUNK_ROWS = 2000

    def refresh_table(self) -> None:
        """Refill the table: the first rows at once (a project of 10,000 documents shows its list without
        waiting for the 0.4 s of filling every row), the others in chunks after."""
        table = self.query_one(DataTable)
        keep = None
        if table.row_count and table.cursor_row is not None and table.cursor_row < table.row_count:
            keep = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear()
        self._fill_generation = getattr(self, "_fill_generation", 0) + 1
        rows = self.visible_rows()
        self._add_rows(rows[:self.FIRST_ROWS])
        table.loading = False
        self._show_filters(len(rows))
        self.call_later(self._fill_rest, rows, self.FIRST_ROWS, self._fill_generation, keep)

    def _fill_rest(self, rows: list[DocumentProgress], done: int, generation: int, keep: str | None) -> None:
        if generation != self._fill_generation:
            return                                  # a newer refill (filter, reload) took over
        if done < len(rows):
            self._add_rows(rows[done:done + self.CHUNK_ROWS])
            self.call_later(self._fill_rest, rows, done + self.CHUNK_ROWS, generation, keep)
            return
        if keep is not None:
            table = self.query_one(DataTable)
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except Exception:
                pass

    def _add_rows(self, rows: list[DocumentProgress]) -> None:
        table = self.query_one(DataTable)
        coder = self.app.coder
        for r in rows:
            others = " ".join(f"{c} {round(100 * r.share(c))}%" for c in self.others if r.coded_segments.get(c))
            pending = r.pending.get(coder, 0)
            cells = {"name": r.name, "phase": str(r.phase), "lieu": r.lieu or "—", "participant": r.participant or "—",
                     "words": f"{r.words:,}".replace(",", " "),
                     "coded": progress_cell(r.coded_segments.get(coder, 0), r.segments),
                     "pending": Text(str(pending), style="bold yellow") if pending else Text("0", style="dim"),
                     "others": others or "—"}
            table.add_row(*(cells[name] for name in self.shown_columns), key=str(r.id))

    def _show_filters(self, shown: int) -> None:
        phase = self.filters["phase"]
        phase_text = tr("toutes", "all") if phase is None else f"{phase} ({PHASE_NAMES.get(phase, '')})"
        lieu = self.filters["lieu"] or tr("tous", "all")
        text = tr(f"Corpus · {shown}/{len(self.rows)} documents · phase : {phase_text} · lieu : {lieu} · "
                  f"état : {status_name(self.filters['status'])}",
                  f"Corpus · {shown}/{len(self.rows)} documents · phase: {phase_text} · place: {lieu} · "
                  f"status: {status_name(self.filters['status'])}")
        self.query_one("#corpus-filters", Static).update(text)
        total_pending = sum(r.pending.get(self.app.coder, 0) for r in self.rows)
        self.query_one(StatusBar).show("Exporterre", tr(f"projet {self.app.project_name}", f"project {self.app.project_name}"),
                                       tr(f"codeur {self.app.coder}", f"coder {self.app.coder}") + (
                                           tr(" (aveugle)", " (blind)") if self.app.blind else ""),
                                       tr(f"{total_pending} suggestion(s) à valider", f"{total_pending} suggestion(s) to validate"))

    # ---------------------------------------------------------------- actions
    def action_cycle(self, name: str) -> None:
        if name == "phase":
            choices = [None] + sorted({r.phase for r in self.rows})
        elif name == "lieu":
            choices = [None] + sorted({r.lieu for r in self.rows if r.lieu})
        else:
            choices = list(STATUSES)
        current = self.filters[name]
        index = choices.index(current) if current in choices else 0
        self.filters[name] = choices[(index + 1) % len(choices)]
        self.refresh_table()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(table.cursor_row + step, 0))

    def _current_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return int(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def action_open(self) -> None:
        doc_id = self._current_id()
        if doc_id is not None:
            self.app.open_document(doc_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.open_document(int(event.row_key.value))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the focused document in the status line: what the narrow columns leave out."""
        row = next((r for r in self.rows if str(r.id) == event.row_key.value), None)
        if row is None:
            return
        parts = [row.name, f"phase {row.phase}", row.lieu, row.participant,
                 tr(f"{row.words} mots", f"{row.words} words"),
                 tr(f"{row.coded_segments.get(self.app.coder, 0)}/{row.segments} segments codés",
                    f"{row.coded_segments.get(self.app.coder, 0)}/{row.segments} turns coded")]
        if not self.app.blind:
            parts += [f"{c} {round(100 * row.share(c))}%" for c in self.others if row.coded_segments.get(c)]
        else:
            parts.append(tr(f"{self.app.coder} en aveugle", f"{self.app.coder}, blind"))
        self.query_one(StatusBar).show(*[p for p in parts if p])

    def action_coder(self) -> None:
        from .dialogs import CoderDialog

        def chosen(result) -> None:
            if result is not None:
                self.app.switch_coder(*result)
        def show(known: list[str]) -> None:
            if self.app.screen is self:
                self.app.push_screen(CoderDialog(self.app.coder, self.app.blind, known), chosen)
        self.app.read(self.app.session.human_coders, show)

    def action_coverage(self) -> None:
        """Mark the focused document as coded, by this coder, for the branches ticked in the dialog."""
        from .dialogs import CoverageDialog
        doc_id = self._current_id()
        if doc_id is None:
            return
        session = self.app.session
        name = next((r.name for r in self.rows if r.id == doc_id), str(doc_id))

        def show(found: CoverageChoice) -> None:
            def chosen(result) -> None:
                if result is None or result == found.marked:
                    return

                def done(change: CoverageChange) -> None:
                    self.app.notify(tr(f"Couverture de {name} : {change.added} branche(s) marquée(s), "
                                       f"{change.removed} retirée(s).", f"Coverage of {name}: {change.added} "
                                       f"branch(es) marked, {change.removed} removed."))
                self.app.write(lambda: session.set_coverage(doc_id, set(result)), done)
            if self.app.screen is self:
                self.app.push_screen(CoverageDialog(name, found.branches, found.marked), chosen)
        self.app.read(lambda: session.coverage_choice(doc_id), show)

    def action_validate(self) -> None:
        from .validation import ValidationScreen
        self.app.push_screen(ValidationScreen())

    def action_themes(self) -> None:
        from .themes import ThemesScreen
        self.app.push_screen(ThemesScreen())

    def action_codebook(self) -> None:
        from .codebook import CodebookScreen
        self.app.push_screen(CodebookScreen())
