"""A small hand-made store for the analysis and report tests.

Documents are written turn by turn; :func:`build_store` returns the store and
the exact place of every turn, so tests code real spans of real text.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from exporterre_nlp.records import SegmentDraft
from exporterre_nlp.store import NewDocument, Store

CODES = [
    # key, label, parent, tags
    ("besoins", "Besoins", None, ["besoin"]),
    ("besoins.garde", "Garde d'enfants", "besoins", ["enfance"]),
    ("besoins.logement", "Logement", "besoins", ["logement"]),
    ("competences", "Compétences", None, ["competence"]),
    ("competences.couture", "Couture", "competences", ["couture"]),
    ("competences.bricolage", "Bricolage", "competences", ["logement"]),
    ("preoccupations", "Préoccupations", None, []),
    ("preoccupations.proprete", "Propreté", "preoccupations", ["cadre_de_vie"]),
]


@dataclass(frozen=True)
class Turn:
    document_id: int
    segment_id: int
    start: int
    end: int
    speaker: str | None
    text: str


def add_codes(store: Store) -> None:
    for key, label, parent, tags in CODES:
        store.add_code(key, label, parent=parent, definition=f"Définition de {label.lower()}.",
                       attributes={"tags": tags})


def add_document(store: Store, name: str, phase: int, lieu: str | None, turns: list[tuple[str | None, str]], *,
                 participant: str | None = None, participant_attributes: dict | None = None,
                 roles: dict[str, str] | None = None) -> list[Turn]:
    """Write ``turns`` (speaker, words) as one document; returns each turn's place."""
    text, drafts = "", []
    for speaker, words in turns:
        prefix = f"{speaker} : " if speaker else ""
        start = len(text) + len(prefix)
        text += prefix + words + "\n\n"
        drafts.append(SegmentDraft(start, start + len(words), speaker=speaker,
                                   kind="turn" if speaker else "paragraph"))
    roles = roles or {s: ("interviewer" if s == "E" else "resident") for s, _ in turns if s}
    doc = store.add_document(
        NewDocument(name=name, phase=phase, text=text, content_hash=hashlib.sha256(text.encode()).hexdigest(),
                    format="txt", lieu=lieu, participant=participant,
                    participant_attributes=participant_attributes), drafts, roles)
    segments = store.list_segments(doc.id)
    return [Turn(doc.id, s.id, s.start, s.end, s.speaker, text[s.start:s.end]) for s in segments]


def build_store(path: Path) -> tuple[Store, dict[str, list[Turn]]]:
    """Four documents over three phases, with interviewer turns, two residents and field notes."""
    store = Store.open(path, create=True)
    add_codes(store)
    docs = {}
    docs["relais_centre"] = add_document(store, "relais_centre", 1, "centre social", [
        ("E", "Qu'est-ce qui manque le plus aux familles du quartier selon vous ?"),
        ("Nadia", "Les familles ont besoin d'aide pour les papiers, la CAF, tout est en ligne maintenant."),
        ("E", "Et les savoir-faire que vous voyez chez les habitants ?"),
        ("Nadia", "Il y a des femmes qui cousent très bien, elles font des robes pour les mariages du quartier."),
        ("Nadia", "Et des hommes qui réparent tout, la plomberie, l'électricité, ils dépannent les voisins."),
    ], participant="R1-01", participant_attributes={"genre": "F", "quartier": "Baladins"},
        roles={"E": "interviewer", "Nadia": "relais"})
    docs["lieu_mosquee"] = add_document(store, "lieu_mosquee", 2, "mosquée", [
        (None, "Présentation devant une vingtaine de personnes après la prière, échange dans la salle."),
        (None, "Un homme explique qu'il répare les machines à laver de tout l'immeuble depuis des années."),
        (None, "Une femme dit que le hall est sale et que les poubelles débordent chaque semaine."),
    ])
    docs["habitante_baladins"] = add_document(store, "habitante_baladins", 3, "porte-à-porte", [
        ("E", "Bonjour, vous habitez ici depuis longtemps ?"),
        ("Fatima", "Depuis dix ans. Le problème c'est la garde des enfants, il n'y a pas de place en crèche."),
        ("Fatima", "Je travaille le matin tôt et personne ne peut garder mes deux petits avant l'école."),
        ("Fatima", "Moi je couds, je fais des retouches pour les voisines, des ourlets, des rideaux."),
        ("Fatima", "Et l'appartement est humide, il y a de la moisissure dans la chambre des enfants."),
    ], participant="H3-01", participant_attributes={"genre": "F", "quartier": "Baladins"})
    docs["habitant_arlequin"] = add_document(store, "habitant_arlequin", 3, "marché", [
        ("E", "Qu'est-ce qui vous préoccupe dans le quartier ?"),
        ("Karim", "La crèche, franchement, ma femme a arrêté de travailler parce qu'on n'avait pas de garde."),
        ("Karim", "Le logement aussi, on est cinq dans un trois pièces, on attend un échange depuis quatre ans."),
        ("Karim", "Les parties communes sont sales, les poubelles restent dans le local pendant des jours."),
    ], participant="H3-02", participant_attributes={"genre": "H", "quartier": "Arlequin"})
    return store, docs


