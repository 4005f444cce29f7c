"""Choosing pseudonyms: French-looking names by gender, fake numbers, placeholders.

Deterministic: a pseudonym is picked from a fixed list by a hash of the seed and
the real value's key, moving on to the next free name when it is taken (by
another entity or by a real name of the corpus). Entries are created in key
order within a detection, and the key file keeps them: same corpus + same seed ⇒
same pseudonyms, and a pseudonym never changes once written (unless a person
edits it).
"""
from __future__ import annotations

import hashlib
import re

from ..store.pseudo import KeyEntry, KeyFile, NewKeyEntry
from .lexicon import Lexicon, fold
from .patterns import ADDRESS, ADDRESS_RX, EMAIL, NIR, PERSON, PHONE

# Numbers the French regulator (ARCEP) reserves for fiction: they ring nobody.
FICTION_PREFIX = {"06": "06 39 98", "07": "06 39 98", "04": "04 65 71", "01": "01 99 00", "02": "02 61 91",
                  "03": "03 53 01", "05": "05 36 49"}
NIR_PLACEHOLDER = "[n° de sécurité sociale]"
NUMBER_PLACEHOLDER = "[n°]"
EMAIL_DOMAIN = "exemple.org"


def _hash(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{key}".encode("utf-8")).digest()[:8], "big")


def pick(options: tuple[str, ...] | list[str], seed: int, key: str, taken: set[str]) -> str:
    """A name from ``options`` for ``key``: seeded, skipping taken ones (compared folded)."""
    if not options:
        raise ValueError("empty pseudonym list")
    n = len(options)
    first = _hash(seed, key) % n
    for step in range(n):
        name = options[(first + step) % n]
        if fold(name) not in taken:
            return name
    base = options[first]
    k = 2
    while fold(f"{base} {k}") in taken:
        k += 1
    return f"{base} {k}"


def digits(text: str) -> str:
    d = re.sub(r"\D", "", text)
    return "0" + d[2:] if d.startswith("33") and len(d) == 11 else ("0" + d[4:] if d.startswith("0033") else d)


class Pseudonymiser:
    """Creates key entries (person, phone, email, NIR, address) with their pseudonyms."""

    def __init__(self, key: KeyFile, lexicon: Lexicon, seed: int):
        self.key = key
        self.lexicon = lexicon
        self.seed = seed
        entries = key.entries()
        self.taken_first = {fold(e.pseudo_first) for e in entries if e.pseudo_first}
        self.taken_last = {fold(e.pseudo_last) for e in entries if e.pseudo_last}
        self.taken_values = {e.pseudonym for e in entries if e.category != PERSON}
        self.real_words = {fold(w) for e in entries for w in (e.real_first, e.real_last) if w}

    def avoid_real(self, words) -> None:
        """Real names seen in this detection: never used as pseudonyms."""
        self.real_words |= {fold(w) for w in words if w}

    # -- persons -------------------------------------------------------------
    def person(self, key: str, real: str, first: str | None, last: str | None, gender: str | None) -> KeyEntry:
        found = self.key.get(key)
        if found is not None:
            return found
        pf = pl = None
        if first:
            pool = self.lexicon.pseudonyms.get(gender or "X") or ()
            taken = self.taken_first | self.real_words
            if gender not in ("F", "M") and all(fold(p) in taken for p in pool):
                pool = tuple(self.lexicon.pseudonyms.get("F", ())) + tuple(self.lexicon.pseudonyms.get("M", ()))
            pf = pick(pool, self.seed, f"first|{key}", taken)
            self.taken_first.add(fold(pf))
        if last:
            pl = pick(self.lexicon.surnames, self.seed, f"last|{key}", self.taken_last | self.real_words)
            self.taken_last.add(fold(pl))
        full = " ".join(p for p in (pf, pl) if p)
        return self.key.add(NewKeyEntry(key, PERSON, real, full, gender, first, last, pf, pl))

    # -- contact details -----------------------------------------------------
    def value(self, category: str, real: str, person: KeyEntry | None = None) -> KeyEntry:
        key = f"{category}:{self.normalise(category, real)}"
        found = self.key.get(key)
        if found is not None:
            return found
        if category == PHONE:
            d = digits(real)
            prefix = FICTION_PREFIX.get(d[:2], "01 99 00")
            n = _hash(self.seed, key) % 10_000
            while True:
                value = f"{prefix} {n // 100:02d} {n % 100:02d}"
                if value not in self.taken_values:
                    break
                n = (n + 1) % 10_000
        elif category == EMAIL:
            if person is not None and (person.pseudo_first or person.pseudo_last):
                local = ".".join(_ascii(p) for p in (person.pseudo_first, person.pseudo_last) if p)
            else:
                local = f"contact-{_hash(self.seed, key) % 10_000:04d}"
            value, k = f"{local}@{EMAIL_DOMAIN}", 2
            while value in self.taken_values:
                value, k = f"{local}{k}@{EMAIL_DOMAIN}", k + 1
        elif category == NIR:
            value = NIR_PLACEHOLDER
        elif category == ADDRESS:
            m = ADDRESS_RX.match(real)
            value = f"{NUMBER_PLACEHOLDER} {m['street']}" if m else NUMBER_PLACEHOLDER
        else:
            raise ValueError(category)
        self.taken_values.add(value)
        return self.key.add(NewKeyEntry(key, category, real, value))

    @staticmethod
    def normalise(category: str, real: str) -> str:
        if category in (PHONE, NIR):
            return digits(real) if category == PHONE else re.sub(r"[\s.\u00a0]", "", real).upper()
        return fold(real)


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def render(entry: KeyEntry, has_first: bool, has_last: bool) -> str:
    """The pseudonym of one mention: first name, surname or both, as the mention has them."""
    if entry.category != PERSON:
        return entry.pseudonym
    parts = []
    if has_first and entry.pseudo_first:
        parts.append(entry.pseudo_first)
    if has_last and entry.pseudo_last:
        parts.append(entry.pseudo_last)
    if not parts:   # a mention with a part the entry lacks (surname-only person called by a first name)
        parts = [p for p in (entry.pseudo_first, entry.pseudo_last) if p]
    return " ".join(parts)
