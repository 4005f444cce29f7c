"""Character offsets across text normalisation.

REFI-QDA positions count Unicode code points of the plain text, from 0; the end
position is exclusive (the specification's own ATLAS.ti sample: a 56-character
quotation from 139 to 195). Python strings index code points too, so a text we
stored (NFC, ``\\n`` line ends) is exported as it is and its offsets need no change.

A text written by another tool may be decomposed (``e`` + combining accent), carry
``\\r\\n`` line ends or a byte-order mark. We store the normalised text (like every
imported document) and move each position with :func:`normalise_with_map`.
"""
from __future__ import annotations

import re
import unicodedata

from ..ingest.encoding import normalise_text

_LINE = re.compile(r"\r\n|\r|\n")


def _clean(part: str) -> str:
    return unicodedata.normalize("NFC", part.replace("\ufeff", ""))


def normalise_with_map(raw: str) -> tuple[str, list[int]]:
    """``(text, where)``: the normalised text and, for each raw position ``i`` (0…len),
    the position ``where[i]`` it has in the normalised text.

    Byte-order marks go first, as in :func:`normalise_text` (a mark between
    ``\r`` and ``\n`` must not turn one line break into two).
    """
    if "\ufeff" not in raw:
        return _normalise_lines_with_map(raw)
    first, n = [], 0
    for ch in raw:
        first.append(n)
        n += ch != "\ufeff"
    first.append(n)
    text, where = _normalise_lines_with_map(raw.replace("\ufeff", ""))
    return text, [where[k] for k in first]


def _normalise_lines_with_map(raw: str) -> tuple[str, list[int]]:
    """:func:`normalise_with_map` for a text without byte-order marks.

    Lines already in NFC without a BOM map one to one; the others (rare) map each
    prefix through its normalised length, so a position inside a composed
    character moves to the character's end.
    """
    out: list[str] = []
    where: list[int] = []
    pos = 0
    length = 0
    for match in [*_LINE.finditer(raw), None]:
        end = match.start() if match else len(raw)
        line = raw[pos:end]
        if "\ufeff" not in line and unicodedata.is_normalized("NFC", line):
            where.extend(range(length, length + len(line)))
            norm = line
        else:
            norm = _clean(line)
            where.extend(length + len(_clean(line[:k])) for k in range(len(line)))
        out.append(norm)
        length += len(norm)
        if match is None:
            break
        where.extend([length] * (match.end() - match.start()))   # "\r\n" → "\n": both map before it
        out.append("\n")
        length += 1
        pos = match.end()
    where.append(length)
    text = "".join(out)
    if text != normalise_text(raw):     # pragma: no cover - a guard against a normalisation change
        raise AssertionError("offset map out of step with normalise_text")
    return text, where
