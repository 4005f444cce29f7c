"""A small neural sentence classifier averaged with the sentence model's regression (session 7).

spaCy's own ``textcat_multilabel`` (``TextCatEnsemble``: a window CNN over hashed
word forms, prefixes, suffixes and the md package's static vectors, beside a bag
of words and bigrams), trained from scratch on the sentence model's training units.
Each unit is read as ``question || words`` (:func:`classifier_text`): the words of
the stored text under the unit and the question its segment answers, if known.

A :class:`~exporterre_nlp.nlp.sentence.model.SentenceModel` that carries one
averages the two probabilities per category, and its thresholds were chosen on
that average in cross-validation. Averaged with the regression, it lifted the
recall reachable at a given precision for needs, concerns and places
(``experiments/system_cv.py``; docs/nlp.md). It reads about 25,000 words/s on
two vCPUs, against the md pipeline's 4,500, so the model calls it only on the
sentences where it can change a decision (``SentenceModel._with_classifier``).

The weights travel inside the model file: spaCy's own serialisation of the
component (msgpack, no pickle), vocabulary excluded, zlib-compressed, base64.
"""
from __future__ import annotations

import base64
import copy
import random
import threading
import zlib
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy

SEPARATOR = " || "

# spaCy TextCatEnsemble: the configuration measured in session 7 (experiments/cnn_experiment.py)
CONFIG = {"threshold": 0.5, "model": {
    "@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
    "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
                     "no_output_layer": False, "length": 262144},
    "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96, "rows": [5000, 2500, 2500, 2500],
                          "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX"], "include_static_vectors": True},
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "window_size": 1,
                           "maxout_pieces": 3, "depth": 2}}}}


@dataclass(frozen=True)
class ClassifierOptions:
    """How the classifier is trained (stored in the model file)."""
    epochs: int = 8
    batch_size: int = 32
    dropout: float = 0.2
    seed: int = 0


def classifier_text(words: str, question: str | None) -> str:
    """What the classifier reads for one sentence: ``question || words`` (just the words without a question)."""
    return f"{question}{SEPARATOR}{words}" if question else words


_LOCK = threading.Lock()


def _language(package: str, config: dict):
    """A blank French pipeline holding ``package``'s static vectors and an untrained ``textcat_multilabel``."""
    import spacy
    from spacy.vectors import Vectors

    from .pipeline import package_vectors
    nlp = spacy.blank("fr")
    # a copy: assigning a Vectors to a vocabulary rebinds its string store, and the package's may be the
    # loaded pipeline's own (24 MB for md, copied in ~0.1 s)
    nlp.vocab.vectors = Vectors().from_bytes(package_vectors(package).to_bytes(exclude=["strings"]),
                                             exclude=["strings"])
    return nlp, nlp.add_pipe("textcat_multilabel", config=copy.deepcopy(config))


@dataclass
class SentenceClassifier:
    """A trained classifier: its configuration, labels and spaCy weights (see the module doc)."""
    labels: tuple[str, ...]
    vectors: str                                     # the spaCy package whose static vectors it reads
    weights: bytes                                   # spaCy's ``to_bytes(exclude=["vocab"])`` of the component
    config: dict = field(default_factory=lambda: copy.deepcopy(CONFIG))
    training: dict = field(default_factory=dict)
    _nlp: object = field(default=None, repr=False, compare=False)

    def _pipeline(self):
        with _LOCK:
            if self._nlp is None:
                nlp, textcat = _language(self.vectors, self.config)
                textcat.from_bytes(self.weights, exclude=["vocab"])
                if tuple(textcat.labels) != self.labels:
                    raise ValueError(f"classifier labels {textcat.labels}, expected {self.labels}")
                self._nlp = nlp
            return self._nlp

    def scores(self, texts: Sequence[str], batch_size: int = 128) -> numpy.ndarray:
        """P(category | text) for each text: one row per text, one column per label."""
        out = numpy.zeros((len(texts), len(self.labels)))
        if not len(texts):
            return out
        for i, doc in enumerate(self._pipeline().pipe(texts, batch_size=batch_size)):
            out[i] = [doc.cats[label] for label in self.labels]
        return out

    def to_json(self) -> dict:
        return {"labels": list(self.labels), "vectors": self.vectors, "config": self.config,
                "training": self.training,
                "weights": base64.b64encode(zlib.compress(self.weights, 9)).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> "SentenceClassifier":
        return cls(tuple(data["labels"]), str(data["vectors"]),
                   zlib.decompress(base64.b64decode(data["weights"])), dict(data["config"]),
                   dict(data.get("training") or {}))


def train_classifier(texts: Sequence[str], gold: numpy.ndarray, labels: Sequence[str], *, vectors: str,
                     known: numpy.ndarray | None = None, options: ClassifierOptions = ClassifierOptions(),
                     progress: Callable[[int, int], None] | None = None,
                     config: dict = CONFIG) -> SentenceClassifier:
    """Train on ``texts`` with ``gold`` (texts × labels, 0/1). ``known`` (same shape, bool): labels given for
    each text; an unknown label is left out of the loss. Deterministic for the same inputs and options.
    ``config``: the component's spaCy configuration (another size, for experiments)."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(options.seed)
    nlp, textcat = _language(vectors, config)
    for label in labels:
        textcat.add_label(label)
    examples = []
    for i, text in enumerate(texts):
        cats = {label: float(gold[i, k]) for k, label in enumerate(labels) if known is None or known[i, k]}
        examples.append(Example.from_dict(nlp.make_doc(text), {"cats": cats}))
    optimizer = nlp.initialize(lambda: examples)
    shuffle = random.Random(options.seed)
    for epoch in range(options.epochs):
        shuffle.shuffle(examples)
        for batch in minibatch(examples, size=options.batch_size):
            nlp.update(batch, sgd=optimizer, drop=options.dropout)
        if progress is not None:
            progress(epoch + 1, options.epochs)
    trained = SentenceClassifier(tuple(labels), vectors, textcat.to_bytes(exclude=["vocab"]), copy.deepcopy(config),
                                 training={"examples": len(texts), "epochs": options.epochs,
                                           "batch_size": options.batch_size, "dropout": options.dropout,
                                           "seed": options.seed})
    trained._nlp = nlp
    return trained


def out_of_fold(texts: Sequence[str], gold: numpy.ndarray, labels: Sequence[str], *, vectors: str, folds: int,
                seed: int, known: numpy.ndarray | None = None, options: ClassifierOptions = ClassifierOptions(),
                progress: Callable[[int, int], None] | None = None, config: dict = CONFIG) -> numpy.ndarray:
    """Each text's scores from a classifier trained on the other folds (``KFold``, shuffled with ``seed``);
    ``progress(epochs done, epochs in all)`` after every epoch of every fold."""
    from sklearn.model_selection import KFold
    out = numpy.zeros((len(texts), len(labels)))
    total = folds * options.epochs
    for n, (train, test) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(numpy.arange(len(texts)))):
        fitted = train_classifier([texts[i] for i in train], gold[train], labels, vectors=vectors,
                                  known=None if known is None else known[train], options=options, config=config,
                                  progress=None if progress is None else
                                  lambda epoch, _, n=n: progress(n * options.epochs + epoch, total))
        out[test] = fitted.scores([texts[i] for i in test])
    return out
