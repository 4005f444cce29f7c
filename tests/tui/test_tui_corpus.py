"""Corpus screen, help screen, English interface and the `exporterre code` command."""
from __future__ import annotations

from textual.widgets import DataTable
from typer.testing import CliRunner

from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.i18n import set_language
from exporterre_tui import ExporterreApp
from exporterre_tui.bindings import describe_bindings
from exporterre_tui.screens.corpus import CorpusScreen
from exporterre_tui.screens.help import HelpScreen, screen_titles
from exporterre_tui.screens.reader import ReaderScreen
from tui_helpers import drive, press, screen_text, settle, type_text


def table_rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_corpus_lists_documents_with_progress_pending_and_other_coders(open_project):
    project = open_project()
    store = project.store
    doc = store.get_document("centre_social")
    segs = store.list_segments(doc.id)
    for seg in segs[:2]:
        store.add_coding(doc.id, seg.start, seg.end, "besoins.logement", "amina")
    store.add_coding(doc.id, segs[3].start, segs[3].end, "competences.couture", "karim")
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        screen = app.screen
        assert isinstance(screen, CorpusScreen)
        rows = {r[0]: r for r in table_rows(screen)}
        assert list(rows) == ["centre_social", "marche_notes", "habitante_arlequin"]       # phase order
        centre = rows["centre_social"]
        assert centre[1] == "1" and centre[2] == "Baladins"
        assert centre[5].endswith("2/4") and centre[6] == "1" and centre[7] == "karim 25%"
        assert rows["habitante_arlequin"][6] == "4"
        await press(pilot, "p")                                      # phase 1 only
        assert [r[0] for r in table_rows(screen)] == ["centre_social"]
        await press(pilot, "p", "p", "p")                            # 2, 3, back to all
        assert len(table_rows(screen)) == 3
        await press(pilot, "s")                                      # to code
        assert [r[0] for r in table_rows(screen)] == ["marche_notes", "habitante_arlequin"]
        await press(pilot, "s", "s", "s")                            # with suggestions
        assert [r[0] for r in table_rows(screen)] == ["centre_social", "habitante_arlequin"]
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.document.name == "habitante_arlequin"
        await press(pilot, "1", "escape")                            # code a turn, back: progress updated
        rows = {r[0]: r for r in table_rows(screen)}
        assert rows["habitante_arlequin"][5].endswith("1/8")

    drive(app, scenario, size=(160, 32))                             # every column


def test_help_lists_every_binding_of_every_screen(open_project):
    app = ExporterreApp(open_project(), "amina", document="habitante_arlequin")

    async def scenario(pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.plain_text(width=200)
        for cls, title in screen_titles():
            assert title in text
            for keys, description in describe_bindings(cls.BINDINGS):
                assert description in text, description
        assert text.index("Lecture et codage") < text.index("Corpus")          # current screen first
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)

    drive(app, scenario)


def test_english_interface(open_project):
    set_language("en")
    app = ExporterreApp(open_project(), "amina", document="habitante_arlequin")

    async def scenario(pilot):
        status = str(app.screen.query_one("#status").render())
        assert "Reader" in status and "coder amina" in status
        descriptions = {b.description for _, b in app.screen._bindings}
        assert "Code the selection" in descriptions and "Coder la sélection" not in descriptions
        await press(pilot, "question_mark")
        assert "Reading and coding" in app.screen.plain_text()

    drive(app, scenario)


def test_code_command_refuses_bad_coder_and_missing_project(tmp_path):
    from exporterre_nlp.cli import app as cli
    from exporterre_nlp.cli.code import check_coder
    assert check_coder(" amina ") == "amina"
    for bad in ("machine", "", "deux mots", "x" * 41):
        try:
            check_coder(bad)
        except ExporterreError:
            continue
        raise AssertionError(f"accepted {bad!r}")
    result = CliRunner().invoke(cli, ["code", "--project", str(tmp_path / "absent"), "--coder", "amina"])
    assert result.exit_code == 1
    assert "exporterre init" in result.output
    result = CliRunner().invoke(cli, ["code", "--project", str(tmp_path), "--coder", "amina", "--lang", "de"])
    assert result.exit_code == 1


