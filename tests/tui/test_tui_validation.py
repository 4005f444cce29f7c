"""Validation queue workflows driven with Pilot, asserting on the store."""
from __future__ import annotations

from textual.widgets import Select

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.dialogs import FilterDialog
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.reader import ReaderScreen
from exporterre_tui.screens.validation import ValidationScreen
from tui_helpers import drive, press, settle, type_text


def decisions(store, coder="amina"):
    return sorted((c for c in store.list_codings(coder=coder) if c.source_id is not None), key=lambda c: c.id)


def test_accept_reject_skip_and_accept_under_another_code(open_project):
    project = open_project()
    store = project.store
    queue = store.pending_for("amina")
    assert len(queue) == 5
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, ValidationScreen) and len(screen.items) == 5
        first, second, third, fourth, fifth = (i.id for i in screen.items)
        evidence = str(screen.query_one("#evidence").render())
        assert "règle" in evidence and "score" in evidence
        passage = str(screen.query_one("#passage").render())
        assert screen.items[0].text in " ".join(passage.split())
        await press(pilot, "y")
        await press(pilot, "n")
        await press(pilot, "s")                                   # third stays pending
        assert [i.id for i in screen.items][:2] == [third, fourth]
        await press(pilot, "c")
        assert isinstance(app.screen, CodePicker)
        await type_text(pilot, "local")
        await press(pilot, "enter")
        assert [i.id for i in screen.items] == [third, fifth]
        return first, second, fourth

    first, second, fourth = drive(app, scenario)
    made = decisions(store)
    assert [(d.source_id, d.status) for d in made] == [(first, "accepted"), (second, "rejected"),
                                                       (fourth, "accepted")]
    for d in made:
        s = store.get_coding(d.source_id)
        assert (d.origin, d.start, d.end, d.document_id) == (s.origin, s.start, s.end, s.document_id)
    assert store.get_code(made[2].code_id).key == "besoins.local"
    assert store.coding_details(made[2].id)["suggested_code_id"] == store.get_coding(fourth).code_id
    assert len(store.pending_for("amina")) == 2
    assert len(store.pending_for("karim")) == 5                      # karim's queue is his own


def test_undo_in_the_queue_brings_the_suggestion_back(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "v", "y")
        assert len(app.screen.items) == 4 and len(decisions(store)) == 1
        await press(pilot, "u")
        assert decisions(store) == []
        assert len(app.screen.items) == 5

    drive(app, scenario)


def test_filter_the_queue_by_origin_and_by_category(open_project):
    project = open_project()
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "v", "f")
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        dialog.query_one("#filter-origin", Select).value = "topic"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        screen = app.screen
        assert [i.origin for i in screen.items] == ["topic:2"]
        assert "thèmes" in str(screen.query_one("#queue-title").render())
        await press(pilot, "f")
        app.screen.query_one("#filter-origin", Select).value = Select.NULL
        app.screen.query_one("#filter-category", Select).value = "competence"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert {i.category for i in screen.items} == {"competence"} and len(screen.items) == 2

    drive(app, scenario)


def test_queue_of_one_document_and_open_in_context(open_project):
    project = open_project()
    doc = project.store.get_document("habitante_arlequin")
    app = ExporterreApp(project, "amina", document="habitante_arlequin")

    async def scenario(pilot):
        await press(pilot, "v")
        screen = app.screen
        assert {i.document_id for i in screen.items} == {doc.id} and len(screen.items) == 4
        await press(pilot, "j", "o")
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader is not screen
        start = screen.items[1].start
        seg = reader.segments[reader.cursor]
        assert seg.start <= start < seg.end

    drive(app, scenario)


def _ready_to_learn(project, monkeypatch, tmp_path):
    """The shipped codebook in the project (as `exporterre init` puts it), and training on 250 dev
    sentences instead of the 4,074 shipped ones (the same code, in seconds)."""
    import json
    import shutil

    from exporterre_nlp.project import default_codebook_path
    shutil.copy(default_codebook_path(), project.codebook_path)
    project.store.sync_codebook(project.codebook())

    from exporterre_nlp.nlp.sentence import training
    from exporterre_nlp.nlp.evaluate import load_eval_set
    path = tmp_path / "phrases.jsonl"
    path.write_text("\n".join(json.dumps({"id": s.id, "source": s.source, "split": s.split, "text": s.text,
                                          "labels": [{"category": g.category, "start": g.start, "end": g.end}
                                                     for g in s.labels]}, ensure_ascii=False)
                              for s in load_eval_set(split="dev")[:250]), encoding="utf-8")
    monkeypatch.setattr(training, "default_training_sets", lambda: [(path, None)])


