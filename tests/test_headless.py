"""The library never imports Textual: shells sit on top, nothing points back up."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def test_library_imports_no_textual_even_with_every_module_loaded():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        import exporterre_nlp
        skipped = []
        for mod in pkgutil.walk_packages(exporterre_nlp.__path__, "exporterre_nlp."):
            if mod.name.startswith("exporterre_nlp.cli"):
                continue            # the CLI is a shell: it may launch the TUI lazily
            importlib.import_module(mod.name)
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "exporterre_tui")))
        print(len([m for m in sys.modules if m.startswith("exporterre_nlp")]))
        print(",".join(bad))
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    count, bad = out.stdout.strip().split("\n") if "\n" in out.stdout.strip() else (out.stdout.strip(), "")
    assert int(count) >= 15
    assert bad == ""


def test_cli_starts_without_importing_textual_or_spacy():
    code = "import sys; import exporterre_nlp.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'spacy', 'bertopic')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
