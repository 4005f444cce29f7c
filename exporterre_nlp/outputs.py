"""Writing files for the user without ever destroying what is already there.

Two tools, used by every command that writes a file outside the store:

- :func:`check_output` — the guard: refuses an output path that is, or lies inside, a project's own
  files (``store.sqlite3*``, ``codebook.yaml``, ``settings.yaml``, ``private/``, ``cache/``, the
  project folder itself for a folder output), a folder where a file is expected (and the reverse),
  and an existing file unless ``force`` is given. Every refusal names the path and the fix.
- :func:`atomic_path` / :func:`atomic_write` — write to a temporary name in the same folder, flush
  and fsync, then rename into place (and fsync the folder): a kill leaves the previous file or the
  new one, never a truncated mix.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ExporterreError
from .i18n import tr

STORE_FILE = "store.sqlite3"           # same as store.base.DB_FILE (kept here to avoid importing the store)
# A project's own files and folders (relative to the project folder): outputs never land on or in them.
PROJECT_FILES = ("codebook.yaml", "settings.yaml", "lieux.yaml")
PROJECT_DIRS = ("private", "cache")
TMP_PREFIX = ".exporterre-tmp-"


class OutputError(ExporterreError):
    """An output path that would destroy or hide the researcher's data."""


def _shown(path: Path) -> str:
    return str(path)


