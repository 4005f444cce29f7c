"""Numbered schema migrations, applied in order with ``PRAGMA user_version``.

Rules: a migration that has shipped is never edited; a change is a new
migration appended to :data:`MIGRATIONS`. Before upgrading an existing store, a
copy is taken with SQLite's backup API next to it
(``store.sqlite3.v<old>-<timestamp>.bak``). A store whose version is newer than
this program knows is refused.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Callable


Migration = Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, statements: str) -> None:
    # Statements are separated by blank-line-terminated ';' — no triggers here,
    # so a plain split is safe and keeps everything inside our transaction
    # (executescript would commit on its own).
    for stmt in statements.split(";\n"):
        if stmt.strip():
            conn.execute(stmt)


def m001_core(conn: sqlite3.Connection) -> None:
    # AUTOINCREMENT where the event log refers to ids: a deleted coding's id must
    # never be reused, or undo/redo would overwrite somebody else's row.
    _run(conn, """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE participants (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    phase          INTEGER NOT NULL CHECK (phase IN (1, 2, 3)),
    lieu           TEXT,
    date           TEXT,
    source_path    TEXT,
    format         TEXT NOT NULL,
    encoding       TEXT,
    content_hash   TEXT NOT NULL,
    text           TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    attributes     TEXT NOT NULL DEFAULT '{}',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX documents_phase ON documents(phase);
CREATE TABLE speakers (
    id             INTEGER PRIMARY KEY,
    document_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label          TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('interviewer', 'resident', 'relais', 'other')),
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    UNIQUE (document_id, label)
);
CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end > start),
    speaker_id  INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL DEFAULT 'turn',
    timestamp   TEXT,
    UNIQUE (document_id, position)
);
CREATE INDEX segments_document ON segments(document_id, start);
CREATE TABLE codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL,
    parent_id   INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
    definition  TEXT,
    color       TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    attributes  TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    settings    TEXT NOT NULL DEFAULT '{}',
    versions    TEXT NOT NULL DEFAULT '{}',
    input_hash  TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    summary     TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE codings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end > start),
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
    coder       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('manual', 'pending', 'accepted', 'rejected')),
    origin      TEXT NOT NULL DEFAULT 'human',
    score       REAL,
    segment_id  INTEGER REFERENCES segments(id) ON DELETE SET NULL,
    source_id   INTEGER REFERENCES codings(id) ON DELETE SET NULL,
    run_id      INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX codings_document ON codings(document_id, start);
CREATE INDEX codings_code ON codings(code_id);
CREATE INDEX codings_coder ON codings(coder, status);
CREATE INDEX codings_source ON codings(source_id);
CREATE UNIQUE INDEX codings_one_suggestion
    ON codings(document_id, start, end, code_id, coder, origin) WHERE status = 'pending';
