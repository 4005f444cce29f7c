"""Anchors and windows: skipping rules and tokens must never change what a Matcher finds."""
from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
import spacy
from spacy.matcher import Matcher
from spacy.strings import hash_string
from spacy.tokens import Doc

from exporterre_nlp.nlp import anchors as anchors_module
from exporterre_nlp.nlp.anchors import DocIndex, compile_regexes, pattern_anchor, rule_anchors, windows

VOCAB = spacy.blank("fr").vocab


def doc_of(text: str) -> Doc:
    return Doc(VOCAB, words=text.split())


def windowed(patterns, doc: Doc, greedy=None) -> set[tuple[int, int]]:
    """What the matcher finds running only on the windows, as (start, end) in the doc."""
    anchors = rule_anchors(patterns)
    matcher = Matcher(VOCAB)
    matcher.add("r", patterns, greedy=greedy)
    if anchors is None:
        return {(s, e) for _, s, e in matcher(doc)}
    found = set()
    for start, end in windows(anchors, DocIndex(doc, compile_regexes(anchors))):
        found |= {(start + s, start + e) for _, s, e in matcher(doc[start:end])}
    return found


def whole(patterns, doc: Doc, greedy=None) -> set[tuple[int, int]]:
    matcher = Matcher(VOCAB)
    matcher.add("r", patterns, greedy=greedy)
    return {(s, e) for _, s, e in matcher(doc)}


def test_anchors_prefer_a_content_word_and_know_its_reach():
    anchor = pattern_anchor([{"LOWER": "on"}, {"LEMMA": "avoir"}, {"POS": "ADV", "OP": "?"},
                             {"LOWER": {"IN": ["besoin", "besoins"]}}, {"LOWER": "de"}])
    assert anchor.words == {hash_string("besoin"), hash_string("besoins")}
    assert (anchor.before, anchor.after) == (3, 1)
    unbounded = pattern_anchor([{"LOWER": "crèche"}, {"POS": "ADJ", "OP": "*"}])
    assert (unbounded.before, unbounded.after) == (0, None)
    counted = pattern_anchor([{"LOWER": "très", "OP": "{1,3}"}, {"LOWER": "cher"}])
    assert counted.words == {hash_string("cher")} and counted.before == 3


def test_anchors_of_function_words_only_are_weak_and_optional_tokens_are_never_anchors():
    weak = pattern_anchor([{"LOWER": "il"}, {"LOWER": "y"}, {"LEMMA": "avoir"}])
    assert weak is not None and weak.strength == 2          # a function word, not a content word (0)
    assert pattern_anchor([{"LOWER": "crèche", "OP": "?"}, {"LOWER": "y"}]).words == {
        hash_string("y")}
    assert pattern_anchor([{"POS": "NOUN"}]) is None
    assert rule_anchors([[{"LOWER": "crèche"}], [{"POS": "NOUN"}]]) is None


def test_anchor_regexes_fixing_a_word_start_beat_function_words_but_endings_do_not():
    strong = pattern_anchor([{"LOWER": "ça"}, {"LOWER": {"REGEX": "^(inqui[eèé]t|angoiss)"}}])
    assert strong.regexes == ("^(inqui[eèé]t|angoiss)",) and not strong.words
    ending = pattern_anchor([{"LOWER": "sais"}, {"LOWER": {"REGEX": "(er|ir)$"}}])
    assert ending.words == {hash_string("sais")}


def test_windows_hold_every_match_and_skip_segments_without_the_anchor():
    patterns = [[{"LOWER": "on"}, {"LOWER": "a"}, {"LOWER": "besoin"}, {"LOWER": "de"}, {"IS_ALPHA": True}]]
    filler = " ".join(["et", "puis", "le", "soir", "voilà"] * 4)
    doc = doc_of(f"bon alors voilà on a besoin de bus {filler} on a besoin de médecins {filler} {filler}")
    anchors = rule_anchors(patterns)
    spans = windows(anchors, DocIndex(doc))
    assert len(spans) == 2 and sum(e - s for s, e in spans) < len(doc) // 2
    assert windowed(patterns, doc) == whole(patterns, doc) == {(3, 8), (28, 33)}
    assert windows(anchors, DocIndex(doc_of("rien à voir ici"))) == []


def test_anchors_on_spacys_reserved_words_find_their_matches():
    """"agent" and "aux" are spaCy symbols: their id is not their hash (a rule anchored on them was never
    tried before session 4)."""
    for word in ("agent", "aux"):
        assert hash_string(word) != VOCAB.strings[word]
        patterns = [[{"LOWER": "je"}, {"LOWER": "suis"}, {"LOWER": word}]]
        doc = doc_of(f"moi je suis {word} depuis longtemps")
        assert windowed(patterns, doc) == whole(patterns, doc) == {(1, 4)}


def test_windows_of_a_regex_anchor_find_the_words_it_matches():
    patterns = [[{"LOWER": "ça"}, {"LOWER": {"REGEX": "^inqui[eèé]t"}}]]
    doc = doc_of("et puis ça inquiète tout le monde ici , vraiment ça inquiète")
    assert windowed(patterns, doc) == whole(patterns, doc) == {(2, 4), (10, 12)}
    assert windows(rule_anchors(patterns), DocIndex(doc_of("ça va"), compile_regexes(rule_anchors(patterns)))) == []


