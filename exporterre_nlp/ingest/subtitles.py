"""Subtitle files (.srt, .vtt) → cues, with every spoken line accounted for.

The parser is line based and strict about what it cannot read, lenient about the
timing variants that have only one reading:

* milliseconds after a comma or a dot (``00:00:02,500`` in a .vtt, ``00:00:02.500``
  in a .srt), with 1 to 3 digits read as a decimal fraction (``,5`` = 500 ms);
* hours may be missing when there is a fraction (``01:02.500`` = 1 min 2.5 s);
* the arrow may be ``-->`` or ``->``;
* a cue that follows the previous one without a blank line (its timing line shows
  where it starts; a bare number just above is its index).

Refused with the line number (:class:`IngestError`): a timing line that has another
reading (``00:02 --> 00:04`` could be minutes or hours, ``00:00:02:12`` could be a
frame count, minutes or seconds ≥ 60, an end before the start), and any text that is
not inside a cue (a .srt block without a timing line, text before the first cue),
because such text would otherwise be lost or glued to the wrong speaker.

Not speech, hence not kept: the ``WEBVTT`` header block, ``NOTE``, ``STYLE`` and
``REGION`` blocks, cue identifiers, markup (``<i>``, ``<v Name>``, ``{\\an8}``).

After the cues are laid out, :func:`subtitle_text` checks that every payload line of
the file is found, in order, in its segment: a future parser bug fails loudly
instead of dropping speech.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..errors import IngestError
from ..i18n import tr
from ..records import SegmentDraft
from ..settings import IngestSettings
from .encoding import normalise_text
from .speakers import accept_labels, known_label_keys, split_label

_ARROW = re.compile(r"\s*-{1,2}>\s*")
# A line that starts like a time and carries an arrow is a timing line (or a broken one).
_TIMING_LIKE = re.compile(r"^\s*\d[\d:.,]*\s*-{1,2}>")
_TIME = re.compile(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:([.,])(\d{1,3}))?")
_SETTING = re.compile(r"[\w-]+:\S+")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_TAG_VTT = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
_TAG_SRT = re.compile(r"</?(?:i|b|u|s|font)\b[^>]*>", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^>]+)>")
_HEADER_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass
class Cue:
    """One cue: its timing and its payload lines (line number, raw text)."""
    line: int
    start: float
    end: float
    payload: list[tuple[int, str]] = field(default_factory=list)

    @property
    def timestamp(self) -> str:
        return f"{_clock(self.start)} --> {_clock(self.end)}"


def parse_cues(text: str, fmt: str, shown: str) -> list[Cue]:
    """The cues of a normalised subtitle text (see the module doc)."""
    lines = text.split("\n")
    cues: list[Cue] = []
    i = 0
    if fmt == "vtt":
        if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0] if lines else ""):
            raise _malformed(shown, fmt, 1, tr("la première ligne doit être « WEBVTT »",
                                               "the first line must be 'WEBVTT'"))
        i = 1
        while i < len(lines) and lines[i].strip() and not _TIMING_LIKE.match(lines[i]):
            i += 1                                   # header lines (Kind:, Language:...)
    current: Cue | None = None
    while i < len(lines):
        line = lines[i]
        number = i + 1
        if not line.strip():
            current = None
            i += 1
            continue
        if _TIMING_LIKE.match(line):
            current = Cue(number, *_timing(line, shown, fmt, number))
            if cues and cues[-1].payload and cues[-1].payload[-1][1].strip().isdigit() \
                    and cues[-1].payload[-1][0] == number - 1:
                cues[-1].payload.pop()               # the index of this cue, glued to the previous one
            cues.append(current)
            i += 1
            continue
        if current is not None:
            current.payload.append((number, line))
            i += 1
            continue
        # A new block that does not start with a timing line.
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if fmt == "vtt" and line.split(" ", 1)[0].split("\t", 1)[0] in _HEADER_BLOCKS:
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        if _TIMING_LIKE.match(nxt) and (fmt == "vtt" or line.strip().isdigit()):
            i += 1                                   # cue identifier / index
            continue
        raise _outside(shown, fmt, number, line)
    return cues


def subtitle_text(text: str, fmt: str, shown: str, ingest: IngestSettings) -> tuple[str, list[SegmentDraft]]:
    """Subtitle cues → one line per cue part ("Fatima : words" or "words"), one segment each."""
    cues = parse_cues(text, fmt, shown)
    parts: list[tuple[str | None, str, str, list[tuple[int, str]]]] = []    # voice, words, timestamp, sources
    for cue in cues:
        for voice, words, sources in _cue_parts(cue, fmt):
            if words:
                parts.append((voice, words, cue.timestamp, sources))
    if not parts:
        return "", []
    # Cues without a <v> voice may still start with "Name : ": same rule as transcripts.
    found = [None if voice else split_label(words, ingest) for voice, words, _, _ in parts]
    labelled = [i for i, f in enumerate(found) if f is not None]
    ok = accept_labels([found[i][0] for i in labelled], known_label_keys(ingest))
    accepted = {i for i, good in zip(labelled, ok) if good}
    lines: list[str] = []
    segments: list[SegmentDraft] = []
    pos = 0
    for i, (voice, words, timestamp, _) in enumerate(parts):
        speaker = voice
        if i in accepted:
            label, offset = found[i]
            rest = words[offset:].strip()
            if rest:
                speaker, words = label, rest
        prefix = f"{speaker} : " if speaker else ""
        start = pos + len(prefix)
        segments.append(SegmentDraft(start, start + len(words), speaker=speaker, timestamp=timestamp, kind="cue"))
        line = prefix + words
        lines.append(line)
        pos += len(line) + 1
    out = "\n".join(lines)
    _check_coverage(out, segments, [p[3] for p in parts], fmt, shown)
    return out, segments


# --- internals ------------------------------------------------------------------------
def _cue_parts(cue: Cue, fmt: str) -> list[tuple[str | None, str, list[tuple[int, str]]]]:
    """A cue's payload split by voice (<v Name>): [(voice, words, source lines)]."""
    parts: list[tuple[str | None, list[str], list[tuple[int, str]]]] = []
    voice: str | None = None
    for number, raw in cue.payload:
        line = _ASS_TAG.sub("", raw)
        if fmt == "vtt":
            found = _VOICE.search(line)
            if found and (not parts or found.group(1) != voice):
                voice = " ".join(found.group(1).split()) or None
                parts.append((voice, [], []))
        if not parts:
            parts.append((voice, [], []))
        parts[-1][1].append(_clean(line, fmt))
        parts[-1][2].append((number, raw))
    return [(v, " ".join(" ".join(words).split()), sources) for v, words, sources in parts]


