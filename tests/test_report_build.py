"""Building and writing a report from a small store coded in the test."""
from __future__ import annotations

import json
import threading

import pytest

from exporterre_nlp import Project, Settings
from exporterre_nlp.errors import CancelledError
from exporterre_nlp.i18n import get_language
from exporterre_nlp.report import TABLE_NAMES, build_report_data, write_report
from exporterre_nlp.report.annexes import page
from exporterre_nlp.report.model import Note
from exporterre_nlp.report.manifest import sha256_file
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


def test_pending_suggestions_are_left_out_by_default(small):
    project, docs = small
    code_turn(project.store, docs["habitante_baladins"][0], "preoccupations.proprete", "machine",
              status="pending", origin="rule:x")          # an interviewer turn: never counted
    code_turn(project.store, docs["relais_centre"][1], "preoccupations.proprete", "machine",
              status="pending", origin="rule:x")
    default = build_report_data(project)
    sheet = next(s for s in default.code_sheets if s.key == "preoccupations.proprete")
    assert sheet.figures.segments == 2 and not default.include_pending
    with_pending = build_report_data(project, include_pending=True)
    sheet = next(s for s in with_pending.code_sheets if s.key == "preoccupations.proprete")
    assert sheet.figures.segments == 3 and sheet.figures.by_phase["1"]["segments"] == 1


def test_with_pending_every_section_and_file_says_so(small, tmp_path):
    project, docs = small
    code_turn(project.store, docs["relais_centre"][1], "preoccupations.proprete", "machine",
              status="pending", origin="rule:x")
    result = write_report(project, tmp_path / "out", include_pending=True)
    sections = page(result.data, set())
    assert all(isinstance(s.blocks[0], Note) and s.blocks[0].kind == "warning" for s in sections)
    md = result.markdown.read_text(encoding="utf-8")
    assert md.count("suggestions de la machine") >= len(sections)
    html = result.html.read_text(encoding="utf-8")
    assert html.count('class="note warning') >= len(sections) + 1          # + the banner
    csv_text = (tmp_path / "out" / "tableaux" / "codes_par_phase.csv").read_text(encoding="utf-8-sig")
    assert "manual+accepted+pending" in csv_text
    default = write_report(project, tmp_path / "out2")
    assert "suggestions de la machine en attente" not in default.markdown.read_text(encoding="utf-8")


