"""Typed completion messages: a screen learns that its work is done from a typed Textual message
(CodingSaved, DecisionSaved, QueueLoaded), and shows what the message carries."""
from __future__ import annotations

from exporterre_tui import ExporterreApp
from exporterre_tui.messages import CodebookEdited, CodingSaved, DecisionSaved, MemoSaved, QueueLoaded
from exporterre_tui.screens.codebook import CodebookScreen
from exporterre_tui.screens.reader import ReaderScreen
from exporterre_tui.screens.validation import ValidationScreen
from tui_helpers import drive, press, screen_text, type_text

DOC = "habitante_arlequin"


def test_tui_messages_reader_receives_coding_saved_and_memo_saved(open_project):
    project = open_project()
    store = project.store
    cuisine = store.get_code("competences.cuisine").id
    doc_id = store.get_document(DOC).id
    store.add_coding(doc_id, 0, 7, cuisine, "amina")                          # « Cuisine » is recent n° 1
    app = ExporterreApp(project, "amina", document=DOC)
    seen = []

    async def scenario(pilot):
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await press(pilot, "j", "1")                          # Samira's first turn, coded « Cuisine »
        [saved] = [m for m in seen if isinstance(m, CodingSaved)]
        assert saved.result.created and saved.result.coding.code_id == cuisine
        assert saved.result.coding.coder == "amina" and saved.document_id == screen.document_id
        assert saved.result.coding in [c for c in store.list_codings(coder="amina")]     # committed first
        here = screen.my_codings_here()                       # the screen shows what the message carried
        assert [m.id for m in here] == [saved.result.coding.id]
        assert "Cuisine" in screen_text(app)
        await press(pilot, "1")                               # the same coding again: nothing new stored
        again = [m for m in seen if isinstance(m, CodingSaved)][-1]
        assert not again.result.created and again.result.coding.id == saved.result.coding.id
        await press(pilot, "m")                               # a memo on the turn
        await type_text(pilot, "relancer")
        await press(pilot, "ctrl+s")
        [memo] = [m for m in seen if isinstance(m, MemoSaved)]
        segment = screen.segments[screen.cursor]
        assert (memo.memo.target_type, memo.memo.target_id, memo.memo.text) == ("segment", segment.id, "relancer")
        assert memo.memo_counts == {segment.id: 1} and screen.memo_counts == {segment.id: 1}

    drive(app, scenario, message_hook=seen.append)


def test_tui_messages_queue_receives_queue_loaded_and_decision_saved(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")
    seen = []

    async def scenario(pilot):
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, ValidationScreen)
        loaded = [m for m in seen if isinstance(m, QueueLoaded)]
        assert loaded and [i.id for i in loaded[-1].items] == [i.id for i in screen.items]
        first = screen.items[0]
        await press(pilot, "y")
        [decided] = [m for m in seen if isinstance(m, DecisionSaved)]
        assert (decided.suggestion_id, decided.decision) == (first.id, "accept")
        assert decided.coding.status == "accepted" and decided.coding.source_id == first.id
        assert store.pending_for("amina")[0].id != first.id                          # committed
        assert f"accepté : {first.path}" in screen_text(app)                         # the screen says so
        await press(pilot, "n")
        rejected = [m for m in seen if isinstance(m, DecisionSaved)][-1]
        assert rejected.coding.status == "rejected"
        assert "rejeté :" in screen_text(app)

    drive(app, scenario, message_hook=seen.append)


def test_tui_messages_codebook_receives_codebook_edited_and_shows_the_new_code(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")
    seen = []

    async def scenario(pilot):
        await press(pilot, "b")
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        await press(pilot, "A")                               # a root code
        await type_text(pilot, "Mobilite")
        await press(pilot, "enter", "enter")
        [edited] = [m for m in seen if isinstance(m, CodebookEdited)]
        assert edited.said == "Code ajouté : Mobilite." and edited.file_note is None
        assert store.get_code("mobilite").label == "Mobilite"
        assert "Mobilite" in screen_text(app)                 # the tree shows it after the message

    drive(app, scenario, message_hook=seen.append)
