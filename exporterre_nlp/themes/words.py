"""French topic words: lemmas, no stop words or oral fillers, elisions split, accents kept.

BERTopic's own preprocessing strips every character outside ``[A-Za-z0-9 ]``
when embeddings are precomputed (``vidosurveillance``, ``jai``). Here a
:class:`FrenchTokenizer` does the whole job for scikit-learn's vectorizers
(``CountVectorizer(analyzer=tokenizer)``): it removes transcription marks
(``[rires]``, ``(inaudible)``, timestamps), splits elisions (``l'école`` →
``école``; ``aujourd'hui`` and ``quelqu'un`` stay whole), lower-cases without
touching accents, maps each word form to its lemma through a :class:`Lexicon`
built by the French spaCy model, and keeps content words (nouns, proper nouns,
adjectives, verbs) that are neither French stop words nor oral fillers.

The tokenizer is a plain picklable object (two dicts), so a saved BERTopic
model keeps it and works without spaCy at load time.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})

# Oral French that spaCy's STOP_WORDS misses (measured: "bon" leaked into topic
# words), plus light verbs and empty nouns that name no theme.
ORAL_FILLERS = frozenset("""
euh euhm heu hum humm hmm mh mhm mmh ah oh eh ha hé bah ben beh bé hein bon ouais oui non ouai
voilà voila quoi genre enfin donc alors bref ok okay d'accord accord truc machin trucs machins
style tiens pff pfff bah ouf hop allez fin carrément vraiment franchement effectivement
justement exactement forcément quand même tellement limite grave
""".split())
LIGHT_WORDS = frozenset("""
être avoir faire aller dire pouvoir vouloir falloir savoir voir venir mettre prendre croire sembler devoir
penser trouver passer demander arriver rester essayer commencer entendre paraître rendre tenir laisser
appeler finir continuer permettre regarder attendre parler
chose choses fois coup moment façon manière côté sorte espèce monsieur madame gens personne truc
an ans année années jour jours mois semaine temps heure bout rien tout tous toute toutes
petit grand vrai bien gros seul dernier premier autre certain exemple cas niveau problème question
qu jusqu lorsqu puisqu quoiqu xx xxx
""".split())

_MARKS = re.compile(r"\[[^\]\n]{0,60}\]|\((?:inaudible|rires?|silence|pause|incompréhensible|\.\.\.|…|"
                    r"[^()\n]{0,20}\?)\)|\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\b", re.IGNORECASE)
_APOSTROPHES = re.compile(r"[’ʼ`´]")
# E-mail addresses and links are personal data or noise, never a theme ("gmail", "com").
_ADDRESSES = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_WORD = re.compile(r"aujourd'hui|quelqu'une?s?|presqu'île|prud'hom\w*|[^\W\d_]+(?:-[^\W\d_]+)*")
_NOISE = re.compile(r"^(?:x+|(.)\1+)$")        # "XXX" (inaudible in Rhapsodie), "mmm"
_ELIDED = re.compile(r"^(?:qu|jusqu|lorsqu|puisqu|quoiqu|[cdjlmnst])'", re.IGNORECASE)


def clean(text: str) -> str:
    """NFC, one kind of apostrophe; transcription marks, timestamps, e-mail addresses and links removed."""
    text = unicodedata.normalize("NFC", text)
    text = _APOSTROPHES.sub("'", text)
    text = _ADDRESSES.sub(" ", text)
    return _MARKS.sub(" ", text)


def word_forms(text: str) -> list[str]:
    """Lower-cased word forms with elisions split and accents kept."""
    out: list[str] = []
    for match in _WORD.finditer(clean(text).lower()):
        out.append(_ELIDED.sub("", match.group(0)))
    return [w for w in out if w]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's French stop words, our oral fillers and light words, and fillers.yaml when present."""
    from spacy.lang.fr.stop_words import STOP_WORDS
    words = set(STOP_WORDS) | ORAL_FILLERS | LIGHT_WORDS | _shared_fillers()
    return frozenset(_APOSTROPHES.sub("'", w.lower()) for w in words)


