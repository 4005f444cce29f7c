"""Anchors: the words a rule cannot match without, to skip rules cheaply.

A spaCy Matcher costs time per token *and per pattern*: every pattern is tried
at every token, and the Python predicates of its first token (``IN``,
``NOT_IN``, ``REGEX``) are called there. With ninety rules most of that time
is spent trying patterns that cannot match the segment at hand.

Each alternative of a rule gets an :class:`Anchor`, read from one required
token of its pattern:

- a *content word* (``{LOWER: besoin}``, ``{LEMMA: {IN: [gare, place…]}}``):
  the hashes of the words, one of which must occur;
- else a ``LOWER`` regular expression (``^(inqui[eèé]t|angoiss)``), one of the
  segment's lower-cased words must match;
- else a *function word* (``y``, ``pas``, ``être``): weaker, but most segments
  of a spoken corpus still lack some of them;
- a token on entities gives ``ENT:<label>``.

The anchor also records how many tokens a match can reach before and after the
anchor token (unbounded after a ``*`` or ``+``). Each rule has a matcher of its
own, called only when one of its anchors occurs, and only on the *windows*
around the anchor's occurrences (:func:`windows`): every match of the rule lies
whole in one window, and whatever is found in a window is a match in the whole
segment, so skipping never changes a result (a test runs every rule both ways
on real sentences). Rules with an alternative that has no anchor at all share
one matcher run on every segment.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy

from spacy.attrs import HEAD, LEMMA, LOWER, NORM, ORTH
from spacy.matcher import DependencyMatcher
from spacy.lang.fr.stop_words import STOP_WORDS
from spacy.strings import get_string_id, hash_string
from spacy.tokens import Doc

_WORD_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")
# Too frequent to be worth a content anchor: spaCy's stop words and the commonest verbs' lemmas.
_COMMON = STOP_WORDS | {"avoir", "être", "faire", "aller", "dire", "voir", "savoir", "pouvoir", "vouloir", "mettre",
                        "venir", "falloir", "prendre", "donner", "parler", "trouver", "passer", "y", "a"}
_CONTENT, _REGEX, _WEAK, _WEAK_REGEX = 0, 1, 2, 3
# A regex is a strong anchor when it fixes the start of the word on three letters or more
# ("^(inqui[eèé]t|angoiss)"); an ending ("(er|ir)$") matches too many words.
_STRONG_REGEX = re.compile(r"\^\(?(?:\?:)?[^\W\d_]{3}")


@dataclass(frozen=True)
class Anchor:
    """What one pattern cannot match without, and how far a match reaches around it."""
    words: frozenset[int] = frozenset()     # hashes of forms / lemmas / "ENT:<label>"
    regexes: tuple[str, ...] = ()           # or: a lower-cased word matching one of these
    before: int | None = None               # tokens a match can hold before the anchor token
    after: int | None = None                # … and after it (None: unbounded)
    strength: int = _CONTENT                # 0 content word, 1 regex, 2 function word, 3 weak regex
    attr: str = "LOWER"                     # the token attribute the words are compared with (or ENT)


def _max_len(spec: dict) -> int | None:
    """The most tokens one pattern token can consume (None: unbounded)."""
    op = spec.get("OP")
    if op in (None, "1", "!", "?"):
        return 1
    if op in ("*", "+"):
        return None
    m = re.fullmatch(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}", str(op))
    if not m:
        return None
    low, comma, high = m.groups()
    if not comma:
        return int(low or 0)
    return int(high) if high else None


def _required(spec: dict) -> bool:
    op = spec.get("OP")
    return op is None or op in ("+", "1") or (isinstance(op, str) and op.startswith("{") and not op.startswith(
        ("{0", "{,")))


def _values(spec: dict) -> tuple[tuple, list[str], int, str] | None:
    """The best anchor of one token spec: (sort key, words or regexes, strength, attribute)."""
    options = []
    for attr in _WORD_ATTRS:
        value = spec.get(attr)
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, dict) and isinstance(value.get("IN"), list) and set(value) <= {"IN", "NOT_IN"}:
            words = [str(w) for w in value["IN"]]
        else:
            continue
        options.append(("ORTH" if attr == "TEXT" else attr, words))  # exactly what the Matcher compares
    ent = spec.get("ENT_TYPE")
    if isinstance(ent, str):
        options.append(("ENT", [f"ENT:{ent}"]))
    best = None
    for attr, words in options:
        cost = sum(1 for w in words if w.lower() in _COMMON or len(w) <= 2)
        strength = _CONTENT if cost == 0 else _WEAK
        key = (strength, cost, len(words))
        if best is None or key < best[0]:
            best = (key, words, strength, attr)
    regex = spec.get("LOWER")
    if isinstance(regex, dict) and set(regex) == {"REGEX"} and isinstance(regex["REGEX"], str):
        strength = _REGEX if _STRONG_REGEX.match(regex["REGEX"]) else _WEAK_REGEX
        key = (strength, 0, 1)
        if best is None or key < best[0]:
            best = (key, [regex["REGEX"]], strength, "REGEX")
    return best


def pattern_anchor(pattern: list[dict], dependency: bool = False) -> Anchor | None:
    """The anchor of one pattern (its ``strength`` says how selective), or None."""
    best = None
    for index, spec in enumerate(pattern):
        attrs = spec.get("RIGHT_ATTRS", {}) if dependency else spec
        if not isinstance(attrs, dict) or (not dependency and not _required(spec)):
            continue
        found = _values(attrs)
        if found is not None and (best is None or found[0] < best[0]):
            best = (found[0], found[1], found[2], index, found[3])
    if best is None:
        return None
    _, values, strength, index, attr = best
    before = after = None
    if not dependency:                       # a dependency match is a tree: its reach is the segment
        lengths = [_max_len(spec) for spec in pattern]
        reach = lengths[index]
        extra = None if reach is None else reach - 1      # "{2,3}" anchor: any of its tokens may be the one seen
        head, tail = lengths[:index], lengths[index + 1:]
        if extra is not None and None not in head:
            before = sum(head) + extra
        if extra is not None and None not in tail:
            after = sum(tail) + extra
    if strength in (_REGEX, _WEAK_REGEX):
        return Anchor(regexes=tuple(values), before=before, after=after, strength=strength, attr="LOWER")
    return Anchor(word_ids(values), (), before, after, strength, attr)


def word_ids(words: list[str]) -> frozenset[int]:
    """The ids a Doc's attribute arrays hold for these words: get_string_id, not hash_string — spaCy's
    reserved words ("agent", "aux"…) have a symbol id, not a hash."""
    return frozenset(get_string_id(w) for w in words)


def pattern_requirements(pattern: list[dict], dependency: bool = False) -> tuple[frozenset[int] | str, ...]:
    """What a segment must hold for one pattern to match it: for each required token with
    words (or a word-start regex), the hashes of its words (or the regex), as in
    :func:`pattern_anchor`. The anchor is one of them; a segment lacking any is skipped."""
    out: list[frozenset[int] | str] = []
    for spec in pattern:
        attrs = spec.get("RIGHT_ATTRS", {}) if dependency else spec
        if not isinstance(attrs, dict) or (not dependency and not _required(spec)):
            continue
        found = _values(attrs)
        if found is None:
            continue
        _, values, strength, _ = found
        if strength in (_REGEX, _WEAK_REGEX):
            out.append(values[0])
        else:
            out.append(word_ids(values))
    return tuple(dict.fromkeys(out))


def rule_anchors(patterns: list[list[dict]], dependency: bool = False) -> tuple[Anchor, ...] | None:
    """One anchor per alternative of a rule; None when one alternative has none."""
    out = []
    for pattern in patterns:
        anchor = pattern_anchor(pattern, dependency)
        if anchor is None:
            return None
        out.append(anchor)
    return tuple(out)


_COLUMNS = {"ORTH": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "NORM": NORM}


class DocIndex:
    """Which words a segment holds, and where (built on demand, shared by every rule).

    ``regexes`` are the anchors' compiled regexes; ``cache`` remembers, across segments,
    which of them each word (by its ORTH hash) matches lower-cased: a corpus repeats its
    words, each is tried once. ``columns`` are the attributes anchors compare words with."""

    def __init__(self, doc: Doc, regexes: dict[str, re.Pattern] | None = None,
                 cache: dict[int, frozenset[str]] | None = None, columns=("ORTH", "LOWER", "LEMMA", "NORM")):
        self.doc = doc
        self.keys = doc_keys(doc)
        self._regexes = regexes or {}
        self._cache = cache if cache is not None else {}
        self._columns = [_COLUMNS[c] for c in columns if c in _COLUMNS]
        self._ents = "ENT" in columns
        self._positions: dict[int, list[int]] | None = None
        self._orth_positions: dict[int, list[int]] | None = None
        self._matching: dict[int, frozenset[str]] | None = None
        self._roots: list[int] | None = None
        self.rules: dict | None = None            # the extractor's rules that can match here (extract.py)

    @staticmethod
    def _index(values: list[int], width: int) -> dict[int, list[int]]:
        """Token positions of each value of a flattened (tokens × width) attribute array."""
        out: dict[int, list[int]] = {}
        for j, key in enumerate(values):
            i = j // width
            where = out.get(key)
            if where is None:
                out[key] = [i]
            elif where[-1] != i:
                where.append(i)
        return out

    @property
    def positions(self) -> dict[int, list[int]]:
        if self._positions is None:
            positions: dict[int, list[int]] = {}
            if len(self.doc) and self._columns:
                positions = self._index(self.doc.to_array(self._columns).ravel().tolist(), len(self._columns))
            if self._ents:
                for ent in self.doc.ents:
                    positions.setdefault(hash_string(f"ENT:{ent.label_}"), []).extend(range(ent.start, ent.end))
            self._positions = positions
        return self._positions

    @property
    def matching(self) -> dict[int, frozenset[str]]:
        """The segment's words (ORTH hashes) that match an anchor regex, with the regexes they match."""
        if self._matching is None:
            out: dict[int, frozenset[str]] = {}
            if self._regexes and len(self.doc):
                strings = self.doc.vocab.strings
                for key in set(self.doc.to_array(ORTH).tolist()):
                    hit = self._cache.get(key)
                    if hit is None:
                        word = strings[key].lower()
                        hit = self._cache[key] = frozenset(r for r, rx in self._regexes.items() if rx.search(word))
                    if hit:
                        out[key] = hit
            self._matching = out
        return self._matching

    @property
    def roots(self) -> list[int]:
        """The root of each token's tree (following heads, as ``Token.ancestors`` does)."""
        if self._roots is None:
            n = len(self.doc)
            heads = self.doc.to_array(HEAD).astype("int64") + numpy.arange(n)
            for _ in range(n):                          # pointer jumping: depth halves each step
                nxt = heads[heads]
                if (nxt == heads).all():
                    break
                heads = nxt
            self._roots = heads.tolist()
        return self._roots

    def found_regexes(self) -> set[str]:
        return set().union(*self.matching.values())

    def occurrences(self, anchor: Anchor) -> list[int]:
        out: list[int] = []
        for key in anchor.words & self.keys:
            out += self.positions.get(key, ())
        if anchor.regexes:
            if self._orth_positions is None:
                self._orth_positions = self._index(self.doc.to_array(ORTH).tolist(), 1)
            for key, hit in self.matching.items():
                if not hit.isdisjoint(anchor.regexes):
                    out += self._orth_positions[key]
        return out


