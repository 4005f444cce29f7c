"""``exporterre places``, ``initiatives``, ``export geojson``: the place register, place sheets, the directory."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..i18n import tr
from .app import (ForceOption, JSON_HELP, ProjectOption, app, console, err_console, handle_errors, open_project,
                  print_json, shown)
from .exchange import export_app

PENDING_HELP = tr("Compter aussi les suggestions de la machine en attente de validation (signalé).",
                  "Also count the machine's suggestions awaiting review (said so).")
PSEUDO_HELP = tr("Citations et « quoi » pseudonymisés (remplacements acceptés, exporterre pseudo).",
                 "Quotes and 'what' pseudonymised (accepted replacements, exporterre pseudo).")
CODER_HELP = tr("Qui prend la décision (nom du chercheur ou de la chercheuse).", "Who decides (researcher's name).")


def _pending_note(include_pending: bool, corpus=None) -> None:
    """Say what the counts leave out (never a bare table of zeros) or that they include suggestions."""
    if include_pending:
        err_console.print(tr("[yellow]Attention :[/] suggestions en attente incluses dans les comptes.",
                             "[yellow]Warning:[/] pending suggestions included in the counts."))
    elif corpus is not None and corpus.pending_not_counted:
        from .report import pending_text
        err_console.print(pending_text(corpus.pending_not_counted), highlight=False)


def _sheet_json(sheet, register) -> dict:
    return {"key": sheet.key, "name": sheet.name, "kind": sheet.kind, "parent": sheet.parent, "inside": sheet.inside,
            "mentions": sheet.mentions, "voices_naming": sheet.voices_naming, "documents": sheet.documents,
            "bases": sheet.bases,
            "counts": {c: {str(p): ({"voices": v.voices, "segments": v.segments} if sheet.coded[c][p] else None)
                           for p, v in cells.items()} for c, cells in sheet.counts.items()},
            "quotes": {c: [{"text": q.display, "voice": q.voice, "document": q.document, "segment": q.position + 1,
                            "start": q.start, "end": q.end} for q in qs] for c, qs in sheet.quotes.items()},
            "pairs": [{"domain": d, "need_voices": n, "offer_voices": o} for d, n, o in sheet.pairs],
            "together": [{"place": k, "turns": n} for k, n in sheet.together]}


@app.command("places", help=tr(
    "Le registre des lieux : chaque lieu, son type, ses alias, sa position, ce qui s'y dit (voix par catégorie) ; "
    "--show LIEU : la fiche d'un lieu ; --unresolved : les mentions à rattacher ; --link « MENTION=LIEU » pour "
    "les rattacher.",
    "The place register: each place, its kind, aliases, position, what is said there (voices per category); "
    "--show PLACE: one place's sheet; --unresolved: mentions to link; --link 'MENTION=PLACE' to link them."))
@handle_errors
def places_cmd(project: Optional[Path] = ProjectOption,
               show: Optional[str] = typer.Option(None, "--show", help=tr(
                   "Un lieu (clé, nom ou alias) : sa fiche complète.", "One place (key, name or alias): its sheet.")),
               unresolved: bool = typer.Option(False, "--unresolved", "--non-rattaches", help=tr(
                   "Les mentions de lieux qu'aucun lieu du registre ne couvre.",
                   "Place mentions no register place covers.")),
               link: Optional[list[str]] = typer.Option(None, "--link", "--rattacher", help=tr(
                   "Rattacher une mention à un lieu : --link « la salle du fond=patio » (répétable).",
                   "Link a mention to a place: --link 'the back room=patio' (repeatable).")),
               not_a_place: Optional[list[str]] = typer.Option(None, "--not-a-place", "--pas-un-lieu", help=tr(
                   "Cette mention ne désigne pas un lieu du quartier (ex. « porte-à-porte ») : ne plus la lister.",
                   "This mention names no place of the district (e.g. 'porte-à-porte'): stop listing it.")),
               coder: Optional[str] = typer.Option(None, "--coder", help=CODER_HELP),
               include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
               pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..errors import ExporterreError
    from ..places import build_place_index, compute, link_mention, place_overview_of, project_register
    from ..places.render import sheet_markdown
    with open_project(project) as proj:
        if link or not_a_place:
            if not coder:
                raise ExporterreError(tr("Indiquez qui rattache ces mentions.", "Say who links these mentions."),
                                      tr("Ajoutez --coder VOTRE_NOM.", "Add --coder YOUR_NAME."))
            for item in link or []:
                mention, sep, place = item.rpartition("=")
                if not sep or not mention.strip() or not place.strip():
                    raise ExporterreError(tr(f"--link attend « MENTION=LIEU », pas « {item} ».",
                                             f"--link expects 'MENTION=PLACE', not '{item}'."),
                                          tr("Exemple : --link \"la salle du fond=patio\".",
                                             "Example: --link \"the back room=patio\"."))
                key = link_mention(proj, mention, place.strip(), coder=coder)
                console.print(tr(f"« {shown(mention.strip())} » → {key}", f"'{shown(mention.strip())}' → {key}"),
                              highlight=False)
            for mention in not_a_place or []:
                link_mention(proj, mention, None, coder=coder)
                console.print(tr(f"« {shown(mention)} » : pas un lieu", f"'{shown(mention)}': not a place"),
                              highlight=False)
            return
        register = project_register(proj)
        if show:
            found = register.find(show)
            if found is None:
                raise ExporterreError(tr(f"Lieu inconnu du registre : « {show} ».", f"Unknown place: '{show}'."),
                                      tr("« exporterre places » liste les lieux et leurs clés.",
                                         "'exporterre places' lists the places and their keys."))
            index, sheets, _ = compute(proj, include_pending=include_pending, pseudonymise=pseudonymise,
                                       only=[found.key])
            if as_json:
                print_json(_sheet_json(sheets[0], register))
            else:
                console.print(shown(sheet_markdown(index, sheets[0])), highlight=False)
                _pending_note(include_pending, index.corpus)
            return
        index = build_place_index(proj, include_pending=include_pending, register=register)
        if unresolved:
            rows = index.unresolved()
            if as_json:
                print_json([{"mention": m, "count": n} for m, n in rows])
                return
            if not rows:
                console.print(tr("Toutes les mentions de lieux sont rattachées.", "Every place mention is linked."))
                return
            table = Table(title=tr("Mentions de lieux non rattachées", "Unlinked place mentions"))
            table.add_column(tr("mention", "mention"))
            table.add_column(tr("fois", "times"), justify="right")
            for mention, n in rows:
                table.add_row(shown(mention), str(n))
            console.print(table)
            console.print(tr("Rattachez-les : exporterre places --link « MENTION=LIEU » --coder NOM "
                             "(ou --not-a-place MENTION).",
                             "Link them: exporterre places --link 'MENTION=PLACE' --coder NAME "
                             "(or --not-a-place MENTION)."), highlight=False)
            return
        sheets = place_overview_of(index)
        if as_json:
            print_json([_sheet_json(s, register) for s in sheets])
            return
        categories = list(sheets[0].totals) if sheets else []
        short = {"competence": tr("comp.", "skills"), "ressource": tr("ress.", "res."),
                 "besoin": tr("bes.", "needs"), "preoccupation": tr("préoc.", "conc.")}
        table = Table(title=tr(f"Lieux — {shown(register.name)}", f"Places — {shown(register.name)}"))
        table.add_column(tr("lieu (clé)", "place (key)"), overflow="ellipsis", no_wrap=True, max_width=34)
        table.add_column(tr("pos.", "pos."), no_wrap=True)
        table.add_column(tr("nommé", "named"), justify="right")
        for c in categories:
            table.add_column(short[c], justify="right")
        for s in sheets:
            pos = register.mapped_position(s.key)
            where = "—" if pos is None else ("≈" if pos[0].precision == "approximate" else "✓") + \
                ("" if pos[1] == s.key else "↑")
            depth = len(register.ancestors(s.key))
            table.add_row("  " * depth + shown(s.name) + f" [dim]({s.key})[/]", where, str(s.mentions),
                          *[str(s.totals[c].voices) for c in categories])
        console.print(table)
        console.print(tr("Catégories : voix (participants distincts) dans les tours rattachés au lieu, lieux contenus "
                         "compris (comp. compétences, ress. ressources et initiatives, bes. besoins, préoc. "
                         "préoccupations). Position : ✓ exacte, ≈ approximative, ↑ celle du lieu parent. "
                         f"{len(index.unresolved())} mention(s) non rattachée(s) : --unresolved ; une fiche : "
                         "--show CLÉ.",
                         "Categories: voices (distinct participants) in turns tied to the place, places inside "
                         "included. Position: ✓ exact, ≈ approximate, ↑ the parent's. "
                         f"{len(index.unresolved())} unlinked mention(s): --unresolved; one sheet: --show KEY."),
                      highlight=False)
        _pending_note(include_pending, index.corpus)


@app.command("initiatives", help=tr(
    "L'annuaire des initiatives : chaque ressource, initiative ou compétence offerte trouvée dans un lieu (quoi, "
    "où, phases, rôle de qui en parle, preuves, statut) ; --confirm / --set-aside / --to-check ENTRÉE pour la "
    "statuer ; --out fichier.csv|.xlsx pour l'exporter.",
    "The directory of initiatives: each resource, initiative or offered skill found at a place (what, where, "
    "phases, role of who speaks, evidence, status); --confirm / --set-aside / --to-check ENTRY to set its status; "
    "--out file.csv|.xlsx to export it."))
@handle_errors
def initiatives_cmd(project: Optional[Path] = ProjectOption,
                    out: Optional[Path] = typer.Option(None, "--out", "-o", help=tr(
                        "Fichier .csv ou .xlsx à écrire.", "A .csv or .xlsx file to write.")),
                    confirm: Optional[list[str]] = typer.Option(None, "--confirm", "--confirmer", help=tr(
                        "Entrée confirmée (ex. ressources.marche@marche).", "Confirmed entry.")),
                    set_aside: Optional[list[str]] = typer.Option(None, "--set-aside", "--ecarter", help=tr(
                        "Entrée écartée (pas une initiative).", "Entry set aside (not an initiative).")),
                    to_check: Optional[list[str]] = typer.Option(None, "--to-check", "--a-verifier", help=tr(
                        "Entrée remise « à vérifier ».", "Entry back to 'to check'.")),
                    coder: Optional[str] = typer.Option(None, "--coder", help=CODER_HELP),
                    force: bool = ForceOption,
                    include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
                    pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..errors import ExporterreError
    from ..places import compute, set_initiative_status
    from ..places.render import ref, write_directory
    from ..places.sheets import category_label, status_label
    decisions = [(e, "confirme") for e in confirm or []] + [(e, "ecarte") for e in set_aside or []] + \
        [(e, "a_verifier") for e in to_check or []]
    with open_project(project) as proj:
        if decisions:
            if not coder:
                raise ExporterreError(tr("Indiquez qui statue sur ces entrées.", "Say who decides on these entries."),
                                      tr("Ajoutez --coder VOTRE_NOM.", "Add --coder YOUR_NAME."))
            known = {i.entry for i in compute(proj, include_pending=True, quotes=0)[2]}
            for entry, status in decisions:
                if entry not in known:
                    raise ExporterreError(tr(f"Entrée inconnue de l'annuaire : « {entry} ».",
                                             f"Unknown directory entry: '{entry}'."),
                                          tr("« exporterre initiatives » liste les entrées (colonne entrée).",
                                             "'exporterre initiatives' lists the entries (entry column)."))
                set_initiative_status(proj, entry, status, coder=coder)
                console.print(f"{shown(entry)} : {status_label(status)}", highlight=False)
            return
        index, _, items = compute(proj, include_pending=include_pending, pseudonymise=pseudonymise)
        if out is not None:
            from ..outputs import check_output
            write_directory(items, check_output(out, force=force))
            console.print(tr(f"Annuaire écrit : {shown(str(out))} ({len(items)} entrées).",
                             f"Directory written: {shown(str(out))} ({len(items)} entries)."), highlight=False)
            return
        if as_json:
            print_json([{"entry": i.entry, "what": i.what, "category": i.category, "place": i.place,
                         "place_name": i.place_name, "phases": i.phases, "roles": i.roles, "voices": i.voices,
                         "basis": i.basis, "status": i.status,
                         "evidence": [{"text": q.display, "ref": ref(q)} for q in i.evidence]} for i in items])
            return
        table = Table(title=tr("Annuaire des initiatives", "Directory of initiatives"), show_lines=True)
        for name in (tr("entrée", "entry"), tr("quoi", "what"), tr("lieu", "place"), tr("phases", "phases"),
                     tr("rôles", "roles"), tr("voix", "voices"), tr("statut", "status")):
            table.add_column(name, overflow="fold")
        for i in items:
            table.add_row(shown(i.entry), shown(f"{category_label(i.category)} — {i.what}"), shown(i.place_name),
                          ", ".join(map(str, i.phases)), ", ".join(i.roles), str(i.voices), status_label(i.status))
        console.print(table)
        _pending_note(include_pending, index.corpus)


@export_app.command("geojson", help=tr(
    "Les lieux en GeoJSON (RFC 7946) pour uMap ou QGIS : position, précision, voix par catégorie, initiatives.",
    "The places as GeoJSON (RFC 7946) for uMap or QGIS: position, precision, voices per category, initiatives."))
@handle_errors
def export_geojson_cmd(out: Path = typer.Option(..., "--out", "-o", help=tr("Fichier à écrire.", "File to write.")),
                       project: Optional[Path] = ProjectOption,
                       include_pending: bool = typer.Option(False, "--include-pending", help=PENDING_HELP),
                       pseudonymise: bool = typer.Option(False, "--pseudonymise", "--pseudonymiser", help=PSEUDO_HELP),
                       force: bool = ForceOption,
                       as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from ..outputs import atomic_write, check_output
    from ..places import compute, feature_collection
    from ..places.geo import dumps
    target = check_output(out, force=force)
    with open_project(project) as proj:
        index, sheets, items = compute(proj, include_pending=include_pending, pseudonymise=pseudonymise, quotes=0)
        collection = feature_collection(index, sheets, items)
        atomic_write(target, dumps(collection))
    if as_json:
        print_json({"path": str(out), "features": len(collection["features"]),
                    "unmapped": collection["exporterre:unmapped"]})
        return
    console.print(tr(f"GeoJSON écrit : {shown(str(out))} ({len(collection['features'])} lieux ; sans position : "
                     f"{len(collection['exporterre:unmapped'])}).",
                     f"GeoJSON written: {shown(str(out))} ({len(collection['features'])} places; without "
                     f"position: {len(collection['exporterre:unmapped'])})."), highlight=False)
    _pending_note(include_pending, index.corpus)
