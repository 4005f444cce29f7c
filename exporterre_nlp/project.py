"""A project: a directory holding the store, the settings, the codebook and caches.

```
<project>/
  store.sqlite3      the SQLite store (codings, documents, runs…)
  settings.yaml      the project's settings (see settings.py)
  codebook.yaml      the project's codebook (copied from codebooks/ at init)
  lieux.yaml         the place register (copied from codebooks/lieux-villeneuve.yaml at init)
  cache/             parse cache, embeddings, saved models (safe to delete)
```
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import ProjectError
from .i18n import tr
from .settings import Settings
from .store import DB_FILE, Store

CODEBOOK_FILE = "codebook.yaml"
PLACES_FILE = "lieux.yaml"           # the place register (docs/places.md)
CACHE_DIR = "cache"
PROJECT_ENV = "EXPORTERRE_PROJECT"


def bundled_codebook_file(name: str) -> Path | None:
    """A file shipped in ``codebooks/`` (installed as ``_codebooks/`` or beside the package), if present."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_codebooks" / name, here.parent / "codebooks" / name):
        if candidate.exists():
            return candidate
    return None


def default_codebook_path() -> Path:
    """The codebook shipped with Exporterre (``codebooks/exporterre.yaml``)."""
    found = bundled_codebook_file("exporterre.yaml")
    if found is not None:
        return found
    raise ProjectError(tr("Le livre de codes fourni (codebooks/exporterre.yaml) est introuvable.",
                          "The bundled codebook (codebooks/exporterre.yaml) cannot be found."),
                       tr("Donnez un livre de codes avec --codebook FICHIER.yaml.",
                          "Give a codebook with --codebook FILE.yaml."))


def resolve_project_dir(path: str | Path | None) -> Path:
    """``--project``, else ``$EXPORTERRE_PROJECT``, else an actionable error."""
    value = path or os.environ.get(PROJECT_ENV)
    if not value:
        raise ProjectError(tr("Aucun projet indiqué.", "No project given."),
                           tr(f"Ajoutez --project DOSSIER ou définissez {PROJECT_ENV}=DOSSIER "
                              "(un dossier créé par « exporterre init »).",
                              f"Add --project FOLDER or set {PROJECT_ENV}=FOLDER "
                              "(a folder made by 'exporterre init')."))
    return Path(value)


@dataclass
class Project:
    path: Path
    settings: Settings
    store: Store

    # -- lifecycle -----------------------------------------------------------
    @classmethod
    def init(cls, path: str | Path, *, codebook: str | Path | None = None) -> "Project":
        """Create a project directory with a store, default settings and a codebook."""
        from .codebook import load_codebook   # validated before anything is written

        path = Path(path)
        if (path / DB_FILE).exists():
            raise ProjectError(tr(f"Un projet existe déjà dans {path}.", f"A project already exists in {path}."),
                               tr("Choisissez un autre dossier, ou utilisez ce projet avec --project.",
                                  "Choose another folder, or use this project with --project."), path=str(path))
        source = Path(codebook) if codebook else default_codebook_path()
        book = load_codebook(source)
        path.mkdir(parents=True, exist_ok=True)
        (path / CACHE_DIR).mkdir(exist_ok=True)
        shutil.copyfile(source, path / CODEBOOK_FILE)
        from .places.register import default_register_path
        shutil.copyfile(default_register_path(), path / PLACES_FILE)
        settings = Settings()
        settings.save(path)
        store = Store.open(path, create=True)
        store.sync_codebook(book)
        store.set_meta("codebook_name", book.name)
        return cls(path, settings, store)

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Project":
        directory = resolve_project_dir(path)
        if not (directory / DB_FILE).exists():
            raise ProjectError(
                tr(f"{directory} n'est pas un projet Exporterre.", f"{directory} is not an Exporterre project."),
                tr(f"Créez-le avec « exporterre init {directory} ».", f"Create it with 'exporterre init {directory}'."),
                path=str(directory))
        settings = Settings.load(directory)
        return cls(directory, settings, Store.open(directory))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- parts ---------------------------------------------------------------
    @property
    def codebook_path(self) -> Path:
        return self.path / CODEBOOK_FILE

    def codebook(self):
        from .codebook import load_codebook
        return load_codebook(self.codebook_path)

    def cache_dir(self, *parts: str) -> Path:
        target = self.path.joinpath(CACHE_DIR, *parts)
        target.mkdir(parents=True, exist_ok=True)
        return target
