"""Spoken forms of names: forms of address, spelled-out names, places and public figures.

- :func:`address_mentions` — "la mère Luc", "le père Antoine", "la tante Zohra", "le petit
  Kevin", "chez Luc", "les Bensaïd" (a family), "m'sieur Diallo", "maître Vendiste".
- :func:`spelled_mentions` — "D U R A N D", "B O U S S A deux D" → one candidate.
- :func:`flag` — a person mention inside a place expression ("rue Victor Hugo", "stade
  Lesdiguières", "Saint-Égrève") gets the note ``lieu``; a well-known public figure (the
  ``public_figures`` list, or a role word before the name: "le maire", "l'acteur") gets the
  note ``personnalité publique``. Flagged mentions are still proposed (recall first); the
  reviewer keeps them in bulk (``pseudo review --keep-flagged``).
- :func:`propagate` — every other occurrence, in any document, of a name already found.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterable

from .lexicon import Lexicon, fold
from .mentions import Mention, _fold_same_length, _overlaps

PLACE, PUBLIC = "lieu", "personnalité publique"
_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_NAME = rf"[{_UP}][\w]*(?:[-'’][{_UP}]?[\w]+)*"
# informal forms of address; group "form" is kept, the name after it is the mention
_FORMS_F = ("la mère", "la tante", "la tata", "la petite", "la vieille", "la grande", "mémé", "mamie", "mémère",
            "tata", "tatie", "m'dame", "la dame", "maman")
_FORMS_M = ("le père", "le tonton", "l'oncle", "l’oncle", "le petit", "le vieux", "le grand", "pépé", "papi", "pépère",
            "tonton", "m'sieur", "m’sieur", "msieu", "le docteur", "maître", "le frère", "papa")
_FORM_RX = re.compile(r"(?<![\w])(?P<form>(?i:" + "|".join(re.escape(f) for f in sorted(_FORMS_F + _FORMS_M, key=len,
                                                                                         reverse=True))
                      + rf"))[ \u00a0]+(?P<name>{_NAME})")
_GREET_RX = re.compile(rf"(?<![\w])(?P<form>(?i:bonjour|bonsoir|merci|salut|au revoir|coucou|allô|allo))[ ,\u00a0]+"
                       rf"(?P<name>{_NAME})(?=[ ,.!?…]|$)")
_CHEZ_RX = re.compile(rf"(?<![\w])(?P<form>chez|les)[ \u00a0]+(?P<name>{_NAME})")
# demonyms and plural nouns after "les" are not families: "les Portugais", "les Argentins", "les Alpes"
_NOT_FAMILY = re.compile(r"(?:ais|aise|ois|oise|ains|aines|ens|iens|iennes|ins|ines|ites|istes|eurs|ers|ards|es)$",
                         re.IGNORECASE)
_LETTER = re.compile(rf"[{_UP}]")
# transcribers' anonymisation marks ("XXX", "YYY", "Mme ZZZ") are not names
_MARK = re.compile(r"(?:(\w)\1{2,})(?:[ \-](\w)\2{2,})*")
_LINK = r"(?:de la|de l['’]|du|des|de|d['’]|la|le|les|l['’])"


def address_mentions(text: str, lexicon: Lexicon, protected) -> list[Mention]:
    out = []
    for m in _GREET_RX.finditer(text):     # "bonjour, Pierre", "merci Magalie": a first name, even "Pierre"
        name = m.group("name")
        if lexicon.is_first_name(name) and fold(name) not in lexicon.not_names \
                and not _overlaps(m.start("name"), m.end("name"), protected):
            out.append(Mention(m.start("name"), m.end("name"), name, None, lexicon.gender_of(name), "form", 0.75))
    for rx in (_FORM_RX, _CHEZ_RX):
        for m in rx.finditer(text):
            name, form = m.group("name"), fold(m.group("form"))
            start, end = m.start("name"), m.end("name")
            f = fold(name)
            if (f in lexicon.not_names or f in lexicon.titles or lexicon.keep(name) or _overlaps(start, end, protected)
                    or len(name) < 2 or f in lexicon.public_figures):
                continue
            if form == "les":
                if _NOT_FAMILY.search(name) and not lexicon.is_first_name(name):
                    continue
                score = 0.6
            elif form == "chez":
                if _shop_at(text, start, lexicon):
                    continue                   # "chez Leclerc", "chez Leroy Merlin": a shop, not a family
                score = 0.7
            else:
                score = 0.8
            gender = ("F" if form in {fold(x) for x in _FORMS_F} else
                      "M" if form in {fold(x) for x in _FORMS_M} else None)
            if form in ("chez", "les"):
                gender = lexicon.gender_of(name) if form == "chez" else None
            first = name if lexicon.is_first_name(name) and form != "les" else None
            out.append(Mention(start, end, first, None if first else name, gender, "form", score))
    return out


def _shop_at(text: str, start: int, lexicon: Lexicon) -> bool:
    """Whether a chain or brand of the lexicon's ``shops`` begins at ``start`` (whole words)."""
    if not lexicon.shops:
        return False
    ahead = fold(text[start:start + 40])
    return any(ahead.startswith(shop) and (len(ahead) == len(shop) or not ahead[len(shop)].isalnum())
               for shop in lexicon.shops)


