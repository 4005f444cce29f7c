"""Oral French: a spaCy component that marks fillers, transcription marks,
truncated words and immediate repetitions.

Marks live on tokens (``token._.oral`` is ``"filler"``, ``"mark"``,
``"truncated"``, ``"repeat"`` or ``None``; ``token._.is_oral`` is a bool), so
that frequencies, topics and extraction rules skip them while the stored text
and its offsets stay untouched. The word lists are data
(``exporterre_nlp/data/fillers.yaml``), not code. When the pipeline has run the
entity recogniser, entities made only of oral tokens ("Ben", "Hein" tagged as
people) are dropped and oral tokens are trimmed from the edges of the others.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml
from spacy.attrs import LOWER, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..errors import ExporterreError
from ..i18n import tr

FILLER, MARK, TRUNCATED, REPEAT = "filler", "mark", "truncated", "repeat"
FACTORY = "exporterre_oral"
from .pipeline import DEFAULT_FILLERS
# Entities of a single token with these POS are not names or places ("Ça" as MISC).
_NON_ENTITY_POS = {"PRON", "INTJ", "ADV", "CCONJ", "SCONJ", "DET", "ADP", "AUX", "PUNCT"}

if not Token.has_extension("oral"):
    Token.set_extension("oral", default=None)
if not Token.has_extension("is_oral"):
    Token.set_extension("is_oral", getter=lambda t: t._.oral is not None)


@dataclass(frozen=True)
class Condition:
    """When a contextual filler counts as one (see fillers.yaml)."""
    edge: bool = False
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()
    not_after_pos: frozenset[str] = frozenset()
    not_before_pos: frozenset[str] = frozenset()
    not_before_title: bool = False


@dataclass(frozen=True)
class OralLexicon:
    always: frozenset[str]
    contextual: dict[str, Condition]
    phrases: dict[str, list[tuple[tuple[str, ...], Condition]]]   # first word -> [(words, condition)]
    marks: tuple[re.Pattern, ...]
    truncated: re.Pattern
    repeat_max: int
    repeat_exceptions: frozenset[str]
    digest: str = ""                    # sha256 of the data file: part of the parse-cache key
    words: frozenset[str] = field(default=frozenset())   # every single filler word (for stop lists)
    extra_stop_words: frozenset[str] = field(default=frozenset())


def _condition(entry: dict) -> Condition:
    low = lambda key: frozenset(str(w).lower() for w in entry.get(key) or [])   # noqa: E731
    return Condition(bool(entry.get("edge")), low("not_after"), low("not_before"),
                     frozenset(entry.get("not_after_pos") or []), frozenset(entry.get("not_before_pos") or []),
                     bool(entry.get("not_before_title")))


def load_lexicon(path: str | Path | None = None) -> OralLexicon:
    """Read a filler file (default: the shipped ``data/fillers.yaml``)."""
    target = Path(path) if path else DEFAULT_FILLERS
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise ExporterreError(tr(f"Liste des mots de l'oral illisible : {target} ({exc.strerror}).",
                                 f"Oral word list unreadable: {target} ({exc.strerror})."),
                              tr("Vérifiez le chemin, ou supprimez le réglage pour revenir à la liste fournie.",
                                 "Check the path, or remove the setting to return to the shipped list."))
    return _parse(raw, str(target))


@lru_cache(maxsize=8)
def _parse(raw: bytes, where: str) -> OralLexicon:
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
        always = frozenset(str(w).lower() for w in data.get("always") or [])
        contextual = {str(e["word"]).lower(): _condition(e) for e in data.get("contextual") or []}
        phrases: dict[str, list] = {}
        for e in data.get("phrases") or []:
            words = tuple(str(e["words"]).lower().split())
            phrases.setdefault(words[0], []).append((words, _condition(e)))
        for options in phrases.values():          # longest phrase first
            options.sort(key=lambda o: -len(o[0]))
        marks = tuple(re.compile(p, re.IGNORECASE) for p in data.get("marks") or [])
        truncated = re.compile(data.get("truncated") or r"^\w{1,10}~$")
        return OralLexicon(always, contextual, phrases, marks, truncated, int(data.get("repeat_max", 3)),
                           frozenset(str(w).lower() for w in data.get("repeat_exceptions") or []),
                           hashlib.sha256(raw).hexdigest()[:16], always | frozenset(contextual),
                           frozenset(str(w).lower() for w in data.get("stop_words") or []))
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, re.error, ValueError) as exc:
        raise ExporterreError(tr(f"Liste des mots de l'oral invalide : {where} ({exc}).",
                                 f"Invalid oral word list: {where} ({exc})."),
                              tr("Corrigez le fichier en suivant les commentaires de data/fillers.yaml.",
                                 "Fix the file following the comments of data/fillers.yaml.")) from None


# ------------------------------------------------------------------ marking
def _holds(cond: Condition, doc: Doc, lowers: list[str], kinds: list, i: int, j: int, lex: OralLexicon,
           has_pos: bool) -> bool:
    """Does the condition hold for the candidate filler doc[i:j]?"""
    n = len(doc)
    prev, nxt = i - 1, j
    if cond.edge:
        before = prev < 0 or doc[prev].is_punct or kinds[prev] is not None
        after = nxt >= n or doc[nxt].is_punct or kinds[nxt] is not None or lowers[nxt] in lex.always
        if not (before or after):
            return False
    if prev >= 0:
        if lowers[prev] in cond.not_after:
            return False
        if has_pos and doc[prev].pos_ in cond.not_after_pos:
            return False
    if nxt < n:
        if lowers[nxt] in cond.not_before:
            return False
        if has_pos and doc[nxt].pos_ in cond.not_before_pos:
            return False
        if cond.not_before_title and doc[nxt].is_alpha and doc[nxt].text[:1].isupper():
            return False
    return True


def oral_kinds(doc: Doc, lex: OralLexicon) -> list[str | None]:
    """The oral kind of every token of ``doc`` (None for ordinary words)."""
    n = len(doc)
    kinds: list[str | None] = [None] * n
    if n == 0:
        return kinds
    strings = cached_strings(doc.vocab)
    columns = doc.to_array([ORTH, SPACY]).tolist()              # no Token objects: runs on every segment
    known = _word_info(lex, doc.vocab)
    info = [known.get(orth) or _describe(known, lex, doc.vocab, strings, orth) for orth, _ in columns]
    forms = [i[0] for i in info]
    lowers = [i[1] for i in info]
    has_pos = doc.has_annotation("POS")
    # doc.text, without the Token per word it builds
    text = "".join([form + " " if space else form for form, (_, space) in zip(forms, columns)]) \
        if lex.marks else ""
    for rx in lex.marks:
        for m in rx.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                for k in range(span.start, span.end):
                    kinds[k] = MARK
    # only the words the lexicon knows are visited below (flags: filler, truncated, phrase start, contextual)
    for k in [k for k, i in enumerate(info) if i[2] & (_ALWAYS | _TRUNCATED)]:
        if kinds[k] is None:
            kinds[k] = FILLER if info[k][2] & _ALWAYS else TRUNCATED
    after = 0                                      # multi-word fillers: a match skips its own words
    for k in [k for k, i in enumerate(info) if i[2] & _PHRASE]:
        if k < after or kinds[k] is not None:
            continue
        for words, cond in lex.phrases[lowers[k]]:
            j = k + len(words)
            if tuple(lowers[k:j]) == words and all(x is None for x in kinds[k:j]) \
                    and _holds(cond, doc, lowers, kinds, k, j, lex, has_pos):
                kinds[k:j] = [FILLER] * len(words)
                after = j
                break
    for k in [k for k, i in enumerate(info) if i[2] & _CONTEXTUAL]:     # single contextual fillers
        if kinds[k] is None and _holds(lex.contextual[lowers[k]], doc, lowers, kinds, k, k + 1, lex, has_pos):
            kinds[k] = FILLER
    _mark_repeats(doc, lowers, kinds, lex)
    return kinds


_ALWAYS, _TRUNCATED, _PHRASE, _CONTEXTUAL = 1, 2, 4, 8
_WORD_INFO: dict[tuple[int, int], tuple[object, dict]] = {}


def _word_info(lex: OralLexicon, vocab) -> dict[int, tuple[str, str, int]]:
    """Per lexicon and vocabulary: word form id → (form, lower-cased form, flags), filled as words come."""
    key = (id(lex), id(vocab))
    found = _WORD_INFO.get(key)
    if found is None or found[0] is not lex:
        found = _WORD_INFO[key] = (lex, {})
    return found[1]


def _describe(known: dict, lex: OralLexicon, vocab, strings, orth: int) -> tuple[str, str, int]:
    form = strings(orth)
    low = strings(vocab[orth].lower)
    flags = (_ALWAYS if low in lex.always else _TRUNCATED if lex.truncated.match(form) else 0) \
        | (_PHRASE if low in lex.phrases else 0) | (_CONTEXTUAL if low in lex.contextual else 0)
    known[orth] = (form, low, flags)
    return known[orth]


def cached_strings(vocab) -> Callable[[int], str]:
    """hash → string for ``vocab``, remembered (a StringStore lookup costs several dict lookups)."""
    cache = _STRING_CACHES.get(id(vocab))
    if cache is None or cache[0] is not vocab.strings:
        cache = _STRING_CACHES[id(vocab)] = (vocab.strings, {})
    store, known = cache

    def lookup(key: int) -> str:
        value = known.get(key)
        if value is None:
            value = known[key] = store[key]
        return value
    return lookup


_STRING_CACHES: dict[int, tuple] = {}

_ELIDED = {"j'": "je", "d'": "de", "l'": "le", "qu'": "que", "c'": "ce", "n'": "ne", "m'": "me", "s'": "se",
           "t'": "te", "jusqu'": "jusque", "lorsqu'": "lorsque", "puisqu'": "puisque"}


@lru_cache(maxsize=65536)
def _wordy(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def _mark_repeats(doc: Doc, lowers: list[str], kinds: list, lex: OralLexicon) -> None:
    """"je je", "on a on a", "la, la, la": every copy but the last is a repeat."""
    idx = [k for k in range(len(doc)) if kinds[k] is None and lowers[k] != ","]
    words = [_ELIDED.get(lowers[k].replace("’", "'"), lowers[k]) for k in idx]   # "je, j'arrive"
    m = len(idx)
    for pos in range(m):
        first = words[pos]
        for size in range(min(lex.repeat_max, (m - pos) // 2), 0, -1):
            if words[pos + size] != first:            # cheap test before comparing slices
                continue
            a, b = slice(pos, pos + size), slice(pos + size, pos + 2 * size)
            if words[a] == words[b] and all(_wordy(w) for w in words[a]):
                if size == 1 and words[pos] in lex.repeat_exceptions:
                    continue
                # a sentence boundary between the copies is not a repetition
                if any(doc[x].is_punct and doc[x].text != "," for x in range(idx[pos], idx[pos + size])):
                    continue
                for x in idx[a]:
                    kinds[x] = REPEAT
                break


def _clean_entities(doc: Doc) -> None:
    kept = []
    for ent in doc.ents:
        start, end = ent.start, ent.end
        while start < end and doc[start]._.oral is not None:
            start += 1
        while end > start and doc[end - 1]._.oral is not None:
            end -= 1
        if start == end:
            continue
        if end - start == 1 and doc[start].pos_ in _NON_ENTITY_POS:
            continue
        kept.append(ent if (start, end) == (ent.start, ent.end) else Span(doc, start, end, label=ent.label))
    if [(e.start, e.end) for e in kept] != [(e.start, e.end) for e in doc.ents]:
        doc.ents = kept


class OralMarker:
    """The ``exporterre_oral`` pipeline component."""

    def __init__(self, lexicon: OralLexicon, filter_entities: bool = True):
        self.lexicon = lexicon
        self.filter_entities = filter_entities

    def __call__(self, doc: Doc) -> Doc:
        for k, kind in enumerate(oral_kinds(doc, self.lexicon)):
            if kind is not None:
                doc[k]._.oral = kind
        if self.filter_entities and doc.has_annotation("ENT_IOB"):
            _clean_entities(doc)
        return doc


@Language.factory(FACTORY, default_config={"fillers_path": None, "filter_entities": True})
def make_oral_marker(nlp: Language, name: str, fillers_path: str | None, filter_entities: bool) -> OralMarker:
    return OralMarker(load_lexicon(fillers_path), filter_entities)


def oral_digest(fillers_path: str | Path | None = None) -> str:
    return load_lexicon(fillers_path).digest


def stop_words(fillers_path: str | Path | None = None) -> frozenset[str]:
    """French stop words for frequencies and topic words: spaCy's list, the filler
    words, and the oral extras of the filler file (lower case)."""
    from .pipeline import french_module
    STOP_WORDS = french_module("stop_words").STOP_WORDS
    lex = load_lexicon(fillers_path)
    phrase_words = {w for options in lex.phrases.values() for words, _ in options for w in words}
    return frozenset(STOP_WORDS) | lex.words | lex.extra_stop_words | phrase_words
