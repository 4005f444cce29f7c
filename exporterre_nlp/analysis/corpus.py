"""The coded corpus: units of analysis (segments) and the codes that count on them.

Everything the report and the comparison compute starts from a
:class:`CodedCorpus`, built once from the store by :func:`load_coded_corpus`:

- a **unit** is a segment (speaker turn, subtitle cue or field-note paragraph)
  spoken by anyone but the interviewer (interviewer turns are left out unless
  asked: they would dilute the phases with many questions); in a transcript,
  paragraphs without a speaker (headers, context notes) are not units, while in
  field notes without any speaker every paragraph is one;
- a unit **carries** a code when a counted coding of that code overlaps it;
  it carries a **branch** of the codebook when it carries the branch code or
  any code below it (roll-up);
- counted codings are human decisions (``manual`` and ``accepted``) by default;
  with ``include_pending`` the machine suggestions nobody has decided on yet
  are added (and every output says so);
- a coding counts only in a document **covered** for its code
  (:mod:`.coverage`): elsewhere nobody has coded, and a count there would
  read as an absence;
- where coders decided differently on one suggestion (one accepted, another
  rejected), the **disagreement rule** decides (:data:`RULES`, default
  ``no-rejection``: an acceptance counts when no coder who covered the document
  rejected it); every such case is kept in ``disagreements``;
- a **voice** is who speaks in a unit: the participant's pseudonymous key when
  the store knows it, else ``document/speaker label``, else the document
  (unattributed field notes). Voices are what "participants" counts.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..errors import ExporterreError
from ..i18n import tr
from ..records import PHASE_NAMES
from ..store.reports import CountedCoding, DocumentFacts
from .coverage import Coverage, load_coverage

NON_INTERVIEWER_ROLES = ("resident", "relais", "other")
BUILTIN_ATTRIBUTES = ("phase", "lieu", "document", "role", "speaker")
# How a suggestion accepted by one coder and rejected by another counts:
RULES = ("no-rejection",   # counts when no coder who covered the document rejected it (default)
         "any",            # counts when any coder accepted it (the union)
         "majority")       # counts when more coders accepted it than rejected it
DEFAULT_RULE = "no-rejection"


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise ExporterreError(tr(f"Règle de désaccord inconnue : « {rule} ».", f"Unknown disagreement rule: '{rule}'."),
                              tr(f"Choisissez parmi : {', '.join(RULES)}.", f"Choose among: {', '.join(RULES)}."))
    return rule


@dataclass(frozen=True)
class Disagreement:
    """A machine suggestion some coders accepted and others rejected."""
    suggestion_id: int
    document_id: int
    start: int
    end: int
    code_key: str
    accepted_by: tuple[str, ...]
    rejected_by: tuple[str, ...]
    counted: bool                                     # under the rule in force


def not_given() -> str:
    return tr("(non renseigné)", "(not given)")


def phase_label(phase: int | str) -> str:
    name = PHASE_NAMES.get(int(phase), "")
    return f"{phase} — {name}" if name else str(phase)


@dataclass(frozen=True)
class Unit:
    """One segment of the corpus with its context and its words."""
    segment_id: int
    document_id: int
    document: str
    phase: int
    lieu: str | None
    position: int
    start: int
    end: int
    speaker: str | None
    role: str | None
    participant: str | None
    voice: str
    text: str


@dataclass(frozen=True)
class CodeNode:
    key: str
    label: str
    parent: str | None
    depth: int
    definition: str | None
    attributes: dict[str, Any]
    children: tuple[str, ...]

    @property
    def is_branch(self) -> bool:
        return bool(self.children)

    @property
    def tags(self) -> list[str]:
        return list(self.attributes.get("tags") or [])


@dataclass
class CodedCorpus:
    units: list[Unit]
    codes: dict[str, CodeNode]                       # codebook order, parents before children
    direct: dict[int, frozenset[str]]                # segment id -> codes applied on it
    codings: list[CountedCoding]                     # counted codings that fall on units
    documents: dict[int, DocumentFacts]
    participants: dict[str, dict[str, Any]]          # participant key -> attributes
    include_pending: bool = False
    coders: list[str] | None = None
    excluded_codings: int = 0                        # counted codings outside every unit
    coverage: Coverage | None = None
    uncovered_codings: int = 0                       # codings in documents not covered for their code
    pending_not_counted: int = 0                     # machine suggestions awaiting review, left out
    rule: str = DEFAULT_RULE
    disagreements: list[Disagreement] = field(default_factory=list)
    vetoed_codings: int = 0                          # acceptances left out by the disagreement rule
    coding_units: dict[int, tuple[int, ...]] = field(default_factory=dict)   # coding id -> segment ids
    _rolled: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    # -- codes -------------------------------------------------------------------
    def descendants(self, key: str) -> list[str]:
        """``key`` and every code below it, in codebook order."""
        out, stack = [], [key]
        while stack:
            k = stack.pop()
            out.append(k)
            stack.extend(reversed(self.codes[k].children))
        order = {k: i for i, k in enumerate(self.codes)}
        return sorted(out, key=order.__getitem__)

    def ancestors(self, key: str) -> list[str]:
        out, node = [], self.codes.get(key)
        while node is not None and node.parent is not None:
            out.append(node.parent)
            node = self.codes.get(node.parent)
        return out

    def rolled(self, segment_id: int) -> frozenset[str]:
        """Codes a unit carries, branches included."""
        if segment_id not in self._rolled:
            keys = set(self.direct.get(segment_id, ()))
            for k in list(keys):
                keys.update(self.ancestors(k))
            self._rolled[segment_id] = frozenset(keys)
        return self._rolled[segment_id]

    def units_with(self, key: str) -> list[Unit]:
        return [u for u in self.units if key in self.rolled(u.segment_id)]

    def codings_of(self, key: str) -> list[CountedCoding]:
        """Counted codings of ``key`` or of any code below it."""
        keys = set(self.descendants(key))
        return [c for c in self.codings if c.code_key in keys]

    # -- attributes ---------------------------------------------------------------
    def attribute(self, unit: Unit, name: str) -> str:
        """The value of an attribute for a unit: phase, lieu, document, role,
        speaker, or any participant attribute (then document attribute)."""
        if name == "phase":
            return str(unit.phase)
        if name == "lieu":
            return unit.lieu or not_given()
        if name == "document":
            return unit.document
        if name == "role":
            return unit.role or not_given()
        if name == "speaker":
            return unit.speaker or not_given()
        value = None
        if unit.participant is not None:
            value = self.participants.get(unit.participant, {}).get(name)
        if value is None:
            doc_attrs = self.documents[unit.document_id].attributes
            value = doc_attrs.get(name)
            # a document with several participants holds "F;H"-style cells: they say nothing about a
            # segment nobody in particular speaks
            if isinstance(value, str) and ";" in value and len(doc_attrs.get("participants") or []) > 1:
                value = None
        if value is None or value == "":
            return not_given()
        return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)

    def attribute_names(self) -> list[str]:
        """Every attribute a comparison can use, built-ins first."""
        names: dict[str, None] = dict.fromkeys(BUILTIN_ATTRIBUTES)
        for attrs in self.participants.values():
            names.update(dict.fromkeys(attrs))
        for doc in self.documents.values():
            names.update(dict.fromkeys(doc.attributes))
        return list(names)

    def values(self, name: str) -> list[str]:
        """The values an attribute takes over the units, in a stable order
        (phases by number, other values alphabetically, "not given" last)."""
        seen = {self.attribute(u, name) for u in self.units}
        missing = not_given()
        if name == "phase":
            return sorted(seen, key=int)
        return sorted(v for v in seen if v != missing) + ([missing] if missing in seen else [])


def display_labels(corpus: CodedCorpus) -> dict[str, str]:
    """Code labels for people, with their parent's label where two codes share one: "Lieux de culte (Lieux)"."""
    seen: dict[str, int] = defaultdict(int)
    for n in corpus.codes.values():
        seen[n.label.strip().lower()] += 1
    out = {}
    for k, n in corpus.codes.items():
        parent = corpus.codes.get(n.parent) if n.parent else None
        out[k] = f"{n.label} ({parent.label})" if seen[n.label.strip().lower()] > 1 and parent else n.label
    return out


