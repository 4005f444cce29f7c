"""A theme fit on a project: stored run, reproducible, crosswalk suggestions, tables, export, CLI."""
from __future__ import annotations

import json

import pytest

from exporterre_nlp import Settings
from exporterre_nlp.themes import (RUN_KIND, assignment_rows, export_themes, fit_themes, load_model, theme_detail,
                                   theme_overview, theme_table)
from exporterre_nlp.themes.crosswalk import ORIGIN_PREFIX

from themes_corpus import make_project

pytestmark = pytest.mark.slow          # the real French model lemmatises the units


@pytest.fixture(scope="module")
def fitted(shared_corpora, tmp_path_factory):
    settings = Settings()
    settings.themes.crosswalk_threshold = 0.05     # the mechanism is tested here; calibration on the demo
    project = make_project(tmp_path_factory.mktemp("themes") / "projet", shared_corpora, limit=40,
                           settings=settings)
    result = fit_themes(project)
    yield project, result
    project.close()


def test_fit_is_a_stored_run_with_settings_versions_and_hash(fitted):
    project, result = fitted
    run = project.store.get_run(result.run.id)
    assert run.kind == RUN_KIND and run.status == "done"
    assert run.settings["seed"] == project.settings.seed
    assert run.settings["themes"]["backend"] == project.settings.themes.backend
    assert run.versions["bertopic"] and run.versions["scikit-learn"]
    assert run.input_hash and len(run.input_hash) == 64
    assert run.summary["units"] > 0 and run.summary["themes"] == len(result.themes)
    assert 0.0 <= run.summary["outlier_share"] <= 1.0
    model = load_model(project, run)
    assert len(model.topics_) == run.summary["units"]


def test_interviewer_words_are_not_analysed(fitted):
    project, result = fitted
    units = project.store.theme_units(result.run.id)
    assert units and all(u.role != "interviewer" for u in units)


def test_unit_offsets_point_at_the_stored_words(fitted):
    project, result = fitted
    store = project.store
    quotes = store.theme_quotes(result.run.id)
    assert quotes
    for q in quotes:
        assert store.get_document(q.document_id).text[q.start:q.end] == q.text


def test_quotes_come_from_different_speakers(fitted):
    project, result = fitted
    by_theme: dict[int, list] = {}
    for q in project.store.theme_quotes(result.run.id):
        by_theme.setdefault(q.theme, []).append(q)
    for quotes in by_theme.values():
        who = [(q.document, q.speaker) if q.speaker else (q.document, None) for q in quotes]
        assert len(who) == len(set(who))


def test_same_corpus_settings_and_seed_give_the_same_themes(fitted):
    project, result = fitted
    again = fit_themes(project)                      # a new run, fitted from scratch
    assert again.run.id != result.run.id and not again.reused
    assert [(t.theme, t.label, t.size, t.words) for t in again.themes] == \
           [(t.theme, t.label, t.size, t.words) for t in result.themes]
    a = [(u.document, u.start, u.theme) for u in project.store.theme_units(result.run.id)]
    b = [(u.document, u.start, u.theme) for u in project.store.theme_units(again.run.id)]
    assert a == b
    assert again.run.input_hash == result.run.input_hash


def test_reuse_returns_the_identical_run_without_fitting(fitted):
    project, _ = fitted
    latest = project.store.latest_run(RUN_KIND)
    reused = fit_themes(project, reuse=True)
    assert reused.reused and reused.run.id == latest.id


def test_crosswalk_suggestions_are_pending_and_not_duplicated_on_rerun(fitted):
    project, result = fitted
    store = project.store
    pending = store.list_codings(statuses=["pending"], origin_prefix=ORIGIN_PREFIX)
    assert pending, "the work/school/transport themes of the test corpus should meet the codebook"
    keys = [(c.document_id, c.start, c.end, c.code_id, c.origin) for c in pending]
    assert len(keys) == len(set(keys))
    suggested = {(c.theme, c.code_key) for c in store.theme_codes(store.latest_run(RUN_KIND).id) if c.suggested}
    for c in pending:
        assert c.origin.startswith(ORIGIN_PREFIX) and c.score is not None
        theme = int(c.origin.removeprefix(ORIGIN_PREFIX))
        assert (theme, store.get_code(c.code_id).key) in suggested
    summary = store.latest_run(RUN_KIND).summary["suggestions"]
    assert summary["added"] == 0 and summary["removed"] == 0 and summary["kept"] == len(pending)


