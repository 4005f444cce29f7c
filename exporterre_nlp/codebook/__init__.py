"""YAML codebooks: load, validate, save.

The format (``exporterre-codebook/1``) is documented at the top of ``codebooks/exporterre.yaml``.
Codes may be nested (``children:``) or flat (``parent: besoins``); both load to the same
:class:`Codebook`, whose ``codes`` are flattened parents-before-children in file order.
Extraction rules are spaCy ``Matcher`` / ``DependencyMatcher`` patterns, validated here by spaCy
itself; running them on documents is the job of ``nlp.extract`` (see :func:`compile_rule`).

:func:`check_codebook` lists every problem with its 1-based line; :func:`load_codebook` raises
:class:`CodebookError` when one of them is an error (warnings are kept in ``Codebook.warnings``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import CodebookError
from ..i18n import tr
from .check import _Builder, _parse_yaml, _plain, compile_rule
from .model import (CATEGORIES, FORMAT, KINDS, NEGATION, TEXT_FIELDS, CodeDef, Codebook, PlaceDef, Problem,
                    RuleDef)

__all__ = ["CATEGORIES", "FORMAT", "KINDS", "NEGATION", "CodeDef", "Codebook", "PlaceDef", "Problem", "RuleDef",
           "check_codebook", "codebook_from_text", "compile_rule", "dump_codebook", "load_codebook",
           "save_codebook"]


# ---------------------------------------------------------------- public API
def _read(source: str | os.PathLike) -> tuple[str | None, str | None, list[Problem]]:
    """(text, path, problems). A path-like, an existing file or a one-line *.yaml name is a path."""
    if not isinstance(source, os.PathLike) and ("\n" in source or not (
            os.path.exists(source) or source.endswith((".yaml", ".yml")))):
        return source, None, []
    path = str(source)
    try:
        raw = Path(path).read_bytes()
        return raw.decode("utf-8-sig"), path, []
    except OSError as exc:
        return None, path, [Problem(None, tr(f"fichier illisible : {exc.strerror}",
                                             f"unreadable file: {exc.strerror}"), path=path)]
    except UnicodeDecodeError as exc:
        return None, path, [Problem(raw[:exc.start].count(b"\n") + 1, tr(
            "le fichier n'est pas en UTF-8 : réenregistrez-le en UTF-8",
            "the file is not UTF-8: save it again as UTF-8"), path=path)]


def _analyse(text: str, path: str | None) -> tuple[Codebook | None, list[Problem]]:
    data, problems = _parse_yaml(text)
    builder = _Builder()
    codebook = builder.codebook(data, path) if data is not None or not problems else None
    problems = sorted(problems + builder.problems, key=lambda p: p.line or 0)
    for p in problems:
        p.path = path
    return codebook, problems


def check_codebook(path_or_text: str | os.PathLike) -> list[Problem]:
    """Every problem of a codebook (a file path or YAML text), sorted by line."""
    text, path, problems = _read(path_or_text)
    return problems if text is None else _analyse(text, path)[1]


def codebook_from_text(text: str, path: str | None = None) -> Codebook:
    """Parse YAML text; raises :class:`CodebookError` if it has errors."""
    return _accept(*_analyse(text, path), path)


def load_codebook(path: str | os.PathLike) -> Codebook:
    """Load and validate a codebook file; its warnings are kept in ``codebook.warnings``."""
    text, spath, problems = _read(Path(path))
    return _accept(None, problems, spath) if text is None else codebook_from_text(text, spath)


def _accept(codebook: Codebook | None, problems: list[Problem], path: str | None) -> Codebook:
    errors = [p for p in problems if p.severity == "error"]
    if errors or codebook is None:
        shown = "\n".join(f"  {p}" for p in errors[:10])
        more = tr(f"\n  … et {len(errors) - 10} autre(s)", f"\n  … and {len(errors) - 10} more") \
            if len(errors) > 10 else ""
        where = path or tr("(texte)", "(text)")
        raise CodebookError(
            tr(f"Codebook invalide : {where} ({len(errors)} erreur(s))\n{shown}{more}",
               f"Invalid codebook: {where} ({len(errors)} error(s))\n{shown}{more}"),
            tr("Corrigez ces lignes du fichier YAML puis rechargez-le ; le format est décrit en tête de "
               "codebooks/exporterre.yaml.", "Fix these lines of the YAML file and load it again; the format "
               "is described at the top of codebooks/exporterre.yaml."), path=path, problems=problems)
    codebook.warnings = [p for p in problems if p.severity == "warning"]
    return codebook


class _Flow(dict):
    """Dumped in flow style: {LEMMA: avoir}."""


class _FlowList(list):
    """Dumped in flow style: [logement, loyer]."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _flow(value: Any) -> Any:
    if isinstance(value, dict):
        return _Flow({k: _flow(v) for k, v in value.items()})
    return _FlowList(_flow(v) for v in value) if isinstance(value, list) else value


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML text, in the nested ``exporterre-codebook/1`` form."""
    def node(c: CodeDef) -> dict:
        out: dict[str, Any] = {"key": c.key, "label": c.label}
        out.update({f: getattr(c, f) for f in TEXT_FIELDS if getattr(c, f)})
        out.update({"examples": list(c.examples)} if c.examples else {})
        out.update({"color": c.color} if c.color else {})
        out.update({f: _FlowList(getattr(c, f)) for f in ("tags", "keywords") if getattr(c, f)})
        kids = [node(k) for k in codebook.codes if k.parent == c.key]
        return {**out, "children": kids} if kids else out

    def rule(r: RuleDef) -> dict:
        out = {"id": r.id, "category": r.category, "code": r.code, "kind": r.kind,
               "pattern": [_flow(t) for t in r.pattern], "object": r.object or "none"}   # token or alternative
        return {**out, **({"description": r.description} if r.description else {}), **_plain(r.extra)}

    doc: dict[str, Any] = {"format": FORMAT, "name": codebook.name, "language": codebook.language}
    doc.update({"description": codebook.description} if codebook.description else {})
    doc["codes"] = [node(c) for c in codebook.roots()]
    doc.update({"rules": [rule(r) for r in codebook.rules]} if codebook.rules else {})
    places = [{"name": p.name, "code": p.code, **({"variants": _FlowList(p.variants)} if p.variants else {})}
              for p in codebook.gazetteer]
    doc.update({"gazetteer": places} if places else {})
    header = tr("# Codebook Exporterre : format décrit en tête de codebooks/exporterre.yaml\n",
                "# Exporterre codebook: format described at the top of codebooks/exporterre.yaml\n")
    return header + yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def save_codebook(codebook: Codebook, path: str | os.PathLike) -> None:
    """Write the codebook atomically; refuses (CodebookError) to write one that would not load."""
    text = dump_codebook(codebook)
    _accept(*_analyse(text, str(path)), str(path))
    from ..outputs import atomic_write
    target = atomic_write(Path(path), text)
    codebook.path = str(target)
