"""Regressions of the defects found by trying the app as a new coder would (issue 19)."""
from __future__ import annotations

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.reader import ReaderScreen
from tui_helpers import drive, press, screen_text, type_text

DOC = "habitante_arlequin"


def test_tui_picker_then_recent_digit_stores_the_coding_once(open_project):
    project = open_project()
    store = project.store
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, CodePicker)
        await type_text(pilot, "bes log")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        await press(pilot, "1")                      # the same code, recent n° 1, same selection
        await press(pilot, "1")
        assert any("Déjà codé ainsi" in n.message for n in app._notifications)

    drive(app, scenario, size=(80, 24))
    mine = [c for c in store.list_codings(coder="amina") if c.status == "manual"]
    assert len(mine) == 1