def project_root_of(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a project store, if any."""
    for folder in [path, *path.parents]:
        try:
            if (folder / STORE_FILE).is_file():
                return folder
        except OSError:
            continue
    return None


def _resolved(path: Path) -> Path:
    # resolve() follows a symbolic link at the end too: "--out link" where link → store.sqlite3 is refused.
    return Path(os.path.abspath(path)).resolve(strict=False)


def protected_part(path: str | os.PathLike, *, folder: bool = False) -> tuple[Path, str] | None:
    """``(project, what)`` when ``path`` is one of a project's own files (or inside one of its folders)."""
    target = _resolved(Path(path))
    for root in [target, *target.parents]:
        if not (root / STORE_FILE).is_file():
            continue
        if target == root:
            return (root, tr("le dossier du projet lui-même", "the project folder itself")) if folder or \
                target.is_dir() else None
        first = target.relative_to(root).parts[0]
        if first.startswith(STORE_FILE):
            return root, tr("la base du projet", "the project's store")
        if first in PROJECT_FILES:
            return root, tr(f"le fichier {first} du projet", f"the project's {first}")
        if first in PROJECT_DIRS:
            return root, tr(f"le dossier {first}/ du projet", f"the project's {first}/ folder")
    return None


def check_output(path: str | os.PathLike, *, kind: str = "file", force: bool = False,
                 replaces: Iterable[str] = (), own_marker: str | None = None, option: str = "--out") -> Path:
    """Check an output path before anything is computed or written; returns it as a :class:`Path`.

    ``kind`` is ``"file"`` or ``"folder"``. For a folder, ``replaces`` names the files the command
    writes there: an existing one needs ``force`` unless ``own_marker`` (e.g. ``manifest.json``) shows
    that the folder holds an earlier output of the same command.
    """
    out = Path(path)
    hit = protected_part(out, folder=(kind == "folder"))
    if hit is not None:
        root, what = hit
        raise OutputError(
            tr(f"Refusé : {option} {_shown(out)} écrirait sur {what} ({root}). Rien n'a été écrit.",
               f"Refused: {option} {_shown(out)} would write over {what} ({root}). Nothing was written."),
            tr(f"Choisissez un chemin hors des fichiers du projet, par exemple {root.parent / 'exports'}"
               + ("/" if kind == "folder" else f"/{out.name}") + ".",
               f"Choose a path outside the project's files, e.g. {root.parent / 'exports'}"
               + ("/" if kind == "folder" else f"/{out.name}") + "."), path=str(out))
    if kind == "file":
        if out.is_dir():
            raise OutputError(
                tr(f"{_shown(out)} est un dossier ; cette commande écrit un fichier.",
                   f"{_shown(out)} is a folder; this command writes a file."),
                tr(f"Donnez un nom de fichier, par exemple {option} {out / 'export'}….",
                   f"Give a file name, e.g. {option} {out / 'export'}…."), path=str(out))
        if out.exists() and not force:
            raise OutputError(
                tr(f"Le fichier {_shown(out)} existe déjà ; il n'a pas été remplacé.",
                   f"The file {_shown(out)} already exists; it was not replaced."),
                tr("Ajoutez --force pour le remplacer, ou choisissez un autre nom.",
                   "Add --force to replace it, or choose another name."), path=str(out))
        if out.parent.exists() and not out.parent.is_dir():
            raise OutputError(tr(f"{out.parent} n'est pas un dossier.", f"{out.parent} is not a folder."),
                              tr("Choisissez un autre chemin.", "Choose another path."), path=str(out))
        return out
    if out.exists() and not out.is_dir():
        raise OutputError(
            tr(f"{_shown(out)} est un fichier ; cette commande écrit un dossier.",
               f"{_shown(out)} is a file; this command writes a folder."),
            tr(f"Donnez un nom de dossier avec {option} (il sera créé).",
               f"Give a folder name with {option} (it is created)."), path=str(out))
    if out.is_dir() and not force and not (own_marker and (out / own_marker).is_file()):
        taken = [name for name in replaces if (out / name).exists()]
        if taken:
            shown = ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")
            raise OutputError(
                tr(f"Le dossier {_shown(out)} contient déjà {shown} ; rien n'a été remplacé.",
                   f"The folder {_shown(out)} already holds {shown}; nothing was replaced."),
                tr("Ajoutez --force pour remplacer ces fichiers, ou choisissez un autre dossier.",
                   "Add --force to replace these files, or choose another folder."), path=str(out))
    return out


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; once the block ends, fsync it and rename it onto
    ``target``. On any error (or a kill) ``target`` keeps its previous content; the temporary file is
    removed on error (a kill leaves a hidden ``.exporterre-tmp-*`` file, never a damaged target)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(target)
    # the suffix keeps the extension: matplotlib and others pick the format from it
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=f"-{target.name[-80:]}", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fsync_file(tmp)
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_folder(target.parent)


DEAD_AFTER_SECONDS = 3600


def _remove_dead_temporaries(target: Path) -> None:
    """Temporaries of ``target`` that a killed write left more than an hour ago (a write takes seconds)."""
    import time
    limit = time.time() - DEAD_AFTER_SECONDS
    for old in target.parent.glob(f"{TMP_PREFIX}*-{target.name[-80:]}"):
        try:
            if old.is_file() and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass


def _keep_mode(target: Path, tmp: Path) -> None:
    # mkstemp creates 0600; a replaced file keeps its mode, a new one gets the usual umask mode.
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(target: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8",
                 newline: str | None = None) -> Path:
    """Write ``data`` (text or bytes) to ``target`` atomically; returns ``target``."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with open(tmp, "w", encoding=encoding, newline=newline) as fh:
                fh.write(data)
    return target


COMMIT_FILE = ".exporterre-commit.json"


class StagedFolder:
    """A set of files written together into ``folder`` (a report): everything is first written into a
    hidden staging folder inside ``folder``; :meth:`publish` then renames each file into place, the
    ``marker`` file (the manifest) last, and only then removes the files of the previous set that the
    new one no longer has.

    A kill before :meth:`publish` leaves the previous set untouched (the staging folder is removed at the
    next run). :meth:`publish` first writes a commit note; a kill during the renames (a few
    milliseconds) is finished by :func:`finish_interrupted_publish` at the next run, which rolls the new
    set forward. Files of the previous set are never deleted before the new set is complete.
    """

    def __init__(self, folder: str | os.PathLike, *, marker: str):
        self.folder = Path(folder)
        self.marker = marker
        self.folder.mkdir(parents=True, exist_ok=True)
        finish_interrupted_publish(self.folder)
        self.stage = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}stage-", dir=self.folder))

    def path(self, relative: str) -> Path:
        target = self.stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def discard(self) -> None:
        _remove_tree(self.stage)

    def publish(self, previous: Iterable[str] = ()) -> list[Path]:
        """Move the staged files into place; ``previous``: relative names of the earlier set (removed when
        the new set does not have them). Returns the final paths."""
        names = sorted(str(p.relative_to(self.stage)) for p in self.stage.rglob("*") if p.is_file())
        for name in names:
            fsync_file(self.stage / name)
        stale = sorted(set(previous) - set(names))
        import json
        atomic_write(self.folder / COMMIT_FILE, json.dumps({"stage": self.stage.name, "files": names,
                                                            "stale": stale, "marker": self.marker}))
        _roll_forward(self.folder, self.stage, names, stale, self.marker)
        return [self.folder / n for n in names]


def _safe_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _roll_forward(folder: Path, stage: Path, names: list[str], stale: list[str], marker: str) -> None:
    for name in sorted(names, key=lambda n: n == marker):          # the marker (manifest) last
        source = stage / name
        if source.is_file() and _safe_relative(name):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, folder / name)
            fsync_folder((folder / name).parent)
    for name in stale:
        if _safe_relative(name) and (folder / name).is_file():
            (folder / name).unlink()
    (folder / COMMIT_FILE).unlink(missing_ok=True)
    fsync_folder(folder)
    _remove_tree(stage)


def _remove_tree(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)


def finish_interrupted_publish(folder: str | os.PathLike) -> bool:
    """Finish a :meth:`StagedFolder.publish` cut by a kill (roll forward), then remove staging folders of
    sets that never reached :meth:`~StagedFolder.publish`. Returns True when a publish was finished."""
    import json
    folder = Path(folder)
    finished = False
    note = folder / COMMIT_FILE
    if note.is_file():
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
            stage = folder / data["stage"]
            if not data["stage"].startswith(TMP_PREFIX) or not _safe_relative(data["stage"]):
                raise ValueError(data["stage"])
            _roll_forward(folder, stage, list(data["files"]), list(data.get("stale", [])), data.get("marker", ""))
            finished = True
        except (OSError, ValueError, KeyError, TypeError):
            note.unlink(missing_ok=True)
    for stage in folder.glob(f"{TMP_PREFIX}stage-*") if folder.is_dir() else []:
        if stage.is_dir():
            _remove_tree(stage)
    return finished


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), 0x7f, *range(0x80, 0xa0), 0x200e, 0x200f,
                               *range(0x202a, 0x202f), *range(0x2066, 0x206a)] if c not in (0x09, 0x0a)}


def printable(text: str) -> str:
    """``text`` with control characters (ESC, CR, BEL…) shown as ``\\x1b`` instead of acting on the terminal."""
    return text.translate(_CONTROL)


def leftover_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Temporary files a killed write left in ``folder`` (safe to delete)."""
    folder = Path(folder)
    return sorted(folder.glob(f"{TMP_PREFIX}*")) if folder.is_dir() else []


__all__ = ["OutputError", "printable", "check_output", "atomic_path", "atomic_write", "protected_part", "project_root_of",
           "fsync_folder", "leftover_temporaries", "StagedFolder",
           "finish_interrupted_publish"]
