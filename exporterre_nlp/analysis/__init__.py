"""Figures the reports need: counts, specificities, quotes, skills ↔ needs, agreement.

Everything starts from a :class:`CodedCorpus` read once from the store
(:func:`load_coded_corpus`); the functions here compute, they never print.
"""
from __future__ import annotations

from .agreement import (CodeAgreement, PairAgreement, agreement, cohen_kappa, krippendorff_alpha,
                        krippendorff_by_code, known_raters)
from .corpus import CodedCorpus, CodeNode, Unit, load_coded_corpus, not_given, phase_label
from .coverage import Coverage, CoverageRow, coverage, coverage_rows, mark_covered, unmark_covered
from .counts import CodeFigures, ContingencyTable, code_figures, contingency, cooccurrences, select_codes
from .matching import DomainMatch, skills_needs
from .quotes import Quote, QuoteCandidate, candidates_for, select_quotes
from .specificity import (SpecificityTable, adjusted_residual, exclusive_rows, lafon_score, specificities,
                          table_specificities)

__all__ = [
    "CodeAgreement", "PairAgreement", "agreement", "cohen_kappa", "krippendorff_alpha", "krippendorff_by_code",
    "known_raters", "CodedCorpus", "CodeNode", "Unit", "load_coded_corpus", "not_given", "phase_label",
    "CodeFigures", "ContingencyTable", "code_figures", "contingency", "cooccurrences", "select_codes",
    "DomainMatch", "skills_needs", "Quote", "QuoteCandidate", "candidates_for", "select_quotes",
    "SpecificityTable", "adjusted_residual", "exclusive_rows", "lafon_score", "specificities",
    "table_specificities", "Coverage", "CoverageRow", "coverage", "coverage_rows", "mark_covered",
    "unmark_covered",
]