CREATE TABLE memos (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    target_type TEXT NOT NULL CHECK (target_type IN ('project', 'document', 'segment', 'code', 'coding')),
    target_id   INTEGER,
    coder       TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX memos_target ON memos(target_type, target_id);
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    before    TEXT,
    after     TEXT,
    batch     INTEGER,
    undoes    INTEGER,
    undone    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_actor ON events(actor, id);
CREATE INDEX events_batch ON events(batch)
""")


# --- migration 2: themes (store/themes.py) ----------------------------------------
def m002_themes(conn: sqlite3.Connection) -> None:
    """Theme runs: themes, unit assignments, quotes, crosswalk scores, theme x code matrix, class counts."""
    _run(conn, """
CREATE TABLE themes (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme  INTEGER NOT NULL,
    label  TEXT NOT NULL,
    size   INTEGER NOT NULL,
    words  TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, theme)
);
CREATE TABLE theme_units (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    segment_id  INTEGER REFERENCES segments(id) ON DELETE SET NULL,
    start       INTEGER NOT NULL CHECK (start >= 0),
    end         INTEGER NOT NULL CHECK (end > start),
    speaker     TEXT,
    role        TEXT,
    phase       INTEGER NOT NULL,
    lieu        TEXT,
    theme       INTEGER NOT NULL,
    score       REAL,
    PRIMARY KEY (run_id, position)
);
CREATE INDEX theme_units_theme ON theme_units(run_id, theme);
CREATE INDEX theme_units_segment ON theme_units(segment_id);
CREATE TABLE theme_quotes (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme       INTEGER NOT NULL,
    rank        INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    speaker     TEXT,
    score       REAL,
    PRIMARY KEY (run_id, theme, rank)
);
CREATE TABLE theme_codes (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme     INTEGER NOT NULL,
    code_id   INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    score     REAL NOT NULL,
    suggested INTEGER NOT NULL DEFAULT 0,
    shared_words TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, theme, code_id)
);
CREATE TABLE theme_code_matrix (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme    INTEGER NOT NULL,
    code_id  INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    human    INTEGER NOT NULL DEFAULT 0,
    machine  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, theme, code_id)
);
CREATE TABLE theme_class_counts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme  INTEGER NOT NULL,
    class  TEXT NOT NULL CHECK (class IN ('phase', 'lieu')),
    value  TEXT NOT NULL,
    units  INTEGER NOT NULL,
    PRIMARY KEY (run_id, theme, class, value)
)
""")



# --- migration 3: pseudonymisation candidates (store/pseudo.py) -------------------
def m003_pseudo(conn: sqlite3.Connection) -> None:
    """Pseudonymisation candidates (the key itself lives apart, in private/pseudo_key.sqlite3)."""
    _run(conn, """
CREATE TABLE pseudo_candidates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start        INTEGER NOT NULL CHECK (start >= 0),
    end          INTEGER NOT NULL CHECK (end > start),
    category     TEXT NOT NULL CHECK (category IN ('person', 'phone', 'email', 'nir', 'address')),
    pseudonym    TEXT NOT NULL,
    detector     TEXT NOT NULL,
    score        REAL NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    entity_id    INTEGER,
    note         TEXT,
    surface_hash TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (document_id, start, end, category)
);
CREATE INDEX pseudo_candidates_status ON pseudo_candidates(status, category);
CREATE INDEX pseudo_candidates_entity ON pseudo_candidates(entity_id)
""")


def m004_reads(conn: sqlite3.Connection) -> None:
    """Which turns each coder has read in the interface: the segments a project's own model may learn
    from as negatives (nlp/learning.py)."""
    _run(conn, """
CREATE TABLE segment_reads (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    coder      TEXT NOT NULL,
    read_at    TEXT NOT NULL,
    PRIMARY KEY (segment_id, coder)
) WITHOUT ROWID
""")


def m005_identity(conn: sqlite3.Connection) -> None:
    """Our stores say so (``PRAGMA application_id``, see store/integrity.py), and a run records the process
    that computes it, so that a run whose process was killed is shown as interrupted (store/runs.py)."""
    from .integrity import APPLICATION_ID
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    _run(conn, """
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT
""")


def m006_document_identity(conn: sqlite3.Connection) -> None:
    """A document's identity is its path relative to the corpus root (or a manifest id), no longer
    its base name; existing documents keep their name as identity (``identity_legacy`` = 1 until an
    import confirms their path). ``origin`` is the absolute path of the file last imported. Old
    versions of a re-imported document (text and metadata) are kept in ``document_versions``."""
    _run(conn, """
