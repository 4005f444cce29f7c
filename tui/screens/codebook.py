"""The codebook screen: browse and edit codes, with counts; no change loses codings.

Merging moves every coding to the target code; deleting a code that carries
codings asks first; every change is one undoable action (``u``).
"""
from __future__ import annotations

import re

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree

from exporterre_nlp.coding_session import CodeCounts
from exporterre_nlp.coding_tools import PALETTE, tree_order
from exporterre_nlp.exchange.names import ascii_slug
from exporterre_nlp.i18n import tr
from exporterre_nlp.records import Code

from ..bindings import bind, help_binding, localize
from ..messages import CodebookEdited, StoreChanged
from ..widgets.status import StatusBar
from .dialogs import ConfirmDialog, Field, FieldsDialog, MemoDialog, MemoTarget
from .picker import ROOT, CodePicker

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY_RE = re.compile(r"^[a-z0-9_.-]+$")


class CodebookScreen(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        help_binding(),
        bind("a", "add(False)", "Ajouter un sous-code", "Add a child code"),
        bind("A", "add(True)", "Ajouter un code racine", "Add a root code", show=False),
        bind("r", "rename", "Renommer", "Rename"),
        bind("d", "define", "Définition", "Definition", show=False),
        bind("k", "color", "Couleur", "Colour", show=False),
        bind("p", "move", "Déplacer (changer de parent)", "Move (change parent)", show=False),
        bind("g", "merge", "Fusionner dans un autre code", "Merge into another code"),
        bind("x,delete", "delete", "Supprimer", "Delete"),
        bind("m", "memo", "Mémo sur le code", "Memo on the code", show=False),
        bind("escape", "back", "Retour", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize(self)
        self.counts: dict[int, int] = {}
        self.mine: dict[int, int] = {}
        self.all_counts: dict[int, int] = {}
        self.selected_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(tr("Livre de codes · chaque changement est aussi écrit dans codebook.yaml",
                        "Codebook · every change is also written to codebook.yaml"),
                     id="codebook-title", classes="screen-title")
        with Horizontal(id="codebook-body"):
            yield Tree(tr("Codes", "Codes"), id="code-tree")
            with VerticalScroll(id="code-detail-box"):
                yield Static("", id="code-detail")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="codebook-load")
    def load(self) -> None:
        self.app.writer.wait_committed()
        session = self.app.session
        self.app.call_from_thread(self._loaded, session.codes(), session.code_counts())

    def _loaded(self, codes: list[Code], counts: CodeCounts) -> None:
        self.app.reload_codes(codes)
        self.counts, self.mine, self.all_counts = counts.coded, counts.mine, counts.carried
        self.rebuild()

    # ---------------------------------------------------------------- display
    def _label(self, code: Code) -> Text:
        n, mine = self.counts.get(code.id, 0), self.mine.get(code.id, 0)
        if self.app.blind:                  # blind mode: nothing of the other coders, their counts included
            return Text.assemble(("■ ", self.app.code_colors.get(code.id, "")), (code.label, "bold"),
                                 (f"  {code.key}", "dim"), (tr(f"  moi {mine}", f"  me {mine}"), "cyan"))
        return Text.assemble(("■ ", self.app.code_colors.get(code.id, "")), (code.label, "bold"),
                             (f"  {code.key}", "dim"), (f"  {n}", "cyan"),
                             (tr(f" (moi {mine})", f" (me {mine})") if mine else "", "dim"))

    def rebuild(self) -> None:
        tree = self.query_one(Tree)
        keep = self.selected_id
        tree.clear()
        nodes = {None: tree.root}
        target_line = None
        parents = {c.parent_id for c in self.app.codes}
        for code, _depth in tree_order(self.app.codes):
            parent = nodes.get(code.parent_id, tree.root)
            if code.id in parents:
                node = parent.add(self._label(code), data=code.id, expand=True)
            else:
                node = parent.add_leaf(self._label(code), data=code.id)
            nodes[code.id] = node
            if code.id == keep or target_line is None:
                target_line = node          # the code kept from before, else the first one
        tree.root.expand_all()
        if target_line is not None:
            self.call_after_refresh(lambda: tree.move_cursor(target_line))
        self.query_one(StatusBar).show(tr("Livre de codes", "Codebook"), self.app.project_name,
                                       tr(f"codeur {self.app.coder}", f"coder {self.app.coder}"),
                                       tr(f"{len(self.app.codes)} codes", f"{len(self.app.codes)} codes"))
        self.show_detail()

    def current(self) -> Code | None:
        node = self.query_one(Tree).cursor_node
        if node is None or node.data is None:
            return None
        return self.app.codes_by_id.get(node.data)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.selected_id = event.node.data
        self.show_detail()

    def show_detail(self) -> None:
        code = self.current()
        detail = self.query_one("#code-detail", Static)
        if code is None:
            detail.update(Text(tr("Aucun code : a pour en ajouter un.", "No code: a to add one.") if not self.app.codes
                               else tr("↑/↓ pour choisir un code.", "↑/↓ to pick a code."), style="dim"))
            return
        out = Text()
        out.append("■ ", style=self.app.code_colors.get(code.id, ""))
        out.append(self.app.code_paths.get(code.id, code.label), style="bold")
        out.append(f"\n{code.key}", style="dim")
        if self.app.blind:
            out.append(tr(f"\nmoi : {self.mine.get(code.id, 0)} codage(s) (mode aveugle : ceux des autres cachés)",
                          f"\nme: {self.mine.get(code.id, 0)} coding(s) (blind mode: the others' hidden)"))
        else:
            out.append(tr(f"\n{self.counts.get(code.id, 0)} codage(s) · moi {self.mine.get(code.id, 0)} · "
                          f"{self.all_counts.get(code.id, 0) - self.counts.get(code.id, 0)} suggestion(s)/rejet(s)",
                          f"\n{self.counts.get(code.id, 0)} coding(s) · me {self.mine.get(code.id, 0)} · "
                          f"{self.all_counts.get(code.id, 0) - self.counts.get(code.id, 0)} suggestion(s)/rejection(s)"))
        if code.definition:
            out.append("\n\n" + code.definition)
        attrs = code.attributes or {}
        for key, fr, en in (("use_when", "Utiliser quand", "Use when"), ("not_when", "Ne pas utiliser quand",
                                                                          "Do not use when")):
            if attrs.get(key):
                out.append(f"\n\n{tr(fr, en)} : ", style="bold")
                out.append(str(attrs[key]))
        if attrs.get("examples"):
            out.append("\n\n" + tr("Exemples :", "Examples:"), style="bold")
            for example in attrs["examples"]:
                out.append(f"\n  « {example} »", style="italic")
        detail.update(out)

    # ---------------------------------------------------------------- actions
    def _write(self, work_fn, done_message: str | None = None, merged: dict[str, str] | None = None) -> None:
        """Change the codes, then rewrite codebook.yaml from the store (same writer thread)."""
        def work():
            work_fn()
            return self.app.sync_codebook_file(merged)
        self.app.write_reply(work, self, lambda note: CodebookEdited(done_message, note))

    def on_codebook_edited(self, message: CodebookEdited) -> None:
        """A codebook edit is committed (and codebook.yaml rewritten, or why not): say so, reload."""
        message.stop()
        if message.said:
            self.notify(message.said)
        if message.file_note:
            self.notify(message.file_note, severity="warning", timeout=10)
        self.load()

    def _need_code(self) -> Code | None:
        code = self.current()
        if code is None:
            self.notify(tr("Choisissez d'abord un code.", "Pick a code first."), severity="warning")
        return code

    def action_add(self, root: bool) -> None:
        parent = None if root else self.current()
        session = self.app.session
        prefix = f"{parent.key}." if parent else ""
        existing = {c.key for c in self.app.codes}

        def check(values: dict[str, str]) -> str | None:
            if not values["label"]:
                return tr("Le libellé est obligatoire.", "The label is required.")
            if not KEY_RE.match(values["key"]):
                return tr("Clé : minuscules, chiffres, . _ - seulement.", "Key: lower case, digits, . _ - only.")
            if values["key"] in existing:
                return tr(f"La clé « {values['key']} » existe déjà.", f"Key '{values['key']}' already exists.")
            return None

        def done(values) -> None:
            if values:
                self._write(lambda: session.add_code(values["key"], values["label"],
                                                     parent=parent.id if parent else None),
                            tr(f"Code ajouté : {values['label']}.", f"Code added: {values['label']}."))
        title = (tr(f"Nouveau sous-code de {parent.label}", f"New child code of {parent.label}") if parent
                 else tr("Nouveau code racine", "New root code"))
        def key_of(label: str) -> str:            # « Garde d'enfants » → besoins.garde_d_enfants
            return prefix + ascii_slug(label, empty="") if label.strip() else prefix
        self.app.push_screen(FieldsDialog(title, [Field("label", tr("Libellé", "Label")),
                                                  Field("key", tr("Clé (unique, tirée du libellé)",
                                                                  "Key (unique, from the label)"), prefix)],
                                          check, derive=("label", "key", key_of)), done)

    def _edit_one(self, field: str, title: str, label: str, current: str, check=None) -> None:
        code = self._need_code()
        if code is None:
            return
        session = self.app.session

        def done(values) -> None:
            if values is not None:
                value = values[field] or None
                self._write(lambda: session.update_code(code.id, **{field: value}))
        self.app.push_screen(FieldsDialog(title, [Field(field, label, current)], check), done)

    def action_rename(self) -> None:
        code = self.current()
        self._edit_one("label", tr("Renommer le code", "Rename the code"), tr("Libellé", "Label"),
                       code.label if code else "",
                       lambda v: None if v["label"] else tr("Le libellé est obligatoire.", "The label is required."))

    def action_define(self) -> None:
        code = self.current()
        self._edit_one("definition", tr("Définition du code", "Definition of the code"),
                       tr("Définition", "Definition"), (code.definition or "") if code else "")

    def action_color(self) -> None:
        code = self.current()
        self._edit_one("color", tr("Couleur du code", "Colour of the code"),
                       tr(f"#rrggbb (vide : celle du parent) ; p. ex. {', '.join(PALETTE[:4])}",
                          f"#rrggbb (empty: the parent's); e.g. {', '.join(PALETTE[:4])}"),
                       (code.color or "") if code else "",
                       lambda v: None if not v["color"] or COLOR_RE.match(v["color"]) else tr(
                           "Couleur attendue au format #rrggbb.", "Colour expected as #rrggbb."))

    def _descendants(self, code_id: int) -> set[int]:
        out, frontier = {code_id}, [code_id]
        while frontier:
            current = frontier.pop()
            for c in self.app.codes:
                if c.parent_id == current and c.id not in out:
                    out.add(c.id)
                    frontier.append(c.id)
        return out

    def action_move(self) -> None:
        code = self._need_code()
        if code is None:
            return
        session = self.app.session

        def chosen(target) -> None:
            if target is None:
                return
            parent = None if target == ROOT else target
            self._write(lambda: session.update_code(code.id, parent=parent),
                        tr(f"Code déplacé : {code.label}.", f"Code moved: {code.label}."))
        self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors, allow_root=True,
                                        exclude=self._descendants(code.id),
                                        title=tr(f"Ranger « {code.label} » sous…", f"Move '{code.label}' under…")),
                             chosen)

    def action_merge(self) -> None:
        code = self._need_code()
        if code is None:
            return
        session = self.app.session

        def chosen(target) -> None:
            if isinstance(target, int):
                name = self.app.code_paths.get(target, "")
                merged = {code.key: self.app.codes_by_id[target].key}      # its rules follow it in codebook.yaml
                self._write(lambda: session.merge_codes(code.id, target),
                            tr(f"« {code.label} » fusionné dans « {name} » ; ses codages ont suivi (u pour annuler).",
                               f"'{code.label}' merged into '{name}'; its codings moved (u to undo)."), merged)
        self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors, exclude=self._descendants(code.id),
                                        title=tr(f"Fusionner « {code.label} » dans…", f"Merge '{code.label}' into…")),
                             chosen)

    def action_delete(self) -> None:
        code = self._need_code()
        if code is None:
            return
        session = self.app.session
        n = self.all_counts.get(code.id, 0)
        if n == 0:
            self._write(lambda: session.delete_code(code.id),
                        tr(f"Code supprimé : {code.label} (u pour annuler).", f"Code deleted: {code.label} (u to undo)."))
            return

        def confirmed(yes: bool) -> None:
            if yes:
                self._write(lambda: session.delete_code(code.id, with_codings=True),
                            tr(f"Code et {n} codage(s) supprimés (u pour annuler).",
                               f"Code and {n} coding(s) deleted (u to undo)."))
        self.app.push_screen(ConfirmDialog(tr(
            f"« {code.label} » porte {n} codage(s) (tous codeurs, suggestions comprises).\n"
            f"Les supprimer avec le code ? (annulable avec u ; pour les garder, fusionnez plutôt avec g)",
            f"'{code.label}' carries {n} coding(s) (all coders, suggestions included).\n"
            f"Delete them with the code? (undo with u; to keep them, merge with g instead)")), confirmed)

    def action_memo(self) -> None:
        code = self._need_code()
        if code is None:
            return
        session = self.app.session
        target = MemoTarget("code", code.id, tr(f"le code {code.label}", f"the code {code.label}"))

        def saved(result) -> None:
            if result:
                t, text = result
                self._write(lambda: session.add_memo(t.target_type, t.target_id, text),
                            tr("Mémo enregistré.", "Memo saved."))

        def show(memos) -> None:
            if self.app.screen is self:
                self.app.push_screen(MemoDialog([target], {("code", code.id): memos}), saved)
        self.app.read(lambda: session.memos("code", code.id), show)

    def action_back(self) -> None:
        self.app.pop_screen()
