"""The safety net after segmentation: every word of a text is in a segment.

:func:`check_coverage` is run on every plain-text, Markdown, .docx and .odt document
after its turns or paragraphs are found (subtitles have their own check in
:mod:`exporterre_nlp.ingest.subtitles`). Outside segments, a line may only hold
whitespace or a speaker label with its timestamp and separator (``E :``,
``[00:12] Fatima :``, ``**E :**``). Anything else means a parser bug that would drop
speech silently: the import fails naming the line.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import IngestError
from ..i18n import tr
from ..records import SegmentDraft

_TS = r"[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?[\])]?"
# What a turn line may hold before its words (or alone, for a turn without words).
_PREFIX = re.compile(
    rf"[ \t\u00a0\u202f]*(?:{_TS}[ \t\u00a0\u202f]*(?:[-–—][ \t\u00a0\u202f]*)?)?\**[^\n]{{1,80}}?\**"
    rf"[ \t\u00a0\u202f]*(?:{_TS})?[ \t\u00a0\u202f]*(?::|[-–—])[ \t\u00a0\u202f]*\**[ \t\u00a0\u202f]*")


def check_coverage(text: str, segments: Sequence[SegmentDraft], shown: str) -> None:
    """Raise :class:`IngestError` naming the first line whose words are in no segment."""
    covered = bytearray(len(text) + 1)
    for seg in segments:
        covered[seg.start:seg.end] = b"\x01" * (seg.end - seg.start)
    line_start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        end = line_start + len(line)
        gaps = _gaps(text, covered, line_start, end)
        if gaps and not _label_only(text, gaps, line_start, end):
            raise IngestError(
                tr(f"{shown}, ligne {number} : ce texte n'a été rattaché à aucun segment "
                   f"(« {line.strip()[:60]} »). L'import est refusé pour ne rien perdre.",
                   f"{shown}, line {number}: this text was attached to no segment "
                   f"('{line.strip()[:60]}'). The import is refused so that nothing is lost."),
                tr("C'est une erreur du programme : signalez-la avec ce fichier si possible ; en attendant, "
                   "vérifiez la mise en forme de cette ligne (étiquette de locuteur, horodatage).",
                   "This is a bug: please report it with this file if you can; meanwhile, check how this "
                   "line is written (speaker label, timestamp)."), path=shown)
        line_start = end + 1


def _gaps(text: str, covered: bytearray, start: int, end: int) -> list[tuple[int, int]]:
    gaps: list[tuple[int, int]] = []
    i = start
    while i < end:
        if covered[i] or text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not covered[j]:
            j += 1
        gaps.append((i, j))
        i = j
    return gaps


def _label_only(text: str, gaps: list[tuple[int, int]], start: int, end: int) -> bool:
    """One uncovered stretch at the start of the line, shaped like a speaker label."""
    if len(gaps) != 1 or text[start:gaps[0][0]].strip():
        return False
    return _PREFIX.fullmatch(text, start, gaps[0][1]) is not None
