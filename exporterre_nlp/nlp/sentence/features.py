"""What the sentence model reads of a sentence: one batched feature path for training and inference.

The sentences of a batch of parsed segments (their parser's boundaries, each
segment's first token opening one), their kept words (punctuation, spaces and the
oral component's marks left out), and per sentence:

- its lower-cased lemma unigrams and bigrams (with repeats: term frequencies);
- the terms of the question its segment answers (:func:`context_terms`);
- the mean of the static word vectors of its content words, L2-normalised.

:func:`batch_features` computes them for many segments with a few array operations
(:class:`Features`); the model maps them to its own columns
(:meth:`~exporterre_nlp.nlp.sentence.model.SentenceModel.review_many`), training reads
them as strings (:meth:`Features.units`, :func:`sentence_units`). Both go through the
same code, so training and inference cannot disagree.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import numpy
from spacy.attrs import IDX, LEMMA, ORTH, SENT_START
from spacy.tokens import Doc

from ...categories import CATEGORIES
from ..oral import cached_strings

CONTEXT_PREFIX = "Q:"
_ATTRS = [LEMMA, ORTH, IDX, SENT_START]


@dataclass(frozen=True)
class SentenceUnit:
    """One sentence of a parsed segment, as the model sees it."""
    start: int                     # character offsets in the segment's text (first to last kept word)
    end: int
    terms: tuple[str, ...]         # lemma unigrams and bigrams (with repeats: term frequencies)
    vector: numpy.ndarray          # mean word vector of the content words, L2-normalised
    hits: tuple[int, ...]          # 1 per category (CATEGORIES order) where a rule finding overlaps (not a feature)


def oral_offsets(doc: Doc) -> set[int]:
    """Character offsets of the tokens the oral component marked (read from ``Doc.user_data``)."""
    return {key[2] for key, value in doc.user_data.items()
            if value is not None and isinstance(key, tuple) and len(key) == 4 and key[1] == "oral"}


@lru_cache(maxsize=4096)
def context_terms(question: str | None) -> tuple[str, ...]:
    """The terms a sentence gets from the question it answers (the interviewer's last turn, a form's
    question): its lower-cased words of three letters or more that are not stop words, once each,
    prefixed ``Q:``. Word forms, not lemmas: the question needs no parse (measured as good as lemmas,
    experiments/context_experiment.py)."""
    if not question:
        return ()
    from ..pipeline import blank_nlp
    words = {t.lower_ for t in blank_nlp().tokenizer(question) if t.is_alpha and len(t) > 2 and not t.is_stop}
    return tuple(CONTEXT_PREFIX + w for w in sorted(words))


def tfidf(terms: Iterable[str], columns: dict[str, int], idf: numpy.ndarray) -> tuple[list[int], numpy.ndarray]:
    """Sublinear TF × IDF of ``terms`` over the known ones, L2-normalised: (columns, values). The batched
    scoring (:meth:`~exporterre_nlp.nlp.sentence.model.SentenceModel.review_many`) computes the same."""
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


class FeatureLookup:
    """What the feature path knows of one vocabulary (and vector table), cached across batches: word form →
    (left out, vector row of a content word or -1, length); lemma → (lower-cased lemma id, unigram column,
    id as a word of the bigram columns, has a space). ``columns``: a model's term columns ({} in training,
    where the terms are read as strings)."""

    def __init__(self, vocab, strings: Callable[[int], str] | None, vectors, columns: dict[str, int]):
        self.vocab, self.vectors, self.columns = vocab, vectors, columns
        self.strings = strings or cached_strings(vocab)
        self.dim = vectors.shape[1] if vectors.size else 0
        self.lowered: list[str] = []                 # lower-cased lemma id → string
        self.lower_ids: dict[str, int] = {}
        self._lower: dict[int, str] = {}
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

    def lower(self, key: int) -> str:
        value = self._lower.get(key)
        if value is None:
            value = self._lower[key] = self.strings(key).lower()
        return value

    def _forms(self, keys: list[int]) -> list[tuple[bool, int, int]]:
        rows = self.vectors.find(keys=keys).tolist() if self.dim else [-1] * len(keys)
        out = []
        for orth, row in zip(keys, rows):
            lex = self.vocab[orth]
            out.append((bool(lex.is_punct or lex.is_space), -1 if lex.is_stop else int(row), len(lex.orth_)))
        return out

    def _lemmas(self, keys: list[int]) -> list[tuple[int, int, int, int]]:
        out = []
        for key in keys:
            text = self.lower(key)
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


_EMPTY = numpy.empty(0, dtype=numpy.int64)


@dataclass
class Features:
    """The sentence units of a batch of segments (one row per unit, segments in order) and their words."""
    lookup: FeatureLookup
    owner: numpy.ndarray          # (units,) the unit's item in the batch
    start: numpy.ndarray          # (units,) character offsets in its segment (first to last kept word)
    end: numpy.ndarray
    unit: numpy.ndarray           # (kept words,) the unit of each kept word, in order
    lemmas: numpy.ndarray         # (kept words, 4) the lemma rows of FeatureLookup.lemmas
    rows: numpy.ndarray           # (kept words,) vector row of each kept word (-1: none, or a stop word)
    same: numpy.ndarray           # (kept words - 1,) word i and i + 1 are in the same unit (a bigram)
    contexts: list[tuple[str, ...]]   # per item: the terms of the question it answers
    # (units,) the character span of each unit's whole parser sentence in its segment (its punctuation and
    # oral marks included, trailing spaces not): what an encoder reads of it (:meth:`sentence_texts`)
    sent_start: numpy.ndarray = field(default_factory=lambda: _EMPTY)
    sent_end: numpy.ndarray = field(default_factory=lambda: _EMPTY)

    def __len__(self) -> int:
        return len(self.owner)

    def bigram_columns(self) -> numpy.ndarray:
        """The lookup's column (or -1) of each bigram, in the order of ``same``'s true values."""
        return self.lookup.bigram_columns(self.lemmas[:-1][self.same], self.lemmas[1:][self.same])

    def bigram_units(self) -> numpy.ndarray:
        return self.unit[:-1][self.same]

    def means(self) -> numpy.ndarray:
        """(units, dims) float32: the mean word vector of each unit's content words, L2-normalised (zeros
        without any), computed as ``ndarray.mean`` then ``/ (norm + 1e-9)``."""
        dim, n_units = self.lookup.dim, len(self.owner)
        means = numpy.zeros((n_units, dim), dtype="float32")
        has = self.rows >= 0
        if not dim or not has.any():
            return means
        row_units = self.unit[has]
        present = numpy.flatnonzero(numpy.r_[True, row_units[1:] != row_units[:-1]])
        which = row_units[present]
        counts = numpy.diff(numpy.append(present, len(row_units)))
        # summed row after row like ndarray.mean (add.reduceat sums in another order); units by
        # decreasing count, so that the ones with a j-th row are a prefix
        order = numpy.argsort(-counts, kind="stable")
        counts, present, which = counts[order], present[order], which[order]
        table, rows = self.lookup.vectors.data, self.rows[has]
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
        return means

    def sentence_texts(self, texts: Sequence[str]) -> list[str]:
        """The text of each unit's parser sentence (``texts``: each item's segment text), stripped: what the
        sentence model's encoder block embeds (one text per unit, the same in training and analysis)."""
        return [texts[item][s:e].strip() for item, s, e in
                zip(self.owner.tolist(), self.sent_start.tolist(), self.sent_end.tolist())]

    def units(self, findings: Sequence[Sequence] | None = None) -> list[SentenceUnit]:
        """The units with their terms as strings (unigrams, bigrams, then the question's terms) and, per
        category, whether one of their item's ``findings`` (rule findings, offsets in its text) overlaps."""
        lowered = self.lookup.lowered
        words: list[list[str]] = [[] for _ in range(len(self.owner))]
        for u, lid in zip(self.unit.tolist(), self.lemmas[:, 0].tolist()):
            words[u].append(lowered[lid])
        means = self.means()
        out = []
        for i, (item, start, end) in enumerate(zip(self.owner.tolist(), self.start.tolist(), self.end.tolist())):
            lemmas = words[i]
            terms = tuple(lemmas) + tuple(f"{x} {y}" for x, y in zip(lemmas, lemmas[1:])) + self.contexts[item]
            spans = [(f.start, f.end, f.category) for f in (findings[item] if findings is not None else ())]
            hits = tuple(int(any(c == cat and s < end and start < e for s, e, c in spans)) for cat in CATEGORIES)
            out.append(SentenceUnit(start, end, terms, means[i], hits))
        return out


