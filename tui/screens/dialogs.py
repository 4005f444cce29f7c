"""Small modal dialogs: confirm, fill in fields, write a memo, filter the queue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from exporterre_nlp.categories import category_name as category_label
from exporterre_nlp.coders import check_coder
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.i18n import tr
from exporterre_nlp.records import Memo

from ..bindings import bind, localize


class ConfirmDialog(ModalScreen):
    """Yes/no question; returns True or False."""

    BINDINGS = [
        bind("y,o", "answer(True)", "Oui", "Yes"),
        bind("n,escape", "answer(False)", "Non", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        localize(self)
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("Oui (o)", "Yes (y)"), id="yes", variant="warning")
                yield Button(tr("Non (n)", "No (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


class FieldsDialog(ModalScreen):
    """A few text fields; returns ``{name: value}`` or None.

    ``check(values)`` returns an error message to show, or None to accept.
    """

    BINDINGS = [bind("escape", "cancel", "Annuler", "Cancel")]

    def __init__(self, title: str, fields: Sequence[Field],
                 check: Callable[[dict[str, str]], str | None] | None = None,
                 derive: tuple[str, str, Callable[[str], str]] | None = None) -> None:
        """``derive=(source, target, fn)``: typing in ``source`` fills ``target`` with ``fn(source)``
        as long as the person has not written in ``target`` themselves."""
        super().__init__()
        localize(self)
        self.title_text = title
        self.fields = list(fields)
        self.check = check
        self.derive = derive
        self._derived: str | None = None

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.derive is None:
            return
        source, target, fn = self.derive
        box = self.query_one(f"#field-{target}", Input)
        if event.input.id == f"field-{source}":
            initial = next(f.value for f in self.fields if f.name == target)
            if box.value in (initial, self._derived):
                self._derived = fn(event.value)
                box.value = self._derived

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for f in self.fields:
                yield Label(f.label)
                yield Input(value=f.value, placeholder=f.placeholder, id=f"field-{f.name}", select_on_focus=False)
            yield Static("", id="dialog-error", classes="dialog-error")
            yield Label(tr("Entrée : valider · Échap : annuler", "Enter: confirm · Esc: cancel"), classes="dim")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index < len(inputs) - 1:
            inputs[index + 1].focus()
            return
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}
        error = self.check(values) if self.check else None
        if error:
            self.query_one("#dialog-error", Static).update(error)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class MemoTarget:
    target_type: str              # segment | document | code | coding
    target_id: int | None
    label: str


class MemoDialog(ModalScreen):
    """Write a memo on one of ``targets``; returns ``(target, text)`` or None."""

    BINDINGS = [
        bind("ctrl+s", "save", "Enregistrer le mémo", "Save the memo"),
        bind("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, targets: Sequence[MemoTarget], memos: dict[tuple[str, int | None], list[Memo]]) -> None:
        super().__init__()
        localize(self)
        self.targets = list(targets)
        self.memos = memos

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="memo-dialog"):
            yield Label(tr("Mémo", "Memo"), classes="dialog-title")
            with RadioSet(id="memo-target"):
                for i, t in enumerate(self.targets):
                    yield RadioButton(t.label, value=(i == 0))
            with VerticalScroll(id="memo-existing"):
                yield Static("", id="memo-list")
            yield TextArea(id="memo-text", soft_wrap=True, tab_behavior="focus")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("Enregistrer (ctrl+s)", "Save (ctrl+s)"), id="save", variant="primary")
                yield Button(tr("Annuler (Échap)", "Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self._show_existing()
        self.query_one(TextArea).focus()

    @property
    def target(self) -> MemoTarget:
        index = self.query_one(RadioSet).pressed_index
        return self.targets[index if index >= 0 else 0]

    def _show_existing(self) -> None:
        t = self.target
        memos = self.memos.get((t.target_type, t.target_id), [])
        if memos:
            text = "\n".join(f"[b]{m.coder}[/b] ({m.created_at[:10]}) : {m.text}" for m in memos)
        else:
            text = tr("[dim]Aucun mémo ici pour l'instant.[/]", "[dim]No memo here yet.[/]")
        self.query_one("#memo-list", Static).update(text)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._show_existing()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify(tr("Le mémo est vide.", "The memo is empty."), severity="warning")
            return
        self.dismiss((self.target, text))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class QueueFilter:
    category: str | None = None
    code_id: int | None = None
    phase: int | None = None
    origin: str | None = None        # "rule", "model", "topic"

    def describe(self, code_paths: dict[int, str]) -> str:
        parts = []
        if self.category:
            parts.append(tr(f"catégorie {category_label(self.category)}", f"category {category_label(self.category)}"))
        if self.code_id is not None:
            parts.append(code_paths.get(self.code_id, str(self.code_id)))
        if self.phase is not None:
            parts.append(f"phase {self.phase}")
        if self.origin:
            parts.append({"rule": tr("règles", "rules"), "topic": tr("thèmes", "themes"),
                          "model": tr("modèle de phrases", "sentence model")}.get(self.origin, self.origin))
        return ", ".join(parts) if parts else tr("aucun filtre", "no filter")


class FilterDialog(ModalScreen):
    """Choose the category, code, phase and origin of the validation queue."""

    BINDINGS = [
        bind("ctrl+s", "apply", "Appliquer les filtres", "Apply the filters"),
        bind("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, facets, current: QueueFilter) -> None:
        super().__init__()
        localize(self)
        self.facets = facets
        self.current = current

    def compose(self) -> ComposeResult:
        f, c = self.facets, self.current
        every = tr("(tout)", "(all)")
        with Vertical(classes="dialog", id="filter-dialog"):
            yield Label(tr("Filtrer les suggestions", "Filter the suggestions"), classes="dialog-title")
            with Horizontal(classes="filter-row"):
                yield Label(tr("Catégorie", "Category"))
                yield Select([(category_label(x), x) for x in f.categories], prompt=every, id="filter-category",
                             value=c.category if c.category in f.categories else Select.NULL)
            with Horizontal(classes="filter-row"):
                yield Label(tr("Code", "Code"))
                yield Select([(path, cid) for cid, path in f.codes], prompt=every, id="filter-code",
                             value=c.code_id if c.code_id in [cid for cid, _ in f.codes] else Select.NULL)
            with Horizontal(classes="filter-row"):
                yield Label(tr("Phase", "Phase"))
                yield Select([(f"phase {p}", p) for p in f.phases], prompt=every, id="filter-phase",
                             value=c.phase if c.phase in f.phases else Select.NULL)
            with Horizontal(classes="filter-row"):
                yield Label(tr("Origine", "Origin"))
                names = {"rule": tr("règles d'extraction", "extraction rules"), "topic": tr("thèmes", "themes"),
                         "model": tr("modèle de phrases", "sentence model")}
                yield Select([(names.get(o, o), o) for o in f.origins], prompt=every, id="filter-origin",
                             value=c.origin if c.origin in f.origins else Select.NULL)
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("Appliquer (ctrl+s)", "Apply (ctrl+s)"), id="apply", variant="primary")
                yield Button(tr("Tout effacer", "Clear all"), id="clear")
                yield Button(tr("Annuler", "Cancel"), id="cancel")

    def _value(self, selector: str):
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        elif event.button.id == "clear":
            self.dismiss(QueueFilter())
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        self.dismiss(QueueFilter(self._value("#filter-category"), self._value("#filter-code"),
                                 self._value("#filter-phase"), self._value("#filter-origin")))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CoderDialog(ModalScreen):
    """Who codes now, and whether blind (others' codings hidden); returns ``(name, blind)`` or None."""

    BINDINGS = [bind("escape", "cancel", "Annuler", "Cancel")]

    def __init__(self, coder: str, blind: bool, known: Sequence[str]) -> None:
        super().__init__()
        localize(self)
        self.coder, self.blind, self.known = coder, blind, list(known)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="coder-dialog"):
            yield Label(tr("Changer de codeur", "Switch coder"), classes="dialog-title")
            yield Input(value=self.coder, id="coder-name", select_on_focus=True)
            others = ", ".join(self.known) or tr("aucun pour l'instant", "none yet")
            yield Static(tr(f"Codeurs du projet : {others}", f"Coders of the project: {others}"), classes="dim")
            yield Checkbox(tr("Mode aveugle : codages des autres cachés",
                              "Blind mode: the others' codings hidden"),
                           value=self.blind, id="coder-blind")
            yield Static("", id="coder-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("Coder sous ce nom (Entrée)", "Code as this name (Enter)"), id="ok", variant="primary")
                yield Button(tr("Annuler (Échap)", "Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._accept()
        else:
            self.action_cancel()

    def _accept(self) -> None:
        try:
            name = check_coder(self.query_one(Input).value)
        except ExporterreError as exc:
            self.query_one("#coder-error", Static).update(f"{exc.message} {exc.hint or ''}")
            return
        self.dismiss((name, self.query_one(Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CoverageDialog(ModalScreen):
    """« J'ai codé ce document pour… »: the codebook branches this coder has covered in one document.

    Returns the set of branch keys now covered (checked) or None. Counts and comparisons use only the
    documents covered for a branch (docs/report.md, « Couverture »)."""

    BINDINGS = [bind("escape", "cancel", "Annuler", "Cancel"),
                bind("enter", "save", "Enregistrer", "Save", priority=True)]

    def __init__(self, document: str, branches: Sequence[tuple[str, str]], covered: set[str]) -> None:
        super().__init__()
        localize(self)
        self.document, self.branches, self.covered = document, list(branches), set(covered)

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList
        with Vertical(classes="dialog", id="coverage-dialog"):
            yield Label(tr(f"Codé en entier : {self.document}", f"Fully coded: {self.document}"),
                        classes="dialog-title")
            yield Static(tr("Cochez (Espace) les branches que vous avez codées sur tout le document : seuls les "
                            "documents couverts comptent pour une branche, les autres sont « non codés ».",
                            "Tick (Space) the branches you coded over the whole document: only covered documents "
                            "count for a branch, the others are 'not coded'."), classes="dim")
            yield SelectionList(*[(label, key, key in self.covered) for key, label in self.branches],
                                id="coverage-branches")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("Enregistrer (Entrée)", "Save (Enter)"), id="ok", variant="primary")
                yield Button(tr("Annuler (Échap)", "Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        from textual.widgets import SelectionList
        self.query_one(SelectionList).focus()

    def action_save(self) -> None:
        self._accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._accept()
        else:
            self.action_cancel()

    def _accept(self) -> None:
        from textual.widgets import SelectionList
        self.dismiss(set(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
