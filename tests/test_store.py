"""The store: migrations, typed records, codings, suggestions, undo/redo."""
from __future__ import annotations

import sqlite3

import pytest

from exporterre_nlp import (NewDocument, SegmentDraft, Store, StoreError, StoreTooNewError, SuggestionDraft,
                            UnknownCodeError)
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.store import migrations

TEXT = ("E : Qu'est-ce qui vous manque ici ?\n"
        "Awa : Ben on a besoin de crèches, euh, vraiment. Et le problème c'est l'ascenseur.\n"
        "E : D'accord.\n")


def _segments(text: str) -> list[SegmentDraft]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        label, _, words = line.partition(" : ")
        start = pos + len(label) + 3
        out.append(SegmentDraft(start, start + len(words.rstrip("\n")), label))
        pos += len(line)
    return out


@pytest.fixture()
def store(tmp_path):
    s = Store.open(tmp_path, create=True)
    s.add_code("besoins", "Besoins")
    s.add_code("besoins.garde_enfants", "Garde d'enfants", parent="besoins")
    s.add_code("preoccupations", "Préoccupations")
    yield s
    s.close()


@pytest.fixture()
def doc(store):
    return store.add_document(NewDocument("porte_a_porte_01", 3, TEXT, "h1", "txt", participant="H3-01",
                                          participant_attributes={"genre": "F"}),
                              _segments(TEXT), {"E": "interviewer", "Awa": "resident"})


def test_new_store_is_at_latest_schema_with_wal_and_foreign_keys(store):
    conn = store.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_store_newer_than_program_is_refused_untouched(tmp_path):
    Store.open(tmp_path, create=True).close()
    raw = sqlite3.connect(tmp_path / "store.sqlite3")
    raw.execute(f"PRAGMA user_version = {migrations.LATEST + 5}")
    raw.close()
    with pytest.raises(StoreTooNewError) as err:
        Store.open(tmp_path)
    assert "plus récente" in str(err.value) or "newer" in str(err.value)
    raw = sqlite3.connect(tmp_path / "store.sqlite3")
    assert raw.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST + 5


def test_upgrade_takes_a_backup_first(tmp_path, monkeypatch):
    s = Store.open(tmp_path, create=True)
    s.set_meta("marker", "avant")
    s.close()

    def m_next(conn):
        conn.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    latest = migrations.LATEST
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [(latest + 1, m_next)])
    monkeypatch.setattr(migrations, "LATEST", latest + 1)
    s = Store.open(tmp_path)
    assert s.backup_path is not None and s.backup_path.exists()
    assert s.db.conn.execute("PRAGMA user_version").fetchone()[0] == latest + 1
    s.close()
    old = sqlite3.connect(s.backup_path)
    assert old.execute("PRAGMA user_version").fetchone()[0] == latest
    assert old.execute("SELECT value FROM meta WHERE key='marker'").fetchone()[0] == "avant"
    assert not old.execute("SELECT 1 FROM sqlite_master WHERE name='extra'").fetchone()


def test_opening_a_missing_project_says_how_to_create_it(tmp_path):
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path / "absent")
    assert "exporterre init" in str(err.value)


def test_segments_give_back_their_words_after_reload(tmp_path, store, doc):
    store.close()
    again = Store.open(tmp_path)
    document = again.get_document("porte_a_porte_01")
    segs = again.list_segments(document.id)
    assert [document.text[s.start:s.end] for s in segs] == [
        "Qu'est-ce qui vous manque ici ?",
        "Ben on a besoin de crèches, euh, vraiment. Et le problème c'est l'ascenseur.",
        "D'accord."]
    assert [s.role for s in segs] == ["interviewer", "resident", "interviewer"]
    views = again.segment_views(roles=["resident"])
    assert len(views) == 1 and views[0].participant == "H3-01" and views[0].phase == 3
    again.close()


