"""What a report is made of: the figures (:class:`ReportData`) and the page (sections of blocks).

The figures are computed once (``report.builder``); the page is written once in
words (``report.layout``); Markdown and HTML only render blocks, CSV/XLSX only
write tables. So every format says the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from ..analysis.agreement import PairAgreement
from ..analysis.corpus import Disagreement
from ..analysis.counts import CodeFigures, ContingencyTable
from ..analysis.coverage import CoverageRow
from ..analysis.lexicon import TopLemma
from ..analysis.matching import DomainMatch
from ..analysis.quotes import Quote
from ..analysis.specificity import SpecificityTable


# --- tables ------------------------------------------------------------------------
@dataclass
class Table:
    """A table of the report: rendered in the page and written as CSV and as an XLSX sheet."""
    name: str                                  # file stem and sheet name, e.g. "codes_par_phase"
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


# --- page blocks ---------------------------------------------------------------------
@dataclass
class Paragraph:
    text: str


@dataclass
class Note:
    """A highlighted remark (e.g. "pending suggestions are included")."""
    text: str
    kind: str = "info"                         # info | warning


@dataclass
class Bullets:
    items: list[str]


@dataclass
class TableBlock:
    table: Table
    limit: int | None = None                   # rows shown in the page (all in CSV/XLSX)


@dataclass
class QuoteBlock:
    quote: Quote
    reference: str                             # "document · locuteur · phase · lieu · segment n, car. a–b"


@dataclass
class Image:
    name: str                                  # file name under graphiques/
    alt: str


@dataclass
class Heading:
    text: str
    level: int = 3


Block = Union[Paragraph, Note, Bullets, TableBlock, QuoteBlock, Image, Heading]


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)


# --- figures -------------------------------------------------------------------------
@dataclass
class CodeSheet:
    key: str
    label: str
    definition: str | None
    depth: int
    is_branch: bool
    parent: str | None
    figures: CodeFigures
    lemmas: list[TopLemma]
    quotes: list[Quote]
    cooccurring: list[tuple[str, str, int]]            # key, label, shared segments
    themes: list[tuple[int, str, int]]                 # theme id, label, shared segments
    scores: dict[str, float]                           # phase -> specificity score
    flags: dict[str, str]                              # phase -> "+", "-" or ""
    covered: dict[str, bool] = field(default_factory=dict)   # phase -> some document covered for this code


@dataclass
class ThemeSheet:
    id: int
    label: str
    size: int
    words: list[str]
    by_phase: dict[str, int]
    scores: dict[str, float]
    flags: dict[str, str]
    quotes: list[Quote]
    codes: list[tuple[str, str, float]]                # code key, label, crosswalk score
    shared: list[tuple[str, str, int]]                 # code key, label, segments with both
    documents: int = 0
    participants: int = 0                              # distinct voices among the report's units
    by_lieu: dict[str, int] = field(default_factory=dict)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)   # code key -> (accepted|rejected, coder)


@dataclass
class ExtractionRow:
    category: str
    phase: str
    pending: int
    accepted: int
    rejected: int
    top_objects: list[tuple[str, int]]


@dataclass
class ReportData:
    title: str
    language: str
    include_pending: bool
    include_interviewer: bool
    corpus: dict[str, Any]                             # documents, segments, words, voices per phase
    phase_table: ContingencyTable
    phase_specificity: SpecificityTable
    phase_participants: ContingencyTable
    lieu_table: ContingencyTable
    lieu_specificity: SpecificityTable
    exclusive_codes: list[tuple[str, str, int]]        # code, phase, segments
    code_sheets: list[CodeSheet]
    uncoded: list[str]                                 # code keys with no counted coding (covered somewhere)
    lemma_specificity: SpecificityTable | None
    matching: list[DomainMatch]
    extraction: list[ExtractionRow]
    agreement: list[PairAgreement]
    theme_run: int | None
    theme_status: str                                  # why there are no themes, when there are none
    themes: list[ThemeSheet]
    theme_specificity: SpecificityTable | None
    exclusive_themes: list[tuple[str, str, int]]
    outlier_share: float | None
    excluded_codings: int
    counted_codings: int
    code_labels: dict[str, str]
    manifest: dict[str, Any] = field(default_factory=dict)
    theme_method: str = ""                             # the theme run's embeddings and seed (report.themes.run_method)
    pseudo: dict[str, Any] | None = None               # pseudonymisation summary (None: stored text shown)
    unit: str = "participants"                         # unit of "marked differences" and code sheets' flags
    phase_participants_specificity: SpecificityTable | None = None
    coverage: list[CoverageRow] = field(default_factory=list)
    coverage_mode: str = "decisions"                   # "marks" or "decisions" (analysis.coverage)
    coverage_marks: int = 0
    bulk_marks: int = 0                                # coverage marks made in bulk (not by reading)
    pending_not_counted: int = 0                       # machine suggestions awaiting review, left out
    uncovered_codings: int = 0                         # codings in documents not covered for their code
    rule: str = "no-rejection"                         # disagreement rule (analysis.corpus.RULES)
    disagreements: list[Disagreement] = field(default_factory=list)
    vetoed_codings: int = 0
    document_names: dict[int, str] = field(default_factory=dict)
    coders: list[str] = field(default_factory=list)    # coders whose coverage counts
    not_covered: list[str] = field(default_factory=list)   # code keys covered in no document
    machine_suggestions: int = 0                       # suggestions the machine made (decided or not)

    @property
    def chosen_table(self) -> ContingencyTable:
        return self.phase_participants if self.unit == "participants" else self.phase_table

    @property
    def chosen_specificity(self) -> SpecificityTable:
        return (self.phase_participants_specificity if self.unit == "participants"
                and self.phase_participants_specificity is not None else self.phase_specificity)
