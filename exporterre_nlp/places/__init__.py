"""Places: the register, mentions linked to it, place sheets, the directory of initiatives, GeoJSON and the map.

See docs/places.md. Public API:

- :func:`load_register`, :func:`project_register`: the place register (YAML);
- :func:`build_place_index`: mentions, links, and the place every unit is tied to;
- :func:`place_sheet`, :func:`directory`: what is said at a place; initiatives found there;
- :func:`write_place_outputs`: the map (HTML, PNG), sheets (Markdown), directory (CSV, XLSX), GeoJSON;
- :func:`link_mention`, :func:`set_initiative_status`: a researcher's decisions.
"""
from __future__ import annotations

from .index import PlaceIndex, PlaceTie, build_place_index, project_register
from .linking import Link, Linker, normalise
from .register import KINDS, Place, PlaceRegister, PlaceRegisterError, load_register
from .render import PlaceOutputs, compute, write_directory, write_place_outputs
from .sheets import Initiative, PlaceSheet, directory, place_overview, place_sheet

place_overview_of = place_overview
from .geo import feature_collection


def link_mention(project, mention: str, place: str | None, *, coder: str) -> str | None:
    """Link a mention to a register place (by key, name or alias), or mark it as naming no place (``None``).
    Returns the place key."""
    from ..errors import NotFoundError
    from ..i18n import tr
    key = None
    if place is not None:
        found = project_register(project).find(place)
        if found is None:
            raise NotFoundError(tr(f"Lieu inconnu du registre : « {place} ».", f"Unknown place: '{place}'."),
                                tr("« exporterre places » liste les lieux et leurs clés.",
                                   "'exporterre places' lists the places and their keys."))
        key = found.key
    project.store.set_place_link(normalise(mention) or mention.strip(), key, coder=coder)
    return key


def set_initiative_status(project, entry: str, status: str, *, coder: str, note: str | None = None):
    """Set the status of a directory entry (``a_verifier``, ``confirme``, ``ecarte``)."""
    return project.store.set_initiative_status(entry, status, coder=coder, note=note)


__all__ = ["PlaceIndex", "PlaceTie", "build_place_index", "project_register", "Link", "Linker", "normalise", "KINDS",
           "Place", "PlaceRegister", "PlaceRegisterError", "load_register", "PlaceOutputs", "compute",
           "write_directory", "write_place_outputs", "Initiative", "PlaceSheet", "directory", "place_sheet", "place_overview", "place_overview_of",
           "feature_collection", "link_mention", "set_initiative_status"]