WORDS = ["on", "a", "besoin", "de", "bus", "pas", "très", "cher", "ça", "inquiète", "le", "soir", ","]
OPS = [None, None, None, "?", "*", "+", "!", "{1,2}", "{2}"]


@st.composite
def token_specs(draw):
    kind = draw(st.sampled_from(["lower", "in", "regex", "alpha"]))
    if kind == "lower":
        spec = {"LOWER": draw(st.sampled_from(WORDS))}
    elif kind == "in":
        spec = {"LOWER": {"IN": draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))}}
    elif kind == "regex":
        spec = {"LOWER": {"REGEX": draw(st.sampled_from(["^inqui", "^bes", "^ch", "s$"]))}}
    else:
        spec = {"IS_ALPHA": True}
    op = draw(st.sampled_from(OPS))
    if op is not None:
        spec["OP"] = op
    return spec


@settings(max_examples=500, deadline=None)
@given(patterns=st.lists(st.lists(token_specs(), min_size=1, max_size=5), min_size=1, max_size=3),
       words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
       greedy=st.sampled_from([None, "LONGEST", "FIRST"]))
def test_windows_find_exactly_what_the_whole_segment_gives(patterns, words, greedy):
    patterns = [p for p in patterns if any(s.get("OP") in (None, "+", "!", "{1,2}", "{2}") for s in p)]
    if not patterns:
        return
    doc = Doc(VOCAB, words=words)
    try:
        expected = whole(patterns, doc, greedy)
    except ValueError:                          # a pattern spaCy refuses (e.g. only "!" tokens)
        return
    assert windowed(patterns, doc, greedy) == expected
    with mock.patch.object(anchors_module, "_MERGE_GAP", 0):      # windows as tight as they come
        assert windowed(patterns, doc, greedy) == expected


def test_regex_anchors_are_tried_word_by_word_and_remembered():
    patterns = [[{"LOWER": {"REGEX": r"\Abes"}}]]                # anchored on the word, as spaCy tries it
    anchors = rule_anchors(patterns)
    cache: dict[str, frozenset[str]] = {}
    doc = doc_of("on a besoin de bus")
    index = DocIndex(doc, compile_regexes(anchors), cache)
    assert windowed(patterns, doc) == whole(patterns, doc) == {(2, 3)}
    assert index.found_regexes() == {r"\Abes"}
    assert cache[VOCAB.strings["besoin"]] == {r"\Abes"} and cache[VOCAB.strings["bus"]] == frozenset()


def test_requirements_are_the_words_of_every_required_token_as_the_matcher_sees_them():
    from spacy.strings import get_string_id
    from exporterre_nlp.nlp.anchors import pattern_requirements
    pattern = [{"LEMMA": "faire"}, {"LOWER": {"IN": ["l'", "la"]}, "OP": "?"}, {"LOWER": "aide"},
               {"LOWER": "aux"}, {"LOWER": {"REGEX": "^devoir"}}, {"IS_PUNCT": True, "OP": "*"}]
    requirements = pattern_requirements(pattern)
    assert requirements == (frozenset({hash_string("faire")}), frozenset({hash_string("aide")}),
                            frozenset({get_string_id("aux")}), "^devoir")
    assert get_string_id("aux") != hash_string("aux")          # "aux" is one of spaCy's symbols
    assert VOCAB.strings["aux"] in requirements[2]
    dependency = [{"RIGHT_ID": "v", "RIGHT_ATTRS": {"LEMMA": {"IN": ["vouloir", "souhaiter"]}}},
                  {"LEFT_ID": "v", "REL_OP": ">", "RIGHT_ID": "o", "RIGHT_ATTRS": {"DEP": "obj"}}]
    assert pattern_requirements(dependency, dependency=True) == (
        frozenset({hash_string("vouloir"), hash_string("souhaiter")}),)


def test_tree_windows_hold_the_trees_of_the_anchor_and_nothing_else():
    from exporterre_nlp.nlp.anchors import tree_windows
    words = "on voudrait un local . il pleut ici depuis des jours et des jours . on voudrait un banc".split()
    heads = [1, 1, 3, 1, 1] + [6] * 10 + [16, 16, 18, 16]    # three trees, rooted at 1, 6 and 16
    doc = Doc(VOCAB, words=words, heads=heads, deps=["dep"] * len(words))
    anchors = rule_anchors([[{"RIGHT_ID": "v", "RIGHT_ATTRS": {"LOWER": "voudrait"}}]], dependency=True)
    index = DocIndex(doc, {})
    assert index.roots == [1] * 5 + [6] * 10 + [16] * 4
    with mock.patch.object(anchors_module, "_MERGE_GAP", 0):
        assert tree_windows(anchors, index) == [(0, 5), (15, 19)]
    assert tree_windows(anchors, DocIndex(doc_of("il pleut"), {})) == []
