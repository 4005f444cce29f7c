"""Finding people in a document: entities, first-name lists, titles, speaker labels.

Pure functions over a text (and its spaCy parses): they return
:class:`Mention` records with document offsets; linking mentions to persons and
choosing pseudonyms happen later (:mod:`.detect`). Public names of the field
(places, associations, streets named after people: the ``never_replace`` list)
are protected: no mention may overlap one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .lexicon import Lexicon, fold
from .patterns import PERSON

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_WORD = rf"[{_UPPER}][\w]*(?:[-'’][{_UPPER}]?[\w]+)*"
CAP_WORD = re.compile(rf"(?<![\w\-@.])({_WORD})(?![\w@]|\.[a-z])")
TITLE_RX = re.compile(r"(?<![\w])(Mme|Mlle|Melle|M\.|Monsieur|monsieur|Madame|madame|Mademoiselle|mademoiselle|"
                      r"Dr|Docteur|docteur|Maître|maître|MONSIEUR|MADAME)[ \u00a0]+(" + _WORD + r"(?:[ \u00a0]" + _WORD + r")?)")
# Speaker labels that are codes, not names: E, E1, H2, F5, Q, R, Int...
CODE_LABEL = re.compile(r"^(?:[A-Z]{1,3}\d*|[A-Z]\d+[a-z]?|Enq\w*|Int\w*)$")


@dataclass(frozen=True)
class Mention:
    """A person named in a document: which words are a first name, which a surname."""
    start: int
    end: int
    first: str | None          # surface of the first-name part
    last: str | None           # surface of the surname part
    gender: str | None         # F | M from a title or the participant's attributes
    detector: str
    score: float
    category: str = PERSON
    note: str = ""             # "lieu" | "personnalité publique" (see forms.flag)


def protected_spans(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Where the text names a public place, association or institution (never replaced)."""
    rx = _protected_rx(lexicon.never_replace)
    if rx is None:
        return []
    # compare on a folded copy of the same length (fold per character keeps offsets)
    return [(m.start(), m.end()) for m in rx.finditer(_fold_same_length(text))]


@lru_cache(maxsize=16)
def _protected_rx(phrases: frozenset[str]):
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=None)
def _fold_char(ch: str) -> str:
    f = fold(ch) if ch.strip() else " "
    return f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else "?")


def _fold_same_length(text: str) -> str:
    return "".join(map(_fold_char, text))


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _split(words: list[str], lexicon: Lexicon, titled: bool) -> tuple[str | None, str | None]:
    """(first, last) surfaces of a name's words; ``titled``: after a formal title ("Mme", "monsieur")."""
    if titled:
        if len(words) >= 2 and lexicon.is_first_name(words[0]):
            return words[0], " ".join(words[1:])
        return None, " ".join(words)
    if len(words) == 1:
        return words[0], None
    return words[0], " ".join(words[1:])


def _name_words(span_text: str, lexicon: Lexicon) -> tuple[int, int, str | None] | None:
    """Trim greetings, titles and lowercase words around an entity: (start, end, title gender) within span_text."""
    tokens = list(re.finditer(r"[\w][\w'’\-.]*", span_text))
    i, gender = 0, None
    formal = False
    while i < len(tokens) and (fold(tokens[i].group()) in lexicon.not_names or fold(tokens[i].group()) in lexicon.titles
                               or not tokens[i].group()[:1].isupper()):
        w = tokens[i].group()
        formal = formal or fold(w) in lexicon.formal_titles
        if w in lexicon.female_titles or fold(w) in {fold(t) for t in lexicon.female_titles}:
            gender = "F"
        elif fold(w) in {fold(t) for t in lexicon.male_titles}:
            gender = "M"
        i += 1
    j = i
    while j < len(tokens) and tokens[j].group()[:1].isupper() and fold(tokens[j].group()) not in lexicon.not_names:
        j += 1
    if j == i:
        return None
    return tokens[i].start(), tokens[j - 1].end(), gender, formal


def ner_mentions(doc, offset: int, text: str, lexicon: Lexicon, protected) -> list[Mention]:
    """People among a parsed segment's entities (``doc`` from the NLP pipeline, oral marks applied)."""
    out = []
    for ent in doc.ents:
        if ent.label_ not in ("PER", "MISC"):
            continue
        trimmed = _name_words(ent.text, lexicon)
        if trimmed is None:
            continue
        s, e, gender, formal = trimmed
        start, end = offset + ent.start_char + s, offset + ent.start_char + e
        surface = text[start:end].rstrip(".")
        end = start + len(surface)
        words = surface.split()
        if not words or lexicon.keep(surface) or _overlaps(start, end, protected):
            continue
        if len(words) > 3 or any(fold(w) in lexicon.never_replace for w in words) or len(surface) < 3:
            continue
        if ent.label_ == "MISC" and not (len(words) == 1 and lexicon.is_first_name(words[0])):
            continue
        if len(words) == 1:
            span = doc.char_span(ent.start_char + s, ent.start_char + e, alignment_mode="expand")
            pos = span[0].pos_ if span is not None and len(span) else ""
            folded = fold(words[0])
            if folded in lexicon.ambiguous and ent.label_ != "PER":
                continue
            if not lexicon.is_first_name(words[0]) and pos != "PROPN":
                continue          # "Carrelage", "Construire": a capitalised common word or verb
        titled = formal or _titled_before(text, start, lexicon)
        first, last = _split(words, lexicon, titled)
        score = 0.9 if len(words) > 1 else (0.85 if ent.label_ == "PER" else 0.7)
        out.append(Mention(start, end, first, last, gender, "ner", score))
    return out


