"""The labelled evaluation set and the precision / recall computation."""
from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.nlp.evaluate import CATEGORIES, EvalSentence, Label, evaluate, load_eval_set
from exporterre_nlp.nlp.extract import Extraction


def test_the_set_is_large_real_and_well_formed():
    sentences = load_eval_set()
    assert len(sentences) >= 300
    sources = Counter(s.source for s in sentences)
    assert sources["granddebat"] + sources["rhapsodie"] + sources["parisstories"] >= 300 and sources["demo"] > 0
    assert len({s.id for s in sentences}) == len(sentences)
    for s in sentences:
        assert s.split == ("dev" if int(hashlib.sha1(s.id.encode()).hexdigest(), 16) % 2 == 0 else "test")
        for label in s.labels:
            assert label.category in CATEGORIES and 0 <= label.start < label.end <= len(s.text)
    labelled = Counter(l.category for s in sentences if s.split == "test" for l in s.labels)
    assert all(labelled[c] >= 10 for c in CATEGORIES)
    assert any(not s.labels for s in sentences)          # ordinary sentences too


def test_splits_are_disjoint_and_fixed():
    dev, test = load_eval_set(split="dev"), load_eval_set(split="test")
    assert not {s.id for s in dev} & {s.id for s in test}
    assert len(dev) + len(test) == len(load_eval_set())


class _Fixed:
    """An extractor that returns given findings, to test the scoring alone."""

    def __init__(self, by_text):
        self.by_text = by_text

    def __call__(self, doc):
        return [Extraction("r", c, "code", s, e, "", None, (), False, 1.0) for c, s, e in self.by_text[doc.text]]


def test_overlap_matching_counts_each_label_and_finding_once():
    import spacy
    nlp = spacy.blank("fr")
    text = "On a besoin d'une crèche, il y a un jardin."
    sentence = EvalSentence("x", "demo", "test", text, (Label("besoin", 0, 24), Label("ressource", 26, 42)))
    found = {text: [("besoin", 5, 24), ("besoin", 0, 4), ("lieu", 36, 42)]}
    report = evaluate([sentence], nlp, _Fixed(found))
    besoin, ressource, lieu = report.scores["besoin"], report.scores["ressource"], report.scores["lieu"]
    assert (besoin.tp, besoin.fp, besoin.fn) == (1, 1, 0) and besoin.precision == 0.5 and besoin.recall == 1.0
    assert (ressource.tp, ressource.fn, ressource.recall) == (0, 1, 0.0)
    assert (lieu.fp, lieu.precision, lieu.recall) == (1, 0.0, None)
    assert {e["kind"] for e in report.errors} == {"fp", "fn"}


def test_a_missing_or_broken_set_is_an_actionable_error(tmp_path):
    with pytest.raises(ExporterreError):
        load_eval_set(tmp_path / "absent.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(ExporterreError, match="bad.jsonl:1"):
        load_eval_set(bad)


def test_every_label_quotes_its_span_and_names_its_batch_and_the_split_is_the_hash_parity():
    import hashlib
    import json

    from exporterre_nlp.nlp.evaluate import DEFAULT_SET
    rows = [json.loads(line) for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert Counter(r["batch"] for r in rows) == {1: 403, 2: 750, 3: 600}
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        odd = int(hashlib.sha1(r["id"].encode()).hexdigest(), 16) % 2
        assert r["split"] == ("test" if odd else "dev"), r["id"]
        for label in r["labels"]:
            assert r["text"][label["start"]:label["end"]] == label["span"], r["id"]


def test_one_source_can_be_evaluated_alone():
    demo = load_eval_set(split="test", source="demo")
    assert demo and {s.source for s in demo} == {"demo"} and {s.split for s in demo} == {"test"}
    everything = load_eval_set(split="test")
    assert len(demo) == sum(1 for s in everything if s.source == "demo") < len(everything)


def test_an_unknown_source_names_the_known_ones():
    from exporterre_nlp.nlp.evaluate import evaluate_codebook
    with pytest.raises(ExporterreError) as info:
        evaluate_codebook(None, source="twitter")
    assert "twitter" in info.value.message and "granddebat" in info.value.hint


def test_training_sentences_never_repeat_an_evaluation_sentence_and_quote_their_spans():
    import json

    from exporterre_nlp.nlp.evaluate import DEFAULT_SET
    read = lambda path: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    evaluation, training = read(DEFAULT_SET), read(DEFAULT_SET.with_name("nlp_train.jsonl"))
    assert len(training) == 3188 and {r["split"] for r in training} == {"train"}
    assert {r["batch"] for r in training} == {4, 5, 6} and len({r["id"] for r in training}) == len(training)
    assert not {r["id"] for r in training} & {r["id"] for r in evaluation}
    # a short sentence may recur in a corpus ("il y a pas de problème."): never one of the test half
    assert not {r["text"] for r in training} & {r["text"] for r in evaluation if r["split"] == "test"}
    for r in training:
        for label in r["labels"]:
            assert r["text"][label["start"]:label["end"]] == label["span"], r["id"]


def test_eval_set_sentences_carry_the_question_they_answer_when_known():
    rows = load_eval_set()
    with_question = [r for r in rows if r.context]
    assert {r.source for r in with_question} == {"granddebat", "demo"}
    assert all(r.context for r in rows if r.source == "granddebat")
    assert not any(r.context for r in rows if r.source in ("rhapsodie", "parisstories"))