def code_turn(store: Store, turn: Turn, code: str, coder: str = "alice", **kwargs):
    return store.add_coding(turn.document_id, turn.start, turn.end, code, coder, **kwargs)


def cover_everything(store: Store, docs: dict[str, list[Turn]], coder: str = "alice") -> None:
    """``coder`` marks every document as coded for every branch of the codebook."""
    store.mark_coverage(coder, [turns[0].document_id for turns in docs.values()],
                        [key for key, _label, parent, _tags in CODES if parent is None])


def code_everything(store: Store, docs: dict[str, list[Turn]], coder: str = "alice", *,
                    cover: bool = True) -> None:
    """The reference coding of the small store (see the expected counts in the tests); ``coder`` has read every
    document for every branch (coverage marked), unless ``cover`` is False."""
    if cover:
        cover_everything(store, docs, coder)
    r, m, f, k = docs["relais_centre"], docs["lieu_mosquee"], docs["habitante_baladins"], docs["habitant_arlequin"]
    code_turn(store, r[1], "besoins", coder)
    code_turn(store, r[3], "competences.couture", coder)
    code_turn(store, r[4], "competences.bricolage", coder)
    code_turn(store, m[1], "competences.bricolage", coder)
    code_turn(store, m[2], "preoccupations.proprete", coder)
    code_turn(store, f[1], "besoins.garde", coder)
    code_turn(store, f[2], "besoins.garde", coder)
    code_turn(store, f[3], "competences.couture", coder)
    code_turn(store, f[4], "besoins.logement", coder)
    code_turn(store, k[1], "besoins.garde", coder)
    code_turn(store, k[2], "besoins.logement", coder)
    code_turn(store, k[3], "preoccupations.proprete", coder)


def add_theme_run(store: Store, docs: dict[str, list[Turn]]) -> int:
    """A stored theme run (as ``exporterre themes`` writes one): theme 0 = childcare, 1 = skills, -1 = none."""
    from exporterre_nlp.store.themes import ThemeCodeScore, ThemeRecord, ThemeUnit

    run = store.start_run("themes", settings={"backend": "test"}, versions={}, input_hash="test")
    assignment = {("habitante_baladins", 1): 0, ("habitante_baladins", 2): 0, ("habitant_arlequin", 1): 0,
                  ("relais_centre", 3): 1, ("relais_centre", 4): 1, ("habitante_baladins", 3): 1,
                  ("lieu_mosquee", 1): 1, ("habitant_arlequin", 3): -1}
    phases = {"relais_centre": 1, "lieu_mosquee": 2, "habitante_baladins": 3, "habitant_arlequin": 3}
    units = []
    for i, ((name, turn), theme) in enumerate(sorted(assignment.items())):
        t = docs[name][turn]
        units.append(ThemeUnit(run.id, i, t.document_id, name, t.segment_id, t.start, t.end, t.speaker,
                               "resident", phases[name], None, theme, 1.0))
    themes = [ThemeRecord(run.id, 0, "crèche · garde · enfants", 3, [("crèche", 0.5), ("garde", 0.4)]),
              ThemeRecord(run.id, 1, "coudre · réparer", 4, [("coudre", 0.5), ("réparer", 0.3)])]
    garde = store.get_code("besoins.garde")
    codes = [ThemeCodeScore(run.id, 0, garde.id, garde.key, garde.label, 0.8, True)]
    store.save_theme_results(run.id, themes=themes, units=units, quotes=[], codes=codes, class_counts=[])
    store.finish_run(run.id)
    return run.id
