"""Codebook screen workflows: merge, delete with confirmation, add, rename, colour, move — all undoable."""
from __future__ import annotations

from textual.widgets import Tree

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.codebook import CodebookScreen
from exporterre_tui.screens.dialogs import ConfirmDialog, FieldsDialog
from tui_helpers import drive, press, screen_text, settle, type_text


async def open_codebook(pilot, key: str | None = None) -> CodebookScreen:
    await press(pilot, "b")
    screen = pilot.app.screen
    assert isinstance(screen, CodebookScreen)
    if key is not None:
        await select(pilot, key)
    return screen


async def select(pilot, key: str) -> None:
    tree = pilot.app.screen.query_one(Tree)
    code_id = pilot.app.store.get_code(key).id
    node = next(n for n in _nodes(tree.root) if n.data == code_id)
    tree.move_cursor(node)
    await settle(pilot)
    assert pilot.app.screen.current().key == key


def _nodes(node):
    for child in node.children:
        yield child
        yield from _nodes(child)


def add_codings(store, key: str, n: int) -> list[int]:
    doc = store.get_document("habitante_arlequin")
    return [store.add_coding(doc.id, 10 * i, 10 * i + 5, key, "amina").id for i in range(n)]


def test_merge_moves_every_coding_and_one_undo_restores(open_project):
    project = open_project()
    store = project.store
    ids = add_codings(store, "competences.couture", 3)
    karim = store.add_coding(store.get_document("centre_social").id, 0, 5, "competences.couture", "karim").id
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        screen = await open_codebook(pilot, "competences.couture")
        label = str(screen.query_one(Tree).cursor_node.label)
        assert "4" in label and "moi 3" in label
        await press(pilot, "g")
        await type_text(pilot, "cuisine")
        await press(pilot, "enter")
        assert "competences.couture" not in {c.key for c in store.list_codes()}
        cuisine = store.get_code("competences.cuisine").id
        assert {store.get_coding(i).code_id for i in ids + [karim]} == {cuisine}
        await press(pilot, "u")
        couture = store.get_code("competences.couture").id
        assert {store.get_coding(i).code_id for i in ids + [karim]} == {couture}
        assert "competences.couture" in {c.key for c in app.codes}

    drive(app, scenario)


def test_delete_asks_when_the_code_has_codings_and_can_be_undone(open_project):
    project = open_project()
    store = project.store
    ids = add_codings(store, "besoins.local", 2)
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await open_codebook(pilot, "besoins.local")
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")                                   # no: nothing happens
        assert store.get_code("besoins.local")
        await press(pilot, "x", "o")                              # oui
        assert "besoins.local" not in {c.key for c in store.list_codes()}
        assert all(c.id not in ids for c in store.list_codings())
        await press(pilot, "u")
        assert sorted(c.id for c in store.list_codings(coder="amina")) == ids

    drive(app, scenario)


def test_add_rename_colour_and_move_a_code(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await open_codebook(pilot, "besoins")
        await press(pilot, "a")
        assert isinstance(app.screen, FieldsDialog)
        await type_text(pilot, "Sante")
        await press(pilot, "enter")
        assert app.screen.query_one("#field-key").value == "besoins.sante"     # derived from the label
        await press(pilot, "enter")
        code = store.get_code("besoins.sante")
        assert (code.label, code.parent_id) == ("Sante", store.get_code("besoins").id)
        await select(pilot, "besoins.sante")
        await press(pilot, "r", *["backspace"] * 5)
        await type_text(pilot, "Santé")
        await press(pilot, "enter")
        assert store.get_code("besoins.sante").label == "Santé"
        await press(pilot, "k")
        await type_text(pilot, "#zz")
        await press(pilot, "enter")
        assert isinstance(app.screen, FieldsDialog)                # refused: not #rrggbb
        await press(pilot, *["backspace"] * 3)
        await type_text(pilot, "#336699")
        await press(pilot, "enter")
        assert store.get_code("besoins.sante").color == "#336699"
        await press(pilot, "p")
        await type_text(pilot, "preoccupations")
        await press(pilot, "enter")
        assert store.get_code("besoins.sante").parent_id == store.get_code("preoccupations").id
        await press(pilot, "u", "u", "u", "u")
        assert "besoins.sante" not in {c.key for c in store.list_codes()}

    drive(app, scenario)


def test_new_code_key_follows_the_label_until_typed_by_hand(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await open_codebook(pilot, "besoins")
        await press(pilot, "a")
        await type_text(pilot, "Garde d'enfants")
        key = app.screen.query_one("#field-key")
        assert key.value == "besoins.garde_d_enfants"
        await press(pilot, "enter", "end", *["backspace"] * 15)
        await type_text(pilot, "creches")                      # written by hand: kept
        await press(pilot, "shift+tab", "backspace")
        assert key.value == "besoins.creches"
        await press(pilot, "tab", "enter")
        assert store.get_code("besoins.creches").label == "Garde d'enfant"

    drive(app, scenario)


def test_codebook_edits_are_written_to_the_project_codebook_yaml_and_undone_there_too(open_project):
    from exporterre_nlp.codebook import Codebook, load_codebook, save_codebook
    from exporterre_nlp.codebook.sync import codebook_from_store
    project = open_project()
    store = project.store
    save_codebook(codebook_from_store(Codebook(name="Test"), store.list_codes()), project.codebook_path)
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await open_codebook(pilot, "besoins")
        assert "codebook.yaml" in screen_text(app)                  # said on screen
        await press(pilot, "a")
        await type_text(pilot, "Santé")
        await press(pilot, "enter", "enter")
        assert "besoins.sante" in {c.key for c in load_codebook(project.codebook_path).codes}
        await press(pilot, "u")
        assert "besoins.sante" not in {c.key for c in load_codebook(project.codebook_path).codes}

    drive(app, scenario)


def test_codebook_in_blind_mode_shows_only_my_counts(open_project):
    """Blind double coding: the codebook screen does not give away how often the others used a code."""
    from exporterre_tui.screens.codebook import CodebookScreen
    project = open_project()
    store = project.store
    doc = store.get_document("habitante_arlequin")
    for seg in store.list_segments(doc.id)[:3]:
        store.add_coding(doc.id, seg.start, seg.end, "besoins", "amina")
    app = ExporterreApp(project, "karim", blind=True)

    async def scenario(pilot):
        await press(pilot, "b")
        assert isinstance(app.screen, CodebookScreen)
        shown = screen_text(app)
        assert "moi 0" in shown and "mode aveugle" in shown
        assert "(moi" not in shown and "3 codage(s)" not in shown

    drive(app, scenario, size=(120, 40))
