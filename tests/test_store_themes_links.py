"""Migration 8 and theme-level links: old per-unit theme suggestions go, people's decisions stay."""
from __future__ import annotations

import pytest

from exporterre_nlp import NewDocument, Store, SuggestionDraft
from exporterre_nlp.errors import NotFoundError, UnknownCodeError
from exporterre_nlp.store import migrations
from exporterre_nlp.store.themes import ThemeRecord
from tests.test_store import _segments

TEXT = ("E : Qu'est-ce qui vous manque ici ?\n"
        "Awa : Ben on a besoin de crèches, euh, vraiment. Et le problème c'est l'ascenseur.\n"
        "E : D'accord.\n"
        "Awa : Le bus ne passe plus le soir, on reste enfermés dans le quartier.\n")


def _fill(store: Store):
    store.add_code("besoins", "Besoins")
    store.add_code("besoins.garde_enfants", "Garde d'enfants", parent="besoins")
    store.add_code("besoins.transport", "Transports", parent="besoins")
    doc = store.add_document(NewDocument("porte_a_porte_01", 3, TEXT, "h1", "txt"), _segments(TEXT),
                             {"E": "interviewer", "Awa": "resident"})
    return doc


def _span(doc, words: str) -> tuple[int, int]:
    start = doc.text.index(words)
    return start, start + len(words)


def test_store_migration_8_removes_undecided_theme_suggestions_and_keeps_decisions(tmp_path, monkeypatch):
    old = [m for m in migrations.MIGRATIONS if m[0] < 8]
    monkeypatch.setattr(migrations, "MIGRATIONS", old)
    monkeypatch.setattr(migrations, "LATEST", old[-1][0])
    store = Store.open(tmp_path, create=True)
    # today's add_document writes the word count of migration 14: give this schema-7 store that column
    store.db.conn.execute("ALTER TABLE documents ADD COLUMN words INTEGER")
    doc = _fill(store)
    crèches, bus, ascenseur = (_span(doc, w) for w in ("besoin de crèches", "Le bus ne passe plus",
                                                        "le problème c'est l'ascenseur"))
    topic = store.sync_suggestions("topic:", [
        SuggestionDraft(doc.id, *crèches, "besoins.garde_enfants", "topic:2", 0.3),
        SuggestionDraft(doc.id, *bus, "besoins.transport", "topic:5", 0.2),
        SuggestionDraft(doc.id, *ascenseur, "besoins.transport", "topic:5", 0.2)]).ids
    rule = store.sync_suggestions("rule:", [SuggestionDraft(doc.id, *bus, "besoins.transport", "rule:bus", 0.9)]).ids
    accepted = store.decide(topic[0], "amina", "accept")
    rejected = store.decide(topic[1], "karim", "reject")
    manual = store.add_coding(doc.id, *ascenseur, "besoins", "amina")
    store.close()

    monkeypatch.undo()
    store = Store.open(tmp_path)
    assert store.backup_path is not None and store.backup_path.exists()
    left = {c.id: c for c in store.list_codings()}
    assert not [c for c in left.values() if c.status == "pending" and c.origin.startswith("topic:")]
    assert set(topic).isdisjoint(left)                       # the three per-unit theme suggestions are gone
    assert rule[0] in left and left[rule[0]].status == "pending"          # rule suggestions untouched
    assert left[manual.id].status == "manual"
    kept = left[accepted.id]                                 # an acceptance is now the person's own coding
    assert (kept.status, kept.origin, kept.coder, kept.source_id) == ("manual", "human", "amina", None)
    assert doc.text[kept.start:kept.end] == "besoin de crèches"
    assert store.coding_details(accepted.id)["former_origin"] == "topic:2"
    no = left[rejected.id]                                   # a rejection stays a rejection, by its coder
    assert (no.status, no.origin, no.coder) == ("rejected", "human", "karim")
    store.close()


@pytest.fixture()
def run_store(tmp_path):
    store = Store.open(tmp_path, create=True)
    _fill(store)
    run = store.start_run("themes", settings={}, versions={})
    store.save_theme_results(run.id, themes=[ThemeRecord(run.id, 0, "bus · soir", 2, [("bus", 0.5)])], units=[],
                             quotes=[], codes=[], class_counts=[])
    store.finish_run(run.id, status="done", summary={})
    yield store, run
    store.close()


def test_store_theme_link_is_one_decision_for_the_whole_theme(run_store):
    store, run = run_store
    before = len(store.list_codings())
    link = store.decide_theme_link(run.id, 0, "besoins.transport", status="accepted", coder="amina")
    assert (link.theme, link.code_key, link.status, link.coder) == (0, "besoins.transport", "accepted", "amina")
    assert link.decided_at
    assert len(store.list_codings()) == before                # a link is never a coding
    again = store.decide_theme_link(run.id, 0, "besoins.transport", status="rejected", coder="karim")
    assert again.id == link.id and [(x.status, x.coder) for x in store.theme_links(run.id)] == [("rejected", "karim")]
    store.undo("karim")                                       # logged like any decision
    assert [(x.status, x.coder) for x in store.theme_links(run.id)] == [("accepted", "amina")]
    store.undo("amina")
    assert store.theme_links(run.id) == []


def test_store_theme_link_refuses_unknown_theme_or_code(run_store):
    store, run = run_store
    with pytest.raises(NotFoundError) as err:
        store.decide_theme_link(run.id, 42, "besoins.transport", status="accepted", coder="amina")
    assert "42" in err.value.message and err.value.hint
    with pytest.raises(UnknownCodeError):
        store.decide_theme_link(run.id, 0, "pas.un.code", status="accepted", coder="amina")