def spelled_mentions(text: str, lexicon: Lexicon) -> list[Mention]:
    """Names spelled letter by letter ("D U R A N D"; "deux D" is a doubled letter): one mention."""
    out = []
    tokens = list(re.finditer(r"\S+", text))
    i = 0
    while i < len(tokens):
        letters, j, start, end = [], i, None, None
        while j < len(tokens):
            word = tokens[j].group().rstrip(",.;")
            if len(word) == 1 and _LETTER.fullmatch(word):
                letters.append(word)
                start = tokens[j].start() if start is None else start
                end = tokens[j].start() + len(word)
                j += 1
            elif word.lower() == "deux" and j + 1 < len(tokens) and len(tokens[j + 1].group().rstrip(",.;")) == 1 \
                    and tokens[j + 1].group()[0].isalpha() and letters:
                letters.append(tokens[j + 1].group()[0].upper() * 2)
                end = tokens[j + 1].start() + 1
                j += 2
            else:
                break
        if sum(len(x) for x in letters) >= 3 and len(letters) >= 3:
            name = "".join(letters).capitalize()
            first = name if lexicon.is_first_name(name) else None
            out.append(Mention(start, end, first, None if first else name, lexicon.gender_of(name) if first else None,
                               "spelled", 0.85))
            i = j
        else:
            i = max(j, i + 1)
    return out


_FILLERS = re.compile(r"(?:(?<=\W)|^)(?:euh|heu|hum|hm|mh|bah|ben)(?=\W|$)[ ,]*")


def _before(text: str, start: int, n: int = 60) -> str:
    """The folded words before ``start``, fillers removed ("l'arrêt, euh, Hubert Dubedout")."""
    return _FILLERS.sub("", fold(text[max(0, start - n):start])).rstrip(" ,") + " "


def _with_next(text: str, end: int, surface: str) -> str:
    """The surface and the capitalised word right after it ("Nicolas" + "Sarkozy")."""
    nxt = re.match(rf"[ \u00a0]+({_NAME})", text[end:end + 40])
    return f"{surface} {nxt.group(1)}" if nxt else surface