def _clean(line: str, fmt: str) -> str:
    line = _ASS_TAG.sub("", line)
    if fmt == "vtt":
        line = html.unescape(_TAG_VTT.sub("", line))
    else:
        line = _TAG_SRT.sub("", line)
    return " ".join(normalise_text(line).split())


def _check_coverage(out: str, segments: list[SegmentDraft], sources: list[list[tuple[int, str]]],
                    fmt: str, shown: str) -> None:
    """Every payload line's words are in its segment, in order (fails loudly otherwise)."""
    for seg, lines in zip(segments, sources):
        spoken = out[seg.start:seg.end]
        label = f"{seg.speaker} : " if seg.speaker else ""
        whole = label + spoken
        at = 0
        for number, raw in lines:
            words = _clean(raw, fmt)
            found = whole.find(words, at) if words else at
            if found < 0:
                raise IngestError(
                    tr(f"{shown}, ligne {number} : ce texte n'a pas été retrouvé dans les segments importés "
                       f"(« {raw.strip()[:60]} »). L'import est refusé pour ne rien perdre.",
                       f"{shown}, line {number}: this text was not found in the imported segments "
                       f"('{raw.strip()[:60]}'). The import is refused so that nothing is lost."),
                    tr("C'est une erreur du programme : signalez-la avec ce fichier si possible ; en attendant, "
                       "convertissez le fichier en .txt.",
                       "This is a bug: please report it with this file if you can; meanwhile, convert the file "
                       "to .txt."), path=shown)
            at = found + len(words)


def _timing(line: str, shown: str, fmt: str, number: int) -> tuple[float, float]:
    head = _ARROW.split(line.strip(), maxsplit=1)
    if len(head) != 2:
        raise _bad_time(shown, fmt, number, line)
    left, right = head
    pieces = right.split()
    if not pieces or any(not _SETTING.fullmatch(p) for p in pieces[1:]):
        raise _bad_time(shown, fmt, number, line)
    start, end = _seconds(left, shown, fmt, number, line), _seconds(pieces[0], shown, fmt, number, line)
    if end < start:
        raise _malformed(shown, fmt, number, tr(f"la fin ({pieces[0]}) précède le début ({left})",
                                                f"the end ({pieces[0]}) comes before the start ({left})"))
    return start, end


def _seconds(value: str, shown: str, fmt: str, number: int, line: str) -> float:
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise _bad_time(shown, fmt, number, line)
    hours, minutes, seconds, _, fraction = match.groups()
    if hours is None and fraction is None:       # "00:02": minutes:seconds or hours:minutes?
        raise _bad_time(shown, fmt, number, line)
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise _bad_time(shown, fmt, number, line)
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
            + (int(fraction) / 10 ** len(fraction) if fraction else 0.0))


def _clock(value: float) -> str:
    millis = round(value * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _fix_hint(fmt: str) -> str:
    return tr(f"Corrigez cette ligne (format attendu : 00:01:02,500 --> 00:01:04,000) dans un éditeur de texte "
              f"ou de sous-titres (Subtitle Edit, Aegisub), puis réimportez le .{fmt}.",
              f"Fix this line (expected format: 00:01:02,500 --> 00:01:04,000) in a text or subtitle editor "
              f"(Subtitle Edit, Aegisub), then import the .{fmt} again.")


def _bad_time(shown: str, fmt: str, number: int, line: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier de sous-titres {shown} est mal formé : horodatage illisible ou ambigu à la ligne "
           f"{number} (« {line.strip()[:80]} »).",
           f"The subtitle file {shown} is malformed: unreadable or ambiguous timing on line {number} "
           f"('{line.strip()[:80]}')."),
        _fix_hint(fmt), path=shown)


def _malformed(shown: str, fmt: str, number: int, detail: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier de sous-titres {shown} est mal formé à la ligne {number} : {detail}.",
           f"The subtitle file {shown} is malformed on line {number}: {detail}."),
        _fix_hint(fmt), path=shown)


def _outside(shown: str, fmt: str, number: int, line: str) -> IngestError:
    return IngestError(
        tr(f"Le fichier de sous-titres {shown} est mal formé : la ligne {number} (« {line.strip()[:80]} ») "
           f"n'appartient à aucun sous-titre (pas d'horodatage au-dessus). Elle serait perdue : l'import est refusé.",
           f"The subtitle file {shown} is malformed: line {number} ('{line.strip()[:80]}') belongs to no cue "
           f"(no timing line above it). It would be lost: the import is refused."),
        tr("Ajoutez l'horodatage manquant, ou rattachez ce texte au sous-titre précédent (sans ligne vide), "
           "puis réimportez le fichier.",
           "Add the missing timing line, or join this text to the previous cue (no blank line), then "
           "import the file again."), path=shown)
