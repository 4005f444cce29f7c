"""Themes and codes: the latest theme run's themes with the codes they resemble, decided once per theme.

Each row is a theme with a code the crosswalk suggested (or a person already decided); ``y`` accepts
"this theme resembles this code" for the whole theme, ``n`` rejects it, ``c`` links the theme to another
code chosen in the picker. No coding is ever written: counts of codes never depend on themes
(docs/themes.md). Under the table: the theme's words, the words theme and code share, and the quotes
the fit picked, read in a worker.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exporterre_nlp.coding_session import ThemeLinkRow, ThemeLinks
from exporterre_nlp.i18n import tr

from ..bindings import bind, help_binding, localize
from ..messages import StoreChanged, ThemeLinkSaved, ThemeLinksLoaded
from ..widgets.status import StatusBar
from .picker import CodePicker


THEME_CHARS, CODE_CHARS = 24, 22       # the table's widest cells, so that 80 columns show every column
                                       # (the whole label, key and size are in the line under the table)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def status_text(row: ThemeLinkRow) -> Text:
    if row.code_id is None:
        return Text(tr("aucun code proposé", "no code suggested"), style="dim")
    if row.status == "accepted":
        return Text(tr(f"accepté ({row.decided_by})", f"accepted ({row.decided_by})"), style="green")
    if row.status == "rejected":
        return Text(tr(f"refusé ({row.decided_by})", f"rejected ({row.decided_by})"), style="red")
    return Text(tr("à décider", "to decide"), style="yellow")


def row_detail(row: ThemeLinkRow) -> Text:
    out = Text.assemble((f"{tr('Thème', 'Theme')} {row.theme} · {row.label}", "bold"),
                        (f"  ({row.size} {tr('unités', 'units')})\n", "dim"),
                        (tr("Mots : ", "Words: "), "dim"), " · ".join(row.words))
    if row.code_id is not None:
        out.append_text(Text.assemble(("\n" + tr("Code : ", "Code: "), "dim"), (row.code_key or "", "bold"),
                                      f" — {row.code_label or ''}"))
        if row.score is not None:
            out.append(f"  ({tr('ressemblance', 'resemblance')} {row.score:.2f})", style="dim")
        if row.shared_words:
            out.append_text(Text.assemble(("\n" + tr("Mots en commun : ", "Shared words: "), "dim"),
                                          " · ".join(row.shared_words)))
    return out


class ThemesScreen(Screen):
    BINDINGS = [
        help_binding(),
        bind("y", "decide(True)", "Le thème ressemble au code", "The theme resembles the code"),
        bind("n", "decide(False)", "Ne ressemble pas", "Does not resemble it"),
        bind("c", "other_code", "Relier à un autre code", "Link to another code"),
        bind("j", "cursor(1)", "Ligne suivante", "Next row", show=False),
        bind("k", "cursor(-1)", "Ligne précédente", "Previous row", show=False),
        bind("escape", "back", "Retour", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize(self)
        self.links = ThemeLinks(None, [])
        self.loaded = False
        self.last_decision: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="themes-title", classes="screen-title")
        yield DataTable(id="theme-links", cursor_type="row", zebra_stripes=True)
        yield Static("", id="theme-detail")
        with VerticalScroll(id="theme-quotes-box"):
            yield Static("", id="theme-quotes")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(tr("Thème", "Theme"), tr("Code proche", "Close code"), tr("Décision", "Decision"),
                          tr("Score", "Score"))
        table.loading = True
        table.focus()
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="theme-links-load")
    def load(self) -> None:
        self.app.writer.wait_committed()
        self.post_message(ThemeLinksLoaded(self.app.session.theme_links()))

    def on_theme_links_loaded(self, message: ThemeLinksLoaded) -> None:
        message.stop()
        table = self.query_one(DataTable)
        row = table.cursor_row if table.row_count else 0
        self.links = message.links
        table.clear()
        previous = None
        for r in self.links.rows:
            theme = cut(f"{r.theme} · {r.label}", THEME_CHARS) if r.theme != previous else ""
            previous = r.theme
            table.add_row(theme, cut(r.code_key or "—", CODE_CHARS), status_text(r),
                          "" if r.score is None else f"{r.score:.2f}")
        table.loading = False
        self.loaded = True
        if self.links.rows:
            table.move_cursor(row=min(row, len(self.links.rows) - 1))
        self.show_current()

    # ------------------------------------------------------------------ display
    def current(self) -> ThemeLinkRow | None:
        table = self.query_one(DataTable)
        rows = self.links.rows
        if not rows or table.cursor_row is None or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_current()

    def show_current(self) -> None:
        run = self.links.run
        title = self.query_one("#themes-title", Static)
        if run is None:
            title.update(tr("Thèmes et codes : aucune analyse de thèmes (lancez « exporterre themes »).",
                            "Themes and codes: no theme run yet (run 'exporterre themes')."))
        else:
            title.update(tr(
                f"Thèmes et codes — analyse n° {run.id} (« {self.links.backend} ») : {self.links.to_decide} "
                "lien(s) à décider, chacun pour tout le thème ; aucun codage n'est écrit",
                f"Themes and codes — run #{run.id} ('{self.links.backend}'): {self.links.to_decide} link(s) to "
                "decide, each for the whole theme; no coding is written"))
        row = self.current()
        self.query_one("#theme-detail", Static).update(row_detail(row) if row is not None else "")
        quotes = self.query_one("#theme-quotes", Static)
        if row is None:
            quotes.update("")
        else:
            self.load_quotes(run.id, row.theme)
        position = (self.query_one(DataTable).cursor_row + 1) if row else 0
        self.query_one(StatusBar).show(tr("Thèmes", "Themes"), self.app.project_name,
                                       tr(f"codeur {self.app.coder}", f"coder {self.app.coder}"),
                                       f"{position}/{len(self.links.rows)}", self.last_decision)

    @work(thread=True, exclusive=True, group="theme-quotes")
    def load_quotes(self, run_id: int, theme: int) -> None:
        found = self.app.session.theme_quotes(run_id, theme)
        self.app.call_from_thread(self._quotes_loaded, theme, found)

    def _quotes_loaded(self, theme: int, found) -> None:
        row = self.current()
        if row is None or row.theme != theme:           # the coder moved on meanwhile
            return
        text = Text()
        for q in found:
            text.append_text(Text.assemble((f"{q.document}", "bold"), (f" · {q.speaker or '—'}\n", "dim"),
                                           ("« ", "dim"), (" ".join(q.text.split()), "italic"), (" »\n\n", "dim")))
        self.query_one("#theme-quotes", Static).update(
            text if found else Text(tr("Pas de citation pour ce thème.", "No quote for this theme."), style="dim"))

    # ------------------------------------------------------------------ actions
    def _decide(self, row: ThemeLinkRow, code_id: int, accept: bool) -> None:
        session, run_id = self.app.session, self.links.run.id
        self.app.write_reply(lambda: session.decide_theme_link(run_id, row.theme, code_id, accept), self,
                             ThemeLinkSaved)

    def action_decide(self, accept: bool) -> None:
        row = self.current()
        if row is None:
            return
        if row.code_id is None:
            self.notify(tr("Aucun code proposé pour ce thème : c pour le relier à un code.",
                           "No code suggested for this theme: c to link it to a code."))
            return
        self._decide(row, row.code_id, accept)

    def action_other_code(self) -> None:
        row = self.current()
        if row is None:
            return

        def chosen(code_id) -> None:
            if isinstance(code_id, int):
                self._decide(row, code_id, True)
        self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors,
                                        title=tr(f"Le thème {row.theme} ({row.label}) ressemble à quel code ?",
                                                 f"Theme {row.theme} ({row.label}) resembles which code?")), chosen)

    def on_theme_link_saved(self, message: ThemeLinkSaved) -> None:
        message.stop()
        link = message.link
        self.last_decision = (tr(f"thème {link.theme} → {link.code_key} accepté",
                                 f"theme {link.theme} → {link.code_key} accepted") if link.status == "accepted" else
                              tr(f"thème {link.theme} → {link.code_key} refusé",
                                 f"theme {link.theme} → {link.code_key} rejected"))
        self.load()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if self.links.rows:
            table.move_cursor(row=min(max(table.cursor_row + step, 0), len(self.links.rows) - 1))

    def action_back(self) -> None:
        self.app.pop_screen()
