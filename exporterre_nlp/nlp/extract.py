"""Codebook rules → spaCy matchers → extractions with exact offsets.

The rules live in the codebook YAML (``rules:`` and ``gazetteer:``), never here.
An :class:`Extractor` compiles them once (``Matcher``, ``DependencyMatcher``,
``PhraseMatcher`` for the gazetteer) and runs them on the *clean view* of each
parsed segment (:mod:`.views`: no fillers, no negation particles), then maps
every match back to character offsets of the segment's own text.

Negation. A match whose words were negated ("on n'a pas besoin de", "je sais
pas coudre") follows the rule's ``negation`` policy: ``exclude`` (default: no
finding, counted in :attr:`Extractor.negated_skipped`), ``flag`` (kept, with
``negated=True`` and half the score), or ``ignore`` (the rule is about a
negation itself, e.g. "il y a rien pour"). A rule whose pattern tests
``_: {negated: …}`` is ``ignore`` unless it says otherwise.

Codes. A finding gets its rule's code, or the deepest descendant of that code
one of whose ``keywords`` (lemmas) occurs in the object; with
``require_keyword: true`` a finding without such a keyword is dropped.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from spacy.attrs import IDX, LENGTH
from spacy.lang.fr.stop_words import STOP_WORDS
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from .anchors import (Anchor, DocIndex, WindowedDependencyMatcher, compile_regexes, pattern_requirements,
                      rule_anchors, tree_windows, windows, word_ids)
from .objects import ObjectPhrase, find_object, object_at, sentence_bounds
from .pipeline import blank_nlp
from .vetoes import vetoed
from .views import NEGATIVE_WORDS, CleanView, clean_view

# Words that, just before a match, deny it: "pas de problème", "sans souci", "aucun jardin".
DENYING_BEFORE = {"pas", "sans", "aucun", "aucune", "nul", "nulle"}

NEGATION_POLICIES = ("exclude", "flag", "ignore")
DEFAULT_CONFIDENCE = 0.8
GAZETTEER_RULE = "gazetteer"
GAZETTEER_CONFIDENCE = 0.9
# The words a sentence-model finding's object can be built on: a keyword of its sub-code, or else the
# noun — failing one, the verb — the model weighs most for its category (a skill's verb competes with
# the nouns: « j'ai toujours aimé cuisiner »). Verbs that say the category rather than its object
# (« il faut », « je sais », « ça manque ») are never the object.
_OBJECT_HEADS = {"NOUN", "PROPN", "VERB"}
_WEIGHED_HEADS = {"competence": ({"NOUN", "PROPN", "VERB"},), "lieu": ({"PROPN", "NOUN"},)}
_NOUNS_THEN_VERBS = ({"NOUN", "PROPN"}, {"VERB"})
_CUE_VERBS = {"avoir", "être", "faire", "aller", "venir", "dire", "voir", "savoir", "pouvoir", "vouloir", "devoir",
              "falloir", "manquer", "aimer", "souhaiter", "penser", "croire", "trouver", "mettre", "prendre",
              "donner", "passer", "rester", "sembler", "connaître", "apprendre", "inquiéter", "craindre",
              "travailler", "commencer", "continuer", "finir", "arriver", "partir"}
# Nouns that say the category itself, or when, or nothing in particular: never an object.
_NOT_OBJECTS = {"besoin", "problème", "souci", "peur", "manque", "envie", "chose", "truc", "fois", "façon",
                "manière", "an", "année", "mois", "semaine", "jour", "journée", "heure", "moment", "temps", "matin",
                "soir", "après-midi", "aprèm", "week-end", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
                "samedi", "dimanche", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre", "exemple", "niveau", "part", "coup"}
_PLACE_ENTITIES = {"LOC", "GPE", "FAC"}


@dataclass(frozen=True)
class Extraction:
    """One finding in one segment; offsets are in the segment's text."""
    rule_id: str
    category: str
    code: str
    start: int
    end: int
    matched: str               # the words that triggered the rule, as said
    object: str | None
    object_lemmas: tuple[str, ...]
    negated: bool
    score: float
    evidence: tuple[str, ...] = ()     # a sentence-model finding: the terms that weighed most for it


@dataclass(frozen=True)
class _Rule:
    id: str
    category: str
    code: str
    object: str | None
    negation: str
    confidence: float
    require_keyword: bool
    node_names: tuple[str, ...] = ()


def _mentions_negated(pattern) -> bool:
    return "negated" in repr(pattern)


