"""The sentence model's public names in one place (the code lives in :mod:`exporterre_nlp.nlp.sentence`:
``features``, ``model``, ``training``). Kept for the callers that import ``nlp.sentence_model``."""
from ..categories import CATEGORIES
from .pipeline import package_vectors
from .sentence.features import CONTEXT_PREFIX, SentenceUnit, context_terms, sentence_units
from .sentence.model import (BUILTIN, BUILTIN_CLASSIFIER, BUILTIN_CLASSIFIER_PATH, BUILTIN_PATH, FORMAT,
                             MODEL_ORIGIN, SentenceModel, category_codes, load_sentence_model, resolve_model_path)
from .sentence.training import (DEFAULT_TRAINING_SETS, PRECISION_TARGETS, PROJECT_SOURCE, TrainingOptions,
                                TrainingUnits, default_training_sets, operating_points, regression_features,
                                reviews, train_from_sets, train_sentence_model, training_units)

__all__ = ["BUILTIN", "BUILTIN_CLASSIFIER", "BUILTIN_CLASSIFIER_PATH", "BUILTIN_PATH", "CATEGORIES",
           "CONTEXT_PREFIX", "DEFAULT_TRAINING_SETS", "FORMAT", "MODEL_ORIGIN", "PRECISION_TARGETS",
           "PROJECT_SOURCE", "SentenceModel", "SentenceUnit", "TrainingOptions", "TrainingUnits", "category_codes",
           "context_terms", "default_training_sets", "load_sentence_model", "operating_points", "package_vectors",
           "regression_features", "resolve_model_path", "reviews", "sentence_units", "train_from_sets",
           "train_sentence_model", "training_units"]
