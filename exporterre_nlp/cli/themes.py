"""``exporterre themes``: recurring themes in the residents' words (BERTopic), by phase and lieu."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

import typer
from rich.table import Table

from ..i18n import tr
from ..outputs import check_output
from ..themes import assignment_rows, export_themes, fit_themes, resolve_run, theme_assignments, theme_detail, \
    theme_overview
from ..themes.compare import compare_themes
from ..themes.links import decide_link
from .app import JSON_HELP, ForceOption, ProjectOption, app, console, err_console, handle_errors, open_project, \
    print_json, progress_bar, shown


@app.command("themes")
@handle_errors
def themes(
    project: Optional[Path] = ProjectOption,
    by: Optional[str] = typer.Option(None, "--by", help=tr(
        "Fréquence des thèmes par « phase » ou par « lieu ».", "Theme frequencies by 'phase' or 'lieu'.")),
    show: Optional[int] = typer.Option(None, "--show", metavar="N", help=tr(
        "Un thème : ses mots, des citations de personnes différentes, ses phases, les codes les plus proches.",
        "One theme: its words, quotes from different people, its phases, the closest codes.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    segments: bool = typer.Option(False, "--segments", help=tr(
        "Le thème de chaque unité analysée (document, début, fin, locuteur, phase) — avec --json pour un tableur.",
        "The theme of every analysed unit (document, start, end, speaker, phase) — with --json for a spreadsheet.")),
    backend: Optional[str] = typer.Option(None, "--backend", help=tr(
        "Plongements : auto (défaut : e5 pour la parole transcrite, hybrid sinon ; voir docs/themes.md), hybrid (tfidf + vecteurs spaCy, rapide), tfidf, spacy, e5 (encodeur contextuel, lent, en cache), transformer (modèle local).",
        "Embeddings: auto (default: e5 for transcribed speech, hybrid otherwise; see docs/themes.md), hybrid (tfidf + spaCy vectors, fast), tfidf, spacy, e5 (contextual encoder, slow, cached), transformer (local model).")),
    n_themes: Optional[int] = typer.Option(None, "--n-themes", min=2, help=tr(
        "Nombre de thèmes (par défaut : déduit de la taille du corpus).",
        "Number of themes (default: from the corpus size).")),
    seed: Optional[int] = typer.Option(None, "--seed", help=tr(
        "Graine aléatoire (même corpus + réglages + graine ⇒ mêmes thèmes).",
        "Random seed (same corpus + settings + seed ⇒ same themes).")),
    unit: Optional[str] = typer.Option(None, "--unit", help=tr(
        "Unité d'analyse : turn (tours de parole) ou window (fenêtres de mots).",
        "Unit of analysis: turn (speaker turns) or window (word windows).")),
    run: Optional[int] = typer.Option(None, "--run", help=tr(
        "Afficher une analyse déjà faite (son numéro) sans recalculer.",
        "Show an existing run (its number) without fitting.")),
    refit: bool = typer.Option(False, "--refit", help=tr(
        "Recalculer même si une analyse identique existe déjà.", "Fit again even if an identical run exists.")),
    out: Optional[Path] = typer.Option(None, "--out", help=tr(
        "Écrire les tableaux (CSV) et les graphiques (HTML, PNG) dans ce dossier.",
        "Write the tables (CSV) and charts (HTML, PNG) into this folder.")),
    force: bool = ForceOption,
    count: str = typer.Option("participants", "--count", help=tr(
        "Avec --by : compter les participants (défaut) ou les unités (« units »).",
        "With --by: count participants (default) or units.")),
    link: Optional[Tuple[int, str]] = typer.Option(None, "--link", metavar="THEME CODE", help=tr(
        "Accepter pour tout le thème « le thème THEME ressemble au code CODE » (aucun codage n'est écrit).",
        "Accept for the whole theme 'theme THEME resembles code CODE' (no coding is written).")),
    unlink: Optional[Tuple[int, str]] = typer.Option(None, "--unlink", metavar="THEME CODE", help=tr(
        "Refuser ce lien pour tout le thème.", "Reject that link for the whole theme.")),
    coder: Optional[str] = typer.Option(None, "--coder", "-c", envvar="EXPORTERRE_CODER", help=tr(
        "Qui décide (avec --link / --unlink).", "Who decides (with --link / --unlink).")),
) -> None:
    """Thèmes récurrents de la parole des habitants (BERTopic, hors enquêteur), reliés au livre de codes.

    Sans option : calcule (ou reprend une analyse identique), enregistre et affiche le tableau des thèmes.
    --show, --by, --segments, --link et --unlink lisent la dernière analyse sans rien recalculer.
    Un thème reste un thème : « --link T C » accepte pour tout le thème qu'il ressemble au code C ;
    aucun codage n'est écrit, les comptes des codes ne dépendent jamais des thèmes.
    """
    from ..errors import ExporterreError
    reading = show is not None or by is not None or segments or link is not None or unlink is not None
    if (link is not None or unlink is not None) and not coder:
        raise ExporterreError(tr("Dites qui décide : --coder NOM (ou la variable EXPORTERRE_CODER).",
                                 "Say who decides: --coder NAME (or the EXPORTERRE_CODER variable)."),
                              tr("Exemple : exporterre themes --link 3 besoins.emploi --coder amina",
                                 "Example: exporterre themes --link 3 besoins.emploi --coder amina"))
    if out is not None:
        from ..themes.export import THEME_FILES
        check_output(out, kind="folder", force=force, replaces=THEME_FILES, own_marker="themes.csv")
    with open_project(project) as proj:
        if run is not None or (reading and not refit):
            the_run = resolve_run(proj, run)               # read only: never fits, never writes
        else:
            with progress_bar(tr("Thèmes", "Themes")) as (callback, cancel):
                result = fit_themes(proj, backend=backend, n_themes=n_themes, seed=seed, unit=unit,
                                    reuse=not refit, progress=callback, cancel=cancel)
            the_run = result.run
            if not as_json:
                _say_run(the_run, result.reused)
        if link is not None or unlink is not None:
            theme_id, code = link if link is not None else unlink
            decided = decide_link(proj, theme_id, code, coder=coder, accept=link is not None, run=the_run)
            word = tr("accepté", "accepted") if decided.status == "accepted" else tr("refusé", "rejected")
            if as_json:
                print_json({"run": decided.run_id, "theme": decided.theme, "code": decided.code_key,
                            "status": decided.status, "coder": decided.coder, "decided_at": decided.decided_at})
            else:
                console.print(tr(f"Lien thème {decided.theme} → {decided.code_key} {word} par {decided.coder} "
                                 f"(analyse n° {decided.run_id}).",
                                 f"Link theme {decided.theme} → {decided.code_key} {word} by {decided.coder} "
                                 f"(run #{decided.run_id})."), highlight=False)
        elif segments:
            rows = assignment_rows(theme_assignments(proj, the_run))
            if as_json:
                print_json(rows)
            else:
                _print_segments(rows)
        elif show is not None:
            detail = theme_detail(proj, show, the_run)
            print_json(detail.to_dict()) if as_json else _print_detail(detail)
        elif by is not None:
            result = compare_themes(proj, by, unit=count, run=the_run,
                                    threshold=proj.settings.report.specificity_threshold)
            print_json(result.to_dict()) if as_json else print_theme_comparison(result)
        else:
            overview = theme_overview(proj, the_run)
            print_json(overview.to_dict()) if as_json else _print_overview(overview)
        if out is not None:
            files = export_themes(proj, the_run, out)
            err_console.print(tr(f"{len(files)} fichiers écrits dans {shown(out)}", f"{len(files)} files written to {shown(out)}"),
                              highlight=False)


def _say_run(run, reused: bool) -> None:
    from ..store.themes import run_backend
    s = run.summary
    what = tr("reprise de l'analyse identique", "reusing the identical run") if reused else \
        tr("analyse enregistrée", "run stored")
    err_console.print(tr(f"{what} n° {run.id} : {s.get('units')} unités, {s.get('themes')} thèmes, "
                         f"moteur {run_backend(run)}, graine {run.settings.get('seed')}, "
                         f"hors thème {100 * float(s.get('outlier_share') or 0):.1f} %",
                         f"{what} #{run.id}: {s.get('units')} units, {s.get('themes')} themes, "
                         f"backend {run_backend(run)}, seed {run.settings.get('seed')}, "
                         f"outliers {100 * float(s.get('outlier_share') or 0):.1f}%"), highlight=False)
    if s.get("backend_reason") and not reused:
        err_console.print(tr(f"moteur : {s['backend_reason']}", f"backend: {s['backend_reason']}"), highlight=False)
    if s.get("fallback"):
        err_console.print(f"[yellow]{tr('Note', 'Note')} :[/] {s['fallback']}", highlight=False)
    if s.get("assigned"):
        err_console.print(tr(f"ajusté sur un échantillon de {s.get('fitted_on')} unités ; "
                             f"{s.get('assigned')} autres rattachées au thème le plus proche",
                             f"fitted on a sample of {s.get('fitted_on')} units; "
                             f"{s.get('assigned')} others assigned to the nearest theme"), highlight=False)
    if s.get("links_suggested") is not None:
        err_console.print(tr(f"liens thème → code suggérés : {s['links_suggested']} (aucun codage écrit ; "
                             f"« --link THEME CODE » en accepte un pour tout le thème)",
                             f"suggested theme → code links: {s['links_suggested']} (no coding written; "
                             f"'--link THEME CODE' accepts one for the whole theme)"), highlight=False)


def _print_overview(overview) -> None:
    table = Table(title=tr(f"Thèmes — analyse n° {overview.run.id}", f"Themes — run #{overview.run.id}"))
    for col, justify in (("N°", "right"), (tr("Thème", "Theme"), "left"), (tr("Unités", "Units"), "right"),
                         ("%", "right"), ("P1", "right"), ("P2", "right"), ("P3", "right"),
                         (tr("Code le plus proche", "Closest code"), "left")):
        table.add_column(col, justify=justify)
    for t in overview.themes:
        best = t.codes[0] if t.codes else None
        code = f"{best.code} ({best.score:.2f}){_mark(best)}" if best else ""
        table.add_row(str(t.id), shown(t.label), str(t.size), f"{100 * t.share:.1f}", str(t.phases["1"]),
                      str(t.phases["2"]), str(t.phases["3"]), code)
    console.print(table)
    console.print(tr("* lien suggéré (à décider : --link / --unlink) ; ✓ accepté, ✗ refusé.  "
                     "« --show N » détaille un thème.",
                     "* suggested link (to decide: --link / --unlink); ✓ accepted, ✗ rejected.  "
                     "'--show N' details a theme."), style="dim")


def _mark(c) -> str:
    if c.decision == "accepted":
        return " ✓"
    if c.decision == "rejected":
        return " ✗"
    return " *" if c.suggested else ""


def compare_themes_command(project: Optional[Path], by: str, unit: str, threshold: Optional[float],
                           as_json: bool) -> None:
    """``exporterre compare --themes``: the same table as ``themes --by``, read from the latest run."""
    with open_project(project) as proj:
        result = compare_themes(proj, by, unit=unit, threshold=threshold if threshold is not None else
                                proj.settings.report.specificity_threshold)
    print_json(result.to_dict()) if as_json else print_theme_comparison(result)


def print_theme_comparison(result) -> None:
    """Themes × phase (or lieu) with Lafon specificities (also used by ``compare --themes``)."""
    spec = result.specificity
    unit_word = tr("participants", "participants") if result.unit == "participants" else tr("unités", "units")
    by_word = tr("phase", "phase") if result.by == "phase" else tr("lieu", "lieu")
    out = Table(title=tr(f"Thèmes × {by_word} ({unit_word}) — analyse n° {result.run.id}",
                         f"Themes × {by_word} ({unit_word}) — run #{result.run.id}"))
    out.add_column("N°", justify="right")
    out.add_column(tr("Thème", "Theme"))
    for label in spec.column_labels:
        out.add_column(label, justify="right")
    out.add_column("total", justify="right")
    for i, key in enumerate(spec.rows):
        cells = []
        for j in range(len(spec.columns)):
            flag = spec.flags[i][j]
            style = "bold red" if flag == "+" else "bold blue" if flag == "-" else ""
            text = f"{spec.counts[i][j]} ({spec.scores[i][j]:+.1f})"
            cells.append(f"[{style}]{text}[/]" if style else text)
        linked = result.links.get(int(key))
        label = shown(spec.labels.get(key, key)) + (f" [dim]→ {shown(', '.join(linked))}[/]" if linked else "")
        out.add_row(key, label, *cells, str(spec.row_totals[i]))
    out.add_row("", tr(f"[dim]{unit_word} de la colonne[/]", f"[dim]{unit_word} in column[/]"),
                *[str(n) for n in spec.column_totals], str(spec.total))
    console.print(out)
    console.print(tr(f"Entre parenthèses : spécificité de Lafon (log10 signé de p) ; en couleur à partir de "
                     f"±{spec.threshold:g}. Les thèmes sont comptés sur leurs propres unités, jamais comme des codes.",
                     f"In brackets: Lafon specificity (signed log10 p); coloured from ±{spec.threshold:g}. "
                     f"Themes are counted on their own units, never as codes."), highlight=False)


def _print_detail(detail) -> None:
    s = detail.summary
    console.print(f"[bold]{tr('Thème', 'Theme')} {s.id}[/] — {shown(s.label)}  ({s.size} {tr('unités', 'units')}, "
                  f"{100 * s.share:.1f} %)", highlight=False)
    console.print(f"{tr('Mots', 'Words')} : {shown(', '.join(s.words))}", highlight=False)
    console.print(f"{tr('Phases', 'Phases')} : " + ", ".join(f"P{p} {n}" for p, n in s.phases.items()),
                  highlight=False)
    console.print(f"{tr('Lieux', 'Lieux')} : " + shown(", ".join(f"{k or '—'} {n}" for k, n in s.lieux.items())),
                  highlight=False)
    console.print(f"\n[bold]{tr('Citations', 'Quotes')}[/]")
    for q in detail.quotes:
        text = q.text if len(q.text) <= 400 else q.text[:400].rsplit(" ", 1)[0] + " …"
        console.print(f"« {shown(text)} »", highlight=False)
        console.print(f"   — {shown(q.speaker or tr('(sans locuteur)', '(no speaker)'))}, {shown(q.document)} "
                      f"[{q.start}:{q.end}]", style="dim", highlight=False)
    console.print(f"\n[bold]{tr('Codes les plus proches', 'Closest codes')}[/]")
    for c in s.codes[:5]:
        mark = {"accepted": tr(f" (lien accepté par {c.decided_by})", f" (link accepted by {c.decided_by})"),
                "rejected": tr(f" (lien refusé par {c.decided_by})", f" (link rejected by {c.decided_by})")}.get(
            c.decision or "", tr(" (lien suggéré)", " (suggested link)") if c.suggested else "")
        why = f"  [dim]({shown(', '.join(c.shared_words))})[/]" if c.shared_words else ""
        console.print(f"  {c.code} — {shown(c.label)} : {c.score:.2f}{mark}{why}", highlight=False)
    if detail.matrix:
        console.print(f"\n[bold]{tr('Segments codés dans ce thème', 'Coded segments in this theme')}[/]")
        for c in detail.matrix:
            console.print(f"  {c.code_key} : {c.human} {tr('par des personnes', 'by people')}, "
                          f"{c.machine} {tr('suggérés par les règles (en attente)', 'suggested by rules (pending)')}", highlight=False)


def _print_segments(rows) -> None:
    table = Table(title=tr("Unités et thèmes", "Units and themes"))
    for col in ("document", "start", "end", "speaker", "phase", "theme"):
        table.add_column(col)
    for r in rows:
        table.add_row(shown(r["document"]), str(r["start"]), str(r["end"]), shown(r["speaker"] or ""), str(r["phase"]),
                      str(r["theme"]))
    console.print(table)
