"""Places: register, linking, ties, sheets, directory, GeoJSON, the map, the CLI, pseudonymisation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from exporterre_nlp import Project
from exporterre_nlp.places import (Linker, PlaceRegisterError, build_place_index, compute, directory, load_register,
                                   normalise, place_sheet, project_register, write_place_outputs)
from exporterre_nlp.places.register import default_register_path, register_from_data
from tests.report_store import add_document, code_turn

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def register():
    return load_register(default_register_path())


# ---------------------------------------------------------------- register
def test_places_register_demo_is_valid_and_approximate(register):
    assert len(register) >= 20
    assert {"patio", "parc", "marche", "arlequin", "mosquee"} <= set(register.places)
    # every position of the demo register is flagged approximate (docs/places.md, demo README)
    assert all(p.coords is None or p.coords.precision == "approximate" for p in register)
    assert register.ancestors("lac") == ["parc", "villeneuve"]
    order = register.tree_order()
    assert order.index("centre_social") == order.index("baladins") + 1


@pytest.mark.parametrize("change, words", [
    (lambda d: d["places"][1].update(parent="nulle_part"), "parent"),
    (lambda d: d["places"][1].update(kind="volcan"), "kind"),
    (lambda d: d["places"][1].update(coords={"lat": 145, "lon": 5}), "globe"),
    (lambda d: d["places"][1].update(coords={"lat": 45, "lon": 5, "precision": "à peu près"}), "precision"),
    (lambda d: d["places"][2].update(aliases=["la MDH"]), "MDH"),
    (lambda d: d["places"].append(dict(d["places"][1])), "double"),
    (lambda d: d["places"][0].update(parent="arlequin"), "boucle"),
    (lambda d: d["places"][1].update(couleur="rouge"), "couleur"),
])
def test_places_register_errors_name_place_and_field(change, words, french):
    data = yaml.safe_load(default_register_path().read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(PlaceRegisterError) as info:
        register_from_data(data, "lieux.yaml")
    assert words in info.value.message and "lieux.yaml" in info.value.message
    assert info.value.hint


def test_places_register_missing_file_says_what_to_do(tmp_path, french):
    with pytest.raises(PlaceRegisterError) as info:
        load_register(tmp_path / "absent.yaml")
    assert "introuvable" in info.value.message and "places.register" in info.value.hint


# ---------------------------------------------------------------- linking
@pytest.mark.parametrize("mention, key, method", [
    ("la MDH", "patio", "alias"),
    ("LA MDH", "patio", "alias"),
    ("À la Maison des habitants", "patio", "alias"),
    ("à la maison des habitants", "patio", "alias"),
    ("les Geants", "geants", "alias"),
    ("au parc Jean Verlhac le dimanche", "parc", "contains"),
    ("la bibliotheque Kateb Yassine", "bibliotheque", "contains"),
    ("Kateb Yassine", "bibliotheque", "fuzzy"),
    ("Verlac", None, None),
    ("porte-à-porte", None, None),
])
def test_places_linker_alias_accents_case_fuzzy(register, mention, key, method):
    link = Linker(register).link(mention)
    assert (link.place, link.method) == (key, method)


def test_places_linker_manual_link_and_code_fallback(register):
    linker = Linker(register, manual={"la salle du fond": "patio"})
    assert linker.link("La salle du fond").place == "patio"
    assert linker.link("La salle du fond").method == "manual"
    # a leaf place code names its place; the branch code « lieux » names no place by itself
    assert linker.link("là-bas", code="lieux.lac").place == "lac"
    assert linker.link("Lyon", code="lieux").place is None


@pytest.mark.parametrize("text, found", [
    ("près du lac, au parc et à la MDH", [("du lac", "lac"), ("au parc", "parc"), ("à la MDH", "patio")]),
    ("au marché de l’Arlequin le dimanche", [("au marché de l’Arlequin", "marche")]),
    ("un parc pour les enfants, ça manque", []),                      # « un » : not the park
    ("je vais au marché d'Aligre", []),                               # another market, named
    ("il y a la marche avec les lions", []),                          # a walk, not the market
    ("chez les Geants, sans accent", [("les Geants", "geants")]),    # a name: accents may be missing
    ("le tram A passe plus", [("le tram A", "tram_a")]),
])
def test_places_scanner_definite_forms_accents_and_other_places(register, text, found):
    from exporterre_nlp.places.linking import AliasScanner
    assert [(text[a:b], k) for a, b, k in AliasScanner(register).scan(text)] == found


def test_places_scanner_on_real_speech_from_elsewhere(register, shared_corpora):
    """Paris and Orléans/Grenoble speech scanned with the Villeneuve register: common aliases must not fire on
    a walk (« la marche ») or on another named place (« le marché d'Aligre »)."""
    import csv
    from exporterre_nlp.places.linking import AliasScanner
    scanner = AliasScanner(register)
    hits = []
    for corpus in ("ud-parisstories", "ud-rhapsodie"):
        with open(shared_corpora / corpus / "sentences.tsv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                hits += [(row["text"], row["text"][a:b], k) for a, b, k in scanner.scan(row["text"])]
    assert hits, "the register's common aliases occur in real speech"
    assert not [h for h in hits if h[2] == "marche" and "marché" not in h[1].lower()]
    aligre = [h for h in hits if "Aligre" in h[0] and h[2] == "marche"]
    assert not aligre


def test_places_normalise_drops_articles_accents_case():
    assert normalise("À l’Arlequin") == "arlequin"
    assert normalise("chez les Géants") == "geants"


# ---------------------------------------------------------------- a small project
@pytest.fixture()
def placed(tmp_path):
    """Three documents: a resident at the market naming the MDH, a relay at the Patio, field notes at the park."""
    proj = Project.init(tmp_path / "projet")
    s = proj.store
    docs = {}
    docs["marche"] = add_document(s, "habitante_marche", 3, "marché", [
        ("E", "Et la Maison des habitants, vous y allez ?"),
        ("Awa", "Oui, je fais de la couture pour Madame Keita et les voisines, des ourlets, des rideaux."),
        ("Awa", "Il manque une crèche, je ne peux pas travailler le matin sans garde pour les petits."),
        ("Awa", "Au parc Jean Verlhac les jeux sont cassés depuis deux ans, personne ne répare."),
    ], participant="H3-01", participant_attributes={"quartier": "Arlequin"})
    docs["patio"] = add_document(s, "relais_patio", 1, "Maison des habitants", [
        ("E", "Quelles initiatives existent ?"),
        ("Martine", "Il y a le répertoire des savoir-faire, les habitants y notent ce qu'ils savent faire."),
        ("Martine", "Les familles ont besoin de garde d'enfants, c'est la demande numéro un ici."),
    ], participant="R1-01", roles={"E": "interviewer", "Martine": "relais"})
    docs["parc"] = add_document(s, "notes_parc", 2, "porte-à-porte", [
        (None, "Un groupe de mères organise un goûter partagé chaque mercredi près du lac."),
        (None, "Les bancs manquent, les personnes âgées ne peuvent pas s'asseoir."),
    ])
    m, p, n = docs["marche"], docs["patio"], docs["parc"]
    code_turn(s, m[1], "competences.couture")
    code_turn(s, m[2], "besoins.garde_enfants")
    code_turn(s, m[3], "preoccupations")
    code_turn(s, p[1], "ressources")
    code_turn(s, p[2], "besoins.garde_enfants")
    code_turn(s, n[0], "ressources")
    code_turn(s, n[1], "besoins")
    yield proj, docs
    proj.close()


def test_places_index_ties_turn_neighbour_interview(placed):
    proj, docs = placed
    index = build_place_index(proj)
    m, p, n = docs["marche"], docs["patio"], docs["parc"]
    tie = index.ties
    # the question before names the MDH: the answer is tied to it as a neighbour
    assert (tie[m[1].segment_id].places, tie[m[1].segment_id].basis) == (("patio",), "voisin")
    # the interview's place: « marché » metadata
    assert tie[m[2].segment_id].basis == "entretien" and tie[m[2].segment_id].places == ("marche",)
    assert tie[m[2].segment_id].interview_place == "marche"
    # a turn naming the park is tied to it, and keeps the interview's place beside
    assert tie[m[3].segment_id].places == ("parc",) and tie[m[3].segment_id].basis == "tour"
    assert tie[m[3].segment_id].interview_place == "marche"
    # field notes « porte-à-porte » with no quartier: no interview place; the lake is named
    assert tie[n[0].segment_id].places == ("lac",)
    assert tie[n[1].segment_id].places == ("lac",) and tie[n[1].segment_id].basis == "voisin"
    assert index.document_places[p[0].document_id] == ("patio", "lieu")
    assert ("porte-à-porte", 1) in index.unresolved()
    linker = Linker(index.register)
    for mention in index.mentions:     # provenance: exact offsets of the stored text give the place's words
        assert linker.link(index.texts[mention.document_id][mention.start:mention.end]).place == mention.place


def test_places_unresolved_listed_then_linked_by_a_researcher(placed):
    from exporterre_nlp.places import link_mention
    proj, docs = placed
    assert ("porte-à-porte", 1) in build_place_index(proj).unresolved()
    link_mention(proj, "porte-à-porte", None, coder="amina")
    assert all(m != "porte-à-porte" for m, _ in build_place_index(proj).unresolved())
    link_mention(proj, "le local vélo", "Maison des habitants", coder="amina")
    assert proj.store.place_links()[0].coder == "amina"
    assert Linker(project_register(proj), manual={"local velo": "patio"}).link("le local vélo").place == "patio"


def test_places_sheet_counts_voices_by_category_and_phase(placed):
    proj, docs = placed
    index = build_place_index(proj)
    sheet = place_sheet(index, "patio", quotes=2)
    # Awa's skill (neighbour of the MDH question), Martine's resource and need (interview held at the Patio)
    assert sheet.counts["competence"][3].voices == 1
    assert sheet.counts["ressource"][1].voices == 1 and sheet.counts["besoin"][1].segments == 1
    assert sheet.counts["besoin"][3].voices == 0        # Awa's need is tied to the market, not the MDH
    assert sheet.bases == {"tour": 0, "voisin": 1, "entretien": 2}
    for quotes in sheet.quotes.values():
        for q in quotes:
            assert index.texts[q.document_id][q.start:q.end] == q.text
    # the district rolls up every place inside it
    whole = place_sheet(index, "villeneuve", quotes=0)
    assert whole.totals["besoin"].voices == 2 + 1      # Awa, Martine, the park notes


def test_places_sheet_counts_equal_a_filtered_compare(placed):
    """The market's sheet counts what `compare --by lieu` counts in the market's column (its only tie)."""
    from exporterre_nlp.analysis.comparison import compare
    proj, docs = placed
    index = build_place_index(proj)
    sheet = place_sheet(index, "marche", quotes=0)
    result = compare(proj.store, "lieu", unit="participants", codes="besoins")
    column = result.table.columns.index("marché")
    row = result.table.rows.index("besoins")
    # at the market only turns held there are tied by the interview, and only Awa's need is among them
    assert sheet.totals["besoin"].voices == result.table.counts[row][column] == 1


def test_places_directory_entries_with_roles_status_evidence(placed):
    proj, docs = placed
    index = build_place_index(proj)
    entries = {i.entry: i for i in directory(index)}
    assert {"ressources@patio", "ressources@lac", "competences.couture@patio"} <= set(entries)
    patio = entries["ressources@patio"]
    assert patio.roles == ["relais"] and patio.phases == [1] and patio.status == "a_verifier"
    assert patio.evidence and "répertoire des savoir-faire" in patio.evidence[0].text
    proj.store.set_initiative_status("ressources@patio", "confirme", coder="amina")
    again = {i.entry: i for i in directory(build_place_index(proj), statuses=proj.store.initiative_statuses())}
    assert again["ressources@patio"].status == "confirme" and again["ressources@patio"].status_by == "amina"


def test_places_geojson_is_valid_rfc7946(placed):
    from geojson_pydantic import FeatureCollection
    from exporterre_nlp.places import feature_collection
    proj, _ = placed
    index, sheets, items = compute(proj, quotes=0)
    collection = feature_collection(index, sheets, items)
    parsed = FeatureCollection.model_validate(json.loads(json.dumps(collection)))
    assert len(parsed.features) == len(collection["features"]) > 10
    by_key = {f["id"]: f for f in collection["features"]}
    lon, lat = by_key["parc"]["geometry"]["coordinates"]
    assert 5 < lon < 6 and 45 < lat < 46                     # [longitude, latitude], WGS84
    assert "centre_social" not in by_key and "centre_social" in collection["exporterre:unmapped"]
    assert by_key["baladins"]["properties"]["precision"] == "approximate"
    assert by_key["patio"]["properties"]["voices_competence"] == 1
    assert by_key["villeneuve"]["properties"]["voices_besoin"] == 0          # said at places inside it, not of it
    assert by_key["villeneuve"]["properties"]["voices_besoin_with_inside"] == 3
    assert {i["entry"] for i in by_key["patio"]["properties"]["initiatives"]} == {"ressources@patio",
                                                                                  "competences.couture@patio"}


def test_places_outputs_pseudonymised_leak_no_accepted_value(placed, tmp_path):
    from exporterre_nlp.pseudo import accept_all, detect
    proj, docs = placed
    plain = write_place_outputs(proj, tmp_path / "clair")
    assert any("Keita" in p.read_text(encoding="utf-8") for p in plain.files if p.suffix == ".md")
    detect(proj, use_ner=False)
    accept_all(proj.store, "all")
    accepted = {proj.store.get_document(c.document_id).text[c.start:c.end]
                for c in proj.store.list_pseudo_candidates(status="accepted")}
    assert any("Keita" in a for a in accepted)
    out = write_place_outputs(proj, tmp_path / "pseudo", pseudonymise=True)
    for path in out.files:
        if path.suffix in (".md", ".csv", ".geojson", ".html"):
            text = path.read_text(encoding="utf-8")
            assert "Keita" not in text and "Martine" not in text, path
    # figures and references are those of the stored text
    assert [s.totals for s in out.sheets] == [s.totals for s in plain.sheets]


def test_places_cli_list_show_link_initiatives_geojson(placed, tmp_path, french):
    from exporterre_nlp.cli import app
    proj, _ = placed
    runner = CliRunner()
    p = str(proj.path)
    result = runner.invoke(app, ["places", "-p", p], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Maison des habitants" in result.output and "non rattachée" in result.output
    shown = runner.invoke(app, ["places", "-p", p, "--show", "la MDH", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["key"] == "patio"
    bad = runner.invoke(app, ["places", "-p", p, "--show", "Tour Eiffel"])
    assert bad.exit_code == 1 and "Lieu inconnu" in bad.output
    linked = runner.invoke(app, ["places", "-p", p, "--not-a-place", "porte-à-porte", "--coder", "amina"])
    assert linked.exit_code == 0, linked.output
    no_coder = runner.invoke(app, ["places", "-p", p, "--link", "x=patio"])
    assert no_coder.exit_code == 1 and "--coder" in no_coder.output
    confirm = runner.invoke(app, ["initiatives", "-p", p, "--confirm", "ressources@patio", "--coder", "amina"])
    assert confirm.exit_code == 0, confirm.output
    listed = runner.invoke(app, ["initiatives", "-p", p, "--json"])
    entries = {e["entry"]: e for e in json.loads(listed.output)}
    assert entries["ressources@patio"]["status"] == "confirme"
    csv_path = tmp_path / "annuaire.csv"
    assert runner.invoke(app, ["initiatives", "-p", p, "--out", str(csv_path)]).exit_code == 0
    assert "ressources@patio" in csv_path.read_text(encoding="utf-8")
    geo = tmp_path / "lieux.geojson"
    assert runner.invoke(app, ["export", "geojson", "-p", p, "--out", str(geo)]).exit_code == 0
    assert json.loads(geo.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    inside = runner.invoke(app, ["export", "geojson", "-p", p, "--out", str(proj.path / "store.sqlite3")])
    assert inside.exit_code == 1 and (proj.path / "store.sqlite3").stat().st_size > 0


def test_places_map_files_open_without_network(placed, tmp_path):
    proj, _ = placed
    out = write_place_outputs(proj, tmp_path / "lieux")
    html = (tmp_path / "lieux" / "carte.html").read_text(encoding="utf-8")
    assert "https://" not in html.split("<body>")[1].split("<script")[0]
    assert 'src="http' not in html and "cdn.plot.ly" not in html.split("</script>")[-1]
    assert (tmp_path / "lieux" / "carte.png").stat().st_size > 10_000
    assert len(list((tmp_path / "lieux" / "fiches").glob("*.md"))) == len(project_register(proj))
    assert {p.name for p in out.files} >= {"carte.html", "carte.png", "lieux.geojson", "initiatives.csv",
                                            "initiatives.xlsx"}


# ---------------------------------------------------------------- the map in a real browser
def _chromium() -> str | None:
    import shutil
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _open_in_chromium(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """The page's DOM after its scripts ran, and the http(s) requests the *page* started (from the net log;
    the browser's own background requests carry no page origin and are left out). Name resolution is
    switched off: nothing leaves the machine whatever the page tries."""
    import subprocess
    netlog = tmp_path / "netlog.json"
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profil'}",
           f"--log-net-log={netlog}", "--net-log-capture-mode=Default", "--virtual-time-budget=15000",
           "--dump-dom", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    log = json.loads(netlog.read_text(encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requests = [e["params"]["url"] for e in log["events"]
                if types.get(e["type"]) == "URL_REQUEST_START_JOB"
                and e.get("params", {}).get("initiator") != "not an origin"
                and e["params"].get("url", "").startswith(("http:", "https:"))]
    return done.stdout, requests


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="Chromium absent (Debian package chromium; .ci/run installs it)")
def test_places_map_renders_in_chromium_without_network(placed, tmp_path):
    proj, _ = placed
    write_place_outputs(proj, tmp_path / "lieux")
    dom, requests = _open_in_chromium(tmp_path / "lieux" / "carte.html", tmp_path / "a")
    assert requests == []
    assert 'class="main-svg"' in dom and 'class="scatterlayer' in dom          # plotly drew the figure
    assert "Maison des habitants Le Patio" in dom and "Le lac" in dom          # the places are on it
    assert dom.count('class="point plotly-customdata"') >= 10              # one marker per place and panel
    # the check can fail: a page that loads an image from elsewhere is caught
    control = tmp_path / "controle.html"
    control.write_text('<html><body><img src="https://tuiles.example.org/1/2/3.png"></body></html>',
                       encoding="utf-8")
    _, caught = _open_in_chromium(control, tmp_path / "b")
    assert caught == ["https://tuiles.example.org/1/2/3.png"]


def test_places_report_has_map_page_sheets_and_directory(placed, tmp_path, french):
    from exporterre_nlp.report import write_report
    proj, _ = placed
    settings = proj.settings
    settings.report.lemmas = "words"
    result = write_report(proj, tmp_path / "rapport")
    md = (tmp_path / "rapport" / "rapport.md").read_text(encoding="utf-8")
    assert "Carte des lieux" in md and "carte_lieux.png" in md and md.count("<a id=\"carte-lieux\">") == 1
    for name in ("lieux/carte.html", "lieux/carte.png", "lieux/fiches/patio.md", "lieux/lieux.geojson",
                 "lieux/initiatives.xlsx", "graphiques/carte_lieux.png"):
        assert (tmp_path / "rapport" / name).is_file(), name
    manifest = json.loads((tmp_path / "rapport" / "manifest.json").read_text(encoding="utf-8"))
    assert "lieux/fiches/patio.md" in manifest["files"]
    assert any(p.name == "lieux.csv" for p in result.files)          # the voices per place table


def test_places_report_without_register_says_how_to_add_one(placed, tmp_path, french):
    from exporterre_nlp.report import write_report
    proj, _ = placed
    proj.settings.report.lemmas = "words"
    (proj.path / "lieux.yaml").unlink()
    write_report(proj, tmp_path / "rapport")
    md = (tmp_path / "rapport" / "rapport.md").read_text(encoding="utf-8")
    assert "Pas de carte" in md and "lieux-villeneuve.yaml" in md
    assert not (tmp_path / "rapport" / "lieux").exists()


def test_places_sheet_says_not_coded_where_no_document_was_covered(placed, french):
    """Once coverage is marked, a phase whose documents at the place were not covered is « non codé », not 0."""
    from exporterre_nlp.analysis.coverage import mark_covered
    from exporterre_nlp.places.render import sheet_markdown
    proj, docs = placed
    mark_covered(proj.store, "amina", [docs["marche"][0].document_id], ["besoins", "competences"])
    index = build_place_index(proj)
    sheet = place_sheet(index, "villeneuve", quotes=0)
    assert sheet.coded["besoin"] == {1: False, 2: False, 3: True}
    assert sheet.counts["besoin"][3].voices == 1                       # Awa; Martine's phase is not coded
    assert "| Besoins | non codé | non codé | 1 / 1 |" in sheet_markdown(index, sheet)


def test_places_cli_says_which_suggestions_are_left_out(placed, french):
    """Never a bare table of zeros: pending suggestions not counted are said, with how to count them."""
    from exporterre_nlp.cli import app
    from exporterre_nlp.store import SuggestionDraft
    proj, docs = placed
    turn = docs["marche"][2]
    proj.store.sync_suggestions("rule:", [SuggestionDraft(turn.document_id, turn.start, turn.end,
                                                          "besoins.logement", "rule:t", 0.9, turn.segment_id)])
    result = CliRunner().invoke(app, ["places", "-p", str(proj.path)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "1 suggestion(s) de la machine en attente ne sont pas comptées" in result.output
    assert "--include-pending" in result.output
