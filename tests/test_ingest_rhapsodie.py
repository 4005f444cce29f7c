"""Real spoken French (UD Rhapsodie): turns and speakers come back, disfluencies kept.

Reads ``shared/corpora/ud-rhapsodie/sentences.tsv`` beside the repository (or under
``$EXPORTERRE_SHARED_CORPORA``); skipped when the corpora are absent.
"""
from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import docx
import pytest

from exporterre_nlp.ingest import normalise_text, read_file, speaker_role
from exporterre_nlp.settings import IngestSettings


def _corpora() -> Path:
    env = os.environ.get("EXPORTERRE_SHARED_CORPORA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpora"


SENTENCES = _corpora() / "ud-rhapsodie" / "sentences.tsv"


@pytest.fixture(scope="module")
def documents() -> dict[str, list[tuple[str, str]]]:
    if not SENTENCES.is_file():
        pytest.skip(f"shared corpora absent: {SENTENCES} not found")
    docs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with SENTENCES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            # "$L1" marks a speaker in Rhapsodie's own notation: keep the label itself.
            docs[row["doc_id"]].append((row["speaker"].lstrip("$"), row["text"]))
    assert len(docs) > 50
    return dict(docs)


def _expected(sentences):
    return [(speaker, normalise_text(text).strip()) for speaker, text in sentences]


def test_every_recording_gives_its_turns_back(tmp_path, documents):
    total = 0
    for doc_id, sentences in documents.items():
        path = tmp_path / f"{doc_id}.txt"
        path.write_text("".join(f"{speaker} : {text}\n" for speaker, text in sentences), encoding="utf-8")
        doc = read_file(path)
        got = [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments]
        assert got == _expected(sentences), doc_id
        assert all(s.kind == "turn" for s in doc.segments)
        total += len(got)
    assert total == sum(len(s) for s in documents.values())


def test_disfluencies_and_truncations_are_kept(tmp_path, documents):
    sentences = [pair for doc in documents.values() for pair in doc]
    path = tmp_path / "all.txt"
    path.write_text("".join(f"{speaker} : {text}\n" for speaker, text in sentences), encoding="utf-8")
    doc = read_file(path)
    said = [doc.text[s.start:s.end] for s in doc.segments]
    assert sum("euh" in turn for turn in said) == sum("euh" in text for _, text in sentences) > 100
    assert sum("~" in turn for turn in said) == sum("~" in text for _, text in sentences) > 50


def test_speakers_of_a_dialogue_are_distinct_and_not_interviewers(tmp_path, documents):
    doc_id, sentences = max(documents.items(), key=lambda item: len({s for s, _ in item[1]}))
    path = tmp_path / f"{doc_id}.txt"
    path.write_text("".join(f"[00:00:{i % 60:02d}] {speaker} : {text}\r\n"
                            for i, (speaker, text) in enumerate(sentences)), encoding="utf-8")
    doc = read_file(path)
    assert {s.speaker for s in doc.segments} == {speaker for speaker, _ in sentences}
    assert len({s.speaker for s in doc.segments}) >= 3
    labels = IngestSettings().interviewer_labels
    assert {speaker_role(s.speaker, interviewer_labels=labels, default_role="resident")
            for s in doc.segments} == {"resident"}
    assert doc.segments[1].timestamp == "00:00:01"


def test_unlabelled_speech_is_never_mistaken_for_turns(tmp_path, documents):
    # The same sentences without labels, one per line, as in field notes: some contain
    # colons ("cette exclamation: et bling!"), none may become a speaker turn.
    sentences = [text for doc in documents.values() for _, text in doc]
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    doc = read_file(path)
    assert all(s.kind == "paragraph" and s.speaker is None for s in doc.segments)
    assert [doc.text[s.start:s.end] for s in doc.segments] == [normalise_text(t).strip() for t in sentences]


def test_recordings_as_cp1252_text_and_docx(tmp_path, documents):
    doc_id, sentences = next(iter(documents.items()))
    lines = [f"{speaker} : {text}" for speaker, text in sentences]
    legacy = tmp_path / f"{doc_id}-ansi.txt"
    legacy.write_bytes("\r\n".join(lines).encode("cp1252"))
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    word = tmp_path / f"{doc_id}.docx"
    document.save(str(word))
    for path in (legacy, word):
        doc = read_file(path)
        assert [(s.speaker, doc.text[s.start:s.end]) for s in doc.segments] == _expected(sentences)
