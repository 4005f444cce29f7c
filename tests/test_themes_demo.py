"""Themes end to end on the bundled demo corpus, imported like a researcher would."""
from __future__ import annotations

import json

import pytest

from exporterre_nlp import Project
from exporterre_nlp.themes import export_themes, fit_themes, theme_overview
from exporterre_nlp.themes.crosswalk import ORIGIN_PREFIX

from conftest import DEMO_CORPUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from exporterre_nlp import importer
    project = Project.init(tmp_path_factory.mktemp("demo") / "projet")
    importer.ingest_paths(project, [DEMO_CORPUS])
    result = fit_themes(project)
    yield project, result
    project.close()


def test_demo_themes_cover_every_phase(demo):
    project, result = demo
    overview = theme_overview(project, result.run)
    assert len(overview.themes) >= 5
    for phase in ("1", "2", "3"):
        assert sum(t.phases[phase] for t in overview.themes) > 0
    assert overview.outlier_share == 0.0 or result.run.summary["outlier_share_before"] >= overview.outlier_share


def test_no_speaker_name_in_topic_words(demo):
    project, result = demo
    names = {s.label.lower() for s in project.store.list_speakers()}
    words = {w for t in result.themes for w, _ in t.words}
    assert not words & names
    assert not {w for w in words if "@" in w or w in ("gmail", "com", "fr")}


def test_childcare_theme_is_crosswalked_to_childcare_codes(demo):
    project, result = demo
    overview = theme_overview(project, result.run, max_codes=5)
    childcare = [t for t in overview.themes if {"crèche", "garde", "nounou", "garderie"} & set(t.words[:5])]
    assert childcare, [t.label for t in overview.themes]
    suggested = {c.code for t in childcare for c in t.codes if c.suggested}
    assert suggested & {"besoins.garde_enfants", "competences.garde_enfants"}
    assert not project.store.list_codings(origin_prefix=ORIGIN_PREFIX)   # links per theme, never codings per unit


def test_demo_export_and_cli_json(demo, tmp_path):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    project, result = demo
    files = {p.name for p in export_themes(project, result.run, tmp_path)}
    assert "themes.csv" in files and "themes_by_phase.png" in files
    out = CliRunner().invoke(app, ["themes", "--project", str(project.path), "--by", "lieu", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["by"] == "lieu" and data["rows"] and data["unit"] == "participants"
