"""Applying accepted replacements to a text, keeping provenance through an offset map.

:func:`pseudonymise_text` is pure: ``(text, replacements) -> (new_text, OffsetMap)``.
The map sends a span of the original text to the span of the pseudonymised text
that holds the same words: a span that overlaps no replacement maps to exactly
the same characters; a span that touches a replacement is widened to cover the
whole pseudonym (never cut in the middle of one).

:func:`pseudonymised_document` reads a document and its *accepted* candidates
from the store (stale ones — the text changed under them — are skipped and
listed) and returns a :class:`PseudonymisedDocument`.
"""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str


def surface_hash(words: str) -> str:
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]


def _as_replacement(r) -> Replacement:
    if isinstance(r, Replacement):
        return r
    if isinstance(r, tuple):
        return Replacement(int(r[0]), int(r[1]), str(r[2]))
    return Replacement(int(r.start), int(r.end), str(getattr(r, "pseudonym", getattr(r, "text", ""))))


def resolve_overlaps(replacements: Iterable) -> list[Replacement]:
    """Sorted, non-overlapping replacements: of overlapping ones, the longest (then the first) wins."""
    items = sorted((_as_replacement(r) for r in replacements), key=lambda r: (-(r.end - r.start), r.start, r.text))
    chosen: list[Replacement] = []
    for r in items:
        if r.end <= r.start:
            continue
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    return sorted(chosen, key=lambda r: r.start)


@dataclass(frozen=True)
class OffsetMap:
    """Original offsets → pseudonymised offsets."""
    replacements: tuple[tuple[int, int, int, int], ...]   # (old start, old end, new start, new end)
    _old_starts: tuple[int, ...] = field(default=(), repr=False)

    @classmethod
    def build(cls, spans: Sequence[tuple[int, int, int, int]]) -> "OffsetMap":
        return cls(tuple(spans), tuple(s[0] for s in spans))

    def position(self, pos: int, *, side: str = "start") -> int:
        """Where original position ``pos`` lands. Inside a replacement: its start (``side="start"``) or end."""
        i = bisect.bisect_right(self._old_starts, pos) - 1
        if i < 0:
            return pos
        os_, oe, ns, ne = self.replacements[i]
        if pos >= oe:
            return ne + (pos - oe)
        if pos == os_:
            return ns
        return ns if side == "start" else ne

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The pseudonymised span of original ``[start, end)`` (widened over any pseudonym it touches)."""
        new_start = self.position(start, side="start")
        # an end falling exactly at a replacement's start must not swallow the pseudonym
        new_end = self.position(end, side="end") if end > start else new_start
        i = bisect.bisect_left(self._old_starts, end) - 1
        if i >= 0:
            os_, oe, ns, ne = self.replacements[i]
            if os_ < end <= oe and start < oe:
                new_end = ne
        return new_start, max(new_start, new_end)

    def touches(self, start: int, end: int) -> bool:
        """Does original ``[start, end)`` overlap a replacement?"""
        return any(os_ < end and start < oe for os_, oe, _, _ in self.replacements)


def pseudonymise_text(text: str, replacements: Iterable) -> tuple[str, OffsetMap]:
    """Replace spans of ``text``; ``replacements`` are ``(start, end, new)`` tuples or records with
    ``start``, ``end`` and ``pseudonym`` (or ``text``). Overlaps are resolved (longest wins)."""
    parts: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    cursor = 0
    length = 0
    for r in resolve_overlaps(replacements):
        if r.start < 0 or r.end > len(text):
            raise ValueError(f"replacement {r.start}:{r.end} outside the text ({len(text)} characters)")
        parts.append(text[cursor:r.start])
        length += r.start - cursor
        spans.append((r.start, r.end, length, length + len(r.text)))
        parts.append(r.text)
        length += len(r.text)
        cursor = r.end
    parts.append(text[cursor:])
    return "".join(parts), OffsetMap.build(spans)


@dataclass(frozen=True)
class PseudonymisedDocument:
    document_id: int
    name: str
    text: str                                # pseudonymised text
    offsets: OffsetMap                       # original offsets -> offsets in ``text``
    speakers: dict[str, str]                 # real speaker label -> pseudonymised label
    applied: int                             # accepted replacements applied
    pending: int                             # candidates still waiting for review in this document
    stale: tuple[int, ...] = ()              # accepted candidates skipped: the text changed under them

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.span(start, end)

    def quote(self, start: int, end: int) -> str:
        """The pseudonymised words of original span ``[start, end)``."""
        s, e = self.offsets.span(start, end)
        return self.text[s:e]


def pseudonymised_document(store, document_id: int | str) -> PseudonymisedDocument:
    """A document with its accepted replacements applied (pending and rejected ones are not)."""
    doc = store.get_document(document_id)
    accepted, stale = [], []
    pending = 0
    for c in store.list_pseudo_candidates(document_id=doc.id):
        if c.status == "pending":
            pending += 1
        elif c.status == "accepted":
            if c.end <= len(doc.text) and surface_hash(doc.text[c.start:c.end]) == c.surface_hash:
                accepted.append(c)
            else:
                stale.append(c.id)
    chosen = resolve_overlaps(accepted)
    text, offsets = pseudonymise_text(doc.text, chosen)
    return PseudonymisedDocument(doc.id, doc.name, text, offsets, speaker_labels(store, doc, chosen),
                                 len(chosen), pending, tuple(stale))


def speaker_labels(store, doc, replacements: Sequence[Replacement]) -> dict[str, str]:
    """Speaker labels with the pseudonyms applied where the label itself was replaced in the text."""
    by_surface: dict[str, str] = {}
    for r in replacements:
        by_surface.setdefault(doc.text[r.start:r.end], r.text)
    out = {}
    for sp in store.list_speakers(doc.id):
        label = sp.label
        for real, pseudo in sorted(by_surface.items(), key=lambda kv: -len(kv[0])):
            label = _replace_word(label, real, pseudo)
        out[sp.label] = label
    return out


def _replace_word(label: str, real: str, pseudo: str) -> str:
    import re
    return re.sub(rf"(?<!\w){re.escape(real)}(?!\w)", pseudo, label)
