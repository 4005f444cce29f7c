"""exporterre report --pseudonymise: no accepted personal value anywhere in the report folder."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from exporterre_nlp import Project, Settings
from exporterre_nlp.i18n import set_language
from exporterre_nlp.pseudo import accept_all, detect
from exporterre_nlp.report import write_report
from report_store import add_document, build_store, code_everything, code_turn

# Quoted passages holding a person's name (speaker label and "Mme Bouzid"), a phone and an address.
GALERIE = [
    ("E", "Vous connaissez des personnes qui pourraient aider les familles ?"),
    ("Samia", "Mme Bouzid garde les enfants de tout l'immeuble le mercredi, elle fait ça très bien depuis des années."),
    ("Samia", "Appelez-la au 06 12 34 56 78, elle habite au 12 galerie de l'Arlequin, au troisième étage."),
    ("Samia", "Moi je couds des rideaux et des robes, Mme Bouzid aussi fait de la couture pour les voisines."),
]
TEXT_SUFFIXES = (".md", ".html", ".csv", ".json", ".txt")


@pytest.fixture(autouse=True, scope="module")
def _french():
    set_language("fr")
    yield
    set_language(None)


def _theme_run(store, turns) -> None:
    """A stored theme run whose label and words hold a name (as a careless topic model could)."""
    from exporterre_nlp.store.themes import ThemeRecord, ThemeUnit

    run = store.start_run("themes", settings={"backend": "test"}, versions={}, input_hash="test")
    units = [ThemeUnit(run.id, i, t.document_id, "voisines_galerie", t.segment_id, t.start, t.end, t.speaker,
                       "resident", 3, None, 0, 1.0) for i, t in enumerate(turns[1:])]
    store.save_theme_results(run.id, themes=[ThemeRecord(run.id, 0, "bouzid · garde · mercredi", 3,
                                                         [("bouzid", 0.5), ("garde", 0.4), ("mercredi", 0.3)])],
                             units=units, quotes=[], codes=[], class_counts=[])
    store.finish_run(run.id)


def _project(tmp_path: Path, *, detect_names: bool = True, decide: bool = True) -> Project:
    tmp_path.mkdir(parents=True, exist_ok=True)
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    turns = add_document(store, "voisines_galerie", 3, "galerie", GALERIE)
    for t in turns[1:]:
        code_turn(store, t, "besoins.garde")
    code_turn(store, turns[3], "competences.couture")
    store.mark_coverage("alice", [turns[0].document_id], ["besoins", "competences", "preoccupations"])
    _theme_run(store, turns)
    settings = Settings()
    settings.report.lemmas = "words"           # word forms: no model, and names would show up as words
    settings.save(tmp_path)
    project = Project(tmp_path, settings, store)
    if detect_names:
        detect(project, use_ner=False)
        if decide:
            accept_all(store, "all")
    return project


def _originals(project: Project) -> dict[str, str]:
    """Real value → pseudonym of every accepted candidate."""
    store = project.store
    return {store.get_document(c.document_id).text[c.start:c.end]: c.pseudonym
            for c in store.list_pseudo_candidates(status="accepted")}


def _folder_text(out: Path) -> dict[str, str]:
    """Every text file of the folder, and every XLSX cell, as text."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in TEXT_SUFFIXES:
            found[str(path.relative_to(out))] = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".xlsx":
            wb = load_workbook(path, read_only=True)
            found[path.name] = "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                                         for v in row if v is not None)
    return found


def _contains(text: str, value: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE) is not None


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pseudo_report")
    project = _project(tmp)
    result = write_report(project, tmp / "out", pseudonymise=True)
    yield project, result, tmp / "out"
    project.close()


def test_detection_found_the_planted_values(accepted):
    project, _, _ = accepted
    originals = _originals(project)
    assert {"Samia", "Bouzid", "06 12 34 56 78", "12 galerie de l'Arlequin"} <= set(originals)
    assert not project.store.list_pseudo_candidates(status="pending")


def test_no_original_value_anywhere_in_the_folder(accepted):
    project, _, out = accepted
    texts = _folder_text(out)
    assert {"rapport.md", "rapport.html", "tableaux/citations.csv", "tableaux.xlsx", "manifest.json"} <= set(texts)
    for real in _originals(project):
        leaks = [name for name, text in texts.items() if _contains(text, real)]
        assert not leaks, f"{real!r} in {leaks}"
    for name, text in texts.items():                  # the phone's digits, whatever the spacing
        assert "0612345678" not in re.sub(r"\D", "", text), name


def test_pseudonyms_show_in_every_format(accepted):
    project, result, out = accepted
    texts = _folder_text(out)
    people = {real: fake for real, fake in _originals(project).items() if real in ("Samia", "Bouzid")}
    for name in ("rapport.md", "rapport.html", "tableaux/citations.csv", "tableaux.xlsx"):
        for fake in people.values():
            assert fake in texts[name], (fake, name)
    quotes = [q for s in result.data.code_sheets for q in s.quotes if q.document == "voisines_galerie"]
    assert quotes and all(q.speaker == people["Samia"] for q in quotes)
    # the theme label built from a name shows the pseudonym; the name is no theme word
    theme = result.data.themes[0]
    assert theme.label.startswith(people["Bouzid"].lower()) and "bouzid" not in theme.words


