"""Reader workflows driven with Pilot, asserting on the store."""
from __future__ import annotations

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.dialogs import MemoDialog
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.reader import ReaderScreen
from textual.widgets import RadioButton
from tui_helpers import drive, press, settle, type_text

DOC = "habitante_arlequin"


def words_of(store, coding):
    return store.get_document(coding.document_id).text[coding.start:coding.end]


def human_codings(store, coder="amina"):
    return [c for c in store.list_codings(coder=coder) if c.status in ("manual", "accepted")]


def test_open_document_narrow_selection_and_code_it_with_fuzzy_picker(open_project):
    project = open_project()
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and screen.loaded
        await press(pilot, "j")                               # Samira's first turn
        await press(pilot, *["right"] * 10)                   # start: "Le"
        await press(pilot, *["shift+left"] * 4, *["H"] * 4)   # end: "petit" (both key forms)
        sel = screen.selection
        assert project.store.get_document(DOC).text[sel.start:sel.end] == "Le logement c'est trop petit"
        await press(pilot, "enter")
        assert isinstance(app.screen, CodePicker)
        await type_text(pilot, "bes log")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)

    drive(app, scenario)
    [coding] = human_codings(project.store)
    assert words_of(project.store, coding) == "Le logement c'est trop petit"
    assert project.store.get_code(coding.code_id).key == "besoins.logement"
    assert (coding.status, coding.origin, coding.coder) == ("manual", "human", "amina")
    segments = project.store.list_segments(coding.document_id)
    assert coding.segment_id == segments[1].id


def test_recent_digit_codes_whole_turn_then_undo_redo_survive_a_restart(open_project):
    project = open_project()
    store = project.store
    doc = store.get_document(DOC)
    first = store.add_coding(doc.id, 0, 7, "competences.cuisine", "amina")     # makes « Cuisine » recent n° 1
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "j", "j", "1")                # Samira's second turn, whole
        assert len(human_codings(store)) == 2
        await press(pilot, "u")
        assert [c.id for c in human_codings(store)] == [first.id]
        await press(pilot, "ctrl+r")
        assert len(human_codings(store)) == 2

    drive(app, scenario)
    coded = [c for c in human_codings(store) if c.id != first.id][0]
    assert words_of(store, coded).startswith("La sécurité le soir") and words_of(store, coded).endswith("éclairé")
    # a new session (restart) can still undo the coder's last action
    project.close()
    again = open_project()
    app2 = ExporterreApp(again, "amina", document=DOC)

    async def undo_after_restart(pilot):
        await press(pilot, "u")

    drive(app2, undo_after_restart)
    assert [c.id for c in human_codings(again.store)] == [first.id]


def test_tab_picks_a_coding_to_recode_resize_and_remove(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "enter")
        await type_text(pilot, "logement")
        await press(pilot, "enter")
        [coding] = human_codings(store)
        await press(pilot, "tab", "r")
        await type_text(pilot, "emploi")
        await press(pilot, "enter")
        assert store.get_code(store.get_coding(coding.id).code_id).key == "besoins.emploi"
        await press(pilot, *["l"] * 10, "equals_sign")          # fit the coding to "Le … nous"
        assert words_of(store, store.get_coding(coding.id)).startswith("Le logement")
        await press(pilot, "x")
        assert human_codings(store) == []
        await press(pilot, "u")
        assert [c.id for c in human_codings(store)] == [coding.id]

    drive(app, scenario)


def test_search_is_accent_blind_and_codes_the_found_words(open_project):
    project = open_project()
    store = project.store
    store.add_coding(store.get_document(DOC).id, 0, 7, "preoccupations.securite", "amina")
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        screen = app.screen
        await press(pilot, "slash")
        await type_text(pilot, "eclaire")
        await press(pilot, "enter")
        assert screen.cursor == 3 and len(screen.hits) == 1
        await press(pilot, "1")
        await press(pilot, "escape")                            # clears the search
        assert screen.hits == []

    drive(app, scenario)
    latest = max(human_codings(store), key=lambda c: c.id)
    assert words_of(store, latest) == "éclairé"


