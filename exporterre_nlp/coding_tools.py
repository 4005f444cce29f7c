"""Pure helpers for coding text: word-by-word selections, accent-blind search, fuzzy code lookup.

Nothing here touches the store or a screen: the terminal UI (and any other shell)
calls these functions with plain values and gets plain values back.

- A :class:`Selection` is a span inside one segment that snaps to word
  boundaries; it can be widened or narrowed one word at a time at either end.
- :func:`fold` maps a text to a same-length, lower-case, accent-free copy, so
  that a search for ``ecole`` finds ``École`` and the offsets stay valid in the
  original text; :func:`find_all` returns those offsets.
- :func:`fuzzy_codes` ranks codes for a picker: typing ``bes log`` finds
  « besoins › logement » (every word of the query must start, or appear inside,
  a word of the code's path or key).
- :func:`code_paths`, :func:`tree_order`, :func:`effective_colors` give the
  codebook tree as labels and colours (a code without a colour takes its
  parent's, as in the YAML codebook).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from .records import Code

# A word: letters/digits, with inner apostrophes or hyphens ("aujourd'hui", "c'est", "peut-être").
WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
PATH_SEPARATOR = " › "

# Fallback colours for codes that have none anywhere up their tree (stable per key).
PALETTE = ("#e07a5f", "#81b29a", "#f2cc8f", "#7aa6c2", "#c08497", "#a3b18a", "#e9c46a", "#9d8bc7",
           "#f4a261", "#6cc3b6", "#d4a5a5", "#b5c99a")


# ============================================================ word selections
def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Absolute ``(start, end)`` of every word of ``text[start:end]``."""
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in WORD_RE.finditer(text, start, end)]


@dataclass(frozen=True)
class Selection:
    """A span of whole words inside the segment ``[lo, hi)`` of a text.

    ``start``/``end`` are absolute character offsets; ``text[start:end]`` is the
    selected words. A selection always holds at least one word when the segment
    has one; a segment without words selects itself.
    """
    lo: int
    hi: int
    start: int
    end: int

    @classmethod
    def whole(cls, text: str, lo: int, hi: int) -> "Selection":
        """The segment from its first word to its last (punctuation and blanks trimmed)."""
        ws = words(text, lo, hi)
        if not ws:
            return cls(lo, hi, lo, hi)
        return cls(lo, hi, ws[0][0], ws[-1][1])

    @classmethod
    def around(cls, text: str, lo: int, hi: int, start: int, end: int) -> "Selection":
        """The smallest run of whole words of the segment covering ``[start, end)``."""
        ws = words(text, lo, hi)
        inside = [w for w in ws if w[1] > start and w[0] < end]
        if not inside:
            return cls.whole(text, lo, hi)
        return cls(lo, hi, inside[0][0], inside[-1][1])

    def is_whole(self, text: str) -> bool:
        return self == Selection.whole(text, self.lo, self.hi)

    def _index(self, text: str) -> tuple[list[tuple[int, int]], int, int]:
        ws = words(text, self.lo, self.hi)
        first = next((i for i, w in enumerate(ws) if w[1] > self.start), 0)
        last = next((i for i in range(len(ws) - 1, -1, -1) if ws[i][0] < self.end), len(ws) - 1)
        return ws, first, max(first, last)

    def move_start(self, text: str, step: int) -> "Selection":
        """Move the first word by ``step`` words (negative widens, positive narrows)."""
        ws, first, last = self._index(text)
        if not ws:
            return self
        first = min(max(first + step, 0), last)
        return Selection(self.lo, self.hi, ws[first][0], ws[last][1])

    def move_end(self, text: str, step: int) -> "Selection":
        """Move the last word by ``step`` words (positive widens, negative narrows)."""
        ws, first, last = self._index(text)
        if not ws:
            return self
        last = max(min(last + step, len(ws) - 1), first)
        return Selection(self.lo, self.hi, ws[first][0], ws[last][1])

    def word_count(self, text: str) -> int:
        return len(words(text, self.start, self.end))


