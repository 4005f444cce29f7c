"""One spaCy pass over the units: the lemma lexicon and content-word vectors.

Themes never load spaCy on their own: in a project, the units' segments go
through the NLP area's parse cache (:func:`exporterre_nlp.nlp.analyse.parsed_units`,
profile ``lemmas``), so a second fit, or a fit after ``exporterre analyse``,
does not run the model again; free texts (evaluation, benchmarks) go through
the same shared loader. Tokens marked as oral (fillers, marks, repetitions:
``token._.oral``) never enter the content-word vectors.
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

def load_pipeline(model: str = "md"):
    """The shared French pipeline (lemma profile, with the oral component), loaded once per process."""
    from ..nlp.pipeline import PipelineSpec, load_pipeline as shared_load, model_package
    return shared_load(PipelineSpec(model_package(model), "lemmas"))


@lru_cache(maxsize=2)
def vectors_vocab(model: str = "md"):
    """The model's vocabulary with its static word vectors, without loading any component.

    A cached parse comes back with a blank vocabulary (no vectors); the
    vectors table alone loads in a fraction of the pipeline's time.
    """
    import spacy

    from ..nlp.pipeline import model_package, model_version
    package = model_package(model)
    model_version(package)                                   # clear ModelError when absent
    return spacy.load(package, exclude=["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler",
                                        "lemmatizer", "ner"]).vocab


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
        rows = _count_tokens(doc, counts, stop, with_vectors)
        if with_vectors and rows:
            unique_vectors[i] = np.mean(rows, axis=0)
        if progress is not None and (i % step == 0 or i == len(unique) - 1):
            progress(Progress(i + 1, len(unique), tr("lemmes", "lemmas")))


def _count_tokens(tokens, counts, stop, with_vectors: bool, vocab=None) -> list:
    """Count (lemma, POS) per word form; return the static vectors of the content words.

    ``vocab`` is where vectors are looked up (a cached parse comes back with a
    blank vocabulary, without vectors); by default each token's own.
    """
    rows = []
    for tok in tokens:
        if tok.is_space or tok.is_punct:
            continue
        form = tok.lower_.replace("’", "'")
        lemma = tok.lemma_.lower().replace("’", "'")
        counts[form][(lemma, tok.pos_)] += 1
        if with_vectors and tok.pos_ in CONTENT_POS and lemma not in stop and form not in stop \
                and not _is_oral(tok):
            if vocab is None:
                if tok.has_vector:
                    rows.append(tok.vector)
            elif vocab.has_vector(tok.orth_):
                rows.append(vocab.get_vector(tok.orth_))
    return rows


def _is_oral(tok) -> bool:
    return tok.has_extension("oral") and tok._.oral is not None


def analyse_units(project, units: Sequence, *, with_vectors: bool = False,
                  progress: Callable[[Progress], None] | None = None,
                  cancel: threading.Event | None = None) -> TextAnalysis:
    """Lexicon and per-unit vectors of a project's units, through the shared parse cache."""
    from threadpoolctl import threadpool_limits

    from ..nlp.analyse import parsed_units
    by_segment: dict[int, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        by_segment[u.segment_id].append(i)
    segments = [s for s in project.store.segment_views(document_ids=sorted({u.document_id for u in units}))
                if s.segment_id in by_segment]
    counts: dict[str, Counter] = defaultdict(Counter)
    stop = stop_words()
    vocab = vectors_vocab(project.settings.nlp.model) if with_vectors else None
    width = vocab.vectors.shape[1] if vocab is not None else 0
    if with_vectors and width == 0:
        raise ModelError(tr("Le modèle spaCy choisi n'a pas de vecteurs de mots.",
                            "The chosen spaCy model has no word vectors."),
                         tr("Utilisez le modèle md (settings.yaml, nlp.model: md) ou le moteur tfidf.",
                            "Use the md model (settings.yaml, nlp.model: md) or the tfidf backend."))
    vectors = np.zeros((len(units), width), dtype=np.float32) if with_vectors else None
    with threadpool_limits(1):
        for seg, doc in parsed_units(project, segments, profile="lemmas", progress=progress, cancel=cancel):
            _count_tokens(doc, counts, stop, False)
            if not with_vectors:
                continue
            for i in by_segment[seg.segment_id]:
                lo, hi = units[i].start - seg.start, units[i].end - seg.start
                rows = _count_tokens([t for t in doc if lo <= t.idx < hi], defaultdict(Counter), stop, True, vocab)
                if rows:
                    vectors[i] = np.mean(rows, axis=0)
    return TextAnalysis(Lexicon.from_counts(counts), vectors)
