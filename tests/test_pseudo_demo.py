"""Pseudonymisation on the demo corpus: recall of the planted personal data, false positives,
consistency across documents and runs, the key apart, the review flow, the CLI."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from exporterre_nlp import Project, importer
from exporterre_nlp.pseudo import accept, accept_all, detect, edit_pseudonym, export_texts, pseudonymised_document, \
    reject
from exporterre_nlp.store.pseudo import KeyFile

# Planted fictional personal data, found by reading corpus/demo (document name, words as written).
PLANTED = {
    "phone": [("fete_quartier_notes_echange", "07 68 31 05 42"), ("jardin_partage_echange", "06 14 29 63 85"),
              ("marche_arlequin_notes_terrain", "06 52 88 14 73"), ("marche_echange_commercants", "06 75 40 92 18"),
              ("mosquee_presentation_echange", "06 23 58 71 14"), ("paroisse_catholique_notes", "06 91 45 37 28"),
              ("salle_commune_echange_groupe", "06 30 27 84 61"), ("arret_tram_arlequin_03", "07 62 18 40 95"),
              ("ecole_trembles_sortie_04", "06 44 19 73 02"), ("hall_arlequin_mere_fille_10", "06 52 87 14 60"),
              ("association_femmes_couture_entretien", "04 76 22 31 09"), ("marche_samedi_05", "06 98 76 54 32"),
              ("porte_a_porte_baladins_01", "06 71 42 88 19"), ("porte_a_porte_geants_07", "07 81 33 26 54"),
              ("association_sportive_entretien", "06 84 02 19 37"), ("centre_social_entretien", "06 47 21 83 90"),
              ("club_prevention_entretien", "06 18 73 50 22"), ("maison_des_habitants_entretien", "04 76 33 58 20"),
              ("mediatrice_scolaire_entretien", "04 76 40 12 57"), ("regie_quartier_entretien", "07 62 18 44 05"),
              ("eglise_evangelique_echange", "07 51 66 20 83")],
    "email": [("jardin_partage_echange", "lespoussesdulac@gmail.com"),
              ("paroisse_catholique_notes", "paroisse.steclaire@diocese-exemple.fr"),
              ("association_femmes_couture_entretien", "filetpartage.arlequin@gmail.com"),
              ("parc_verlhac_08", "ines.carvalho.lea@gmail.com"),
              ("porte_a_porte_arlequin_02", "gerard.perrin38@laposte.net"),
              ("porte_a_porte_village_olympique_09", "mel.et.djamel.haddouche@gmail.com"),
              ("association_sportive_entretien", "etoile.villeneuve38@gmail.com"),
              ("bibliotheque_kateb_yacine_entretien", "f.dumaine@orange.fr"),
              ("centre_social_entretien", "nadia.ferhat@cs-baladins.fr"),
              ("maison_des_habitants_entretien", "martine.garnier@villeneuve-patio.fr"),
              ("mediatrice_scolaire_entretien", "samia.tahiri.mediation@laposte.net")],
    "address": [("paroisse_catholique_notes", "60 galerie de l’Arlequin"),
                ("hall_arlequin_mere_fille_10", "110 galerie de l'Arlequin"),
                ("association_femmes_couture_entretien", "95 galerie de l'Arlequin"),
                ("porte_a_porte_arlequin_02", "50 galerie de l'Arlequin"),
                ("porte_a_porte_baladins_01", "40 galerie des Baladins"),
                ("porte_a_porte_geants_07", "12 rue des Géants"),
                ("maison_des_habitants_entretien", "110 galerie de l'Arlequin")],
    "nir": [("porte_a_porte_geants_07", "2 47 05 99 352 118 46")],
    # people: full names, surnames after a title, first names of speakers and in the text
    "person": [("association_femmes_couture_entretien", "Zohra Meziane"),
               ("association_sportive_entretien", "Sofiane Khelifi"),
               ("bibliotheque_kateb_yacine_entretien", "Françoise Dumaine"),
               ("centre_social_entretien", "Nadia Ferhat"), ("club_prevention_entretien", "Yacine Amrani"),
               ("maison_des_habitants_entretien", "Martine Garnier"),
               ("mediatrice_scolaire_entretien", "Samia Tahiri"), ("regie_quartier_entretien", "Karim Bellaoui"),
               ("eglise_evangelique_echange", "Emmanuel Mbuyi"), ("fete_quartier_notes_echange", "Mehdi Rahmouni"),
               ("jardin_partage_echange", "Jean-Paul Mercier"), ("marche_echange_commercants", "Hakim Saïdi"),
               ("mosquee_presentation_echange", "Khadija Benali"),
               ("salle_commune_echange_groupe", "Gérard Pelletier"),
               ("hall_parking_village_olympique_06", "Serkan Yıldız"),
               ("porte_a_porte_baladins_01", "Samia Bensaïd"),
               ("centre_social_entretien", "Rolland"), ("maison_des_habitants_entretien", "Lopes"),
               ("fete_quartier_notes_echange", "Saïd"), ("paroisse_catholique_notes", "Tran"),
               ("paroisse_catholique_notes", "Okafor"), ("marche_echange_commercants", "Yildiz"),
               ("hall_parking_village_olympique_06", "Girard"), ("marche_samedi_05", "Diallo"),
               ("marche_samedi_05", "Ferreira"), ("porte_a_porte_village_olympique_09", "Bouzid"),
               ("porte_a_porte_baladins_01", "Samia"), ("porte_a_porte_geants_07", "Zohra"),
               ("parc_verlhac_08", "Inès"), ("porte_a_porte_arlequin_02", "Gérard"),
               ("hall_arlequin_mere_fille_10", "Faïza"), ("ecole_trembles_sortie_04", "Aminata")],
}
NOT_PEOPLE = ["Ben", "ben", "Hein", "hein", "Bah", "Euh", "Bon", "Voilà", "Arlequin", "Géants", "Baladins", "Patio",
              "Kateb Yacine", "Yacine" + " " + "Kateb", "Jean Verlhac", "Village Olympique", "Villeneuve", "Grenoble",
              "Lucie Aubrac", "Fontaine", "Maman", "Allez", "Ramadan"]


def _project(path: Path) -> Project:
    proj = Project.init(path)
    importer.ingest_paths(proj, [Path(__file__).resolve().parents[1] / "corpus" / "demo"])
    return proj


@pytest.fixture(scope="module")
def demo_fast(tmp_path_factory):
    """The demo corpus with detection without the French model (lists, titles, labels, patterns)."""
    proj = _project(tmp_path_factory.mktemp("pseudo_fast") / "projet")
    result = detect(proj, use_ner=False)
    yield proj, result
    proj.close()


def _covered(proj, category, use_words=True):
    """(found, missed) planted items of a category: every occurrence must be inside a candidate."""
    found, missed = [], []
    for name, words in PLANTED[category]:
        doc = proj.store.get_document(name)
        spans = [(c.start, c.end) for c in proj.store.list_pseudo_candidates(document_id=doc.id, category=category)]
        start = doc.text.find(words)
        assert start >= 0, f"fixture: {words!r} not in {name}"
        ok = True
        while start >= 0:
            end = start + len(words)
            ok &= any(s <= start and end <= e for s, e in spans)
            start = doc.text.find(words, end)
        (found if ok else missed).append((name, words))
    return found, missed


@pytest.mark.parametrize("category", ["phone", "email", "address", "nir"])
def test_every_planted_contact_detail_is_found(demo_fast, category):
    proj, _ = demo_fast
    found, missed = _covered(proj, category)
    assert missed == []


def test_no_filler_or_place_name_is_proposed_as_a_person(demo_fast):
    proj, _ = demo_fast
    texts = {}
    bad = []
    for c in proj.store.list_pseudo_candidates(category="person"):
        t = texts.setdefault(c.document_id, proj.store.get_document(c.document_id).text)
        if t[c.start:c.end] in NOT_PEOPLE:
            bad.append(t[c.start:c.end])
    assert bad == []


def test_the_key_lives_apart_from_the_store(demo_fast):
    proj, _ = demo_fast
    key_path = proj.path / "private" / "pseudo_key.sqlite3"
    assert key_path.exists() and (proj.path / "private" / "LISEZ-MOI.txt").exists()
    store_tables = {r[0] for r in sqlite3.connect(proj.path / "store.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "entries" not in store_tables and "pseudo_candidates" in store_tables
    with KeyFile.open(proj.path) as key:
        reals = {e.real for e in key.entries()}
    assert "06 71 42 88 19" in reals
    # no real value is written in the store's candidate rows
    rows = sqlite3.connect(proj.path / "store.sqlite3").execute("SELECT * FROM pseudo_candidates").fetchall()
    assert not any("06 71 42 88 19" in str(v) for row in rows for v in row)


def test_a_speaker_label_and_mentions_get_the_same_pseudonym(demo_fast):
    proj, _ = demo_fast
    doc = proj.store.get_document("porte_a_porte_baladins_01")
    samia = {c.pseudonym for c in proj.store.list_pseudo_candidates(document_id=doc.id, category="person")
             if doc.text[c.start:c.end] == "Samia"}
    assert len(samia) == 1 and "Samia" not in samia


def test_detection_again_keeps_decisions_and_adds_nothing(demo_fast):
    proj, _ = demo_fast
    phones = proj.store.list_pseudo_candidates(category="phone")
    accept(proj.store, [phones[0].id])
    reject(proj.store, [phones[1].id])
    again = detect(proj, use_ner=False)
    assert again.added == 0 and again.removed == 0
    assert proj.store.get_pseudo_candidate(phones[0].id).status == "accepted"
    assert proj.store.get_pseudo_candidate(phones[1].id).status == "rejected"


def test_same_corpus_same_seed_gives_the_same_pseudonyms_in_a_new_project(demo_fast, tmp_path):
    proj, _ = demo_fast
    other = _project(tmp_path / "autre")
    try:
        detect(other, use_ner=False)
        mine = {(c.document_id, c.start, c.end): c.pseudonym for c in proj.store.list_pseudo_candidates()}
        theirs = {(c.document_id, c.start, c.end): c.pseudonym for c in other.store.list_pseudo_candidates()}
        common = set(mine) & set(theirs)
        assert len(common) > 100
        assert {k: mine[k] for k in common} == {k: theirs[k] for k in common}
    finally:
        other.close()


def test_only_accepted_replacements_are_applied_and_quotes_keep_provenance(demo_fast):
    proj, _ = demo_fast
    doc = proj.store.get_document("porte_a_porte_baladins_01")
    before = pseudonymised_document(proj.store, doc.id)
    assert "06 71 42 88 19" in before.text or before.applied > 0
    accept_all(proj.store, "all")
    after = pseudonymised_document(proj.store, doc.id)
    assert "06 71 42 88 19" not in after.text and "Samia" not in after.text and after.pending == 0
    seg = [s for s in proj.store.segment_views(document_ids=[doc.id]) if "moisissure" in s.text][0]
    quote = after.quote(seg.start, seg.end)
    assert "moisissure" in quote and "Samia" not in quote
    assert after.speakers["Samia"] != "Samia" and after.speakers["E"] == "E"


def test_editing_a_pseudonym_changes_it_for_the_same_person_everywhere(demo_fast):
    proj, _ = demo_fast
    doc = proj.store.get_document("parc_verlhac_08")
    ines = [c for c in proj.store.list_pseudo_candidates(document_id=doc.id, category="person")
            if doc.text[c.start:c.end] == "Inès"]
    changed = edit_pseudonym(proj, ines[0].id, "Capucine")
    assert changed >= len(ines)
    assert {proj.store.get_pseudo_candidate(c.id).pseudonym for c in ines} == {"Capucine"}
    with KeyFile.open(proj.path) as key:
        entry = key.by_id(ines[0].entity_id)
    assert entry.pseudo_first == "Capucine" and entry.edited


def test_export_writes_pseudonymised_texts_and_never_the_key(demo_fast, tmp_path):
    proj, _ = demo_fast
    accept_all(proj.store, "all")
    rejected = {proj.store.get_document(c.document_id).text[c.start:c.end]
                for c in proj.store.list_pseudo_candidates(status="rejected")}
    files = export_texts(proj, tmp_path / "export")
    assert len(files) == 26
    blob = "\n".join(f.read_text(encoding="utf-8") for f in files)
    for _, words in PLANTED["phone"] + PLANTED["email"]:
        assert (words in blob) == (words in rejected)
    assert not list((tmp_path / "export").glob("*.sqlite3"))


def test_cli_detect_review_accept_show(tmp_path):
    from typer.testing import CliRunner
    import exporterre_nlp.cli.pseudo  # noqa: F401  (registers the commands)
    from exporterre_nlp.cli.app import app
    proj = Project.init(tmp_path / "p")
    (tmp_path / "t.txt").write_text("E : Votre numéro ?\nFatima : C'est le 06 12 34 56 78, Fatima.\n",
                                    encoding="utf-8")
    importer.ingest_paths(proj, [tmp_path / "t.txt"], metadata={"phase": 3})
    proj.close()
    runner = CliRunner()
    p = ["--project", str(tmp_path / "p")]
    assert runner.invoke(app, ["pseudo", "detect", "--no-ner", *p]).exit_code == 0
    out = runner.invoke(app, ["pseudo", "review", "--json", *p])
    items = __import__("json").loads(out.stdout)
    assert {i["category"] for i in items} == {"person", "phone"}
    assert runner.invoke(app, ["pseudo", "accept", *[str(i["id"]) for i in items], *p]).exit_code == 0
    shown = runner.invoke(app, ["pseudo", "show", "t", *p]).stdout
    assert "Fatima" not in shown and "06 12 34 56 78" not in shown and "06 39 98" in shown
    bad = runner.invoke(app, ["pseudo", "accept", "9999", *p])
    assert bad.exit_code == 1


@pytest.mark.slow
def test_names_of_people_are_found_with_the_french_model(tmp_path):
    proj = _project(tmp_path / "ner")
    try:
        result = detect(proj)
        assert result.ner
        found, missed = _covered(proj, "person")
        # every planted full name, titled surname and speaker first name
        assert missed == [], missed
        texts = {}
        bad = [t for c in proj.store.list_pseudo_candidates(category="person")
               for t in [texts.setdefault(c.document_id, proj.store.get_document(c.document_id).text)[c.start:c.end]]
               if t in NOT_PEOPLE]
        assert bad == []
    finally:
        proj.close()
