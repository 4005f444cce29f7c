"""Which source files of the library can change a finding: part of the findings-cache key.

Found by reading the imports (``ast``, top-level and inside functions) of the modules that
find and review (the rules' extractor, the sentence model), transitively within the
package: a new module imported by either is covered without anyone listing it. Modules
that only format messages (:data:`NOT_DECIDING`) are left out, so that editing a message
does not make every project parse its findings again.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]          # exporterre_nlp/
ROOTS = ("nlp/extract.py", "nlp/sentence/model.py", "nlp/sentence/features.py")
NOT_DECIDING = frozenset({"errors.py", "i18n.py", "lazy.py", "__init__.py"})


def _imports(path: Path):
    """The package's source files that ``path`` imports (any import statement, anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = path.parent
                for _ in range(node.level - 1):
                    base = base.parent
            elif node.module and node.module.split(".")[0] == PACKAGE.name:
                base = PACKAGE.parent
            else:
                continue
            target = base.joinpath(*(node.module.split(".") if node.module else ()))
            names = [target / (alias.name + ".py") for alias in node.names]
        elif isinstance(node, ast.Import):
            found = [a.name.split(".") for a in node.names if a.name.split(".")[0] == PACKAGE.name]
            if not found:
                continue
            target, names = None, []
            for parts in found:
                t = PACKAGE.parent.joinpath(*parts)
                names += [t.with_suffix(".py"), t / "__init__.py"]
        else:
            continue
        if target is not None:
            names += [target.with_suffix(".py"), target / "__init__.py"]
        yield from (p for p in names if p.is_file())


@lru_cache(maxsize=1)
def extraction_sources() -> tuple[Path, ...]:
    """The source files whose code decides what the analysis finds (sorted, paths in the package)."""
    seen: set[Path] = set()
    todo = [PACKAGE / root for root in ROOTS]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_imports(path))
    return tuple(sorted(p for p in seen if p.name not in NOT_DECIDING))