# ==================================================== accent- and case-blind search
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0]
    low = base.lower()
    return low if len(low) == 1 else base


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0x80, 0x250):
        ch = chr(code)
        folded = _fold_char(ch)
        if folded != ch:
            table[code] = folded
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    table.update({ord("’"): "'", ord("‘"): "'", ord("ʼ"): "'",
                  ord("\u00a0"): " ", ord("\u202f"): " ", ord("–"): "-", ord("—"): "-"})
    return table


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with exactly the same length.

    Offsets found in ``fold(text)`` are offsets in ``text``.
    """
    return text.translate(_fold_table())


def find_all(text: str, query: str, *, limit: int | None = None) -> list[tuple[int, int]]:
    """Every occurrence of ``query`` in ``text``, ignoring case, accents and
    the kind of apostrophe; blanks in the query match any run of blanks."""
    parts = fold(query).split()
    if not parts:
        return []
    pattern = re.compile(r"\s+".join(re.escape(p) for p in parts))
    out: list[tuple[int, int]] = []
    for m in pattern.finditer(fold(text)):
        out.append((m.start(), m.end()))
        if limit is not None and len(out) >= limit:
            break
    return out


# ================================================================ codebook tree
def _by_id(codes: Iterable[Code]) -> dict[int, Code]:
    return {c.id: c for c in codes}


def code_paths(codes: Sequence[Code], separator: str = PATH_SEPARATOR) -> dict[int, str]:
    """``{code id: "besoins › logement"}`` built from labels, root first."""
    index = _by_id(codes)
    out: dict[int, str] = {}

    def path(code: Code, seen: frozenset[int] = frozenset()) -> str:
        if code.id in out:
            return out[code.id]
        parent = index.get(code.parent_id) if code.parent_id is not None else None
        if parent is None or parent.id in seen:
            value = code.label
        else:
            value = path(parent, seen | {code.id}) + separator + code.label
        out[code.id] = value
        return value

    for c in codes:
        path(c)
    return out


def tree_order(codes: Sequence[Code]) -> list[tuple[Code, int]]:
    """Codes parents-before-children (siblings in codebook order) with their depth."""
    children: dict[int | None, list[Code]] = {}
    ids = {c.id for c in codes}
    for c in sorted(codes, key=lambda c: (c.position, c.id)):
        parent = c.parent_id if c.parent_id in ids else None
        children.setdefault(parent, []).append(c)
    out: list[tuple[Code, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            if c.id in seen:
                continue
            seen.add(c.id)
            out.append((c, depth))
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


def _fallback_color(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def effective_colors(codes: Sequence[Code]) -> dict[int, str]:
    """``{code id: "#rrggbb"}``: the code's colour, else its nearest ancestor's,
    else a stable colour from the palette chosen from the root's key."""
    index = _by_id(codes)
    out: dict[int, str] = {}
    for c in codes:
        current, seen = c, set()
        color = None
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.color:
                color = current.color
                break
            if current.parent_id is None or current.parent_id not in index:
                break
            current = index[current.parent_id]
        out[c.id] = color or _fallback_color(current.key if current is not None else c.key)
    return out


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on ``#rrggbb``."""
    try:
        r, g, b = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#000000"
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 140 else "#ffffff"


# ================================================================ fuzzy search
@dataclass(frozen=True)
class CodeMatch:
    code: Code
    path: str
    score: float


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s›>/._:\-]+", fold(text)) if t]


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _token_score(token: str, leaf: list[str], ancestors: list[str]) -> float:
    best = 0.0
    for weight, pool in ((1.0, leaf), (0.8, ancestors)):
        for word in pool:
            if word == token:
                score = 4.0
            elif word.startswith(token):
                score = 3.0
            elif token in word:
                score = 1.5
            elif len(token) >= 2 and _subsequence(token, word) and word[0] == token[0]:
                score = 0.75
            else:
                continue
            best = max(best, score * weight)
    return best


def fuzzy_codes(query: str, codes: Sequence[Code], *, limit: int | None = None) -> list[CodeMatch]:
    """Codes whose key or path matches every word of ``query``, best first.

    Each query word must begin (best), equal, or appear inside a word of the
    code's label path (« besoins › logement ») or key (``besoins.logement``);
    words of the code's own label count more than its parents'. An empty query
    returns every code in tree order.
    """
    paths = code_paths(codes)
    ordered = [c for c, _ in tree_order(codes)]
    rank = {c.id: i for i, c in enumerate(ordered)}
    q = _tokens(query)
    if not q:
        out = [CodeMatch(c, paths[c.id], 0.0) for c in ordered]
        return out[:limit] if limit else out
    matches: list[CodeMatch] = []
    for c in ordered:
        leaf = _tokens(c.label) + _tokens(c.key.rsplit(".", 1)[-1])
        ancestors = _tokens(paths[c.id]) + _tokens(c.key)
        total = 0.0
        for token in q:
            s = _token_score(token, leaf, ancestors)
            if s == 0.0:
                break
            total += s
        else:
            matches.append(CodeMatch(c, paths[c.id], total))
    matches.sort(key=lambda m: (-m.score, m.path.count(PATH_SEPARATOR), rank[m.code.id]))
    return matches[:limit] if limit else matches