def batch_features(docs: Sequence[Doc], lookup: FeatureLookup,
                   contexts: Sequence[tuple[str, ...]] | None = None) -> Features:
    """The sentence units of ``docs`` (one vocabulary, that of ``lookup``) with their words; ``contexts``: per
    doc, the :func:`context_terms` of the question it answers. A sentence with no word kept is no unit."""
    contexts = list(contexts) if contexts is not None else [()] * len(docs)
    arrays = [doc.to_array(_ATTRS) for doc in docs]
    sizes = numpy.array([len(a) for a in arrays], dtype=numpy.int64)
    total = int(sizes.sum())
    empty = Features(lookup, _EMPTY, _EMPTY, _EMPTY, _EMPTY, numpy.empty((0, 4), dtype=numpy.int64), _EMPTY,
                     numpy.empty(0, dtype=bool), contexts)
    if not total:
        return empty
    table = numpy.concatenate(arrays)
    lemma, orth, idx, sent_start = table[:, 0], table[:, 1], table[:, 2].astype(numpy.int64), table[:, 3]
    owner = numpy.repeat(numpy.arange(len(docs), dtype=numpy.int64), sizes)
    form = lookup.forms.get(orth)
    kept = form[:, 0] == 0
    oral = [(k << 32) | offset for k, doc in enumerate(docs) for offset in oral_offsets(doc)]
    if oral:                                       # (item, offset) keys are in token order: sorted
        where = (owner << 32) | idx
        oral = numpy.array(sorted(oral), dtype=numpy.int64)
        at = numpy.minimum(numpy.searchsorted(where, oral), total - 1)
        kept[at[where[at] == oral]] = False
    # a sentence starts at SENT_START == 1 and at each segment's first token; units are its kept tokens
    first = numpy.zeros(total, dtype=bool)
    first[numpy.cumsum(sizes)[:-1][sizes[1:] > 0]] = True
    first[0] = True
    every_sentence = numpy.cumsum(first | (sent_start == 1))
    sentence = every_sentence[kept]
    if not len(sentence):
        return empty
    # each sentence's span over all its tokens (punctuation, spaces and oral marks included)
    begins = numpy.flatnonzero(numpy.r_[True, every_sentence[1:] != every_sentence[:-1]])
    ends = numpy.append(begins[1:], total) - 1
    span_start = idx[begins]
    span_end = idx[ends] + form[ends, 2]
    new_unit = numpy.empty(len(sentence), dtype=bool)
    new_unit[0] = True
    numpy.not_equal(sentence[1:], sentence[:-1], out=new_unit[1:])
    unit = numpy.cumsum(new_unit) - 1                     # unit of each kept token
    heads = numpy.flatnonzero(new_unit)
    tails = numpy.append(heads[1:], len(unit)) - 1
    k_idx = idx[kept]
    k_form = form[kept]
    which = sentence[heads] - 1                          # sentence ids count from 1
    return Features(lookup, owner[kept][heads], k_idx[heads], k_idx[tails] + k_form[tails, 2], unit,
                    lookup.lemmas.get(lemma[kept]), k_form[:, 1], unit[1:] == unit[:-1], contexts,
                    span_start[which], span_end[which])


