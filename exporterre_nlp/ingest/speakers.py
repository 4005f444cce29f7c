"""French transcript conventions → speaker turns, paragraphs and speaker roles.

The speaker-detection rule
--------------------------
A line *may* start a turn when it reads, after optional spaces::

    [timestamp] LABEL [timestamp] SEPARATOR words

* timestamp: ``[00:12:03]``, ``(00:12)`` or a bare ``00:12:03`` (optionally followed
  by a dash), or after the label: ``Fatima (00:12) :``;
* LABEL: 1 to 3 words of letters, digits, ``. ' ’ -`` (no sentence punctuation), at
  most ``max_label_length`` characters, starting with a capital letter unless it is
  a known interviewer label; also ``**E** :`` / ``**E :**`` (Markdown bold);
* SEPARATOR: ``:`` (spaces or no-break spaces before it allowed) or a dash
  ``-``/``–``/``—`` with spaces on both sides.

Such a line is only a *candidate*. It is refused when its first word is a French
function word, pronoun, discourse marker or field-note heading ("Il m'a dit :",
"Attention :", "Note :", "Date :", "Lieu :"...). Among the candidates:

1. a label is *confirmed* when it is a known interviewer label (settings or the
   document's own ``interviewer`` metadata) or appears at least twice;
2. the text is a transcript when at least one line has a confirmed label and at
   least two lines are turns;
3. in a transcript, a label seen once is also accepted when it looks like a
   speaker tag: a code (``R``, ``H1``, ``F2``, ``L3``) or a name whose words are all
   capitalised (``Mme Diallo``, ``Fatima``; not a lone adverb in -ment).

Several speakers at once (overlap, a couple answering together) are one turn whose
label names them all: ``A+B :``, ``AB+CD123 :``, ``A/B :``, ``(A et B) :``,
``(A, B) :``. The label is stored as its parts joined by ``+`` (``"A+B"``); such a
label is taken only when confirmed: it appears twice, or every part is a label of
the document (or a known interviewer label).

Anything else is text: field notes become paragraphs (blocks separated by blank
lines, or each line when there is no blank line). In a transcript a turn runs until
the next turn line (or a Markdown heading); lines before the first turn become
paragraphs. Segment offsets cover the words only (label, separator, timestamp and
surrounding whitespace excluded).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import SegmentDraft
from ..settings import IngestSettings, Settings

_SP = "[ \\t\\u00a0\\u202f]"
_TS = TIMESTAMP = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
_WORD = r"[^\W_][\w.'’\-]*"
_LABEL = rf"{_WORD}(?:[ \u00a0]{_WORD}){{0,2}}"
_DASH = rf"{_SP}+[-–—](?={_SP}|$)"
# Several speakers: "A+B", "AB+CD123", "A/B", "(A et B)", "(A, B)".
_MULTI = (rf"{_WORD}(?:{_SP}*[+/]{_SP}*{_WORD}){{1,3}}"
          rf"|\({_SP}*{_LABEL}(?:{_SP}*(?:,|&|\+|/|{_SP}et){_SP}+{_LABEL}){{1,3}}{_SP}*\)")
_MULTI_SPLIT = re.compile(rf"{_SP}*(?:[+/,&]|{_SP}et(?={_SP})){_SP}*")
_TURN = re.compile(
    rf"^{_SP}*"
    rf"(?:(?:\[(?P<ts1>{_TS})\]|\((?P<ts2>{_TS})\)|(?P<ts3>{_TS})){_SP}*(?:[-–—]{_SP}*)?)?"
    rf"(?:\*\*(?P<blabel>{_LABEL})(?:{_SP}*:{_SP}*\*\*|\*\*(?:{_SP}*:|{_DASH}))"
    rf"|(?P<label>{_MULTI}|{_LABEL})(?:{_SP}*[\[(](?P<ts4>{_TS})[\])])?(?:{_SP}*:|{_DASH}))"
)
_HEADING = re.compile(r"#{1,6}[ \t]")
# A legend such as "Q = enquêtrice ; R = Zohra" or "E : enquêtrice ; H1, H2 : fidèles".
_LEGEND_ITEM = rf"{_SP}*[\w.'’\-]+(?:[ ,]+[\w.'’\-]+){{0,3}}{_SP}*[:=][^;]+"
_LEGEND = re.compile(rf"{_LEGEND_ITEM}(?:;{_LEGEND_ITEM})+")
_CODE = re.compile(r"[A-Z]{1,3}\d{0,3}")
_PARTICLES = {"de", "du", "des", "d'", "d’", "la", "le", "van", "von", "ben", "bin", "el", "al", "da", "di"}
_STOP = set("""
il elle ils elles on je j' j’ tu nous vous ce c'est c’est ca cela ceci celui celle le la les l' l’
un une des du de d' d’ au aux et mais ou donc or ni car alors puis ensuite enfin bref quand si
comme parce pour par sur sous dans avec sans chez en y mon ma mes ton ta tes son sa ses notre
nos votre vos leur leurs cette ces cet qui que qu' qu’ quoi oui non voila voici bon ben bah eh ah
oh ici la-bas maintenant aujourd'hui aujourd’hui hier demain avant apres pendant depuis tout tous
toute toutes ca
note notes nb n.b ps p.s attention remarque remarques rq important rappel date dates lieu lieux
heure heures horaire horaires duree objet sujet contexte presents presentes participants
participantes absents theme themes titre source sources exemple exemples conclusion resume
synthese observation observations description adresse tel telephone mail email e-mail courriel
url http https www programme ordre locuteur locutrice speaker texte verbatim temps timecode
horodatage transcription enregistrement fichier entretien entretiens visite reunion seance
rencontre echange echanges presentation legende
lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet
aout septembre octobre novembre decembre
""".split())


def label_key(label: str) -> str:
    """Comparison key: no accents, case-folded, single spaces, no trailing dots."""
    decomposed = unicodedata.normalize("NFD", label)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = " ".join(plain.replace("\u00a0", " ").replace("\u202f", " ").split())
    return plain.casefold().rstrip(". ")


def speaker_role(label: str, *, interviewer_labels: Iterable[str] | None = None,
                 default_role: str = "other") -> str:
    """``"interviewer"`` when ``label`` is one of ``interviewer_labels``, else ``default_role``.

    Matching ignores case, accents, extra spaces and trailing dots ("Enq." =
    "enq", "Enquetrice" = "Enquêtrice"); a numbered label ("E1", "Enq 2") matches
    its base label. Pass the settings' labels plus the document's own interviewer
    labels; ``None`` means the default settings' labels.
    """
    if interviewer_labels is None:
        interviewer_labels = IngestSettings().interviewer_labels
    key = label_key(label)
    for candidate in interviewer_labels:
        base = label_key(str(candidate))
        if base and (key == base or re.fullmatch(re.escape(base) + r" ?\d{1,2}", key)):
            return "interviewer"
    return default_role


@dataclass(frozen=True)
class _Candidate:
    line: int          # index of the line
    label: str         # cleaned label as written
    key: str
    words_at: int      # offset of the end of "label + separator" in the text
    timestamp: str | None
    dash: bool         # separated by a dash rather than a colon


def find_segments(text: str, settings: IngestSettings | Settings | None = None, *,
                  interviewer_labels: Iterable[str] = ()) -> list[SegmentDraft]:
    """Speaker turns (or paragraphs) of a normalised plain text; see the module doc."""
    ingest = _ingest(settings)
    known = _known_keys(ingest, interviewer_labels)
    lines = _line_spans(text)
    candidates = []
    for index, (start, end) in enumerate(lines):
        candidate = _candidate(text, index, start, end, known, ingest.max_label_length)
        if candidate is not None:
            candidates.append(candidate)
    accepted = accept_labels([c.label for c in candidates], known, dashes=[c.dash for c in candidates])
    turns = [c for c, ok in zip(candidates, accepted) if ok]
    if not turns:
        return mark_non_speech(text, paragraphs(text, 0, len(text)), transcript=False)
    canonical: dict[str, str] = {}
    for turn in turns:
        canonical.setdefault(turn.key, turn.label)
    starts = {turn.line: turn for turn in turns}
    first = turns[0].line
    bounds = [i for i in range(first, len(lines))
              if i in starts or _HEADING.match(text, lines[i][0], lines[i][1])]
    segments = paragraphs(text, 0, lines[first][0])
    for n, index in enumerate(bounds):
        region_end = lines[bounds[n + 1]][0] if n + 1 < len(bounds) else len(text)
        turn = starts.get(index)
        if turn is None:    # a Markdown heading: its own paragraph, then any text after it
            segments += paragraphs(text, lines[index][0], lines[index][1])
            segments += paragraphs(text, lines[index][1], region_end)
            continue
        s, e = _trim(text, turn.words_at, region_end)
        if s < e:
            segments.append(SegmentDraft(s, e, speaker=canonical[turn.key],
                                         timestamp=turn.timestamp, kind="turn"))
    return mark_non_speech(text, segments, transcript=True)


# A whole paragraph between brackets: "[Fin de l'enregistrement]", "(rires, coupure)".
_BRACKETED = re.compile(r"^\s*[\[(][^\])]*[\])]\s*$")
_SENTENCE_END = re.compile(r"[.!?…»\"]\s*$")


def _title_like(line: str) -> bool:
    """Short, starting with a capital (or a Markdown '#'), with no sentence or clause punctuation at the end."""
    words, line = line.split(), line.strip()
    return (bool(words) and len(words) <= 20 and (line[0].isupper() or line[0] == "#")
            and not _SENTENCE_END.search(line) and line[-1] not in ",;:")


def mark_non_speech(text: str, segments: list[SegmentDraft], *, transcript: bool) -> list[SegmentDraft]:
    """Mark what nobody said as ``kind = "note"``: in a transcript, every paragraph outside a speaker turn
    (title, date and place, legend of the labels, transcriber's notes); in field notes, a first paragraph
    whose first line is a title (short, no final punctuation), and any paragraph wholly between brackets.
    Analysis, themes and quotes leave notes out; readers show them greyed."""
    out = []
    for i, seg in enumerate(segments):
        words = text[seg.start:seg.end]
        note = (transcript and seg.speaker is None) or _BRACKETED.match(words) is not None \
            or (not transcript and i == 0 and len(segments) > 1 and _title_like(words.split("\n", 1)[0]))
        out.append(SegmentDraft(seg.start, seg.end, speaker=seg.speaker, timestamp=seg.timestamp, kind="note")
                   if note and seg.speaker is None else seg)
    return out


def split_label(line: str, settings: IngestSettings | Settings | None = None) -> tuple[str, int] | None:
    """``(label, offset of the words)`` when ``line`` has the shape of a turn, else None.

    Only the shape is checked (and the stop-word list); use :func:`accept_labels`
    to apply the consistency rule over a whole document.
    """
    ingest = _ingest(settings)
    known = _known_keys(ingest, ())
    candidate = _candidate(line, 0, 0, len(line), known, ingest.max_label_length)
    return None if candidate is None else (candidate.label, candidate.words_at)


def accept_labels(labels: list[str], known_keys: set[str], *, dashes: list[bool] | None = None) -> list[bool]:
    """The consistency rule (steps 1-3 of the module doc) over a document's candidate labels."""
    keys = [label_key(label) for label in labels]
    counts = Counter(keys)
    confirmed = [k in known_keys or counts[k] >= 2
                 or ("+" in k and all(p in known_keys or counts[p] >= 1 for p in k.split("+")))
                 for k in keys]
    dashes = dashes or [False] * len(labels)
    # a label of several speakers is taken only when confirmed ("Paris/Lyon :" in notes is not a turn)
    taken = [ok or (not dash and "+" not in label and _speaker_like(label))
             for ok, label, dash in zip(confirmed, labels, dashes)]
    if not any(confirmed) or sum(taken) < 2:
        return [False] * len(labels)
    return taken


def known_label_keys(settings: IngestSettings | Settings | None = None,
                     extra: Iterable[str] = ()) -> set[str]:
    return _known_keys(_ingest(settings), extra)


def paragraphs(text: str, start: int, end: int) -> list[SegmentDraft]:
    """Paragraph segments of ``text[start:end]``: blocks between blank lines, or lines."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for s, e in _line_spans(text, start, end):
        if text[s:e].strip():
            current.append((s, e))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    if len(blocks) == 1:
        blocks = [[line] for line in blocks[0]]
    segments = []
    for block in blocks:
        s, e = _trim(text, block[0][0], block[-1][1])
        if s < e:
            segments.append(SegmentDraft(s, e, kind="paragraph"))
    return segments


# --- internals -------------------------------------------------------------------
def _ingest(settings: IngestSettings | Settings | None) -> IngestSettings:
    if settings is None:
        return IngestSettings()
    return getattr(settings, "ingest", settings)


def _known_keys(ingest: IngestSettings, extra: Iterable[str]) -> set[str]:
    labels = list(ingest.interviewer_labels) + [str(x) for x in extra if x]
    return {k for k in (label_key(label) for label in labels) if k}


def _line_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    spans = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        if nl < 0:
            if pos < end:
                spans.append((pos, end))
            break
        spans.append((pos, nl))
        pos = nl + 1
    return spans


def _candidate(text: str, index: int, start: int, end: int, known: set[str],
               max_length: int) -> _Candidate | None:
    line = text[start:end]
    match = _TURN.match(line)
    if match is None or _LEGEND.fullmatch(line):
        return None
    raw = match.group("label") or match.group("blabel")
    parts = [raw]
    if raw.startswith("(") or re.search(r"[+/]", raw):
        parts = [p for p in _MULTI_SPLIT.split(raw.strip("() \t\u00a0")) if p]
    parts = [" ".join(p.replace("\u00a0", " ").split()).rstrip(".") for p in parts]
    label = "+".join(parts)
    key = label_key(label)
    if not label or any(not p or len(p) > max_length or not p[0].isalpha() for p in parts):
        return None
    for part in parts:
        if label_key(part) not in known:
            first = label_key(part).split(" ")[0]
            if not part[0].isupper() or first in _STOP or first.rstrip(".") in _STOP:
                return None
    timestamp = next((t for t in match.group("ts1", "ts2", "ts3", "ts4") if t), None)
    dash = line[:match.end()].rstrip(" \t\u00a0\u202f*")[-1:] in "-–—"
    return _Candidate(index, label, key, start + match.end(), timestamp, dash)


def _speaker_like(label: str) -> bool:
    if "+" in label:
        return all(_speaker_like(part) for part in label.split("+"))
    if _CODE.fullmatch(label):
        return True
    words = label.split(" ")
    if len(words) == 1 and label.casefold().endswith("ment"):
        return False        # "Franchement :", "Évidemment :" are adverbs, not names
    return all(w[0].isupper() or w.isdigit() or w.casefold() in _PARTICLES
               or w.casefold().startswith(("d'", "d’")) for w in words)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
