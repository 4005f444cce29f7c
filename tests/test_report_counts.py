"""Issue 16 in the report: coverage, unit of comparison, what is excluded, traceability."""
from __future__ import annotations

import csv
import json

import pytest

from exporterre_nlp import Project, Settings
from exporterre_nlp.analysis.coverage import mark_covered
from exporterre_nlp.report import build_report_data, write_report
from exporterre_nlp.report.manifest import sha256_file
from report_store import build_store, code_everything, code_turn


@pytest.fixture()
def project(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    settings = Settings()
    settings.report.lemmas = "words"
    yield Project(tmp_path, settings, store), docs
    store.close()


def _csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_report_counts_phases_nobody_coded_as_not_coded(project, tmp_path):
    """Case 1: only phase 3 is coded; phases 1 and 2 are "non codé", never 0 nor "only in phase 3"."""
    proj, docs = project
    f, k = docs["habitante_baladins"], docs["habitant_arlequin"]
    for t in (f[1], f[2], k[1]):
        code_turn(proj.store, t, "besoins.garde")
    result = write_report(proj, tmp_path / "out")
    md = result.markdown.read_text(encoding="utf-8")
    assert "non codé" in md and "seulement en phase" not in md
    assert md.index("Couverture : ce qui a été codé") < md.index("Différences marquées")   # coverage first
    assert not any(c in ("1", "2") for _r, c, _s, _f in result.data.chosen_specificity.flagged())
    rows = _csv(tmp_path / "out" / "tableaux" / "codes_par_phase.csv")
    garde = next(r for r in rows if r[0] == "besoins.garde")
    header = rows[0]
    assert garde[header.index("n_1")] == "non codé" and garde[header.index("n_3")] == "3"
    cover = _csv(tmp_path / "out" / "tableaux" / "couverture.csv")
    besoins3 = next(r for r in cover if r[0] == "Besoins" and r[1].startswith("3"))
    assert besoins3[2] == "2/2"
    besoins1 = next(r for r in cover if r[0] == "Besoins" and r[1].startswith("1"))
    assert besoins1[2] == "0/1"


def test_report_compares_participants_by_default_and_says_so(project, tmp_path):
    """Case 3: the marked differences use the chosen unit; both tables have specificities."""
    proj, docs = project
    code_everything(proj.store, docs)
    data = build_report_data(proj)
    assert data.unit == "participants"
    assert data.phase_participants_specificity is not None
    sheet = next(s for s in data.code_sheets if s.key == "besoins.garde")
    assert sheet.scores == dict(zip(data.phase_participants_specificity.columns,
                                    data.phase_participants_specificity.scores[
                                        data.phase_participants.rows.index("besoins.garde")]))
    result = write_report(proj, tmp_path / "out")
    md = result.markdown.read_text(encoding="utf-8")
    assert "Différences marquées (unité : participants)" in md
    header = _csv(tmp_path / "out" / "tableaux" / "codes_par_phase_participants.csv")[0]
    assert "spec_3" in header and "residu_3" in header
    segments = write_report(proj, tmp_path / "seg", unit="segments")
    assert "Différences marquées (unité : segments)" in segments.markdown.read_text(encoding="utf-8")


def test_report_says_what_is_left_out_and_how_to_include_it(project, tmp_path):
    """Case 5: pending suggestions not counted are said with the way to review or include them."""
    proj, docs = project
    for t in (docs["habitante_baladins"][1], docs["habitant_arlequin"][1]):
        code_turn(proj.store, t, "besoins.garde", "machine", status="pending", origin="rule:garde")
    result = write_report(proj, tmp_path / "out")
    md = result.markdown.read_text(encoding="utf-8")
    intro = md[:md.index("Ce rapport résume")]
    assert "2 suggestion(s) de la machine en attente de validation ne sont pas comptées" in intro
    assert "--include-pending" in intro and "exporterre code" in intro
    assert "Aucun codage n'est compté" in intro
    assert "aucune suggestion de la machine" not in md
    assert "2 suggestions de la machine" in md.split("Accord entre codeurs")[-1]


def test_report_bulk_coverage_is_said_on_the_first_page(project, tmp_path):
    proj, docs = project
    code_everything(proj.store, docs, cover=False)
    mark_covered(proj.store, "demo", None, None, bulk=True)
    md = write_report(proj, tmp_path / "out").markdown.read_text(encoding="utf-8")
    assert "Couverture posée en bloc" in md[:md.index("Ce rapport résume")]


def test_report_numbers_segments_from_one_everywhere(project, tmp_path):
    """Case 7: the segment number of a quote is the same in the page and in CSV/XLSX."""
    proj, docs = project
    code_everything(proj.store, docs)
    result = write_report(proj, tmp_path / "out")
    md = result.markdown.read_text(encoding="utf-8")
    rows = _csv(tmp_path / "out" / "tableaux" / "citations.csv")
    header = rows[0]
    for r in rows[1:]:
        assert f"segment {r[header.index('segment')]}, caractères {r[header.index('début')]}" in md


def test_report_labels_carry_their_branch_when_two_codes_share_one(project, tmp_path):
    proj, docs = project
    proj.store.add_code("lieux", "Lieux")
    proj.store.add_code("lieux.culte", "Lieux de culte", parent="lieux")
    proj.store.add_code("ressources", "Ressources")
    proj.store.add_code("ressources.culte", "Lieux de culte", parent="ressources")
    code_everything(proj.store, docs)
    code_turn(proj.store, docs["lieu_mosquee"][0], "lieux.culte")
    code_turn(proj.store, docs["lieu_mosquee"][0], "ressources.culte")
    mark_covered(proj.store, "alice", None, ["lieux", "ressources"])
    data = build_report_data(proj)
    assert data.phase_table.labels["lieux.culte"] == "Lieux de culte (Lieux)"
    assert data.phase_table.labels["ressources.culte"] == "Lieux de culte (Ressources)"
    assert data.phase_table.labels["besoins.garde"] == "Garde d'enfants"


def test_report_manifest_records_program_version_and_model_hashes(project, tmp_path):
    proj, docs = project
    code_everything(proj.store, docs)
    write_report(proj, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    program = manifest["program"]
    assert len(program["source_sha256"]) == 64
    assert program.get("git_commit") is None or len(program["git_commit"]) == 40
    from exporterre_nlp.nlp.sentence.model import BUILTIN_PATH
    assert manifest["models"]["sentence_model"]["sha256"] == sha256_file(BUILTIN_PATH)
    assert "spacy_model" in manifest["models"]
    assert manifest["options"]["unit"] == "participants"
    assert manifest["coverage"]["mode"] == "marks"


def test_report_needs_and_skills_table_says_not_coded_for_uncovered_phases(project, tmp_path):
    proj, docs = project
    for t in (docs["habitante_baladins"][1], docs["habitant_arlequin"][1]):
        code_turn(proj.store, t, "besoins.garde")
    code_turn(proj.store, docs["habitante_baladins"][3], "competences.couture")
    md = write_report(proj, tmp_path / "out").markdown.read_text(encoding="utf-8")
    section = md[md.index("Besoins ↔ compétences et ressources : qui pourrait aider qui\n"):]
    row = next(line for line in section.splitlines() if line.startswith("| enfance"))
    # needs: phases 1 and 2 not coded, 2 segments in phase 3; no offer code in this domain: not coded at all
    assert row == "| enfance | non codé | non codé | 2 | 2 | non codé | non codé | non codé | 0 |"
