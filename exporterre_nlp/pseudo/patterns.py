"""Patterns for contact details: phones, e-mails, NIR numbers, street addresses.

Each finder returns :class:`Match` records with character offsets into the
text it was given, a category and a score. Near-misses (dates, times, postal
codes, prices, "3 rues plus loin") are kept out by anchors and word boundaries;
tests/test_pseudo_patterns.py lists them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PHONE, EMAIL, NIR, ADDRESS, PERSON = "phone", "email", "nir", "address", "person"
CATEGORIES = (PERSON, PHONE, EMAIL, NIR, ADDRESS)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    category: str
    detector: str
    score: float
    note: str = ""


# 06 12 34 56 78, 06.12.34.56.78, 06-12-34-56-78, 0612345678, +33 6 12 34 56 78,
# +33 (0)6 12 34 56 78, 0033 6 12 34 56 78. One separator kind per number.
_SEP = r"[ .\-]|\u00a0"
PHONE_RX = re.compile(
    r"(?<![\w+])(?:"
    r"0[1-9](?P<s1>[ .\-\u00a0]?)\d{2}(?P=s1)\d{2}(?P=s1)\d{2}(?P=s1)\d{2}"
    r"|(?:\+33|0033)[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9](?P<s2>[ .\-\u00a0]?)\d{2}(?P=s2)\d{2}(?P=s2)\d{2}(?P=s2)\d{2}"
    r")(?![\w]|[.,]\d|[ .\-\u00a0]\d{2}(?!\d))")

EMAIL_RX = re.compile(r"(?<![\w.+-])[\w.+-]*\w@\w[\w-]*(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w@])", re.UNICODE)

# NIR: sex, year, month, department (2A/2B for Corsica), commune, order, key.
_NIR_BODY = (r"(?P<sex>[1-478])(?P<s>[ .\u00a0]?)(?P<yy>\d{2})(?P=s)(?P<mm>\d{2})(?P=s)(?P<dep>\d{2}|2[ABab])(?P=s)"
             r"(?P<com>\d{3})(?P=s)(?P<ord>\d{3})")
NIR_RX = re.compile(r"(?<![\w])" + _NIR_BODY + r"(?:(?P=s)(?P<key>\d{2}))?(?![\w]|[.,]\d)")
NIR_CONTEXT = re.compile(r"(s[ée]cu|s[ée]curit[ée] sociale|NIR|INSEE|carte vitale|immatriculation)", re.IGNORECASE)

STREET_TYPES = ("rue", "avenue", "av.", "boulevard", "bd", "place", "galerie", "allée", "allee", "impasse",
                "chemin", "quai", "cours", "square", "route", "montée", "passage", "esplanade", "résidence")
_UP = r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ]"
_NAMEWORD = _UP + r"[\w\-]*"
_LINK = r"(?:de la |de l['’]|du |des |de |d['’]|la |le |les |l['’]|aux? |et )"
ADDRESS_RX = re.compile(
    r"(?<![\w,.])(?P<num>\d{1,4}(?:[ \u00a0]?(?:bis|ter|[A-D]\b))?),?[ \u00a0]+"
    r"(?P<street>(?P<type>(?i:" + "|".join(re.escape(t) for t in STREET_TYPES) + r"))[ \u00a0]+"
    r"(?:" + _LINK + r")*" + _NAMEWORD + r"(?:[ \u00a0\-](?:" + _LINK + r")*" + _NAMEWORD + r"){0,4})")


# Spoken forms: "zéro six, soixante et onze, vingt-deux…", "au quarante de la galerie".
_UNITS = {"zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
          "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
          "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
          "cent": 100, "cents": 100}
_NUMWORD = "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True))
# one spoken number: words joined by hyphens, spaces or "et" ("soixante et onze", "quatre-vingt-dix-neuf")
_NUMBER_WORDS = rf"(?:{_NUMWORD})(?:(?:-et-|-| et | )(?:{_NUMWORD}))*"
_SPOKEN_RUN = re.compile(rf"(?<![\w-])(?:zéro|zero)(?:[ ,.\-\u00a0]+(?:et[ \u00a0]+)?(?:{_NUMWORD}))+(?![\w-])",
                         re.IGNORECASE)


def _words_value(words: list[str]) -> int | None:
    """Value of one number said in words (0-999), or None."""
    total, current = 0, 0
    for w in words:
        v = _UNITS.get(w.lower())
        if v is None:
            return None
        if v == 100:
            current = max(1, current) * 100
        elif v == 20 and current % 100 == 4:        # quatre-vingt(s)
            current = current - 4 + 80
        else:
            current += v
    return total + current


def spoken_digits(run: str) -> str:
    """Digits of a phone number said in words: "zéro six, soixante et onze, …" → "0671…" (pairs after
    the first digits: each number below 100 is two digits, "zéro X" is "0X")."""
    tokens = [t for t in re.split(r"[ ,.\u00a0]+", run.strip()) if t]
    digits, i = "", 0
    while i < len(tokens):
        t = tokens[i].lower()
        if t in ("zéro", "zero"):
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            unit = _UNITS.get(nxt)
            if unit is not None and unit < 10 and "-" not in nxt:
                digits += "0" + str(unit)
                i += 2
            else:
                digits += "0"
                i += 1
            continue
        # one number: a hyphenated token, possibly "et" + onze/un, or tens + a following unit word
        group = tokens[i].lower().split("-")
        i += 1
        if i + 1 < len(tokens) and tokens[i].lower() == "et" and tokens[i + 1].lower() in ("un", "onze"):
            group += ["et", tokens[i + 1].lower()]
            i += 2
        value = _words_value([g for g in group if g != "et"])
        if value is None:
            return ""
        if value in (20, 30, 40, 50, 60, 70, 80) and i < len(tokens) and tokens[i].lower() in _UNITS \
                and 0 < _UNITS[tokens[i].lower()] < (20 if value in (60, 80) else 10):
            value += _UNITS[tokens[i].lower()]
            i += 1
        digits += f"{value:02d}" if value < 100 else str(value)
    return digits


def find_spoken_phones(text: str) -> list[Match]:
    out = []
    for m in _SPOKEN_RUN.finditer(text):
        if len(spoken_digits(m.group())) == 10:
            out.append(Match(m.start(), m.end(), PHONE, "pattern:phone-words", 0.85, "en toutes lettres"))
    return out


_HOUSE = (r"(?P<num>\d{1,4}|" + _NUMBER_WORDS + r")(?:[ \u00a0](?:bis|ter))?")
SPOKEN_ADDRESS_RX = re.compile(
    r"(?<![\w])(?:au|à|le|du)[ \u00a0]+" + _HOUSE + r",?[ \u00a0]+(?:(?:de la|de l['’]|du|des|de)[ \u00a0]+)?"
    r"(?P<type>(?i:" + "|".join(re.escape(t) for t in STREET_TYPES if t not in ("cours", "route", "passage", "place"))
    + r"|montée|tour|bâtiment|bat\.|immeuble))(?![\w])"
    r"(?:[ \u00a0]+(?:" + _LINK + r")*" + _NAMEWORD + r"(?:[ \u00a0\-](?:" + _LINK + r")*" + _NAMEWORD + r"){0,4})?",
    re.IGNORECASE)


def find_spoken_addresses(text: str) -> list[Match]:
    """"au 40 de la galerie", "au quarante de la galerie", "au cent dix rue Anatole France": the words
    after "au/à/le/du" (a spoken number in words needs that preposition)."""
    out = []
    for m in SPOKEN_ADDRESS_RX.finditer(text):
        start = m.start("num")
        out.append(Match(start, m.end(), ADDRESS, "pattern:address-words", 0.8, "forme orale"))
    return out


def nir_key_valid(digits13: str, key: int) -> bool:
    """The NIR key is 97 − (number mod 97); Corsica: 2A → 19 − 1,000,000, 2B → 18 − 2,000,000."""
    d = digits13.upper()
    if "2A" in d[5:7] or "2B" in d[5:7]:
        corsica = d[5:7]
        d = d[:5] + ("19" if corsica == "2A" else "18") + d[7:]
        number = int(d) - (1_000_000 if corsica == "2A" else 2_000_000)
    else:
        if not d.isdigit():
            return False
        number = int(d)
    return 97 - (number % 97) == key


def nir_key(digits13: str) -> int:
    """The key a valid NIR should carry (for tests and generated examples)."""
    for key in range(1, 98):
        if nir_key_valid(digits13, key):
            return key
    raise ValueError(digits13)


def find_phones(text: str) -> list[Match]:
    return [Match(m.start(), m.end(), PHONE, "pattern:phone", 0.95) for m in PHONE_RX.finditer(text)]


def find_emails(text: str) -> list[Match]:
    return [Match(m.start(), m.end(), EMAIL, "pattern:email", 0.99) for m in EMAIL_RX.finditer(text)]


def find_nirs(text: str) -> list[Match]:
    out = []
    for m in NIR_RX.finditer(text):
        mm = int(m["mm"])
        if not (1 <= mm <= 12 or 20 <= mm <= 42 or 50 <= mm <= 99):
            continue
        digits = m["sex"] + m["yy"] + m["mm"] + m["dep"] + m["com"] + m["ord"]
        context = NIR_CONTEXT.search(text, max(0, m.start() - 60), m.start()) is not None
        if m["key"] is None:
            # 13 digits alone are a NIR only when the words around say so
            if context:
                out.append(Match(m.start(), m.end(), NIR, "pattern:nir", 0.6, "sans clé"))
            continue
        if nir_key_valid(digits, int(m["key"])):
            out.append(Match(m.start(), m.end(), NIR, "pattern:nir", 0.99, "clé valide"))
        else:
            # a mistyped or misheard number is still personal data: lower score, said so
            out.append(Match(m.start(), m.end(), NIR, "pattern:nir", 0.8 if context else 0.5, "clé invalide"))
    return out


def find_addresses(text: str) -> list[Match]:
    out = []
    for m in ADDRESS_RX.finditer(text):
        out.append(Match(m.start(), m.end(), ADDRESS, "pattern:address", 0.9))
    return out


def find_all(text: str) -> list[Match]:
    """Every pattern, sorted by position. A phone inside a NIR is dropped."""
    nirs = find_nirs(text)
    phones = [p for p in find_phones(text) if not any(n.start <= p.start < n.end for n in nirs)]
    phones += [p for p in find_spoken_phones(text) if not any(q.start < p.end and p.start < q.end for q in phones)]
    addresses = find_addresses(text)
    addresses += [a for a in find_spoken_addresses(text)
                  if not any(b.start < a.end and a.start < b.end for b in addresses)]
    found = find_emails(text) + phones + nirs + addresses
    return sorted(found, key=lambda m: (m.start, -m.end))
