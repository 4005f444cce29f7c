"""The labelled spoken topic set (experiments/data/spoken_topics.jsonl) is well formed and points into the corpora."""
from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "experiments" / "data" / "spoken_topics.jsonl"


def _experiment():
    spec = importlib.util.spec_from_file_location("spoken_topics", ROOT / "experiments" / "spoken_topics.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("spoken_topics", module)          # its dataclass needs the module registered
    spec.loader.exec_module(module)
    return module


def _rows() -> list[dict]:
    with DATA.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_spoken_topics_labels_are_unique_and_in_the_guides_set():
    rows = _rows()
    labels = _experiment().guide_labels()
    assert 8 <= len(labels) <= 15 and "autre" in labels and len(set(labels)) == len(labels)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) and 300 <= len(ids) <= 400
    for r in rows:
        assert set(r) <= {"id", "doc_id", "sent_ids", "label_a", "label_b"}      # never the corpus text
        assert r["sent_ids"] and r["label_a"] in labels
        assert r.get("label_b", labels[0]) in labels


def test_spoken_topics_units_are_consecutive_sentences_of_one_speaker(shared_corpora):
    order, sentences = {}, {}
    for corpus in ("ud-rhapsodie", "ud-parisstories"):
        path = shared_corpora / corpus / "sentences.tsv"
        if not path.exists():
            pytest.skip(f"{path} absent")
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                order[row["sent_id"]] = len(order)
                sentences[row["sent_id"]] = row
    for r in _rows():
        missing = [s for s in r["sent_ids"] if s not in sentences]
        assert not missing, f"{r['id']}: {missing} not in the corpora"
        rows = [sentences[s] for s in r["sent_ids"]]
        assert {x["doc_id"] for x in rows} == {r["doc_id"]}
        assert len({x["speaker"] for x in rows}) == 1
        positions = [order[s] for s in r["sent_ids"]]
        assert positions == list(range(positions[0], positions[0] + len(positions)))
        assert 20 <= len(" ".join(x["text"] for x in rows).split()) <= 120
    texts = _experiment().rebuild_texts(_rows()[:3], shared_corpora)
    assert all(len(t.split()) >= 20 for t in texts)