def test_corpus_at_80_columns_keeps_what_a_coder_needs_and_the_rest_on_focus(open_project):
    project = open_project()
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        screen = app.screen
        table = screen.query_one(DataTable)
        titles = [str(c.label) for c in table.columns.values()]
        shown = screen_text(app)
        return titles, shown

    titles, shown = drive(app, scenario, size=(80, 24))
    assert titles == ["Document", "Ph.", "Codé (amina)", "À valider"]
    assert "centre_social · phase 1 · Baladins · 49 mots · 0/4 segments codés" in shown     # the focused one, whole
    assert shown.splitlines()[-1].startswith(" ? Aide")


def test_coder_switch_inside_the_app_with_blind_mode(open_project):
    project = open_project()
    store = project.store
    doc = store.get_document("habitante_arlequin")
    seg = store.list_segments(doc.id)[1]
    store.add_coding(doc.id, seg.start, seg.end, "besoins.logement", "amina")
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "C")
        await press(pilot, *["backspace"] * 5)
        await type_text(pilot, "machine")
        await press(pilot, "enter")
        assert "réservé au programme" in screen_text(app)          # refused, said in the dialog
        await press(pilot, *["backspace"] * 7)
        await type_text(pilot, "karim")
        await press(pilot, "tab", "space", "tab", "enter")          # blind mode on, then the button
        assert (app.coder, app.blind) == ("karim", True)
        shown = screen_text(app)
        assert "Codé (karim)" in shown and "karim en aveugle" in shown
        await press(pilot, "j", "j", "enter")                       # habitante_arlequin
        assert isinstance(app.screen, ReaderScreen)
        await press(pilot, "j", "o")                                # amina's coding stays hidden
        assert app.screen.others == [] and app.screen.other_coder is None
        await press(pilot, "1")                                     # no recent code for karim yet
        await press(pilot, "enter")
        await type_text(pilot, "bes log")
        await press(pilot, "enter")

    drive(app, scenario, size=(160, 32))
    assert [c.coder for c in store.list_codings(document_id=doc.id) if c.status == "manual"] == ["amina", "karim"]


def test_corpus_m_marks_the_document_covered_for_ticked_branches(open_project):
    """Issue 16: one key on a document marks it coded for codebook branches; unticking removes the mark."""
    from exporterre_tui.screens.dialogs import CoverageDialog
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "m")
        await settle(pilot)
        assert isinstance(app.screen, CoverageDialog)
        assert "centre_social" in screen_text(app) and "Enregistrer" in screen_text(app)
        await press(pilot, "space", "enter")                         # the first branch
        await app.writer.settle()
        await pilot.pause()
        first = [c.key for c in store.list_codes() if c.parent_id is None][0]
        marks = store.coverage_marks(coders=["amina"])
        assert [(m.code_key, m.document_id) for m in marks] == [(first, store.get_document("centre_social").id)]
        await press(pilot, "m")
        await settle(pilot)
        assert isinstance(app.screen, CoverageDialog)
        await press(pilot, "space", "enter")                         # untick it
        await app.writer.settle()
        assert store.coverage_marks(coders=["amina"]) == []

    drive(app, scenario, size=(100, 32))


def test_corpus_list_of_a_large_project_shows_its_first_rows_then_fills_in_chunks(open_project, monkeypatch):
    """With thousands of documents the first rows are shown at once and the rest follows, frame by frame
    (the sizes are lowered here: 3 documents stand for 10,000); the cursor stays on its document across a
    reload, and a filter changed while filling does not leave rows of the old filling behind."""
    monkeypatch.setattr(CorpusScreen, "FIRST_ROWS", 1)
    monkeypatch.setattr(CorpusScreen, "CHUNK_ROWS", 1)
    project = open_project()
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        assert [r[0] for r in table_rows(screen)] == ["centre_social", "marche_notes", "habitante_arlequin"]
        table.move_cursor(row=2)
        screen.refresh_table()
        assert table.row_count == 1                          # the first rows at once…
        await settle(pilot)
        assert table.row_count == 3                          # …then the others
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == \
            str(project.store.get_document("habitante_arlequin").id)          # the cursor found its document
        screen.refresh_table()
        await press(pilot, "p")                              # phase 1 only, while the first filling runs
        await settle(pilot)
        assert [r[0] for r in table_rows(screen)] == ["centre_social"]

    drive(app, scenario)
