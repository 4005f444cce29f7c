"""Memos written in a REFI-QDA ``<Description>``, where most tools read them.

QualCoder (and ATLAS.ti for quotations) reads memos from the ``<Description>`` of
the project, sources, cases, codes and selections, and ignores ``<Note>``s. So an
export writes each memo twice: as a ``<Note>`` (the standard's place, with its
author) and in the ``<Description>`` of what it is about, each memo under a line
naming its author, so that the author survives a trip through a tool that keeps
descriptions::

    — Mémo de bob —
    Entretien au marché, bruit de fond.

On import, a description that starts with such a line is split back into memos
with their authors; any other description is one memo by the element's author.
A description that repeats notes the element references is not imported twice.
"""
from __future__ import annotations

import re

from ..i18n import tr
from .anchor import flat

_HEADER = re.compile(r"^— (?:Mémo de|Memo by) (.+?) —[ \t]*$", re.M)


def memo_block(author: str, text: str) -> str:
    return tr(f"— Mémo de {author} —", f"— Memo by {author} —") + "\n" + text.strip()


def memos_description(memos) -> str:
    """The ``<Description>`` text for these memos (each has ``coder`` and ``text``)."""
    return "\n\n".join(memo_block(m.coder, m.text) for m in memos)


def split_memos(text: str) -> tuple[str, list[tuple[str | None, str]]]:
    """``(text before the first memo header, [(author, memo text)])``; author None: not named."""
    text = (text or "").replace("\r\n", "\n")
    headers = list(_HEADER.finditer(text))
    if not headers:
        return text, []
    memos = []
    for n, h in enumerate(headers):
        end = headers[n + 1].start() if n + 1 < len(headers) else len(text)
        body = text[h.end():end].strip()
        if body:
            memos.append((h.group(1).strip(), body))
    return text[:headers[0].start()].rstrip(), memos


def description_memos(text: str, default_author: str, note_texts: list[str]) -> list[tuple[str, str]]:
    """Memos to import from a ``<Description>``: ``[(author, text)]``, without those already
    carried by the notes the element references (our own exports write both)."""
    text = (text or "").strip()
    if not text:
        return []
    before, memos = split_memos(text)
    found = ([(default_author, before)] if before.strip() else []) + [(a or default_author, t) for a, t in memos]
    known = {flat(t) for t in note_texts}
    known.add(flat("\n\n".join(note_texts)))
    return [(a, t) for a, t in found if flat(t) not in known]
