"""A small real project for the exchange tests: two transcripts imported through
the importer (speaker turns, metadata), with codings by two coders, a pending and a
rejected machine suggestion, and memos on every kind of target."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exporterre_nlp import Project
from exporterre_nlp.importer import ingest_paths

MARCHE = """E : Bonjour, vous pouvez me parler du marché ?
Fatima : Oui. Au marché de l’Arlequin je vends des gâteaux 😀 que je fais moi-même, c’est mon savoir-faire.
**** *ceci_casserait le corpus
*variable_piege aussi
E : Et qu’est-ce qui manque ici ?
Fatima : Il faut plus de crèches, franchement, œuvre commune ou pas, on n’a pas de place pour les petits 👶🏽.
=SOMME(A1:A3) écrit sur un carton
"""

RELAIS = """Q : Vous travaillez avec quelles familles ?
Karim : Avec les familles du Village Olympique. Beaucoup de mères savent coudre, elles font des retouches.
Karim : Le problème c'est le logement, les appartements sont trop petits et humides.
"""


@dataclass
class Sample:
    project: Project
    marche: int
    relais: int


def span(text: str, words: str, after: int = 0) -> tuple[int, int]:
    start = text.index(words, after)
    return start, start + len(words)


def build(tmp: Path) -> Sample:
    corpus = tmp / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "marche_samedi.txt").write_text(MARCHE, encoding="utf-8")
    (corpus / "relais_couture.txt").write_text(RELAIS, encoding="utf-8")
    project = Project.init(tmp / "projet")
    r1 = ingest_paths(project, [corpus / "marche_samedi.txt"],
                      metadata={"phase": 3, "lieu": "Marché de l’Arlequin", "participant": "H3-01",
                                "date": "2026-06-09", "genre": "F"})
    r2 = ingest_paths(project, [corpus / "relais_couture.txt"],
                      metadata={"phase": 1, "lieu": "association", "participant": "R1-02"})
    assert [r.status for r in r1 + r2] == ["added", "added"], r1 + r2
    store = project.store
    m = store.get_document("marche_samedi")
    r = store.get_document("relais_couture")
    s = store
    s.add_coding(m.id, *span(m.text, "je vends des gâteaux 😀 que je fais moi-même"), "competences.cuisine", "alice")
    s.add_coding(m.id, *span(m.text, "je vends des gâteaux 😀 que je fais moi-même"), "competences.cuisine", "bob")
    c = s.add_coding(m.id, *span(m.text, "Il faut plus de crèches"), "besoins.garde_enfants", "alice")
    s.add_coding(m.id, *span(m.text, "on n’a pas de place pour les petits 👶🏽"), "besoins.garde_enfants", "bob")
    s.add_coding(m.id, *span(m.text, "=SOMME(A1:A3) écrit sur un carton"), "ressources", "bob")
    s.add_coding(r.id, *span(r.text, "Beaucoup de mères savent coudre"), "competences.couture", "alice")
    s.add_coding(r.id, *span(r.text, "le logement, les appartements sont trop petits et humides"),
                 "besoins.logement", "alice")
    s.add_coding(r.id, *span(r.text, "trop petits"), "preoccupations", "bob")
    pending = s.add_coding(r.id, *span(r.text, "elles font des retouches"), "competences.couture", "machine",
                           status="pending", origin="rule:test")
    rejected = s.add_coding(r.id, *span(r.text, "Avec les familles"), "besoins.logement", "machine",
                            status="pending", origin="rule:test2")
    s.decide(rejected.id, "alice", "reject")
    assert pending.id
    s.add_memo("project", None, "alice", "Terrain d’été : œuvre collective 😀")
    s.add_memo("document", m.id, "bob", "Entretien au marché, bruit de fond.")
    s.add_memo("coding", c.id, "alice", "Crèches : à croiser avec la phase 1.")
    s.add_memo("code", s.get_code("besoins.logement").id, "bob", "Inclut l’humidité.")
    seg = next(x for x in s.list_segments(r.id) if "problème" in r.text[x.start:x.end])
    s.add_memo("segment", seg.id, "alice", "Tour clé sur le logement.")
    return Sample(project, m.id, r.id)


def human_codings(project: Project) -> list[tuple]:
    """(document, start, end, words, code, coder) of people's codings, sorted."""
    s = project.store
    keys = {c.id: c.key for c in s.list_codes()}
    out = []
    for c in s.list_codings(statuses=["manual", "accepted"]):
        d = s.get_document(c.document_id)
        out.append((d.name, c.start, c.end, d.text[c.start:c.end], keys[c.code_id], c.coder))
    return sorted(out)


def memos(project: Project) -> list[tuple]:
    """(target kind, target description, coder, text) — targets described by content, not ids."""
    s = project.store
    out = []
    for m in s.list_memos():
        if m.target_type == "document":
            target = s.get_document(m.target_id).name
        elif m.target_type == "code":
            target = s.get_code(m.target_id).key
        elif m.target_type == "coding":
            c = s.get_coding(m.target_id)
            target = (s.get_document(c.document_id).text[c.start:c.end], s.get_code(c.code_id).key)
        elif m.target_type == "segment":
            seg = next(x for d in s.list_documents() for x in s.list_segments(d.id) if x.id == m.target_id)
            target = s.get_document(seg.document_id).text[seg.start:seg.end]
        else:
            target = None
        out.append((m.target_type, target, m.coder, m.text))
    return sorted(out, key=repr)
