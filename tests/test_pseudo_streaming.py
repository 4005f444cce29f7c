"""`pseudo detect` reads the project one document at a time: its memory must not grow with the corpus.

Holding every spaCy parse of the project until the end made `pseudo detect` the step that would break a
10-million-word project (2.9 GB at 3 million words, docs/big-projects.md). These tests provoke the
detection on several documents and watch the parse stream from the inside.
"""
from __future__ import annotations

import pytest

import importlib

from exporterre_nlp import importer

from exporterre_nlp.pseudo import detect

detect_module = importlib.import_module("exporterre_nlp.pseudo.detect")     # the module, not the function

TEXTS = {
    "entretien_a.txt": "ENQ : Vous êtes arrivée quand ?\nHAB : En 1998. Nadia Ferhat m'a aidée au centre social.\n",
    "entretien_b.txt": "ENQ : Qui vous a orientée ?\nHAB : C'est Karim Bellaoui, de la régie, le 06 84 02 19 37.\n",
    "entretien_c.txt": "ENQ : Et ensuite ?\nHAB : Martine Garnier nous a trouvé une salle pour la couture.\n",
}


@pytest.mark.slow
def test_pseudo_detect_holds_one_document_of_parses_at_a_time(project, tmp_path, monkeypatch):
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    importer.ingest_paths(project, [tmp_path / n for n in TEXTS], metadata={"phase": 1})

    analyse = importlib.import_module("exporterre_nlp.nlp.analyse")   # the module, not the function
    real_parsed_units = analyse.parsed_units
    yielded: list[int] = []                  # document id of every parse handed out, in order

    def watched(*args, **kwargs):
        for seg, doc in real_parsed_units(*args, **kwargs):
            yielded.append(seg.document_id)
            yield seg, doc
    monkeypatch.setattr(analyse, "parsed_units", watched)

    real_find = detect_module.find_in_document
    handed_out_at_call: list[int] = []      # how many documents' parses were handed out at each call

    def find(text, lexicon, *, parsed=(), **kwargs):
        handed_out_at_call.append(len(set(yielded)))
        return real_find(text, lexicon, parsed=parsed, **kwargs)
    monkeypatch.setattr(detect_module, "find_in_document", find)

    result = detect(project, use_ner=True)

    assert len(set(yielded)) == 3 and result.documents == 3
    # at the k-th document, at most the parses of k documents plus the next one were handed out
    assert all(n <= k + 2 for k, n in enumerate(handed_out_at_call)), handed_out_at_call
    assert handed_out_at_call[0] <= 2
    # and the detection still finds the people of every document, and the phone number
    store = project.store
    found = {store.get_document(c.document_id).text[c.start:c.end] for c in store.list_pseudo_candidates()}
    assert {"Nadia Ferhat", "Karim Bellaoui", "Martine Garnier", "06 84 02 19 37"} <= found, found
