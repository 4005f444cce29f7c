"""Training sentences from a project's own coding: ``exporterre train-model --project``.

A researcher who accepts, rejects and adds codings in the TUI labels the
project's segments as they go. Those decisions teach the sentence model the
project's own way of speaking.

A project's labels are only partial: deciding a need says nothing about
concerns, and a segment nobody read says nothing at all. So a segment is
labelled only for some categories (``EvalSentence.known``):

- a category is *decided* in a segment when a coding of it there is manual,
  or a decision (accepted or rejected) on a rule or sentence-model suggestion;
- by default (``assume_read``) the segments of a document a coder *read* are
  labelled for every category decided in that document: the turns the
  interface recorded as read (the reader's cursor went there,
  ``Store.read_segments``) and those holding a decision; in a document with no
  turn recorded as read (coded elsewhere, or before reads were recorded) a
  coder is assumed to have gone through it in order, up to the last segment
  holding a decision; with ``assume_read=False`` (work from the validation
  queue) only segments holding a decision are, for the categories decided
  there;
- the labels are the spans of the manual and accepted codings of each such
  category (an accepted suggestion recoded under another category counts for
  the new one); the other sentences of a labelled segment are negatives, a
  rejected suggestion's included.

Measured (docs/nlp.md, ``experiments/project_learning_experiment.py``):
negatives matter. Learning from the decided segments alone raised recall
but lowered precision (the rules' blind spots only ever appear as
positives); labelling every read segment kept or raised precision.

Theme suggestions (whole segments) are left out: a theme accepted for a
segment does not say which sentence expresses it. A code's category is the
category whose root code (``category_codes``) is its ancestor in the store,
so codes a project added under ``besoins`` count as needs.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import CancelledError, ExporterreError
from ..i18n import tr
from ..records import Progress
from ..settings import save_setting
from .analyse import (MODEL_ORIGIN, RULE_ORIGIN, AnalysisResult, analyse, pipeline_spec, segment_questions,
                      sentence_model_path, units)
from .evaluate import EvalSentence, Label
from .sentence_classifier import ClassifierOptions
from ..categories import CATEGORIES
from .sentence.model import SentenceModel, category_codes, load_sentence_model
from .sentence.training import PROJECT_SOURCE, TrainingOptions

PROJECT_MODEL_FILE = "modele_phrases.json.gz"    # train-model --project writes it in the project folder
DECIDED = ("manual", "accepted", "rejected")
POSITIVE = ("manual", "accepted")


@dataclass
class ProjectLabels:
    """The project's segments labelled by its codings, and what they hold."""
    sentences: list[EvalSentence]
    positives: Counter = field(default_factory=Counter)     # category → labelled spans
    decided: Counter = field(default_factory=Counter)       # category → segments labelled for it
    coders: tuple[str, ...] = ()


def _categories_of_codes(store, codebook) -> dict[int, str]:
    """Store code id → category (through the code's root in the store)."""
    roots = {root: category for category, root in category_codes(codebook).items()}
    codes = {c.id: c for c in store.list_codes()}
    out: dict[int, str] = {}
    for code_id, code in codes.items():
        seen = set()
        while code.parent_id is not None and code.parent_id in codes and code.id not in seen:
            seen.add(code.id)
            code = codes[code.parent_id]
        if code.key in roots:
            out[code_id] = roots[code.key]
    return out


def _counts(coding) -> bool:
    """Manual codings, and decisions on rule or sentence-model suggestions (not on themes)."""
    if coding.status == "manual":
        return True
    return coding.origin.startswith(RULE_ORIGIN) or coding.origin.startswith(MODEL_ORIGIN)


