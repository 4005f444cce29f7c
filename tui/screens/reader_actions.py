"""The reader's actions that change the store or the view: code, recode, resize,
remove, memo, search, show another coder (mixed into :class:`ReaderScreen`)."""
from __future__ import annotations

import time
from bisect import bisect_right

from textual.widgets import Input

from exporterre_nlp.coding_session import CodeResult
from exporterre_nlp.coding_tools import Selection
from exporterre_nlp.i18n import tr

from ..messages import CodingSaved, MemoSaved
from .dialogs import MemoDialog, MemoTarget
from .picker import CodePicker


class ReaderActions:
    """Needs the reader's state: document, segments, cursor, selection, marks, view."""

    # ------------------------------------------------------------------ coding
    def on_coding_saved(self, message: CodingSaved) -> None:
        """A change of my codings is committed: show my codings and recent codes as re-read after it."""
        message.stop()
        update = message.update
        if message.document_id != self.document_id:
            return
        if update.result is not None and not update.result.created:
            path = self.app.code_paths.get(update.result.coding.code_id, "")
            self.notify(tr(f"Déjà codé ainsi : {path}.", f"Already coded so: {path}."))
        if self not in self.app.screen_stack:
            return
        self.mine, self.recent = update.marks, update.recent
        self.view.set_marks(mine=update.marks)
        self.refresh_cursor()
        self.displayed_at = time.perf_counter()

    def _write(self, change) -> None:
        """Run ``change(session)`` in the writer thread, then reload my marks there too; the screen then
        receives :class:`~exporterre_tui.messages.CodingSaved` (a
        :class:`~exporterre_nlp.coding_session.MarksUpdate` carrying what ``change`` returned)."""
        session, doc_id = self.app.session, self.document_id
        writer = self.app.writer
        self.generation += 1

        def work():
            result = change(session)
            writer.committed()
            return session.marks(doc_id, result if isinstance(result, CodeResult) else None)
        self.app.write_reply(work, self, lambda update: CodingSaved(doc_id, update))

    def apply_code(self, code_id: int) -> None:
        if self.selection is None or not self.segments:
            return
        sel, doc_id = self.selection, self.document_id
        segment_id = self.segments[self.cursor].id
        self._write(lambda s: s.code(doc_id, sel.start, sel.end, code_id, segment_id=segment_id))

    def action_code(self) -> None:
        if not self.segments:
            return

        def chosen(code_id) -> None:
            if isinstance(code_id, int):
                self.apply_code(code_id)
        self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors, recent=self.recent), chosen)

    def action_recent(self, n: int) -> None:
        if n - 1 < len(self.recent):
            self.apply_code(self.recent[n - 1])
        else:
            self.notify(tr(f"Pas de code récent n° {n} : codez d'abord avec Entrée.",
                           f"No recent code #{n}: code with Enter first."), severity="warning")

    def action_focus_coding(self, step: int) -> None:
        here = self.my_codings_here()
        if not here:
            self.notify(tr("Aucun de vos codages sur ce segment.", "None of your codings on this turn."))
            return
        self.focus_index = 0 if self.focus_index is None and step > 0 else (
            (self.focus_index or 0) + step) % len(here)
        self.refresh_cursor()

    def _need_focused(self):
        mark = self.focused_mark()
        if mark is None:
            here = self.my_codings_here()
            if len(here) == 1:
                return here[0]
            self.notify(tr("Choisissez d'abord un codage avec Tab.", "Pick a coding with Tab first."),
                        severity="warning")
        return mark

    def action_remove(self) -> None:
        mark = self._need_focused()
        if mark is not None:
            self.focus_index = None
            self._write(lambda s: s.remove(mark.id))
            self.notify(tr(f"Codage retiré : {mark.path} (u pour annuler).",
                           f"Coding removed: {mark.path} (u to undo)."))

    def action_recode(self) -> None:
        mark = self._need_focused()
        if mark is None:
            return

        def chosen(code_id) -> None:
            if isinstance(code_id, int) and code_id != mark.code_id:
                self._write(lambda s: s.recode(mark.id, code_id))
        self.app.push_screen(CodePicker(self.app.codes, self.app.code_colors, recent=self.recent,
                                        title=tr(f"Nouveau code pour {mark.path}", f"New code for {mark.path}")), chosen)

    def action_resize(self) -> None:
        mark = self._need_focused()
        if mark is not None and self.selection is not None:
            sel = self.selection
            self._write(lambda s: s.resize(mark.id, sel.start, sel.end))

    # ------------------------------------------------------------------- memos
    def action_memo(self) -> None:
        if not self.segments or self.document is None:
            return
        seg = self.segments[self.cursor]
        targets = [MemoTarget("segment", seg.id, tr(f"ce segment ({self.cursor + 1})", f"this turn ({self.cursor + 1})")),
                   MemoTarget("document", self.document_id, tr(f"le document {self.document.name}",
                                                               f"the document {self.document.name}"))]
        mark = self.focused_mark() or (self.my_codings_here()[0] if self.my_codings_here() else None)
        if mark is not None:
            targets.append(MemoTarget("code", mark.code_id, tr(f"le code {mark.path}", f"the code {mark.path}")))
            targets.append(MemoTarget("coding", mark.id, tr("ce codage", "this coding")))
        session, doc_id = self.app.session, self.document_id

        def saved(result) -> None:
            if not result:
                return
            target, text = result
            self.app.write_reply(lambda: (session.add_memo(target.target_type, target.target_id, text),
                                          session.memo_counts(doc_id)), self, lambda done: MemoSaved(*done))

        def show(memos) -> None:
            if self.app.screen is self:
                self.app.push_screen(MemoDialog(targets, memos), saved)
        self.app.read(lambda: {(t.target_type, t.target_id): session.memos(t.target_type, t.target_id)
                               for t in targets}, show)

    def on_memo_saved(self, message: MemoSaved) -> None:
        message.stop()
        counts = message.memo_counts
        self.notify(tr("Mémo enregistré.", "Memo saved."))
        if self in self.app.screen_stack:
            self.memo_counts = counts
            self.view.set_marks(memos=set(counts))
            self.refresh_cursor()

    # ------------------------------------------------------------------ search
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.value = self.query_text
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        event.input.display = False
        self.view.focus()
        self.query_text = event.value.strip()
        if not self.query_text:
            return
        session, doc_id, query = self.app.session, self.document_id, self.query_text
        self.app.read(lambda: session.search(doc_id, query), lambda found: self._found(query, found))

    def _found(self, query: str, found: list[tuple[int, int]]) -> None:
        if query != self.query_text or self not in self.app.screen_stack:
            return                                   # another search started meanwhile
        self.hits = [h for h in found if self._segment_of(h[0]) is not None]
        self.view.set_hits(self.hits)
        if not self.hits:
            self.notify(tr(f"« {self.query_text} » : aucune occurrence.", f"'{self.query_text}': no match."))
            self._show_status()
            return
        here = self.starts[self.cursor] if self.segments else 0
        self.hit_index = next((i for i, h in enumerate(self.hits) if h[0] >= here), 0) - 1
        self.action_next_hit(1)

    def _segment_of(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset) - 1
        return i if i >= 0 and offset < self.ends[i] else None

    def action_next_hit(self, step: int) -> None:
        if not self.hits:
            return
        self.hit_index = (self.hit_index + step) % len(self.hits)
        a, b = self.hits[self.hit_index]
        index = self._segment_of(a)
        seg = self.segments[index]
        self.go_to(index, Selection.around(self.document.text, seg.start, seg.end, a, b))

    # ------------------------------------------------------------ other coder
    def action_other_coder(self) -> None:
        if self.app.blind:
            self.notify(tr("Mode aveugle : les codages des autres codeurs restent cachés.",
                           "Blind mode: the other coders' codings stay hidden."), severity="warning")
            return
        coders = self.app.session.other_coders()
        if not coders:
            self.notify(tr("Aucun autre codeur dans ce projet.", "No other coder in this project."))
            return
        cycle = [None] + coders
        index = cycle.index(self.other_coder) if self.other_coder in cycle else 0
        self.other_coder = cycle[(index + 1) % len(cycle)]
        if self.other_coder is None:
            self.others = []
            self.view.set_marks(others=[])
            self.refresh_cursor()
        else:
            self.reload_marks()
