"""Themes on speech: AMI of each theme representation against topic labels on real spoken French (issue 18).

    python experiments/spoken_topics.py [--seeds 42 0 1] [--cache outputs/spoken_topics_cache]
    python experiments/spoken_topics.py --cut OUT.jsonl     # (re)build the unit set, with its text

The labelled set is ``experiments/data/spoken_topics.jsonl``: one theme unit per line — ``id``,
``doc_id``, the ``sent_ids`` it spans (consecutive sentences of one speaker in one document of
``../shared/corpora/ud-rhapsodie`` or ``ud-parisstories``), ``label_a`` and, when the blind second
annotation exists, ``label_b``. It holds no corpus text: the text is rebuilt here from the shared
corpora's ``sentences.tsv`` (sentences joined by a space), and the script says so and stops when
they are absent. The labels and their definitions: ``experiments/data/spoken_topics_guide.md``.

How the units were cut (``--cut``, deterministic): runs of consecutive sentences of one speaker in
one document (a speaker turn, as ``themes/units.py`` takes turns); a turn of 20–120 words is a unit,
a longer one is cut into windows of consecutive sentences of at most 120 words (at sentence ends, as
the product's ``unit: window``); pieces under 20 words, single sentences over 120 words and pieces with
fewer than 6 content words (only fillers, "oui", "d'accord") are left out. Then, so that as many
documents as possible are represented, units are taken round-robin over documents (a seeded order
within each document) up to ``TARGET`` units.

The fit is the product's own code path for labelled texts (``themes.evaluation``, as
``benchmarks/bench_themes.py`` uses it): same French lemmas, the shipped ``ThemeSettings`` with
only the backend changed (``tfidf``, the default ``hybrid``, ``e5``), UMAP + k-means, one BLAS
thread. ``k`` is the product's rule (``choose_k``: round(sqrt(n / 2))) and, separately, the number of
labels. The e5 embeddings go through the product's embedding cache (``EmbeddingCache``), so a rerun
embeds nothing.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "experiments" / "data" / "spoken_topics.jsonl"
CORPORA = ("ud-rhapsodie", "ud-parisstories")
MIN_WORDS, MAX_WORDS, MIN_CONTENT, TARGET, CUT_SEED = 20, 120, 6, 360, 18


def shared_dir() -> Path:
    env = os.environ.get("EXPORTERRE_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


@dataclass(frozen=True)
class Sentence:
    corpus: str
    doc_id: str
    sent_id: str
    speaker: str
    text: str


def read_sentences(shared: Path) -> list[Sentence]:
    """Every sentence of the two spoken corpora, in file order (which is document order)."""
    out = []
    for corpus in CORPORA:
        with (shared / corpus / "sentences.tsv").open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                out.append(Sentence(corpus, row["doc_id"], row["sent_id"], row["speaker"], row["text"]))
    return out


def _content_words(text: str) -> int:
    from exporterre_nlp.themes.words import stop_words, word_forms
    stop = stop_words()
    return sum(1 for w in word_forms(text) if w not in stop and len(w) > 2)


def _pieces(run: list[Sentence]) -> list[list[Sentence]]:
    """A turn of at most MAX_WORDS words whole; a longer one cut into windows at sentence ends."""
    count = lambda sents: sum(len(s.text.split()) for s in sents)  # noqa: E731
    if count(run) <= MAX_WORDS:
        return [run]
    out: list[list[Sentence]] = []
    current: list[Sentence] = []
    for s in run:
        n = len(s.text.split())
        if current and count(current) + n > MAX_WORDS:
            out.append(current)
            current = []
        current.append(s)
    if current:
        out.append(current)
    return out


def cut_units(sentences: list[Sentence]) -> list[dict]:
    """The labelled set's units, with their text (see the module docstring)."""
    runs: list[list[Sentence]] = []
    for s in sentences:
        if runs and runs[-1][-1].doc_id == s.doc_id and runs[-1][-1].speaker == s.speaker:
            runs[-1].append(s)
        else:
            runs.append([s])
    by_doc: dict[str, list[list[Sentence]]] = defaultdict(list)
    for run in runs:
        for piece in _pieces(run):
            text = " ".join(s.text for s in piece)
            if MIN_WORDS <= len(text.split()) <= MAX_WORDS and _content_words(text) >= MIN_CONTENT:
                by_doc[piece[0].doc_id].append(piece)
    rng = random.Random(CUT_SEED)
    queues = {}
    for doc in sorted(by_doc):
        pieces = list(by_doc[doc])
        rng.shuffle(pieces)
        queues[doc] = pieces
    chosen: list[list[Sentence]] = []
    while len(chosen) < TARGET and any(queues.values()):
        for doc in sorted(queues):
            if queues[doc] and len(chosen) < TARGET:
                chosen.append(queues[doc].pop(0))
    order = {s.sent_id: i for i, s in enumerate(sentences)}
    chosen.sort(key=lambda p: order[p[0].sent_id])
    return [{"id": f"st{n:03d}", "corpus": p[0].corpus, "doc_id": p[0].doc_id, "speaker": p[0].speaker,
             "sent_ids": [s.sent_id for s in p], "text": " ".join(s.text for s in p)}
            for n, p in enumerate(chosen, 1)]


def rebuild_texts(units: list[dict], shared: Path) -> list[str]:
    """Each unit's text from the shared corpora (its sentences joined by a space)."""
    by_id = {s.sent_id: s for s in read_sentences(shared)}
    missing = [sid for u in units for sid in u["sent_ids"] if sid not in by_id]
    if missing:
        raise SystemExit(f"{len(missing)} sentence ids not found in {shared} (first: {missing[0]})")
    return [" ".join(by_id[sid].text for sid in u["sent_ids"]) for u in units]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cut", type=Path, help="write the unit set with its text to this JSONL file and stop")
    args = parser.parse_args()
    shared = shared_dir()
    if not all((shared / c / "sentences.tsv").exists() for c in CORPORA):
        print(f"skipped: the spoken corpora are absent ({shared}/{{{','.join(CORPORA)}}}/sentences.tsv)")
        return
    if args.cut:
        units = cut_units(read_sentences(shared))
        args.cut.parent.mkdir(parents=True, exist_ok=True)
        with args.cut.open("w", encoding="utf-8") as fh:
            for u in units:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
        docs = Counter(u["doc_id"] for u in units)
        words = [len(u["text"].split()) for u in units]
        print(f"{len(units)} units from {len(docs)} documents "
              f"({sum(1 for u in units if u['corpus'] == 'ud-rhapsodie')} Rhapsodie); "
              f"words min {min(words)} median {sorted(words)[len(words) // 2]} max {max(words)}")
        return


if __name__ == "__main__":
    main()