ALTER TABLE documents ADD COLUMN identity TEXT;
ALTER TABLE documents ADD COLUMN identity_legacy INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN origin TEXT;
UPDATE documents SET identity = name, identity_legacy = 1;
CREATE UNIQUE INDEX documents_identity ON documents(identity);
CREATE INDEX documents_origin ON documents(origin);
CREATE TABLE document_versions (
    id             INTEGER PRIMARY KEY,
    document_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    identity       TEXT,
    phase          INTEGER NOT NULL,
    lieu           TEXT,
    date           TEXT,
    source_path    TEXT,
    format         TEXT NOT NULL,
    encoding       TEXT,
    content_hash   TEXT NOT NULL,
    text           TEXT NOT NULL,
    participant_id INTEGER,
    attributes     TEXT NOT NULL DEFAULT '{}',
    imported_at    TEXT NOT NULL,
    replaced_at    TEXT NOT NULL,
    UNIQUE (document_id, version)
)
""")


def m007_coverage(conn: sqlite3.Connection) -> None:
    """Coverage: a coder says "I have coded this document for this branch (or category)" (store/coverage.py).
    Counts, comparisons and "absent in phase X" use only covered documents. Also marks as non-speech (kind
    'note') the paragraphs outside any speaker turn of transcripts ingested before (titles, legends, notes),
    as ingestion now does."""
    _run(conn, """
CREATE TABLE coverage (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder       TEXT NOT NULL,
    origin      TEXT NOT NULL DEFAULT 'human' CHECK (origin IN ('human', 'bulk')),
    marked_at   TEXT NOT NULL,
    UNIQUE (document_id, code_id, coder)
);
CREATE INDEX coverage_code ON coverage(code_id, document_id);
UPDATE segments SET kind = 'note'
    WHERE speaker_id IS NULL AND kind != 'note'
      AND document_id IN (SELECT document_id FROM segments WHERE speaker_id IS NOT NULL)
""")


# --- migration 8: theme-level links, no per-unit theme suggestions, hot-path indexes ---
def m008_theme_links_indexes(conn: sqlite3.Connection) -> None:
    """Themes stay themes (issue 16) and every hot-path join has an index (issue 23).

    - ``theme_links``: a person's decision that "theme T of run R resembles code C"
      (accepted) or does not (rejected), for the whole theme at once.
    - The old per-unit theme suggestions (pending codings ``topic:<n>``) go. People's
      decisions on them stay as their own codings: an acceptance becomes a manual
      coding, a rejection stays a rejection; both take origin ``human`` and keep the
      former origin in their details (``former_origin``).
    - Indexes for the joins that read codings by segment (the theme × code matrix
      scanned every coding per theme unit: issue 23) and for every foreign key of a
      large table, so that deleting a document or a run never scans a table per row
      (tests/test_store_query_plans.py runs EXPLAIN QUERY PLAN on the hot-path queries).
    """
    import json
    _run(conn, """
