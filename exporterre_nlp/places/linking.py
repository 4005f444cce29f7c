"""Place mentions → register entries.

Two ways a place is found in the words, both deterministic:

- :class:`AliasScanner` finds every name and alias of the register in a text
  (case, accents and the kind of apostrophe ignored, whole words only), with
  exact offsets of the stored text: this is how turns are tied to places;
- :class:`Linker` links one mention found by someone else (a ``lieu`` finding
  of the analysis, a human coding of a place code, an interview's ``lieu``
  metadata): a link a researcher made, else an exact alias (articles and
  prepositions ignored: « au marché », « la MDH »), else an alias inside the
  mention (« au parc Jean Verlhac le dimanche »), else a close spelling
  (« Verlac », « Kateb Yassine »: rapidfuzz ratio ≥ the settings' threshold, one
  best candidate only), else the codebook code of the mention when exactly one
  place carries it. What none of these links is *unresolved* and listed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from ..coding_tools import fold
from .register import PlaceRegister

# Words in front of a place name that do not name it (« au », « à la », « chez », « l' »…)
LEADING = frozenset("a au aux la le les l d de du des en dans chez vers sur sous pres cote devant derriere "
                    "jusqu jusque un une ce cet cette mon ma mes notre nos leur leurs son sa ses".split())
_TOKEN = re.compile(r"[a-z0-9]+")
METHODS = ("manual", "alias", "contains", "fuzzy", "code")


def normalise(text: str) -> str:
    """Case-, accent- and article-blind form of a place name: « À la MDH » → ``mdh``."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    tokens = _TOKEN.findall(plain)
    while tokens and tokens[0] in LEADING:
        tokens.pop(0)
    return " ".join(tokens)


