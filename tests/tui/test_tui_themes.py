"""The themes screen: theme ↔ code links decided once per theme, never codings (Pilot, asserting on the store)."""
from __future__ import annotations

from exporterre_tui import ExporterreApp
from exporterre_tui.screens.picker import CodePicker
from exporterre_tui.screens.themes import ThemesScreen
from tui_helpers import add_theme_run, drive, press, settle, type_text


def test_themes_screen_accepts_rejects_and_links_to_another_code(open_project):
    project = open_project()
    store = project.store
    run_id = add_theme_run(store)
    codings_before = len(store.list_codings())
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "t")
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        await settle(pilot)
        rows = [(r.theme, r.code_key, r.status) for r in screen.links.rows]
        # suggested links only (the 0.02 score is not one), a row for the theme without any, best score first
        assert rows == [(0, "besoins.logement", None), (0, "besoins.local", None),
                        (1, "competences.cuisine", None), (2, None, None)]
        title = str(screen.query_one("#themes-title").render())
        assert f"analyse n° {run_id}" in title and "« e5 »" in title and "3 lien(s) à décider" in title
        assert "aucun codage" in title
        detail = str(screen.query_one("#theme-detail").render())
        assert "logement · petit · mutation" in detail and "logement · mutation" in detail
        assert "Le logement c'est trop petit" in str(screen.query_one("#theme-quotes").render())
        await press(pilot, "y")                                   # theme 0 resembles besoins.logement
        await press(pilot, "j")
        await press(pilot, "n")                                   # ... but not besoins.local
        await settle(pilot)
        assert [r.status for r in screen.links.rows][:2] == ["accepted", "rejected"]
        assert screen.last_decision == "thème 0 → besoins.local refusé"
        await press(pilot, "u")                                   # undo works here as everywhere
        await settle(pilot)
        assert [r.status for r in screen.links.rows][:2] == ["accepted", None]
        await press(pilot, "ctrl+r")
        await settle(pilot)
        assert [r.status for r in screen.links.rows][:2] == ["accepted", "rejected"]
        await press(pilot, "j", "j")                              # the theme without a suggestion
        await press(pilot, "y")                                   # nothing to accept: said, nothing written
        await press(pilot, "c")
        assert isinstance(app.screen, CodePicker)
        await type_text(pilot, "local")
        await press(pilot, "enter")
        await settle(pilot)
        assert (2, "besoins.local", "accepted") in [(r.theme, r.code_key, r.status) for r in screen.links.rows]
        await press(pilot, "escape")

    drive(app, scenario)
    links = {(link.theme, link.code_key): (link.status, link.coder) for link in store.theme_links(run_id)}
    assert links == {(0, "besoins.logement"): ("accepted", "amina"), (0, "besoins.local"): ("rejected", "amina"),
                     (2, "besoins.local"): ("accepted", "amina")}
    assert len(store.list_codings()) == codings_before              # a link is never a coding


def test_themes_screen_without_a_theme_run_says_how_to_make_one(open_project):
    project = open_project()
    app = ExporterreApp(project, "amina")

    async def scenario(pilot):
        await press(pilot, "t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ThemesScreen) and screen.links.rows == []
        assert "exporterre themes" in str(screen.query_one("#themes-title").render())
        await press(pilot, "y", "n")                              # nothing happens, nothing breaks

    drive(app, scenario)
    assert project.store.list_runs("themes") == []
