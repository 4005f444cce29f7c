"""The clean view of a parsed segment: what extraction rules see.

Rules are written for the positive, fluent form ("on a besoin de", "je sais
coudre"). :func:`clean_view` builds a new ``Doc`` without the oral tokens
(fillers, marks, truncations, repetitions) and without the negation particles
(ne, n', pas, jamais, guère, point, and "plus" after "ne"). The word that a
removed particle negated (its syntactic head, or its neighbour without a parse)
gets ``token._.negated = True``, so that "on n'a pas besoin de" matches the
same rule as "on a besoin de" and the extractor can exclude or flag it.

``CleanView.index[i]`` is the index in the original doc of clean token ``i``:
offsets of findings are always computed on the original tokens, hence on the
stored text.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, LOWER, MORPH, ORTH, POS, SENT_START, SPACY, TAG
from spacy.parts_of_speech import X as _POS_X
from spacy.strings import hash_string
from spacy.tokens import Doc, Token

from .oral import cached_strings  # (importing oral registers Token._.oral)

if not Token.has_extension("negated"):
    Token.set_extension("negated", default=False)

NEGATION_ALWAYS = {"ne", "n'", "n’", "pas", "jamais", "guère", "nullement"}
NEGATION_AFTER_NE = {"plus", "point"}
_NOT_NEGATION_AFTER = {("pas", "mal")}            # "ce serait pas mal" is praise
# "pas" (and "plus" after "ne") before these words quantifies a noun ("y a pas de
# crèche", "il n'y a plus de bus", "pas assez de bancs"): the particles stay in the
# view, where rules can use them, and the extractor treats a match right after
# them as denied ("pas de problème").
KEEP_PAS_BEFORE = {"de", "d'", "d’", "du", "des", "assez", "trop"}
# With these words, "ne"/"pas"/"plus" belong to a negative pronoun or a restriction
# ("il n'y a rien pour les jeunes", "y a pas grand-chose", "il n'y a que des
# problèmes"): the particles leave the view but negate nothing.
NEGATIVE_WORDS = {"rien", "personne", "aucun", "aucune", "nul", "nulle", "grand-chose", "grand'chose"}
_RESTRICTIVE = {"que", "qu'", "qu’"}
_ROOT = int(numpy.array([hash_string("ROOT")], dtype="uint64").astype("int64")[0])   # in an int64 array


@dataclass
class CleanView:
    doc: Doc
    index: list[int]
    source: Doc
    negated: frozenset[int]                    # clean tokens whose ``_.negated`` is True
    lowers: list[str]                          # lower-cased forms of the clean tokens

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets, in the source doc's text, of clean tokens [start, end)."""
        first = self.source[self.index[start]]
        last = self.source[self.index[end - 1]]
        return first.idx, last.idx + len(last.text)

    def source_words(self, start: int, end: int) -> str:
        """The source doc's text under clean tokens [start, end) (removed fillers included):
        ``source.text[a:b]`` for ``a, b = char_span(start, end)``, without building the whole text."""
        return self.source[self.index[start]:self.index[end - 1] + 1].text


def oral_marks(doc: Doc) -> list:
    """``token._.oral`` of every token, read straight from ``doc.user_data`` (fast)."""
    from spacy.attrs import IDX
    data = doc.user_data
    if not data:
        return [None] * len(doc)
    return [data.get(("._.", "oral", int(idx), None)) for idx in doc.to_array([IDX]).ravel()] if len(doc) else []


_NE = ("ne", "n'", "n’")


def _quantifier_negations(lowers: list[str], kinds: list) -> set[int]:
    """"(ne) pas de", "ne … plus de", "pas assez": particles that stay in the view.

    They describe a lack ("il n'y a pas de crèche", "il n'y a plus de
    ramassage"), which rules may look for, rather than deny a statement.
    """
    keep: set[int] = set()
    n = len(lowers)
    for i, low in enumerate(lowers):
        if low not in ("pas", "plus") or kinds[i] is not None or i + 1 >= n or lowers[i + 1] not in KEEP_PAS_BEFORE:
            continue
        ne = next((j for j in range(i - 1, max(-1, i - 5), -1) if lowers[j] in _NE), None)
        if low == "plus" and ne is None:
            continue                               # "il y a plus de bruit": more, not a lack
        keep.add(i)
        if ne is not None:
            keep.add(ne)
    return keep


def _negation_particles(doc: Doc, kinds: list, lowers: list[str]) -> set[int]:
    """Token indices of the negation particles to take out of the view.

    Works on the lower-cased forms (no Token objects but for the candidates):
    this runs on every segment of a corpus."""
    found: set[int] = set()
    seen_ne = -10
    quantifiers = _quantifier_negations(lowers, kinds)
    n = len(lowers)
    starts = doc.to_array([SENT_START]).ravel().tolist() if n else []
    for i, low in enumerate(lowers):
        if kinds[i] is not None or i in quantifiers:
            continue
        if i == 0 or starts[i] == 1:
            seen_ne = -10
        if low in _NE:
            found.add(i)
            seen_ne = i
        elif low in NEGATION_ALWAYS:
            nxt = lowers[i + 1] if i + 1 < n else ""
            if (low, nxt) not in _NOT_NEGATION_AFTER and doc[i].pos_ not in ("NOUN", "PROPN"):
                found.add(i)
        elif low in NEGATION_AFTER_NE and i - seen_ne <= 4 and doc[i].pos_ == "ADV":
            found.add(i)
    return found