@dataclass(frozen=True)
class Link:
    mention: str
    place: str | None                # register key, None when unresolved
    method: str | None               # manual | alias | contains | fuzzy | code
    score: float | None = None       # fuzzy similarity (0-100)


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a document, with its exact offsets."""
    document_id: int
    segment_id: int | None
    start: int
    end: int
    place: str
    method: str


class Linker:
    def __init__(self, register: PlaceRegister, *, manual: dict[str, str] | None = None,
                 fuzzy_threshold: float = 88.0):
        self.register = register
        self.manual = {normalise(k): v for k, v in (manual or {}).items()}
        self.threshold = fuzzy_threshold
        self.by_surface: dict[str, str] = {}
        for place in register:
            for surface in place.surfaces:
                self.by_surface[normalise(surface)] = place.key
        # longest first, so that « parc jean verlhac » wins over « parc »
        self._surfaces = sorted(self.by_surface, key=lambda s: (-len(s), s))
        # a code links a mention by itself only when it names one place and is not a branch of other
        # place codes (« lieux » holds Lyon and Turquie as well as the district)
        codes = {place.code for place in register if place.code}
        self.by_code: dict[str, list[str]] = {}
        for place in register:
            if place.code and not any(other.startswith(place.code + ".") for other in codes):
                self.by_code.setdefault(place.code, []).append(place.key)

    def link(self, mention: str, *, code: str | None = None) -> Link:
        norm = normalise(mention)
        if norm in self.manual:
            return Link(mention, self.manual[norm], "manual")
        if norm and norm in self.by_surface:
            return Link(mention, self.by_surface[norm], "alias")
        if norm:
            padded = f" {norm} "
            for surface in self._surfaces:
                if f" {surface} " in padded:
                    return Link(mention, self.by_surface[surface], "contains")
            best = self._fuzzy(norm)
            if best is not None:
                return Link(mention, best[0], "fuzzy", best[1])
        if code is not None and len(self.by_code.get(code, [])) == 1:
            return Link(mention, self.by_code[code][0], "code")
        return Link(mention, None, None)

    def _fuzzy(self, norm: str) -> tuple[str, float] | None:
        from rapidfuzz import fuzz, process
        found = process.extract(norm, self._surfaces, scorer=fuzz.ratio, limit=3, score_cutoff=self.threshold)
        if not found:
            return None
        best_score = found[0][1]
        places = {self.by_surface[s] for s, score, _ in found if score == best_score}
        if len(places) != 1:             # two places as close: a person decides
            return None
        return places.pop(), round(float(best_score), 1)


DEFINITE = ("le", "la", "les", "l'")
# an alias written with a definite article (« le lac ») is found in any definite form: « du lac », « au lac »…
DEFINITE_FORMS = r"(?:a\s+la|a\s+l'|de\s+la|de\s+l'|le|la|les|l'|au|aux|du|des)"


class AliasScanner:
    """Every register name or alias in a text, as exact offsets of that text."""

    def __init__(self, register: PlaceRegister):
        surfaces: dict[str, str] = {}
        # aliases made of common words only (« le marché », « la galerie »): accents must match (« la marche »
        # is a walk) and a proper name right after means another place (« le marché d'Aligre »)
        self.common: dict[str, str] = {}           # folded content -> lower-case content with its accents
        for place in register:
            for surface in place.surfaces:
                folded = " ".join(fold(surface).replace("'", "' ").split()).replace("' ", "'")
                if folded:
                    surfaces.setdefault(folded, place.key)
                    if surface == surface.lower():
                        words = _plain_lower(surface).replace("'", "' ").split()
                        if words[0] in DEFINITE and len(words) > 1:
                            words = words[1:]
                        content = " ".join(words).replace("' ", "'")
                        self.common[fold(content)] = self.common[folded] = content
        self.by_rest: dict[str, str] = {}
        forms: list[tuple[str, str]] = []            # (content words, regex)
        for folded, key in surfaces.items():
            words = folded.replace("'", "' ").split()
            if words[0] in DEFINITE and len(words) > 1:
                # « le lac »: only in a definite form (« un lac » is not the lake)
                rest = " ".join(words[1:]).replace("' ", "'")
                forms.append((rest, DEFINITE_FORMS + r"\s*" + self._words(rest)))
            else:
                # « Marché de l'Arlequin », « MDH »: bare or after an article (« au marché de l'Arlequin »)
                rest = folded
                forms.append((rest, f"(?:{DEFINITE_FORMS}\\s*)?" + self._words(rest)))
            self.by_rest.setdefault(rest, key)
        # the longest content first: « tram a » before « tram », « marche de l'arlequin » before « marche »
        parts = [regex for _, regex in sorted(forms, key=lambda f: (-len(f[0]), f[0]))]
        self.surfaces = surfaces
        body = "|".join(f"(?:{p})" for p in parts)
        self.pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)") if body else None

    @staticmethod
    def _words(text: str) -> str:
        return r"\s+".join(re.escape(w) for w in text.split()).replace(r"'\s+", r"'\s*")

    def _rest(self, matched: str) -> str:
        """The alias content a folded match stands for (articles and prepositions in front removed)."""
        folded = " ".join(matched.replace("'", "' ").split()).replace("' ", "'")
        if folded in self.surfaces:
            return folded
        words = folded.replace("'", "' ").split()
        for cut in (2, 1):               # « a la », « de l' » / « du », « au »…
            rest = " ".join(words[cut:]).replace("' ", "'")
            if rest in self.by_rest:
                return rest
        return folded

    def _key(self, rest: str) -> str:
        return self.surfaces.get(rest) or self.by_rest[rest]

    def _common_mismatch(self, rest: str, original: str, after: str) -> bool:
        content = self.common.get(rest)
        if content is None:
            return False
        spoken = " ".join(_plain_lower(original).replace("'", "' ").split()).replace("' ", "'")
        return not spoken.endswith(content) or bool(_PROPER_AFTER.match(after))

    def scan(self, text: str, offset: int = 0) -> list[tuple[int, int, str]]:
        """``(start, end, place key)`` of each mention in ``text`` (offsets + ``offset``)."""
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(fold(text)):
            rest = self._rest(m.group(0))
            if self._common_mismatch(rest, text[m.start():m.end()], text[m.end():m.end() + 40]):
                continue
            out.append((m.start() + offset, m.end() + offset, self._key(rest)))
        return out


# a proper name right after a common alias: « le marché d'Aligre », « le collège Lucie Aubrac »
_PROPER_AFTER = re.compile(r"\s+(?:de\s+|d['’]\s*|du\s+|des\s+)?[A-ZÀ-ÖØ-Þ]")


def _plain_lower(text: str) -> str:
    """Lower case with accents kept and one kind of apostrophe, same length as ``text``."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("’", "'").replace("ʼ", "'")


def unresolved(links: Iterable[Link]) -> list[tuple[str, int]]:
    """Unresolved mentions with how often each was seen (normalised form), most frequent first."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for link in links:
        if link.place is None:
            norm = normalise(link.mention) or link.mention.strip()
            counts[norm] = counts.get(norm, 0) + 1
            shown.setdefault(norm, " ".join(link.mention.split()))
    return sorted(((shown[n], c) for n, c in counts.items()), key=lambda x: (-x[1], x[0]))