def _shared_fillers() -> set[str]:
    """The filler words (``always`` and ``contextual``) of ``exporterre_nlp/data/fillers.yaml``, if present.

    A topic word never needs the context rules: a filler that is sometimes a
    real word ("genre", "bon") names no theme either way.
    """
    from pathlib import Path

    import yaml
    path = Path(__file__).resolve().parents[1] / "data" / "fillers.yaml"
    if not path.exists():
        return set()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return set()
    if not isinstance(data, dict):
        return set()
    found = {str(w).lower() for w in data.get("always") or [] if isinstance(w, str)}
    found |= {str(item["word"]).lower() for item in data.get("contextual") or []
              if isinstance(item, dict) and isinstance(item.get("word"), str)}
    return {w for w in found if " " not in w}


@dataclass
class Lexicon:
    """Word form → (lemma, part of speech), the most frequent reading in the corpus."""
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_counts(cls, counts: dict[str, Counter]) -> "Lexicon":
        entries = {}
        for form in sorted(counts):
            (lemma, pos), _n = max(counts[form].items(), key=lambda kv: (kv[1], kv[0]))
            entries[form] = (lemma, pos)
        return cls(entries)

    def merge(self, other: "Lexicon") -> "Lexicon":
        return Lexicon({**other.entries, **self.entries})

    def __len__(self) -> int:
        return len(self.entries)


class FrenchTokenizer:
    """Text → French content lemmas; the analyzer of every vectorizer in themes/.

    Unknown forms (not seen by spaCy) are kept as they are if they are not stop
    words, so that the tokenizer also works on text that was not lemmatised.
    """

    def __init__(self, lexicon: Lexicon | None = None, *, extra_stop_words: Iterable[str] = (),
                 content_pos: Iterable[str] = CONTENT_POS, min_length: int = 2, bigrams: bool = False):
        self.lexicon = lexicon or Lexicon()
        self.stop = frozenset(stop_words() | {w.lower() for w in extra_stop_words})
        self.content_pos = frozenset(content_pos)
        self.min_length = min_length
        self.bigrams = bigrams

    def with_bigrams(self) -> "FrenchTokenizer":
        """The same tokenizer that also emits pairs of consecutive content lemmas ("transport commun")."""
        other = FrenchTokenizer.__new__(FrenchTokenizer)
        other.__dict__.update(self.__getstate__())
        other.bigrams = True
        return other

    def __call__(self, text: str) -> list[str]:
        memo = self.__dict__.setdefault("_memo", {})
        out: list[str] = []
        for raw in _WORD.findall(clean(text).lower()):
            terms = memo.get(raw)
            if terms is None:
                terms = memo[raw] = self._resolve(raw)
            out.extend(terms)
        if self.bigrams and len(out) > 1:
            out += [f"{a} {b}" for a, b in zip(out, out[1:])]
        return out

    def __getstate__(self):                      # the memo is rebuilt on use, never pickled
        state = dict(self.__dict__)
        state.pop("_memo", None)
        return state

    def _resolve(self, raw: str) -> tuple[str, ...]:
        """One matched word → its content lemma(s): elision split, hyphenated parts looked up when unknown."""
        form = _ELIDED.sub("", raw) if "'" in raw else raw
        if not form:
            return ()
        entries, stop, pos_ok = self.lexicon.entries, self.stop, self.content_pos
        entry = entries.get(form)
        if entry is None and "-" in form:
            return tuple(w for part in form.split("-") for w in self._one(part, entries.get(part), stop, pos_ok))
        return tuple(self._one(form, entry, stop, pos_ok))

    def _one(self, form: str, entry, stop, pos_ok) -> list[str]:
        if form in stop or len(form) < self.min_length or _NOISE.match(form):
            return []
        if entry is None:
            return [form]
        lemma, pos = entry
        if pos not in pos_ok or lemma in stop or len(lemma) < self.min_length:
            return []
        return [lemma]
