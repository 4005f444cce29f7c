"""Word lists of pseudonymisation, as data: names to recognise, names to use, words to keep.

Shipped lists: ``exporterre_nlp/data/pseudo_names.yaml`` and ``pseudo_keep.yaml``.
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

    def gender_of(self, first: str) -> str | None:
        g = self.known_names.get(fold(first)) or self.first_names.get(fold(first))
        return g if g in ("F", "M") else None

    def is_first_name(self, word: str) -> bool:
        f = fold(word)
        return f in self.first_names or f in self.known_names

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
    digest = hashlib.sha256(raw1 + raw2 + raw3).hexdigest()[:16]
    return Lexicon(firsts, folded("ambiguous", names, own), known, folded("never_replace", keep, own),
                   folded("titles", keep, own), folded("formal_titles", keep, own), folded("female_titles", keep, own), folded("male_titles", keep, own),
                   folded("not_names", keep, own), pseudos, surnames, digest)
