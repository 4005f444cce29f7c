"""--pseudonymise: accepted replacements applied in every text export, positions moved."""
from __future__ import annotations

import zipfile

import pytest

from exporterre_nlp import Project
from exporterre_nlp.exchange import coding_rows, export_qdpx, import_qdpx, iramuteq_corpus
from exporterre_nlp.pseudo import add_span

from exchange_project import build, human_codings, span


@pytest.fixture()
def sample(tmp_path):
    s = build(tmp_path)
    store = s.project.store
    doc = store.get_document("marche_samedi")
    # a coding that contains a name, and the name replaced everywhere (label included)
    store.add_coding(doc.id, *span(doc.text, "Au marché de l’Arlequin je vends"), "ressources.marches", "alice")
    at = 0
    while (at := doc.text.find("Fatima", at)) >= 0:
        add_span(s.project, doc.id, at, at + len("Fatima"), pseudonym="Samira")
        at += 1
    add_span(s.project, doc.id, *span(doc.text, "l’Arlequin"), pseudonym="la Galerie")
    yield s
    s.project.close()


def test_qdpx_pseudonymised_positions_give_the_pseudonymised_words(sample, tmp_path):
    out = export_qdpx(sample.project, tmp_path / "p.qdpx", pseudonymise=True)
    with zipfile.ZipFile(out.path) as z:
        texts = [z.read(n).decode() for n in z.namelist() if n.startswith("sources/")]
    assert not any("Fatima" in t or "l’Arlequin" in t for t in texts) and any("Samira" in t for t in texts)
    import_qdpx(out.path, tmp_path / "copie")
    with Project.open(tmp_path / "copie") as copy:
        words = {(w, k, c) for (_, _, _, w, k, c) in human_codings(copy)}
    original = {(w, k, c) for (_, _, _, w, k, c) in human_codings(sample.project)}
    assert ("Au marché de la Galerie je vends", "ressources.marches", "alice") in words
    assert {x for x in original if "Arlequin" not in x[0]} <= words
    assert len(words) == len(original)


def test_iramuteq_and_codings_pseudonymised(sample):
    corpus, details = iramuteq_corpus(sample.project, unit="turn", pseudonymise=True)
    assert "Fatima" not in corpus and "fatima" not in corpus and "*loc_samira" in corpus
    assert any("pas pseudonymisés" in w or "not pseudonymised" in w for w in details["warnings"])
    rows = coding_rows(sample.project, pseudonymise=True)
    assert {r[3] for r in rows if r[0] == "marche_samedi"} == {"Samira"}
    marche = next(r for r in rows if r[8] == "ressources.marches")
    assert marche[12] == "Au marché de la Galerie je vends"
    plain = coding_rows(sample.project)
    assert [r[6:8] for r in rows] == [r[6:8] for r in plain]      # start/end still point into the stored text