def _mounted(monkeypatch, screen_class) -> list:
    """The instances of ``screen_class`` mounted from now on: a screen whose worker may finish and dismiss it
    before the test looks at ``app.screen`` (training on a small set takes a few seconds) is still seen."""
    shown, mount = [], screen_class.on_mount

    def recording(self):
        shown.append(self)
        return mount(self)
    monkeypatch.setattr(screen_class, "on_mount", recording)
    return shown


def test_retrain_from_the_queue_learns_our_decisions_and_reloads_the_queue(open_project, monkeypatch, tmp_path):
    from exporterre_nlp.nlp.learning import PROJECT_MODEL_FILE
    from exporterre_tui.screens.training import TrainingScreen
    project = open_project()
    _ready_to_learn(project, monkeypatch, tmp_path)
    store = project.store
    app = ExporterreApp(project, "amina")
    mounted = _mounted(monkeypatch, TrainingScreen)

    async def scenario(pilot):
        await press(pilot, "v", "y", "n")
        await pilot.press("t")
        assert len(mounted) == 1, [n.message for n in app._notifications]
        await settle(pilot)                                       # training, then the analysis
        assert isinstance(app.screen, ValidationScreen)
        notes = [n.message for n in app._notifications]
        assert notes and notes[-1].startswith("Modèle model:phrases entraîné sur"), notes
        return [i.id for i in app.screen.items]

    shown = drive(app, scenario)
    assert (project.path / PROJECT_MODEL_FILE).exists()
    assert project.settings.extraction.sentence_model == PROJECT_MODEL_FILE
    assert "modele_phrases.json.gz" in (project.path / "settings.yaml").read_text(encoding="utf-8")
    assert [d.status for d in decisions(store)] == ["accepted", "rejected"]      # decisions untouched
    run = store.latest_run("analyse")
    assert run is not None and run.summary["sentence_model"] == "model:phrases"
    assert run.settings["extraction"]["sentence_model"] == PROJECT_MODEL_FILE
    # the queue shows what the new analysis suggests to amina
    assert sorted(shown) == sorted(c.id for c in store.pending_for("amina"))


def test_retraining_interrupted_with_escape_changes_nothing(open_project, monkeypatch, tmp_path):
    from exporterre_nlp.nlp.learning import PROJECT_MODEL_FILE
    project = open_project()
    _ready_to_learn(project, monkeypatch, tmp_path)
    store = project.store
    app = ExporterreApp(project, "amina")
    settings = (project.path / "settings.yaml").read_bytes()
    # training on 250 sentences can finish before Esc arrives on a fast machine: the work waits for
    # the interruption (at most 60 s), then runs the real code, which must see it and stop
    from exporterre_nlp.nlp import learning
    real = learning.learn_from_project

    def waits_for_escape(project, *, cancel, **kwargs):
        cancel.wait(60)
        return real(project, cancel=cancel, **kwargs)
    monkeypatch.setattr(learning, "learn_from_project", waits_for_escape)

    async def scenario(pilot):
        await press(pilot, "v", "y")
        before = sorted(c.id for c in store.pending_for("amina"))
        await pilot.press("t")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ValidationScreen)
        assert "Entraînement interrompu" in [n.message for n in app._notifications][-1]
        return before

    before = drive(app, scenario)
    assert not (project.path / PROJECT_MODEL_FILE).exists()
    assert (project.path / "settings.yaml").read_bytes() == settings
    assert store.latest_run("analyse") is None
    assert sorted(c.id for c in store.pending_for("amina")) == before


def test_retraining_a_project_on_builtin_cnn_says_the_classifier_is_trained_too(open_project, monkeypatch, tmp_path):
    """The note is read from the model file in the worker; Esc still interrupts, nothing changes."""
    import asyncio

    from exporterre_nlp.nlp.learning import PROJECT_MODEL_FILE
    from exporterre_tui.screens.training import TrainingScreen
    project = open_project()
    _ready_to_learn(project, monkeypatch, tmp_path)
    project.settings.extraction.sentence_model = "builtin-cnn"
    app = ExporterreApp(project, "amina")
    mounted = _mounted(monkeypatch, TrainingScreen)

    async def scenario(pilot):
        await press(pilot, "v", "y")
        await pilot.press("t")
        assert len(mounted) == 1
        note = mounted[0].query_one("#training-classifier")
        for _ in range(100):                                  # the worker loads the model file first
            if str(note.render()):
                break
            await asyncio.sleep(0.05)
        shown = str(note.render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ValidationScreen)
        return shown

    shown = drive(app, scenario)
    assert "classifieur neuronal" in shown and "dizaine de minutes" in shown
    assert not (project.path / PROJECT_MODEL_FILE).exists()
