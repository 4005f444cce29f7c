"""The report's themes section: a dimension of its own, theme-level links, honest labels."""
from __future__ import annotations

import pytest

from exporterre_nlp import Project, Settings
from exporterre_nlp.report import build_report_data, write_report

from report_store import add_theme_run, build_store, code_everything, code_turn


@pytest.fixture()
def small(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    settings = Settings()
    settings.report.lemmas = "words"             # word forms: no model needed here
    project = Project(tmp_path, settings, store)
    yield project, docs
    store.close()


def test_report_themes_show_link_decisions_and_add_no_coding(small, tmp_path):
    project, docs = small
    store = project.store
    run_id = add_theme_run(store, docs)
    counts_before = {s.key: s.figures.segments for s in build_report_data(project).code_sheets}
    store.decide_theme_link(run_id, 0, "besoins.garde", status="accepted", coder="amina")
    store.decide_theme_link(run_id, 1, "competences.couture", status="rejected", coder="karim")
    data = build_report_data(project)
    assert {s.key: s.figures.segments for s in data.code_sheets} == counts_before
    sheets = {t.id: t for t in data.themes}
    assert sheets[0].links == {"besoins.garde": ("accepted", "amina")}
    assert sheets[1].links == {"competences.couture": ("rejected", "karim")}
    assert "competences.couture" in [k for k, _, _ in sheets[1].codes]     # a decided link is always listed
    text = write_report(project, tmp_path / "out").markdown.read_text(encoding="utf-8")
    assert "lien accepté par amina" in text and "lien refusé par karim" in text
    assert "il n'ajoute aucun codage" in text
    assert "Codés par l'équipe" not in text


def test_report_themes_say_when_pending_suggestions_are_counted(small, tmp_path):
    project, docs = small
    add_theme_run(project.store, docs)
    code_turn(project.store, docs["habitante_baladins"][1], "besoins.logement", "machine", status="pending",
              origin="rule:x")
    pending = write_report(project, tmp_path / "p", include_pending=True).markdown.read_text(encoding="utf-8")
    assert "mêmes segments (suggestions en attente comprises)" in pending
    validated = write_report(project, tmp_path / "v").markdown.read_text(encoding="utf-8")
    assert "mêmes segments (codages validés)" in validated