def build_code_nodes(codes: Iterable) -> dict[str, CodeNode]:
    """Store codes (records.Code) → code tree nodes keyed by code key, parents first."""
    codes = list(codes)
    by_id = {c.id: c for c in codes}
    children: dict[int | None, list] = defaultdict(list)
    for c in codes:
        children[c.parent_id if c.parent_id in by_id else None].append(c)
    out: dict[str, CodeNode] = {}

    def visit(parent_id: int | None, depth: int) -> None:
        for c in sorted(children.get(parent_id, []), key=lambda x: (x.position, x.id)):
            kids = tuple(k.key for k in sorted(children.get(c.id, []), key=lambda x: (x.position, x.id)))
            parent = by_id[c.parent_id].key if c.parent_id in by_id else None
            out[c.key] = CodeNode(c.key, c.label, parent, depth, c.definition, dict(c.attributes or {}), kids)
            visit(c.id, depth + 1)
    visit(None, 0)
    return out


def _voice(document: str, participant: str | None, speaker: str | None) -> str:
    if participant:
        return participant
    return f"{document}/{speaker}" if speaker else document


def _apply_rule(counted: list[CountedCoding], decisions, cover: Coverage, rule: str
                ) -> tuple[list[CountedCoding], list[Disagreement], int]:
    """Counted codings under the disagreement rule, the disagreements, and how many acceptances were left out."""
    by_suggestion: dict[int, list] = defaultdict(list)
    for d in decisions:
        by_suggestion[d[0]].append(d)
    out: list[Disagreement] = []
    vetoed_codes: dict[int, set[str]] = {}
    for sid, ds in by_suggestion.items():
        for key in {d[4] for d in ds if d[6] == "accepted"}:
            accepted = tuple(sorted({d[5] for d in ds if d[6] == "accepted" and d[4] == key}))
            rejected = tuple(sorted({d[5] for d in ds if d[6] == "rejected" and d[4] == key}))
            if not rejected:
                continue
            doc = ds[0][1]
            if rule == "any":
                counts = True
            elif rule == "majority":
                counts = len(accepted) > len(rejected)
            else:
                covering = set(cover.coders_covering(doc, key))
                counts = not (set(rejected) & covering)
            out.append(Disagreement(sid, doc, ds[0][2], ds[0][3], key, accepted, rejected, counts))
            if not counts:
                vetoed_codes.setdefault(sid, set()).add(key)
    kept = [c for c in counted if not (c.source_id in vetoed_codes and c.code_key in vetoed_codes[c.source_id]
                                       and c.status == "accepted")]
    return kept, sorted(out, key=lambda d: (d.document_id, d.start, d.code_key)), len(counted) - len(kept)