def test_status_counts_per_phase_and_role(store, doc):
    status = store.corpus_status()
    assert status["documents"] == 1 and status["segments"] == 3
    assert status["phases"]["3"]["documents"] == 1 and status["phases"]["1"]["documents"] == 0
    assert status["words"] == len(TEXT.split())
    assert status["speakers"] == {"interviewer": 1, "resident": 1, "relais": 0, "other": 0}


def test_coding_outside_the_text_or_with_unknown_code_is_refused(store, doc):
    with pytest.raises(ExporterreError):
        store.add_coding(doc.id, 10, 10_000, "besoins", "amina")
    with pytest.raises(UnknownCodeError):
        store.add_coding(doc.id, 10, 20, "inconnu", "amina")
    assert store.list_codings() == []


def test_undo_and_redo_replay_the_event_log_across_restarts(tmp_path, store, doc):
    start = TEXT.index("besoin de crèches")
    c = store.add_coding(doc.id, start, start + 17, "besoins.garde_enfants", "amina")
    store.update_coding(c.id, actor="amina", end=start + 6)
    other = store.add_coding(doc.id, start, start + 6, "besoins", "karim")
    store.close()
    s = Store.open(tmp_path)
    assert s.undo("amina").action == "coding.update"
    assert s.get_coding(c.id).end == start + 17
    assert s.undo("amina").action == "coding.add"
    assert [x.id for x in s.list_codings()] == [other.id]       # karim's coding untouched
    assert s.undo("amina") is None
    assert s.redo("amina").action == "coding.add"
    assert s.redo("amina").action == "coding.update"
    assert s.get_coding(c.id).end == start + 6
    assert s.redo("amina") is None
    s.close()


def test_new_action_after_undo_clears_redo(store, doc):
    a = store.add_coding(doc.id, 40, 50, "besoins", "amina")
    store.undo("amina")
    store.add_coding(doc.id, 60, 70, "besoins", "amina")
    assert store.redo("amina") is None
    assert all(c.id != a.id for c in store.list_codings())


def test_merge_moves_codings_and_one_undo_restores_everything(store, doc):
    ids = [store.add_coding(doc.id, 40 + i, 50 + i, "besoins.garde_enfants", "amina").id for i in range(3)]
    moved = store.merge_codes("besoins.garde_enfants", "preoccupations", actor="amina")
    assert moved == 3
    target = store.get_code("preoccupations").id
    assert {store.get_coding(i).code_id for i in ids} == {target}
    assert all(c.key != "besoins.garde_enfants" for c in store.list_codes())
    store.undo("amina")
    restored = store.get_code("besoins.garde_enfants")
    assert {store.get_coding(i).code_id for i in ids} == {restored.id}
    assert restored.parent_id == store.get_code("besoins").id


def test_deleting_a_code_with_codings_asks_then_can_be_undone(store, doc):
    c = store.add_coding(doc.id, 40, 50, "besoins.garde_enfants", "amina")
    with pytest.raises(ExporterreError):
        store.delete_code("besoins.garde_enfants", actor="amina")
    assert store.delete_code("besoins.garde_enfants", actor="amina", with_codings=True) == 1
    assert store.list_codings() == []
    store.undo("amina")
    assert store.get_coding(c.id).code_id == store.get_code("besoins.garde_enfants").id


def test_store_suggestion_sets_of_one_analysis_are_saved_all_or_nothing(store, doc):
    """The rules' and the sentence model's suggestions of one analysis: a failure while saving the second
    set leaves the first as it was (they used to be saved in two transactions)."""
    start = TEXT.index("on a besoin")
    rules = [SuggestionDraft(doc.id, start, start + 26, "besoins.garde_enfants", "rule:besoin.avoir_besoin", 0.9)]
    first = store.sync_suggestion_sets([("rule:", rules), ("model:", [])])
    assert [s.added for s in first] == [1, 0]
    problem = TEXT.index("le problème")
    newer = [SuggestionDraft(doc.id, problem, problem + 11, "preoccupations", "rule:preoccupation.probleme")]
    broken = [SuggestionDraft(doc.id, start, start + 5, "pas.un_code", "model:phrases")]
    with pytest.raises(ExporterreError):
        store.sync_suggestion_sets([("rule:", newer), ("model:", broken)])
    assert [(c.id, c.origin) for c in store.pending_for("amina")] == [(first[0].ids[0], "rule:besoin.avoir_besoin")]


