"""Anchors: the words a rule cannot match without, to skip rules cheaply.

A spaCy Matcher costs time per token *and per pattern*; with sixty rules most of
it is spent trying patterns that cannot match the segment at hand. Each rule
gets an *anchor*: the set of word hashes (forms or lemmas) of which at least one
must occur in a segment for the rule to match, read from a required token of
its pattern (``{LOWER: besoin}``, ``{LEMMA: {IN: [gare, place…]}}``) — the most
selective one, avoiding function words. A rule on entities gets ``ENT:<label>``.
Rules with an anchor get a matcher of their own, called only when the anchor
occurs; the others (held by function words: "y", "pas", "avoir"…) share one
matcher that runs on every segment — a Matcher call walks every token in
Python, so one shared call is cheaper than many small ones. Skipping never
changes a result.
"""
from __future__ import annotations

from spacy.attrs import LEMMA, LOWER, NORM, ORTH
from spacy.lang.fr.stop_words import STOP_WORDS
from spacy.strings import hash_string
from spacy.tokens import Doc

_WORD_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")
# Too frequent to be worth an anchor: spaCy's stop words and the commonest verbs' lemmas.
_COMMON = STOP_WORDS | {"avoir", "être", "faire", "aller", "dire", "voir", "savoir", "pouvoir", "vouloir", "mettre",
                        "venir", "falloir", "prendre", "donner", "parler", "trouver", "passer", "y", "a"}
_OPTIONAL = ("?", "*", "!")


def _required(spec: dict) -> bool:
    op = spec.get("OP")
    return op is None or op in ("+", "1") or (isinstance(op, str) and op.startswith("{") and not op.startswith(
        ("{0", "{,")))


def _values(spec: dict) -> list[tuple[str, int]] | None:
    """Candidate anchors of one token spec: [(word, cost)] — cost favours rare words."""
    options = []
    for attr in _WORD_ATTRS:
        value = spec.get(attr)
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, dict) and isinstance(value.get("IN"), list) and set(value) <= {"IN", "NOT_IN"}:
            words = [str(w) for w in value["IN"]]
        else:
            continue
        if attr in ("LOWER", "LEMMA", "NORM"):
            words = [w.lower() for w in words]
        options.append(words)
    ent = spec.get("ENT_TYPE")
    if isinstance(ent, str):
        options.append([f"ENT:{ent}"])
    if not options:
        return None
    best = min(options, key=lambda ws: (sum(1 for w in ws if w in _COMMON or len(w) <= 2), len(ws)))
    cost = sum(1 for w in best if w in _COMMON or len(w) <= 2)
    return [(w, cost) for w in best]


def pattern_anchor(pattern: list[dict], dependency: bool = False, content_only: bool = True
                   ) -> frozenset[int] | None:
    """Hashes of which one must occur for ``pattern`` to match. With ``content_only``, a
    pattern held only by function words ("y", "pas", "avoir") gets None."""
    best = None
    for spec in pattern:
        attrs = spec.get("RIGHT_ATTRS", {}) if dependency else spec
        if not isinstance(attrs, dict) or (not dependency and not _required(spec)):
            continue
        values = _values(attrs)
        if values is None:
            continue
        key = (values[0][1], len(values))
        if best is None or key < best[0]:
            best = (key, [w for w, _ in values])
    if best is None or (content_only and best[0][0] > 0):
        return None
    return frozenset(hash_string(w) for w in best[1])


def rule_anchor(patterns: list[list[dict]], dependency: bool = False, content_only: bool = True
                ) -> frozenset[int] | None:
    """The union of the alternatives' anchors; None when one alternative has none."""
    out: set[int] = set()
    for pattern in patterns:
        anchor = pattern_anchor(pattern, dependency, content_only)
        if anchor is None:
            return None
        out |= anchor
    return frozenset(out)


def doc_keys(doc: Doc) -> set[int]:
    """Every form, lower-cased form, lemma and norm of ``doc`` as hashes, plus ``ENT:<label>``."""
    if not len(doc):
        return set()
    keys = set(doc.to_array([ORTH, LOWER, LEMMA, NORM]).ravel().tolist())
    keys.update(hash_string(f"ENT:{e.label_}") for e in doc.ents)
    return keys
