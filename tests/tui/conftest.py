"""Fixtures of the terminal UI tests (helpers live in tui_helpers.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exporterre_nlp.project import Project
from tui_helpers import make_project


@pytest.fixture()
def project_dir(tmp_path) -> Path:
    return make_project(tmp_path / "projet")


@pytest.fixture()
def open_project(project_dir):
    projects = []

    def opener() -> Project:
        p = Project.open(project_dir)
        projects.append(p)
        return p
    yield opener
    for p in projects:
        p.close()


@pytest.fixture(autouse=True)
def _french(french):
    """Every TUI test runs in French (the `french` fixture of tests/conftest.py)."""
    yield