def project_labels(project, codebook, *, coders: Iterable[str] | None = None,
                   assume_read: bool = True) -> ProjectLabels:
    """The analysed segments of ``project`` labelled by its codings, each for the categories decided.

    ``assume_read`` (the default): the segments of a document read by the coders
    (recorded by the interface), or, where none was recorded, every analysed
    segment up to the last one holding a decision, count as read, for every
    category decided in that document; a segment read where nothing was coded is
    a negative. Otherwise (coders who work from the validation queue) only the
    segments holding a decision count, each for the categories decided in it.
    ``coders``: only these people's codings and reads (default: everyone's).
    """
    store = project.store
    category_of = _categories_of_codes(store, codebook)
    machine = project.settings.extraction.coder
    wanted = None if coders is None else set(coders)
    codings = [c for c in store.list_codings(statuses=DECIDED)
               if c.code_id in category_of and _counts(c) and c.coder != machine
               and (wanted is None or c.coder in wanted)]
    by_document: dict[int, list] = {}
    for c in codings:
        by_document.setdefault(c.document_id, []).append(c)
    out = ProjectLabels([], coders=tuple(sorted({c.coder for c in codings})))
    if not codings:
        return out
    segments: dict[int, list] = {}
    for segment in units(store, project.settings, document_ids=sorted(by_document)):
        segments.setdefault(segment.document_id, []).append(segment)
    reads = store.read_segments(wanted) if assume_read else {}       # the interface's records of turns read
    # what each turn answers, as analyse reads it
    questions = segment_questions(store.segment_views(document_ids=sorted(segments)))
    for document_id, views in segments.items():
        inside = [[c for c in by_document[document_id] if c.start < v.end and v.start < c.end] for v in views]
        decided = [i for i, found in enumerate(inside) if found]
        if not decided:
            continue
        in_document = frozenset(category_of[c.code_id] for found in inside for c in found)
        read = reads.get(document_id)
        for i, (view, found) in enumerate(zip(views, inside)):
            if assume_read:
                if read and not found and view.segment_id not in read:
                    continue                        # recorded reads: the turns not read say nothing
                if not read and i > decided[-1]:
                    break
                known = in_document
            elif found:
                known = frozenset(category_of[c.code_id] for c in found)
            else:
                continue
            # a coding over several turns labels each turn's part of it
            labels = tuple(sorted({Label(category_of[c.code_id], max(c.start, view.start) - view.start,
                                         min(c.end, view.end) - view.start)
                                   for c in found if c.status in POSITIVE},
                                  key=lambda g: (g.start, g.end, g.category)))
            out.sentences.append(EvalSentence(f"{view.document}#{view.position}", PROJECT_SOURCE, "train",
                                              view.text, labels, known, questions.get(view.segment_id)))
            out.decided.update(known)
            out.positives.update(g.category for g in labels)
    out.decided = Counter({c: out.decided[c] for c in CATEGORIES if out.decided[c]})
    return out


@dataclass(frozen=True)
class ProjectTraining:
    """A sentence model trained on the shared sets and a project's decisions (:func:`train_project_model`)."""
    model: SentenceModel
    path: Path
    labels: ProjectLabels
    enabled: bool                      # the project's extraction.sentence_model now names it


def _no_decisions(project, coders) -> ExporterreError:
    who = ", ".join(coders or ())
    name = project.path.name + (f" ({who})" if who else "")
    return ExporterreError(
        tr(f"Aucune décision à apprendre dans le projet {name} : ni suggestion acceptée ou rejetée, "
           "ni codage manuel.",
           f"No decision to learn from in project {name}: no suggestion accepted or rejected, no manual coding."),
        tr(f"Décidez des suggestions dans l'interface (exporterre code --project {project.path}), puis relancez.",
           f"Decide on suggestions in the interface (exporterre code --project {project.path}), then run again."))


def _cancelled() -> CancelledError:
    return CancelledError(tr("Entraînement interrompu : le modèle et les suggestions du projet sont inchangés.",
                             "Training cancelled: the project's model and suggestions are unchanged."))


