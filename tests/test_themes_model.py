"""The seeded BERTopic: reproducible, robust on small corpora, French words, no network."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.settings import ThemeSettings
from exporterre_nlp.themes.embeddings import make_backend
from exporterre_nlp.themes.model import choose_k, fit_topics
from exporterre_nlp.themes.words import FrenchTokenizer, stop_words


def _texts(shared, n: int) -> list[str]:
    """``n`` chunks of about 40 words of real spoken French (ParisStories, then Rhapsodie)."""
    out, current = [], []
    for corpus in ("ud-parisstories", "ud-rhapsodie"):
        with (shared / corpus / "sentences.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                current.append(row["text"])
                if sum(len(t.split()) for t in current) >= 40:
                    out.append(" ".join(current))
                    current = []
                    if len(out) == n:
                        return out
    return out


def _fit(texts, settings: ThemeSettings, seed: int = 42):
    tok = FrenchTokenizer()
    name = "hybrid" if settings.backend == "auto" else settings.backend     # written texts: auto is the hybrid
    backend = make_backend(name, tokenizer=tok, seed=seed, n_components=settings.svd_components)
    emb = backend.fit_embed(texts)
    return fit_topics(texts, emb, settings=settings, seed=seed, tokenizer=tok, backend=backend)


def test_number_of_themes_follows_the_corpus_size():
    assert choose_k(20) == 3 and choose_k(200) == 10 and choose_k(1000) == 22
    assert choose_k(100_000) == 30
    assert choose_k(12, requested=10) == 2            # every theme must be able to hold ~5 units
    assert choose_k(500, requested=7) == 7


def test_fit_is_reproducible_across_two_fits(shared_corpora):
    texts = _texts(shared_corpora, 300)
    settings = ThemeSettings(reduction="pca")
    a, b = _fit(texts, settings), _fit(texts, settings)
    assert a.topics == b.topics
    assert [a.model.get_topic(t) for t in range(a.k)] == [b.model.get_topic(t) for t in range(b.k)]


def test_another_seed_may_change_the_fit_but_still_covers_everything(shared_corpora):
    texts = _texts(shared_corpora, 300)
    fit = _fit(texts, ThemeSettings(reduction="pca"), seed=7)
    assert len(fit.topics) == len(texts) and -1 not in fit.topics
    assert len(set(fit.topics)) == fit.k


def test_twenty_units_take_the_small_corpus_path(shared_corpora):
    texts = _texts(shared_corpora, 20)
    fit = _fit(texts, ThemeSettings(clustering="hdbscan", reduction="umap"))
    assert fit.fallback and "20" in fit.fallback
    assert fit.clustering == "kmeans" and fit.reduction == "none"
    assert len(fit.topics) == 20 and len(set(fit.topics)) == choose_k(20)


def test_too_few_units_is_an_actionable_error(shared_corpora):
    with pytest.raises(ExporterreError, match="min_unit_words"):
        _fit(_texts(shared_corpora, 3), ThemeSettings())


def test_topic_words_are_french_with_accents_and_no_fillers(shared_corpora):
    texts = _texts(shared_corpora, 300)
    fit = _fit(texts, ThemeSettings(reduction="pca", n_themes=8))
    words = [w for t in range(fit.k) for w, _ in fit.model.get_topic(t)]
    assert any(ch in "éèêàùçôî" for w in words for ch in w), "accents must survive"
    assert not set(words) & stop_words()
    assert not set(words) & {"euh", "ben", "bah", "hein", "bon", "voilà", "quoi", "ouais"}


def test_hdbscan_outliers_are_reduced_and_reported(shared_corpora):
    texts = _texts(shared_corpora, 300)
    fit = _fit(texts, ThemeSettings(clustering="hdbscan", reduction="pca", n_themes=8))
    assert 0.0 <= fit.outlier_share <= fit.outlier_share_before <= 1.0
    assert fit.outlier_share == fit.topics.count(-1) / len(texts)
    off = _fit(texts, ThemeSettings(clustering="hdbscan", reduction="pca", n_themes=8, reduce_outliers=False))
    assert off.outlier_share == off.outlier_share_before


def test_unknown_clustering_is_an_actionable_error(shared_corpora):
    with pytest.raises(ExporterreError, match="kmeans"):
        _fit(_texts(shared_corpora, 100), ThemeSettings(clustering="lda"))


def test_model_never_selects_a_hub_embedding_model(shared_corpora):
    from exporterre_nlp.themes._embedder import BackendEmbedder
    texts = _texts(shared_corpora, 100)
    fit = _fit(texts, ThemeSettings(reduction="pca"))
    assert isinstance(fit.model.embedding_model, BackendEmbedder)
    new = fit.model.embedding_model.embed(texts[:3])
    assert new.shape[0] == 3 and np.allclose(np.linalg.norm(new, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_real_umap_hdbscan_fit(shared_corpora):
    """The one real UMAP + HDBSCAN fit (over-cluster with leaf selection, merge to k, reduce outliers)."""
    texts = _texts(shared_corpora, 400)
    settings = ThemeSettings(clustering="hdbscan", reduction="umap", n_themes=10)
    fit = _fit(texts, settings)
    assert fit.fallback is None and fit.clustering == "hdbscan" and fit.reduction == "umap"
    themes = {t for t in fit.topics if t != -1}
    assert 2 <= len(themes) <= 10
    assert fit.outlier_share <= fit.outlier_share_before
    again = _fit(texts, settings)
    assert again.topics == fit.topics


def test_umap_reducer_identical_rows_share_a_point_and_fit_the_same_every_time():
    """Groups of identical rows (more than UMAP's 15 neighbours, as identical answers or empty TF-IDF rows
    make) are separate components of UMAP's graph, whose spectral layout drew from ARPACK's process-wide
    random state: two fits with the same seed differed. The reducer fits the distinct rows once each."""
    from threadpoolctl import threadpool_limits

    from exporterre_nlp.themes.model import UniqueRowsUMAP, _umap
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 30)).astype(np.float32)
    X[50:80] = X[50]
    X[120:145] = X[120]
    X[150:175] = 0.0
    with threadpool_limits(1):
        first = UniqueRowsUMAP(10, 42).fit_transform(X)
        second = UniqueRowsUMAP(10, 42).fit_transform(X)
        assert np.array_equal(first, second)
        assert np.array_equal(first[50:80], np.repeat(first[50:51], 30, axis=0))
        assert np.array_equal(first[150:175], np.repeat(first[150:151], 25, axis=0))
        # without identical rows it is UMAP itself, bit for bit (the same array, the same parameters)
        Y = rng.normal(size=(120, 30)).astype(np.float32)
        reducer = UniqueRowsUMAP(10, 42)
        assert np.array_equal(reducer.fit_transform(Y), _umap(len(Y), 10, 42).fit_transform(Y))
        assert reducer.transform(Y) is reducer.embedding_          # BERTopic's transform of the fitted rows
    tiny = UniqueRowsUMAP(10, 42).fit_transform(np.ones((12, 5), dtype=np.float32))
    assert tiny.shape == (12, 5) and np.array_equal(tiny, np.ones((12, 5)))
