"""Architecture: the terminal UI reaches the project only through the library's CodingSession.

Every module of tui/ is parsed with ``ast``: no method call may go through a ``store``
object (``store.x(...)``, ``self.app.store.x(...)``), and a store may be handed to nothing
but ``CodingSession(...)`` (a library function taking the store, such as
``mark_covered(store, ...)``, is a bypass too).
"""
from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "tui"


def _is_store(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "store") or (
        isinstance(node, ast.Attribute) and node.attr == "store")


def store_bypasses(source: str, filename: str = "<tui>") -> list[str]:
    """``file:line  code`` for every call that goes through a store object, or hands one over."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and _is_store(func.value):
            found.append(f"{filename}:{node.lineno}  {ast.unparse(node)[:100]}")
            continue
        callee = ast.unparse(func)
        if callee.split(".")[-1] == "CodingSession":
            continue
        if any(_is_store(arg) for arg in [*node.args, *(k.value for k in node.keywords)]):
            found.append(f"{filename}:{node.lineno}  {ast.unparse(node)[:100]}")
    return found


def test_tui_boundary_finds_the_calls_it_forbids():
    calls = store_bypasses("self.app.store.list_codes()\nstore.passage(1, 2, 3)\nmark_covered(store, 'a')\n"
                           "x = self.app.store\nCodingSession(self.store, 'amina')\nself.app.session.codes()\n")
    assert [c.split("  ")[1] for c in calls] == ["self.app.store.list_codes()", "store.passage(1, 2, 3)",
                                                 "mark_covered(store, 'a')"]


def test_tui_boundary_screens_call_the_session_not_the_store():
    files = sorted(TUI.rglob("*.py"))
    assert len(files) > 10, files                  # the package is where this test thinks it is
    found = [call for path in files
             for call in store_bypasses(path.read_text(encoding="utf-8"), str(path.relative_to(TUI.parent)))]
    assert not found, "Store calls in the TUI (go through app.session instead):\n" + "\n".join(found)