def _setting_for(project, path: Path) -> str:
    """``extraction.sentence_model`` naming ``path``: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(project.path.resolve()))
    except ValueError:
        return str(path.resolve())


def train_project_model(project, codebook=None, *, coders: Iterable[str] | None = None, assume_read: bool = True,
                        out: str | Path | None = None, use: bool = False, model: str = "md", name: str = "phrases",
                        options: TrainingOptions = TrainingOptions(),
                        sets: Sequence[tuple[str | Path, str | None]] | None = None,
                        labels: ProjectLabels | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        cancel: threading.Event | None = None,
                        classifier: ClassifierOptions | None = None, encoder: str | None = None,
                        embedding_cache=None) -> ProjectTraining:
    """Train a sentence model on the labelled sets (default: the shipped ones) and the project's decisions
    (:func:`project_labels`), write it to ``out`` (default ``<project>/modele_phrases.json.gz``) and, with
    ``use``, name it in the project's settings.

    ``labels``: the project's labels when already read (as :func:`project_labels` gives them). Raises
    :class:`ExporterreError` when the project holds no decision to learn from, and
    :class:`CancelledError` when ``cancel`` is set (checked at every step; nothing is written then).
    ``classifier``: also train the neural classifier (``builtin-cnn``'s; about 10 minutes with the shipped sets).
    ``encoder``: an encoder block (``e5``, :mod:`.sentence.encoding`), its embeddings cached in ``embedding_cache``
    (default: the project's embedding cache, the one ``analyse`` reads).
    """
    from .sentence.training import train_from_sets
    book = codebook if codebook is not None else project.codebook()
    if labels is None:
        labels = project_labels(project, book, coders=coders, assume_read=assume_read)
    if not labels.sentences:
        raise _no_decisions(project, coders)

    def step(done: int, total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        if progress is not None:
            progress(done, total)
    step(0, 1)
    trained = train_from_sets(sets, codebook=book, model=model, name=name, options=options, progress=step,
                              extra=labels.sentences,
                              fillers=pipeline_spec(project.settings, model, "full", project.path).fillers_path,
                              extra_source={"project": project.path.name, "coders": list(labels.coders),
                                            "read": assume_read, "segments_by_category": dict(labels.decided)},
                              classifier=classifier, encoder=encoder,
                              embedding_cache=embedding_cache if embedding_cache is not None or not encoder
                              else project.cache_dir("embeddings"))
    step(1, 1)
    path = Path(out) if out is not None else project.path / PROJECT_MODEL_FILE
    trained.save(path)
    if use:
        project.settings.extraction.sentence_model = _setting_for(project, path)
        save_setting(project.path, "extraction.sentence_model", project.settings.extraction.sentence_model)
    return ProjectTraining(trained, path, labels, use)


def uses_classifier(project) -> bool:
    """Does the project's sentence model carry the neural classifier (``builtin-cnn`` or a model trained
    with it)? Retraining it from the project's decisions then trains the classifier too (much longer)."""
    path = sentence_model_path(project)
    if path is None:
        return False
    try:
        return load_sentence_model(path).classifier is not None
    except ExporterreError:
        return False


def model_encoder_name(project) -> str | None:
    """The encoder of the project's sentence model's encoder block (``e5`` for ``builtin-e5``), or None:
    retraining it from the project's decisions keeps the block (its embeddings in the project's cache)."""
    path = sentence_model_path(project)
    if path is None:
        return None
    try:
        return load_sentence_model(path).encoder.get("name") or None
    except ExporterreError:
        return None


def learn_from_project(project, *, coders: Iterable[str] | None = None, assume_read: bool = True,
                       sets: Sequence[tuple[str | Path, str | None]] | None = None,
                       progress: Callable[[Progress], None] | None = None,
                       cancel: threading.Event | None = None,
                       classifier: bool | None = None) -> tuple[ProjectTraining, AnalysisResult]:
    """Train the project's sentence model on its decisions, then analyse the project with it.

    What the interface's « réentraîner » does: the suggestions nobody decided on
    are replaced by the new model's (decisions are never touched). The model is
    written to ``<project>/modele_phrases.json.gz`` (the earlier one kept aside
    meanwhile) and becomes the project's ``extraction.sentence_model`` once the
    analysis succeeded. Cancelled or failed, the project's model file, settings
    and suggestions are what they were. ``progress`` gets the training steps
    (label « entraînement ») then the analysis's (label « analyse »). ``sets``: the
    labelled sets learnt from beside the project (default: the shipped ones). ``classifier``: train the
    neural classifier too (default: when the project's current model has one, :func:`uses_classifier`).
    """
    import shutil
    final = project.path / PROJECT_MODEL_FILE
    kept = final.with_name(final.name + ".precedent")
    had = final.exists()
    if had:
        shutil.copy2(final, kept)
    previous = project.settings.extraction.sentence_model
    if classifier is None:
        classifier = uses_classifier(project)
    label_train, label_analyse = tr("entraînement", "training"), tr("analyse", "analysis")

    def trained_step(done: int, total: int) -> None:
        if progress is not None:
            progress(Progress(done, total, label_train, stage="training"))

    def analysed_step(p: Progress) -> None:
        if progress is not None:
            progress(Progress(p.done, p.total, label_analyse, stage="analysis"))
    try:
        training = train_project_model(project, coders=coders, assume_read=assume_read, out=final, sets=sets,
                                       progress=trained_step, cancel=cancel,
                                       classifier=ClassifierOptions() if classifier else None,
                                       encoder=model_encoder_name(project))
        project.settings.extraction.sentence_model = _setting_for(project, final)
        result = analyse(project, progress=analysed_step, cancel=cancel)
        save_setting(project.path, "extraction.sentence_model", project.settings.extraction.sentence_model)
    except BaseException as exc:
        project.settings.extraction.sentence_model = previous
        if had:
            kept.replace(final)
        else:
            final.unlink(missing_ok=True)
        if isinstance(exc, CancelledError):
            raise _cancelled() from None            # one message, whichever stage was interrupted
        raise
    kept.unlink(missing_ok=True)
    return ProjectTraining(training.model, final, training.labels, True), result
