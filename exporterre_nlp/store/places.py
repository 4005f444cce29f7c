"""Store mixin: a researcher's place decisions.

- ``place_links``: a mention (in its normalised form, see
  :func:`exporterre_nlp.places.linking.normalise`) linked by hand to a register
  place, or marked as naming no place (``place`` NULL, e.g. « porte-à-porte »);
- ``initiative_status``: the status a researcher gave an entry of the directory
  of initiatives (``a_verifier``, ``confirme``, ``ecarte``).

Both keep who decided and when; setting again replaces the decision.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import now

INITIATIVE_STATUSES = ("a_verifier", "confirme", "ecarte")


@dataclass(frozen=True)
class PlaceLink:
    mention: str                     # normalised mention
    place: str | None                # register key; None: names no place
    coder: str
    at: str


@dataclass(frozen=True)
class InitiativeStatus:
    entry: str                       # directory entry key (code@place)
    status: str
    coder: str
    note: str | None
    at: str


class PlacesMixin:
    def set_place_link(self, mention: str, place: str | None, *, coder: str) -> PlaceLink:
        with self.db.transaction() as conn:
            stamp = now()
            conn.execute("INSERT INTO place_links(mention, place, coder, at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(mention) DO UPDATE SET place = excluded.place, coder = excluded.coder, "
                         "at = excluded.at", (mention, place, coder, stamp))
            return PlaceLink(mention, place, coder, stamp)

    def delete_place_link(self, mention: str) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM place_links WHERE mention = ?", (mention,)).rowcount > 0

    def place_links(self) -> list[PlaceLink]:
        with self.db.read() as conn:
            return [PlaceLink(*r) for r in conn.execute(
                "SELECT mention, place, coder, at FROM place_links ORDER BY mention")]

    def set_initiative_status(self, entry: str, status: str, *, coder: str, note: str | None = None
                              ) -> InitiativeStatus:
        if status not in INITIATIVE_STATUSES:
            raise ValueError(f"status must be one of {INITIATIVE_STATUSES}")
        with self.db.transaction() as conn:
            stamp = now()
            conn.execute("INSERT INTO initiative_status(entry, status, coder, note, at) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT(entry) DO UPDATE SET status = excluded.status, coder = excluded.coder, "
                         "note = excluded.note, at = excluded.at", (entry, status, coder, note, stamp))
            return InitiativeStatus(entry, status, coder, note, stamp)

    def initiative_statuses(self) -> dict[str, InitiativeStatus]:
        with self.db.read() as conn:
            return {r[0]: InitiativeStatus(*r) for r in conn.execute(
                "SELECT entry, status, coder, note, at FROM initiative_status")}
