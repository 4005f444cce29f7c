"""Re-anchor coded spans when a transcript is corrected.

QualCoder loses or shifts codings when a transcript is edited; Exporterre maps
every span from the old text to the new one with a word-level diff, so that
codings survive a corrected transcript. A span whose words were all removed is
reported as lost (None); a span whose words were partly rewritten keeps the
surviving part.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Remapped:
    start: int
    end: int
    exact: bool          # the new span holds exactly the same words


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def remap_spans(old: str, new: str, spans: list[tuple[int, int]]) -> list[Remapped | None]:
    """New position of each ``(start, end)`` span of ``old`` in ``new`` (None = words gone)."""
    if old == new:
        return [Remapped(s, e, True) for s, e in spans]
    old_words, new_words = _words(old), _words(new)
    matcher = SequenceMatcher(None, [m.group() for m in old_words], [m.group() for m in new_words],
                              autojunk=False)
    mapping: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    starts = [m.start() for m in old_words]
    out: list[Remapped | None] = []
    for start, end in spans:
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        covered = [i for i in range(first, len(old_words))
                   if old_words[i].start() < end and old_words[i].end() > start]
        kept = [i for i in covered if i in mapping]
        if not kept:
            out.append(None)
            continue
        i0, i1 = kept[0], kept[-1]
        o0, o1 = old_words[i0], old_words[i1]
        n0, n1 = new_words[mapping[i0]], new_words[mapping[i1]]
        # keep the offset inside the first and last words (spans may start mid-word)
        new_start = n0.start() + max(0, start - o0.start())
        new_end = n1.end() - max(0, o1.end() - end)
        if new_end <= new_start:
            out.append(None)
            continue
        exact = (len(kept) == len(covered) and mapping[i1] - mapping[i0] == i1 - i0
                 and new[new_start:new_end] == old[start:end])
        out.append(Remapped(new_start, new_end, exact))
    return out