# Windows closer than this are run as one (a matcher call has a fixed cost).
_MERGE_GAP = 8


def windows(anchors: tuple[Anchor, ...], index: DocIndex) -> list[tuple[int, int]]:
    """Token ranges of ``index.doc`` that hold every possible match of a rule with these
    alternatives' anchors ([] when no anchor occurs: the rule cannot match)."""
    n = len(index.doc)
    spans: list[tuple[int, int]] = []
    for anchor in anchors:
        before = n if anchor.before is None else anchor.before
        after = n if anchor.after is None else anchor.after
        spans += [(max(0, p - before), min(n, p + after + 1)) for p in index.occurrences(anchor)]
    if not spans:
        return []
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1] + _MERGE_GAP:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if sum(e - s for s, e in merged) * 2 > n:   # most of the segment: one call is cheaper
        return [(0, n)]
    return [(s, e) for s, e in merged]


def tree_windows(anchors: tuple[Anchor, ...], index: DocIndex) -> list[tuple[int, int]]:
    """Token ranges of ``index.doc`` holding every token of the dependency trees (same root)
    in which an anchor occurs, in order ([] when no anchor occurs). A dependency match is
    connected by heads and holds a token of its anchor: it lies in one such tree."""
    occurrences = [p for anchor in anchors for p in index.occurrences(anchor)]
    if not occurrences:
        return []
    n = len(index.doc)
    roots = index.roots
    wanted = {roots[p] for p in occurrences}
    if len(wanted) == len(set(roots)):
        return [(0, n)]
    spans: list[list[int]] = []
    for i, root in enumerate(roots):
        if root in wanted:
            if spans and i - spans[-1][1] <= _MERGE_GAP:   # other trees' tokens between: harmless
                spans[-1][1] = i + 1
            else:
                spans.append([i, i + 1])
    if sum(e - s for s, e in spans) * 2 > n:
        return [(0, n)]
    return [(s, e) for s, e in spans]


