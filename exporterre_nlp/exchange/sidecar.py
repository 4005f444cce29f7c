"""Status and provenance of codings in a ``.qdpx``: a sidecar file inside the archive.

REFI-QDA has no field for a coding's status (a machine suggestion still pending,
a person's decision on one) or its origin (the rule or topic that proposed it), and
the schema admits no foreign attribute on ``<Coding>``: a namespaced attribute would
make ``project.qde`` invalid against ``Project.xsd``. So an export writes
``exporterre/codings.json`` next to ``project.qde``::

    {"format": "exporterre-codings", "version": 1,
     "codings": {"<coding GUID>": {"status": "pending", "origin": "rule:x", "score": 0.8,
                                   "suggestion": "<GUID of the suggestion a decision was made on>"}}}

Only codings that are not plain human codings (``manual``/``human``) are listed. Other
tools ignore the file (and drop it when they export again: their codings come back
as human codings, which they are by then). On import, a listed GUID gives its coding
its status, origin, score and the suggestion it decides.
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import IngestError
from ..i18n import tr
from .names import guid_key

SIDECAR = "exporterre/codings.json"
FORMAT = "exporterre-codings"
_STATUSES = ("manual", "pending", "accepted", "rejected")


def sidecar_entries(codings, guid_of) -> dict[str, dict[str, Any]]:
    """The sidecar's ``codings`` map for the exported codings (``guid_of(coding)`` → its GUID)."""
    ids = {c.id for c in codings}
    out: dict[str, dict[str, Any]] = {}
    for c in codings:
        if c.status == "manual" and c.origin == "human":
            continue
        entry: dict[str, Any] = {"status": c.status, "origin": c.origin}
        if c.score is not None:
            entry["score"] = c.score
        if c.source_id is not None and c.source_id in ids:
            entry["suggestion"] = guid_of(c.source_id)
        out[guid_of(c.id)] = entry
    return out


def sidecar_bytes(entries: dict[str, dict[str, Any]]) -> bytes:
    return json.dumps({"format": FORMAT, "version": 1, "codings": entries}, ensure_ascii=False, indent=1,
                      sort_keys=True).encode("utf-8")


def read_sidecar(archive) -> dict[str, dict[str, Any]]:
    """Coding GUID → ``{status, origin, score, suggestion}`` from the archive's sidecar ({} if none)."""
    info = archive.exact(SIDECAR)
    if info is None:
        return {}
    try:
        data = json.loads(archive.read(info).decode("utf-8"))
        assert isinstance(data, dict) and data.get("format") == FORMAT
        out = {}
        for guid, entry in (data.get("codings") or {}).items():
            assert isinstance(entry, dict) and entry.get("status") in _STATUSES
            assert isinstance(entry.get("origin"), str) and entry["origin"]
            score = entry.get("score")
            assert score is None or isinstance(score, (int, float))
            suggestion = entry.get("suggestion")
            assert suggestion is None or isinstance(suggestion, str)
            out[guid_key(guid)] = {"status": entry["status"], "origin": entry["origin"], "score": score,
                                   "suggestion": guid_key(suggestion) if suggestion else None}
        return out
    except (AssertionError, ValueError, UnicodeDecodeError, AttributeError):
        raise IngestError(
            tr(f"Le fichier {archive.path} contient un « {SIDECAR} » illisible (statut et provenance des codages) : "
               "rien n'a été importé.",
               f"The file {archive.path} holds an unreadable '{SIDECAR}' (status and provenance of codings): "
               "nothing was imported."),
            tr("Exportez le projet à nouveau avec Exporterre, ou retirez ce fichier de l'archive pour importer "
               "tous les codages comme codages humains.",
               "Export the project again with Exporterre, or remove that file from the archive to import every "
               "coding as a human coding."), path=archive.path) from None
