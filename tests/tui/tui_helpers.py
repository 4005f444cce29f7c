"""A small fictional project for the terminal UI tests, and helpers to drive the app.

Tests are plain functions running their scenario with ``asyncio.run`` (no async
plugin needed); ``drive(app, scenario)`` starts the app headless, waits for its
background loads, runs ``scenario(pilot)`` and waits for the last writes.
"""
from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from exporterre_nlp.records import SegmentDraft
from exporterre_nlp.settings import Settings
from exporterre_nlp.store import NewDocument, Store, SuggestionDraft

# Fictional transcripts written for these tests.
DOCUMENTS = {
    "habitante_arlequin": (3, "Arlequin", "H-07", [
        ("Enquêtrice", "Bonjour madame, vous habitez ici depuis longtemps ?"),
        ("Samira", "Ben depuis quinze ans, euh, au 40 de la galerie. Le logement c'est trop petit pour nous, "
                   "on est cinq dans un trois-pièces."),
        ("Enquêtrice", "Et le quartier, qu'est-ce qui vous inquiète ?"),
        ("Samira", "La sécurité le soir, voilà, les enfants ils rentrent tard et le parking il est pas éclairé."),
        ("Enquêtrice", "Vous faites quoi, vous, dans le quartier ?"),
        ("Samira", "Moi je fais la cuisine pour les fêtes de l'école, les gâteaux, les msemen, tout ça. "
                   "Les voisines elles viennent apprendre."),
        ("Enquêtrice", "Il manque quoi, selon vous ?"),
        ("Samira", "Un local pour cuisiner ensemble. Et du travail pour les jeunes, ça c'est sûr."),
    ]),
    "centre_social": (1, "Baladins", None, [
        ("Enquêteur", "Qu'est-ce que les habitants vous demandent le plus ?"),
        ("Animatrice", "Surtout de l'aide pour les papiers, et le logement, les demandes de mutation."),
        ("Enquêteur", "Et les savoir-faire que vous voyez ?"),
        ("Animatrice", "Beaucoup de couture, de la mécanique aussi, sur le parking, c'est informel."),
    ]),
    "marche_notes": (2, "Marché", None, [
        (None, "Notes de terrain au marché du samedi. Beaucoup de monde autour des stands de légumes."),
        (None, "Une vendeuse explique qu'elle prépare des plats à emporter chez elle pour le marché."),
    ]),
}
ROLES = {"Enquêtrice": "interviewer", "Enquêteur": "interviewer", "Samira": "resident", "Animatrice": "relais"}
CODES = [
    ("besoins", "Besoins", None, "#e07a5f", "Ce qui manque aux habitants."),
    ("besoins.logement", "Logement", "besoins", None, "Logement trop petit, insalubre, mutation."),
    ("besoins.emploi", "Emploi", "besoins", "#f4a261", "Travail, formation, insertion."),
    ("besoins.local", "Local", "besoins", None, "Un lieu pour se réunir ou travailler."),
    ("preoccupations", "Préoccupations", None, "#7aa6c2", "Ce qui inquiète."),
    ("preoccupations.securite", "Sécurité", "preoccupations", None, "Insécurité, éclairage, trafic."),
    ("competences", "Compétences", None, "#81b29a", "Savoir-faire des habitants."),
    ("competences.cuisine", "Cuisine", "competences", None, "Cuisine, pâtisserie, traiteur."),
    ("competences.couture", "Couture", "competences", "#c08497", "Couture, retouche."),
]


def build(turns):
    text, segments = "", []
    for speaker, words in turns:
        prefix = f"{speaker} : " if speaker else ""
        start = len(text) + len(prefix)
        text += prefix + words + "\n\n"
        segments.append(SegmentDraft(start, start + len(words), speaker, kind="turn" if speaker else "paragraph"))
    return text, segments


