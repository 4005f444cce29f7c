"""The Exporterre terminal app: code and validate interviews, keyboard first.

``ExporterreApp(project, coder)`` opens on the corpus list; ``document=`` opens a
transcript directly. Screens read and change the project only through the library's
headless :class:`~exporterre_nlp.coding_session.CodingSession` (``app.session``): reads in
workers (``app.read``), changes in one
transaction, from the single writer thread (:mod:`exporterre_tui.writer`), and
is logged: ``u`` undoes and ``ctrl+r`` redoes this coder's actions, across
restarts. ``?`` lists every key.
"""
from __future__ import annotations

import asyncio

from typing import Any, Callable

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import WorkerCancelled

from exporterre_nlp.coding_session import CodingSession
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.i18n import tr
from exporterre_nlp.project import Project
from exporterre_nlp.records import Code, Event

from .bindings import bind, localize
from .messages import StoreChanged, WriteDone
from .writer import StoreWriter

MACHINE = "machine"

_ACTIONS = {
    "coding.add": ("ajout d'un codage", "adding a coding"),
    "coding.delete": ("retrait d'un codage", "removing a coding"),
    "coding.update": ("modification d'un codage", "changing a coding"),
    "memo.add": ("ajout d'un mémo", "adding a memo"), "memo.update": ("modification d'un mémo", "editing a memo"),
    "memo.delete": ("suppression d'un mémo", "deleting a memo"),
    "code.add": ("ajout d'un code", "adding a code"), "code.update": ("modification d'un code", "changing a code"),
    "code.delete": ("suppression d'un code", "deleting a code"),
    "theme_link.accepted": ("lien thème → code accepté", "theme → code link accepted"),
    "theme_link.rejected": ("lien thème → code refusé", "theme → code link rejected"),
}


_DECISIONS = {"accepted": ("acceptation d'une suggestion", "accepting a suggestion"),
              "rejected": ("rejet d'une suggestion", "rejecting a suggestion")}


def describe_event(event: Event) -> str:
    image = event.after or event.before or {}
    if event.entity == "coding" and image.get("status") in _DECISIONS:
        return tr(*_DECISIONS[image["status"]])
    names = _ACTIONS.get(event.action)
    return tr(*names) if names else event.action


class ExporterreApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Exporterre"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        bind("question_mark", "help", "Aide : tous les raccourcis", "Help: every key"),
        bind("u", "undo", "Annuler ma dernière action", "Undo my last action"),
        bind("ctrl+r", "redo", "Rétablir l'action annulée", "Redo the undone action"),
        bind("ctrl+q", "quit", "Quitter", "Quit"),
    ]

    def __init__(self, project: Project, coder: str, *, document: str | int | None = None,
                 machine: str = MACHINE, blind: bool = False) -> None:
        super().__init__()
        localize(self)
        self.project = project
        self.store = project.store
        self.coder = coder
        self.blind = blind              # double coding: the other coders' codings and progress stay hidden
        self.session = CodingSession(self.store, coder, machine=machine, blind=blind)
        self.machine = machine
        self.start_document = document
        self.writer = StoreWriter(self)
        self.codes: list[Code] = []
        self.code_colors: dict[int, str] = {}
        self.code_paths: dict[int, str] = {}
        self.codes_by_id: dict[int, Code] = {}
        self.reload_codes()

    # ------------------------------------------------------------------ codes
    def reload_codes(self, codes: list[Code] | None = None) -> None:
        """Take the codes read by a worker (``codes``), or read them now (at start-up only: a store read)."""
        from exporterre_nlp.coding_tools import code_paths, effective_colors
        self.codes = self.session.codes() if codes is None else codes
        self.codes_by_id = {c.id: c for c in self.codes}
        self.code_colors = effective_colors(self.codes)
        self.code_paths = code_paths(self.codes)

    def sync_codebook_file(self, merged: dict[str, str] | None = None) -> str | None:
        """In the writer thread, after a change to the codes: rewrite the project's codebook.yaml from
        the store (the source of truth for codes; the file keeps its rules). A warning to show, or None."""
        from exporterre_nlp.codebook.sync import write_codebook_from_store
        try:
            write_codebook_from_store(self.project, merged)
        except ExporterreError as exc:
            return tr(f"codebook.yaml n'a pas été mis à jour ({exc.message}) ; le changement est gardé dans le "
                      "projet.", f"codebook.yaml was not updated ({exc.message}); the change is kept in the project.")
        return None

    @property
    def project_name(self) -> str:
        return self.project.path.name

    # ---------------------------------------------------------------- startup
    def on_mount(self) -> None:
        from .screens.corpus import CorpusScreen
        self.push_screen(CorpusScreen())
        if self.start_document is not None:
            self.open_document(self.start_document)

    def open_document(self, ref: str | int, *, at: int | None = None) -> None:
        """Open a document (id or name) in the reader; an unknown name is said there, in French."""
        from .screens.reader import ReaderScreen
        self.push_screen(ReaderScreen(ref, at=at))

    def switch_coder(self, coder: str, blind: bool) -> None:
        """Code as someone else from now on (back to the corpus list, reloaded for them)."""
        from .screens.corpus import CorpusScreen
        self.coder, self.blind = coder, blind
        self.session = CodingSession(self.store, coder, machine=self.machine, blind=blind)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, CorpusScreen):
            self.screen.rebuild_columns()
            self.screen.load()
        self.notify(tr(f"Vous codez maintenant sous le nom « {coder} »", f"You now code as '{coder}'")
                    + (tr(" (mode aveugle : les codages des autres sont cachés).",
                          " (blind mode: the other coders' codings are hidden).") if blind else "."))

    # ------------------------------------------------------------------ reads
    def read(self, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run a store read in a worker thread (after the writes already submitted), then
        ``then(result)`` here: the UI thread never waits for the store."""
        def run() -> None:
            self.writer.wait_committed()
            result = work()
            self.call_from_thread(then, result)
        self.run_worker(run, thread=True, group="reads")

    # ----------------------------------------------------------------- writes
    def write(self, work: Callable[[], Any], then: Callable[[Any], None] | None = None) -> int:
        """Run a store write in the writer thread; ``then(result)`` runs here afterwards."""
        return self.writer.submit(work, then)

    def write_reply(self, work: Callable[[], Any], to: MessagePump, reply: Callable[[Any], Message]) -> int:
        """Run a store write in the writer thread; when it is committed, ``to`` (a screen) receives the
        typed message ``reply(result)`` (e.g. :class:`~exporterre_tui.messages.CodingSaved`). A failure is
        reported by the app as for :meth:`write`, and no message is sent."""
        return self.writer.submit(work, lambda result: to.post_message(reply(result)))

    def on_write_done(self, message: WriteDone) -> None:
        try:
            if message.error is not None:
                self._report(message.error)
                self.screen.post_message(StoreChanged("error"))
            elif message.then is not None:
                message.then(message.result)
        finally:
            self.writer.finished(message.token)

    def _report(self, error: BaseException) -> None:
        if isinstance(error, ExporterreError):
            self.notify(str(error), severity="error", timeout=10)
        else:
            self.log.error(repr(error))
            self.notify(tr(f"Erreur inattendue : {error!r}", f"Unexpected error: {error!r}"),
                        severity="error", timeout=10)

    async def settle(self) -> None:
        """Wait for pending writes and the screens' background loads (tests, benchmarks).

        A load that finds itself stale starts another one, so wait until no
        worker is left rather than for the ones running at the start.
        """
        for _ in range(50):
            await self.writer.settle()
            try:
                await self.workers.wait_for_complete()
            except WorkerCancelled:           # an exclusive load replaced by a newer one: fine
                pass
            await self.writer.settle()
            await self._drain_messages()
            await asyncio.sleep(0.01)
            if not self.writer.busy and not any(not w.is_finished for w in self.workers):
                await self._drain_messages()      # what the last worker posted (e.g. QueueLoaded) is applied
                return

    async def _drain_messages(self, timeout: float = 10.0) -> None:
        """Wait until the app and the current screen's widgets have handled every message queued so far
        (a callback queued behind them on each pump runs once they are handled, as Textual's Pilot does)."""
        try:
            nodes = [self, *self.screen.walk_children(with_self=True)]
        except Exception:                     # no screen yet, or the app is closing
            return
        waits = []
        for node in nodes:
            done = asyncio.Event()
            if node.call_later(done.set):
                waits.append(done.wait())
        if waits:
            try:
                await asyncio.wait_for(asyncio.gather(*waits), timeout)
            except asyncio.TimeoutError:
                pass

    # ------------------------------------------------------------ undo / redo
    def action_undo(self) -> None:
        self.write(lambda: self._history(self.session.undo), lambda r: self._after_history(*r, undo=True))

    def action_redo(self) -> None:
        self.write(lambda: self._history(self.session.redo), lambda r: self._after_history(*r, undo=False))

    def _history(self, step) -> tuple[Event | None, str | None, list[Code] | None]:
        """Undo or redo in the writer thread; codebook.yaml follows when the codes changed (the codes
        are then returned, read here rather than on the UI thread)."""
        before = self.session.codes()
        event = step()
        after = self.session.codes() if event is not None else before
        note = self.sync_codebook_file() if after != before else None
        return event, note, (after if after != before else None)

    def _after_history(self, event: Event | None, note: str | None = None, codes: list[Code] | None = None, *,
                       undo: bool) -> None:
        if note:
            self.notify(note, severity="warning", timeout=10)
        if event is None:
            self.notify(tr("Rien à annuler.", "Nothing to undo.") if undo else tr("Rien à rétablir.", "Nothing to redo."))
            return
        what = describe_event(event)
        self.notify(tr(f"Annulé : {what}.", f"Undone: {what}.") if undo else tr(f"Rétabli : {what}.", f"Redone: {what}."))
        if codes is not None:
            self.reload_codes(codes)
        self.screen.post_message(StoreChanged("history"))

    # ------------------------------------------------------------------- help
    def action_help(self) -> None:
        from .screens.help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(type(self.screen)))


def run_app(project: Project, coder: str, *, document: str | None = None, blind: bool = False) -> None:
    """Run the app in the terminal until the coder quits (all writes committed)."""
    app = ExporterreApp(project, coder, document=document, blind=blind)
    try:
        app.run()
    finally:
        app.writer.shutdown()
