"""Embeddings on disk, like parses: a text is embedded once per encoder and version.

Layout: ``<project>/cache/embeddings/<key>/`` where ``key`` hashes the encoder's name and
version (:attr:`Encoder.version`), then shards ``NNNNNN.keys.npy`` (the text hashes,
:func:`.cache.text_hash`) and ``NNNNNN.vecs.npy`` (float32 rows, same order), each
written whole then renamed into place (the keys last: a shard without its keys file is
ignored). A run writes one shard per batch it embeds, so a cancelled run keeps what it
embedded; re-analysing an unchanged corpus embeds nothing. Safe to delete.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy

from ..errors import CancelledError
from ..i18n import tr
from ..records import Progress
from .cache import text_hash
from .encoder import Encoder

BATCH = 64          # texts per call to the encoder (and per progress step and shard)


def _cancelled() -> CancelledError:
    return CancelledError(tr("Calcul des plongements interrompu ; ceux déjà calculés sont en cache.",
                             "Embedding cancelled; the embeddings already computed are cached."),
                          tr("Relancez quand vous voulez : seuls les textes manquants seront encodés.",
                             "Run it again whenever you like: only the missing texts will be embedded."))


def _save_npy(path: Path, array: numpy.ndarray) -> None:
    buffer = io.BytesIO()
    numpy.save(buffer, array, allow_pickle=False)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)


class EmbeddingCache:
    """The embeddings of one encoder (name and version) in a project's cache folder."""

    def __init__(self, root: str | Path, encoder: Encoder):
        self.encoder = encoder
        key = hashlib.sha256(f"{encoder.name}\n{encoder.version}\n{encoder.dimension}".encode()).hexdigest()[:16]
        self.dir = Path(root) / f"{encoder.name}-{key}"
        self.embedded = 0            # texts sent to the encoder by this object
        self.cached = 0              # texts read from disk
        self.seconds = 0.0           # time spent in embed()
        self._index: dict[str, tuple[int, int]] | None = None
        self._shards: dict[int, numpy.ndarray] = {}

    def _load_index(self) -> dict[str, tuple[int, int]]:
        if self._index is None:
            index: dict[str, tuple[int, int]] = {}
            if self.dir.is_dir():
                for keys_file in sorted(self.dir.glob("*.keys.npy")):
                    shard = int(keys_file.name.split(".")[0])
                    try:
                        keys = numpy.load(keys_file, allow_pickle=False)
                    except (OSError, ValueError):
                        continue                       # a damaged shard is embedded again
                    for row, k in enumerate(keys.tolist()):
                        index.setdefault(k, (shard, row))
            self._index = index
        return self._index

    def _vectors(self, shard: int) -> numpy.ndarray:
        array = self._shards.get(shard)
        if array is None:
            array = self._shards[shard] = numpy.load(self.dir / f"{shard:06d}.vecs.npy", mmap_mode="r",
                                                     allow_pickle=False)
        return array

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts of ``texts`` not cached yet, in order."""
        index = self._load_index()
        seen: set[str] = set()
        out = []
        for text in texts:
            h = text_hash(text)
            if h not in index and h not in seen:
                seen.add(h)
                out.append(text)
        return out

    def embed(self, texts: Sequence[str], *, progress: Callable[[Progress], None] | None = None,
              cancel: threading.Event | None = None) -> numpy.ndarray:
        """(len(texts), dimension) float32: cached rows read, the others embedded (batch by batch, each batch
        saved at once) with progress ``Progress(done, total, "embeddings")`` over the texts to embed."""
        started = time.perf_counter()
        try:
            return self._embed(texts, progress, cancel)
        finally:
            self.seconds += time.perf_counter() - started

    def _embed(self, texts, progress, cancel) -> numpy.ndarray:
        index = self._load_index()
        todo = self.missing(texts)
        if todo:
            self.dir.mkdir(parents=True, exist_ok=True)
            shard = max((s for s, _ in index.values()), default=-1) + 1
            while (self.dir / f"{shard:06d}.keys.npy").exists():
                shard += 1
            for at in range(0, len(todo), BATCH):
                if cancel is not None and cancel.is_set():
                    raise _cancelled()
                chunk = todo[at:at + BATCH]
                vectors = numpy.ascontiguousarray(self.encoder.embed(chunk), dtype=numpy.float32)
                keys = numpy.array([text_hash(t) for t in chunk])
                _save_npy(self.dir / f"{shard:06d}.vecs.npy", vectors)
                _save_npy(self.dir / f"{shard:06d}.keys.npy", keys)
                for row, k in enumerate(keys.tolist()):
                    index[k] = (shard, row)
                self._shards[shard] = vectors
                self.embedded += len(chunk)
                shard += 1
                if progress is not None:
                    progress(Progress(min(at + BATCH, len(todo)), len(todo), tr("plongements", "embeddings")))
        out = numpy.zeros((len(texts), self.encoder.dimension), dtype=numpy.float32)
        for i, text in enumerate(texts):
            s, row = index[text_hash(text)]
            out[i] = self._vectors(s)[row]
        self.cached += len(texts) - len(todo)
        return out


def cached_embedder(encoder: Encoder, root: str | Path | None, *,
                    progress: Callable[[Progress], None] | None = None,
                    cancel: threading.Event | None = None) -> tuple[Callable[[list[str]], numpy.ndarray],
                                                                     EmbeddingCache | None]:
    """``(embed, cache)``: texts → embeddings read from / written to the embedding cache under ``root``
    (keyed by text hash + encoder name and version), with progress (``Progress(done, total, "embeddings")``
    over the texts to embed) and cancellation between batches. ``root`` None: the encoder, uncached."""
    if root is None:
        return encoder.embed, None
    cache = EmbeddingCache(root, encoder)

    def embed(texts: list[str]) -> numpy.ndarray:
        return cache.embed(texts, progress=progress, cancel=cancel)
    return embed, cache


def embed_project(project, *, progress: Callable[[Progress], None] | None = None,
                  cancel: threading.Event | None = None) -> tuple[str, int, int] | None:
    """With ``nlp.encoder`` other than ``static``: embed the project's theme units (what ``themes --backend e5``
    reads) into the project's cache; returns ``(encoder version, texts embedded now, texts already cached)``.
    None with the static encoder (computed on demand, nothing to cache)."""
    settings = project.settings
    if str(settings.nlp.encoder).strip().lower() == "static":
        return None
    from ..themes.units import load_units
    from .encoder import get_encoder
    encoder = get_encoder(settings.nlp.encoder, threads=settings.nlp.encoder_threads)
    cache = EmbeddingCache(project.cache_dir("embeddings"), encoder)
    texts = [u.text for u in load_units(project.store, settings.themes)]
    cache.embed(texts, progress=progress, cancel=cancel)
    return encoder.version, cache.embedded, len(texts) - cache.embedded
