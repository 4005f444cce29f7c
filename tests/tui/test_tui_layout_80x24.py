"""At 80×24, every screen shows the footer's `?` hint and every dialog its buttons (read from the
screen's text, not from the widget tree: what a coder actually sees)."""
from __future__ import annotations

import pytest

from exporterre_tui import ExporterreApp
from tui_helpers import drive, press, screen_text

DOC = "habitante_arlequin"

# (what, keys from the corpus list, words that must be on screen)
SCREENS = [
    ("corpus", [], [" ? Aide"]),
    ("reader", ["j", "j", "enter"], [" ? Aide", "Mes codes", "Sélection"]),
    ("validation", ["v"], [" ? Aide", "de la mécanique aussi"]),
    ("codebook", ["b"], [" ? Aide", "codebook.yaml"]),
]
DIALOGS = [
    ("filter", ["v", "f"], ["Appliquer (ctrl+s)", "Tout effacer", "Annuler"]),
    ("memo", ["j", "j", "enter", "j", "m"], ["Enregistrer (ctrl+s)", "Annuler (Échap)"]),
    ("coder", ["C"], ["Coder sous ce nom (Entrée)", "Annuler (Échap)", "Mode aveugle"]),
    ("add-code", ["b", "a"], ["Libellé", "Clé (unique, tirée du libellé)", "Entrée : valider · Échap : annuler"]),
    ("picker", ["j", "j", "enter", "j", "enter"], ["Besoins", "Logement"]),
    ("help", ["question_mark"], ["Échap pour fermer", "Ouvrir le document"]),
]


@pytest.mark.parametrize("name, keys, expected", SCREENS + DIALOGS, ids=[s[0] for s in SCREENS + DIALOGS])
def test_tui_layout_80x24_shows_what_a_coder_needs(open_project, name, keys, expected):
    app = ExporterreApp(open_project(), "amina")

    async def scenario(pilot):
        await press(pilot, *keys)
        return screen_text(app)

    shown = drive(app, scenario, size=(80, 24))
    for words in expected:
        assert words in shown, (name, words, shown)
    if (name, keys, expected) in SCREENS:
        assert shown.splitlines()[-1].startswith(" ? Aide")
