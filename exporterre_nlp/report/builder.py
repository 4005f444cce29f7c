"""Compute every figure of a report from a project (no writing, no printing)."""
from __future__ import annotations

import hashlib
import threading
from collections import Counter, defaultdict
from typing import Callable

from ..analysis.agreement import MACHINE, agreement, known_raters
from ..analysis.corpus import CodedCorpus, display_labels, load_coded_corpus
from ..analysis.counts import code_figures, contingency, cooccurrences
from ..analysis.coverage import coverage_rows
from ..analysis.lexicon import (Lemmatiser, lemma_specificities, plain_words, project_lemmas, top_lemmas,
                               unit_lemmas)
from ..analysis.matching import skills_needs
from ..analysis.quotes import candidates_for, select_quotes, tfidf_vectorizer
from ..analysis.specificity import exclusive_rows, table_specificities
from ..errors import CancelledError
from ..i18n import get_language, tr
from ..records import Progress
from .model import CodeSheet, ExtractionRow, ReportData
from .pseudo import drop_person_lemmas, pseudonymise_data
from .themes import theme_part

STEPS = 7


def _step(progress, cancel, done: int, label: str) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError(tr("Rapport annulé : rien n'a été écrit.", "Report cancelled: nothing was written."))
    if progress is not None:
        progress(Progress(done, STEPS, label))


def corpus_summary(corpus: CodedCorpus) -> dict:
    """Documents, segments, words and voices per phase (units of analysis only)."""
    phases: dict[str, dict] = {str(p): {"documents": set(), "segments": 0, "words": 0, "voices": set()}
                               for p in (1, 2, 3)}
    for d in corpus.documents.values():
        phases.setdefault(str(d.phase), {"documents": set(), "segments": 0, "words": 0, "voices": set()})
        phases[str(d.phase)]["documents"].add(d.id)
    for u in corpus.units:
        p = phases[str(u.phase)]
        p["segments"] += 1
        p["words"] += len(u.text.split())
        p["voices"].add(u.voice)
    out = {k: {"documents": len(v["documents"]), "segments": v["segments"], "words": v["words"],
               "voices": len(v["voices"])} for k, v in sorted(phases.items())}
    out["total"] = {"documents": len(corpus.documents), "segments": len(corpus.units),
                    "words": sum(v["words"] for v in out.values()), "voices": len({u.voice for u in corpus.units})}
    return out


def _same_as_one_child(corpus: CodedCorpus, key: str) -> bool:
    """A branch whose coded segments are exactly those of one of its children (nothing coded elsewhere)."""
    units = {u.segment_id for u in corpus.units_with(key)}
    return any({u.segment_id for u in corpus.units_with(child)} == units for child in corpus.codes[key].children)


def codings_hash(corpus: CodedCorpus) -> str:
    """A fingerprint of the counted codings (which words carry which code, by whom, with what status)."""
    names = {d.id: d.name for d in corpus.documents.values()}
    lines = sorted(f"{names[c.document_id]}\t{c.start}\t{c.end}\t{c.code_key}\t{c.coder}\t{c.status}"
                   for c in corpus.codings)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _extraction(store, include_pending: bool) -> list[ExtractionRow]:
    facts = store.extraction_facts()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for f in facts:
        groups[(f.category or "?", str(f.phase))].append(f)
    rows = []
    for (category, phase), items in sorted(groups.items()):
        counted = [f for f in items if f.decision == "accepted" or (include_pending and f.decision == "pending")]
        objects = Counter(f.object.strip().lower() for f in counted if f.object and f.object.strip())
        rows.append(ExtractionRow(category, phase, sum(f.decision == "pending" for f in items),
                                  sum(f.decision == "accepted" for f in items),
                                  sum(f.decision == "rejected" for f in items),
                                  sorted(objects.items(), key=lambda kv: (-kv[1], kv[0]))[:5]))
    return rows


def _agreement(store) -> list:
    raters = known_raters(store)
    humans = [r for r in raters if r != MACHINE]
    if len(humans) < 2 and not (humans and MACHINE in raters):
        return []
    return agreement(store, humans, machine=MACHINE in raters)


