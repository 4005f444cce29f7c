"""A seeded BERTopic built from settings, with a path for small corpora.

BERTopic is imported inside functions: importing it silences every
UserWarning and FutureWarning of the process, and costs seconds.

Never lets BERTopic reach the network: embeddings are always computed by our
own backend and passed in, and the model's ``embedding_model`` is a
:class:`BaseEmbedder` wrapping that same backend (used by BERTopic for
``transform`` and ``find_topics``), so its hub-downloading default is never
selected.

Choices measured on real labelled text (docs/themes.md): with BERTopic's usual
HDBSCAN settings it collapses into a few themes; giving the clustering a
number of themes (k-means, agglomerative) or letting HDBSCAN over-cluster
(leaf selection, small clusters) and merging works.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import CancelledError, ExporterreError
from ..i18n import tr
from ..settings import ThemeSettings
from .embeddings import EmbeddingBackend
from .words import FrenchTokenizer

CLUSTERINGS = ("kmeans", "agglomerative", "hdbscan")
REDUCTIONS = ("none", "pca", "umap")
MIN_UNITS = 4                  # below this there is nothing to group
SMALL_CORPUS = 60              # below this: no UMAP/HDBSCAN, k-means with few themes
MAX_AUTO_THEMES = 30

# BERTopic logs warnings through its own handler; domain functions never print.
logging.getLogger("BERTopic").setLevel(logging.ERROR)


def choose_k(n_units: int, requested: int | None = None) -> int:
    """Number of themes: the setting when given, else ``round(sqrt(n / 2))`` within [2, 30].

    ``sqrt(n/2)`` is the classic rule of thumb for the number of clusters
    (Mardia et al.); it gives 3 themes for 20 units, 10 for 200, 22 for 1,000.
    It is also capped so that every theme can hold about five units.
    """
    cap = max(2, n_units // 5)
    if requested:
        return max(2, min(int(requested), cap, n_units - 1))
    k = round(math.sqrt(n_units / 2))
    return max(2, min(k, MAX_AUTO_THEMES, cap, n_units - 1))


@dataclass
class TopicFit:
    model: Any                       # the fitted BERTopic
    topics: list[int]                # per unit, after outlier reduction (-1 = none)
    k: int                           # themes asked for
    outlier_share_before: float      # share of -1 before reduce_outliers
    outlier_share: float             # share of -1 kept
    clustering: str                  # what actually ran
    reduction: str
    fallback: str | None             # why the small-corpus path was taken, if it was

    def summary(self) -> dict[str, Any]:
        return {"k": self.k, "themes": len({t for t in self.topics if t != -1}),
                "outlier_share_before": round(self.outlier_share_before, 4),
                "outlier_share": round(self.outlier_share, 4), "clustering": self.clustering,
                "reduction": self.reduction, "fallback": self.fallback}


def _plan(settings: ThemeSettings, n: int) -> tuple[str, str, str | None]:
    clustering, reduction = settings.clustering, settings.reduction
    if clustering not in CLUSTERINGS:
        raise ExporterreError(tr(f"Méthode de regroupement inconnue : « {clustering} ».",
                                 f"Unknown clustering method: '{clustering}'."),
                              tr(f"Choisissez parmi : {', '.join(CLUSTERINGS)} (settings.yaml, themes.clustering).",
                                 f"Choose one of: {', '.join(CLUSTERINGS)} (settings.yaml, themes.clustering)."))
    if reduction not in REDUCTIONS:
        raise ExporterreError(tr(f"Réduction de dimension inconnue : « {reduction} ».",
                                 f"Unknown dimensionality reduction: '{reduction}'."),
                              tr(f"Choisissez parmi : {', '.join(REDUCTIONS)}.", f"Choose one of: {', '.join(REDUCTIONS)}."))
    if n < SMALL_CORPUS and (clustering == "hdbscan" or reduction == "umap"):
        return "kmeans", "none", tr(
            f"petit corpus ({n} unités < {SMALL_CORPUS}) : k-means sans UMAP au lieu de {clustering}/{reduction}",
            f"small corpus ({n} units < {SMALL_CORPUS}): k-means without UMAP instead of {clustering}/{reduction}")
    return clustering, reduction, None


def _umap(n_points: int, components: int, seed: int):
    from umap import UMAP
    return UMAP(n_neighbors=max(2, min(15, n_points - 1)), n_components=max(2, min(components, n_points - 2)),
                min_dist=0.0, metric="cosine", random_state=seed, n_jobs=1)


class UniqueRowsUMAP:
    """UMAP fitted on the distinct rows of the embeddings, in their first-seen order; identical rows share
    one point.

    Why: a group of more than ``n_neighbors`` identical rows (answers whose kept lemmas are the same, empty
    TF-IDF rows) is a separate component of UMAP's neighbour graph, and the spectral layout of such a graph
    called ARPACK with degenerate eigenvalues, whose restarts draw from ARPACK's own process-wide random
    state: the themes then differed between runs with the same seed (docs/themes.md, "Reproducibility").
    Without identical rows the fit is exactly UMAP's (same array, same parameters).

    UMAP's own ``unique=True`` is not used: it passes the distinct rows in ``np.unique``'s sorted order, which
    changes every fit, duplicates or not, and keeps ``n_neighbors``/``n_components`` sized for all the rows.
    """

    def __init__(self, n_components: int, seed: int):
        self.n_components, self.seed = n_components, seed
        self.umap = None
        self.embedding_ = None
        self._fitted_on = None
        self._inverse = None

    def fit(self, X, y=None):
        X = np.asarray(X)
        _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
        order = np.sort(first)                              # distinct rows in first-seen order
        position = np.empty(len(first), dtype=np.int64)
        position[np.argsort(first)] = np.arange(len(first))  # np.unique's (sorted) id -> rank in `order`
        self._inverse = position[np.asarray(inverse).reshape(-1)]
        distinct = X[order]
        if len(distinct) < 4:                              # too few points for UMAP: they are their own layout
            self.umap, reduced = None, distinct.astype(np.float32)
        else:
            self.umap = _umap(len(distinct), self.n_components, self.seed)
            reduced = self.umap.fit_transform(distinct)
        self.embedding_ = np.asarray(reduced)[self._inverse]
        self._fitted_on = X
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X, y).embedding_

    def transform(self, X):
        X = np.asarray(X)
        if self._fitted_on is not None and X.shape == self._fitted_on.shape and np.array_equal(X, self._fitted_on):
            return self.embedding_
        if self.umap is None:
            raise ValueError("UniqueRowsUMAP: too few distinct points were fitted to place new ones")
        return self.umap.transform(X)

    def __getstate__(self):                                # the pickled model does not keep the fitted input
        state = dict(self.__dict__)
        state["_fitted_on"] = None
        return state


def make_reducer(settings: ThemeSettings, *, n_units: int, seed: int, reduction: str):
    """The dimensionality reduction before clustering (BERTopic's ``umap_model`` slot)."""
    if reduction == "umap":
        return UniqueRowsUMAP(settings.umap_components, seed)
    if reduction == "pca":
        from sklearn.decomposition import PCA
        return PCA(n_components=max(1, min(settings.umap_components, n_units - 1)), random_state=seed)
    from bertopic.dimensionality import BaseDimensionalityReduction
    return BaseDimensionalityReduction()


def build_model(settings: ThemeSettings, *, n_units: int, k: int, seed: int, tokenizer: FrenchTokenizer,
                backend: EmbeddingBackend, clustering: str, reduction: str):
    """The BERTopic object for these settings (not fitted)."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer

    from ._embedder import BackendEmbedder
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.feature_extraction.text import CountVectorizer

    reducer = make_reducer(settings, n_units=n_units, seed=seed, reduction=reduction)
    nr_topics = None
    if clustering == "kmeans":
        cluster = KMeans(n_clusters=k, n_init=10, random_state=seed)
    elif clustering == "agglomerative":
        cluster = AgglomerativeClustering(n_clusters=k, linkage="ward")
    else:
        from hdbscan import HDBSCAN
        cluster = HDBSCAN(min_cluster_size=max(2, settings.min_cluster_size), metric="euclidean",
                          cluster_selection_method="leaf", prediction_data=True)
        nr_topics = k                          # over-cluster, then merge down to k themes
    return BERTopic(
        embedding_model=BackendEmbedder(backend),
        umap_model=reducer,
        hdbscan_model=cluster,
        vectorizer_model=CountVectorizer(analyzer=split_terms),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=max(settings.top_words, settings.label_words),
        nr_topics=nr_topics,
        calculate_probabilities=False,
        verbose=False,
    )


def fit_topics(texts: Sequence[str], embeddings: np.ndarray, *, settings: ThemeSettings, seed: int,
               tokenizer: FrenchTokenizer, backend: EmbeddingBackend,
               cancel: threading.Event | None = None) -> TopicFit:
    """Fit BERTopic on precomputed embeddings; reduce outliers; never touches the network."""
    n = len(texts)
    if n < MIN_UNITS:
        raise ExporterreError(
            tr(f"Trop peu d'unités à analyser ({n}) pour chercher des thèmes (il en faut au moins {MIN_UNITS}).",
               f"Too few units to analyse ({n}) to look for themes (at least {MIN_UNITS} are needed)."),
            tr("Importez plus d'entretiens, ou abaissez themes.min_unit_words dans settings.yaml.",
               "Import more interviews, or lower themes.min_unit_words in settings.yaml."))
    clustering, reduction, fallback = _plan(settings, n)
    k = choose_k(n, settings.n_themes)
    model = build_model(settings, n_units=n, k=k, seed=seed, tokenizer=tokenizer, backend=backend,
                        clustering=clustering, reduction=reduction)
    if cancel is not None and cancel.is_set():
        raise CancelledError(tr("Analyse des thèmes annulée.", "Theme analysis cancelled."))
    docs = lemma_documents(texts, tokenizer)
    try:
        topics, _ = model.fit_transform(docs, embeddings=embeddings)
    except (ValueError, TypeError) as exc:
        if clustering == "kmeans" and reduction == "none":
            raise
        # HDBSCAN found nothing, or UMAP could not embed: fall back to k-means on the raw vectors.
        fallback = tr(f"{clustering}/{reduction} a échoué ({exc}) : repli sur k-means",
                      f"{clustering}/{reduction} failed ({exc}): fell back to k-means")
        clustering, reduction = "kmeans", "none"
        model = build_model(settings, n_units=n, k=k, seed=seed, tokenizer=tokenizer, backend=backend,
                            clustering=clustering, reduction=reduction)
        topics, _ = model.fit_transform(docs, embeddings=embeddings)
    from sklearn.feature_extraction.text import CountVectorizer
    topics = [int(t) for t in topics]
    before = topics.count(-1) / n
    if before == 1.0:
        fallback = tr("tout était hors thème : repli sur k-means", "everything was an outlier: fell back to k-means")
        clustering, reduction = "kmeans", "none"
        model = build_model(settings, n_units=n, k=k, seed=seed, tokenizer=tokenizer, backend=backend,
                            clustering=clustering, reduction=reduction)
        topics = [int(t) for t in model.fit_transform(docs, embeddings=embeddings)[0]]
    if settings.reduce_outliers and -1 in topics:
        new = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=embeddings, threshold=0.0)
        new = [int(t) for t in new]
        if new != topics:
            model.update_topics(docs, topics=new, vectorizer_model=CountVectorizer(analyzer=split_terms),
                                ctfidf_model=model.ctfidf_model, top_n_words=model.top_n_words)
            topics = new
    model.exporterre_tokenizer = tokenizer        # pickled with the model: turns new text into its documents
    return TopicFit(model, topics, k, before, topics.count(-1) / n, clustering, reduction, fallback)


def split_terms(document: str) -> list[str]:
    """The analyzer BERTopic's vectorizer sees: documents are already lemma strings."""
    return document.split(" ") if document else []


def lemma_documents(texts: Sequence[str], tokenizer: FrenchTokenizer) -> list[str]:
    """Each unit as the space-joined French content lemmas BERTopic counts.

    Tokenising once here, instead of letting BERTopic call the tokenizer on
    every concatenation and sample, made the theme stage 2x faster; the words
    counted are the same.
    """
    return [" ".join(tokenizer(t)) for t in texts]


def theme_words(model, theme: int, n: int) -> list[tuple[str, float]]:
    words = model.get_topic(theme) or []
    return [(w, float(s)) for w, s in words[:n] if w]


def theme_label(words: list[tuple[str, float]], n: int) -> str:
    return " · ".join(w for w, _ in words[:n]) or tr("(sans mots)", "(no words)")