def load_coded_corpus(store, *, include_pending: bool = False, coders: Iterable[str] | None = None,
                      include_interviewer: bool = False, machine: str = "machine",
                      rule: str = DEFAULT_RULE) -> CodedCorpus:
    """Read units, codes and counted codings from the store (one consistent snapshot)."""
    coders = list(coders) if coders is not None else None
    check_rule(rule)
    with store.snapshot():
        everything = store.segment_views()
        codes = build_code_nodes(store.list_codes())
        counted = store.counted_codings(include_pending=include_pending, coders=coders, machine=machine)
        documents = {d.id: d for d in store.document_facts()}
        participants = {p.key: dict(p.attributes) for p in store.list_participants()}
        cover = load_coverage(store, codes, coders=coders, machine=machine)
        decisions = store.suggestion_decisions(coders=coders)
        pending_all = 0 if include_pending else len(store.counted_codings(include_pending=True, coders=[],
                                                                          machine=machine))
    counted, disagreements, vetoed = _apply_rule(counted, decisions, cover, rule)
    uncovered = [c for c in counted if c.code_key in codes and not cover.covers(c.document_id, c.code_key)]
    counted = [c for c in counted if not (c.code_key in codes and not cover.covers(c.document_id, c.code_key))]
    # In a transcript (a document with speaker turns), a paragraph without a speaker is a header or a
    # context note (date, place, who is present), not speech: it is left out. In field notes (no speaker
    # at all), the paragraphs are the material.
    transcripts = {v.document_id for v in everything if v.speaker is not None}
    views = [v for v in everything
             if (v.speaker is None and v.document_id not in transcripts)
             or (v.speaker is not None and (include_interviewer or v.role in NON_INTERVIEWER_ROLES))]
    units = [Unit(v.segment_id, v.document_id, v.document, v.phase, v.lieu, v.position, v.start, v.end,
                  v.speaker, v.role, v.participant, _voice(v.document, v.participant, v.speaker), v.text)
             for v in views]
    by_doc: dict[int, list[Unit]] = defaultdict(list)
    for u in units:
        by_doc[u.document_id].append(u)
    starts = {d: [u.start for u in us] for d, us in by_doc.items()}
    direct: dict[int, set[str]] = defaultdict(set)
    kept: list[CountedCoding] = []
    coding_units: dict[int, tuple[int, ...]] = {}
    excluded = 0
    for c in counted:
        doc_units = by_doc.get(c.document_id, [])
        # units overlapping [start, end): from the last unit starting at or before `start`
        i = max(bisect.bisect_right(starts.get(c.document_id, []), c.start) - 1, 0)
        hits = []
        while i < len(doc_units) and doc_units[i].start < c.end:
            if doc_units[i].end > c.start:
                hits.append(doc_units[i].segment_id)
            i += 1
        if not hits or c.code_key not in codes:
            excluded += 1
            continue
        kept.append(c)
        coding_units[c.id] = tuple(hits)
        for sid in hits:
            direct[sid].add(c.code_key)
    return CodedCorpus(units=units, codes=codes, direct={k: frozenset(v) for k, v in direct.items()},
                       codings=kept, documents=documents, participants=participants,
                       include_pending=include_pending, coders=coders, excluded_codings=excluded,
                       coding_units=coding_units, coverage=cover, uncovered_codings=len(uncovered),
                       pending_not_counted=pending_all, rule=rule, disagreements=disagreements,
                       vetoed_codings=vetoed)