def make_project(directory: Path, *, suggestions: bool = True) -> Path:
    """A project folder with the codes, the three documents and machine suggestions."""
    directory.mkdir(parents=True, exist_ok=True)
    Settings().save(directory)
    store = Store.open(directory, create=True)
    try:
        for key, label, parent, color, definition in CODES:
            store.add_code(key, label, parent=parent, color=color, definition=definition, actor="codebook")
        docs = {}
        for name, (phase, lieu, participant, turns) in DOCUMENTS.items():
            text, segments = build(turns)
            docs[name] = store.add_document(
                NewDocument(name=name, phase=phase, text=text, lieu=lieu, participant=participant, format="txt",
                            content_hash=hashlib.sha256(text.encode()).hexdigest()), segments, ROLES)
        if suggestions:
            drafts = []
            for name, words, key, rule, category, score in (
                    ("habitante_arlequin", "Le logement c'est trop petit", "besoins.logement", "besoin_logement",
                     "besoin", 0.9),
                    ("habitante_arlequin", "La sécurité le soir", "preoccupations.securite", "preoccupation_securite",
                     "preoccupation", 0.8),
                    ("habitante_arlequin", "je fais la cuisine", "competences.cuisine", "competence_faire",
                     "competence", 0.7),
                    ("centre_social", "de la mécanique", "competences.couture", "competence_liste", "competence", 0.4)):
                doc = docs[name]
                start = doc.text.index(words)
                drafts.append(SuggestionDraft(doc.id, start, start + len(words), key, f"rule:{rule}", score,
                                              details={"category": category, "rule_id": rule, "words": words}))
            store.sync_suggestions("rule:", drafts)
            doc = docs["habitante_arlequin"]
            start = doc.text.index("du travail pour les jeunes")
            store.sync_suggestions("topic:", [SuggestionDraft(
                doc.id, start, start + len("du travail pour les jeunes"), "besoins.emploi", "topic:2", 0.35,
                details={"theme_words": ["travail", "jeunes", "emploi"]})])
    finally:
        store.close()
    return directory


LONG_TURNS = [
    ("Enquêtrice", "Et ensuite, qu'est-ce qui s'est passé pour vous dans le quartier ?"),
    ("Samira", "Ben on a cherché un local pour l'association, euh, pendant des mois, et la mairie elle "
               "répondait pas, alors on s'est débrouillées avec la salle de la maison des habitants."),
]


def add_long_document(store, name: str, turns: int) -> int:
    """A long fictional transcript of ``turns`` alternating turns; returns its id."""
    text_turns = [LONG_TURNS[i % 2] for i in range(turns)]
    text, segments = build(text_turns)
    doc = store.add_document(NewDocument(name=name, phase=3, text=text, format="txt",
                                         content_hash=hashlib.sha256(text.encode()).hexdigest()), segments, ROLES)
    return doc.id


async def settle(pilot) -> None:
    await pilot.app.settle()
    await pilot.pause()


def drive(app, scenario, size=(100, 32), message_hook=None):
    """Run ``scenario(pilot)`` against ``app`` headless; returns what the scenario returns.
    ``message_hook(message)`` sees every message the app's widgets receive."""
    async def main():
        async with app.run_test(size=size, message_hook=message_hook) as pilot:
            await settle(pilot)
            result = await scenario(pilot)
            await settle(pilot)
            return result
    try:
        return asyncio.run(main())
    finally:
        app.writer.shutdown()


async def press(pilot, *keys: str) -> None:
    """Press keys (in order), then let writes and background loads finish."""
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[c if c != " " else "space" for c in text])
    await settle(pilot)


def screen_text(app) -> str:
    """What the terminal shows right now, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def add_theme_run(store) -> int:
    """A finished theme run as `exporterre themes` stores one: theme 0 (housing) with two suggested codes,
    theme 1 (cooking) with one, theme 2 (small talk) with none; quotes from the documents."""
    from exporterre_nlp.store.themes import ThemeCodeScore, ThemeQuote, ThemeRecord
    run = store.start_run("themes", settings={"themes": {"backend": "e5"}, "seed": 42}, versions={},
                          input_hash="test")
    doc = store.get_document("habitante_arlequin")
    words = "Le logement c'est trop petit"
    start = doc.text.index(words)
    themes = [ThemeRecord(run.id, 0, "logement · petit · mutation", 4, [("logement", 0.5), ("petit", 0.3)]),
              ThemeRecord(run.id, 1, "cuisine · gâteau · fête", 3, [("cuisine", 0.5), ("gâteau", 0.4)]),
              ThemeRecord(run.id, 2, "bonjour · madame", 2, [("bonjour", 0.5)])]
    code = {c.key: c for c in store.list_codes()}
    scores = [ThemeCodeScore(run.id, 0, code["besoins.logement"].id, "besoins.logement", "Logement", 0.41, True,
                             ("logement", "mutation")),
              ThemeCodeScore(run.id, 0, code["besoins.local"].id, "besoins.local", "Local", 0.18, True, ("petit",)),
              ThemeCodeScore(run.id, 0, code["competences.cuisine"].id, "competences.cuisine", "Cuisine", 0.02,
                             False),
              ThemeCodeScore(run.id, 1, code["competences.cuisine"].id, "competences.cuisine", "Cuisine", 0.35, True,
                             ("cuisine",))]
    quotes = [ThemeQuote(run.id, 0, 0, doc.id, doc.name, start, start + len(words), "Samira", 0.9, words)]
    store.save_theme_results(run.id, themes=themes, units=[], quotes=quotes, codes=scores, class_counts=[])
    store.finish_run(run.id)
    return run.id
