"""Keep the project's ``codebook.yaml`` in step with the codes edited in the coding interface.

Which is the source of truth: **the store, for the codes** (keys, labels, tree,
definitions, colours, the "use when / not when" guidance, examples), because that
is where coders edit them while coding (adding, renaming, moving, merging,
deleting — undoable); **the YAML, for the rules and the gazetteer**, which only
a person editing the file changes. After each change to the codes in the
interface, :func:`write_codebook_from_store` rewrites ``codebook.yaml``
atomically: its codes become the store's, its rules and places are kept (those
of a merged code follow it to the code it was merged into). A file that would no
longer load (a rule pointing to a deleted code) is not written; the caller says
why and the store keeps the change.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..coding_tools import tree_order
from ..records import Code
from . import load_codebook, save_codebook
from .model import CodeDef, Codebook

_GUIDANCE = ("use_when", "not_when")


def codes_as_definitions(codes: list[Code]) -> list[CodeDef]:
    """The store's codes as codebook entries, parents before children, in the store's order."""
    keys = {c.id: c.key for c in codes}
    out = []
    for code, _depth in tree_order(codes):
        attrs = code.attributes or {}
        out.append(CodeDef(code.key, code.label, keys.get(code.parent_id), code.definition or "",
                           *(str(attrs.get(f) or "") for f in _GUIDANCE), list(attrs.get("examples") or []),
                           code.color, list(attrs.get("tags") or []), list(attrs.get("keywords") or [])))
    return out


def codebook_from_store(book: Codebook, codes: list[Code], merged: dict[str, str] | None = None) -> Codebook:
    """``book`` with the store's ``codes``; rules and places of a merged code (``merged``: old key →
    new key) point to the code it went into."""
    merged = merged or {}

    def follow(key: str) -> str:
        seen = set()
        while key in merged and key not in seen:
            seen.add(key)
            key = merged[key]
        return key
    return replace(book, codes=codes_as_definitions(codes),
                   rules=[replace(r, code=follow(r.code)) for r in book.rules],
                   gazetteer=[replace(p, code=follow(p.code)) for p in book.gazetteer], warnings=[])


def write_codebook_from_store(project, merged: dict[str, str] | None = None) -> Path | None:
    """Rewrite the project's ``codebook.yaml`` from its store (atomic; CodebookError if it would not load).

    A project without the file (made by a program, not ``exporterre init``) is left without one: None.
    """
    if not project.codebook_path.exists():
        return None
    book = load_codebook(project.codebook_path)
    updated = codebook_from_store(book, project.store.list_codes(), merged)
    if updated.codes != book.codes or updated.rules != book.rules or updated.gazetteer != book.gazetteer:
        save_codebook(updated, project.codebook_path)
    return project.codebook_path