def test_memo_on_segment_then_on_document(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "m")
        assert isinstance(app.screen, MemoDialog)
        await type_text(pilot, "relancer")
        await press(pilot, "ctrl+s")
        await press(pilot, "m")
        app.screen.query(RadioButton)[1].value = True           # the document
        await settle(pilot)
        await type_text(pilot, "riche")
        await press(pilot, "ctrl+s")
        assert "✎" in "".join(s.text for s in app.screen.view.render_line(1))

    drive(app, scenario)
    doc = store.get_document(DOC)
    segment = store.list_segments(doc.id)[1]
    [seg_memo] = store.list_memos("segment", segment.id)
    assert (seg_memo.coder, seg_memo.text) == ("amina", "relancer")
    [doc_memo] = store.list_memos("document", doc.id)
    assert doc_memo.text == "riche"


def test_coder_toggle_shows_another_coders_codings_beside_mine(open_project):
    project = open_project()
    store = project.store
    doc = store.get_document(DOC)
    start = doc.text.index("La sécurité")
    store.add_coding(doc.id, start, start + len("La sécurité le soir"), "preoccupations.securite", "karim")
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        screen = app.screen
        await press(pilot, "j", "j", "j", "o")
        assert screen.other_coder == "karim"
        assert [m.coder for marks in screen.view.data.others.values() for m in marks] == ["karim"]
        text = str(screen.query_one("#segment-panel").render())
        assert "karim" in text and "Sécurité" in text
        assert "avec karim" in str(screen.query_one("#status").render())
        await press(pilot, "o")
        assert screen.other_coder is None and screen.view.data.others == {}

    drive(app, scenario)
    assert human_codings(store) == []                          # showing karim never wrote for amina


def test_transcript_is_one_widget_however_long_the_document(tmp_path, open_project):
    from tui_helpers import add_long_document
    project = open_project()
    doc_id = add_long_document(project.store, "long", turns=3000)
    project.store.add_coding(project.store.get_document(DOC).id, 0, 7, "besoins.local", "amina")
    app = ExporterreApp(project, "amina", document="long")

    async def scenario(pilot):
        screen = app.screen
        assert len(screen.segments) == 3000
        assert len(list(screen.query("*"))) < 40
        await press(pilot, "end")
        assert screen.cursor == 2999
        top = int(screen.view.scroll_y)
        assert top > 3000 - 40                                 # scrolled to the end, only that is drawn
        await press(pilot, "1")
        return doc_id

    drive(app, scenario, size=(80, 24))
    coding = max(human_codings(project.store), key=lambda c: c.id)
    assert coding.document_id == doc_id
    assert coding.segment_id == project.store.list_segments(doc_id)[-1].id


def test_turns_the_cursor_reaches_are_recorded_as_read_by_this_coder(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "j", "k")                     # turns 1, 2, 3, back to 2
        await press(pilot, "G")                               # the last turn; those in between are skipped

    drive(app, scenario)
    doc = store.get_document(DOC)
    segments = store.list_segments(doc.id)
    assert store.read_segments(["amina"]) == {doc.id: frozenset(s.id for s in segments[:3] + segments[-1:])}
    assert store.read_segments(["karim"]) == {}
    assert store.list_events("amina") == []               # not an action to undo


def test_reader_unknown_document_name_is_said_and_the_corpus_stays(open_project):
    project = open_project()
    app = ExporterreApp(project, "amina", document="entretien_inconnu")

    async def scenario(pilot):
        from exporterre_tui.screens.corpus import CorpusScreen
        assert isinstance(app.screen, CorpusScreen)
        [note] = [n for n in app._notifications if n.severity == "error"]
        assert "entretien_inconnu" in note.message

    drive(app, scenario)
