"""Store: pseudonymisation candidates (project store) and the key file (apart).

Two places, on purpose:

- ``store.sqlite3`` (migration 3) holds the *candidates*: a span of a
  document (exact character offsets), its category, the proposed pseudonym, the
  detector and its score, and the review status (pending / accepted / rejected).
  Only accepted candidates are applied.
- ``<project>/private/pseudo_key.sqlite3`` (:class:`KeyFile`) holds the *key*:
  each real value (a person, a phone...) and its pseudonym. It never leaves the
  machine; a project folder shared without ``private/`` carries no key.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import NotFoundError, StoreError
from ..i18n import tr
from .base import in_clause, now
from .db import Database

CANDIDATE_STATUSES = ("pending", "accepted", "rejected")
PRIVATE_DIR = "private"
KEY_FILE = "pseudo_key.sqlite3"
PRIVATE_README = """Ce dossier contient la CLÉ de pseudonymisation (noms réels -> pseudonymes).
NE LE PARTAGEZ JAMAIS : ne le copiez pas avec les exports, ne le versionnez pas,
ne l'envoyez pas. Sans lui, les textes pseudonymisés ne se ré-identifient pas.

This folder holds the pseudonymisation KEY (real names -> pseudonyms).
NEVER share it: do not copy it with exports, do not commit it, do not send it.
"""

_COLS = ("id, document_id, start, end, category, pseudonym, detector, score, status, entity_id, note, "
         "surface_hash, decided_by, decided_at, created_at, updated_at")


@dataclass(frozen=True)
class PseudoCandidate:
    """A span of personal data found (or added by a person) in a document."""
    id: int
    document_id: int
    start: int
    end: int
    category: str            # person | phone | email | nir | address
    pseudonym: str
    detector: str            # ner | gazetteer | title | speaker | known | pattern:<kind> | human
    score: float
    status: str              # pending | accepted | rejected
    entity_id: int | None    # the key file's entity (same person ⇒ same entity)
    note: str | None
    surface_hash: str        # hash of document.text[start:end] when detected (stale check)
    decided_by: str | None
    decided_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CandidateDraft:
    start: int
    end: int
    category: str
    pseudonym: str
    detector: str
    score: float
    entity_id: int | None
    surface_hash: str
    note: str | None = None


@dataclass(frozen=True)
class PseudoSync:
    added: int
    updated: int
    kept: int
    removed: int


class PseudoMixin:
    """Candidates of pseudonymisation in the project store."""

    def sync_pseudo_candidates(self, document_id: int, drafts: Sequence[CandidateDraft]) -> PseudoSync:
        """Make the pending candidates of a document those of ``drafts``.

        A candidate at the same place (start, end, category) keeps its status;
        pending ones no longer detected are removed; decided ones stay.
        """
        added = updated = kept = removed = 0
        stamp = now()
        with self.db.transaction() as conn:
            rows = conn.execute("SELECT id, start, end, category, status, pseudonym, detector, score, entity_id, "
                                "note, surface_hash FROM pseudo_candidates WHERE document_id = ?",
                                (document_id,)).fetchall()
            existing = {(r[1], r[2], r[3]): r for r in rows}
            seen = set()
            for d in drafts:
                place = (d.start, d.end, d.category)
                if place in seen:
                    continue
                seen.add(place)
                row = existing.get(place)
                if row is None:
                    conn.execute("INSERT INTO pseudo_candidates(document_id, start, end, category, pseudonym, "
                                 "detector, score, status, entity_id, note, surface_hash, created_at, updated_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)",
                                 (document_id, d.start, d.end, d.category, d.pseudonym, d.detector, d.score,
                                  d.entity_id, d.note, d.surface_hash, stamp, stamp))
                    added += 1
                elif row[4] == "pending" and tuple(row[5:11]) != (d.pseudonym, d.detector, d.score, d.entity_id,
                                                                  d.note, d.surface_hash):
                    conn.execute("UPDATE pseudo_candidates SET pseudonym = ?, detector = ?, score = ?, "
                                 "entity_id = ?, note = ?, surface_hash = ?, updated_at = ? WHERE id = ?",
                                 (d.pseudonym, d.detector, d.score, d.entity_id, d.note, d.surface_hash, stamp,
                                  row[0]))
                    updated += 1
                else:
                    kept += 1
            for place, row in existing.items():
                if place not in seen and row[4] == "pending":
                    conn.execute("DELETE FROM pseudo_candidates WHERE id = ?", (row[0],))
                    removed += 1
        return PseudoSync(added, updated, kept, removed)

    def list_pseudo_candidates(self, *, document_id: int | None = None, status: str | Iterable[str] | None = None,
                               category: str | None = None, entity_id: int | None = None) -> list[PseudoCandidate]:
        sql, args = f"SELECT {_COLS} FROM pseudo_candidates WHERE 1=1", []
        if document_id is not None:
            sql += " AND document_id = ?"
            args.append(document_id)
        if status is not None:
            part, found = in_clause("status", [status] if isinstance(status, str) else status)
            sql += part
            args += found
        if category is not None:
            sql += " AND category = ?"
            args.append(category)
        if entity_id is not None:
            sql += " AND entity_id = ?"
            args.append(entity_id)
        sql += " ORDER BY document_id, start, end, id"
        with self.db.read() as conn:
            return [PseudoCandidate(*r) for r in conn.execute(sql, args)]

    def get_pseudo_candidate(self, candidate_id: int) -> PseudoCandidate:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_COLS} FROM pseudo_candidates WHERE id = ?", (candidate_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Aucune détection n° {candidate_id}.", f"No detection #{candidate_id}."),
                                tr("Listez-les avec « exporterre pseudo review ».",
                                   "List them with 'exporterre pseudo review'."))
        return PseudoCandidate(*row)

    def decide_pseudo(self, candidate_ids: Iterable[int], status: str, *, actor: str = "human") -> int:
        """Accept or reject candidates (or put them back to pending). Returns how many changed."""
        if status not in CANDIDATE_STATUSES:
            raise ValueError(f"status must be one of {CANDIDATE_STATUSES}")
        ids = list(dict.fromkeys(int(i) for i in candidate_ids))
        stamp = now()
        changed = 0
        with self.db.transaction() as conn:
            for cid in ids:
                if conn.execute("SELECT 1 FROM pseudo_candidates WHERE id = ?", (cid,)).fetchone() is None:
                    raise NotFoundError(tr(f"Aucune détection n° {cid} : rien n'a été modifié.",
                                           f"No detection #{cid}: nothing was changed."),
                                        tr("Vérifiez les numéros avec « exporterre pseudo review ».",
                                           "Check the numbers with 'exporterre pseudo review'."))
                changed += conn.execute(
                    "UPDATE pseudo_candidates SET status = ?, decided_by = ?, decided_at = ?, updated_at = ? "
                    "WHERE id = ? AND status != ?",
                    (status, None if status == "pending" else actor, None if status == "pending" else stamp,
                     stamp, cid, status)).rowcount
        return changed

    def set_pseudonyms(self, pseudonyms: dict[int, str]) -> None:
        """Change the pseudonym of candidates (``{candidate id: pseudonym}``)."""
        stamp = now()
        with self.db.transaction() as conn:
            for cid, value in pseudonyms.items():
                conn.execute("UPDATE pseudo_candidates SET pseudonym = ?, updated_at = ? WHERE id = ?",
                             (value, stamp, cid))

    def add_pseudo_candidate(self, document_id: int, draft: CandidateDraft, *, actor: str = "human",
                             status: str = "accepted") -> PseudoCandidate:
        """A span a person marks by hand (accepted at once unless said otherwise)."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO pseudo_candidates(document_id, start, end, category, pseudonym, detector, "
                         "score, status, entity_id, note, surface_hash, decided_by, decided_at, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(document_id, start, end, category) DO UPDATE SET pseudonym = excluded.pseudonym, "
                         "status = excluded.status, decided_by = excluded.decided_by, "
                         "decided_at = excluded.decided_at, updated_at = excluded.updated_at",
                         (document_id, draft.start, draft.end, draft.category, draft.pseudonym, draft.detector,
                          draft.score, status, draft.entity_id, draft.note, draft.surface_hash,
                          actor if status != "pending" else None, stamp if status != "pending" else None,
                          stamp, stamp))
            row = conn.execute(f"SELECT {_COLS} FROM pseudo_candidates WHERE document_id = ? AND start = ? AND "
                               "end = ? AND category = ?",
                               (document_id, draft.start, draft.end, draft.category)).fetchone()
        return PseudoCandidate(*row)

    def pseudo_counts(self) -> dict[str, dict[str, int]]:
        """``{category: {status: n}}`` over the project."""
        out: dict[str, dict[str, int]] = {}
        with self.db.read() as conn:
            for cat, status, n in conn.execute("SELECT category, status, COUNT(*) FROM pseudo_candidates "
                                               "GROUP BY category, status ORDER BY category, status"):
                out.setdefault(cat, {})[status] = n
        return out