def flag(mentions: Iterable[Mention], text: str, lexicon: Lexicon) -> list[Mention]:
    """Notes ``lieu`` / ``personnalité publique`` on mentions (see the module doc)."""
    place_rx = None
    if lexicon.place_words:
        words = "|".join(re.escape(w) for w in sorted(lexicon.place_words, key=len, reverse=True))
        place_rx = re.compile(rf"(?:^|[^\w])(?:{words})(?:[ ,]+{_LINK})?[ ,]*$")
    role_rx = None
    if lexicon.public_roles:
        roles = "|".join(re.escape(w) for w in sorted(lexicon.public_roles, key=len, reverse=True))
        role_rx = re.compile(rf"(?:^|[^\w])(?:{roles})[ ,:]*$")
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: m.start):
        surface = text[m.start:m.end]
        before = _before(text, m.start)
        note = m.note
        prev = out[-1] if out else None
        if prev is not None and prev.note and not text[prev.end:m.start].strip(" -\u00a0"):
            out.append(replace(m, note=prev.note))      # "Victor" flagged lieu → "Hugo" right after too
            continue
        if (place_rx is not None and place_rx.search(before)) or re.match(r"(?i)(?:s(?:ain)?te?|notre)[- ]", surface) \
                or re.search(r"(?i)\bs(?:ain)?te?[- ]$", text[max(0, m.start - 7):m.start]):
            note = PLACE
        elif lexicon.public(surface) or lexicon.public(_with_next(text, m.end, surface)) \
                or (role_rx is not None and role_rx.search(before)):
            note = PUBLIC
        out.append(replace(m, note=note) if note != m.note else m)
    return out


def propagate(text: str, names: dict[str, Mention], lexicon: Lexicon, protected,
              taken: list[Mention]) -> list[Mention]:
    """Every occurrence in ``text`` of a name of ``names`` (folded surface → a mention naming it) not already
    found: same capitalisation, all capitals, or after an apostrophe ("d'Alex")."""
    if not names:
        return []
    out = []
    busy = [(m.start, m.end) for m in taken]
    low = _fold_same_length(text)
    rx = _names_rx(tuple(sorted(names, key=lambda k: (-len(k), k))))
    for m in rx.finditer(low):
        s, e = m.start(), m.end()
        source = names[m.group()]
        surface = text[s:e]
        if not surface[:1].isupper() or _overlaps(s, e, busy) or _overlaps(s, e, protected):
            continue
        busy.append((s, e))
        out.append(Mention(s, e, source.first, source.last, source.gender, "propagated", 0.8,
                           note=source.note if source.note == PUBLIC else ""))
    # a truncated start of a known name ("Céc~" before "Cécilia"): the transcriber's "~" marks a cut word
    singles = {k: v for k, v in names.items() if " " not in k}
    for m in re.finditer(rf"(?<![\w\-])([{_UP}][\w\-]+)~", text):
        s, e = m.start(), m.end()
        frag = fold(m.group(1))
        if _overlaps(s, e, busy) or len(frag) < 2:
            continue
        source = next((singles[k] for k in sorted(singles) if k.startswith(frag) and k != frag), None)
        if source is not None:
            busy.append((s, e))
            out.append(Mention(s, e, source.first, source.last, source.gender, "propagated", 0.7))
    return out


@lru_cache(maxsize=8)
def _names_rx(keys: tuple[str, ...]):
    """One pattern for all the names (longest first), on the folded text."""
    return re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w\-])")


def name_variants(m: Mention, surface: str, lexicon: Lexicon) -> dict[str, Mention]:
    """The surfaces a found name is searched under elsewhere: the whole name, and its first name and
    surname alone (each as its own mention, so linking keeps working)."""
    out: dict[str, Mention] = {}

    def usable(words: str) -> bool:
        f = fold(words)
        return (len(f) >= 3 and f not in lexicon.not_names and f not in lexicon.never_replace
                and f not in lexicon.titles and not _MARK.fullmatch(f))

    if usable(surface):
        out[fold(surface)] = m
    if m.first and m.last:
        if fold(m.first) not in lexicon.ambiguous and usable(m.first):
            out.setdefault(fold(m.first), Mention(0, 0, m.first, None, m.gender, m.detector, m.score, note=m.note))
        if fold(m.last) not in lexicon.ambiguous and usable(m.last):
            out.setdefault(fold(m.last), Mention(0, 0, None, m.last, m.gender, m.detector, m.score, note=m.note))
    return out
