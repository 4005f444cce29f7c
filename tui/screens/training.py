"""Retrain the sentence model on the project's decisions, then analyse again (``t`` in the queue).

The work is the library's :func:`exporterre_nlp.nlp.learning.learn_from_project`,
run in a Textual worker thread: the screen shows its progress (training, then
analysis) and ``Échap`` interrupts it, in which case the project's model,
settings and suggestions stay what they were. Decisions are never touched; the
suggestions nobody decided on are replaced by the new model's.
"""
from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from exporterre_nlp.errors import CancelledError, ExporterreError
from exporterre_nlp.i18n import tr
from exporterre_nlp.records import Progress

from ..bindings import bind, localize


class TrainingScreen(ModalScreen):
    """Training then analysis, with progress; dismissed with a summary (str) or None."""

    BINDINGS = [bind("escape", "cancel", "Interrompre", "Interrupt")]

    def __init__(self) -> None:
        super().__init__()
        localize(self)
        self.cancel = threading.Event()
        self.stage = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="training-dialog"):
            yield Static(tr("Réentraîner le modèle de phrases", "Retrain the sentence model"), classes="dialog-title")
            yield Static(tr("Il apprend des décisions prises dans le projet (suggestions acceptées ou rejetées, "
                            "codages manuels), puis l'analyse est relancée : les suggestions que personne n'a "
                            "décidées sont remplacées, les décisions restent.",
                            "It learns from the decisions made in the project (suggestions accepted or rejected, "
                            "manual codings), then the analysis runs again: the suggestions nobody decided on are "
                            "replaced, decisions stay."), classes="dialog-text")
            yield Static("", classes="dialog-text", id="training-classifier")   # filled by the worker
            yield Static(tr("Préparation…", "Preparing…"), id="training-stage")
            yield ProgressBar(id="training-bar", show_eta=False)
            yield Static(tr("Échap : interrompre (rien ne change alors).",
                            "Esc: interrupt (nothing changes then)."), classes="dialog-text")

    def on_mount(self) -> None:
        # through the app's single writer, like every other store write: it replaces suggestions
        self.app.write(self.run, self._written)

    def run(self) -> tuple[str | None, Exception | None]:
        """In the writer thread: train, analyse again; ``(summary, None)`` or ``(None, error)``."""
        from exporterre_nlp.nlp.learning import learn_from_project, uses_classifier
        classifier = uses_classifier(self.app.project)     # reads the model file: off the UI thread
        if classifier:
            self.app.call_from_thread(self.query_one("#training-classifier", Static).update, tr(
                "Le modèle du projet a un classifieur neuronal (builtin-cnn) : il est entraîné aussi, ce qui "
                "prend une dizaine de minutes.",
                "The project's model has a neural classifier (builtin-cnn): it is trained too, which takes "
                "about ten minutes."))
        try:
            training, result = learn_from_project(self.app.project, progress=self._progress_from_thread,
                                                  cancel=self.cancel, classifier=classifier)
        except Exception as exc:                                  # shown, and the dialog closes
            return None, exc
        segments = len(training.labels.sentences)
        return tr(f"Modèle {training.model.origin} entraîné sur {segments} segments décidés du projet ; "
                  f"analyse : {result.added} suggestions nouvelles, {result.removed} retirées, "
                  f"{result.kept} gardées.",
                  f"Model {training.model.origin} trained on {segments} decided segments of the project; "
                  f"analysis: {result.added} new suggestions, {result.removed} removed, {result.kept} kept."), None

    def _written(self, outcome) -> None:
        self._finished(*outcome)

    def _progress_from_thread(self, progress: Progress) -> None:
        new_stage = (progress.stage or progress.label) != self.stage
        if new_stage or progress.done in (0, progress.total) or progress.done % 25 == 0:
            self.app.call_from_thread(self._show, progress)

    def _show(self, progress: Progress) -> None:
        if self.cancel.is_set():
            return
        if (progress.stage or progress.label) != self.stage:
            self.stage = progress.stage or progress.label
            step = 1 if progress.stage == "training" else 2
            self.query_one("#training-stage", Static).update(
                tr(f"Étape {step}/2 : {progress.label}…", f"Step {step}/2: {progress.label}…"))
        self.query_one("#training-bar", ProgressBar).update(total=max(progress.total, 1), progress=progress.done)

    def _finished(self, summary: str | None, error: Exception | None) -> None:
        if isinstance(error, ExporterreError):
            self.app.notify(str(error), severity="warning" if isinstance(error, CancelledError) else "error",
                            timeout=10)
        elif error is not None:
            self.app.notify(tr(f"Erreur inattendue : {error!r}", f"Unexpected error: {error!r}"), severity="error",
                            timeout=10)
        else:
            self.app.notify(summary, timeout=10)
        self.dismiss(summary)

    def on_unmount(self) -> None:
        self.cancel.set()               # quitting the app interrupts the work too (harmless once it is done)

    def action_cancel(self) -> None:
        self.cancel.set()
        self.query_one("#training-stage", Static).update(tr("Interruption…", "Interrupting…"))
