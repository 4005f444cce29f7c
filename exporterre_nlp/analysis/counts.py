"""Contingency tables: codes (and branches) × the values of an attribute.

Two units of count:

- ``segments``: a cell is the number of units (segments) of that column that
  carry the code; a column total is the number of units in the column, coded
  or not (so uncoded speech counts in the denominators);
- ``participants``: a cell is the number of voices (participants) who carry
  the code at least once in that column; a column total is the number of voices
  heard in the column. A voice heard in two columns counts in both.

Rows are the codes in codebook order; a branch row counts the units carrying
the branch code or any code below it (a unit is counted once per row).

**Coverage.** A row counts only over the documents covered for its code
(:mod:`.coverage`): ``cell_totals[i][j]`` is the number of units (or voices) of
column ``j`` in documents covered for row ``i``. A cell whose ``cell_totals`` is 0
is **not coded** (nobody coded that column for that code): shells show "non
codé", never 0, and specificities and "only in phase X" ignore it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import ExporterreError, UnknownCodeError
from ..i18n import tr
from .corpus import CodedCorpus, display_labels, phase_label

UNITS = ("segments", "participants")


@dataclass(frozen=True)
class ContingencyTable:
    by: str                                  # the attribute in columns
    unit: str                                # "segments" or "participants"
    rows: list[str]                          # code keys
    labels: dict[str, str]                   # code key -> label
    depth: dict[str, int]                    # ancestors of the code among the rows
    branch: dict[str, bool]
    columns: list[str]                       # attribute values
    counts: list[list[int]]                  # rows × columns
    column_totals: list[int]                 # units (or voices) in each column
    row_totals: list[int]                    # units (or voices) carrying the code, all columns
    total: int                               # units (or voices) in all
    include_pending: bool = False
    column_labels: list[str] = field(default_factory=list)
    cell_totals: list[list[int]] | None = None  # rows × columns: units (voices) covered for the row's code

    def cell(self, code: str, column: str) -> int | None:
        """The count of a cell, or None when the cell is not coded (no coverage)."""
        i, j = self.rows.index(code), self.columns.index(column)
        return self.counts[i][j] if self.is_covered(i, j) else None

    def is_covered(self, i: int, j: int) -> bool:
        return self.cell_totals is None or self.cell_totals[i][j] > 0

    def covered_total(self, i: int) -> int:
        """Units (voices) over which row ``i`` was counted."""
        return sum(self.cell_totals[i]) if self.cell_totals is not None else self.total

    def to_frame(self):
        """A pandas DataFrame (rows = code keys, columns = attribute values, plus total)."""
        import pandas as pd
        frame = pd.DataFrame(self.counts, index=self.rows, columns=self.columns)
        frame["total"] = self.row_totals
        return frame


def select_codes(corpus: CodedCorpus, branches: Iterable[str] | str | None) -> list[str]:
    """The rows of a table: every code, or the given branches and what lies below them."""
    if branches is None:
        return list(corpus.codes)
    if isinstance(branches, str):
        branches = [b.strip() for b in branches.split(",") if b.strip()]
    keys: dict[str, None] = {}
    for b in branches:
        if b not in corpus.codes:
            matches = [k for k, n in corpus.codes.items() if n.label.lower() == b.lower()]
            if len(matches) != 1:
                raise UnknownCodeError(
                    tr(f"Branche ou code inconnu : « {b} ».", f"Unknown branch or code: '{b}'."),
                    tr("Donnez la clé d'un code du livre de codes (par ex. la racine « besoins ») ; "
                       "« exporterre codebook show » les liste.",
                       "Give the key of a codebook code (e.g. the root 'besoins'); "
                       "'exporterre codebook show' lists them."))
            b = matches[0]
        keys.update(dict.fromkeys(corpus.descendants(b)))
    order = {k: i for i, k in enumerate(corpus.codes)}
    return sorted(keys, key=order.__getitem__)


def contingency(corpus: CodedCorpus, by: str = "phase", *, unit: str = "segments",
                codes: Iterable[str] | str | None = None) -> ContingencyTable:
    """Code × attribute table in segments or in participants (see module doc)."""
    if unit not in UNITS:
        raise ExporterreError(tr(f"Unité inconnue : « {unit} ».", f"Unknown unit: '{unit}'."),
                              tr("Choisissez segments ou participants.", "Choose segments or participants."))
    names = corpus.attribute_names()
    if by not in names:
        raise ExporterreError(
            tr(f"Attribut inconnu : « {by} ».", f"Unknown attribute: '{by}'."),
            tr(f"Attributs possibles dans ce projet : {', '.join(names)}.",
               f"Attributes available in this project: {', '.join(names)}."))
    rows = select_codes(corpus, codes)
    columns = corpus.values(by)
    col_index = {v: j for j, v in enumerate(columns)}
    row_index = {k: i for i, k in enumerate(rows)}
    counts = [[0] * len(columns) for _ in rows]
    cover = corpus.coverage
    # rows covered over the same documents share their column totals
    doc_sets: dict[frozenset[int] | None, list[int]] = defaultdict(list)
    for i, k in enumerate(rows):
        doc_sets[cover.documents(k) if cover is not None else None].append(i)
    cell_totals: list[list[int]] = [[0] * len(columns) for _ in rows]
    if unit == "segments":
        column_totals = [0] * len(columns)
        row_totals = [0] * len(rows)
        per_set = {ds: [0] * len(columns) for ds in doc_sets}
        for u in corpus.units:
            j = col_index[corpus.attribute(u, by)]
            column_totals[j] += 1
            for ds, tot in per_set.items():
                if ds is None or u.document_id in ds:
                    tot[j] += 1
            for k in corpus.rolled(u.segment_id):
                i = row_index.get(k)
                if i is not None:
                    counts[i][j] += 1
                    row_totals[i] += 1
        total = len(corpus.units)
    else:
        voices: dict[int, set[str]] = defaultdict(set)              # column -> voices
        set_voices = {ds: defaultdict(set) for ds in doc_sets}
        carriers: dict[tuple[int, int], set[str]] = defaultdict(set)  # (row, column) -> voices
        for u in corpus.units:
            j = col_index[corpus.attribute(u, by)]
            voices[j].add(u.voice)
            for ds, vs in set_voices.items():
                if ds is None or u.document_id in ds:
                    vs[j].add(u.voice)
            for k in corpus.rolled(u.segment_id):
                i = row_index.get(k)
                if i is not None:
                    carriers[(i, j)].add(u.voice)
        for (i, j), vs in carriers.items():
            counts[i][j] = len(vs)
        column_totals = [len(voices[j]) for j in range(len(columns))]
        row_totals = [sum(r) for r in counts]
        total = sum(column_totals)
        per_set = {ds: [len(vs[j]) for j in range(len(columns))] for ds, vs in set_voices.items()}
    for ds, idx in doc_sets.items():
        for i in idx:
            cell_totals[i] = list(per_set[ds])
    shown_labels = display_labels(corpus)
    labels = {k: shown_labels[k] for k in rows}
    shown = set(rows)
    depth = {k: sum(1 for a in corpus.ancestors(k) if a in shown) for k in rows}   # indentation in the table
    return ContingencyTable(
        by=by, unit=unit, rows=rows, labels=labels, depth=depth,
        branch={k: corpus.codes[k].is_branch for k in rows}, columns=columns, counts=counts,
        column_totals=column_totals, row_totals=row_totals, total=total, include_pending=corpus.include_pending,
        column_labels=[phase_label(c) if by == "phase" else c for c in columns], cell_totals=cell_totals)


@dataclass(frozen=True)
class CodeFigures:
    """How often a code (or branch) is present, overall and by phase and lieu."""
    key: str
    segments: int
    documents: int
    participants: int
    codings: int
    by_phase: dict[str, dict[str, int]]      # phase -> {segments, documents, participants}
    by_lieu: dict[str, int]                  # lieu -> segments


def code_figures(corpus: CodedCorpus, key: str) -> CodeFigures:
    units = corpus.units_with(key)
    phases: dict[str, dict[str, set]] = {str(p): {"segments": set(), "documents": set(), "participants": set()}
                                         for p in sorted({u.phase for u in corpus.units} | {1, 2, 3})}
    lieux: dict[str, int] = defaultdict(int)
    for u in units:
        p = phases[str(u.phase)]
        p["segments"].add(u.segment_id)
        p["documents"].add(u.document_id)
        p["participants"].add(u.voice)
        lieux[corpus.attribute(u, "lieu")] += 1
    return CodeFigures(
        key=key, segments=len(units), documents=len({u.document_id for u in units}),
        participants=len({u.voice for u in units}), codings=len(corpus.codings_of(key)),
        by_phase={p: {k: len(v) for k, v in d.items()} for p, d in phases.items()},
        by_lieu=dict(sorted(lieux.items(), key=lambda kv: (-kv[1], kv[0]))))


def cooccurrences(corpus: CodedCorpus, key: str, *, limit: int = 5) -> list[tuple[str, int]]:
    """Codes most often carried by the same units as ``key`` (not its own branch)."""
    own = set(corpus.descendants(key)) | set(corpus.ancestors(key))
    counter: dict[str, int] = defaultdict(int)
    for u in corpus.units_with(key):
        for k in corpus.direct.get(u.segment_id, ()):
            if k not in own:
                counter[k] += 1
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], list(corpus.codes).index(kv[0])))
    return ranked[:limit]
