"""``?``: every key of every screen, the current screen first."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from exporterre_nlp.i18n import tr

from ..bindings import bind, describe_bindings, localize


def screen_titles():
    from ..app import ExporterreApp
    from .codebook import CodebookScreen
    from .corpus import CorpusScreen
    from .dialogs import FilterDialog, MemoDialog
    from .picker import CodePicker
    from .reader import ReaderScreen
    from .themes import ThemesScreen
    from .validation import ValidationScreen
    return [
        (ReaderScreen, tr("Lecture et codage", "Reading and coding")),
        (ValidationScreen, tr("Validation des suggestions", "Validating suggestions")),
        (CorpusScreen, tr("Corpus", "Corpus")),
        (CodebookScreen, tr("Livre de codes", "Codebook")),
        (ThemesScreen, tr("Thèmes et codes", "Themes and codes")),
        (CodePicker, tr("Choix d'un code", "Code picker")),
        (MemoDialog, tr("Mémo", "Memo")),
        (FilterDialog, tr("Filtres", "Filters")),
        (ExporterreApp, tr("Partout", "Everywhere")),
    ]


def help_table(first: type | None = None) -> Table:
    """A two-column table of keys and what they do, grouped by screen."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    sections = screen_titles()
    sections.sort(key=lambda s: 0 if s[0] is first else 1)
    for n, (cls, title) in enumerate(sections):
        if n:
            table.add_row("", "")
        table.add_row(Text(title, style="bold underline"), "")
        for keys, description in describe_bindings(cls.BINDINGS):
            table.add_row(keys, description)
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [bind("escape,question_mark,q", "close", "Fermer l'aide", "Close the help")]

    def __init__(self, current: type | None = None) -> None:
        super().__init__()
        localize(self)
        self.current = current
        self.table = help_table(current)

    def plain_text(self, width: int = 120) -> str:
        """The help as plain text (what the screen shows)."""
        import io

        from rich.console import Console
        console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
        console.print(self.table)
        return console.export_text()

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(tr("Aide : raccourcis clavier (Échap pour fermer)", "Help: keyboard shortcuts (Esc to close)"),
                        classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self.table, id="help-table")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
