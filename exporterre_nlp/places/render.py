"""Place sheets and the directory as files: Markdown sheets, CSV/XLSX directory, GeoJSON, the map.

Everything participants said goes through a :class:`~exporterre_nlp.pseudo.view.TextView`
(pseudonymised when asked): quotes show the words of their original span in the
pseudonymised text, the directory's « what » is scrubbed of accepted real names.
References (document, segment number, start–end) are offsets of the stored text.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..i18n import tr
from ..pseudo.view import TextView
from ..report.pseudo import pseudonymised_quote
from .geo import dumps, feature_collection
from .index import PlaceIndex, build_place_index, project_register
from .mapping import write_map_html, write_map_png
from .sheets import Initiative, PlaceSheet, category_label, directory, place_sheet, status_label


@dataclass
class PlaceOutputs:
    folder: Path
    files: list[Path] = field(default_factory=list)
    sheets: list[PlaceSheet] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    unresolved: list[tuple[str, int]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def _pseudo_quotes(view: TextView, quotes):
    return [pseudonymised_quote(view, q) for q in quotes]


def pseudonymised(view: TextView, sheets: list[PlaceSheet], initiatives: list[Initiative]):
    """Sheets and initiatives as the view shows them (figures and references unchanged)."""
    sheets = [replace(s, quotes={c: _pseudo_quotes(view, qs) for c, qs in s.quotes.items()}) for s in sheets]
    initiatives = [replace(i, what=view.scrub(i.what), evidence=_pseudo_quotes(view, i.evidence))
                   for i in initiatives]
    return sheets, initiatives


def ref(q) -> str:
    """« document, segment n (start–end) »: segment numbers count from 1, as everywhere a person reads them."""
    return f"{q.document}, segment {q.position + 1} ({q.start}–{q.end})"


def sheet_markdown(index: PlaceIndex, sheet: PlaceSheet) -> str:
    reg = index.register
    place = reg.places[sheet.key]
    lines = [f"# {sheet.name}", ""]
    where = reg.mapped_position(sheet.key)
    facts = [tr(f"Type : {place.kind_label}", f"Kind: {place.kind_label}")]
    if sheet.parent:
        facts.append(tr(f"Dans : {reg.places[sheet.parent].name}", f"Inside: {reg.places[sheet.parent].name}"))
    if sheet.inside:
        names = ", ".join(reg.places[k].name for k in sheet.inside)
        facts.append(tr(f"Comprend (comptés avec lui) : {names}", f"Includes (counted with it): {names}"))
    if place.aliases:
        facts.append(tr("Aussi dit : ", "Also said: ") + ", ".join(f"« {a} »" for a in place.aliases))
    if where is None:
        facts.append(tr("Position : inconnue (pas sur la carte)", "Position: unknown (not on the map)"))
    else:
        coords, of = where
        note = tr("approximative", "approximate") if coords.precision == "approximate" else tr("exacte", "exact")
        facts.append(tr(f"Position : {coords.lat:.5f}, {coords.lon:.5f} ({note}"
                        + (f", celle de {reg.places[of].name}" if of != sheet.key else "") + ")",
                        f"Position: {coords.lat:.5f}, {coords.lon:.5f} ({note}"
                        + (f", that of {reg.places[of].name}" if of != sheet.key else "") + ")"))
    facts.append(tr(f"Nommé {sheet.mentions} fois, par {sheet.voices_naming} voix ; {sheet.documents} document(s).",
                    f"Named {sheet.mentions} times, by {sheet.voices_naming} voices; {sheet.documents} document(s)."))
    b = sheet.bases
    facts.append(tr(f"Tours rattachés : {b['tour']} où le lieu est nommé, {b['voisin']} voisins d'un tour qui le "
                    f"nomme, {b['entretien']} d'un entretien qui s'y tient.",
                    f"Turns tied: {b['tour']} naming the place, {b['voisin']} next to a turn naming it, "
                    f"{b['entretien']} from an interview held there."))
    lines += [f"- {f}" for f in facts] + [""]
    phases = sheet.phases
    lines += [tr("## Ce qui s'y dit (voix / segments)", "## What is said there (voices / segments)"), ""]
    header = "| " + tr("catégorie", "category") + " | " + " | ".join(f"phase {p}" for p in phases) + " | total |"
    lines += [header, "|" + "---|" * (len(phases) + 2)]
    for category, cells in sheet.counts.items():
        row = [f"{cells[p].voices} / {cells[p].segments}" if sheet.coded[category][p] else tr("non codé", "not coded")
               for p in phases]
        tot = sheet.totals[category]
        lines.append(f"| {category_label(category)} | " + " | ".join(row) + f" | {tot.voices} / {tot.segments} |")
    lines += ["", tr("Voix : participants distincts (une note de terrain compte pour une voix). Seuls les codages "
                     "validés comptent, sauf mention contraire en tête du rapport, et seulement dans les documents "
                     "couverts pour la catégorie ; « non codé » : aucun document de cette phase rattaché au lieu "
                     "n'a été couvert (ce n'est pas zéro).",
                     "Voices: distinct participants (a field note counts as one voice). Only validated codings "
                     "count, unless the report's first page says otherwise, and only in documents covered for the "
                     "category; 'not coded': no document of that phase tied to the place was covered (not a "
                     "zero)."), ""]
    for category, quotes in sheet.quotes.items():
        if quotes:
            lines += [f"### {category_label(category)}", ""]
            lines += [f"> « {q.display} »  \n> — {q.voice}, {ref(q)}" + "\n" for q in quotes]
    if sheet.pairs:
        lines += [tr("## Qui pourrait aider qui (besoins ↔ compétences, même domaine)",
                     "## Who could help whom (needs ↔ skills, same domain)"), ""]
        lines += [tr(f"- {d} : {n} voix de besoin, {o} voix d'offre", f"- {d}: {n} need voices, {o} offer voices")
                  for d, n, o in sheet.pairs] + [""]
    if sheet.together:
        lines += [tr("## Souvent nommé avec", "## Often named with"), ""]
        lines += [tr(f"- {reg.places[k].name} ({n} tours)", f"- {reg.places[k].name} ({n} turns)")
                  for k, n in sheet.together] + [""]
    return "\n".join(lines)


DIRECTORY_COLUMNS = ("entrée", "quoi", "catégorie", "lieu", "phases", "rôles", "voix", "statut", "preuves")


def directory_rows(initiatives: list[Initiative]) -> list[dict]:
    return [{"entrée": i.entry, "quoi": i.what, "catégorie": category_label(i.category), "lieu": i.place_name,
             "phases": ", ".join(map(str, i.phases)), "rôles": ", ".join(i.roles), "voix": i.voices,
             "statut": status_label(i.status),
             "preuves": " | ".join(f"« {q.display} » ({ref(q)})" for q in i.evidence)} for i in initiatives]


def write_directory(initiatives: list[Initiative], path: Path) -> Path:
    """The directory as CSV (``.csv``) or a spreadsheet (``.xlsx``), written atomically."""
    import pandas as pd
    from ..outputs import atomic_path
    frame = pd.DataFrame(directory_rows(initiatives), columns=list(DIRECTORY_COLUMNS))
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, sheet_name=tr("initiatives", "initiatives"), engine="openpyxl")
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8")
    return path


def compute(project, *, include_pending: bool = False, corpus=None, pseudonymise: bool = False,
            index: PlaceIndex | None = None, quotes: int | None = None, only: list[str] | None = None
            ) -> tuple[PlaceIndex, list[PlaceSheet], list[Initiative]]:
    """The index, the sheets (of ``only`` those places, else all) and the directory of a project."""
    settings = project.settings
    index = index or build_place_index(project, include_pending=include_pending, corpus=corpus)
    r = settings.report
    k = settings.places.quotes_per_category if quotes is None else quotes
    sheets = [place_sheet(index, key, quotes=k, mmr_lambda=r.mmr_lambda, near_duplicate=r.near_duplicate,
                          quote_max_chars=r.quote_max_chars, quote_min_words=r.quote_min_words)
              for key in (only or index.register.tree_order())]
    objects = {f.id: f.object for f in project.store.list_findings(coder=settings.extraction.coder) if f.object}
    initiatives = directory(index, statuses=project.store.initiative_statuses(), objects=objects,
                            evidence=k)
    if pseudonymise:
        sheets, initiatives = pseudonymised(TextView(project.store, pseudonymise=True), sheets, initiatives)
    return index, sheets, initiatives


def write_place_outputs(project, folder: str | Path, *, include_pending: bool = False, corpus=None,
                        pseudonymise: bool = False, index: PlaceIndex | None = None) -> PlaceOutputs:
    """The map (HTML + PNG), one Markdown sheet per place, the directory (CSV + XLSX) and the GeoJSON
    (``index``: one already built, else built here)."""
    folder = Path(folder)
    (folder / "fiches").mkdir(parents=True, exist_ok=True)
    index, sheets, initiatives = compute(project, include_pending=include_pending, corpus=corpus,
                                         pseudonymise=pseudonymise, index=index)
    out = PlaceOutputs(folder, sheets=sheets, initiatives=initiatives, unresolved=index.unresolved())
    basemap = project.settings.places.basemap
    basemap = (project.path / basemap) if basemap and not Path(basemap).is_absolute() else basemap
    out.files.append(write_map_html(index, sheets, folder / "carte.html", basemap=basemap))
    png = write_map_png(index, sheets, folder / "carte.png", basemap=basemap)
    if png:
        out.files.append(png)
    for sheet in sheets:
        path = folder / "fiches" / f"{sheet.key}.md"
        path.write_text(sheet_markdown(index, sheet), encoding="utf-8")
        out.files.append(path)
    collection = feature_collection(index, sheets, initiatives)
    out.unmapped = collection["exporterre:unmapped"]
    (folder / "lieux.geojson").write_text(dumps(collection), encoding="utf-8")
    out.files.append(folder / "lieux.geojson")
    for name in ("initiatives.csv", "initiatives.xlsx"):
        out.files.append(write_directory(initiatives, folder / name))
    return out


def report_section(outputs: PlaceOutputs, index: PlaceIndex):
    """The report's « Carte des lieux » section: the map, the places with their voices, the directory's size.

    ``outputs`` were written in the report's ``lieux/`` folder; the map PNG is shown as ``carte_lieux.png``
    (the report copies it under ``graphiques/``)."""
    from ..report.model import Bullets, Image, Paragraph, Section, Table, TableBlock
    section = Section("carte-lieux", tr("Carte des lieux", "Map of places"))
    section.blocks.append(Paragraph(tr(
        "Chaque tour de parole est rattaché aux lieux qu'il nomme, sinon à ceux du tour qui le précède (souvent la "
        "question), sinon au lieu de l'entretien (docs/places.md). La carte compte des voix (participants "
        "distincts), pas des habitants ; un cercle vide est une position approximative. Carte interactive, "
        "hors ligne : lieux/carte.html ; une fiche par lieu : lieux/fiches/ ; l'annuaire des initiatives : "
        "lieux/initiatives.xlsx ; pour uMap ou QGIS : lieux/lieux.geojson.",
        "Each turn is tied to the places it names, else to those of the turn before it (often the question), else "
        "to the interview's place (docs/places.md). The map counts voices (distinct participants), not residents; "
        "an open circle is an approximate position. Interactive map, offline: lieux/carte.html; one sheet per "
        "place: lieux/fiches/; the directory of initiatives: lieux/initiatives.xlsx; for uMap or QGIS: "
        "lieux/lieux.geojson.")))
    section.blocks.append(Image("carte_lieux.png", tr("Voix par lieu, catégorie et phase", "Voices per place")))
    categories = list(outputs.sheets[0].totals) if outputs.sheets else []
    rows = [[s.name, s.mentions, *[s.totals[c].voices for c in categories]] for s in outputs.sheets
            if s.mentions or any(t.voices for t in s.totals.values())]
    table = Table("lieux", tr("Voix par lieu et catégorie (lieux contenus compris)",
                              "Voices per place and category (places inside included)"),
                  [tr("lieu", "place"), tr("nommé", "named"), *[category_label(c) for c in categories]], rows)
    section.blocks.append(TableBlock(table))
    confirmed = sum(1 for i in outputs.initiatives if i.status == "confirme")
    items = [tr(f"Annuaire des initiatives : {len(outputs.initiatives)} entrée(s), dont {confirmed} confirmée(s) ; "
                "les autres sont « à vérifier » (exporterre initiatives --confirm ENTRÉE --coder NOM).",
                f"Directory of initiatives: {len(outputs.initiatives)} entries, {confirmed} confirmed; the others "
                "are 'to check' (exporterre initiatives --confirm ENTRY --coder NAME).")]
    if outputs.unresolved:
        shown = ", ".join(f"« {m} » ({n})" for m, n in outputs.unresolved[:8])
        items.append(tr(f"{len(outputs.unresolved)} mention(s) de lieu non rattachée(s) au registre : {shown}… "
                        "(exporterre places --unresolved).",
                        f"{len(outputs.unresolved)} place mention(s) not linked to the register: {shown}… "
                        "(exporterre places --unresolved)."))
    if outputs.unmapped:
        names = ", ".join(index.register.places[k].name for k in outputs.unmapped)
        items.append(tr(f"Sans position, absents de la carte (comptés sur leur fiche et celle du lieu parent) : "
                        f"{names}.", f"Without a position, not on the map (counted on their sheet and their "
                        f"parent's): {names}."))
    section.blocks.append(Bullets(items))
    return section, table


def report_places(project, stage: Path, *, include_pending: bool, pseudonymise: bool, corpus=None):
    """The report's ``lieux/`` folder and section: ``(outputs or None, section, table or None, map PNG or None)``.

    A project without a place register gets a section that says how to add one, and no folder."""
    from ..report.model import Note, Section
    from .register import PlaceRegisterError
    try:
        register = project_register(project)
    except PlaceRegisterError:
        section = Section("carte-lieux", tr("Carte des lieux", "Map of places"))
        # no path in the page: the same project gives the same report wherever it lies
        name = project.settings.places.register
        section.blocks.append(Note(tr(
            f"Pas de carte : ce projet n'a pas de registre des lieux lisible ({name}). Copiez "
            "codebooks/lieux-villeneuve.yaml dans le projet sous ce nom et adaptez-le (docs/places.md).",
            f"No map: this project has no readable place register ({name}). Copy "
            "codebooks/lieux-villeneuve.yaml into the project under that name and adapt it (docs/places.md)."),
            "info"))
        return None, section, None, None
    # one index for the folder and the section (the coded corpus is read once)
    index = build_place_index(project, include_pending=include_pending, corpus=corpus, register=register)
    outputs = write_place_outputs(project, stage / "lieux", include_pending=include_pending, corpus=corpus,
                                  pseudonymise=pseudonymise, index=index)
    section, table = report_section(outputs, index)
    png = stage / "lieux" / "carte.png"
    if not png.exists():
        return outputs, section, table, None
    import shutil
    shown = stage / "graphiques" / "carte_lieux.png"         # where the report's pages take their images
    shown.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, shown)
    return outputs, section, table, shown
