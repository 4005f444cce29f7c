"""One manual coding per (document, span, code, coder): adding it again is idempotent, a
change that would make two identical ones is refused, merges fold them, old stores are cleaned."""
from __future__ import annotations

import sqlite3

import pytest

from exporterre_nlp import NewDocument, SegmentDraft, Store
from exporterre_nlp.errors import ExporterreError
from exporterre_nlp.store import migrations

TEXT = "Awa : Ben on a besoin de crèches, euh, vraiment. Et le problème c'est l'ascenseur.\n"


@pytest.fixture()
def store(tmp_path):
    s = Store.open(tmp_path, create=True)
    s.add_code("besoins", "Besoins")
    s.add_code("preoccupations", "Préoccupations")
    yield s
    s.close()


@pytest.fixture()
def doc(store):
    return store.add_document(NewDocument("awa", 3, TEXT, "h1", "txt"), [SegmentDraft(6, len(TEXT) - 1, "Awa")],
                              {"Awa": "resident"})


def test_store_same_manual_coding_twice_is_stored_once(store, doc):
    first = store.add_coding(doc.id, 10, 30, "besoins", "amina")
    again = store.add_coding(doc.id, 10, 30, "besoins", "amina")
    assert again.id == first.id
    assert len(store.list_codings()) == 1
    # one undo removes it: the idempotent call logged nothing
    store.undo("amina")
    assert store.list_codings() == []
    # other coder, other code or other span: distinct codings
    store.add_coding(doc.id, 10, 30, "besoins", "amina")
    store.add_coding(doc.id, 10, 30, "besoins", "karim")
    store.add_coding(doc.id, 10, 30, "preoccupations", "amina")
    store.add_coding(doc.id, 10, 31, "besoins", "amina")
    assert len(store.list_codings()) == 4


def test_store_recode_or_resize_into_an_identical_coding_is_refused(store, doc):
    a = store.add_coding(doc.id, 10, 30, "besoins", "amina")
    b = store.add_coding(doc.id, 10, 30, "preoccupations", "amina")
    c = store.add_coding(doc.id, 10, 25, "besoins", "amina")
    with pytest.raises(ExporterreError):
        store.update_coding(b.id, actor="amina", code="besoins")
    with pytest.raises(ExporterreError):
        store.update_coding(c.id, actor="amina", end=30)
    assert {(x.id, x.code_id, x.end) for x in store.list_codings()} == {
        (a.id, a.code_id, 30), (b.id, b.code_id, 30), (c.id, c.code_id, 25)}


def test_store_merge_folds_identical_codings_and_undo_restores_both(store, doc):
    store.add_coding(doc.id, 10, 30, "besoins", "amina")
    store.add_coding(doc.id, 10, 30, "preoccupations", "amina")
    store.merge_codes("preoccupations", "besoins", actor="amina")
    [kept] = store.list_codings()
    assert store.get_code(kept.code_id).key == "besoins"
    store.undo("amina")
    assert len(store.list_codings()) == 2


def test_store_migration_merges_duplicates_and_keeps_memos(tmp_path):
    s = Store.open(tmp_path, create=True)
    s.add_code("besoins", "Besoins")
    d = s.add_document(NewDocument("awa", 3, TEXT, "h1", "txt"), [SegmentDraft(6, len(TEXT) - 1, "Awa")],
                       {"Awa": "resident"})
    keep = s.add_coding(d.id, 10, 30, "besoins", "amina")
    s.close()
    number = dict((f, n) for n, f in migrations.MIGRATIONS)[migrations.m011_one_manual_coding]
    before = max(n for n, _ in migrations.MIGRATIONS if n < number)
    raw = sqlite3.connect(tmp_path / "store.sqlite3")
    raw.execute("DROP INDEX codings_one_manual")
    for _ in range(3):       # copies stored by the old program
        raw.execute("INSERT INTO codings(document_id, start, end, code_id, coder, status, origin, details, "
                    "created_at, updated_at) SELECT document_id, start, end, code_id, coder, status, origin, "
                    "details, created_at, updated_at FROM codings WHERE id = ?", (keep.id,))
    copy = raw.execute("SELECT MAX(id) FROM codings").fetchone()[0]
    raw.execute("INSERT INTO memos(target_type, target_id, coder, text, created_at, updated_at) "
                "VALUES ('coding', ?, 'amina', 'à revoir', 'x', 'x')", (copy,))
    raw.execute(f"PRAGMA user_version = {before}")
    raw.commit()
    raw.close()
    s = Store.open(tmp_path)
    try:
        assert [c.id for c in s.list_codings()] == [keep.id]
        assert [m.text for m in s.list_memos("coding", keep.id)] == ["à revoir"]
        assert s.add_coding(d.id, 10, 30, "besoins", "amina").id == keep.id
    finally:
        s.close()
