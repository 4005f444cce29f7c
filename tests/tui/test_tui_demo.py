"""The TUI on the bundled demo corpus and codebook (and, slow, the real rule suggestions)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exporterre_nlp.project import Project
from exporterre_tui import ExporterreApp
from exporterre_tui.screens.reader import ReaderScreen
from exporterre_tui.screens.validation import ValidationScreen
from tui_helpers import drive, press, type_text

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"


@pytest.fixture()
def demo_project(tmp_path):
    from exporterre_nlp import importer
    project = Project.init(tmp_path / "demo")
    importer.ingest_paths(project, [DEMO])
    yield project
    project.close()


def test_demo_corpus_opens_and_codes_with_the_real_codebook(demo_project):
    store = demo_project.store
    documents = store.list_documents()
    app = ExporterreApp(demo_project, "amina")

    async def scenario(pilot):
        screen = app.screen
        assert len(screen.rows) == len(documents) >= 20
        assert {r.phase for r in screen.rows} == {1, 2, 3}
        await press(pilot, "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.segments
        assert any(s.role == "interviewer" for s in reader.segments)
        resident = next(i for i, s in enumerate(reader.segments) if s.role != "interviewer")
        await press(pilot, *["j"] * resident, "enter")
        await type_text(pilot, "bes log")
        await press(pilot, "enter")
        return reader.document.id

    doc_id = drive(app, scenario)
    [coding] = store.list_codings(coder="amina")
    assert store.get_code(coding.code_id).key == "besoins.logement"
    assert coding.document_id == doc_id


@pytest.mark.slow
def test_real_rule_suggestions_show_their_evidence_and_can_be_accepted(demo_project):
    from exporterre_nlp.nlp.analyse import analyse
    analyse(demo_project, model="sm")
    store = demo_project.store
    queue = store.suggestion_queue("amina")
    assert queue, "the demo corpus should give rule suggestions"
    # the shipped sentence model adds sentences the rules missed; they say where they come from
    from exporterre_tui.widgets.passage import origin_label
    model_items = [i for i in queue if i.origin.startswith("model:")]
    assert model_items and origin_label(model_items[0].origin).startswith("modèle de phrases")
    app = ExporterreApp(demo_project, "amina")

    async def scenario(pilot):
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, ValidationScreen) and screen.total == len(queue)
        item = screen.current()
        evidence = str(screen.query_one("#evidence").render())
        assert "règle" in evidence and item.details["rule"] in evidence
        assert " ".join(item.text.split())[:30] in " ".join(str(screen.query_one("#passage").render()).split())
        await press(pilot, "y")
        return item

    item = drive(app, scenario)
    [decision] = [c for c in store.list_codings(coder="amina") if c.source_id == item.id]
    assert (decision.status, decision.origin) == ("accepted", item.origin)
    text = store.get_document(decision.document_id).text
    assert text[decision.start:decision.end] == item.text


def test_demo_non_speech_lines_are_dimmed_like_the_interviewer(demo_project):
    """Titles and transcriber's notes that ingestion marked as non-speech (kind « note ») are shown dimmed."""
    store = demo_project.store
    doc = next(d for d in store.list_documents()
               if any(s.kind == "note" for s in store.list_segments(d.id))
               and any(s.role == "resident" for s in store.list_segments(d.id)))
    app = ExporterreApp(demo_project, "amina", document=doc.name)

    async def scenario(pilot):
        view = app.screen.view
        segments = view.data.segments
        note = next(i for i, s in enumerate(segments) if s.kind == "note")
        speech = next(i for i, s in enumerate(segments) if s.role == "resident")
        lines = view.lines_layout.lines
        styles = {}
        for wanted in (note, speech):
            index = next(i for i, line in enumerate(lines) if line.segment == wanted and line.first)
            strip = view._render_screen_line(index, 80)
            styles[wanted] = [seg.style for seg in strip if seg.text.strip()][-1]
        assert styles[note].italic and not styles[speech].italic

    drive(app, scenario)