def check_unit(unit: str) -> str:
    from ..analysis.counts import UNITS
    from ..errors import ExporterreError
    if unit not in UNITS:
        raise ExporterreError(tr(f"Unité inconnue : « {unit} ».", f"Unknown unit: '{unit}'."),
                              tr("Choisissez participants ou segments.", "Choose participants or segments."))
    return unit


def lemmas_of(project, corpus: CodedCorpus, lemmatise: Lemmatiser | None, cancel) -> dict[int, list[str]]:
    """Lemmas of every unit: a given function, word forms (``report.lemmas: words``) or the French model."""
    if lemmatise is not None:
        return unit_lemmas(corpus, lemmatise)
    if project.settings.report.lemmas == "words":
        return unit_lemmas(corpus, plain_words)
    return project_lemmas(project, corpus, cancel=cancel)


def build_report_data(project, *, include_pending: bool | None = None, include_interviewer: bool | None = None,
                      lemmatise: Lemmatiser | None = None, pseudonymise: bool = False, unit: str | None = None,
                      rule: str | None = None,
                      progress: Callable[[Progress], None] | None = None,
                      cancel: threading.Event | None = None) -> ReportData:
    """All figures of the report of ``project`` (see docs/report.md).

    With ``pseudonymise``, participants' words are shown with the accepted pseudonyms (see :mod:`.pseudo`)."""
    rs = project.settings.report
    include_pending = rs.include_pending if include_pending is None else include_pending
    include_interviewer = rs.include_interviewer if include_interviewer is None else include_interviewer
    unit = unit or rs.unit
    rule = rule or rs.disagreement_rule
    check_unit(unit)
    store = project.store
    _step(progress, cancel, 0, tr("lecture du projet", "reading the project"))
    corpus = load_coded_corpus(store, include_pending=include_pending, include_interviewer=include_interviewer,
                               machine=project.settings.extraction.coder, rule=rule)
    texts = store.document_texts(corpus.documents)
    threshold = rs.specificity_threshold
    phase_table = contingency(corpus, "phase")
    phase_spec = table_specificities(phase_table, threshold=threshold)
    participants_table = contingency(corpus, "phase", unit="participants")
    participants_spec = table_specificities(participants_table, threshold=threshold)
    chosen_spec = participants_spec if unit == "participants" else phase_spec
    lieu_table = contingency(corpus, "lieu")
    _step(progress, cancel, 1, tr("lemmes", "lemmas"))
    lemmas = lemmas_of(project, corpus, lemmatise, cancel)
    view = person_words = None
    lemmas_dropped = 0
    if pseudonymise:
        from ..pseudo.view import TextView
        view = TextView(store, pseudonymise=True)
        view.read(sorted(corpus.documents))
        person_words = view.person_words()
        lemmas, lemmas_dropped = drop_person_lemmas(lemmas, person_words)
    _step(progress, cancel, 2, tr("thèmes", "themes"))
    vectorizer = tfidf_vectorizer()
    try:
        vectorizer.fit([u.text for u in corpus.units] or [""])
        vectorize = vectorizer.transform
    except ValueError:                                  # an empty corpus: vectors per code instead
        vectorize = None
    quote_args = dict(vectorize=vectorize, mmr_lambda=rs.mmr_lambda, near_duplicate=rs.near_duplicate,
                      min_words=rs.quote_min_words)
    themes = theme_part(store, corpus, texts, quotes=rs.quotes_per_code, threshold=threshold,
                        max_chars=rs.quote_max_chars, **quote_args)
    _step(progress, cancel, 3, tr("fiches des codes", "code sheets"))
    sheets, uncoded, not_covered = [], [], []
    row_of = {k: i for i, k in enumerate(chosen_spec.rows)}
    data_labels = display_labels(corpus)
    for key, node in corpus.codes.items():
        figures = code_figures(corpus, key)
        if figures.segments == 0:
            (uncoded if corpus.coverage.documents(key) else not_covered).append(key)
            continue
        if node.is_branch and _same_as_one_child(corpus, key):
            continue                                    # its one coded child's sheet says it all
        cands = candidates_for(corpus, key, texts, min_words=rs.quote_min_words, max_chars=rs.quote_max_chars)
        shared_themes: Counter = Counter()
        for u in corpus.units_with(key):
            shared_themes.update(t for t in themes.segment_themes.get(u.segment_id, ()) if t >= 0)
        i = row_of[key]
        sheets.append(CodeSheet(
            key=key, label=data_labels[key], definition=node.definition, depth=node.depth, is_branch=node.is_branch,
            parent=node.parent, figures=figures,
            lemmas=top_lemmas(corpus, key, lemmas, n=rs.top_lemmas),
            quotes=select_quotes(cands, rs.quotes_per_code, **quote_args),
            cooccurring=[(k, corpus.codes[k].label, n) for k, n in cooccurrences(corpus, key)],
            themes=[(t, themes.labels.get(t, str(t)), n) for t, n in
                    sorted(shared_themes.items(), key=lambda kv: (-kv[1], kv[0]))[:3]],
            scores=dict(zip(chosen_spec.columns, chosen_spec.scores[i])),
            flags=dict(zip(chosen_spec.columns, chosen_spec.flags[i])),
            covered={c: phase_table.is_covered(i, j) for j, c in enumerate(phase_table.columns)}))
    _step(progress, cancel, 4, tr("comparaisons", "comparisons"))
    lemma_spec = lemma_specificities(corpus, lemmas, "phase", min_count=rs.lemma_min_count, threshold=threshold) \
        if corpus.units else None
    exclusive = exclusive_rows(phase_table.rows, phase_table.columns, phase_table.counts, phase_table.column_totals,
                               cell_totals=phase_table.cell_totals)
    _step(progress, cancel, 5, tr("accord entre codeurs", "agreement"))
    pairs = _agreement(store)
    _step(progress, cancel, 6, tr("extractions", "extractions"))
    extraction = _extraction(store, include_pending)
    name = store.get_meta("codebook_name") or project.path.name
    title = tr(f"Rapport Exporterre — {project.path.name}", f"Exporterre report — {project.path.name}")
    data = ReportData(
        title=title + (tr(" (pseudonymisé)", " (pseudonymised)") if pseudonymise else ""),
        language=get_language(), include_pending=include_pending, include_interviewer=include_interviewer,
        corpus=corpus_summary(corpus), phase_table=phase_table, phase_specificity=phase_spec,
        phase_participants=participants_table, lieu_table=lieu_table,
        lieu_specificity=table_specificities(lieu_table, threshold=threshold), exclusive_codes=exclusive,
        code_sheets=sheets, uncoded=uncoded, lemma_specificity=lemma_spec, matching=skills_needs(corpus),
        extraction=extraction, agreement=pairs, theme_run=themes.run_id, theme_status=themes.status,
        themes=themes.sheets, theme_specificity=themes.specificity, exclusive_themes=themes.exclusive,
        outlier_share=themes.outlier_share, theme_method=themes.method, excluded_codings=corpus.excluded_codings,
        counted_codings=len(corpus.codings), code_labels=display_labels(corpus),
        unit=unit, phase_participants_specificity=participants_spec, coverage=coverage_rows(corpus),
        coverage_mode=corpus.coverage.mode, coverage_marks=corpus.coverage.marks,
        bulk_marks=corpus.coverage.bulk_marks, pending_not_counted=corpus.pending_not_counted,
        uncovered_codings=corpus.uncovered_codings, rule=rule, disagreements=corpus.disagreements,
        vetoed_codings=corpus.vetoed_codings,
        document_names={d.id: d.name for d in corpus.documents.values()},
        coders=sorted({c for c in corpus.coverage.by_coder}), not_covered=not_covered,
        machine_suggestions=sum(a.codings for a in store.coder_activity()
                                if a.coder == project.settings.extraction.coder and a.status == "pending"))
    data.manifest = {"codebook_name": name, "inputs": {"codings_hash": codings_hash(corpus)},
                     "coding_runs": sorted({c.run_id for c in corpus.codings if c.run_id is not None}),
                     "theme_run": themes.run_id}
    if view is not None:
        pseudonymise_data(data, view, person_words, lemmas_dropped)
    _step(progress, cancel, STEPS, tr("terminé", "done"))
    return data