# ------------------------------------------------------------------ the key file
@dataclass(frozen=True)
class KeyEntry:
    """One real value and its pseudonym. Persons have first/last parts."""
    id: int
    key: str                 # category + normalised real value, e.g. "person:samia tahiri"
    category: str
    real: str                # the real value as first seen
    gender: str | None       # F | M | None
    real_first: str | None
    real_last: str | None
    pseudo_first: str | None
    pseudo_last: str | None
    pseudonym: str           # the full replacement (persons: first + last when both exist)
    edited: bool             # changed by a person (never recomputed)
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class NewKeyEntry:
    key: str
    category: str
    real: str
    pseudonym: str
    gender: str | None = None
    real_first: str | None = None
    real_last: str | None = None
    pseudo_first: str | None = None
    pseudo_last: str | None = None


_KEY_COLS = ("id, key, category, real, gender, real_first, real_last, pseudo_first, pseudo_last, pseudonym, "
             "edited, created_at, updated_at")
_KEY_SCHEMA = 1


def _entry(row) -> KeyEntry:
    r = list(row)
    r[10] = bool(r[10])
    return KeyEntry(*r)


class KeyFile:
    """``<project>/private/pseudo_key.sqlite3``: real values → pseudonyms, apart from the store."""

    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, project_dir: str | Path) -> "KeyFile":
        folder = Path(project_dir) / PRIVATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        readme = folder / "LISEZ-MOI.txt"
        if not readme.exists():
            readme.write_text(PRIVATE_README, encoding="utf-8")
        path = folder / KEY_FILE
        try:
            db = Database(path)
            version = db.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _KEY_SCHEMA:
                raise StoreError(tr(f"La clé {path} a été écrite par une version plus récente d'Exporterre.",
                                    f"The key {path} was written by a newer Exporterre."),
                                 tr("Mettez Exporterre à jour ; la clé n'a pas été modifiée.",
                                    "Upgrade Exporterre; the key was not modified."), path=str(path))
            if version < 1:
                with db.transaction() as conn:
                    conn.execute("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                 "key TEXT NOT NULL UNIQUE, category TEXT NOT NULL, real TEXT NOT NULL, "
                                 "gender TEXT, real_first TEXT, real_last TEXT, pseudo_first TEXT, pseudo_last TEXT, "
                                 "pseudonym TEXT NOT NULL, edited INTEGER NOT NULL DEFAULT 0, "
                                 "created_at TEXT NOT NULL, updated_at TEXT NOT NULL)")
                    conn.execute("PRAGMA user_version = 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(tr(f"La clé de pseudonymisation {path} est illisible ({exc}).",
                                f"The pseudonymisation key {path} is unreadable ({exc})."),
                             tr("Restaurez-la depuis votre sauvegarde privée ; sans elle, les pseudonymes seront "
                                "recalculés (mêmes réglages ⇒ mêmes pseudonymes, sauf ceux modifiés à la main).",
                                "Restore it from your private backup; without it pseudonyms are recomputed "
                                "(same settings ⇒ same pseudonyms, except hand-edited ones)."),
                             path=str(path)) from None
        return cls(db)

    @property
    def path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "KeyFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def entries(self, category: str | None = None) -> list[KeyEntry]:
        sql, args = f"SELECT {_KEY_COLS} FROM entries", []
        if category:
            sql += " WHERE category = ?"
            args.append(category)
        with self.db.read() as conn:
            return [_entry(r) for r in conn.execute(sql + " ORDER BY id", args)]

    def get(self, key: str) -> KeyEntry | None:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_KEY_COLS} FROM entries WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row else None

    def by_id(self, entry_id: int) -> KeyEntry:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_KEY_COLS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise NotFoundError(tr(f"Aucune entrée n° {entry_id} dans la clé.", f"No entry #{entry_id} in the key."),
                                tr("Relancez « exporterre pseudo detect ».", "Run 'exporterre pseudo detect' again."))
        return _entry(row)

    def add(self, new: NewKeyEntry) -> KeyEntry:
        """Insert an entry (or return the existing one with the same key, unchanged)."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO entries(key, category, real, gender, real_first, real_last, pseudo_first, "
                         "pseudo_last, pseudonym, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(key) DO NOTHING",
                         (new.key, new.category, new.real, new.gender, new.real_first, new.real_last,
                          new.pseudo_first, new.pseudo_last, new.pseudonym, stamp, stamp))
            row = conn.execute(f"SELECT {_KEY_COLS} FROM entries WHERE key = ?", (new.key,)).fetchone()
        return _entry(row)

    def set_pseudonym(self, entry_id: int, *, pseudonym: str, pseudo_first: str | None = None,
                      pseudo_last: str | None = None) -> KeyEntry:
        """A person's choice: never recomputed afterwards."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE entries SET pseudonym = ?, pseudo_first = ?, pseudo_last = ?, edited = 1, "
                         "updated_at = ? WHERE id = ?", (pseudonym, pseudo_first, pseudo_last, now(), entry_id))
        return self.by_id(entry_id)
