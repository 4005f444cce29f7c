"""Package discovery only; metadata lives in pyproject.toml.

The Textual shell lives in the ``tui/`` folder but is installed under the import
name ``exporterre_tui`` (a bare top-level ``tui`` module would clash with others).
"""
from setuptools import find_packages, setup

tui_packages = ["exporterre_tui"] + [f"exporterre_tui.{p}" for p in find_packages("tui")]

setup(
    packages=find_packages(include=["exporterre_nlp", "exporterre_nlp.*"]) + tui_packages,
    package_dir={"exporterre_tui": "tui"},
)
