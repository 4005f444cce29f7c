"""Names other tools accept: GUIDs, code keys, IRaMuTeQ variables, spreadsheet cells.

* GUIDs are deterministic (UUID version 5 under a per-project namespace kept in the
  store's ``meta`` table), so exporting twice gives the same file and another tool
  sees the same objects.
* Code keys made from foreign code names follow the codebook rule ``[a-z0-9_.-]+``.
* IRaMuTeQ variables and values: lower-case ASCII letters, digits and ``_`` only.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "_", "'": "_",
                            "ø": "o", "Ø": "o", "ð": "d", "þ": "th", "ł": "l", "Ł": "l", "đ": "d"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
DANGEROUS_CELL = ("=", "+", "-", "@", "\t", "\r")
META_NAMESPACE = "exchange_guid_namespace"


def ascii_slug(value: Any, *, empty: str = "nd") -> str:
    """``"Marché de l'Arlequin"`` → ``"marche_de_l_arlequin"``: lower-case ASCII, digits and ``_``."""
    text = unicodedata.normalize("NFKD", str(value).translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NOT_WORD.sub("_", text.encode("ascii", "ignore").decode("ascii")).strip("_")
    return text or empty


def guid_key(value: str | None) -> str | None:
    """A GUID as compared here: no braces, upper case (tools differ on both)."""
    if value is None:
        return None
    match = GUID_RE.match(value.strip())
    return match.group(1).upper() if match else value.strip().upper()


class Guids:
    """Deterministic upper-case GUIDs for one project's objects."""

    def __init__(self, namespace: str):
        self.namespace = uuid.UUID(namespace)

    @classmethod
    def for_store(cls, store) -> "Guids":
        value = store.get_meta(META_NAMESPACE)
        if value is None:
            value = str(uuid.uuid4())
            store.set_meta(META_NAMESPACE, value)
        return cls(value)

    def __call__(self, kind: str, ident: Any) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{ident}")).upper()


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_CELL):
        return "'" + value
    return value


def unique(base: str, taken: set[str], sep: str = "_") -> str:
    """``base``, or ``base_2``, ``base_3``… whichever is not in ``taken`` (which is updated)."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{sep}{n}", n + 1
    taken.add(name)
    return name
