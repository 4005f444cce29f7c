"""Reading a codebook with line numbers, checking it, compiling its rules with spaCy."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..i18n import tr
from .model import (CATEGORIES, CODE_FIELDS, COLOR_RE, DEP_NODE_FIELDS, FORMAT, KEY_RE, KINDS, MATCHER_OBJECTS,
                    NEGATION, PLACE_FIELDS, RULE_EXTRAS, RULE_FIELDS, TEXT_FIELDS, TOP_FIELDS, Codebook, CodeDef,
                    PlaceDef, Problem, RuleDef, _msg)


# ---------------------------------------------------------------- YAML with line numbers
class _Map(dict):
    """A mapping with ``line`` and ``key_lines`` (1-based)."""


class _Seq(list):
    """A sequence with ``line`` and ``item_lines`` (1-based)."""


# libyaml's parser when PyYAML was built with it: the shipped codebook (3,800 lines) parses in ≈ 0.07 s
# instead of ≈ 0.5 s; constructors and resolvers (below) stay Python, so the result is the same
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):
    """SafeLoader recording lines, with YAML 1.2 booleans: French ``on`` (and yes, no…) stays a word."""


_Loader.yaml_implicit_resolvers = {k: [(t, rx) for t, rx in v if t != "tag:yaml.org,2002:bool"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line, out.key_lines = node.start_mark.line + 1, {}
    for k_node, v_node in node.value:
        key, line = loader.construct_object(k_node, deep=True), k_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool, type(None))):
            loader.problems.append(Problem(line, _msg("yaml_key")))
            continue
        if key in out:
            loader.problems.append(Problem(line, _msg("repeated", key=key, first=out.key_lines[key])))
        out[key], out.key_lines[key] = loader.construct_object(v_node, deep=True), line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    out.line, out.item_lines = node.start_mark.line + 1, [n.start_mark.line + 1 for n in node.value]
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return [_plain(v) for v in value] if isinstance(value, list) else value


def _parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    loader.problems = []
    try:
        return loader.get_single_data(), loader.problems
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = " ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
        return None, [Problem(mark.line + 1 if mark else None, _msg("yaml", value=what or exc))]
    finally:
        loader.dispose()


# ---------------------------------------------------------------- building and checking
class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def err(self, line: int | None, mid: str, severity: str = "error", **values: Any) -> None:
        self.problems.append(Problem(line, _msg(mid, **values), severity))

    def check(self, ok: bool, d: _Map, key: str, what: str, expected: str) -> bool:
        """Report d[key] when not ok (values absent from d are fine)."""
        if key in d and not ok:
            self.err(d.key_lines[key], "bad_value", what=what, key=key, value=d[key], expected=expected)
        return ok or key not in d

    def unknown_fields(self, d: _Map, known: tuple, what: str, severity: str = "warning") -> None:
        for k in d:
            if k not in known:
                self.err(d.key_lines.get(k, d.line), "unknown_field", severity, what=what, key=k,
                         expected=", ".join(known))

    def text(self, d: _Map, key: str, what: str, required: bool = False) -> str:
        value, line = d.get(key), d.key_lines.get(key, d.line)
        if value is None or value == "":
            if required:
                self.err(line, "missing", what=what, key=key)
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.err(line, "not_text", what=what, key=key)
            return ""
        return str(value).strip()

    def texts(self, d: _Map, key: str, what: str) -> list[str]:
        value = d.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            self.err(d.key_lines.get(key, d.line), "not_texts", what=what, key=key)
            return []
        return [v.strip() for v in value or []]

    def items(self, value: Any, line: int, key: str) -> list[tuple[int, _Map]]:
        if value is not None and not isinstance(value, list):
            self.err(line, "not_list", key=key)
            return []
        for item, item_line in zip(value or [], getattr(value, "item_lines", [])):
            if not isinstance(item, dict):
                self.err(item_line, "not_item", key=key)
        return [(ln, item) for item, ln in zip(value or [], getattr(value, "item_lines", [])) if isinstance(item, dict)]

    def duplicates(self, entries: list[tuple[str, int]], what: str) -> None:
        first: dict[str, int] = {}
        for key, line in entries:
            if key in first:
                self.err(line, "duplicate", what=what, key=key, first=first[key], second=line)
            first.setdefault(key, line)

    # -- codes
    def codes(self, value: Any, line: int) -> list[CodeDef]:
        found: list[CodeDef] = []
        self._walk(value, line, None, found)
        self.duplicates([(c.key, c.line) for c in found], tr("clé de code", "code key"))
        by_key = {c.key: c for c in found}
        for c in found:
            if c.parent is not None and c.parent not in by_key:
                self.err(c.line, "unknown_parent", value=c.parent, key=c.key)
                c.parent = None
            prefix = c.key.rpartition(".")[0]
            if prefix in by_key and c.parent != prefix:
                self.err(c.line, "prefix", "warning", key=c.key, expected=prefix, value=c.parent or "—")
        for c in found:                      # cycles are possible in the flat form only
            seen, p = {c.key}, c.parent
            while p is not None and p not in seen:
                seen.add(p)
                p = by_key[p].parent
            if p is not None:
                self.err(c.line, "cycle", key=c.key)
                c.parent = None
        ordered: list[CodeDef] = []

        def visit(parent: str | None) -> None:   # parents before children, file order
            for child in found:
                if child.parent == parent and all(child is not o for o in ordered):
                    ordered.append(child)
                    visit(child.key)
        visit(None)
        return ordered

    def _walk(self, value: Any, line: int, parent: str | None, found: list[CodeDef]) -> None:
        for item_line, d in self.items(value, line, "codes" if parent is None else "children"):
            key, line = d.get("key"), d.key_lines.get("key", item_line)
            what = tr(f"code « {key} »", f"code '{key}'")
            self.unknown_fields(d, CODE_FIELDS, what)
            if key is None:
                self.err(item_line, "missing", what=tr("code", "code"), key="key")
            elif not self.check(isinstance(key, str) and bool(KEY_RE.match(key)), d, "key", what, "a-z 0-9 _ . -"):
                key = None
            own = d.get("parent")
            if not self.check(own is None or isinstance(own, str), d, "parent", what, tr("une clé", "a key")):
                own = None
            if parent is not None and own not in (None, parent):
                self.err(d.key_lines["parent"], "nesting", what=what, value=own, expected=parent)
            color = d.get("color")
            if not self.check(color is None or isinstance(color, str) and bool(COLOR_RE.match(color)), d, "color", what,
                              '#rrggbb ("#d95f02")'):
                color = None
            tags = self.texts(d, "tags", what)
            self.check(all(KEY_RE.match(t) for t in tags), d, "tags", what, "a-z 0-9 _ . -")
            code = CodeDef(key or "", self.text(d, "label", what, required=True), parent or own,
                           *(self.text(d, f, what) for f in TEXT_FIELDS), self.texts(d, "examples", what),
                           color, tags, self.texts(d, "keywords", what), line)
            if key:
                found.append(code)
            if "children" in d and key:
                self._walk(d["children"], d.key_lines["children"], key, found)
            elif "children" in d:
                self.err(d.key_lines["children"], "orphans")

    def keyword_overlaps(self, codes: list[CodeDef]) -> None:
        """Within one branch a keyword must route to a single code."""
        parent = {c.key: c.parent for c in codes}
        seen: dict[tuple[str, str], str] = {}
        for c in codes:
            root = c.key
            while parent.get(root):
                root = parent[root]
            for kw in c.keywords:
                other = seen.setdefault((root, kw.casefold()), c.key)
                if other != c.key:
                    self.err(c.line, "keyword_twice", "warning", value=kw, expected=other, key=c.key)

    # -- rules
    def rules(self, value: Any, line: int, keys: set[str]) -> list[RuleDef]:
        out: list[RuleDef] = []
        for item_line, d in self.items(value, line, "rules"):
            rid, line = d.get("id"), d.key_lines.get("id", item_line)
            what = tr(f"règle « {rid} »", f"rule '{rid}'")
            self.unknown_fields(d, RULE_FIELDS + RULE_EXTRAS, what)
            if rid is None:
                self.err(item_line, "missing", what=tr("règle", "rule"), key="id")
            if not self.check(isinstance(rid, str) and bool(KEY_RE.match(rid)), d, "id", what, "a-z 0-9 _ . -") \
                    or rid is None:
                rid = f"?{item_line}"
            category, code = self.text(d, "category", what, True), self.text(d, "code", what, True)
            self.check(category in CATEGORIES or not category, d, "category", what, " | ".join(CATEGORIES))
            if code and code not in keys:
                self.err(d.key_lines["code"], "unknown_code", what=what, value=code)
            kind = self.text(d, "kind", what) or "matcher"
            self.check(kind in KINDS, d, "kind", what, " | ".join(KINDS))
            pattern, obj = d.get("pattern"), d.get("object")
            rule = RuleDef(rid, category, code, kind, _plain(pattern) if pattern is not None else [],
                           None if obj in (None, "none", "") else obj, self.text(d, "description", what), line,
                           {k: _plain(v) for k, v in d.items() if k not in RULE_FIELDS})
            if not pattern:
                self.err(d.key_lines.get("pattern", line), "no_pattern", what=what)
            elif kind in KINDS:
                self.pattern(rule, d, what)
            for key in ("examples", "counter_examples"):
                if key in d:
                    rule.extra[key] = self.texts(d, key, what)
            self.check(d.get("greedy") in ("FIRST", "LONGEST") and kind == "matcher", d, "greedy", what,
                       "FIRST | LONGEST (matcher)")
            conf = d.get("confidence")
            self.check(isinstance(conf, (int, float)) and not isinstance(conf, bool) and 0 <= conf <= 1, d,
                       "confidence", what, "0 … 1")
            self.check(isinstance(d.get("require_keyword"), bool), d, "require_keyword", what, "true | false")
            self.check(d.get("negation") in NEGATION, d, "negation", what, " | ".join(NEGATION))
            out.append(rule)
        self.duplicates([(r.id, r.line) for r in out], tr("identifiant de règle", "rule id"))
        return out

    def pattern(self, rule: RuleDef, d: _Map, what: str) -> None:
        """One pattern, or a list of alternative patterns (all under the rule's id)."""
        pattern, line = d["pattern"], d.key_lines["pattern"]
        alternatives = [(p, ln) for p, ln in zip(pattern, pattern.item_lines)] \
            if isinstance(pattern, list) and all(isinstance(p, list) for p in pattern) else [(pattern, line)]
        names: set[str] = set()
        for alt, alt_line in alternatives:
            lines = getattr(alt, "item_lines", [])
            if rule.kind == "dependency":
                if not isinstance(alt, list):
                    return self.err(alt_line, "dep_node", what=what)
                for node, at in zip(alt, lines):
                    if not isinstance(node, dict) or not isinstance(node.get("RIGHT_ID"), str) \
                            or not isinstance(node.get("RIGHT_ATTRS"), dict) or set(node) - DEP_NODE_FIELDS:
                        return self.err(at, "dep_node", what=what)
                    try:    # node by node, so that spaCy's complaint gets the node's line
                        compile_rule(RuleDef(rule.id, "", "", "matcher", [_plain(node["RIGHT_ATTRS"])]), _vocab(), True)
                    except Exception as exc:
                        return self.spacy_error(exc, [], node.key_lines["RIGHT_ATTRS"], tr(
                            f"{what}, nœud « {node['RIGHT_ID']} »", f"{what}, node '{node['RIGHT_ID']}'"))
                names |= {node["RIGHT_ID"] for node in alt}
            try:
                compile_rule(RuleDef(rule.id, "", "", rule.kind, _plain(alt), extra=rule.extra), _vocab(), True)
            except Exception as exc:  # spaCy raises MatchPatternError, ValueError, KeyError…
                self.spacy_error(exc, lines if rule.kind == "matcher" else [], alt_line, what)
        allowed = sorted(names) if rule.kind == "dependency" else list(MATCHER_OBJECTS)
        self.check(rule.object is None or rule.object in allowed, d, "object", what, " | ".join(allowed + ["none"]))

    def spacy_error(self, exc: Exception, lines: list[int], line: int, what: str) -> None:
        details = [m for m in str(exc).splitlines() if m.startswith("- [")]
        for detail in details or [(str(exc).strip().splitlines() or [repr(exc)])[0]]:
            found = re.match(r"- \[pattern -> (\d+)", detail)
            index = int(found.group(1)) if found and lines else None
            at = lines[index] if index is not None and index < len(lines) else line
            token = tr(f" (jeton {index + 1})", f" (token {index + 1})") if index is not None else ""
            self.err(at, "spacy", what=what, key=token, value=detail.lstrip("- "))

    # -- gazetteer
    def gazetteer(self, value: Any, line: int, keys: set[str]) -> list[PlaceDef]:
        out: list[PlaceDef] = []
        first: dict[str, int] = {}
        for item_line, d in self.items(value, line, "gazetteer"):
            name = self.text(d, "name", tr("lieu", "place"), required=True)
            what = tr(f"lieu « {name} »", f"place '{name}'")
            self.unknown_fields(d, PLACE_FIELDS, what)
            code = self.text(d, "code", what, required=True)
            if code and code not in keys:
                self.err(d.key_lines["code"], "unknown_code", what=what, value=code)
            place = PlaceDef(name, code, self.texts(d, "variants", what), d.key_lines.get("name", item_line))
            for phrase in place.phrases():
                low = phrase.casefold()
                if low in first:
                    self.err(place.line, "dup_phrase", "warning", what=what, value=phrase, first=first[low])
                first.setdefault(low, place.line)
            out.append(place)
        return out

    # -- the document
    def codebook(self, data: Any, path: str | None) -> Codebook | None:
        if data is None:
            return self.err(None, "empty")
        if not isinstance(data, dict):
            return self.err(getattr(data, "line", 1), "not_mapping")
        doc = tr("document", "document")
        self.unknown_fields(data, TOP_FIELDS, doc, "error")
        if "format" not in data:
            self.err(1, "no_format", "warning", value=FORMAT)
        self.check(data.get("format") == FORMAT, data, "format", doc, FORMAT)
        name = self.text(data, "name", doc)
        if not name:
            name = Path(path).stem if path else "codebook"
            self.err(1, "no_name", "warning", value=name)
        language = self.text(data, "language", doc) or "fr"
        self.check(bool(re.fullmatch(r"[a-z]{2,3}", language)), data, "language", doc,
                   tr("code ISO (fr)", "ISO code (fr)"))
        if "codes" not in data:
            self.err(1, "missing", what=doc, key="codes")
        codes = self.codes(data.get("codes"), data.key_lines.get("codes", 1))
        self.keyword_overlaps(codes)
        keys = {c.key for c in codes}
        rules = self.rules(data.get("rules"), data.key_lines.get("rules", 1), keys)
        places = self.gazetteer(data.get("gazetteer"), data.key_lines.get("gazetteer", 1), keys)
        return Codebook(name, language, codes, rules, places, path, self.text(data, "description", doc))


_VOCAB = None


def _vocab():
    """A bare vocabulary: pattern validation needs no language data (spacy.blank("fr") takes ~6 s)."""
    global _VOCAB
    if _VOCAB is None:
        from spacy.vocab import Vocab
        _VOCAB = Vocab()
    return _VOCAB


def compile_rule(rule: RuleDef, vocab, validate: bool = False):
    """A spaCy ``Matcher`` (or ``DependencyMatcher``) holding this one rule under ``rule.id``."""
    from spacy.matcher import DependencyMatcher, Matcher
    patterns = rule.pattern if rule.pattern and all(isinstance(p, list) for p in rule.pattern) else [rule.pattern]
    if rule.kind == "dependency":
        matcher = DependencyMatcher(vocab, validate=validate)
        matcher.add(rule.id, patterns)
    else:
        matcher = Matcher(vocab, validate=validate)
        greedy = rule.extra.get("greedy")
        matcher.add(rule.id, patterns, greedy=greedy if greedy in ("FIRST", "LONGEST") else None)
    return matcher
