"""The sentence model in three parts: :mod:`.features` (what it reads of a sentence, one batched path),
:mod:`.model` (inference, load, save) and :mod:`.training` (public training steps)."""
from .features import SentenceUnit, batch_features, context_terms, sentence_units
from .model import (BUILTIN, BUILTIN_CLASSIFIER, BUILTIN_CLASSIFIER_PATH, BUILTIN_E5, BUILTIN_E5_PATH, BUILTIN_PATH,
                    FORMAT, MODEL_ORIGIN, SentenceModel, category_codes, load_sentence_model, resolve_model_path)

__all__ = ["BUILTIN", "BUILTIN_CLASSIFIER", "BUILTIN_CLASSIFIER_PATH", "BUILTIN_E5", "BUILTIN_E5_PATH", "BUILTIN_PATH",
           "FORMAT", "MODEL_ORIGIN",
           "SentenceModel", "SentenceUnit", "batch_features", "category_codes", "context_terms",
           "load_sentence_model", "resolve_model_path", "sentence_units"]
