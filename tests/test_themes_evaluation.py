"""Quality helpers: majority labels with a documented tie-break; the default beats LDA on real labels."""
from __future__ import annotations

from dataclasses import replace

import pytest

from exporterre_nlp.settings import ThemeSettings
from exporterre_nlp.themes import evaluation as ev


def test_majority_label_breaks_ties_by_question_totals_then_alphabet():
    assert ev.majority_label({"B": 3, "A": 1}, {}) == "B"
    assert ev.majority_label({"B": 2, "A": 2}, {"A": 10, "B": 50}) == "B"
    assert ev.majority_label({"B": 2, "A": 2}, {"A": 7, "B": 7}) == "A"


def test_ami_is_chance_corrected():
    assert ev.ami([0, 0, 1, 1], [5, 5, 6, 6]) == pytest.approx(1.0)
    assert abs(ev.ami([0, 1] * 50, [0] * 50 + [1] * 50)) < 0.05


def test_granddebat_answers_load_with_majority_labels(shared_corpora):
    answers = ev.load_granddebat(shared_corpora / "granddebat-annotated")
    assert len(answers) > 2000
    assert all(a.label in a.votes and a.votes[a.label] == max(a.votes.values()) for a in answers)
    assert len(ev.top_questions(answers, 5)) == 5


@pytest.mark.slow
def test_default_themes_beat_lda_on_real_labels(shared_corpora):
    """All answers pooled, gold = the question; same number of topics for both."""
    answers = ev.load_granddebat(shared_corpora / "granddebat-annotated")
    corpus = ev.Corpus([a.text for a in answers])
    idx = list(range(len(answers)))
    gold = [a.question_id for a in answers]
    k = ev.n_gold(gold)
    ours = ev.ami(gold, ev.bertopic_assignments(corpus, idx, replace(ThemeSettings(), n_themes=k), 42))
    lda = ev.ami(gold, ev.lda_assignments(corpus, idx, k, 42))
    assert ours > lda + 0.05, (ours, lda)
