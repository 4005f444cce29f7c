"""Word lists of pseudonymisation, as data: names to recognise, names to use, words to keep.

Shipped lists: ``exporterre_nlp/data/pseudo_names.yaml``, ``pseudo_keep.yaml`` and
``pseudo_first_names.tsv`` (3,677 first names with gender, built from Faker's person data,
MIT licence: see benchmarks/pseudo/build_first_names.py).
A project adds its own (known names of its participants, places and associations
of its field) in a YAML file named by the ``lists`` setting, with the same keys
plus ``known_names`` (``{name: F|M|X}`` or a list).
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ExporterreError
from ..i18n import tr

DATA = Path(__file__).resolve().parents[1] / "data"
NAMES_FILE = DATA / "pseudo_names.yaml"
KEEP_FILE = DATA / "pseudo_keep.yaml"
FIRST_NAMES_FILE = DATA / "pseudo_first_names.tsv"


def fold(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces: how lists are compared."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("\u00a0", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Lexicon:
    first_names: dict[str, str]          # folded first name -> F | M | X
    ambiguous: frozenset[str]            # folded
    known_names: dict[str, str]          # folded name (one or more words) -> gender (project list)
    never_replace: frozenset[str]        # folded
    titles: frozenset[str]               # folded
    formal_titles: frozenset[str]        # folded: a name after them is a surname
    female_titles: frozenset[str]
    male_titles: frozenset[str]
    not_names: frozenset[str]            # folded
    pseudonyms: dict[str, tuple[str, ...]]   # F | M | X -> names, in file order
    surnames: tuple[str, ...]
    digest: str
    public_figures: frozenset[str] = frozenset()     # folded names of well-known public figures
    public_roles: frozenset[str] = frozenset()       # folded words before a public figure's name
    place_words: frozenset[str] = frozenset()        # folded: rue, stade, école… + a name = a place
    shops: frozenset[str] = frozenset()              # folded: chains and brands after "chez" (not a family)

    def gender_of(self, first: str) -> str | None:
        g = self.known_names.get(fold(first)) or self.first_names.get(fold(first))
        return g if g in ("F", "M") else None

    def is_first_name(self, word: str) -> bool:
        f = fold(word)
        if f in self.first_names or f in self.known_names:
            return True
        parts = f.split("-")          # "Marie-Claude", "Jean-Baptiste": every part a first name
        return len(parts) > 1 and all(p in self.first_names for p in parts)

    def public(self, text: str) -> bool:
        """Is this name (or its last word) a well-known public figure of the list?"""
        f = fold(text)
        return f in self.public_figures or (" " in f and f.split()[-1] in self.public_figures)

    def keep(self, text: str) -> bool:
        """Is this a public name that must stay (a place, an association...)?"""
        f = fold(text)
        if f in self.never_replace:
            return True
        words = [w for w in f.split() if w not in self.titles]
        return bool(words) and " ".join(words) in self.never_replace


def _read(path: Path) -> tuple[dict, bytes]:
    try:
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ExporterreError(tr(f"Liste de pseudonymisation illisible : {path} ({exc}).",
                                 f"Pseudonymisation list unreadable: {path} ({exc})."),
                              tr("Corrigez le fichier (YAML, UTF-8) ou retirez le réglage pseudo.lists.",
                                 "Fix the file (YAML, UTF-8) or remove the pseudo.lists setting."),
                              path=str(path)) from None
    if not isinstance(data, dict):
        raise ExporterreError(tr(f"Liste de pseudonymisation invalide : {path} (une table clé: valeur est attendue).",
                                 f"Invalid pseudonymisation list: {path} (a key: value mapping is expected)."),
                              tr("Reprenez le modèle exporterre_nlp/data/pseudo_keep.yaml.",
                                 "Start from exporterre_nlp/data/pseudo_keep.yaml."), path=str(path))
    return data, raw


def _oral_words() -> set[str]:
    """Fillers and discourse words of spoken French (data/fillers.yaml plus a few markers)."""
    try:
        data = yaml.safe_load((DATA / "fillers.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    words = {fold(str(w)) for w in data.get("always") or []}
    words |= {fold(str(c.get("word"))) for c in data.get("contextual") or [] if isinstance(c, dict) and c.get("word")}
    return words | {"ben", "bah", "hein", "bon", "eh", "oh", "ah", "ouais", "quoi", "voila", "donc", "alors", "enfin",
                    "genre", "bref", "tiens", "dis", "allez", "attends", "ecoute", "merci", "salut", "oui", "non"}


def load_lexicon(extra: str | Path | None = None) -> Lexicon:
    """The shipped lists, plus a project's own file when given."""
    return _load(str(extra) if extra else None)


@lru_cache(maxsize=8)
def _load(extra: str | None) -> Lexicon:
    names, raw1 = _read(NAMES_FILE)
    keep, raw2 = _read(KEEP_FILE)
    own, raw3 = _read(Path(extra)) if extra else ({}, b"")
    firsts: dict[str, str] = {}
    for gender, values in (names.get("first_names") or {}).items():
        for v in values or []:
            firsts.setdefault(fold(str(v)), str(gender))
    raw4 = FIRST_NAMES_FILE.read_bytes() if FIRST_NAMES_FILE.exists() else b""
    tsv_ambiguous = set()
    oral = _oral_words() | {fold(str(v)) for s in (keep, own) for v in (s.get("not_names") or [])}
    for line in raw4.decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if fold(cols[0]) in oral:        # "Ben", "Bah": fillers of spoken French, never a name by themselves
            continue
        firsts.setdefault(fold(cols[0]), cols[1] if len(cols) > 1 else "X")
        if len(cols) > 3 and cols[3] == "1":
            tsv_ambiguous.add(fold(cols[0]))
    known: dict[str, str] = {}
    raw_known = own.get("known_names") or {}
    if isinstance(raw_known, list):
        raw_known = {k: "X" for k in raw_known}
    for k, g in raw_known.items():
        known[fold(str(k))] = str(g or "X").upper()[:1].replace("H", "M")

    def folded(key: str, *sources: dict) -> frozenset[str]:
        return frozenset(fold(str(v)) for s in sources for v in (s.get(key) or []))

    pseudos = {g: tuple(str(v) for v in vals or []) for g, vals in (names.get("pseudonyms") or {}).items()}
    for g, vals in (own.get("pseudonyms") or {}).items():
        pseudos[g] = tuple(str(v) for v in vals or [])
    surnames = tuple(str(v) for v in (own.get("surnames") or names.get("surnames") or []))
    digest = hashlib.sha256(raw1 + raw2 + raw3 + raw4).hexdigest()[:16]
    return Lexicon(firsts, folded("ambiguous", names, own) | tsv_ambiguous, known, folded("never_replace", keep, own),
                   folded("titles", keep, own), folded("formal_titles", keep, own), folded("female_titles", keep, own), folded("male_titles", keep, own),
                   folded("not_names", keep, own) | frozenset(oral), pseudos, surnames, digest,
                   folded("public_figures", keep, own), folded("public_roles", keep, own),
                   folded("place_words", keep, own), folded("shops", keep, own))
