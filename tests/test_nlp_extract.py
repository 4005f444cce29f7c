"""Extraction: clean view, negation, objects, codes; every rule family on the real model."""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from exporterre_nlp.codebook import codebook_from_text
from exporterre_nlp.nlp.anchors import tree_windows
from exporterre_nlp.nlp.extract import Extractor, negation_policy
from exporterre_nlp.nlp.oral import OralMarker, load_lexicon
from exporterre_nlp.nlp.views import clean_view
from nlp_support import codebook, extractor, nlp_full  # noqa: F401  (fixtures)

MINI = """\
format: exporterre-codebook/1
name: Mini
codes:
  - key: besoins
    label: Besoins
    children:
      - key: besoins.garde
        label: Garde d'enfants
        keywords: [garde, crèche]
rules:
  - id: besoin.avoir_besoin
    category: besoin
    code: besoins
    pattern: [{LEMMA: avoir}, {LOWER: besoin}, {LOWER: {IN: [de, "d'"]}}]
    object: after
  - id: besoin.flagged
    category: besoin
    code: besoins
    pattern: [{LOWER: faut}]
    object: after
    negation: flag
  - id: besoin.keyword_only
    category: besoin
    code: besoins
    pattern: [{LOWER: voudrait}]
    object: after
    require_keyword: true
"""


def hand_doc(words, pos, lemmas, heads, deps):
    """A parsed doc built by hand (no model), with the oral marks applied."""
    vocab = spacy.blank("fr").vocab
    doc = Doc(vocab, words=words, pos=pos, lemmas=lemmas, heads=heads, deps=deps)
    return OralMarker(load_lexicon())(doc)


# "On n' a pas besoin de crèche ." — n' and pas hang on "a"
NEGATED = (["On", "n'", "a", "pas", "besoin", "de", "crèche", "."],
           ["PRON", "ADV", "VERB", "ADV", "NOUN", "ADP", "NOUN", "PUNCT"],
           ["on", "ne", "avoir", "pas", "besoin", "de", "crèche", "."],
           [2, 2, 2, 2, 2, 6, 4, 2], ["nsubj", "advmod", "ROOT", "advmod", "obj", "case", "nmod", "punct"])
POSITIVE = (["Euh", "on", "a", "besoin", "de", "de", "crèche", "."],
            ["INTJ", "PRON", "VERB", "NOUN", "ADP", "ADP", "NOUN", "PUNCT"],
            ["euh", "on", "avoir", "besoin", "de", "de", "crèche", "."],
            [2, 2, 2, 2, 6, 6, 3, 2], ["discourse", "nsubj", "ROOT", "obj", "case", "case", "nmod", "punct"])


def test_clean_view_drops_fillers_repeats_and_negation_and_keeps_offsets():
    doc = hand_doc(*NEGATED)
    view = clean_view(doc)
    assert [t.text for t in view.doc] == ["On", "a", "besoin", "de", "crèche", "."]
    assert [t._.negated for t in view.doc] == [False, True, False, False, False, False]
    start, end = view.char_span(1, 5)
    assert doc.text[start:end] == "a pas besoin de crèche"
    positive = clean_view(hand_doc(*POSITIVE))
    assert [t.text for t in positive.doc] == ["on", "a", "besoin", "de", "crèche", "."]
    assert not any(t._.negated for t in positive.doc)


def test_negated_match_is_excluded_by_default_and_counted():
    ex = Extractor(codebook_from_text(MINI))
    assert [f.rule_id for f in ex(hand_doc(*POSITIVE))] == ["besoin.avoir_besoin"]
    assert ex(hand_doc(*NEGATED)) == [] and ex.negated_skipped == 1


def test_finding_offsets_object_and_keyword_routing():
    doc = hand_doc(*POSITIVE)
    (f,) = Extractor(codebook_from_text(MINI))(doc)
    assert doc.text[f.start:f.end] == "a besoin de de crèche"
    assert f.matched == "a besoin de de" and f.object == "crèche"      # the words as said, repeat included
    assert f.code == "besoins.garde"                      # keyword "crèche" of a sub-code