def _titled_before(text: str, start: int, lexicon: Lexicon) -> bool:
    before = text[max(0, start - 15):start].split()
    return bool(before) and fold(before[-1]) in lexicon.formal_titles


def title_mentions(text: str, lexicon: Lexicon, protected) -> list[Mention]:
    """"Mme Bouzid", "monsieur Ferreira": the surname (the title stays)."""
    out = []
    for m in TITLE_RX.finditer(text):
        name = m.group(2)
        words = name.split()
        # "Madame Diallo Fatou" is rare; a following capitalised word may start a new sentence
        if len(words) > 1 and not lexicon.is_first_name(words[0]):
            words = words[:1]
        surface = " ".join(words)
        start = m.start(2)
        end = start + len(surface)
        if fold(words[0]) in lexicon.not_names or lexicon.keep(surface) or _overlaps(start, end, protected):
            continue
        gender = "F" if fold(m.group(1)) in {fold(t) for t in lexicon.female_titles} else "M"
        first, last = _split(words, lexicon, True)
        out.append(Mention(start, end, first, last, gender, "title", 0.85))
    return out


def gazetteer_mentions(text: str, lexicon: Lexicon, protected) -> list[Mention]:
    """Capitalised first names of the lists (and a project's known names) anywhere in the text."""
    out = []
    for m in CAP_WORD.finditer(text):
        word = m.group(1)
        f = fold(word)
        if f in lexicon.known_names:
            detector, score = "known", 0.95
        elif f in lexicon.first_names and f not in lexicon.ambiguous:
            detector, score = "gazetteer", 0.75
        else:
            continue
        if _overlaps(m.start(), m.end(), protected):
            continue
        g = lexicon.known_names.get(f) or lexicon.first_names.get(f)
        out.append(Mention(m.start(), m.end(), word, None, g if g in ("F", "M") else None, detector, score))
    # multi-word known names ("Samia Tahiri" listed by the project)
    low = _fold_same_length(text)
    for name, g in lexicon.known_names.items():
        if " " not in name:
            continue
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", low):
            words = text[m.start():m.end()].split()
            out.append(Mention(m.start(), m.end(), words[0], " ".join(words[1:]), g if g in ("F", "M") else None,
                               "known", 0.95))
    return out


def speaker_name(label: str, lexicon: Lexicon, interviewer_labels: Iterable[str] = ()) -> tuple[str, str | None] | None:
    """The name part of a speaker label ("Pasteur Emmanuel" → Emmanuel) and the title's gender, or None."""
    label = label.strip()
    if not label or CODE_LABEL.match(label) or fold(label) in {fold(x) for x in interviewer_labels}:
        return None
    words = label.split()
    gender = None
    while words and fold(words[0]) in lexicon.titles:
        gender = "F" if fold(words[0]) in {fold(t) for t in lexicon.female_titles} else "M"
        words = words[1:]
    if not words or not all(w[:1].isupper() and re.fullmatch(r"[\w'’\-]+", w) for w in words):
        return None
    name = " ".join(words)
    if fold(name) in lexicon.not_names or lexicon.keep(name):
        return None
    return name, gender


def speaker_mentions(text: str, names: dict[str, str | None], lexicon: Lexicon, protected) -> list[Mention]:
    """Every occurrence of a speaker's name in the text (the labels themselves and mentions in turns)."""
    out = []
    for name, gender in names.items():
        words = name.split()
        g = gender or lexicon.gender_of(words[0])
        for m in re.finditer(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", text):
            if _overlaps(m.start(), m.end(), protected):
                continue
            first, last = (words[0], " ".join(words[1:]) or None)
            out.append(Mention(m.start(), m.end(), first, last, g, "speaker", 0.9))
    return out


def merge(mentions: Iterable[Mention]) -> list[Mention]:
    """No two mentions overlap: the longer one wins, then the higher score; scores of agreeing detectors rise."""
    items = sorted(mentions, key=lambda m: (-(m.end - m.start), -m.score, m.start, m.detector))
    kept: list[Mention] = []
    for m in items:
        clash = [k for k in kept if k.start < m.end and m.start < k.end]
        if not clash:
            kept.append(m)
            continue
        for i, k in enumerate(kept):      # same span found twice: keep one, raise its score a little
            if (k.start, k.end) == (m.start, m.end) and k.detector != m.detector and "+" not in k.detector:
                kept[i] = Mention(k.start, k.end, k.first, k.last, k.gender or m.gender, f"{k.detector}+{m.detector}",
                                  round(min(0.99, max(k.score, m.score) + 0.05), 2), note=k.note or m.note)
    return sorted(kept, key=lambda m: m.start)
