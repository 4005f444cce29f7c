"""Is this file one of our stores, whole and readable? Checked before anything writes to it.

:func:`check_store_file` reads the file's header and then looks inside through a read-only
connection, before the store is opened for writing (which switches the journal to WAL and may
migrate). A file that is empty, truncated, not SQLite, another program's database, written by a
newer Exporterre, or that fails ``PRAGMA quick_check`` is refused with a message naming it; the file
is left exactly as it was.

Our stores carry ``PRAGMA application_id = APPLICATION_ID`` (set by a migration). A store made
before that migration (``application_id`` 0, ``user_version`` ≥ 1, our tables) is recognised by its
tables and receives the id when it is upgraded (after the backup copy).
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from ..errors import StoreError, StoreTooNewError
from ..i18n import tr

APPLICATION_ID = 0x45585452          # "EXTR": Exporterre
SQLITE_MAGIC = b"SQLite format 3\x00"
OUR_TABLES = frozenset({"meta", "documents", "segments", "codes", "codings", "runs", "events"})


class ForeignStoreError(StoreError):
    """The file is not an Exporterre store (another program's database, or not a database)."""


class DamagedStoreError(StoreError):
    """The store is empty, truncated or fails SQLite's integrity check."""


def _restore_hint() -> str:
    return tr("Le fichier n'a pas été modifié. Restaurez la dernière copie (store.sqlite3.v*.bak à côté, ou "
              "votre sauvegarde), ou indiquez un autre projet avec --project.",
              "The file was not modified. Restore the latest copy (store.sqlite3.v*.bak next to it, or your "
              "backup), or give another project with --project.")


def too_new_error(path: Path, version: int, latest: int) -> StoreTooNewError:
    return StoreTooNewError(
        tr(f"Le projet {path.parent} a été écrit par une version plus récente d'Exporterre "
           f"(schéma {version}, ce programme connaît jusqu'au schéma {latest}).",
           f"The project {path.parent} was written by a newer Exporterre "
           f"(schema {version}; this program knows up to {latest})."),
        tr("Mettez Exporterre à jour (pip install -U exporterre-nlp) ; le projet n'a pas été modifié.",
           "Upgrade Exporterre; the project was not modified."), path=str(path))


def _damaged(path: Path, what_fr: str, what_en: str) -> DamagedStoreError:
    return DamagedStoreError(tr(f"La base du projet {path} est {what_fr} : elle n'est pas ouverte.",
                                f"The project store {path} is {what_en}: it is not opened."),
                             _restore_hint(), path=str(path))


def _foreign(path: Path, why_fr: str, why_en: str) -> ForeignStoreError:
    return ForeignStoreError(
        tr(f"{path} n'est pas une base Exporterre ({why_fr}) : elle n'est pas ouverte.",
           f"{path} is not an Exporterre store ({why_en}): it is not opened."),
        tr("Le fichier n'a pas été modifié. Indiquez le dossier d'un projet créé par « exporterre init » "
           "(--project), ou créez-en un dans un autre dossier.",
           "The file was not modified. Give the folder of a project made by 'exporterre init' (--project), or "
           "create one in another folder."), path=str(path))


def check_header(path: Path) -> None:
    """Empty, truncated or not SQLite, from the first 100 bytes and the file size alone."""
    size = path.stat().st_size
    if size == 0:
        raise _damaged(path, "vide (0 octet)", "empty (0 bytes)")
    with open(path, "rb") as fh:
        header = fh.read(100)
    if not header.startswith(SQLITE_MAGIC[:len(header)]) or len(header) < len(SQLITE_MAGIC):
        raise _foreign(path, "ce n'est pas un fichier SQLite", "it is not an SQLite file")
    if len(header) < 100:
        raise _damaged(path, "tronquée", "truncated")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _damaged(path, "endommagée (en-tête illisible)", "damaged (unreadable header)")
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]
    if size % page_size or (size_is_valid and pages and size < pages * page_size):
        raise _damaged(path, "tronquée", "truncated")


def check_store_file(path: Path, latest: int, *, quick_check: bool = True) -> None:
    """Refuse (untouched) a file that is not a whole store of ours that this program can open."""
    check_header(path)
    # Without a -wal file everything is in the main file: read it as immutable, so that not even the
    # -wal/-shm companions of a WAL database are created by looking. A writer starting meanwhile could make
    # that read see a page mid-checkpoint: a refusal is confirmed by a second look (a normal read-only one
    # if a writer has appeared since).
    wal = path.with_name(path.name + "-wal")
    immutable = not wal.exists()
    try:
        _inspect(path, latest, quick_check, immutable)
    except DamagedStoreError:
        if not immutable:
            raise
        time.sleep(0.05)
        _inspect(path, latest, quick_check, not wal.exists())


def _inspect(path: Path, latest: int, quick_check: bool, immutable: bool) -> None:
    try:
        ro = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else ""),
                             uri=True)
    except sqlite3.Error as exc:
        raise _damaged(path, f"illisible ({exc})", f"unreadable ({exc})") from None
    try:
        app_id = int(ro.execute("PRAGMA application_id").fetchone()[0])
        version = int(ro.execute("PRAGMA user_version").fetchone()[0])
        tables = {name for (name,) in ro.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id not in (0, APPLICATION_ID):
            raise _foreign(path, f"elle appartient à un autre logiciel, application_id {app_id:#x}",
                           f"it belongs to another program, application_id {app_id:#x}")
        if app_id == 0 and tables and not OUR_TABLES <= tables:
            shown = ", ".join(sorted(tables)[:4]) + (" …" if len(tables) > 4 else "")
            raise _foreign(path, f"elle contient d'autres tables : {shown}", f"it holds other tables: {shown}")
        if app_id == 0 and tables and version == 0:
            raise _foreign(path, "tables sans numéro de schéma", "tables without a schema number")
        if version > latest:
            raise too_new_error(path, version, latest)
        if quick_check and tables:
            problems = [row[0] for row in ro.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise _damaged(path, f"endommagée (contrôle SQLite : {problems[0]})",
                               f"damaged (SQLite check: {problems[0]})")
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, f"endommagée ou illisible ({exc})", f"damaged or unreadable ({exc})") from None
    finally:
        ro.close()