_LAST: list[FeatureLookup] = []


def _training_lookup(vocab, strings, vectors) -> FeatureLookup:
    """A lookup without model columns for ``vocab`` (the last one kept: training parses with one pipeline)."""
    last = _LAST[0] if _LAST else None
    if last is None or last.vocab is not vocab or last.vectors is not vectors or (
            strings is not None and strings is not last.strings):
        last = FeatureLookup(vocab, strings, vectors, {})
        _LAST[:] = [last]
    return last


def sentence_units(doc: Doc, findings: Sequence = (), *, strings: Callable[[int], str] | None = None,
                   vectors=None, context: Sequence[str] = ()) -> list[SentenceUnit]:
    """The sentences of ``doc`` (its parser's boundaries) with their features, terms as strings.

    ``findings`` are the rules' findings in the same segment (offsets in its text);
    ``context``: the :func:`context_terms` of the question the segment answers, added to every unit.
    ``vectors`` (spaCy ``Vectors``) default to the doc's vocabulary's; a model
    passes its own, since a doc read from the parse cache has none.
    A sentence with no word left (only punctuation or fillers) is skipped.
    """
    if len(doc) == 0:
        return []
    lookup = _training_lookup(doc.vocab, strings, vectors if vectors is not None else doc.vocab.vectors)
    return batch_features([doc], lookup, [tuple(context)]).units([findings])