def _inert(doc: Doc, p: int) -> bool:
    """Is the particle at ``p`` part of "ne … rien", "pas grand-chose", "ne … que"?"""
    sent_start, sent_end = (doc[p].sent.start, doc[p].sent.end) if (
        doc.has_annotation("SENT_START") or doc.has_annotation("DEP")) else (0, len(doc))
    window = [t.lower_ for t in doc[max(sent_start, p - 3):min(sent_end, p + 5)]]
    if any(w in NEGATIVE_WORDS for w in window):
        return True
    if doc[p].lower_ in ("ne", "n'", "n’"):
        ahead = [t.lower_ for t in doc[p + 1:min(sent_end, p + 5)]]
        for w in ahead:
            if w in NEGATION_ALWAYS | NEGATION_AFTER_NE:
                return False
            if w in _RESTRICTIVE:
                return True
    return False


def clean_view(doc: Doc) -> CleanView:
    """The doc without oral tokens and negation particles (see module doc).

    Works on the doc's attribute arrays (no ``Token`` objects but for the negation
    particles): this runs on every segment of a corpus."""
    n = len(doc)
    strings = cached_strings(doc.vocab)
    kinds = oral_marks(doc)
    base = doc.to_array([ORTH, LOWER, SPACY]) if n else numpy.zeros((0, 3), dtype="uint64")
    texts = [strings(h) for h in base[:, 0].tolist()]
    lowers = [strings(h) for h in base[:, 1].tolist()]
    negators = _negation_particles(doc, kinds, lowers)
    # a comma next to a disfluency belongs to it: "besoin de, euh, d'un local", "de, de la garde"
    commas = {i for i in range(n) if texts[i] == "," and kinds[i] is None and (
        (i > 0 and kinds[i - 1] is not None) or (i + 1 < n and kinds[i + 1] is not None))}
    keep = [i for i in range(n) if kinds[i] is None and i not in negators and i not in commas]
    position = {orig: new for new, orig in enumerate(keep)}
    parsed = doc.has_annotation("DEP")
    negated: set[int] = set()
    for p in negators:
        if _inert(doc, p):
            continue
        target = None
        if parsed:
            head = doc[p].head
            while head.i not in position and head.head.i != head.i:
                head = head.head
            target = head.i if head.i in position else None
        if target is None:                          # no parse, or the head was removed too
            step = 1 if doc[p].lower_ in ("ne", "n'", "n’") else -1
            q = p + step
            while 0 <= q < n and q not in position:
                q += step
            target = q if 0 <= q < n else None
        if target is not None:
            negated.add(position[target])
    if len(keep) == n and not negated:
        return CleanView(doc, list(range(n)), doc, frozenset(), lowers)
    attrs = [LEMMA, POS, TAG, MORPH]
    sentences = not parsed and doc.has_annotation("SENT_START")
    entities = doc.has_annotation("ENT_IOB")
    attrs += [HEAD, DEP] if parsed else [SENT_START] if sentences else []
    attrs += [ENT_IOB, ENT_TYPE] if entities else []
    source = doc.to_array(attrs).astype("int64") if n else numpy.zeros((0, len(attrs)), dtype="int64")
    rows = source[keep] if keep else numpy.zeros((0, len(attrs)), dtype="int64")
    rows[rows[:, 1] == 0, 1] = _POS_X                # as a Doc built from strings: no POS is "X"
    col = 4
    if parsed:
        # a token whose head left the view hangs from the nearest kept ancestor (or is a root)
        heads = (numpy.arange(n) + source[:, col]).tolist()
        for new, i in enumerate(keep):
            h = heads[i]
            while h not in position and heads[h] != h:
                h = heads[h]
            h = position.get(h, new)
            rows[new, col] = h - new
            if h == new:
                rows[new, col + 1] = _ROOT
        col += 2
    elif sentences:
        starts = [1 if v == 1 else -1 for v in rows[:, col].tolist()]
        if starts:
            starts[0] = 1
        rows[:, col] = starts
        col += 1
    if entities:
        entity, current = [], -1                     # which entity each source token is in
        for v in source[:, col].tolist():
            current = current + 1 if v == 3 else current
            entity.append(current if v in (1, 3) else None)
        previous = None
        for new, i in enumerate(keep):
            e = entity[i]
            rows[new, col] = 2 if e is None else (1 if e == previous else 3)
            if e is None:
                rows[new, col + 1] = 0
            previous = e
    clean = Doc(doc.vocab, words=[texts[i] for i in keep], spaces=[bool(base[i, 2]) for i in keep])
    if keep:
        clean.from_array(attrs, rows.astype("uint64"))
    for m in negated:
        clean[m]._.negated = True
    return CleanView(clean, keep, doc, frozenset(negated), [lowers[i] for i in keep])
