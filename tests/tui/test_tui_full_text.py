"""No text silently cut where a researcher reads it: at 80×24 the validation queue's table cuts a
long code path and the suggested words, the code picker's list folds a long path over lines (and
shows no definition); both write the highlighted item whole in a detail area under the list."""
from __future__ import annotations

import re

from exporterre_nlp.store import SuggestionDraft
from exporterre_tui import ExporterreApp
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.validation import ValidationScreen
from tui_helpers import drive, press, screen_text, type_text

DOC = "habitante_arlequin"
LABEL = "Conditions de logement des familles nombreuses dans le parc social ancien"
PATH = f"Besoins › Logement › {LABEL}"                 # 93 characters: wider than any column at 80×24
WORDS = "Le logement c'est trop petit pour nous, on est cinq dans un trois-pièces."


def add_long_code(store) -> int:
    code = store.add_code("besoins.logement.familles_nombreuses", LABEL, parent="besoins.logement",
                          definition="Familles de cinq personnes ou plus logées dans un appartement trop petit.",
                          actor="codebook")
    doc = store.get_document(DOC)
    start = doc.text.index(WORDS)
    store.sync_suggestions("model:", [SuggestionDraft(doc.id, start, start + len(WORDS), code.key, "model:1", 0.99,
                                                      details={"category": "besoin"})])
    return code.id


def reads_whole(app, text: str, selector: str) -> bool:
    """``text`` is on screen, whole, inside the region of ``selector``'s widget (possibly wrapped over
    several lines, borders aside): what the terminal shows there, not what the widget holds."""
    region = app.screen.query_one(selector).region
    rows = screen_text(app).splitlines()[region.y:region.bottom]
    lines = [re.sub(r"[│┃▊▎▌▐█▔▁─━╭╮╰╯]", " ", row[region.x:region.right]) for row in rows]
    return " ".join(text.split()) in " ".join(" ".join(lines).split())


def cut_in_lines(app, text: str) -> bool:
    """No single screen line holds ``text`` (what a list row does: it cuts it)."""
    return not any(text in line for line in screen_text(app).splitlines())


def test_tui_full_text_picker_writes_the_highlighted_code_whole_at_80x24(open_project):
    project = open_project()
    add_long_code(project.store)
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, CodePicker)
        await type_text(pilot, "familles nombreuses")
        assert cut_in_lines(app, PATH)                       # no line holds it (the list folds it)
        assert reads_whole(app, PATH, "#picker-detail")      # the detail under the list does
        assert reads_whole(app, "Familles de cinq personnes ou plus logées dans un appartement trop petit.",
                           "#picker-detail")
        await press(pilot, "escape")

    drive(app, scenario, size=(80, 24))


def test_tui_full_text_validation_writes_the_focused_row_whole_at_80x24(open_project):
    project = open_project()
    add_long_code(project.store)
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, ValidationScreen)
        row = next(i for i, item in enumerate(screen.items) if item.path == PATH)
        await press(pilot, *["j"] * row)
        assert screen.current().path == PATH
        assert cut_in_lines(app, PATH) and cut_in_lines(app, WORDS)  # the table cuts them
        assert reads_whole(app, PATH, "#queue-detail") and reads_whole(app, WORDS, "#queue-detail")
        assert "? Aide" in screen_text(app)                  # the footer's keys still there

    drive(app, scenario, size=(80, 24))