def test_suggestions_are_idempotent_and_never_touch_decisions(store, doc):
    start = TEXT.index("on a besoin")
    drafts = [SuggestionDraft(doc.id, start, start + 26, "besoins.garde_enfants", "rule:besoin.avoir_besoin", 0.9,
                              details={"category": "besoin", "object": "crèche"}),
              SuggestionDraft(doc.id, TEXT.index("le problème"), TEXT.index("le problème") + 11, "preoccupations",
                              "rule:preoccupation.probleme")]
    first = store.sync_suggestions("rule:", drafts)
    assert (first.added, first.kept, first.removed) == (2, 0, 0)
    again = store.sync_suggestions("rule:", drafts)
    assert (again.added, again.kept, again.removed) == (0, 2, 0) and again.ids == first.ids
    decision = store.decide(first.ids[0], "amina", "accept")
    assert decision.status == "accepted" and decision.origin == "rule:besoin.avoir_besoin"
    assert decision.source_id == first.ids[0] and decision.coder == "amina"
    assert [c.id for c in store.pending_for("amina")] == [first.ids[1]]
    assert len(store.pending_for("karim")) == 2
    # a later run without those suggestions removes only the undecided one
    last = store.sync_suggestions("rule:", [])
    assert last.removed == 1
    assert store.get_coding(first.ids[0]).status == "pending"
    assert store.get_coding(decision.id).status == "accepted"
    assert store.coding_details(first.ids[0])["object"] == "crèche"


def test_accept_under_another_code_and_change_of_mind(store, doc):
    s = store.sync_suggestions("topic:", [SuggestionDraft(doc.id, 40, 60, "besoins", "topic:3", 0.4)]).ids[0]
    other = store.decide(s, "amina", "accept", code="preoccupations")
    assert other.code_id == store.get_code("preoccupations").id
    rejected = store.decide(s, "amina", "reject")
    mine = store.list_codings(coder="amina")
    assert [c.id for c in mine] == [rejected.id] and mine[0].status == "rejected"
    store.undo("amina")
    assert [c.status for c in store.list_codings(coder="amina")] == ["accepted"]


def test_memos_are_logged_and_undoable(store, doc):
    m = store.add_memo("document", doc.id, "amina", "Entretien riche sur la garde d'enfants.")
    store.update_memo(m.id, "Entretien très riche.", actor="amina")
    assert store.list_memos("document", doc.id)[0].text == "Entretien très riche."
    store.undo("amina")
    assert store.list_memos("document", doc.id)[0].text == "Entretien riche sur la garde d'enfants."


def test_replace_document_remaps_codings_and_logs_it(store, doc):
    from exporterre_nlp.anchoring import remap_spans
    start = TEXT.index("besoin de crèches")
    c = store.add_coding(doc.id, start, start + 17, "besoins.garde_enfants", "amina")
    new_text = TEXT.replace("Ben on a", "Alors, on a vraiment")
    remapped = remap_spans(TEXT, new_text, [(c.start, c.end)])[0]
    store.replace_document(doc.id, NewDocument("porte_a_porte_01", 3, new_text, "h2", "txt"), _segments(new_text),
                           {"E": "interviewer", "Awa": "resident"}, remap={c.id: (remapped.start, remapped.end)})
    moved = store.get_coding(c.id)
    document = store.get_document(doc.id)
    assert document.text[moved.start:moved.end] == "besoin de crèches"
    assert document.version == 2 and moved.segment_id is not None
    store.undo("import")
    assert store.get_coding(c.id).start == start


