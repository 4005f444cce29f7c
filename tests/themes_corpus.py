"""Test projects for the themes tests, built from real spoken French in ../shared/corpora.

Rhapsodie (interviews, life stories: speaker per sentence) and ParisStories
(Paris-region residents' anecdotes) are read from ``sentences.tsv``; nothing is
copied into the repository. Consecutive sentences of one speaker make a turn;
Rhapsodie's L1 is taken as the resident and L2 as the interviewer; ParisStories
monologues become unattributed paragraphs of five sentences. Phases and lieux
are assigned deterministically from the document's rank.
"""
from __future__ import annotations

import csv
import hashlib
from itertools import groupby
from pathlib import Path

from exporterre_nlp import Project, SegmentDraft, Settings, Store
from exporterre_nlp.store import NewDocument

LIEUX = ["Arlequin", "Baladins", "Village Olympique", "Géants"]
CODES = [
    ("besoins", "Besoins", None, "Ce qui manque aux habitants.", [], []),
    ("besoins.transport", "Transports", "besoins", "Se déplacer : métro, bus, RER, train, voiture, trajets.",
     ["je prends le métro tous les jours", "le bus ne passe plus"], ["métro", "bus", "train", "station", "trajet"]),
    ("besoins.logement", "Logement", "besoins", "Habiter : appartement, loyer, immeuble, déménager.",
     ["on a déménagé dans un appartement plus grand"], ["appartement", "loyer", "immeuble", "maison"]),
    ("competences", "Compétences", None, "Ce que les habitants savent faire.", [], []),
    ("competences.etudes", "Études et école", "competences", "École, lycée, université, études, diplôme, cours.",
     ["j'ai fait mes études à la fac"], ["école", "lycée", "université", "études", "cours", "professeur"]),
    ("competences.travail", "Travail", "competences", "Emploi, métier, entreprise, patron, collègues.",
     ["je travaillais dans une entreprise"], ["travail", "métier", "entreprise", "boulot", "collègue"]),
]


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _number(suffix: str) -> tuple[int, str]:
    digits = "".join(ch for ch in suffix if ch.isdigit())
    return (int(digits) if digits else 0, suffix)


def documents(shared: Path, limit: int | None = None) -> list[tuple[NewDocument, list[SegmentDraft], dict]]:
    """(document, segments, roles) triples, Rhapsodie first, then ParisStories."""
    out = []
    for corpus in ("ud-rhapsodie", "ud-parisstories"):
        rows = _read(shared / corpus / "sentences.tsv")
        sep = "-" if corpus == "ud-rhapsodie" else "_"
        rows.sort(key=lambda r: (r["doc_id"], _number(r["sent_id"].rsplit(sep, 1)[1])))
        for doc_id, sents in groupby(rows, key=lambda r: r["doc_id"]):
            sents = list(sents)
            if corpus == "ud-rhapsodie":
                turns = [(sp, " ".join(s["text"] for s in grp)) for sp, grp in groupby(sents, key=lambda r: r["speaker"])]
            else:
                turns = [(None, " ".join(s["text"] for s in sents[i:i + 5])) for i in range(0, len(sents), 5)]
            text, segs = "", []
            for speaker, words in turns:
                start = len(text)
                text += words + "\n\n"
                segs.append(SegmentDraft(start, start + len(words), speaker or None))
            rank = len(out)
            roles = {sp: ("resident" if sp == "L1" else "interviewer" if sp == "L2" else "other")
                     for sp, _ in turns if sp}
            doc = NewDocument(name=doc_id, phase=rank % 3 + 1, text=text,
                              content_hash=hashlib.sha256(text.encode()).hexdigest(), format="txt",
                              lieu=LIEUX[rank % len(LIEUX)])
            out.append((doc, segs, roles))
            if limit and len(out) >= limit:
                return out
    return out


def make_project(path: Path, shared: Path, limit: int | None = None, settings: Settings | None = None) -> Project:
    """A project (store, settings, a small codebook in the store) holding real spoken French."""
    path.mkdir(parents=True, exist_ok=True)
    settings = settings or Settings()
    settings.save(path)
    store = Store.open(path, create=True)
    for key, label, parent, definition, examples, keywords in CODES:
        store.add_code(key, label, parent=parent, definition=definition,
                       attributes={"examples": examples, "keywords": keywords, "use_when": "", "tags": []})
    for doc, segs, roles in documents(shared, limit):
        store.add_document(doc, segs, roles)
    return Project(path, settings, store)
