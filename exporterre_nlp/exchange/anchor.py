"""Anchoring another tool's text selections in the source text.

The REFI-QDA specification counts positions in Unicode code points of the plain
text, from 0, end exclusive. Real tools drift from it in three ways, each seen
in files they write:

* a leading byte-order mark: QualCoder writes every source with ``utf-8-sig``
  and does not count the mark; a tool that does count it puts every position
  one too far (the mark is an encoding mark, not a character: not counted by
  default);
* UTF-16 code units: QualCoder's editor (Qt), .NET and Java tools count a
  character outside the Basic Multilingual Plane (most emoji) as two positions,
  so a position after k such characters is k too high;
* ``\\r\\n``: counted as two positions or as one (ATLAS.ti stores ``\\r\\n`` in
  the file and counts one).

Each selection's words are checked against its ``name`` (QualCoder writes the
selected words there, ATLAS.ti the start of the quotation, we write a snippet).
Per source, the conventions above are tried in the order of how many named
selections they anchor; each selection takes the first one under which its
words match, else the place nearest to its position where its words occur.
A named selection whose words occur nowhere is not imported and is reported by
name. A source whose names are labels rather than words (none of them matches
under any convention) keeps the positions of the specification, with a warning.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import product

from .offsets import normalise_with_map

_ELLIPSES = ("…", "...")


@dataclass(frozen=True)
class Convention:
    bom: bool = False          # a leading BOM counted as position 0
    utf16: bool = False        # positions count UTF-16 code units
    crlf_one: bool = False     # "\r\n" counted as one position

    def describe(self) -> tuple[str, str]:
        fr, en = [], []
        if self.bom:
            fr.append("marque d'ordre des octets (BOM) comptée")
            en.append("byte-order mark counted")
        if self.utf16:
            fr.append("positions en unités UTF-16 (emoji comptés deux fois)")
            en.append("positions in UTF-16 units (emoji counted twice)")
        if self.crlf_one:
            fr.append("fins de ligne \\r\\n comptées pour un caractère")
            en.append("\\r\\n line ends counted as one character")
        return "; ".join(fr) or "points de code (norme)", "; ".join(en) or "code points (standard)"


SPEC = Convention()


def flat(text: str) -> str:
    """Words compared without regard to whitespace (XML turns a newline in an attribute into a space)."""
    return " ".join(unicodedata.normalize("NFC", text.replace("\ufeff", "")).split())


def words_match(name: str, words: str) -> bool:
    """True when ``name`` is ``words`` (or their start, cut with an ellipsis)."""
    a, b = flat(name), flat(words)
    if not a:
        return False
    if a == b:
        return True
    for ell in _ELLIPSES:
        if a.endswith(ell) and len(a) > len(ell) + 3 and b.startswith(a[:-len(ell)].rstrip()):
            return True
    return False


@dataclass
class Anchored:
    """What happened to one source's selections."""
    spans: list[tuple[int, int] | None]        # in the normalised text; None: not anchored
    corrected: dict[Convention, int] = field(default_factory=dict)   # selections placed by another convention
    searched: int = 0                           # placed where their words occur near the position
    unverified: int = 0                         # no usable name: positions of the specification
    lost: list[str] = field(default_factory=list)   # names (or spans) that could not be anchored


class SourceText:
    """A foreign source text: its normalised form and its position maps, one per convention."""

    def __init__(self, raw: str):
        self.raw = raw
        self.text, self.where = normalise_with_map(raw)
        bom = [False, True] if raw.startswith("\ufeff") else [False]
        utf16 = [False, True] if any(ord(ch) > 0xFFFF for ch in raw) else [False]
        crlf = [False, True] if "\r\n" in raw else [False]
        self.conventions = [Convention(b, u, c) for b, u, c in product(bom, utf16, crlf)]
        self._maps: dict[Convention, list[int]] = {}

    def positions(self, conv: Convention) -> list[int]:
        """For each position under ``conv``, the index in the raw text (last: its length)."""
        if conv not in self._maps:
            raw, out, i, n = self.raw, [], 0, len(self.raw)
            if raw.startswith("\ufeff"):
                if conv.bom:
                    out.append(0)
                i = 1
            while i < n:
                ch = raw[i]
                if not (conv.crlf_one and ch == "\r" and i + 1 < n and raw[i + 1] == "\n"):
                    out.append(i)
                    if conv.utf16 and ord(ch) > 0xFFFF:
                        out.append(i + 1)      # inside the pair: taken as after the character
                i += 1
            out.append(n)
            self._maps[conv] = out
        return self._maps[conv]

    def span(self, conv: Convention, start: int, end: int) -> tuple[int, int] | None:
        m = self.positions(conv)
        if not (0 <= start < end < len(m)):
            return None
        s, e = self.where[m[start]], self.where[m[end]]
        return (s, e) if s < e else None

    def search(self, name: str, near: int) -> tuple[int, int, bool] | None:
        """Where ``name``'s words occur in the text (any whitespace between words), nearest to ``near``;
        the last item tells whether the name was cut (ends with an ellipsis)."""
        words = flat(name)
        cut = False
        for ell in _ELLIPSES:
            if words.endswith(ell):
                words, cut = words[:-len(ell)].rstrip(), True
                break
        if not words:
            return None
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words.split(" ")))
        found = [(abs(m.start() - near), m.start(), m.end()) for m in pattern.finditer(self.text)]
        if not found:
            return None
        _, s, e = min(found)
        return (s, e, cut)


def anchor(source: SourceText, selections: list[tuple[int, int, str]]) -> Anchored:
    """Place each ``(start, end, name)`` of one source in its normalised text."""
    named = [(s, e, n) for s, e, n in selections if flat(n or "")]
    scores = {conv: 0 for conv in source.conventions}
    for s, e, n in named:
        for conv in source.conventions:
            span = source.span(conv, s, e)
            if span is not None and words_match(n, source.text[span[0]:span[1]]):
                scores[conv] += 1
    order = sorted(source.conventions, key=lambda c: (-scores[c], source.conventions.index(c)))
    names_are_words = any(scores.values())
    best = order[0] if names_are_words else SPEC
    out = Anchored([])
    for s, e, n in selections:
        label = flat(n or "")
        if not label or not names_are_words:
            span = source.span(best, s, e)
            out.spans.append(span)
            if span is None:
                out.lost.append(f"[{s}, {e})" + (f" « {label[:60]} »" if label else ""))
            elif label:
                out.unverified += 1
            if span is not None and not label and best != SPEC:
                out.corrected[best] = out.corrected.get(best, 0) + 1
            continue
        placed = None
        for conv in order:
            span = source.span(conv, s, e)
            if span is not None and words_match(n, source.text[span[0]:span[1]]):
                placed = span
                if conv != SPEC:
                    out.corrected[conv] = out.corrected.get(conv, 0) + 1
                break
        if placed is None:
            guess = source.span(best, s, min(e, len(source.positions(best)) - 1)) if s < e else None
            found = source.search(n, guess[0] if guess else 0)
            if found is not None:
                fs, fe, cut = found
                if cut and guess is not None:
                    fe = max(fe, min(len(source.text), fs + (guess[1] - guess[0])))
                placed = (fs, fe)
                out.searched += 1
        if placed is None:
            out.lost.append(f"« {label[:60]} »")
        out.spans.append(placed)
    return out
