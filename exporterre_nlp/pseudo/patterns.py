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
    found = find_emails(text) + phones + nirs + find_addresses(text)
    return sorted(found, key=lambda m: (m.start, -m.end))
