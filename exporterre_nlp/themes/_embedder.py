"""Our embedding backend seen as a BERTopic embedder (a module of its own so pickled models load).

Imported only by :mod:`.model`, inside functions: it imports BERTopic.
"""
from __future__ import annotations

import numpy as np
from bertopic.backend import BaseEmbedder


class BackendEmbedder(BaseEmbedder):
    """Delegates to an :class:`~exporterre_nlp.themes.embeddings.EmbeddingBackend`; never reaches a hub."""

    def __init__(self, backend):
        super().__init__()
        self.backend = backend

    def embed(self, documents, verbose: bool = False) -> np.ndarray:
        return self.backend.embed(list(documents))
