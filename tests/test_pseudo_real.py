"""Pseudonymisation on real spoken French (UD Rhapsodie, ParisStories) and the hand-labelled sample of
benchmarks/pseudo (offsets only; the corpora are read from shared/corpora, skipped when absent)."""
from __future__ import annotations

import csv
import hashlib
import re

import pytest

from benchmarks.pseudo import measure
from exporterre_nlp.pseudo.detect import find_in_document
from exporterre_nlp.pseudo.forms import PLACE
from exporterre_nlp.pseudo.lexicon import load_lexicon


@pytest.fixture(scope="module")
def sentences(shared_corpora):
    out = {}
    for name in ("ud-rhapsodie", "ud-parisstories"):
        path = shared_corpora / name / "sentences.tsv"
        if not path.exists():
            pytest.skip(f"{name} absent")
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                out[row["sent_id"]] = row["text"]
    return out


def test_pseudo_gold_sample_points_at_the_same_words_in_the_corpora(sentences):
    gold = measure.read_gold()
    labels = [g["label"] for spans in gold.values() for g in spans]
    assert labels.count("private") >= 97 and labels.count("public") > 200
    for sid, spans in gold.items():
        for g in spans:
            words = sentences[sid][g["start"]:g["end"]]
            assert hashlib.sha1(words.encode()).hexdigest()[:8] == g["sha1"], sid


@pytest.mark.parametrize("sent_id,name", [
    ("Rhap_D2011-17", "Pierre"),                                    # "bonjour, Pierre."
    ("ParisStories_2022_12_anniversairePetitChat__11", "Corinne"),   # "chez Corinne"
    ("Rhap_D2004-61", "Besse"),                                      # "les Besse", a family
])
def test_pseudo_real_forms_of_address_are_found(sentences, sent_id, name):
    text = sentences[sent_id]
    persons, _ = find_in_document(text, load_lexicon())
    assert name in [text[m.start:m.end] for m in persons]


@pytest.mark.parametrize("sent_id", ["Rhap_M0013-7", "Rhap_M0014-1", "Rhap_D0007-7"])
def test_pseudo_real_names_in_place_names_are_flagged_as_places(sentences, sent_id):
    text = sentences[sent_id]          # place Victor Hugo, place Paul Vallier, l'arrêt, euh, Hubert Dubedout
    persons, _ = find_in_document(text, load_lexicon())
    assert persons and all(m.note == PLACE for m in persons)


def test_pseudo_real_truncated_name_is_proposed_with_the_full_one(sentences, tmp_path):
    from exporterre_nlp import Project, importer
    from exporterre_nlp.pseudo.detect import detect
    doc = "ParisStories_2020_blessureRecreation"
    lines = [(sid, t) for sid, t in sentences.items() if re.fullmatch(re.escape(doc) + r"_\d+", sid)]
    lines.sort(key=lambda x: int(x[0].rsplit("_", 1)[1]))
    src = tmp_path / "src"
    src.mkdir()
    (src / f"{doc}.txt").write_text("".join(f"L1 : {t}\n" for _, t in lines), encoding="utf-8")
    proj = Project.init(tmp_path / "projet")
    try:
        importer.ingest_paths(proj, [src], metadata={"phase": 3})
        detect(proj, use_ner=False)
        d = proj.store.get_document(doc)
        words = [d.text[c.start:c.end] for c in proj.store.list_pseudo_candidates(category="person")]
        assert "Céc~" in words and "Cécilia" in words
    finally:
        proj.close()


@pytest.mark.slow
def test_pseudo_recall_of_private_people_on_parisstories(shared_corpora, tmp_path):
    """The bench on the ParisStories recordings that name private people (French model on)."""
    gold = measure.read_gold()
    docs = {d: s for d, s in measure.read_corpus().items() if d.startswith("ParisStories")
            and any(g["label"] == "private" for sid, _, _ in s for g in gold.get(sid, []))}
    measure.build(tmp_path / "projet", docs)
    from exporterre_nlp import Project
    proj = Project.open(tmp_path / "projet")
    try:
        cands, _, _ = measure.candidates_by_sentence(proj, docs)
    finally:
        proj.close()
    sents = {sid: t for s in docs.values() for sid, _, t in s}
    result = measure.score({k: v for k, v in gold.items() if k in sents}, cands, sents)
    assert result["recall"]["all"]["total"] >= 60
    assert result["recall"]["all"]["recall"] >= 0.9, result["misses"]
    fillers = [p for p, _ in result["other_proposals"] if p.split(" (")[0].lower() in {"euh", "ben", "bah", "hein"}]
    assert fillers == []