def test_decided_suggestions_survive_a_different_fit(fitted):
    project, _ = fitted
    store = project.store
    first = store.list_codings(statuses=["pending"], origin_prefix=ORIGIN_PREFIX)[0]
    decision = store.decide(first.id, "amina", "accept")
    fit_themes(project, seed=7, n_themes=4)
    assert store.get_coding(decision.id).status == "accepted"
    assert store.get_coding(first.id).id == first.id          # a decided suggestion is kept
    fit_themes(project)                                        # back to the default fit for later tests


def test_overview_json_shape(fitted):
    project, _ = fitted
    data = theme_overview(project).to_dict()
    assert {"run", "backend", "outlier_share", "themes"} <= set(data)
    for t in data["themes"]:
        assert {"id", "label", "size", "words", "phases", "codes"} <= set(t)
        assert set(t["phases"]) == {"1", "2", "3"}
        assert sum(t["phases"].values()) == t["size"]
        for c in t["codes"]:
            assert {"code", "score"} <= set(c)
    assert json.loads(json.dumps(data)) == data


def test_tables_by_phase_and_lieu_add_up(fitted):
    project, _ = fitted
    run = project.store.latest_run(RUN_KIND)
    for by in ("phase", "lieu"):
        table = theme_table(project, by)
        assert sum(table.column_totals().values()) == run.summary["units"]


def test_detail_and_theme_code_matrix_over_coded_segments(fitted):
    project, _ = fitted
    store = project.store
    run = store.latest_run(RUN_KIND)
    unit = store.theme_units(run.id)[0]
    store.add_coding(unit.document_id, unit.start, unit.end, "competences.travail", "amina")
    cells = store.refresh_theme_code_matrix(run.id)
    assert any(c.theme == unit.theme and c.code_key == "competences.travail" and c.human >= 1 for c in cells)
    detail = theme_detail(project, unit.theme)
    assert detail.summary.id == unit.theme and detail.quotes
    assert any(c.code_key == "competences.travail" for c in detail.matrix)


def test_segments_rows_have_offsets_and_theme(fitted):
    project, _ = fitted
    rows = assignment_rows(project.store.theme_units(project.store.latest_run(RUN_KIND).id))
    assert rows and {"document", "start", "end", "speaker", "phase", "theme"} <= set(rows[0])


def test_export_writes_tables_and_charts(fitted, tmp_path):
    project, _ = fitted
    files = {p.name for p in export_themes(project, None, tmp_path / "out")}
    assert {"themes.csv", "theme_units.csv", "themes_by_phase.csv", "themes_by_lieu.csv", "theme_quotes.csv",
            "theme_code_matrix.csv", "themes_sizes.png", "themes_by_phase.png", "themes_barchart.html",
            "themes_by_phase.html"} <= files
    assert (tmp_path / "out" / "plotly.min.js").exists()          # charts open offline
    assert (tmp_path / "out" / "themes_sizes.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_json_and_segments(fitted):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    project, _ = fitted
    runner = CliRunner()
    out = runner.invoke(app, ["themes", "--project", str(project.path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["themes"] and data["backend"] == project.settings.themes.backend
    seg = runner.invoke(app, ["themes", "--project", str(project.path), "--segments", "--json"])
    rows = json.loads(seg.stdout)
    assert len(rows) == data["units"] and all(r["theme"] >= -1 for r in rows)
    show = runner.invoke(app, ["themes", "--project", str(project.path), "--show", "0"])
    assert show.exit_code == 0 and "Citations" in show.stdout
    bad = runner.invoke(app, ["themes", "--project", str(project.path), "--show", "999"])
    assert bad.exit_code == 1 and "999" in bad.output
