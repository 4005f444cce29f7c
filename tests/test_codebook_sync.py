"""codebook.yaml follows the codes edited in the store (the interface), keeping rules and places."""
from __future__ import annotations

import pytest

from exporterre_nlp.codebook import load_codebook
from exporterre_nlp.codebook.sync import write_codebook_from_store
from exporterre_nlp.errors import CodebookError
from exporterre_nlp.project import Project


@pytest.fixture()
def proj(tmp_path):
    p = Project.init(tmp_path / "p")
    yield p
    p.close()


def test_codebook_sync_untouched_store_leaves_the_file_as_it_is(proj):
    before = proj.codebook_path.read_bytes()
    write_codebook_from_store(proj)
    assert proj.codebook_path.read_bytes() == before


def test_codebook_sync_added_renamed_and_merged_codes_reach_the_yaml(proj):
    store = proj.store
    book = proj.codebook()
    source = next(r.code for r in book.rules if r.code.count(".") == 1)
    parent = source.split(".")[0]
    target = next(c.key for c in book.codes if c.parent == parent and c.key != source)
    store.add_code(f"{parent}.garde_d_enfants", "Garde d'enfants", parent=parent, definition="Crèches, nounous.",
                   actor="amina")
    store.update_code(target, label="Nouveau libellé", actor="amina")
    store.merge_codes(source, target, actor="amina")
    write_codebook_from_store(proj, {source: target})
    again = load_codebook(proj.codebook_path)                  # still a valid codebook
    keys = {c.key: c for c in again.codes}
    assert keys[f"{parent}.garde_d_enfants"].definition == "Crèches, nounous."
    assert keys[f"{parent}.garde_d_enfants"].parent == parent
    assert keys[target].label == "Nouveau libellé"
    assert source not in keys
    assert source not in {r.code for r in again.rules}
    assert len(again.rules) == len(book.rules)                # the merged code's rules follow it


def test_codebook_sync_refuses_a_file_that_would_not_load(proj):
    store = proj.store
    book = proj.codebook()
    ruled = next(r.code for r in book.rules if not any(c.parent == r.code for c in book.codes))
    before = proj.codebook_path.read_bytes()
    store.delete_code(ruled, actor="amina")                   # a rule still points to it
    with pytest.raises(CodebookError):
        write_codebook_from_store(proj)
    assert proj.codebook_path.read_bytes() == before
