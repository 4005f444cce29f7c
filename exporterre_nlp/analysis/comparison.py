"""One comparison, ready for a shell: table, specificities, flags and exclusive codes together."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .corpus import load_coded_corpus
from .counts import ContingencyTable, contingency
from .specificity import SpecificityTable, exclusive_rows, table_specificities


@dataclass(frozen=True)
class Comparison:
    table: ContingencyTable
    specificity: SpecificityTable
    exclusive: list[tuple[str, str, int]]          # codes present in one column only
    excluded_codings: int

    def to_dict(self) -> dict[str, Any]:
        t, s = self.table, self.specificity
        rows = []
        for i, key in enumerate(t.rows):
            rows.append({
                "code": key, "label": t.labels[key], "depth": t.depth[key], "branch": t.branch[key],
                "counts": dict(zip(t.columns, t.counts[i])), "total": t.row_totals[i],
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
        }


def compare(store, by: str = "phase", *, unit: str = "segments", codes: Iterable[str] | str | None = None,
            include_pending: bool = False, include_interviewer: bool = False, threshold: float = 2.0,
            coders: Iterable[str] | None = None, machine: str = "machine") -> Comparison:
    """Codes × ``by`` in ``unit``, with Lafon specificities and χ² residuals."""
    corpus = load_coded_corpus(store, include_pending=include_pending, include_interviewer=include_interviewer,
                               coders=coders, machine=machine)
    table = contingency(corpus, by, unit=unit, codes=codes)
    spec = table_specificities(table, threshold=threshold)
    exclusive = exclusive_rows(table.rows, table.columns, table.counts, table.column_totals)
    return Comparison(table, spec, exclusive, corpus.excluded_codings)
