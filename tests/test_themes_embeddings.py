"""Embedding backends: offline, normalised, content words only, clear errors."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from exporterre_nlp.errors import ModelError
from exporterre_nlp.themes.embeddings import HybridBackend, TfidfSvdBackend, TransformerBackend, make_backend
from exporterre_nlp.themes.words import FrenchTokenizer

TEXTS = ["la crèche est complète, pas de place pour le petit", "le bus ne passe plus le soir après huit heures",
         "je couds des robes et je fais des ourlets pour les voisines", "la crèche du quartier ferme trop tôt",
         "le tram et le bus sont toujours en retard le matin", "ma voisine coud et brode pour les mariages"] * 3


def test_tfidf_rows_are_unit_vectors_and_similar_texts_are_close():
    backend = TfidfSvdBackend(FrenchTokenizer(), n_components=4, seed=1)
    emb = backend.fit_embed(TEXTS)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    crèche, bus = backend.embed(["une place en crèche"])[0], backend.embed(["le bus du soir"])[0]
    assert float(crèche @ emb[0]) > float(crèche @ emb[1])
    assert float(bus @ emb[1]) > float(bus @ emb[0])


def test_hybrid_cosine_is_the_weighted_mean_of_both_cosines():
    backend = HybridBackend(FrenchTokenizer(), n_components=4, seed=1)
    vectors = np.random.default_rng(0).normal(size=(len(TEXTS), 300)).astype(np.float32)
    emb = backend.fit_embed(TEXTS, vectors)
    t = backend.tfidf.fit_embed(TEXTS)
    s = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    expected = 0.5 * (t[0] @ t[1]) + 0.5 * (s[0] @ s[1])
    assert emb[0] @ emb[1] == pytest.approx(expected, abs=1e-5)


def test_transformer_without_the_package_is_a_model_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ModelError, match="sentence-transformers"):
        TransformerBackend("intfloat/multilingual-e5-small").fit_embed(["bonjour"])


def test_transformer_never_downloads_and_says_so(monkeypatch):
    seen = {}

    class Refusing:
        def __init__(self, name, **kwargs):
            import os
            seen.update(kwargs, offline=os.environ.get("HF_HUB_OFFLINE"))
            raise OSError("not in the local cache")
    monkeypatch.setitem(sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=Refusing))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(ModelError, match="ne télécharge aucun modèle|downloads no model"):
        TransformerBackend("intfloat/multilingual-e5-small").embed(["bonjour"])
    assert seen["offline"] == "1" and seen["local_files_only"] is True


def test_unknown_backend_is_an_actionable_error():
    with pytest.raises(ModelError, match="tfidf"):
        make_backend("bert", tokenizer=FrenchTokenizer(), seed=1)


@pytest.mark.slow
def test_spacy_vectors_average_content_words_only():
    from exporterre_nlp.themes.lexicon import analyse_texts
    a = analyse_texts(["euh ben la crèche hein, voilà quoi", "la crèche"], with_vectors=True).vectors
    assert np.linalg.norm(a[0]) > 0
    assert np.allclose(a[0], a[1], atol=1e-6)          # fillers and stop words add nothing
