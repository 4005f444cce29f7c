"""Training sentences from a project's own coding: ``exporterre train-model --project``.

A researcher who accepts, rejects and adds codings in the TUI labels the
project's segments as they go. Those decisions teach the sentence model the
project's own way of speaking.

A project's labels are only partial: deciding a need says nothing about
concerns, and a segment nobody read says nothing at all. So a segment is
labelled only for some categories (``EvalSentence.known``):

- a category is *decided* in a segment when a coding of it there is manual,
  or a decision (accepted or rejected) on a rule or sentence-model suggestion;
- by default a coder is assumed to go through each transcript in order: the
  segments of a document up to the last one holding a decision are *read*, and
  labelled for every category decided in that document (``assume_read``);
  with ``assume_read=False`` (work from the validation queue) only segments
  holding a decision are, for the categories decided there;
- the labels are the spans of the manual and accepted codings of each such
  category (an accepted suggestion recoded under another category counts for
  the new one); the other sentences of a labelled segment are negatives, a
  rejected suggestion's included.

Measured (docs/nlp.md, ``benchmarks/data/project_learning_experiment.py``):
negatives matter. Learning from the decided segments alone raised recall
but lowered precision (the rules' blind spots only ever appear as
positives); labelling every read segment kept or raised precision.

Theme suggestions (whole segments) are left out: a theme accepted for a
segment does not say which sentence expresses it. A code's category is the
category whose root code (``category_codes``) is its ancestor in the store,
so codes a project added under ``besoins`` count as needs.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .analyse import MODEL_ORIGIN, RULE_ORIGIN, units
from .evaluate import EvalSentence, Label
from .sentence_model import CATEGORIES, PROJECT_SOURCE, category_codes

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

    ``assume_read`` (the default, for coders who go through a transcript in
    order): every analysed segment of a document up to the last one holding a
    decision counts as read, for every category decided in that document; a
    segment read where nothing was coded is a negative. Otherwise (coders who
    work from the validation queue) only the segments holding a decision count,
    each for the categories decided in it. ``coders``: only these people's
    codings (default: everyone's).
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
    for document_id, views in segments.items():
        inside = [[c for c in by_document[document_id] if c.start < v.end and v.start < c.end] for v in views]
        decided = [i for i, found in enumerate(inside) if found]
        if not decided:
            continue
        in_document = frozenset(category_of[c.code_id] for found in inside for c in found)
        for i, (view, found) in enumerate(zip(views, inside)):
            if assume_read:
                if i > decided[-1]:
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
                                              view.text, labels, known))
            out.decided.update(known)
            out.positives.update(g.category for g in labels)
    out.decided = Counter({c: out.decided[c] for c in CATEGORIES if out.decided[c]})
    return out
