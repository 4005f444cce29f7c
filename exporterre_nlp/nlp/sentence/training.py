"""Training the sentence model: public steps, so that experiments reuse them (experiments/).

:func:`train_sentence_model` chains them: :func:`training_units` (parse, rule findings, sentence units and
their labels), :func:`regression_features` (the TF-IDF vocabulary and the feature matrix), out-of-fold
probabilities per category, then :func:`reviews` and :func:`operating_points` (what ``exporterre eval``
would count at each pair of thresholds) and the final fit. :func:`train_from_sets` reads the labelled JSONL
sets (the shipped ones: :func:`default_training_sets`, package data).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy

from ...categories import CATEGORIES
from ...errors import ExporterreError
from ...i18n import tr
from ..evaluate import DEFAULT_SET, load_eval_set
from ..extract import GAZETTEER_RULE
from ..oral import cached_strings
from ..pipeline import package_vectors
from ..sentence_classifier import ClassifierOptions, classifier_text, out_of_fold, train_classifier
from ..encoder import Encoder
from ..embedding_cache import cached_embedder
from .encoding import encoder_block, unit_embeddings
from .features import FeatureLookup, SentenceUnit, batch_features, context_terms, tfidf
from .model import SentenceModel

@dataclass(frozen=True)
class TrainingOptions:
    """How a sentence model is trained (stored in the model file)."""
    min_precision: float = 0.60     # precision, in cross-validation, of the sentences the model adds
    max_veto_loss: float = 0.03     # share of the right rule findings a veto may drop, in cross-validation
    folds: int = 5
    seed: int = 0
    c: float = 2.0                  # inverse regularisation of the logistic regressions
    min_df: int = 2                 # a term must occur in this many training sentences


def feature_matrix(units: Sequence[SentenceUnit], columns: dict[str, int], idf: numpy.ndarray):
    from scipy.sparse import csr_matrix, hstack
    data, indices, indptr = [], [], [0]
    for unit in units:
        cols, values = tfidf(unit.terms, columns, idf)
        order = numpy.argsort(cols) if cols else []
        indices.extend(int(cols[i]) for i in order)
        data.extend(float(values[i]) for i in order)
        indptr.append(len(indices))
    terms = csr_matrix((data, indices, indptr), shape=(len(units), len(columns)))
    return hstack([terms, csr_matrix(numpy.array([u.vector for u in units]))]).tocsr()


def add_threshold(probs: numpy.ndarray, gold: numpy.ndarray, added: numpy.ndarray, min_precision: float):
    """Lowest threshold at which the sentences the model would add reach ``min_precision``."""
    for t in numpy.round(numpy.arange(0.30, 0.991, 0.01), 2):
        picked = added & (probs >= t)
        n = int(picked.sum())
        if n >= 5 and (picked & gold).sum() / n >= min_precision:
            return float(t), (picked & gold).sum() / n, int((picked & gold).sum()), int((added & gold).sum())
    return 1.0, None, 0, int((added & gold).sum())


def veto_threshold(probs: numpy.ndarray, gold: numpy.ndarray, hit: numpy.ndarray, max_loss: float):
    """Highest veto threshold (≤ 0.5) dropping at most ``max_loss`` of the right rule hits."""
    right = hit & gold
    if not right.sum():
        return 0.0, 0, 0
    for t in numpy.round(numpy.arange(0.50, -0.001, -0.01), 2):
        if (right & (probs < t)).sum() / right.sum() <= max_loss:
            return float(t), int((hit & ~gold & (probs < t)).sum()), int((right & (probs < t)).sum())
    return 0.0, 0, 0


PRECISION_TARGETS = (0.70, 0.75, 0.80, 0.85, 0.90)
PROJECT_SOURCE = "project"            # the source of the sentences a project's decisions label (learning.py)
_GRID = numpy.round(numpy.arange(0.0, 0.991, 0.02), 2)


@dataclass
class Review:
    """What the review of one training sentence depends on, for one category (see operating_points)."""
    findings: list[tuple[float, frozenset[int]]]     # rule findings in order: (veto score, labels overlapped)
    units: list[tuple[float, frozenset[int]]]        # sentences no rule found: (probability, labels overlapped)
    labels: int


def reviews(sentences, units_of, probs: numpy.ndarray, category: str) -> list[Review]:
    """Per training sentence: its rule findings and unfound sentences of ``category`` with the scores deciding
    them (a finding's is the highest of the units it overlaps; gazetteer places are never vetoed: infinite)."""
    out = []
    for sentence, (lo, hi, findings, spans) in zip(sentences, units_of):
        labels = [(g.start, g.end) for g in sentence.labels if g.category == category]
        overlapped = lambda s, e: frozenset(i for i, (gs, ge) in enumerate(labels) if gs < e and s < ge)  # noqa
        mine = [f for f in findings if f.category == category]
        items = []
        for f in mine:
            inside = [probs[u] for u in range(lo, hi) if spans[u - lo][0] < f.end and f.start < spans[u - lo][1]]
            score = math.inf if f.rule_id == GAZETTEER_RULE or not inside else max(inside)
            items.append((score, overlapped(f.start, f.end)))
        free = [(probs[u], overlapped(*spans[u - lo])) for u in range(lo, hi)
                if not any(f.start < spans[u - lo][1] and spans[u - lo][0] < f.end for f in mine)]
        if items or free or labels:
            out.append(Review(items, free, len(labels)))
    return out


def suggested(review: Review, veto: float, add: float) -> tuple[int, int]:
    """Suggestions in one reviewed sentence at these thresholds, and how many are right (matched to the
    labels one-to-one, in order, as ``exporterre eval`` matches them)."""
    picked = [over for score, over in review.findings if score >= veto]
    if add < 1.0:
        picked += [over for score, over in review.units if score >= add]
    used: set[int] = set()
    for over in picked:
        hit = next((g for g in over if g not in used), None)
        if hit is not None:
            used.add(hit)
    return len(picked), len(used)


def scores_at(reviews: Sequence[Review], veto: float, add: float) -> dict:
    """Precision and recall of the suggestions of these reviewed sentences at one pair of thresholds."""
    counts = [suggested(r, veto, add) for r in reviews]
    n, right, labels = sum(c[0] for c in counts), sum(c[1] for c in counts), sum(r.labels for r in reviews)
    return {"labels": labels, "suggested": n, "precision": round(right / n, 3) if n else None,
            "recall": round(right / labels, 3) if labels else None}


def operating_points(reviews: Sequence[Review], targets: Sequence[float] = PRECISION_TARGETS,
                      min_found: int = 10) -> list[dict]:
    """For each precision target, the (veto, add) thresholds of highest recall reaching it in cross-validation.

    Counted as ``exporterre eval`` counts: a rule finding is kept unless its
    score is below ``veto``; a sentence no rule found is added when its
    probability reaches ``add`` (1.0: never); then findings are matched to the
    labels of the same category they overlap, one-to-one, in order. Ties go to
    the higher precision, then the lower veto and add. Targets no pair reaches
    (with at least ``min_found`` suggestions) get no point.
    """
    labels = sum(r.labels for r in reviews)
    if not labels:
        return []
    adds = numpy.append(_GRID[_GRID >= 0.30], 1.0)
    # sentences with one item at most: each item is right or wrong on its own (vectorised);
    # the others are matched one-to-one, in order, for every pair of thresholds
    simple = [r for r in reviews if len(r.findings) + len(r.units) <= 1]
    hard = [r for r in reviews if len(r.findings) + len(r.units) > 1]
    f_score = numpy.array([r.findings[0][0] for r in simple if r.findings])
    f_right = numpy.array([bool(r.findings[0][1]) for r in simple if r.findings], dtype=bool)
    u_score = numpy.array([r.units[0][0] for r in simple if r.units])
    u_right = numpy.array([bool(r.units[0][1]) for r in simple if r.units], dtype=bool)
    added = numpy.array([int((u_score >= a).sum()) if a < 1.0 else 0 for a in adds])
    added_right = numpy.array([int((u_right & (u_score >= a)).sum()) if a < 1.0 else 0 for a in adds])
    best: dict[float, tuple] = {}
    for v in _GRID:
        n = (f_score >= v).sum() + added
        right = (f_right & (f_score >= v)).sum() + added_right
        for i, a in enumerate(adds):
            for r in hard:
                found, found_right = suggested(r, v, a)
                n[i] += found
                right[i] += found_right
        precision = right / numpy.maximum(n, 1)
        recall = right / labels
        for target in targets:
            for i in numpy.flatnonzero((precision >= target - 1e-12) & (n >= min_found)):
                key = (round(float(recall[i]), 6), round(float(precision[i]), 6), -float(v), -float(adds[i]))
                if target not in best or key > best[target][0]:
                    best[target] = (key, float(v), float(adds[i]), float(precision[i]), float(recall[i]))
    return [{"target": t, "veto": round(best[t][1], 2), "add": round(best[t][2], 2),
             "precision": round(best[t][3], 3), "recall": round(best[t][4], 3)} for t in targets if t in best]


def recall_sum(reviews: Sequence[Review]) -> float:
    """The recall reached at each precision target (0 where none is reached), summed: how one scoring's
    suggestions compare with another's over the operating points."""
    return sum(p["recall"] for p in operating_points(reviews))


def knows(sentence, category: str) -> bool:
    """Is ``sentence`` labelled for ``category`` (``EvalSentence.known``; None: for every category)?"""
    known = getattr(sentence, "known", None)
    return known is None or category in known


@dataclass
class TrainingUnits:
    """The sentence units of labelled sentences, as training reads them."""
    units: list[SentenceUnit]
    gold: numpy.ndarray          # (units, categories) 1 where a label of the category overlaps the unit
    known: numpy.ndarray         # (units, categories) the unit's sentence is labelled for the category
    texts: list[str]             # per unit: what the neural classifier reads (classifier_text)
    units_of: list[tuple]        # per sentence: (first unit, last + 1, rule findings, unit spans)
    sentence_texts: list[str] = field(default_factory=list)   # per unit: its parser sentence (encoder block)
    questions: list[str | None] = field(default_factory=list)  # per unit: the question its sentence answers


def training_units(sentences, nlp, extractor, *, batch_size: int = 64,
                   progress: Callable[[int, int], None] | None = None) -> TrainingUnits:
    """Parse labelled sentences (``EvalSentence``-like) with ``nlp``, find the rules' findings and cut them into
    sentence units with the analysis's feature path (:func:`.features.batch_features`); a unit is positive for
    a category when one of the sentence's labels of that category overlaps it."""
    sentences = list(sentences)
    strings = cached_strings(nlp.vocab)
    lookup = FeatureLookup(nlp.vocab, strings, nlp.vocab.vectors, {})
    units: list[SentenceUnit] = []
    gold, known, texts, units_of, sentence_texts, questions = [], [], [], [], [], []
    docs = nlp.pipe([s.text for s in sentences], batch_size=batch_size)
    done = 0
    for at in range(0, len(sentences), batch_size):
        chunk = sentences[at:at + batch_size]
        parsed = [next(docs) for _ in chunk]
        findings = [extractor(doc) for doc in parsed]
        features = batch_features(parsed, lookup, [context_terms(getattr(s, "context", None)) for s in chunk])
        chunk_units = features.units(findings)
        chunk_texts = features.sentence_texts([s.text for s in chunk])
        bounds = numpy.searchsorted(features.owner, numpy.arange(len(chunk) + 1)).tolist()
        for n, sentence in enumerate(chunk):
            mine = chunk_units[bounds[n]:bounds[n + 1]]
            units_of.append((len(units), len(units) + len(mine), findings[n], [(u.start, u.end) for u in mine]))
            complete = [knows(sentence, c) for c in CATEGORIES]
            for unit, text in zip(mine, chunk_texts[bounds[n]:bounds[n + 1]]):
                units.append(unit)
                sentence_texts.append(text)
                questions.append(getattr(sentence, "context", None))
                texts.append(classifier_text(sentence.text[unit.start:unit.end], getattr(sentence, "context", None)))
                known.append(complete)
                gold.append([int(any(g.category == c and g.start < unit.end and unit.start < g.end
                                     for g in sentence.labels)) for c in CATEGORIES])
            done += 1
            if progress is not None:
                progress(done, len(sentences))
    if not units:
        raise ExporterreError(tr("Aucune phrase pour entraîner le modèle.", "No sentence to train the model on."),
                              tr("Donnez un jeu étiqueté non vide (--set).", "Give a non-empty labelled set (--set)."))
    return TrainingUnits(units, numpy.array(gold), numpy.array(known, dtype=bool), texts, units_of,
                         sentence_texts, questions)


def regression_features(units: Sequence[SentenceUnit], options: "TrainingOptions | None" = None):
    """The regression's features of ``units`` as training builds them: ``(matrix, terms, idf)``, the terms
    those seen in at least ``options.min_df`` units (sorted), then the mean word vector's dimensions."""
    options = options or TrainingOptions()
    df = Counter(t for u in units for t in set(u.terms))
    terms = sorted(t for t, n in df.items() if n >= options.min_df)
    idf = numpy.array([math.log((1 + len(units)) / (1 + df[t])) + 1.0 for t in terms])
    return feature_matrix(units, {t: i for i, t in enumerate(terms)}, idf), terms, idf


def train_sentence_model(sentences, nlp, extractor, *, name: str, options: TrainingOptions = TrainingOptions(),
                         sources: Sequence[dict] = (), progress: Callable[[int, int], None] | None = None,
                         classifier: ClassifierOptions | None = None, encoder: Encoder | None = None,
                         embedding_cache: str | Path | None = None) -> SentenceModel:
    """Train a model on labelled sentences (``EvalSentence``-like: ``text`` and ``labels``).

    Each sentence is parsed and cut into the parser's sentences like a segment
    at analysis time; a unit is positive for a category when one of its labels
    overlaps it. ``sources`` (file names and digests) are recorded in the model.
    ``classifier``: also train the neural classifier (:mod:`.sentence_classifier`),
    out of fold to choose the thresholds on the mean of both, then on every unit.
    ``encoder``: give the model an encoder block (:mod:`.encoding`): the encoder's embeddings of each unit's
    sentence and of its question are more columns of the same regression (read from and written to the
    embedding cache under ``embedding_cache``, when given); folds and thresholds are chosen as without it.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from ..pipeline import model_version
    sentences = list(sentences)
    # progress: one step per sentence parsed, per classifier epoch (out of fold), per category fitted, then
    # per epoch of the final classifier
    epochs = (options.folds + 1) * classifier.epochs if classifier is not None else 0
    steps = len(sentences) + len(CATEGORIES) + epochs
    package = nlp.meta.get("lang", "fr") + "_" + nlp.meta.get("name", "")
    if classifier is not None and not package_vectors(package).size:
        raise ExporterreError(tr(f"Le classifieur a besoin de vecteurs de mots : {package} n'en a pas.",
                                 f"The classifier needs word vectors: {package} has none."),
                              tr("Entraînez-le avec le modèle md (--model md).", "Train it with the md model (--model md)."))
    data = training_units(sentences, nlp, extractor,
                          progress=None if progress is None else lambda n, _: progress(n, steps))
    units, texts, units_of, total = data.units, data.texts, data.units_of, len(data.units)
    x, terms, idf = regression_features(units, options)
    block = None
    if encoder is not None:
        from scipy.sparse import csr_matrix, hstack
        # progress: the texts embedded of those missing from the cache, then training's steps again
        embed, _ = cached_embedder(encoder, embedding_cache,
                                   progress=None if progress is None else (lambda p: progress(p.done, p.total)))
        block = encoder_block(encoder)
        encoded = unit_embeddings(embed, data.sentence_texts, data.questions, block["dimension"])
        x = hstack([x, csr_matrix(encoded)]).tocsr()
    y_all = data.gold
    hits = numpy.array([u.hits for u in units], dtype=bool)
    dims = units[0].vector.shape[0]
    term_w, vec_w, enc_w, intercepts, thresholds, veto, cv, points = [], [], [], [], {}, {}, {}, {}

    def fit(rows, y):
        return LogisticRegression(C=options.c, class_weight="balanced", max_iter=5000).fit(x[rows], y[rows])

    known_all = data.known
    blend: dict[str, float] = {}
    helper = None                                   # the classifier's out-of-fold probabilities, if trained
    if classifier is not None:
        parsed = len(sentences)
        helper = out_of_fold(texts, y_all, CATEGORIES, vectors=package, folds=options.folds, seed=options.seed,
                             known=known_all, options=classifier,
                             progress=None if progress is None else lambda n, _: progress(parsed + n, steps))
    fitted_from = len(sentences) + (options.folds * classifier.epochs if helper is not None else 0)  # progress
    for k, category in enumerate(CATEGORIES):
        every = numpy.flatnonzero(known_all[:, k])            # the units labelled for this category
        y = numpy.zeros(total, dtype=y_all.dtype)
        y[every] = y_all[every, k]
        if y[every].sum() < options.folds:
            raise ExporterreError(tr(f"Trop peu d'exemples « {category} » ({int(y.sum())}) pour entraîner le modèle.",
                                     f"Too few '{category}' examples ({int(y.sum())}) to train the model."),
                                  tr("Ajoutez des phrases étiquetées de cette catégorie.",
                                     "Add labelled sentences of this category."))
        oof = numpy.zeros(total)
        folds = StratifiedKFold(options.folds, shuffle=True, random_state=options.seed)
        for train, test in folds.split(every, y[every]):
            oof[every[test]] = fit(every[train], y).predict_proba(x[every[test]])[:, 1]
        labelled = [(sentence, of) for sentence, of in zip(sentences, units_of) if knows(sentence, category)]
        choice = None
        if helper is not None:
            # the classifier's share for this category: averaged only where the suggestions gain in CV
            mixed = (oof + helper[:, k]) / 2
            alone, both = (recall_sum(reviews(*zip(*labelled), p, category)) if labelled else 0.0
                           for p in (oof, mixed))
            blend[category] = 0.5 if both > alone else 0.0
            choice = {"weight": blend[category], "recall_sum_regression": round(alone, 3),
                      "recall_sum_average": round(both, 3)}
            if blend[category]:
                oof = mixed
        probs, truth, hit = oof[every], y[every].astype(bool), hits[every, k]
        t, precision, found, missed_by_rules = add_threshold(probs, truth, ~hit, options.min_precision)
        v, vetoed_wrong, vetoed_right = veto_threshold(probs, truth, hit, options.max_veto_loss)
        thresholds[category], veto[category] = t, v
        reviewed = reviews(*zip(*labelled), oof, category) if labelled else []
        points[category] = operating_points(reviewed)
        # a project's own decisions: what the rules alone and the model (default thresholds) get right there
        own = [(sentence, of) for sentence, of in labelled if sentence.source == PROJECT_SOURCE]
        project = None
        if own:
            own_reviews = reviews(*zip(*own), oof, category)
            project = {"rules": scores_at(own_reviews, 0.0, 1.0), "model": scores_at(own_reviews, v, t)}
        cv[category] = {"threshold": t, "veto": v, "positives": int(truth.sum()),
                        "added_precision": None if precision is None else round(float(precision), 3),
                        "added_found": found, "positives_without_rule": missed_by_rules,
                        "rule_hits": int(hit.sum()), "rule_hits_right": int((hit & truth).sum()),
                        "vetoed_wrong": vetoed_wrong, "vetoed_right": vetoed_right}
        if project is not None:
            cv[category]["project"] = project
        if choice is not None:
            cv[category]["classifier"] = choice
        model = fit(every, y)
        coef = model.coef_[0]
        term_w.append(coef[:len(terms)])
        vec_w.append(coef[len(terms):len(terms) + dims])
        enc_w.append(coef[len(terms) + dims:])
        intercepts.append(model.intercept_[0])
        if progress is not None:
            progress(fitted_from + k + 1, steps)
    trained_classifier = None
    if classifier is not None and any(blend.values()):
        trained_classifier = train_classifier(
            texts, y_all, CATEGORIES, vectors=package, known=known_all, options=classifier,
            progress=None if progress is None else lambda epoch, _: progress(steps - classifier.epochs + epoch, steps))
    if progress is not None:
        progress(steps, steps)
    training = {"sentences": len(sentences), "units": total, "sources": list(sources),
                "options": {"min_precision": options.min_precision, "max_veto_loss": options.max_veto_loss,
                            "folds": options.folds, "seed": options.seed, "c": options.c, "min_df": options.min_df},
                "cross_validation": cv}
    model = SentenceModel(name, terms, idf, numpy.array(term_w).T, numpy.array(vec_w).T,
                          numpy.array(intercepts), CATEGORIES, thresholds, veto,
                          f"{package} {model_version(package)}", training, operating_points=points,
                          classifier=trained_classifier, blend=blend if trained_classifier is not None else {},
                          encoder=block or {}, encoder_weights=numpy.array(enc_w).T if block else None)
    # what is saved is rounded: the model returned is the one a file would give back
    return SentenceModel.from_json(json.loads(json.dumps(model.to_json())))


DEFAULT_TRAINING_SETS = (("nlp_eval.jsonl", "dev"), ("nlp_train.jsonl", None))


def default_training_sets() -> list[tuple[Path, str | None]]:
    """The labelled sets the shipped model learns from: the dev half and the training sentences."""
    return [(DEFAULT_SET.with_name(name), split) for name, split in DEFAULT_TRAINING_SETS]


def train_from_sets(sets: Sequence[tuple[str | Path, str | None]] | None = None, *, codebook, model: str = "md",
                    name: str = "phrases", options: TrainingOptions = TrainingOptions(),
                    progress: Callable[[int, int], None] | None = None, extra: Sequence = (),
                    extra_source: dict | None = None, fillers: str | None = None,
                    classifier: ClassifierOptions | None = None, encoder: str | None = None,
                    embedding_cache: str | Path | None = None, encoder_threads: int = 2) -> SentenceModel:
    """Train on labelled JSONL sets (``(path, split)``: a split, or None for all but ``test``).

    Sentences of the ``test`` split are never learnt from: they are what
    ``exporterre eval`` reports. ``extra``: more labelled sentences (a
    project's segments, :func:`.learning.project_labels`), described in the
    model file by ``extra_source``; ``fillers``: a filler list of the
    project's (the oral marks training sees, as its analysis does); ``classifier``: also train the neural
    classifier (much slower: about 75 s per fold on two vCPUs); ``encoder``: an encoder's name (``e5``) for
    an encoder block (:mod:`.encoding`), its embeddings cached under ``embedding_cache`` when given.
    """
    from ..extract import Extractor
    from ..pipeline import PipelineSpec, load_pipeline, model_package
    sentences, sources = [], []
    for path, split in (sets or default_training_sets()):
        rows = [s for s in load_eval_set(path, split) if s.split != "test"]
        sentences += rows
        sources.append({"file": Path(path).name, "split": split or "all but test", "sentences": len(rows),
                        "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]})
    if extra:
        sentences += list(extra)
        sources.append({**(extra_source or {}), "sentences": len(extra)})
    block = None
    if encoder is not None and str(encoder).strip().lower() not in ("", "none"):
        from ..encoder import get_encoder
        block = get_encoder(encoder, threads=encoder_threads)
    nlp = load_pipeline(PipelineSpec(model_package(model), "full", fillers))
    # the rules as the shipped models were trained (before the contextual vetoes, issue 18: `make model` gives
    # the shipped files back); the vetoes apply at analysis, to the rules' findings and the model's additions
    return train_sentence_model(sentences, nlp, Extractor(codebook, nlp.vocab, contextual=False), name=name,
                                options=options,
                                sources=sources, progress=progress, classifier=classifier, encoder=block,
                                embedding_cache=embedding_cache)
