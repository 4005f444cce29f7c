"""Regressions of the defects found by trying the app as a new coder would (issue 19)."""
from __future__ import annotations

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.reader import ReaderScreen
from tui_helpers import drive, press, screen_text, settle, type_text

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


def coded_by_two(project):
    store = project.store
    doc = store.get_document(DOC)
    for words, key, coder in (("Le logement c'est trop petit", "besoins.logement", "amina"),
                              ("Ben depuis quinze ans", "preoccupations.securite", "amina"),
                              ("on est cinq dans un trois-pièces", "besoins.logement", "karim"),
                              ("au 40 de la galerie", "competences.couture", "karim")):
        start = doc.text.index(words)
        store.add_coding(doc.id, start, start + len(words), key, coder)
    return project


def test_tui_filter_dialog_shows_its_buttons_at_80x24(open_project):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        await press(pilot, "v", "f")
        return screen_text(app)

    shown = drive(app, scenario, size=(80, 24))
    for button in ("Appliquer (ctrl+s)", "Tout effacer", "Annuler"):
        assert button in shown
    assert "Catégorie" in shown and "Origine" in shown


def test_tui_codebook_opens_on_the_first_code_not_on_an_empty_message(open_project):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        await press(pilot, "b")
        return screen_text(app)

    shown = drive(app, scenario, size=(80, 24))
    assert "Aucun code" not in shown
    assert "Ce qui manque aux habitants." in shown          # the first code's definition, without ↓


def test_tui_bottom_panel_keeps_recent_codes_with_two_coders_at_80x24(open_project):
    project = coded_by_two(open_project())
    app = ExporterreApp(project, "amina", document=DOC)

    async def scenario(pilot):
        await press(pilot, "j", "o")                 # Samira's first turn, karim's codings shown too
        return screen_text(app)

    shown = drive(app, scenario, size=(80, 24))
    assert "Récents : 1■" in shown
    assert "karim :" in shown and "Couture" in shown
    assert "Préoccupations › Sécurité" in shown


def test_tui_validation_shows_the_passage_under_judgement_at_80x24(open_project):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        await press(pilot, "v")
        return screen_text(app)

    shown = drive(app, scenario, size=(80, 24))
    assert "de la mécanique aussi" in shown                   # the suggested words, in their turn
    assert "catégorie : compétence" in shown                  # not the raw key « competence »


def test_tui_every_screen_shows_the_help_key_at_80x24(open_project):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        seen = {"corpus": screen_text(app)}
        await press(pilot, "v")
        seen["validation"] = screen_text(app)
        await press(pilot, "escape", "b")
        seen["codebook"] = screen_text(app)
        await press(pilot, "escape", "enter")
        seen["reader"] = screen_text(app)
        return seen

    for name, shown in drive(app, scenario, size=(80, 24)).items():
        footer = shown.splitlines()[-1]
        assert footer.startswith(" ? Aide"), (name, footer)


def test_tui_undoing_a_rejection_says_so(open_project):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        await press(pilot, "v", "n", "u")
        return [n.message for n in app._notifications]

    notes = drive(app, scenario, size=(80, 24))
    assert "Annulé : rejet d'une suggestion." in notes


def test_tui_training_stage_is_read_from_its_key_not_its_label(open_project, monkeypatch):
    from exporterre_nlp.records import Progress
    from exporterre_tui.screens.training import TrainingScreen
    monkeypatch.setattr(TrainingScreen, "on_mount", lambda self: None)      # no training here
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        screen = TrainingScreen()
        await app.push_screen(screen)
        await settle(pilot)
        stages = []
        for stage in ("training", "analysis"):
            screen._show(Progress(1, 10, "libellé quelconque", stage=stage))
            stages.append(str(screen.query_one("#training-stage").render()))
        return stages

    first, second = drive(app, scenario, size=(80, 24))
    assert first.startswith("Étape 1/2") and second.startswith("Étape 2/2")