def test_negation_policy_flag_keeps_the_finding_with_half_the_score():
    doc = hand_doc(["Il", "ne", "faut", "jamais", "de", "crèche"], ["PRON", "ADV", "VERB", "ADV", "ADP", "NOUN"],
                   ["il", "ne", "falloir", "jamais", "de", "crèche"], [2, 2, 2, 2, 5, 2],
                   ["nsubj", "advmod", "ROOT", "advmod", "case", "obl"])
    (f,) = Extractor(codebook_from_text(MINI))(doc)
    assert f.rule_id == "besoin.flagged" and f.negated and f.score == pytest.approx(0.4)


def test_require_keyword_drops_findings_without_a_sub_code_keyword():
    ex = Extractor(codebook_from_text(MINI))
    pos = ["PRON", "VERB", "DET", "NOUN"]
    found = ex(hand_doc(["On", "voudrait", "une", "crèche"], pos, ["on", "vouloir", "un", "crèche"], [1, 1, 3, 1],
                        ["nsubj", "ROOT", "det", "obj"]))
    assert [f.code for f in found] == ["besoins.garde"]
    assert ex(hand_doc(["On", "voudrait", "un", "banc"], pos, ["on", "vouloir", "un", "banc"], [1, 1, 3, 1],
                       ["nsubj", "ROOT", "det", "obj"])) == []


def test_a_lack_keeps_pas_de_visible_and_denies_what_follows():
    doc = hand_doc(["Il", "n'", "y", "a", "pas", "de", "problème"], ["PRON", "ADV", "PRON", "VERB", "ADV", "ADP", "NOUN"],
                   ["il", "ne", "y", "avoir", "pas", "de", "problème"], [3, 3, 3, 3, 3, 6, 3],
                   ["expl:subj", "advmod", "expl:comp", "ROOT", "advmod", "case", "obj"])
    view = clean_view(doc)
    assert [t.text for t in view.doc] == ["Il", "n'", "y", "a", "pas", "de", "problème"]
    assert not any(t._.negated for t in view.doc)
    book = codebook_from_text(MINI.replace("pattern: [{LOWER: faut}]", "pattern: [{LOWER: problème}]"))
    (f,) = Extractor(book)(doc)                           # "pas de problème": denied (this rule flags)
    assert f.negated and f.rule_id == "besoin.flagged"


def test_default_negation_policy_follows_the_pattern():
    book = codebook_from_text(MINI)
    assert [negation_policy(r) for r in book.rules] == ["exclude", "flag", "exclude"]


# ------------------------------------------------------------------ real model, shipped codebook
FAMILIES = {
    "besoin": [("Euh, on a besoin de, de la garde d'enfants, hein.", "garde d'enfants"),
               ("Il nous faudrait un local pour les jeunes.", "local"),
               ("Il manque des bancs dans le parc.", "banc"),
               ("Ce serait bien qu'il y ait un marché le samedi.", "marché")],
    "preoccupation": [("Le problème c'est les ascenseurs.", "ascenseur"),
                      ("On en a marre de la saleté.", "saleté"),
                      ("Il y a rien pour les jeunes.", "jeune")],
    "competence": [("Je sais coudre.", "coudre"), ("Je fais de la couture.", "couture"),
                   ("Je parle arabe et wolof.", None), ("J'ai un CAP de cuisine.", "cuisine")],
    "ressource": [("Il y a un jardin partagé derrière le 50.", "jardin partagé"),
                  ("On se dépanne entre voisins.", None)],
    "lieu": [("On se retrouve au parc Jean Verlhac avec les voisines.", None)],
}
NEGATED_SENTENCES = {"besoin": "Non, on n'a pas besoin de ça.", "competence": "Je ne sais pas coudre.",
                     "preoccupation": "Il ne manque rien, franchement."}


@pytest.mark.slow
@pytest.mark.parametrize("category, sentence, obj", [(c, s, o) for c, items in FAMILIES.items() for s, o in items])
def test_each_rule_family_finds_its_sentences(nlp_full, extractor, category, sentence, obj):
    doc = nlp_full(sentence)
    found = [f for f in extractor(doc) if f.category == category]
    assert found, sentence
    for f in found:
        assert sentence[f.start:f.end] and f.matched in sentence[f.start:f.end]
    if obj is not None:
        assert obj in [f.object for f in found], [f.object for f in found]


