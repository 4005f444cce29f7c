"""Coverage: which documents have been coded, for which codes — the denominators of every count.

A count of a code in a phase means something only over the documents somebody
coded *for that code*: a phase nobody has read is "not coded", not "absent".

**Where coverage comes from** (:func:`load_coverage`):

- ``marks`` — the project has coverage marks (``exporterre coverage mark``, or the
  coding screen's key): a document is covered for code K when a coder marked it
  for K or for a branch above K; a branch is also covered when all of its
  children are. Once a project has marks, only marks count (nothing is guessed).
- ``decisions`` — the project has no mark at all: a document is covered for a
  whole branch of the codebook (a root code and everything below it) by a coder
  who made at least one decision in that branch in that document (a manual coding,
  an accepted or a rejected suggestion). Having coded one need in an interview is
  taken as having read the interview for needs. The report says which rule was used.

Pending machine suggestions never make a document covered: the machine suggests
everywhere, so its silence on a document proves nothing about what people said.
With ``--include-pending``, pending suggestions count only in covered documents.

Public API for shells (the TUI key, the CLI): :func:`mark_covered`,
:func:`unmark_covered`, :func:`coverage`, :func:`coverage_summary`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import ExporterreError
from ..i18n import tr

MODES = ("marks", "decisions")


@dataclass(frozen=True)
class Coverage:
    """Which documents are covered for which code (branch roll-up applied)."""
    mode: str                                        # "marks" or "decisions"
    covered: dict[str, frozenset[int]]               # code key -> documents covered for it
    by_coder: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)   # coder -> code -> documents
    bulk_marks: int = 0                              # marks written in bulk (not by reading)
    marks: int = 0

    def covers(self, document_id: int, key: str) -> bool:
        return document_id in self.covered.get(key, frozenset())

    def documents(self, key: str) -> frozenset[int]:
        return self.covered.get(key, frozenset())

    def coders_covering(self, document_id: int, key: str) -> list[str]:
        return sorted(c for c, keys in self.by_coder.items() if document_id in keys.get(key, frozenset()))

    @property
    def any(self) -> bool:
        return any(self.covered.values())


def _parents(codes) -> dict[str, str | None]:
    return {k: n.parent for k, n in codes.items()}


def _root(parents: dict[str, str | None], key: str) -> str:
    while parents.get(key) is not None:
        key = parents[key]
    return key


def _roll(codes, direct: dict[str, set[int]]) -> dict[str, frozenset[int]]:
    """Marks on a code cover everything below it; a branch is covered where all its children are."""
    out: dict[str, set[int]] = {k: set(direct.get(k, ())) for k in codes}
    for key, node in codes.items():                  # parents come before children: push marks down
        if node.parent is not None:
            out[key] |= out[node.parent]
    for key in reversed(list(codes)):                # then pull complete children up
        node = codes[key]
        if node.children:
            common = set.intersection(*(out[c] for c in node.children))
            out[key] |= common
    return {k: frozenset(v) for k, v in out.items()}


def load_coverage(store, codes, *, coders: Iterable[str] | None = None, machine: str = "machine") -> Coverage:
    """The coverage of a project (see module doc); ``codes`` are the corpus's code nodes."""
    coders = list(coders) if coders is not None else None
    marks = store.coverage_marks(coders=coders)
    per_coder: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    if store.coverage_marks():                        # any mark in the project: marks only
        mode = "marks"
        for m in marks:
            if m.code_key in codes:
                per_coder[m.coder][m.code_key].add(m.document_id)
    else:
        mode = "decisions"
        parents = _parents(codes)
        for document_id, key, coder in store.decision_codes(coders=coders, machine=machine):
            if key in codes:
                per_coder[coder][_root(parents, key)].add(document_id)
    by_coder = {c: _roll(codes, direct) for c, direct in per_coder.items()}
    covered = {k: frozenset().union(*(bc[k] for bc in by_coder.values())) if by_coder else frozenset()
               for k in codes}
    return Coverage(mode, covered, by_coder, sum(m.origin == "bulk" for m in marks), len(marks))