def test_report_folder_holds_every_format(small, tmp_path):
    project, _ = small
    result = write_report(project, tmp_path / "out")
    out = tmp_path / "out"
    for name in ("rapport.md", "rapport.html", "manifest.json", "tableaux.xlsx", "tableaux/codes_par_phase.csv",
                 "tableaux/citations.csv", "tableaux/besoins_competences.csv", "graphiques/codes_par_phase.png",
                 "graphiques/codes_phases_specificites.png"):
        assert (out / name).is_file(), name
    assert (out / "graphiques" / "codes_par_phase.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {p.stem for p in (out / "tableaux").glob("*.csv")} <= set(TABLE_NAMES)   # all known to the cleaner
    md = result.markdown.read_text(encoding="utf-8")
    for phase in ("1 — relais", "2 — lieux", "3 — habitants"):
        assert phase in md
    # every quote in the page is the exact text at its offsets
    texts = project.store.document_texts(d.id for d in project.store.document_facts())
    for sheet in result.data.code_sheets:
        for q in sheet.quotes:
            assert texts[q.document_id][q.start:q.end] == q.text


def test_manifest_traces_inputs_settings_and_files(small, tmp_path):
    project, _ = small
    run_id = add_theme_run(project.store, small[1])
    result = write_report(project, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["program"]["name"] == "exporterre-nlp"
    assert manifest["versions"]["spacy"] and manifest["seed"] == project.settings.seed
    assert manifest["settings_fingerprint"] == project.settings.fingerprint()
    hashes = {d["name"]: d["content_hash"] for d in manifest["inputs"]["documents"]}
    assert hashes == {d.name: d.content_hash for d in project.store.document_facts()}
    assert manifest["theme_run"] == run_id and [r["id"] for r in manifest["runs"]] == [run_id]
    assert {c["coder"] for c in manifest["coders"]} == {"alice"}
    assert manifest["options"]["counted_statuses"] == ["manual", "accepted"]
    for name, digest in manifest["files"].items():
        assert sha256_file(tmp_path / "out" / name) == digest
    assert "manifest.json" not in manifest["files"]
    assert result.data.manifest["inputs"]["codings_hash"] == manifest["inputs"]["codings_hash"]


def test_same_store_gives_the_same_report(small, tmp_path):
    project, _ = small
    a = write_report(project, tmp_path / "a")
    b = write_report(project, tmp_path / "b")
    assert a.markdown.read_bytes() == b.markdown.read_bytes()
    assert a.html.read_bytes() == b.html.read_bytes()
    for csv_file in sorted((tmp_path / "a" / "tableaux").glob("*.csv")):
        assert csv_file.read_bytes() == (tmp_path / "b" / "tableaux" / csv_file.name).read_bytes()
    ma = json.loads((tmp_path / "a" / "manifest.json").read_text())
    mb = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert ma["inputs"] == mb["inputs"] and ma["settings"] == mb["settings"]


def test_a_new_coding_changes_the_codings_hash(small, tmp_path):
    project, docs = small
    before = build_report_data(project).manifest["inputs"]["codings_hash"]
    code_turn(project.store, docs["relais_centre"][1], "besoins.logement", "bruno")
    assert build_report_data(project).manifest["inputs"]["codings_hash"] != before


def test_themes_section_reads_the_latest_theme_run(small):
    project, docs = small
    assert build_report_data(project).theme_status.startswith("Aucune analyse de thèmes")
    add_theme_run(project.store, docs)
    data = build_report_data(project)
    by_id = {t.id: t for t in data.themes}
    assert by_id[0].by_phase == {"1": 0, "2": 0, "3": 3}
    assert by_id[1].by_phase == {"1": 2, "2": 1, "3": 1}
    assert (by_id[0].documents, by_id[0].participants) == (2, 2)
    assert (by_id[1].documents, by_id[1].participants) == (3, 3)      # Nadia, the mosque notes, Fatima
    assert data.outlier_share == pytest.approx(1 / 8)
    assert ("crèche · garde · enfants", "3", 3) in data.exclusive_themes
    assert by_id[0].codes[0][0] == "besoins.garde"
    assert by_id[0].shared[0] == ("besoins.garde", "Garde d'enfants", 3)
    assert len({q.voice for q in by_id[0].quotes}) == 2          # Fatima and Karim
    garde = next(s for s in data.code_sheets if s.key == "besoins.garde")
    assert garde.themes[0][:2] == (0, "crèche · garde · enfants")


def test_report_in_english_leaves_the_language_as_it_was(small, tmp_path):
    project, _ = small
    result = write_report(project, tmp_path / "en", lang="en")
    md = result.markdown.read_text(encoding="utf-8")
    assert "Code sheets" in md and "Fiches par code" not in md
    assert get_language() == "fr"


def test_cancel_writes_nothing(small, tmp_path):
    project, _ = small
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        write_report(project, tmp_path / "never", cancel=cancel)
    assert not (tmp_path / "never").exists()


def test_progress_is_reported(small, tmp_path):
    project, _ = small
    seen = []
    write_report(project, tmp_path / "out", progress=seen.append)
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total


def test_a_branch_with_one_coded_child_gets_no_sheet_of_its_own(small):
    project, _ = small
    keys = [s.key for s in build_report_data(project).code_sheets]
    assert "preoccupations.proprete" in keys and "preoccupations" not in keys    # only Propreté is coded
    assert "besoins" in keys                                                      # two children coded


def test_rewriting_a_report_leaves_no_stale_file(small, tmp_path):
    project, docs = small
    add_theme_run(project.store, docs)
    out = tmp_path / "out"
    write_report(project, out)
    assert (out / "tableaux" / "themes_par_phase.csv").exists()
    (out / "mes_notes.txt").write_text("à garder", encoding="utf-8")
    for run in project.store.list_runs("themes"):
        project.store.finish_run(run.id, status="failed")           # no usable theme run any more
    write_report(project, out)
    assert not (out / "tableaux" / "themes_par_phase.csv").exists()
    assert not (out / "graphiques" / "themes_tailles.png").exists()
    assert (out / "mes_notes.txt").read_text(encoding="utf-8") == "à garder"