CREATE TABLE IF NOT EXISTS theme_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    theme      INTEGER NOT NULL,
    code_id    INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    status     TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    coder      TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    UNIQUE (run_id, theme, code_id)
);
CREATE INDEX IF NOT EXISTS codings_segment ON codings(segment_id);
CREATE INDEX IF NOT EXISTS codings_run ON codings(run_id);
CREATE INDEX IF NOT EXISTS theme_units_document ON theme_units(document_id, start);
CREATE INDEX IF NOT EXISTS theme_quotes_document ON theme_quotes(document_id);
CREATE INDEX IF NOT EXISTS segments_speaker ON segments(speaker_id);
CREATE INDEX IF NOT EXISTS speakers_participant ON speakers(participant_id);
CREATE INDEX IF NOT EXISTS documents_participant ON documents(participant_id)
""")
    decided = conn.execute("SELECT id, status, origin, details FROM codings "
                           "WHERE origin LIKE 'topic:%' AND status IN ('accepted', 'rejected')").fetchall()
    for cid, status, origin, details in decided:
        info = json.loads(details or "{}") or {}
        info["former_origin"] = origin
        conn.execute("UPDATE codings SET status = ?, origin = 'human', source_id = NULL, details = ? WHERE id = ?",
                     ("manual" if status == "accepted" else "rejected", json.dumps(info, ensure_ascii=False), cid))
    conn.execute("UPDATE codings SET source_id = NULL WHERE source_id IN "
                 "(SELECT id FROM codings WHERE status = 'pending' AND origin LIKE 'topic:%')")
    conn.execute("DELETE FROM codings WHERE status = 'pending' AND origin LIKE 'topic:%'")


def m011_one_manual_coding(conn: sqlite3.Connection) -> None:
    """One manual coding per (document, span, code, coder): identical copies (the picker then a
    recent-code digit on the same selection stored two rows) are merged into the oldest one,
    memos and decisions pointing to a copy now point to it, and a unique index keeps it so."""
    groups = conn.execute(
        "SELECT MIN(id), GROUP_CONCAT(id) FROM codings WHERE status = 'manual' "
        "GROUP BY document_id, start, end, code_id, coder HAVING COUNT(*) > 1").fetchall()
    for keep, ids in groups:
        copies = [int(i) for i in ids.split(",") if int(i) != keep]
        marks = ",".join("?" * len(copies))
        conn.execute(f"UPDATE memos SET target_id = ? WHERE target_type = 'coding' AND target_id IN ({marks})",
                     [keep] + copies)
        conn.execute(f"UPDATE codings SET source_id = ? WHERE source_id IN ({marks})", [keep] + copies)
        conn.execute(f"DELETE FROM codings WHERE id IN ({marks})", copies)
    conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS codings_one_manual ON codings(document_id, start, end, code_id, coder) "
                 "WHERE status = 'manual'")


def m013_places(conn: sqlite3.Connection) -> None:
    """A researcher's place decisions: mentions linked by hand, statuses of directory entries."""
    _run(conn, """
CREATE TABLE IF NOT EXISTS place_links (
    mention TEXT PRIMARY KEY,            -- normalised mention (places.linking.normalise)
    place   TEXT,                        -- register key; NULL: the mention names no place
    coder   TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS initiative_status (
    entry  TEXT PRIMARY KEY,             -- directory entry key: code@place
    status TEXT NOT NULL CHECK (status IN ('a_verifier', 'confirme', 'ecarte')),
    coder  TEXT NOT NULL,
    note   TEXT,
    at     TEXT NOT NULL
);
""")


def m014_document_words(conn: sqlite3.Connection) -> None:
    """Each document's word count, stored (``len(text.split())``): the corpus list and ``status`` read and
    split every text to count words (0.55 s of a 0.85 s corpus list on 10,723 documents, 10M words)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    if "words" not in columns:                # checked, not try/except: a store set back by hand re-runs this
        conn.execute("ALTER TABLE documents ADD COLUMN words INTEGER")
    rows = conn.execute("SELECT id, text FROM documents WHERE words IS NULL").fetchall()
    conn.executemany("UPDATE documents SET words = ? WHERE id = ?", [(len(text.split()), i) for i, text in rows])


# (version, function): append only; numbers are never reused (gaps are numbers given to parallel work that
# needed no schema change). From 8 on, steps create with IF NOT EXISTS: a store set back by hand re-runs them.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_core),
    (2, m002_themes),
    (3, m003_pseudo),
    (4, m004_reads),
    (5, m005_identity),
    (6, m006_document_identity),
    (7, m007_coverage),
    (8, m008_theme_links_indexes),
    (11, m011_one_manual_coding),
    (13, m013_places),
    (14, m014_document_words),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def backup(conn: sqlite3.Connection, db_path: Path, version: int) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.name}.v{version}-{stamp}.bak")
    partial = target.with_name(target.name + ".partial")      # renamed once complete: a kill leaves no half copy
    dest = sqlite3.connect(str(partial))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(partial, target)
    return target


def migrate(conn: sqlite3.Connection, db_path: Path) -> Path | None:
    """Bring the store up to :data:`LATEST`. Returns the backup path, if one was made."""
    version = current_version(conn)
    if version > LATEST:         # normally refused earlier, untouched (integrity.check_store_file)
        from .integrity import too_new_error
        raise too_new_error(db_path, version, LATEST)
    if version == LATEST:
        return None
    saved = backup(conn, db_path, version) if version > 0 else None
    for number, migration in MIGRATIONS:
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the lock: another process may have migrated meanwhile.
            if current_version(conn) >= number:
                conn.execute("COMMIT")
                continue
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return saved
