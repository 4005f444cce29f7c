"""The code picker: the codebook tree with fuzzy search by key or label.

Typing ``bes log`` keeps « besoins › logement »; an empty search shows the
recent codes first, then the whole tree. Enter picks, Escape cancels. The
highlighted code is written whole under the list (path, key, definition): the
list itself cuts what is wider than the dialog.
"""
from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from exporterre_nlp.coding_tools import code_paths, fuzzy_codes, tree_order
from exporterre_nlp.i18n import tr
from exporterre_nlp.records import Code

from ..bindings import bind, localize

ROOT = "root"


def _swatch(color: str) -> Text:
    return Text("■ ", style=color)


class CodePicker(ModalScreen):
    """Returns the chosen code id, :data:`ROOT` (when ``allow_root``), or None."""

    BINDINGS = [
        bind("escape", "cancel", "Annuler", "Cancel"),
        bind("down", "move(1)", "Code suivant", "Next code", show=False),
        bind("up", "move(-1)", "Code précédent", "Previous code", show=False),
        bind("pagedown", "move(8)", "Page suivante", "Next page", show=False),
        bind("pageup", "move(-8)", "Page précédente", "Previous page", show=False),
    ]

    def __init__(self, codes: Sequence[Code], colors: dict[int, str], *, recent: Sequence[int] = (),
                 title: str | None = None, allow_root: bool = False, exclude: set[int] | None = None) -> None:
        super().__init__()
        localize(self)
        self.codes = [c for c in codes if c.id not in (exclude or set())]
        self.code_colors = colors
        self.recent = [r for r in recent if any(c.id == r for c in self.codes)]
        self.title_text = title or tr("Choisir un code", "Choose a code")
        self.allow_root = allow_root
        self.code_paths = code_paths(codes)
        self.codes_by_id = {c.id: c for c in self.codes}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(self.title_text, id="picker-title")
            yield Input(placeholder=tr("Chercher : clé ou libellé, p. ex. « bes log »",
                                       "Search: key or label, e.g. 'bes log'"), id="picker-query")
            yield OptionList(id="picker-options")
            yield Static("", id="picker-detail")      # the highlighted code whole: path, key, definition
            yield Label(tr("Entrée : choisir · ↑↓ : parcourir · Échap : annuler",
                           "Enter: choose · ↑↓: browse · Esc: cancel"), id="picker-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        items: list[Option] = []
        if not query.strip():
            if self.allow_root:
                items.append(Option(Text(tr("(racine : aucun parent)", "(root: no parent)"), style="italic"),
                                    id=ROOT))
            for n, cid in enumerate(self.recent[:9], start=1):
                items.append(Option(Text.assemble((f"{n} ", "bold"), _swatch(self.code_colors.get(cid, "")),
                                                  (self.code_paths[cid], "")), id=f"recent-{cid}"))
            if self.recent:
                items.append(Option(Text("─" * 30, style="dim"), disabled=True))
            for code, depth in tree_order(self.codes):
                items.append(Option(Text.assemble("  " * depth, _swatch(self.code_colors.get(code.id, "")),
                                                  (code.label, "bold" if depth == 0 else ""),
                                                  (f"  {code.key}", "dim")), id=str(code.id)))
        else:
            for match in fuzzy_codes(query, self.codes):
                items.append(Option(Text.assemble(_swatch(self.code_colors.get(match.code.id, "")), match.path,
                                                  (f"  {match.code.key}", "dim")), id=str(match.code.id)))
        options.add_options(items)
        first = next((i for i, o in enumerate(items) if not o.disabled), None)
        if first is not None:
            options.highlighted = first
        self.show_detail(items[first].id if first is not None else None)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The option list cuts what is wider than the dialog: the highlighted code is written whole here."""
        event.stop()
        self.show_detail(event.option.id)

    def show_detail(self, option_id: str | None) -> None:
        detail = self.query_one("#picker-detail", Static)
        if option_id is None or option_id == ROOT:
            detail.update(Text(tr("Ranger à la racine du livre de codes.", "Put at the root of the codebook.")
                               if option_id == ROOT else "", style="dim"))
            return
        code = self.codes_by_id.get(int(option_id.removeprefix("recent-")))
        if code is None:
            detail.update("")
            return
        out = Text.assemble(_swatch(self.code_colors.get(code.id, "")), (self.code_paths[code.id], "bold"), "\n")
        if code.definition:
            out.append(" ".join(code.definition.split()) + "  ", style="italic")
        out.append(code.key, style="dim")
        detail.update(out)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is None:
            return
        if option_id == ROOT:
            self.dismiss(ROOT)
            return
        self.dismiss(int(option_id.removeprefix("recent-")))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not options.option_count:
            return
        index = options.highlighted if options.highlighted is not None else -1
        target = min(max(index + step, 0), options.option_count - 1)
        while 0 <= target < options.option_count and options.get_option_at_index(target).disabled:
            target += 1 if step > 0 else -1
        if 0 <= target < options.option_count:
            options.highlighted = target

    def action_cancel(self) -> None:
        self.dismiss(None)
