"""One comparison, ready for a shell: table, specificities, flags and exclusive codes together."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .corpus import DEFAULT_RULE, Disagreement, load_coded_corpus
from .counts import ContingencyTable, contingency
from .coverage import CoverageRow, coverage_rows
from .specificity import SpecificityTable, exclusive_rows, table_specificities


@dataclass(frozen=True)
class Comparison:
    table: ContingencyTable
    specificity: SpecificityTable
    exclusive: list[tuple[str, str, int]]          # codes present in one column only
    excluded_codings: int
    coverage: list[CoverageRow] = None             # covered / total per branch and column
    coverage_mode: str = "decisions"
    pending_not_counted: int = 0                   # suggestions awaiting review, left out
    uncovered_codings: int = 0                     # codings in documents not covered for their code
    rule: str = DEFAULT_RULE
    disagreements: list[Disagreement] = None

    def to_dict(self) -> dict[str, Any]:
        t, s = self.table, self.specificity
        rows = []
        for i, key in enumerate(t.rows):
            rows.append({
                "code": key, "label": t.labels[key], "depth": t.depth[key], "branch": t.branch[key],
                "counts": {c: (t.counts[i][j] if t.is_covered(i, j) else None) for j, c in enumerate(t.columns)},
                "covered_totals": dict(zip(t.columns, t.cell_totals[i])) if t.cell_totals else None,
                "total": t.row_totals[i],
                "expected": dict(zip(t.columns, s.expected[i])), "specificity": dict(zip(t.columns, s.scores[i])),
                "residual": dict(zip(t.columns, s.residuals[i])), "flag": dict(zip(t.columns, s.flags[i]))})
        return {
            "by": t.by, "unit": t.unit, "include_pending": t.include_pending, "threshold": s.threshold,
            "convention": "specificity = signed log10 of the hypergeometric tail probability (Lafon): "
                          "+ for P(X >= f) when f > expected, - for P(X <= f) when f < expected",
            "columns": t.columns, "column_labels": t.column_labels,
            "column_totals": dict(zip(t.columns, t.column_totals)), "total": t.total, "rows": rows,
            "flagged": [{"code": r, "column": c, "specificity": sc, "flag": f} for r, c, sc, f in s.flagged()],
            "exclusive": [{"code": r, "column": c, "count": n} for r, c, n in self.exclusive],
            "excluded_codings": self.excluded_codings,
            "coverage_mode": self.coverage_mode,
            "coverage": [r.__dict__ for r in self.coverage or []],
            "pending_not_counted": self.pending_not_counted,
            "uncovered_codings": self.uncovered_codings,
            "disagreement_rule": self.rule,
            "disagreements": [d.__dict__ for d in self.disagreements or []],
        }


def compare(store, by: str = "phase", *, unit: str = "participants", codes: Iterable[str] | str | None = None,
            include_pending: bool = False, include_interviewer: bool = False, threshold: float = 2.0,
            coders: Iterable[str] | None = None, machine: str = "machine", rule: str = DEFAULT_RULE) -> Comparison:
    """Codes × ``by`` in ``unit`` (participants by default), with Lafon specificities and χ² residuals,
    over the documents covered for each code."""
    corpus = load_coded_corpus(store, include_pending=include_pending, include_interviewer=include_interviewer,
                               coders=coders, machine=machine, rule=rule)
    table = contingency(corpus, by, unit=unit, codes=codes)
    spec = table_specificities(table, threshold=threshold)
    exclusive = exclusive_rows(table.rows, table.columns, table.counts, table.column_totals,
                               cell_totals=table.cell_totals)
    roots = list(dict.fromkeys(_root(corpus, k) for k in table.rows))
    return Comparison(table, spec, exclusive, corpus.excluded_codings, coverage_rows(corpus, by, roots),
                      corpus.coverage.mode, corpus.pending_not_counted, corpus.uncovered_codings, rule,
                      corpus.disagreements)


def _root(corpus, key: str) -> str:
    chain = [key, *corpus.ancestors(key)]
    return chain[-1]