def test_quote_positions_point_to_the_stored_text(accepted):
    project, result, out = accepted
    store = project.store
    rows = list(csv.DictReader((out / "tableaux" / "citations.csv").open(encoding="utf-8-sig")))
    named = [r for r in rows if r["document"] == "voisines_galerie"]
    assert named
    for r in named:
        stored = store.get_document(r["document"]).text[int(r["début"]):int(r["fin"])]
        assert "Bouzid" in stored or "couds" in stored          # the original words, as held by the team
        assert "Bouzid" not in r["citation"]
    md = (out / "rapport.md").read_text(encoding="utf-8")
    assert "texte d'origine" in md and "conservé par l'équipe de recherche" in md


def test_first_page_and_manifest_say_pseudonymised(accepted):
    project, result, out = accepted
    md = (out / "rapport.md").read_text(encoding="utf-8")
    first_section = md.split("## ", 2)[1]
    applied = result.data.pseudo["applied"]
    assert applied == len(project.store.list_pseudo_candidates(status="accepted"))
    assert f"Rapport pseudonymisé : {applied} remplacement(s)" in first_section
    assert "INCOMPLET" not in md
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["pseudonymise"] is True
    assert manifest["pseudonymisation"]["applied"] == applied and manifest["pseudonymisation"]["complete"]
    assert manifest["pseudonymisation"]["warnings"] == []


def test_vocabulary_leaves_out_person_names(accepted):
    _, result, _ = accepted
    lemmas = {x.lemma for s in result.data.code_sheets for x in s.lemmas}
    assert lemmas and not lemmas & {"samia", "bouzid"}
    assert "bouzid" not in (result.data.lemma_specificity.rows if result.data.lemma_specificity else [])
    assert result.data.pseudo["lemma_tokens_dropped"] >= 2        # the two "Bouzid" of the quoted turns


def test_without_the_flag_the_report_is_unchanged(tmp_path):
    plain = _project(tmp_path / "a", detect_names=False)
    before = write_report(plain, tmp_path / "before")
    after_project = _project(tmp_path / "b")
    after = write_report(after_project, tmp_path / "after")
    try:
        for name in ["rapport.md", "rapport.html"] + [f"tableaux/{p.name}" for p in (tmp_path / "before" /
                                                                                  "tableaux").glob("*.csv")]:
            a = (tmp_path / "before" / name).read_text(encoding="utf-8-sig").replace(" — a", " — X")
            b = (tmp_path / "after" / name).read_text(encoding="utf-8-sig").replace(" — b", " — X")
            assert a == b, name
        md = (tmp_path / "after" / "rapport.md").read_text(encoding="utf-8")
        assert "Bouzid" in md and "pseudonymisé" not in md.split("## ", 2)[1].split("\n")[2]
        assert after.data.pseudo is None and before.data.pseudo is None
        manifest = json.loads((tmp_path / "after" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["options"]["pseudonymise"] is False and "pseudonymisation" not in manifest
    finally:
        plain.close()
        after_project.close()


def _warned_everywhere(out: Path, phrase: str) -> None:
    md = (out / "rapport.md").read_text(encoding="utf-8")
    sections = md.split("\n## ")[1:]
    assert sections and all(phrase in s for s in sections)
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert 'class="note warning banner">⚠ Rapport pseudonymisé INCOMPLET' in html
    wb = load_workbook(out / "tableaux.xlsx", read_only=True)
    assert all(phrase in str(next(ws.iter_rows(min_row=2, max_row=2, values_only=True))[0])
               for ws in wb.worksheets)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pseudonymisation"]["warnings"] and not manifest["pseudonymisation"]["complete"]


def test_pending_detections_are_warned_on_every_page(tmp_path):
    project = _project(tmp_path, decide=False)
    try:
        pending = len(project.store.list_pseudo_candidates(status="pending"))
        result = write_report(project, tmp_path / "out", pseudonymise=True)
        assert result.data.pseudo["pending"] == pending > 0 and result.data.pseudo["applied"] == 0
        _warned_everywhere(tmp_path / "out", f"{pending} détection(s) de données personnelles attendent encore")
        rows = list(csv.DictReader((tmp_path / "out" / "tableaux" / "citations.csv").open(encoding="utf-8-sig")))
        assert rows and all(r["pseudonymisation"].startswith("INCOMPLÈTE") for r in rows)
    finally:
        project.close()


def test_detection_never_run_is_warned(tmp_path):
    project = _project(tmp_path, detect_names=False)
    try:
        result = write_report(project, tmp_path / "out", pseudonymise=True)
        assert result.data.pseudo["detection_run"] is False
        _warned_everywhere(tmp_path / "out", "exporterre pseudo detect")
        assert "Bouzid" in (tmp_path / "out" / "rapport.md").read_text(encoding="utf-8")   # nothing replaced
    finally:
        project.close()


def test_cli_pseudonymise(tmp_path):
    from exporterre_nlp.cli import app

    project = _project(tmp_path)
    project.close()
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--project", str(tmp_path), "--out", str(tmp_path / "out"),
                              "--pseudonymise", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["pseudonymise"] is True and payload["pseudonymisation"]["applied"] > 0
    assert "Bouzid" not in (tmp_path / "out" / "rapport.html").read_text(encoding="utf-8")