# ------------------------------------------------------------------ shell API
def _documents(store, documents: Iterable[int | str] | None, phase: int | None = None) -> list[int]:
    facts = store.document_facts()
    if documents is None:
        return [d.id for d in facts if phase is None or d.phase == phase]
    by_name = {d.name: d.id for d in facts}
    ids = {d.id for d in facts}
    out = []
    for d in documents:
        if isinstance(d, int) or (isinstance(d, str) and d.isdigit() and int(d) in ids and d not in by_name):
            out.append(int(d))
        elif d in by_name:
            out.append(by_name[d])
        else:
            raise ExporterreError(tr(f"Document inconnu : « {d} ».", f"Unknown document: '{d}'."),
                                  tr("« exporterre status » liste les documents du projet (nom ou numéro).",
                                     "'exporterre status' lists the project's documents (name or number)."))
    return out


def _branches(store, branches: Iterable[str] | None) -> list[str]:
    codes = store.list_codes()
    if branches is None:
        ids = {c.id for c in codes}
        return [c.key for c in codes if c.parent_id not in ids]           # every root of the codebook
    keys = {c.key for c in codes}
    labels = {c.label.lower(): c.key for c in codes}
    out = []
    for b in branches:
        if b in keys:
            out.append(b)
        elif b.lower() in labels:
            out.append(labels[b.lower()])
        else:
            raise ExporterreError(tr(f"Branche ou code inconnu : « {b} ».", f"Unknown branch or code: '{b}'."),
                                  tr("Donnez la clé d'un code (par ex. la racine « besoins ») ; « exporterre codebook "
                                     "show » les liste.", "Give a code key (e.g. the root 'besoins'); 'exporterre "
                                     "codebook show' lists them."))
    return out


def mark_covered(store, coder: str, documents: Iterable[int | str] | None = None,
                 branches: Iterable[str] | None = None, *, phase: int | None = None, bulk: bool = False) -> int:
    """Mark documents (ids or names; None = every document, or every document of ``phase``) as coded by
    ``coder`` for ``branches`` (code keys or labels; None = every root branch). Returns the marks added.
    ``bulk`` records that the marks were not made by reading (the report says so)."""
    return store.mark_coverage(coder, _documents(store, documents, phase), _branches(store, branches),
                               origin="bulk" if bulk else "human")


def unmark_covered(store, coder: str, documents: Iterable[int | str] | None = None,
                   branches: Iterable[str] | None = None, *, phase: int | None = None) -> int:
    """Remove ``coder``'s coverage marks (on ``branches``, or all of them). Returns the marks removed."""
    return store.unmark_coverage(coder, _documents(store, documents, phase),
                                 _branches(store, branches) if branches is not None else None)


def coverage(store, *, coders: Iterable[str] | None = None, machine: str = "machine") -> Coverage:
    """The project's coverage (marks, or derived from decisions when there is no mark)."""
    from .corpus import build_code_nodes
    return load_coverage(store, build_code_nodes(store.list_codes()), coders=coders, machine=machine)


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one branch in one column (a phase): covered / total."""
    branch: str
    column: str
    documents: int
    documents_total: int
    words: int
    words_total: int
    participants: int
    participants_total: int


def coverage_rows(corpus, by: str = "phase", branches: Iterable[str] | None = None) -> list[CoverageRow]:
    """Documents, words and participants covered / total, per root branch and per value of ``by``,
    over the corpus's units of analysis."""
    roots = list(branches) if branches is not None else [k for k, n in corpus.codes.items() if n.parent is None]
    columns = corpus.values(by)
    by_column: dict[str, list] = defaultdict(list)
    for u in corpus.units:
        by_column[corpus.attribute(u, by)].append(u)
    out = []
    for root in roots:
        docs = corpus.coverage.documents(root) if corpus.coverage is not None else frozenset()
        for col in columns:
            units = by_column[col]
            cov = [u for u in units if u.document_id in docs]
            out.append(CoverageRow(root, col, len({u.document_id for u in cov}), len({u.document_id for u in units}),
                                   sum(len(u.text.split()) for u in cov), sum(len(u.text.split()) for u in units),
                                   len({u.voice for u in cov}), len({u.voice for u in units})))
    return out