@pytest.mark.slow
@pytest.mark.parametrize("category, sentence", sorted(NEGATED_SENTENCES.items()))
def test_negated_sentences_give_no_positive_finding(nlp_full, extractor, category, sentence):
    doc = nlp_full(sentence)
    assert [f for f in extractor(doc) if f.category in ("besoin", "competence") and not f.negated] == []


@pytest.mark.slow
def test_every_codebook_example_gives_a_finding_of_its_category(nlp_full, extractor, codebook):
    """After negation, object and code handling (counter-examples: test_codebook.py)."""
    missed = [(rule.id, sentence) for rule in codebook.rules for sentence in rule.extra.get("examples", [])
              if not any(f.category == rule.category for f in extractor(nlp_full(sentence)))]
    assert missed == []


@pytest.mark.slow
def test_gazetteer_places_get_their_code(nlp_full, extractor):
    sentence = "Le samedi je vais au marché de l'Arlequin, puis à la Maison des habitants."
    found = {(f.code, sentence[f.start:f.end]) for f in extractor(nlp_full(sentence)) if f.category == "lieu"}
    assert ("lieux.marche", "marché de l'Arlequin") in found
    assert ("lieux.patio", "Maison des habitants") in found


@pytest.mark.slow
def test_anchors_only_skip_rules_that_cannot_match(nlp_full, codebook):
    """The same findings with and without the anchor short-cut, on real labelled sentences."""
    from exporterre_nlp.nlp.evaluate import load_eval_set
    texts = [s.text for s in load_eval_set(split="dev")]
    fast = Extractor(codebook, nlp_full.vocab)
    slow = Extractor(codebook, nlp_full.vocab, use_anchors=False)
    assert sum(anchors is not None for _, _, anchors in fast._compiled) > len(codebook.rules) // 2
    assert all(anchors is None for _, _, anchors in slow._compiled)
    for doc in nlp_full.pipe(texts):
        assert fast(doc) == slow(doc), doc.text


def test_a_rule_missing_one_of_its_required_words_is_not_tried_and_builds_no_view(monkeypatch):
    from exporterre_nlp.nlp import extract as extract_module
    ex = Extractor(codebook_from_text(MINI.replace(
        "pattern: [{LEMMA: avoir}, {LOWER: besoin}, {LOWER: {IN: [de, \"d'\"]}}]",
        "pattern: [{LEMMA: avoir}, {LOWER: besoin}, {LOWER: {IN: [de, \"d'\"]}}, {LOWER: crèche}]")))
    views = []
    monkeypatch.setattr(extract_module, "clean_view", lambda doc: views.append(doc) or clean_view(doc))
    pos, deps = ["PRON", "VERB", "NOUN", "ADP", "NOUN"], ["nsubj", "ROOT", "obj", "case", "nmod"]
    without = hand_doc(["On", "a", "besoin", "de", "bus"], pos, ["on", "avoir", "besoin", "de", "bus"],
                       [1, 1, 1, 4, 2], deps)
    index = ex._index(without)
    assert ex._called(index) and not ex._possible(index)       # anchored, but "crèche" is missing
    assert ex(without) == [] and views == []
    found = ex(hand_doc(["On", "a", "besoin", "de", "crèche"], pos, ["on", "avoir", "besoin", "de", "crèche"],
                        [1, 1, 1, 4, 2], deps))
    assert [f.rule_id for f in found] == ["besoin.avoir_besoin"] and len(views) == 1


@pytest.mark.slow
def test_dependency_rules_on_the_anchor_trees_find_what_the_whole_segment_gives(nlp_full, codebook):
    """Several sentences per segment: dependency rules run on the trees holding their anchor."""
    from exporterre_nlp.nlp.evaluate import load_eval_set
    texts = [s.text for s in load_eval_set(split="dev")]
    joined = [" ".join(texts[i:i + 4]) for i in range(0, len(texts), 4)]
    fast = Extractor(codebook, nlp_full.vocab)
    slow = Extractor(codebook, nlp_full.vocab, use_anchors=False)
    windowed = 0
    for doc in nlp_full.pipe(joined):
        assert fast(doc) == slow(doc), doc.text
        index = fast._index(doc)
        windowed += any(dep and anchors and tree_windows(anchors, index) not in ([], [(0, len(doc))])
                        for (_, dep, anchors) in fast._compiled)
    assert windowed > 10                          # the trees of the anchor, not the whole segment