class WindowedDependencyMatcher(DependencyMatcher):
    """A ``DependencyMatcher`` whose token patterns are tried only on ``ranges`` of the doc
    (set before each call; None: the whole doc), the trees of :func:`tree_windows`.

    spaCy's matcher tries every node pattern on every token of the doc, then groups the hits
    by the root of their tree and combines them within each tree. Hits in trees without the
    anchor cannot combine into a match; hits are produced in the same order (by position),
    so the matches and their order are those of the whole doc."""

    ranges: list[tuple[int, int]] | None = None
    roots: list[int] | None = None

    def _get_keys_to_position_maps(self, doc):
        ranges, roots = self.ranges, self.roots
        if ranges is None or roots is None:
            return super()._get_keys_to_position_maps(doc)
        maps = defaultdict(lambda: defaultdict(list))
        n = len(doc)
        for s, e in ranges:
            for match_id, start, end in self._matcher(doc if (s, e) == (0, n) else doc[s:e]):
                maps[roots[start + s]][match_id].append(start + s)
        return maps


def compile_regexes(anchors) -> dict[str, re.Pattern]:
    """The anchors' regexes, compiled."""
    return {r: re.compile(r) for a in anchors for r in a.regexes}


def doc_keys(doc: Doc) -> set[int]:
    """Every form, lower-cased form, lemma and norm of ``doc`` as hashes, plus ``ENT:<label>``."""
    if not len(doc):
        return set()
    keys = set(doc.to_array([ORTH, LOWER, LEMMA, NORM]).ravel().tolist())
    keys.update(hash_string(f"ENT:{e.label_}") for e in doc.ents)
    return keys
