"""A sentence model beside the rules: which sentences express a need, a concern…

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
scikit-learn (installed with BERTopic).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy
from spacy.attrs import IDX, LEMMA, ORTH, SENT_START
from spacy.tokens import Doc

from ..errors import ExporterreError
from ..i18n import tr
from .analyse import MODEL_ORIGIN
from .extract import GAZETTEER_RULE, Extraction
from .oral import cached_strings
from .sentence_classifier import (ClassifierOptions, SentenceClassifier, classifier_text, out_of_fold,
                                  train_classifier)

FORMAT = "exporterre-sentence-model/1"
BUILTIN = "builtin"
BUILTIN_PATH = Path(__file__).resolve().parents[1] / "data" / "sentence_model.json.gz"
# the same regression with the neural classifier (sentence_classifier.py): better suggestions, slower analysis
BUILTIN_CLASSIFIER = "builtin-cnn"
BUILTIN_CLASSIFIER_PATH = BUILTIN_PATH.with_name("sentence_model_cnn.json.gz")
CATEGORIES = ("besoin", "preoccupation", "competence", "ressource", "lieu")
_DECIMALS = 6


# -- features -----------------------------------------------------------------------
@dataclass(frozen=True)
class SentenceUnit:
    """One sentence of a parsed segment, as the model sees it."""
    start: int                     # character offsets in the segment's text (first to last kept word)
    end: int
    terms: tuple[str, ...]         # lemma unigrams and bigrams (with repeats: term frequencies)
    vector: numpy.ndarray          # mean word vector of the content words, L2-normalised
    hits: tuple[int, ...]          # 1 per category (CATEGORIES order) where a rule finding overlaps (not a feature)


def _oral_offsets(doc: Doc) -> set[int]:
    """Character offsets of the tokens the oral component marked (read from ``Doc.user_data``)."""
    return {key[2] for key, value in doc.user_data.items()
            if value is not None and isinstance(key, tuple) and len(key) == 4 and key[1] == "oral"}


CONTEXT_PREFIX = "Q:"


@lru_cache(maxsize=4096)
def context_terms(question: str | None) -> tuple[str, ...]:
    """The terms a sentence gets from the question it answers (the interviewer's last turn, a form's
    question): its lower-cased words of three letters or more that are not stop words, once each,
    prefixed ``Q:``. Word forms, not lemmas: the question needs no parse (measured as good as lemmas,
    benchmarks/data/context_experiment.py)."""
    if not question:
        return ()
    from .pipeline import blank_nlp
    words = {t.lower_ for t in blank_nlp().tokenizer(question) if t.is_alpha and len(t) > 2 and not t.is_stop}
    return tuple(CONTEXT_PREFIX + w for w in sorted(words))


def sentence_units(doc: Doc, findings: Sequence[Extraction] = (), *, strings: Callable[[int], str] | None = None,
                   vectors=None, context: Sequence[str] = ()) -> list[SentenceUnit]:
    """The sentences of ``doc`` (its parser's boundaries) with their features.

    ``findings`` are the rules' findings in the same segment (offsets in its text);
    ``context``: the :func:`context_terms` of the question the segment answers, added to every unit.
    ``vectors`` (spaCy ``Vectors``) default to the doc's vocabulary's; a model
    passes its own, since a doc read from the parse cache has none.
    A sentence with no word left (only punctuation or fillers) is skipped.
    Read from one attribute array (no ``Token`` or ``Span`` is created); most
    segments are a sentence or two, so plain Python beats many small numpy calls.
    """
    if len(doc) == 0:
        return []
    lookup = _Lookup.of(doc.vocab, strings, vectors if vectors is not None else doc.vocab.vectors)
    oral = _oral_offsets(doc)
    spans = [(f.start, f.end, f.category) for f in findings]
    out: list[SentenceUnit] = []
    lemmas: list[str] = []
    rows: list[int] = []
    first = last = None

    def close() -> None:
        if lemmas:
            start, end = first, last
            terms = tuple(lemmas) + tuple(f"{x} {y}" for x, y in zip(lemmas, lemmas[1:])) + tuple(context)
            out.append(SentenceUnit(start, end, terms, lookup.mean(rows),
                                    tuple(int(any(c == cat and s < end and start < e for s, e, c in spans))
                                          for cat in CATEGORIES)))

    form = lookup.form
    for lemma, orth, idx, sent_start in doc.to_array(_ATTRS).tolist():
        if sent_start == 1 and lemmas:
            close()
            lemmas, rows = [], []
        skip, row, length = form(orth)
        if skip or idx in oral:
            continue
        if not lemmas:
            first = idx
        last = idx + length
        lemmas.append(lookup.lower(lemma))
        if row >= 0:
            rows.append(row)
    close()
    return out


_ATTRS = [LEMMA, ORTH, IDX, SENT_START]


class _Lookup:
    """Per-vocabulary caches: lower-cased lemma strings and vector rows, by hash."""
    _last: "_Lookup | None" = None

    def __init__(self, vocab, strings: Callable[[int], str] | None, vectors):
        self.vocab = vocab
        self.strings = strings or cached_strings(vocab)
        self.vectors = vectors
        self.dim = self.vectors.shape[1] if self.vectors.size else 0
        self._lower: dict[int, str] = {}
        self._form: dict[int, tuple[bool, int, int]] = {}

    @classmethod
    def of(cls, vocab, strings, vectors) -> "_Lookup":
        last = cls._last
        if last is None or last.vocab is not vocab or last.vectors is not vectors or (
                strings is not None and strings is not last.strings):
            last = cls._last = cls(vocab, strings, vectors)
        return last

    def lower(self, key: int) -> str:
        value = self._lower.get(key)
        if value is None:
            value = self._lower[key] = self.strings(key).lower()
        return value

    def form(self, orth: int) -> tuple[bool, int, int]:
        """(left out: punctuation or space, vector row of a content word or -1, length) of a word form."""
        value = self._form.get(orth)
        if value is None:
            lex = self.vocab[orth]
            row = int(self.vectors.find(key=orth)) if self.dim and not lex.is_stop else -1
            value = self._form[orth] = (bool(lex.is_punct or lex.is_space), row, len(lex.orth_))
        return value

    def mean(self, rows: list[int]) -> numpy.ndarray:
        if not rows:
            return numpy.zeros(self.dim, dtype="float32")
        vector = self.vectors.data[rows].mean(axis=0)
        return vector / (numpy.linalg.norm(vector) + 1e-9)


def _tfidf(terms: Iterable[str], columns: dict[str, int], idf: numpy.ndarray) -> tuple[list[int], numpy.ndarray]:
    """Sublinear TF × IDF over the known terms, L2-normalised: (columns, values)."""
    counts = Counter(t for t in terms if t in columns)
    if not counts:
        return [], numpy.zeros(0)
    cols = [columns[t] for t in counts]
    values = numpy.array([1.0 + math.log(n) for n in counts.values()]) * idf[cols]
    return cols, values / (numpy.linalg.norm(values) or 1.0)


class _Table:
    """A growing map from uint64 keys to rows of int64 values, as a numpy hash table (open addressing,
    linear probing, at most half full): a batch of keys is looked up with a few array operations; only the
    keys never seen before reach ``compute`` (Python)."""
    _MULTIPLIER = numpy.uint64(0x9E3779B97F4A7C15)        # Fibonacci hashing: the top bits of key × φ·2⁶⁴

    def __init__(self, width: int, compute: Callable[[list[int]], list], bits: int = 12):
        self.width, self.compute, self.count = width, compute, 0
        self._allocate(bits)

    def _allocate(self, bits: int) -> None:
        self.bits = bits
        self.keys = numpy.zeros(1 << bits, dtype=numpy.uint64)
        self.full = numpy.zeros(1 << bits, dtype=bool)
        self.values = numpy.zeros((1 << bits, self.width), dtype=numpy.int64)

    def _slots(self, keys: numpy.ndarray) -> numpy.ndarray:
        """The slot of each key: the one holding it, or the empty slot where it would go."""
        mask = (1 << self.bits) - 1
        slot = ((keys * self._MULTIPLIER) >> numpy.uint64(64 - self.bits)).astype(numpy.int64)
        out = numpy.empty(len(keys), dtype=numpy.int64)
        todo = numpy.arange(len(keys))
        while len(todo):
            done = ~self.full[slot] | (self.keys[slot] == keys)
            out[todo[done]] = slot[done]
            if done.all():
                break
            rest = ~done
            todo, keys, slot = todo[rest], keys[rest], (slot[rest] + 1) & mask
        return out

    def _insert(self, keys: numpy.ndarray, values: numpy.ndarray) -> None:
        """Add keys that are not in the table (distinct)."""
        while len(keys):
            slot = self._slots(keys)
            _, first = numpy.unique(slot, return_index=True)          # one key per free slot at a time
            self.keys[slot[first]], self.full[slot[first]], self.values[slot[first]] = keys[first], True, \
                values[first]
            rest = numpy.ones(len(keys), dtype=bool)
            rest[first] = False
            keys, values = keys[rest], values[rest]

    def get(self, keys: numpy.ndarray) -> numpy.ndarray:
        slot = self._slots(keys)
        missing = ~self.full[slot]
        if missing.any():
            new = numpy.unique(keys[missing])
            values = numpy.array(self.compute(new.tolist()), dtype=numpy.int64).reshape(len(new), self.width)
            if 2 * (self.count + len(new)) > len(self.keys):
                old_keys, old_values = self.keys[self.full], self.values[self.full]
                bits = self.bits
                while 2 * (self.count + len(new)) > (1 << bits):
                    bits += 1
                self._allocate(bits)
                self._insert(old_keys, old_values)
            self._insert(new, values)
            self.count += len(new)
            slot = self._slots(keys)
        return self.values[slot]


class _BatchLookup:
    """What :meth:`SentenceModel.review_many` knows of one vocabulary (and vector table), cached across
    batches: word form → (left out, vector row, length); lemma → (lower-cased lemma id, unigram column, id as
    a word of the model's bigrams, has a space). The same answers as :class:`_Lookup` and the model's term
    columns, so that the features are those of :func:`sentence_units`."""

    def __init__(self, vocab, strings: Callable[[int], str], vectors, columns: dict[str, int]):
        self.vocab, self.strings, self.vectors = vocab, strings, vectors
        self.single = _Lookup(vocab, strings, vectors)
        self.dim = self.single.dim
        self.columns = columns
        self.lowered: list[str] = []                 # lower-cased lemma id → string
        self.lower_ids: dict[str, int] = {}
        self.forms = _Table(3, self._forms)
        self.lemmas = _Table(4, self._lemmas)
        # the bigram "x y" of two lemmas without a space is the model's term "a b" iff (x, y) == (a, b)
        self.words: dict[str, int] = {}
        pairs = []
        for term, col in columns.items():
            parts = term.split(" ")
            if len(parts) == 2:
                a, b = (self.words.setdefault(w, len(self.words)) for w in parts)
                pairs.append(((a << 32) | b, col))
        pairs.sort()
        self.pair_keys = numpy.array([k for k, _ in pairs], dtype=numpy.int64)
        self.pair_cols = numpy.array([c for _, c in pairs], dtype=numpy.int64)

    def _forms(self, keys: list[int]) -> list[tuple[bool, int, int]]:
        """:meth:`_Lookup.form` of each key, the vector rows found at once."""
        rows = self.vectors.find(keys=keys).tolist() if self.dim else [-1] * len(keys)
        out = []
        for orth, row in zip(keys, rows):
            lex = self.vocab[orth]
            out.append((bool(lex.is_punct or lex.is_space), -1 if lex.is_stop else int(row), len(lex.orth_)))
        return out

    def _lemmas(self, keys: list[int]) -> list[tuple[int, int, int, int]]:
        out = []
        for key in keys:
            text = self.single.lower(key)
            lid = self.lower_ids.get(text)
            if lid is None:
                lid = self.lower_ids[text] = len(self.lowered)
                self.lowered.append(text)
            out.append((lid, self.columns.get(text, -1), self.words.get(text, -1), int(" " in text)))
        return out

    def bigram_columns(self, left: numpy.ndarray, right: numpy.ndarray) -> numpy.ndarray:
        """The model's column (or -1) of each bigram, from the two lemmas' rows of :attr:`lemmas`."""
        out = numpy.full(len(left), -1, dtype=numpy.int64)
        both = numpy.flatnonzero((left[:, 2] >= 0) & (right[:, 2] >= 0))
        if len(both) and len(self.pair_keys):
            keys = (left[both, 2] << 32) | right[both, 2]
            at = numpy.minimum(numpy.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            out[both] = numpy.where(self.pair_keys[at] == keys, self.pair_cols[at], -1)
        for i in numpy.flatnonzero(left[:, 3] | right[:, 3]).tolist():          # a lemma with a space
            out[i] = self.columns.get(f"{self.lowered[left[i, 0]]} {self.lowered[right[i, 0]]}", -1)
        return out


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
    _columns: dict[str, int] = field(default_factory=dict, repr=False)
    _strings: tuple | None = field(default=None, repr=False)      # (vocab, lookup) of the last vocab seen
    _column: dict[str, int] = field(default_factory=dict, repr=False)
    _add_from: numpy.ndarray | None = field(default=None, repr=False)
    _batch: _BatchLookup | None = field(default=None, repr=False)
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

    def probabilities(self, units: Sequence[SentenceUnit], texts: Sequence[str] | None = None) -> numpy.ndarray:
        """P(category | sentence): one row per unit, one column per category of :attr:`categories`.

        With a classifier, ``texts`` (each unit's :func:`classifier_text`) are required: per category,
        ``(1 − w) × regression + w × classifier`` with ``w`` its :attr:`blend` weight."""
        regression = self._regression(units)
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

    def _regression(self, units: Sequence[SentenceUnit]) -> numpy.ndarray:
        z = numpy.tile(self.intercepts, (len(units), 1))
        if not len(units):
            return z
        # the TF-IDF of each unit as training computed it, then one gather of weights for all
        cols: list[int] = []
        values: list[float] = []
        owners: list[int] = []
        for i, unit in enumerate(units):
            unit_cols, unit_values = _tfidf(unit.terms, self._columns, self.idf)
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

    def _lookup_for(self, vocab, strings: Callable[[int], str] | None) -> _BatchLookup:
        vectors = package_vectors(self.vectors.split()[0])
        if strings is None:
            if self._strings is None or self._strings[0] is not vocab:
                self._strings = (vocab, cached_strings(vocab))
            strings = self._strings[1]
        last = self._batch
        if last is None or last.vocab is not vocab or last.vectors is not vectors or last.strings is not strings:
            last = self._batch = _BatchLookup(vocab, strings, vectors, self._columns)
        return last

    def _units_many(self, items, strings, contexts: Sequence[str | None] | None = None) -> _Batch:
        """The sentence units of every segment of ``items`` (one vocabulary) and their probabilities;
        ``contexts``: the question each segment answers (or None)."""
        lookup = self._lookup_for(items[0][0].vocab, strings)
        n_cat = len(self.categories)
        arrays = [doc.to_array(_ATTRS) for doc, _ in items]
        sizes = numpy.array([len(a) for a in arrays], dtype=numpy.int64)
        total = int(sizes.sum())
        if not total:
            empty = numpy.empty(0, dtype=numpy.int64)
            return _Batch(empty, empty, empty, numpy.empty((0, n_cat)))
        table = numpy.concatenate(arrays)
        lemma, orth, idx, sent_start = table[:, 0], table[:, 1], table[:, 2].astype(numpy.int64), table[:, 3]
        owner = numpy.repeat(numpy.arange(len(items), dtype=numpy.int64), sizes)
        form = lookup.forms.get(orth)
        kept = form[:, 0] == 0
        oral = [(k << 32) | offset for k, (doc, _) in enumerate(items) for offset in _oral_offsets(doc)]
        if oral:                                       # (item, offset) keys are in token order: sorted
            where = (owner << 32) | idx
            oral = numpy.array(oral, dtype=numpy.int64)
            at = numpy.minimum(numpy.searchsorted(where, oral), total - 1)
            kept[at[where[at] == oral]] = False
        # a sentence starts at SENT_START == 1 and at each segment's first token; units are its kept tokens
        first = numpy.zeros(total, dtype=bool)
        first[numpy.cumsum(sizes)[:-1][sizes[1:] > 0]] = True
        first[0] = True
        sentence = numpy.cumsum(first | (sent_start == 1))[kept]
        if not len(sentence):
            empty = numpy.empty(0, dtype=numpy.int64)
            return _Batch(empty, empty, empty, numpy.empty((0, n_cat)))
        new_unit = numpy.empty(len(sentence), dtype=bool)
        new_unit[0] = True
        numpy.not_equal(sentence[1:], sentence[:-1], out=new_unit[1:])
        unit = numpy.cumsum(new_unit) - 1                     # unit of each kept token
        n_units = int(unit[-1]) + 1
        heads = numpy.flatnonzero(new_unit)
        tails = numpy.append(heads[1:], len(unit)) - 1
        k_idx = idx[kept]
        k_form = form[kept]
        starts = k_idx[heads]
        ends = k_idx[tails] + k_form[tails, 2]
        owners = owner[kept][heads]
        # terms: lower-cased lemma unigrams and bigrams (within a unit) → columns of the model
        lemmas = lookup.lemmas.get(lemma[kept])
        same = unit[1:] == unit[:-1]
        pair_cols = lookup.bigram_columns(lemmas[:-1][same], lemmas[1:][same])
        term_units = numpy.concatenate([unit, unit[:-1][same]])
        term_cols = numpy.concatenate([lemmas[:, 1], pair_cols])
        if contexts is not None and any(contexts):       # the question's terms, on every unit of its segment
            columns = self._columns
            asked = [[columns[t] for t in context_terms(c) if t in columns] for c in contexts]
            extra = [(u, col) for u, item in enumerate(owners.tolist()) for col in asked[item]]
            if extra:
                more = numpy.array(extra, dtype=numpy.int64)
                term_units = numpy.concatenate([term_units, more[:, 0]])
                term_cols = numpy.concatenate([term_cols, more[:, 1]])
        known = term_cols >= 0
        z = numpy.tile(self.intercepts, (n_units, 1))
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
        if lookup.dim and lookup.dim == self.vector_weights.shape[0]:
            rows = k_form[:, 1]
            has = rows >= 0
            means = numpy.zeros((n_units, lookup.dim), dtype="float32")
            if has.any():
                row_units = unit[has]
                present = numpy.flatnonzero(numpy.r_[True, row_units[1:] != row_units[:-1]])
                which = row_units[present]
                counts = numpy.diff(numpy.append(present, len(row_units)))
                # summed row after row like ndarray.mean (add.reduceat sums in another order); units by
                # decreasing count, so that the ones with a j-th row are a prefix
                order = numpy.argsort(-counts, kind="stable")
                counts, present, which = counts[order], present[order], which[order]
                table, rows = lookup.vectors.data, rows[has]
                sums = table.take(rows[present], axis=0)
                longer = len(counts)
                for j in range(1, int(counts[0])):
                    while counts[longer - 1] <= j:
                        longer -= 1
                    sums[:longer] += table.take(rows[present[:longer] + j], axis=0)
                # as ndarray.mean (a sum divided by an intp count) then / (norm + 1e-9) (norm: BLAS dot)
                numpy.true_divide(sums, counts.astype(numpy.intp)[:, None], out=sums, casting="unsafe")
                norms = numpy.sqrt(numpy.vecdot(sums, sums))
                means[which] = sums / (norms + numpy.float32(1e-9))[:, None]
            for at in range(0, n_units, _GEMM_ROWS):
                z[at:at + _GEMM_ROWS] += means[at:at + _GEMM_ROWS] @ self.vector_weights
        return _Batch(owners, starts, ends, 1.0 / (1.0 + numpy.exp(-z)))

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
                "weights": {c: {"intercept": round(float(self.intercepts[k]), _DECIMALS),
                                "terms": r(self.term_weights[:, k]), "vector": r(self.vector_weights[:, k])}
                            for k, c in enumerate(self.categories)}}

    def save(self, path: str | Path) -> Path:
        """Write the model (gzip JSON, byte-identical for the same model); returns the path."""
        path = Path(path)
        blob = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
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
                    blend={c: float(w) for c, w in (data.get("blend") or {}).items() if c in cats})
        if model.term_weights.shape[0] != len(terms) or model.idf.shape[0] != len(terms):
            raise ValueError("weights do not match the vocabulary")
        return model


_VECTORS: dict[str, object] = {}
_VECTORS_LOCK = threading.Lock()


def package_vectors(package: str):
    """The static word vectors of an installed spaCy model package, read once (without the pipeline).

    A sentence model always scores with the vectors it was trained with,
    whatever pipeline parsed the text (``sm`` has none; docs read from the
    parse cache have none).
    """
    from .pipeline import loaded_vectors
    with _VECTORS_LOCK:
        found = _VECTORS.get(package) or loaded_vectors(package)    # a loaded pipeline's: same files
        if found is None:
            import spacy.util
            from spacy.vectors import Vectors
            try:
                root = spacy.util.get_package_path(package)
                data = next(p / "vocab" for p in sorted(root.iterdir()) if (p / "vocab" / "vectors.cfg").exists())
                found = _VECTORS[package] = Vectors().from_disk(data)
            except (ImportError, OSError, StopIteration, ValueError) as exc:
                raise ExporterreError(
                    tr(f"Les vecteurs de mots de {package} sont introuvables ({type(exc).__name__}) : le modèle de "
                       "phrases en a besoin.", f"The word vectors of {package} cannot be found "
                       f"({type(exc).__name__}): the sentence model needs them."),
                    tr(f"Installez {package} (make install), ou mettez extraction.sentence_model à « none » dans "
                       "settings.yaml.", f"Install {package} (make install), or set extraction.sentence_model to "
                       "'none' in settings.yaml.")) from None
        return found


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


# -- training -----------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingOptions:
    """How a sentence model is trained (stored in the model file)."""
    min_precision: float = 0.60     # precision, in cross-validation, of the sentences the model adds
    max_veto_loss: float = 0.03     # share of the right rule findings a veto may drop, in cross-validation
    folds: int = 5
    seed: int = 0
    c: float = 2.0                  # inverse regularisation of the logistic regressions
    min_df: int = 2                 # a term must occur in this many training sentences


def _matrix(units: Sequence[SentenceUnit], columns: dict[str, int], idf: numpy.ndarray):
    from scipy.sparse import csr_matrix, hstack
    data, indices, indptr = [], [], [0]
    for unit in units:
        cols, values = _tfidf(unit.terms, columns, idf)
        order = numpy.argsort(cols) if cols else []
        indices.extend(int(cols[i]) for i in order)
        data.extend(float(values[i]) for i in order)
        indptr.append(len(indices))
    terms = csr_matrix((data, indices, indptr), shape=(len(units), len(columns)))
    return hstack([terms, csr_matrix(numpy.array([u.vector for u in units]))]).tocsr()


def _threshold(probs: numpy.ndarray, gold: numpy.ndarray, added: numpy.ndarray, min_precision: float):
    """Lowest threshold at which the sentences the model would add reach ``min_precision``."""
    for t in numpy.round(numpy.arange(0.30, 0.991, 0.01), 2):
        picked = added & (probs >= t)
        n = int(picked.sum())
        if n >= 5 and (picked & gold).sum() / n >= min_precision:
            return float(t), (picked & gold).sum() / n, int((picked & gold).sum()), int((added & gold).sum())
    return 1.0, None, 0, int((added & gold).sum())


def _veto_threshold(probs: numpy.ndarray, gold: numpy.ndarray, hit: numpy.ndarray, max_loss: float):
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
class _Review:
    """What the review of one training sentence depends on, for one category (see _operating_points)."""
    findings: list[tuple[float, frozenset[int]]]     # rule findings in order: (veto score, labels overlapped)
    units: list[tuple[float, frozenset[int]]]        # sentences no rule found: (probability, labels overlapped)
    labels: int


def _reviews(sentences, units_of, probs: numpy.ndarray, category: str) -> list[_Review]:
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
            out.append(_Review(items, free, len(labels)))
    return out


def _suggested(review: _Review, veto: float, add: float) -> tuple[int, int]:
    """Suggestions in one reviewed sentence at these thresholds, and how many are right (matched to the
    labels one-to-one, in order, as ``exporterre eval`` matches them)."""
    suggested = [over for score, over in review.findings if score >= veto]
    if add < 1.0:
        suggested += [over for score, over in review.units if score >= add]
    used: set[int] = set()
    for over in suggested:
        hit = next((g for g in over if g not in used), None)
        if hit is not None:
            used.add(hit)
    return len(suggested), len(used)


def _scores_at(reviews: Sequence[_Review], veto: float, add: float) -> dict:
    """Precision and recall of the suggestions of these reviewed sentences at one pair of thresholds."""
    counts = [_suggested(r, veto, add) for r in reviews]
    n, right, labels = sum(c[0] for c in counts), sum(c[1] for c in counts), sum(r.labels for r in reviews)
    return {"labels": labels, "suggested": n, "precision": round(right / n, 3) if n else None,
            "recall": round(right / labels, 3) if labels else None}


def _operating_points(reviews: Sequence[_Review], targets: Sequence[float] = PRECISION_TARGETS,
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
                found, found_right = _suggested(r, v, a)
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


def _recall_sum(reviews: Sequence[_Review]) -> float:
    """The recall reached at each precision target (0 where none is reached), summed: how one scoring's
    suggestions compare with another's over the operating points."""
    return sum(p["recall"] for p in _operating_points(reviews))


def _knows(sentence, category: str) -> bool:
    """Is ``sentence`` labelled for ``category`` (``EvalSentence.known``; None: for every category)?"""
    known = getattr(sentence, "known", None)
    return known is None or category in known


def train_sentence_model(sentences, nlp, extractor, *, name: str, options: TrainingOptions = TrainingOptions(),
                         sources: Sequence[dict] = (), progress: Callable[[int, int], None] | None = None,
                         classifier: ClassifierOptions | None = None) -> SentenceModel:
    """Train a model on labelled sentences (``EvalSentence``-like: ``text`` and ``labels``).

    Each sentence is parsed and cut into the parser's sentences like a segment
    at analysis time; a unit is positive for a category when one of its labels
    overlaps it. ``sources`` (file names and digests) are recorded in the model.
    ``classifier``: also train the neural classifier (:mod:`.sentence_classifier`),
    out of fold to choose the thresholds on the mean of both, then on every unit.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from .pipeline import model_version
    units: list[SentenceUnit] = []
    gold: list[list[int]] = []
    strings = cached_strings(nlp.vocab)
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
    units_of: list[tuple] = []           # per sentence: its units (first, last + 1), rule findings, unit spans
    texts: list[str] = []                # per unit: what the classifier reads
    known: list[list[bool]] = []          # per unit and category: its label is known (EvalSentence.known)
    for n, (sentence, doc) in enumerate(zip(sentences, nlp.pipe([s.text for s in sentences], batch_size=64)), 1):
        findings = extractor(doc)
        mine = sentence_units(doc, findings, strings=strings, context=context_terms(getattr(sentence, "context", None)))
        units_of.append((len(units), len(units) + len(mine), findings, [(u.start, u.end) for u in mine]))
        complete = [_knows(sentence, c) for c in CATEGORIES]
        for unit in mine:
            units.append(unit)
            texts.append(classifier_text(sentence.text[unit.start:unit.end], getattr(sentence, "context", None)))
            known.append(complete)
            gold.append([int(any(g.category == c and g.start < unit.end and unit.start < g.end
                                 for g in sentence.labels)) for c in CATEGORIES])
        if progress is not None:
            progress(n, steps)
    if not units:
        raise ExporterreError(tr("Aucune phrase pour entraîner le modèle.", "No sentence to train the model on."),
                              tr("Donnez un jeu étiqueté non vide (--set).", "Give a non-empty labelled set (--set)."))
    df = Counter(t for u in units for t in set(u.terms))
    terms = sorted(t for t, n in df.items() if n >= options.min_df)
    columns = {t: i for i, t in enumerate(terms)}
    total = len(units)
    idf = numpy.array([math.log((1 + total) / (1 + df[t])) + 1.0 for t in terms])
    x = _matrix(units, columns, idf)
    y_all = numpy.array(gold)
    hits = numpy.array([u.hits for u in units], dtype=bool)
    dims = units[0].vector.shape[0]
    term_w, vec_w, intercepts, thresholds, veto, cv, points = [], [], [], {}, {}, {}, {}

    def fit(rows, y):
        return LogisticRegression(C=options.c, class_weight="balanced", max_iter=5000).fit(x[rows], y[rows])

    known_all = numpy.array(known, dtype=bool)
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
        labelled = [(sentence, of) for sentence, of in zip(sentences, units_of) if _knows(sentence, category)]
        choice = None
        if helper is not None:
            # the classifier's share for this category: averaged only where the suggestions gain in CV
            mixed = (oof + helper[:, k]) / 2
            alone, both = (_recall_sum(_reviews(*zip(*labelled), p, category)) if labelled else 0.0
                           for p in (oof, mixed))
            blend[category] = 0.5 if both > alone else 0.0
            choice = {"weight": blend[category], "recall_sum_regression": round(alone, 3),
                      "recall_sum_average": round(both, 3)}
            if blend[category]:
                oof = mixed
        probs, truth, hit = oof[every], y[every].astype(bool), hits[every, k]
        t, precision, found, missed_by_rules = _threshold(probs, truth, ~hit, options.min_precision)
        v, vetoed_wrong, vetoed_right = _veto_threshold(probs, truth, hit, options.max_veto_loss)
        thresholds[category], veto[category] = t, v
        reviews = _reviews(*zip(*labelled), oof, category) if labelled else []
        points[category] = _operating_points(reviews)
        # a project's own decisions: what the rules alone and the model (default thresholds) get right there
        own = [(sentence, of) for sentence, of in labelled if sentence.source == PROJECT_SOURCE]
        project = None
        if own:
            own_reviews = _reviews(*zip(*own), oof, category)
            project = {"rules": _scores_at(own_reviews, 0.0, 1.0), "model": _scores_at(own_reviews, v, t)}
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
                          classifier=trained_classifier, blend=blend if trained_classifier is not None else {})
    # what is saved is rounded: the model returned is the one a file would give back
    return SentenceModel.from_json(json.loads(json.dumps(model.to_json())))


DEFAULT_TRAINING_SETS = (("nlp_eval.jsonl", "dev"), ("nlp_train.jsonl", None))


def default_training_sets() -> list[tuple[Path, str | None]]:
    """The labelled sets the shipped model learns from: the dev half and the training sentences."""
    from .evaluate import DEFAULT_SET
    return [(DEFAULT_SET.with_name(name), split) for name, split in DEFAULT_TRAINING_SETS]


def train_from_sets(sets: Sequence[tuple[str | Path, str | None]] | None = None, *, codebook, model: str = "md",
                    name: str = "phrases", options: TrainingOptions = TrainingOptions(),
                    progress: Callable[[int, int], None] | None = None, extra: Sequence = (),
                    extra_source: dict | None = None, fillers: str | None = None,
                    classifier: ClassifierOptions | None = None) -> SentenceModel:
    """Train on labelled JSONL sets (``(path, split)``: a split, or None for all but ``test``).

    Sentences of the ``test`` split are never learnt from: they are what
    ``exporterre eval`` reports. ``extra``: more labelled sentences (a
    project's segments, :func:`.learning.project_labels`), described in the
    model file by ``extra_source``; ``fillers``: a filler list of the
    project's (the oral marks training sees, as its analysis does); ``classifier``: also train the neural
    classifier (much slower: about 75 s per fold on two vCPUs).
    """
    from .evaluate import load_eval_set
    from .extract import Extractor
    from .pipeline import PipelineSpec, load_pipeline, model_package
    sentences, sources = [], []
    for path, split in (sets or default_training_sets()):
        rows = [s for s in load_eval_set(path, split) if s.split != "test"]
        sentences += rows
        sources.append({"file": Path(path).name, "split": split or "all but test", "sentences": len(rows),
                        "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]})
    if extra:
        sentences += list(extra)
        sources.append({**(extra_source or {}), "sentences": len(extra)})
    nlp = load_pipeline(PipelineSpec(model_package(model), "full", fillers))
    return train_sentence_model(sentences, nlp, Extractor(codebook, nlp.vocab), name=name, options=options,
                                sources=sources, progress=progress, classifier=classifier)
