"""The sentence model beside the rules (inference, load, save): which sentences express a need, a concern…

The codebook's rules say *what* (the object, the sub-code, the words to cite)
but only where a pattern holds on to a cue word; on unseen text they find about
four needs or concerns in ten (docs/nlp.md). The sentence model is a logistic
regression per category, trained on hand-labelled real sentences, that scores
each sentence of a segment from:

- its lemma unigrams and bigrams (TF-IDF, sublinear, L2-normalised), oral
  tokens (fillers, repetitions, marks) and punctuation left out;
- the mean of the model's static word vectors over its content words.

A model may also carry a small neural classifier (:mod:`.sentence_classifier`,
the ``builtin-cnn`` model, session 7): for the categories where cross-validation
found it better (:attr:`SentenceModel.blend`), the probability is then the mean of
the regression's and the classifier's, and the thresholds were chosen on that mean.

A model may also carry an encoder block (:mod:`.encoding`, the ``builtin-e5``
model, issue 18): the embeddings of each unit's sentence and of its question by a
contextual encoder (e5) are more columns of the same regression; the file names the
encoder and its version, and inference embeds through :attr:`SentenceModel.embedder`
(``analyse``: the project's embedding cache).

It reviews the rules' findings of each segment (:meth:`SentenceModel.review`):

- **adds**: a sentence whose probability for a category reaches that category's
  ``add`` threshold, and where no rule found that category, becomes one more
  suggestion, origin ``model:<name>``, spanning the sentence (offsets in the
  stored text, like every finding);
- **vetoes**: a rule finding (gazetteer places excepted) whose sentences all
  score below the category's ``veto`` threshold is dropped.

Both thresholds are chosen at training time by cross-validation: additions
keep a stated precision, vetoes lose at most a stated share of the rule
findings that were right.

The model is a plain JSON file (gzip): vocabulary, IDF, weights, thresholds and
how it was trained; no pickle, nothing executable. ``exporterre train-model``
writes one; the one shipped with Exporterre (``data/sentence_model.json.gz``)
is trained on the dev half of the evaluation set and the training sentences,
never on the test half. Inference needs numpy only; training needs
scikit-learn (installed with BERTopic). Features: :mod:`.features`; training: :mod:`.training`.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy
from spacy.tokens import Doc

from ...categories import CATEGORIES
from ...errors import ExporterreError
from ...i18n import tr
from ..extract import GAZETTEER_RULE, Extraction
from ..oral import cached_strings
from ..pipeline import package_vectors
from ..sentence_classifier import SentenceClassifier, classifier_text
from ..vetoes import vetoed
from .encoding import ENCODER_INPUTS, model_encoder, unit_embeddings
from .features import Features, FeatureLookup, SentenceUnit, batch_features, context_terms, tfidf

FORMAT = "exporterre-sentence-model/1"
MODEL_ORIGIN = "model:"          # the origin of a model suggestion: MODEL_ORIGIN + the model's name
BUILTIN = "builtin"
BUILTIN_PATH = Path(__file__).resolve().parents[2] / "data" / "sentence_model.json.gz"
# the same regression with the neural classifier (sentence_classifier.py): better suggestions, slower analysis
BUILTIN_CLASSIFIER = "builtin-cnn"
BUILTIN_CLASSIFIER_PATH = BUILTIN_PATH.with_name("sentence_model_cnn.json.gz")
# the same regression with e5 embeddings of each sentence and of its question (docs/nlp.md, "Encoders")
BUILTIN_E5 = "builtin-e5"
BUILTIN_E5_PATH = BUILTIN_PATH.with_name("sentence_model_e5.json.gz")
_DECIMALS = 6


# rows per matrix product: OpenBLAS runs a product of m·n·k ≥ 4·65536 on every core, and its threads spin
# (twice the CPU time for the same result, measured on two vCPUs); 128 × 300 × 5 stays on one
_GEMM_ROWS = 128


@dataclass
class _Batch:
    """The sentence units of a batch of segments, as arrays (one row per unit, segments in order)."""
    owner: numpy.ndarray          # the unit's item in the batch
    start: numpy.ndarray          # character offsets in its segment (like SentenceUnit)
    end: numpy.ndarray
    probs: numpy.ndarray          # (units, categories)


# -- the model ----------------------------------------------------------------------
@dataclass
class SentenceModel:
    """A trained sentence model (see the module's docstring)."""
    name: str
    terms: list[str]
    idf: numpy.ndarray                        # (terms,)
    term_weights: numpy.ndarray               # (terms, categories)
    vector_weights: numpy.ndarray             # (dims, categories)
    intercepts: numpy.ndarray                 # (categories,)
    categories: tuple[str, ...]
    thresholds: dict[str, float]              # add a sentence the rules missed from this probability
    veto: dict[str, float]                    # drop a rule finding whose sentences all score below this
    vectors: str                              # the spaCy model whose word vectors it was trained with
    training: dict = field(default_factory=dict)
    fingerprint: str = ""
    # per category, thresholds that reached a precision target in cross-validation (see at_precision)
    operating_points: dict[str, list[dict]] = field(default_factory=dict)
    target_precision: float | None = None     # the target this model's thresholds were taken for (None: default)
    classifier: SentenceClassifier | None = None  # averaged with the regression when present
    blend: dict[str, float] = field(default_factory=dict)   # the classifier's weight per category (0: unused)
    # the encoder block (builtin-e5): {"name", "version", "dimension", "inputs"} of the encoder whose embeddings
    # of each unit's sentence (and of the question its segment answers) are features too; {}: none
    encoder: dict = field(default_factory=dict)
    encoder_weights: numpy.ndarray | None = None   # (len(inputs) × dimension, categories)
    # texts → embeddings (rows L2-normalised) for the encoder block; None: the encoder itself, uncached
    # (analyse gives one reading and filling the project's embedding cache, embedding_cache.cached_embedder)
    embedder: Callable[[list[str]], numpy.ndarray] | None = field(default=None, repr=False, compare=False)
    _columns: dict[str, int] = field(default_factory=dict, repr=False)
    _strings: tuple | None = field(default=None, repr=False)      # (vocab, lookup) of the last vocab seen
    _column: dict[str, int] = field(default_factory=dict, repr=False)
    _add_from: numpy.ndarray | None = field(default=None, repr=False)
    _batch: FeatureLookup | None = field(default=None, repr=False)
    _term_weights_t: numpy.ndarray | None = field(default=None, repr=False)
    _blend: numpy.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        weights = [float(self.blend.get(c, 0.0)) if self.classifier is not None else 0.0 for c in self.categories]
        if any(not 0.0 <= w < 1.0 for w in weights):
            raise ValueError(f"classifier weights {weights} outside [0, 1)")
        self._blend = numpy.array(weights)
        self._columns = {t: i for i, t in enumerate(self.terms)}
        self._column = {c: k for k, c in enumerate(self.categories)}
        self._add_from = numpy.array([self.thresholds[c] for c in self.categories])
        self._term_weights_t = numpy.ascontiguousarray(self.term_weights.T)
        if self.encoder:
            inputs = len(self.encoder.get("inputs", ENCODER_INPUTS))
            if self.encoder_weights is None or self.encoder_weights.shape != (
                    inputs * int(self.encoder["dimension"]), len(self.categories)):
                raise ValueError("the encoder block's weights do not match its dimension")

    @property
    def origin(self) -> str:
        return MODEL_ORIGIN + self.name

    def at_precision(self, target: float | None) -> tuple["SentenceModel", list[str]]:
        """This model with the thresholds of each category's operating point for ``target``, and the
        categories that reached no such precision in cross-validation.

        ``target`` is the precision wanted from each category's suggestions (rules
        kept + sentences added), e.g. 0.8. For each category the stored point of
        the smallest target at or above it is used: its veto and add thresholds
        gave the highest recall at that precision in cross-validation. Where no
        stored point reaches ``target``, the most precise one is used and the
        category is returned. ``None``: the default thresholds, unchanged.
        """
        if target is None:
            return self, []
        if not isinstance(target, (int, float)) or isinstance(target, bool) or not 0 < target < 1:
            raise ExporterreError(
                tr(f"Précision visée invalide : {target!r}.", f"Invalid target precision: {target!r}."),
                tr("Donnez un nombre entre 0 et 1 (par ex. 0.8) à extraction.target_precision dans settings.yaml, "
                   "ou null pour les seuils par défaut.",
                   "Give a number between 0 and 1 (e.g. 0.8) to extraction.target_precision in settings.yaml, "
                   "or null for the default thresholds."))
        if not self.operating_points:
            raise ExporterreError(
                tr(f"Le modèle de phrases {self.name} n'a pas de points de fonctionnement (fichier trop ancien).",
                   f"The sentence model {self.name} has no operating points (file too old)."),
                tr("Réentraînez-le avec « exporterre train-model », ou mettez extraction.target_precision à null.",
                   "Train it again with 'exporterre train-model', or set extraction.target_precision to null."))
        thresholds, veto, missed = dict(self.thresholds), dict(self.veto), []
        for category in self.categories:
            points = sorted(self.operating_points.get(category, ()), key=lambda p: p["target"])
            if not points:
                missed.append(category)
                continue
            point = next((p for p in points if p["target"] >= target - 1e-9), None)
            if point is None:
                point = points[-1]
                missed.append(category)
            thresholds[category], veto[category] = point["add"], point["veto"]
        tuned = replace(self, thresholds=thresholds, veto=veto, target_precision=float(target))
        return tuned, missed

    def term_weight(self, category: str, lemma: str) -> float:
        """How much one occurrence of ``lemma`` in a sentence weighs for ``category`` (its weight × IDF;
        0 for a lemma or category the model does not know): which word of a sentence the model
        relies on most, used to give its suggestions an object."""
        column, k = self._columns.get(lemma), self._column.get(category)
        if column is None or k is None:
            return 0.0
        return float(self.term_weights[column, k] * self.idf[column])

    def probabilities(self, units: Sequence[SentenceUnit], texts: Sequence[str] | None = None, *,
                      encoded: numpy.ndarray | None = None) -> numpy.ndarray:
        """P(category | sentence): one row per unit, one column per category of :attr:`categories`.

        With a classifier, ``texts`` (each unit's :func:`classifier_text`) are required: per category,
        ``(1 − w) × regression + w × classifier`` with ``w`` its :attr:`blend` weight. With an encoder block,
        ``encoded`` (:func:`.encoding.unit_embeddings` of the units) is required."""
        regression = self._regression(units, encoded)
        if not self._blend.any():
            return regression
        if texts is None or len(texts) != len(units):
            raise ValueError("a model with a classifier needs each unit's text")
        return (1 - self._blend) * regression + self._blend * self._classifier_scores(texts)

    def _classifier_scores(self, texts: Sequence[str]) -> numpy.ndarray:
        """The classifier's probabilities in this model's category order."""
        scores = self.classifier.scores(texts)
        order = [self.classifier.labels.index(c) for c in self.categories]
        return scores[:, order]

    def _regression(self, units: Sequence[SentenceUnit], encoded: numpy.ndarray | None = None) -> numpy.ndarray:
        z = numpy.tile(self.intercepts, (len(units), 1))
        if not len(units):
            return z
        if self.encoder_weights is not None:
            if encoded is None or len(encoded) != len(units):
                raise ValueError("a model with an encoder block needs each unit's embeddings")
            z += encoded @ self.encoder_weights
        # the TF-IDF of each unit as training computed it, then one gather of weights for all
        cols: list[int] = []
        values: list[float] = []
        owners: list[int] = []
        for i, unit in enumerate(units):
            unit_cols, unit_values = tfidf(unit.terms, self._columns, self.idf)
            cols.extend(unit_cols)
            values.extend(unit_values.tolist())
            owners.extend([i] * len(unit_cols))
        if cols:
            contributions = self.term_weights[cols] * numpy.array(values)[:, None]
            if len(units) == 1:
                z[0] += contributions.sum(axis=0)
            else:
                for k in range(z.shape[1]):
                    z[:, k] += numpy.bincount(owners, weights=contributions[:, k], minlength=len(units))
        if units[0].vector.shape[0] == self.vector_weights.shape[0]:
            z += numpy.array([u.vector for u in units]) @ self.vector_weights
        return 1.0 / (1.0 + numpy.exp(-z))

    def review(self, doc: Doc, findings: Sequence[Extraction], codes: dict[str, str], *,
               strings: Callable[[int], str] | None = None,
               context: str | None = None) -> tuple[list[Extraction], list[Extraction], int]:
        """The rules' ``findings`` in ``doc`` reviewed: ``(kept, added, vetoed)``.

        ``kept``: the findings not vetoed; ``added``: sentences the model finds
        for a category that no rule found there (``codes`` maps a category to
        the code they get; categories without one are not added); ``vetoed``:
        how many findings were dropped. ``context``: the question the segment
        answers, if known. :meth:`review_many` does the same for many segments at
        once (much faster).
        """
        return self.review_many([(doc, findings)], codes, strings=strings, contexts=[context])[0]

    def review_many(self, items: Sequence[tuple[Doc, Sequence[Extraction]]], codes: dict[str, str], *,
                    strings: Callable[[int], str] | None = None, contexts: Sequence[str | None] | None = None
                    ) -> list[tuple[list[Extraction], list[Extraction], int]]:
        """:meth:`review` of each ``(doc, findings)`` pair, computed for the whole batch at once.

        Same sentences, features and probabilities as :func:`sentence_units` and
        :meth:`probabilities` segment by segment; a few hundred segments per call
        make the numpy calls worth it (one segment is a sentence or two).
        """
        out: list[tuple[list[Extraction], list[Extraction], int]] = []
        start = 0
        while start < len(items):                      # runs of docs sharing a vocabulary
            vocab = items[start][0].vocab
            stop = start + 1
            while stop < len(items) and items[stop][0].vocab is vocab:
                stop += 1
            run = items[start:stop]
            asked = None if contexts is None else contexts[start:stop]
            batch = self._units_many(run, strings, asked)
            if self._blend.any():
                batch = self._with_classifier(run, batch, asked)
            out.extend(self._decide(run, batch, codes))
            start = stop
        return out

    def _lookup_for(self, vocab, strings: Callable[[int], str] | None) -> FeatureLookup:
        vectors = package_vectors(self.vectors.split()[0])
        if strings is None:
            if self._strings is None or self._strings[0] is not vocab:
                self._strings = (vocab, cached_strings(vocab))
            strings = self._strings[1]
        last = self._batch
        if last is None or last.vocab is not vocab or last.vectors is not vectors or last.strings is not strings:
            last = self._batch = FeatureLookup(vocab, strings, vectors, self._columns)
        return last

    def _units_many(self, items, strings, contexts: Sequence[str | None] | None = None) -> _Batch:
        """The sentence units of every segment of ``items`` (one vocabulary) and their probabilities;
        ``contexts``: the question each segment answers (or None)."""
        lookup = self._lookup_for(items[0][0].vocab, strings)
        asked = [context_terms(c) for c in contexts] if contexts is not None else None
        features = batch_features([doc for doc, _ in items], lookup, asked)
        encoded = None
        if self.encoder_weights is not None and len(features):
            texts = features.sentence_texts([doc.text for doc, _ in items])
            questions = [contexts[item] if contexts is not None else None for item in features.owner.tolist()]
            encoded = unit_embeddings(self.embed, texts, questions, int(self.encoder["dimension"]))
        return _Batch(features.owner, features.start, features.end, self._score(features, encoded))

    def embed(self, texts: list[str]) -> numpy.ndarray:
        """The encoder block's embeddings of ``texts`` (through :attr:`embedder`, or the encoder uncached)."""
        if self.embedder is None:
            self.embedder = model_encoder(self).embed
        return self.embedder(texts)

    def _score(self, features: Features, encoded: numpy.ndarray | None = None) -> numpy.ndarray:
        """P(category | unit) of each unit of ``features`` (read with this model's lookup); ``encoded``: the
        units' :func:`.encoding.unit_embeddings` (a model with an encoder block)."""
        n_units, n_cat = len(features), len(self.categories)
        z = numpy.tile(self.intercepts, (n_units, 1))
        if not n_units:
            return z
        if self.encoder_weights is not None:
            for at in range(0, n_units, _GEMM_ROWS):
                z[at:at + _GEMM_ROWS] += encoded[at:at + _GEMM_ROWS] @ self.encoder_weights
        # terms: lower-cased lemma unigrams and bigrams (within a unit), the question's terms → columns
        term_units = numpy.concatenate([features.unit, features.bigram_units()])
        term_cols = numpy.concatenate([features.lemmas[:, 1], features.bigram_columns()])
        if any(features.contexts):                     # the question's terms, on every unit of its segment
            columns = self._columns
            asked = [[columns[t] for t in terms if t in columns] for terms in features.contexts]
            extra = [(u, col) for u, item in enumerate(features.owner.tolist()) for col in asked[item]]
            if extra:
                more = numpy.array(extra, dtype=numpy.int64)
                term_units = numpy.concatenate([term_units, more[:, 0]])
                term_cols = numpy.concatenate([term_cols, more[:, 1]])
        known = term_cols >= 0
        if known.any():
            n_terms = len(self.terms)
            keys, counts = numpy.unique(term_units[known] * n_terms + term_cols[known], return_counts=True)
            owner_of, cols = keys // n_terms, keys % n_terms
            weighted = numpy.where(counts > 1, 1.0 + numpy.log(counts), 1.0) * self.idf[cols]
            norms = numpy.sqrt(numpy.bincount(owner_of, weights=weighted * weighted, minlength=n_units))
            norms[norms == 0] = 1.0
            values = weighted / norms[owner_of]
            for k in range(n_cat):
                z[:, k] += numpy.bincount(owner_of, weights=self._term_weights_t[k].take(cols) * values,
                                          minlength=n_units)
        if features.lookup.dim and features.lookup.dim == self.vector_weights.shape[0]:
            means = features.means()
            for at in range(0, n_units, _GEMM_ROWS):
                z[at:at + _GEMM_ROWS] += means[at:at + _GEMM_ROWS] @ self.vector_weights
        return 1.0 / (1.0 + numpy.exp(-z))

    def _with_classifier(self, items, batch: _Batch, contexts: Sequence[str | None] | None) -> _Batch:
        """``batch`` with the regression's and the classifier's probabilities averaged (weights
        :attr:`blend`), the classifier called only on the units where it can change a decision (it reads
        text ~5 times faster than spaCy parses it: on every sentence it would cost a fifth of the parse).

        With ``p = (1 − w) r + w c`` and ``c`` in [0, 1], a unit whose regression probability ``r`` is below
        ``(add − w) / (1 − w)`` cannot reach the add threshold, and a rule finding overlapping a unit where
        ``r ≥ veto / (1 − w)`` is kept whatever the classifier says. Other units get the lower bound
        ``(1 − w) r``, which leads to the same decisions as the exact average: vetoes and additions are
        those of calling the classifier on every unit (a test checks it on real sentences)."""
        regression = batch.probs
        if not len(regression):
            return batch
        w = self._blend
        used = w > 0
        keep = 1 - w
        need = ((regression >= (self._add_from - w) / keep) & used).any(axis=1)
        bounds = numpy.searchsorted(batch.owner, numpy.arange(len(items) + 1)).tolist()
        starts, ends = batch.start.tolist(), batch.end.tolist()
        for n, (_, findings) in enumerate(items):
            for f in findings:
                k = self._column.get(f.category)
                if k is None or not used[k] or f.rule_id == GAZETTEER_RULE:
                    continue
                inside = [i for i in range(bounds[n], bounds[n + 1]) if starts[i] < f.end and f.start < ends[i]]
                if inside and max(regression[i, k] for i in inside) < self.veto[f.category] / keep[k]:
                    need[inside] = True
        probs = regression * keep
        chosen = numpy.flatnonzero(need)
        if len(chosen):
            texts = []
            for i in chosen.tolist():
                n = int(batch.owner[i])
                doc = items[n][0]
                words = doc.char_span(starts[i], ends[i])           # Doc.text would walk every token
                texts.append(classifier_text(words.text if words is not None else doc.text[starts[i]:ends[i]],
                                             contexts[n] if contexts is not None else None))
            probs[chosen] = regression[chosen] * keep + self._classifier_scores(texts) * w
        return replace(batch, probs=probs)

    def _decide(self, items, batch: _Batch, codes: dict[str, str]
                ) -> list[tuple[list[Extraction], list[Extraction], int]]:
        """Vetoes and additions of each item, from its units' probabilities (as :meth:`review` did)."""
        bounds = numpy.searchsorted(batch.owner, numpy.arange(len(items) + 1)).tolist()
        starts, ends, probs = batch.start.tolist(), batch.end.tolist(), batch.probs.tolist()
        candidates: dict[int, list[tuple[int, int]]] = {}          # item → (unit, category), in unit order
        rows, cols = numpy.nonzero(batch.probs >= self._add_from)
        for n, i, k in zip(batch.owner[rows].tolist(), rows.tolist(), cols.tolist()):
            candidates.setdefault(n, []).append((i, k))
        out = []
        origin, column, veto, categories = self.origin, self._column, self.veto, self.categories
        for n, (doc, findings) in enumerate(items):
            if not findings and n not in candidates:
                out.append(([], [], 0))
                continue
            lo, hi = bounds[n], bounds[n + 1]
            kept = []
            for f in findings:
                k = column.get(f.category)
                if k is not None and f.rule_id != GAZETTEER_RULE:
                    inside = [probs[i][k] for i in range(lo, hi) if starts[i] < f.end and f.start < ends[i]]
                    if inside and max(inside) < veto[f.category]:
                        continue
                kept.append(f)
            added = []
            for i, k in candidates.get(n, ()):
                category = categories[k]
                code = codes.get(category)
                start, end = starts[i], ends[i]
                if code is None or any(f.category == category and f.start < end and start < f.end for f in findings):
                    continue                      # a rule already says it, with its object and sub-code
                words = doc.char_span(start, end)           # Doc.text would walk every token
                added.append(Extraction(origin, category, code, start, end,
                                        words.text if words is not None else doc.text[start:end],
                                        None, (), False, round(probs[i][k], 3)))
            if added:                                 # the contextual vetoes hold for the model too
                added = [a for a, reason in zip(added, vetoed(doc, added)) if not reason]
            out.append((kept, added, len(findings) - len(kept)))
        return out

    # -- file -------------------------------------------------------------------------
    def to_json(self) -> dict:
        r = lambda a: [round(float(x), _DECIMALS) for x in a]   # noqa: E731
        return {"format": FORMAT, "name": self.name, "categories": list(self.categories),
                "thresholds": {c: round(float(t), 4) for c, t in self.thresholds.items()},
                "veto": {c: round(float(t), 4) for c, t in self.veto.items()},
                "vectors": self.vectors, "training": self.training, "terms": self.terms, "idf": r(self.idf),
                "operating_points": self.operating_points,
                **({"classifier": self.classifier.to_json(),
                    "blend": {c: float(self.blend.get(c, 0.0)) for c in self.categories}}
                   if self.classifier is not None else {}),
                **({"encoder": self.encoder} if self.encoder else {}),
                "weights": {c: {"intercept": round(float(self.intercepts[k]), _DECIMALS),
                                "terms": r(self.term_weights[:, k]), "vector": r(self.vector_weights[:, k]),
                                **({"encoder": r(self.encoder_weights[:, k])} if self.encoder else {})}
                            for k, c in enumerate(self.categories)}}

    def save(self, path: str | Path) -> Path:
        """Write the model (gzip JSON, byte-identical for the same model); returns the path.

        Atomic: a failure or a kill while writing leaves the previous model file whole (a project's
        analysis reads it)."""
        from ...outputs import atomic_path
        path = Path(path)
        blob = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
                gz.write(blob)
        return path

    @classmethod
    def from_json(cls, data: dict, *, fingerprint: str = "") -> "SentenceModel":
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT!r}")
        cats = tuple(data["categories"])
        unknown = [c for c in cats if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {unknown}")
        weights = data["weights"]
        column = lambda key: numpy.array([weights[c][key] for c in cats], dtype=float).T   # noqa: E731
        terms = list(data["terms"])
        model = cls(str(data["name"]), terms, numpy.array(data["idf"], dtype=float), column("terms"),
                    column("vector"), numpy.array([weights[c]["intercept"] for c in cats]), cats,
                    {c: float(data["thresholds"][c]) for c in cats}, {c: float(data["veto"][c]) for c in cats},
                    str(data.get("vectors", "")), dict(data.get("training") or {}), fingerprint,
                    {c: [{k: float(v) for k, v in p.items()} for p in points]
                     for c, points in (data.get("operating_points") or {}).items() if c in cats},
                    classifier=SentenceClassifier.from_json(data["classifier"]) if data.get("classifier") else None,
                    blend={c: float(w) for c, w in (data.get("blend") or {}).items() if c in cats},
                    encoder=dict(data.get("encoder") or {}),
                    encoder_weights=column("encoder") if data.get("encoder") else None)
        if model.term_weights.shape[0] != len(terms) or model.idf.shape[0] != len(terms):
            raise ValueError("weights do not match the vocabulary")
        return model


_LOADED: dict[tuple, SentenceModel] = {}


def load_sentence_model(path: str | Path) -> SentenceModel:
    """Read a model file (cached while the file is unchanged); a clear error names the file when it cannot
    be used."""
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in _LOADED:
            return _LOADED[key]
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        model = SentenceModel.from_json(data, fingerprint=hashlib.sha256(raw).hexdigest()[:16])
        if model.classifier is not None:
            model.classifier._pipeline()          # its weights read now: a damaged file is named here
        if model.encoder:
            model_encoder(model, path)            # an encoder missing or of another version is named here
        _LOADED[key] = model
        return model
    except OSError as exc:
        problem = exc.strerror or str(exc)
    except (ValueError, KeyError, TypeError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        problem = str(exc) or type(exc).__name__
    raise ExporterreError(
        tr(f"Modèle de phrases inutilisable : {path} ({problem}).", f"Unusable sentence model: {path} ({problem})."),
        tr("Réentraînez-le avec « exporterre train-model », ou mettez extraction.sentence_model à « builtin » "
           "(le modèle fourni) ou à « none » dans settings.yaml.",
           "Train it again with 'exporterre train-model', or set extraction.sentence_model to 'builtin' "
           "(the bundled model) or 'none' in settings.yaml."))


def resolve_model_path(value: str | None, base: str | Path | None = None) -> Path | None:
    """``extraction.sentence_model`` → the file to read (None: no sentence model)."""
    if value is None or str(value).strip().lower() in ("", "none", "aucun", "off", "false"):
        return None
    if value == BUILTIN:
        return BUILTIN_PATH
    if value == BUILTIN_CLASSIFIER:
        return BUILTIN_CLASSIFIER_PATH
    if value == BUILTIN_E5:
        return BUILTIN_E5_PATH
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else Path(base) / path


def category_codes(codebook) -> dict[str, str]:
    """The code a model suggestion of each category gets: the root of that category's rule codes."""
    roots: dict[str, Counter] = {}
    for rule in codebook.rules:
        if rule.code in codebook:
            chain = codebook.ancestors(rule.code)
            root = chain[-1].key if chain else rule.code
            roots.setdefault(rule.category, Counter())[root] += 1
    return {c: counts.most_common(1)[0][0] for c, counts in roots.items()}
