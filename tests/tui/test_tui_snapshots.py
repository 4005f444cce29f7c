"""Snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot).

Update after an intended visual change with ``pytest tests/tui --snapshot-update``
and look at the SVGs in tests/tui/__snapshots__/ before committing them.
"""
from __future__ import annotations

import pytest

from exporterre_tui import ExporterreApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def coded_project(open_project):
    project = open_project()
    store = project.store
    doc = store.get_document("habitante_arlequin")
    for words, key, coder in (("Le logement c'est trop petit", "besoins.logement", "amina"),
                              ("on est cinq dans un trois-pièces", "besoins.logement", "karim"),
                              ("La sécurité le soir", "preoccupations.securite", "amina"),
                              ("le parking il est pas éclairé", "preoccupations.securite", "karim"),
                              ("je fais la cuisine", "competences.cuisine", "amina")):
        start = doc.text.index(words)
        store.add_coding(doc.id, start, start + len(words), key, coder)
    store.add_memo("segment", store.list_segments(doc.id)[3].id, "amina", "à recouper")
    return project


def keys(*presses):
    async def run_before(pilot):
        await pilot.app.settle()
        await pilot.pause()
        for key in presses:
            await pilot.press(key)
            await pilot.app.settle()
        await pilot.pause()
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_corpus_screen(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina")
    assert snap_compare(app, terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES)
def test_reader_screen(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina", document="habitante_arlequin")
    assert snap_compare(app, terminal_size=size, run_before=keys("j", "j", "j", "right", "right", "o"))


@pytest.mark.parametrize("size", SIZES)
def test_code_picker(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina", document="habitante_arlequin")
    assert snap_compare(app, terminal_size=size, run_before=keys("j", "enter", "b", "e", "s", "space", "l", "o", "g"))


@pytest.mark.parametrize("size", SIZES)
def test_validation_screen(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina")
    assert snap_compare(app, terminal_size=size, run_before=keys("v"))


@pytest.mark.parametrize("size", SIZES)
def test_codebook_screen(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina")
    assert snap_compare(app, terminal_size=size, run_before=keys("b", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, open_project, size):
    app = ExporterreApp(coded_project(open_project), "amina", document="habitante_arlequin")
    assert snap_compare(app, terminal_size=size, run_before=keys("question_mark"))


# Dialogs at 80×24 (their buttons must fit; the SVGs illustrate docs/tui.md)
def test_filter_dialog(snap_compare, open_project):
    app = ExporterreApp(coded_project(open_project), "amina")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("v", "f"))


def test_memo_dialog(snap_compare, open_project):
    app = ExporterreApp(coded_project(open_project), "amina", document="habitante_arlequin")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("j", "m"))


def test_coder_dialog(snap_compare, open_project):
    app = ExporterreApp(coded_project(open_project), "amina")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("C"))