def negation_policy(rule) -> str:
    value = rule.extra.get("negation")
    if value in NEGATION_POLICIES:
        return value
    return "ignore" if _mentions_negated(rule.pattern) else "exclude"


class Extractor:
    """Compiled rules of a codebook; call it on a parsed segment."""

    def __init__(self, codebook, vocab=None, *, min_score: float = 0.0, use_anchors: bool = True,
                 contextual: bool = True):
        """``use_anchors=False`` runs every rule on every whole segment: the same findings, slower
        (tests and benchmarks compare the two)."""
        vocab = vocab if vocab is not None else blank_nlp().vocab
        self.min_score = min_score
        self.negated_skipped = 0
        self.vetoed_in_context = 0          # findings dropped by a contextual veto (vetoes.py)
        # False: the rules alone, without the contextual vetoes (how the shipped sentence models were trained)
        self.contextual = contextual
        self.rules: dict[str, _Rule] = {}
        self.places = PhraseMatcher(vocab, attr="LOWER")
        self._place_of: dict[int, object] = {}
        self._routes = self._routing(codebook)
        # each rule with an anchor on every alternative gets a matcher of its own, run only on the
        # windows around its anchors; the others share one matcher run on every segment (anchors.py)
        self._compiled: list[tuple[object, bool, tuple[Anchor, ...] | None]] = []
        # for each anchored rule, what a segment must hold for each alternative to match it
        self._requirements: list[tuple[tuple[frozenset[int] | str, ...], ...] | None] = []
        shared, shared_dep = Matcher(vocab), DependencyMatcher(vocab)
        always = False                            # some rule may match any segment
        for r in codebook.rules:
            patterns = r.pattern if r.pattern and isinstance(r.pattern[0], list) else [r.pattern]
            dependency = r.kind == "dependency"
            names = tuple(n["RIGHT_ID"] for n in patterns[0]) if dependency else ()
            self.rules[r.id] = _Rule(r.id, r.category, r.code, r.object, negation_policy(r),
                                     float(r.extra.get("confidence", DEFAULT_CONFIDENCE)),
                                     bool(r.extra.get("require_keyword")), names)
            anchors = rule_anchors(patterns, dependency) if use_anchors else None
            always = always or anchors is None
            if anchors is None:
                matcher = shared_dep if dependency else shared
            else:
                matcher = WindowedDependencyMatcher(vocab) if dependency else Matcher(vocab)
                self._compiled.append((matcher, dependency, anchors))
                self._requirements.append(tuple(_rarest_first(pattern_requirements(p, dependency), a)
                                                for p, a in zip(patterns, anchors)))
            if dependency:
                matcher.add(r.id, patterns)
            else:
                matcher.add(r.id, patterns, greedy=r.extra.get("greedy"))
        self._compiled += [(m, dep, None) for m, dep in ((shared, False), (shared_dep, True)) if len(m)]
        self._requirements += [None] * (len(self._compiled) - len(self._requirements))
        tokenizer = blank_nlp().tokenizer
        first_words: set[int] = set()
        for place in getattr(codebook, "gazetteer", []) or []:
            key = f"{GAZETTEER_RULE}:{place.name}"
            phrases = [tokenizer(p) for p in place.phrases() if p.strip()]
            self.places.add(key, phrases)
            self._place_of[vocab.strings.add(key)] = place
            first_words |= word_ids([p[0].lower_ for p in phrases if len(p)])
        # which rules each anchor word or regex calls for; a segment calling for none is skipped
        self._by_word: dict[int, set[int]] = {}
        self._by_regex: dict[str, set[int]] = {}
        for i, (_, _, anchors) in enumerate(self._compiled):
            for anchor in anchors or ():
                for word in anchor.words:
                    self._by_word.setdefault(word, set()).add(i)
                for regex in anchor.regexes:
                    self._by_regex.setdefault(regex, set()).add(i)
        self._always = {i for i, (_, _, anchors) in enumerate(self._compiled) if anchors is None}
        self._words = frozenset(self._by_word)
        self._always_called = always
        self._first_words = frozenset(first_words)
        self._regexes = compile_regexes([a for _, _, anchors in self._compiled for a in anchors or ()])
        self._regexes.update(compile_regexes([Anchor(regexes=tuple(
            r for alternatives in self._requirements if alternatives for reqs in alternatives for r in reqs
            if isinstance(r, str)))]))
        self._regex_cache: dict[int, frozenset[str]] = {}     # word → the anchor regexes it matches
        self._columns = tuple({a.attr for _, _, anchors in self._compiled for a in anchors or () if a.words})
        self.vocab = vocab

    # -- codes ----------------------------------------------------------------------
    @staticmethod
    def _routing(codebook) -> dict[str, list[tuple[str, int, list[str]]]]:
        routes: dict[str, list] = {}
        for code in codebook.codes:
            out = []
            for d in codebook.descendants(code.key):
                words = [k.lower().replace("’", "'") for k in d.keywords if k.strip()]
                if words:
                    out.append((d.key, len(codebook.ancestors(d.key)), words))
            routes[code.key] = out
        return routes

    def route(self, code: str, phrase: ObjectPhrase | None, extra_lemmas: tuple[str, ...] = ()) -> str | None:
        """The deepest descendant of ``code`` with a keyword in the object, or None."""
        lemmas = (phrase.lemmas if phrase else ()) + tuple(extra_lemmas)
        if not lemmas and phrase is None:
            return None
        words = set(lemmas)
        if phrase is not None:
            words |= set(re.findall(r"[\w'-]+", phrase.text))
        joined = " " + " ".join(lemmas) + " " + (phrase.text if phrase else "") + " "
        best = None
        for key, depth, keywords in self._routes.get(code, ()):
            for kw in keywords:
                hit = kw in words if " " not in kw else f" {kw} " in joined
                if hit and (best is None or depth > best[1]):
                    best = (key, depth)
                    break
        return best[0] if best else None

    def file_sentence(self, finding: Extraction, doc: Doc, weight: Callable[[str, str], float] | None = None,
                      question: Sequence[str] = ()) -> Extraction:
        """A sentence-model finding (a whole sentence under a category's root code) filed under the deepest
        sub-code one of whose keywords is a lemma or word of the sentence, and given an object.

        The object is the noun group (or verb and its noun group) of the word that filed it under its
        sub-code; without one, of the noun (else verb) the model weighs most for the category
        (``weight(category, lemma)``, positive weights only); without one either, no object. The
        finding's span stays the sentence."""
        span = doc.char_span(finding.start, finding.end, alignment_mode="expand")
        if span is None:
            return finding
        lemmas = tuple(t.lemma_.lower() for t in span if not t.is_punct)
        words = tuple(t.lower_ for t in span if not t.is_punct)
        code = self.route(finding.code, None, lemmas + words)
        # the clean view of the sentence alone (a segment may be a long written answer): its offsets start
        # at the sentence; the oral marks come along (copy_user_data shifts their character keys)
        view = clean_view(span.as_doc(copy_user_data=True))
        inside = _inside(view, replace(finding, start=finding.start - span.start_char,
                                       end=finding.end - span.start_char))
        phrase = self._sentence_object(view, inside, finding, code, weight)
        if phrase is not None:
            finding = replace(finding, object=phrase.text, object_lemmas=phrase.lemmas)
        if weight is not None:
            finding = replace(finding, evidence=_evidence(view, inside, finding, weight, question))
        return finding if code is None else replace(finding, code=code)

    def _sentence_object(self, view: CleanView, inside: range, finding: Extraction, code: str | None,
                         weight: Callable[[str, str], float] | None) -> ObjectPhrase | None:
        clean = view.doc
        if not inside:
            return None
        # the sub-code's keywords, a phrase by its first word (« aide aux devoirs »: « aide »)
        keywords = {w.split()[0] for key, _, kws in self._routes.get(finding.code, ()) if key == code for w in kws}
        head = next((i for i in inside if clean[i].pos_ in _OBJECT_HEADS and (
            clean[i].lemma_.lower() in keywords or clean[i].lower_ in keywords)), None)
        if head is None and finding.category == "lieu":            # a place the NER saw and no rule took
            place = next((e for e in clean.ents if e.label_ in _PLACE_ENTITIES and e.start in inside), None)
            if place is not None:
                return ObjectPhrase(place.start, place.end, place.text, tuple(t.lemma_.lower() for t in place))
        if head is None and weight is not None:
            tiers = _WEIGHED_HEADS.get(finding.category, _NOUNS_THEN_VERBS)
            scored = [(-weight(finding.category, clean[i].lemma_.lower()), tier, i)
                      for tier, tags in enumerate(tiers) for i in inside if clean[i].pos_ in tags
                      and clean[i].lemma_.lower() not in _CUE_VERBS | _NOT_OBJECTS
                      and "Part" not in clean[i].morph.get("VerbForm")]     # « usé », « commencé »
            best = min((s for s in scored if s[0] < 0), default=None, key=lambda s: (s[1], s[0], s[2]))
            head = best[2] if best is not None else None
        if head is None:
            return None
        _, limit = sentence_bounds(clean, head)
        return object_at(clean, head, min(limit, inside[-1] + 1))

    # -- matching -------------------------------------------------------------------
    def _called(self, index: DocIndex) -> set[int]:
        """Indices in ``_compiled`` of the rules whose anchors occur in the segment."""
        called = set(self._always)
        for word in index.keys & self._words:
            called |= self._by_word[word]
        for regex in index.found_regexes():
            called |= self._by_regex.get(regex, set())
        return called

    def _possible(self, index: DocIndex, among: dict | None = None) -> dict[int, tuple[Anchor, ...] | None]:
        """Index in ``_compiled`` → the anchors of the rule's alternatives whose required words
        all occur in the segment (None: a rule without anchors), for the rules that can match;
        in order (remembered on the index). ``among``: the rules possible in a segment holding
        this one (its clean view), the only ones to test."""
        if index.rules is None:
            keys, found = index.keys, index.found_regexes()
            out: dict[int, tuple[Anchor, ...] | None] = {}
            for i in (sorted(self._called(index)) if among is None else among):
                anchors = self._compiled[i][2]
                if anchors is None:
                    out[i] = None
                    continue
                alive = []
                for anchor, requirements in zip(anchors, self._requirements[i]):
                    for r in requirements:
                        if (r not in found) if r.__class__ is str else r.isdisjoint(keys):
                            break
                    else:
                        alive.append(anchor)
                if alive:
                    out[i] = tuple(alive)
            index.rules = out
        return index.rules

    def _index(self, doc: Doc) -> DocIndex:
        return DocIndex(doc, self._regexes, self._regex_cache, self._columns)

    def _matches(self, doc: Doc, index: DocIndex):
        for i, anchors in self._possible(index).items():
            matcher, dependency, _ = self._compiled[i]
            if dependency:
                if anchors is not None:
                    ranges = tree_windows(anchors, index)
                    if not ranges:
                        continue
                    matcher.ranges, matcher.roots = ranges, index.roots
                for match_id, token_ids in matcher(doc):
                    rule = self.rules[self.vocab.strings[match_id]]
                    yield rule, min(token_ids), max(token_ids) + 1, dict(zip(rule.node_names, token_ids))
                continue
            by_rule: dict[int, list] = {}
            for start, end in ([(0, len(doc))] if anchors is None else windows(anchors, index)):
                for match_id, s, e in matcher(doc[start:end] if (start, end) != (0, len(doc)) else doc):
                    by_rule.setdefault(match_id, []).append(doc[start + s:start + e])
            for match_id, spans in by_rule.items():
                rule = self.rules[self.vocab.strings[match_id]]
                for span in filter_spans(spans):
                    yield rule, span.start, span.end, None

    def __call__(self, doc: Doc) -> list[Extraction]:
        index = self._index(doc)
        if not self._always_called and not self._possible(index) and index.keys.isdisjoint(self._first_words):
            return []                             # no rule or place can match: skip building the view
        view = clean_view(doc)
        # a segment without fillers or negation is its own view: its index serves again
        if view.doc is doc:
            return self._contextual(doc, self._extract(view, index))
        clean = self._index(view.doc)
        if not self._always_called:
            self._possible(clean, self._possible(index))          # the view holds fewer words
        return self._contextual(doc, self._extract(view, clean))

    def _contextual(self, doc: Doc, found: list[Extraction]) -> list[Extraction]:
        """``found`` without the findings a contextual veto drops (:mod:`.vetoes`; places never), counted in
        :attr:`vetoed_in_context`."""
        if not self.contextual:
            return found
        judged = [f for f in found if f.rule_id != GAZETTEER_RULE and f.category != "lieu"]
        reasons = vetoed(doc, judged)
        if not any(reasons):
            return found
        dropped = {id(f) for f, reason in zip(judged, reasons) if reason}
        self.vetoed_in_context += len(dropped)
        return [f for f in found if id(f) not in dropped]

    def extract_view(self, view: CleanView) -> list[Extraction]:
        return self._extract(view, self._index(view.doc))

    def _extract(self, view: CleanView, index: DocIndex) -> list[Extraction]:
        clean = view.doc
        if len(clean) == 0:
            return []
        found: list[Extraction] = []
        lowers = view.lowers
        for rule, start, end, nodes in self._matches(clean, index):
            negated = any(i in view.negated for i in range(max(0, start - 2), end)) or (
                end < len(clean) and lowers[end] in NEGATIVE_WORDS) or (    # "il (ne) manque rien"
                any(lowers[i] in DENYING_BEFORE for i in range(max(0, start - 2), start)))
            if negated and rule.negation == "exclude":
                self.negated_skipped += 1
                continue
            phrase = find_object(clean, rule.object, start, end, nodes)
            matched_lemmas = tuple(t.lemma_.lower() for t in clean[start:end] if t.pos_ in ("NOUN", "VERB", "ADJ"))
            routed = self.route(rule.code, phrase, () if phrase else matched_lemmas)
            if rule.require_keyword and routed is None:
                continue
            score = rule.confidence * (0.5 if negated and rule.negation == "flag" else 1.0)
            if score < self.min_score:
                continue
            lo, hi = start, end
            if phrase is not None:
                lo, hi = min(lo, phrase.start), max(hi, phrase.end)
            s, e = view.char_span(lo, hi)
            matched = view.source_words(start, end)
            obj = phrase.text if phrase else (matched if rule.category == "lieu" else None)
            found.append(Extraction(rule.id, rule.category, routed or rule.code, s, e, matched,
                                    obj, phrase.lemmas if phrase else (), negated and rule.negation == "flag",
                                    round(score, 3)))
        for match_id, start, end in (self.places(clean) if len(self.places) else ()):
            place = self._place_of.get(match_id)
            if place is None:
                continue
            s, e = view.char_span(start, end)
            found.append(Extraction(GAZETTEER_RULE, "lieu", place.code, s, e, view.source_words(start, end),
                                    place.name, (), False, GAZETTEER_CONFIDENCE))
        return _dedupe(found)


