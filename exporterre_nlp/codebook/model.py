"""Codebook records, format constants and the messages of the checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


from ..categories import CATEGORIES  # noqa: F401  (re-exported)
from ..errors import UnknownCodeError
from ..i18n import tr


FORMAT = "exporterre-codebook/1"
KINDS = ("matcher", "dependency")
MATCHER_OBJECTS = ("after", "before", "match")   # or none / null: a finding without object
KEY_RE = re.compile(r"^[a-z0-9_.-]+$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
TOP_FIELDS = ("format", "name", "language", "description", "codes", "rules", "gazetteer")
CODE_FIELDS = ("key", "label", "parent", "definition", "use_when", "not_when", "examples", "color",
               "tags", "keywords", "children")
TEXT_FIELDS = ("definition", "use_when", "not_when")
RULE_FIELDS = ("id", "category", "code", "kind", "pattern", "object", "description")
RULE_EXTRAS = ("examples", "counter_examples", "greedy", "confidence", "require_keyword", "negation")
NEGATION = ("exclude", "flag", "ignore")    # what nlp.extract does with a negated match
PLACE_FIELDS = ("name", "code", "variants")
DEP_NODE_FIELDS = {"RIGHT_ID", "RIGHT_ATTRS", "LEFT_ID", "REL_OP"}

_MSG = {  # message id -> (French, English), filled with str.format(**values)
    "yaml": ("syntaxe YAML invalide : {value}", "invalid YAML syntax: {value}"),
    "repeated": ("champ « {key} » répété (déjà ligne {first}) : seule la dernière valeur compterait",
                 "field '{key}' repeated (already line {first}): only the last value would count"),
    "yaml_key": ("clé YAML non valide (liste ou dictionnaire)", "invalid YAML key (a list or a mapping)"),
    "empty": ("le fichier est vide", "the file is empty"),
    "not_mapping": ("le document doit être un dictionnaire (format, name, codes…)",
                    "the document must be a mapping (format, name, codes…)"),
    "unknown_field": ("{what} : champ « {key} » inconnu (attendu : {expected})",
                      "{what}: unknown field '{key}' (expected: {expected})"),
    "bad_value": ("{what} : « {key} » vaut « {value} » ; attendu : {expected}",
                  "{what}: '{key}' is '{value}'; expected: {expected}"),
    "missing": ("{what} : champ « {key} » manquant", "{what}: missing field '{key}'"),
    "no_format": ("champ « format » absent : {value} supposé", "missing 'format': {value} assumed"),
    "no_name": ("champ « name » absent : « {value} » utilisé", "missing 'name': '{value}' used"),
    "not_text": ("{what} : « {key} » doit être un texte", "{what}: '{key}' must be a text"),
    "not_texts": ("{what} : « {key} » doit être une liste de textes", "{what}: '{key}' must be a list of texts"),
    "not_list": ("« {key} » doit être une liste", "'{key}' must be a list"),
    "not_item": ("chaque élément de « {key} » doit être un dictionnaire (champ: valeur)",
                 "each item of '{key}' must be a mapping (field: value)"),
    "duplicate": ("{what} « {key} » en double (lignes {first} et {second})",
                  "duplicate {what} '{key}' (lines {first} and {second})"),
    "unknown_parent": ("le parent « {value} » du code « {key} » n'existe pas",
                       "parent '{value}' of code '{key}' does not exist"),
    "nesting": ("{what} : parent « {value} » contredit l'imbrication sous « {expected} »",
                "{what}: parent '{value}' contradicts nesting under '{expected}'"),
    "cycle": ("cycle de parents autour du code « {key} »", "parent cycle around code '{key}'"),
    "prefix": ("la clé « {key} » suggère le parent « {expected} », mais son parent est « {value} »",
               "key '{key}' suggests parent '{expected}' but its parent is '{value}'"),
    "orphans": ("enfants d'un code sans clé valide : ignorés", "children of a code without a valid key: ignored"),
    "keyword_twice": ("mot-clé « {value} » à la fois dans « {expected} » et « {key} » : routage ambigu",
                      "keyword '{value}' in both '{expected}' and '{key}': ambiguous routing"),
    "unknown_code": ("{what} : code « {value} » absent du codebook", "{what}: code '{value}' is not in the codebook"),
    "no_pattern": ("{what} : motif (« pattern ») manquant ou vide", "{what}: missing or empty 'pattern'"),
    "dep_node": ("{what} : chaque nœud a RIGHT_ID (texte), RIGHT_ATTRS (dictionnaire) et seulement LEFT_ID, "
                 "REL_OP en plus", "{what}: each node has RIGHT_ID (text), RIGHT_ATTRS (mapping) and only "
                 "LEFT_ID, REL_OP besides"),
    "spacy": ("{what} : motif refusé par spaCy{key} : {value}", "{what}: pattern refused by spaCy{key}: {value}"),
    "dup_phrase": ("{what} : l'expression « {value} » figure déjà ligne {first}",
                   "{what}: phrase '{value}' already appears at line {first}"),
}


def _msg(mid: str, **values: Any) -> str:
    return tr(*_MSG[mid]).format(**values)


@dataclass
class CodeDef:
    key: str
    label: str
    parent: str | None = None
    definition: str = ""
    use_when: str = ""
    not_when: str = ""
    examples: list[str] = field(default_factory=list)
    color: str | None = None          # None: inherits the parent's (see Codebook.color)
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)


@dataclass
class RuleDef:
    id: str
    category: str
    code: str
    kind: str = "matcher"
    pattern: list = field(default_factory=list)
    object: str | None = None         # after | before | match | a dependency node | None
    description: str = ""
    line: int = field(default=0, compare=False)
    extra: dict = field(default_factory=dict)   # examples, counter_examples, greedy, confidence…


@dataclass
class PlaceDef:
    name: str
    code: str
    variants: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    def phrases(self) -> list[str]:
        return [self.name, *self.variants]


@dataclass
class Problem:
    line: int | None
    message: str
    severity: str = "error"           # error | warning
    path: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        sev = tr("erreur", "error") if self.severity == "error" else tr("avertissement", "warning")
        where = f"{self.path or tr('<texte>', '<text>')}:{self.line or '?'}"
        return f"{where}: " + tr(f"{sev} : ", f"{sev}: ") + self.message


@dataclass
class Codebook:
    name: str
    language: str = "fr"
    codes: list[CodeDef] = field(default_factory=list)
    rules: list[RuleDef] = field(default_factory=list)
    gazetteer: list[PlaceDef] = field(default_factory=list)
    path: str | None = field(default=None, compare=False)
    description: str = ""
    warnings: list[Problem] = field(default_factory=list, compare=False, repr=False)

    def _lookup(self) -> dict[str, CodeDef]:
        index = self.__dict__.get("_by_key")
        if index is None or len(index) != len(self.codes):
            index = self.__dict__["_by_key"] = {c.key: c for c in self.codes}
        return index

    def __contains__(self, key: object) -> bool:
        return key in self._lookup()

    def code(self, key: str) -> CodeDef:
        found = self._lookup().get(key)
        if found is None or found.key != key:           # stale index after an edit
            self.__dict__.pop("_by_key", None)
            found = self._lookup().get(key)
        if found is None:
            raise UnknownCodeError(
                tr(f"Code inconnu « {key} » dans le codebook « {self.name} ».",
                   f"Unknown code '{key}' in codebook '{self.name}'."),
                tr("Vérifiez la clé (ex. besoins.logement) ou ajoutez le code au codebook.",
                   "Check the key (e.g. besoins.logement) or add the code to the codebook."), path=self.path)
        return found

    def roots(self) -> list[CodeDef]:
        return [c for c in self.codes if c.parent is None]

    def children(self, key: str) -> list[CodeDef]:
        self.code(key)
        return [c for c in self.codes if c.parent == key]

    def ancestors(self, key: str) -> list[CodeDef]:
        """Parent first, root last."""
        out, parent = [], self.code(key).parent
        while parent is not None and len(out) < len(self.codes):
            out.append(self.code(parent))
            parent = out[-1].parent
        return out

    def descendants(self, key: str) -> list[CodeDef]:
        """Depth-first, file order."""
        return [d for c in self.children(key) for d in (c, *self.descendants(c.key))]

    def color(self, key: str) -> str | None:
        """The code's colour, or else its nearest ancestor's."""
        return next((c.color for c in [self.code(key), *self.ancestors(key)] if c.color), None)

    def tags(self) -> dict[str, list[str]]:
        """tag -> keys of the codes carrying it, in file order."""
        out: dict[str, list[str]] = {}
        for c in self.codes:
            for t in c.tags:
                out.setdefault(t, []).append(c.key)
        return out