def test_origin_prefix_is_matched_literally(store, doc):
    # "_" and "%" are LIKE wildcards: the queue filter must not treat them as such
    store.sync_suggestions("rule:", [SuggestionDraft(doc.id, 40, 50, "besoins", "rule:besoin.axb"),
                                     SuggestionDraft(doc.id, 60, 70, "besoins", "rule:besoin.a_b")])
    assert [c.origin for c in store.pending_for("amina", origin_prefix="rule:besoin.a_b")] == ["rule:besoin.a_b"]
    assert [s.origin for s in store.suggestion_queue("amina", origin_prefix="rule:besoin.a_b")] == ["rule:besoin.a_b"]


def test_suggestions_check_every_span_and_code_and_log_each_addition(store, doc):
    """sync_suggestions reads each document's length and each code once per run: a draft past
    the end of the text, or under an unknown code, still refuses the whole run."""
    import json

    from exporterre_nlp.errors import UnknownCodeError
    ok = [SuggestionDraft(doc.id, 40, 50, "besoins", "rule:a", 0.9, details={"b": 1, "a": "é"}),
          SuggestionDraft(doc.id, 60, 70, "besoins", "rule:b", 0.5)]
    with pytest.raises(ExporterreError):
        store.sync_suggestions("rule:", ok + [SuggestionDraft(doc.id, 60, len(TEXT) + 1, "besoins", "rule:c")])
    with pytest.raises(UnknownCodeError):
        store.sync_suggestions("rule:", ok + [SuggestionDraft(doc.id, 60, 70, "inconnu", "rule:c")])
    assert store.list_codings() == []
    added = store.sync_suggestions("rule:", ok + [SuggestionDraft(doc.id, 0, len(TEXT), "preoccupations", "rule:d")])
    assert added.added == 3 and sorted(c.id for c in store.list_codings()) == sorted(added.ids)
    with store.db.read() as conn:
        events = conn.execute("SELECT action, entity_id, after FROM events WHERE action = 'coding.add' "
                              "ORDER BY id").fetchall()
        states = [dict(zip(("id", "start", "end", "score", "details"), r)) for r in conn.execute(
            "SELECT id, start, end, score, details FROM codings ORDER BY id")]
    assert [e[1] for e in events] == added.ids
    for (_, _, after), state in zip(events, states):
        logged = json.loads(after)
        assert {k: logged[k] for k in state} == state
    assert json.loads(states[0]["details"]) == {"a": "é", "b": 1}


def test_store_migration_14_stores_each_documents_word_count(tmp_path, monkeypatch):
    """The corpus list and `status` read a stored word count instead of splitting every text; a store
    of schema 13 gets it computed for its documents, new and replaced documents keep it right."""
    with monkeypatch.context() as m:
        old = [(n, f) for n, f in migrations.MIGRATIONS if n < 14]
        m.setattr(migrations, "MIGRATIONS", old)
        m.setattr(migrations, "LATEST", old[-1][0])
        store = Store.open(tmp_path, create=True)
        store.db.conn.execute("INSERT INTO documents(name, phase, source_path, format, content_hash, text, created_at, "
                              "updated_at, identity) VALUES ('ancien', 2, 'a.txt', 'txt', 'h', ?, 'x', 'x', 'ancien')",
                              ("E : alors ?\nAwa :\tj'habite   ici depuis 1998\n",))
        store.close()
    store = Store.open(tmp_path)
    try:
        assert store.backup_path is not None
        assert [(d.name, d.words) for d in store.list_documents()] == [("ancien", 10)]
        text = "E : et le bus ?\nAwa : il passe plus.\n"
        doc = store.add_document(NewDocument(name="neuf", phase=3, source_path="n.txt", format="txt",
                                             content_hash="n", text=text),
                                 [SegmentDraft(text.index("il"), len(text) - 1, "Awa")], {"Awa": "resident"})
        assert store.corpus_status()["phases"]["3"]["words"] == len(text.split()) == 11
        longer = text + "Awa : le soir surtout.\n"
        store.replace_document(doc.id, NewDocument(name="neuf", phase=3, source_path="n.txt", format="txt",
                                                   content_hash="n2", text=longer), [], {})
        assert {d.name: d.words for d in store.document_progress(["amina"])} == {"ancien": 10, "neuf": 16}
    finally:
        store.close()