def _inside(view: CleanView, finding: Extraction) -> range:
    """The clean view's tokens lying whole within the finding's characters (read from attribute arrays)."""
    if not len(view.source):
        return range(0)
    starts, lengths = view.source.to_array([IDX, LENGTH]).T.tolist()
    first = bisect_left(starts, finding.start)
    last = bisect_right([a + n for a, n in zip(starts, lengths)], finding.end)     # ends never decrease
    return range(bisect_left(view.index, first), bisect_left(view.index, last))


EVIDENCE_TERMS = 3


def _evidence(view: CleanView, inside: range, finding: Extraction, weight: Callable[[str, str], float],
              question: Sequence[str] = ()) -> tuple[str, ...]:
    """The content lemmas, pairs of content lemmas and words of the question (``Q:…``, the model's
    :func:`~.sentence_model.context_terms`) that weigh most for the finding's category, at most
    :data:`EVIDENCE_TERMS`, heaviest first (positive weights only): why the model proposed it. Stop
    words (« on », « de », « lui ») weigh too, but say nothing to a reader: left out."""
    clean = view.doc
    lemmas = [clean[i].lemma_.lower() or clean[i].lower_ for i in inside if not clean[i].is_punct]
    content = [w if w.isalpha() and len(w) > 2 and w not in STOP_WORDS else None for w in lemmas]
    terms = dict.fromkeys([w for w in content if w] + [f"{a} {b}" for a, b in zip(content, content[1:]) if a and b]
                          + list(question))
    scored = sorted(((weight(finding.category, t), t) for t in terms), key=lambda x: (-x[0], x[1]))
    return tuple(t for w, t in scored[:EVIDENCE_TERMS] if w > 0)


def _rarest_first(requirements: tuple, anchor: Anchor) -> tuple:
    """Requirements in the order they are best tested: the anchor's own last (it is what called
    the rule), regexes and longer word lists (function words) after single content words."""
    own = set(anchor.regexes) | ({anchor.words} if anchor.words else set())
    return tuple(sorted(requirements, key=lambda r: (r in own, isinstance(r, str), 0 if isinstance(r, str) else len(r))))


def _dedupe(found: list[Extraction]) -> list[Extraction]:
    """Within a category, overlapping findings: keep the most confident, then the longest."""
    kept: list[Extraction] = []
    for f in sorted(found, key=lambda f: (-f.score, -(f.end - f.start), f.start, f.rule_id)):
        if not any(k.category == f.category and k.start < f.end and f.start < k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.category, f.rule_id))
