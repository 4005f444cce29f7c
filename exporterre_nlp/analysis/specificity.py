"""Specificity statistics for a table of counts: Lafon scores and χ² residuals.

For a cell with observed count ``f``, where the row (a code, theme or lemma)
occurs ``F`` times in a population of ``T`` units of which ``t`` belong to the
column (a phase, a lieu…), the hypergeometric model X ~ H(T, F, t) says how
surprising ``f`` is if the row were spread over the columns at random
(Lafon 1980, the "specificities" of Lexico, TXM and IRaMuTeQ).

Convention (as TXM): the score is the **signed log10 of the tail probability**.

- ``f`` above its expectation ``E = F·t/T``: score = −log10 P(X ≥ f)  (positive:
  over-represented);
- ``f`` below ``E``: score = +log10 P(X ≤ f)  (negative: under-represented);
- ``f`` equal to ``E``: score = 0.

A score of +2 means "this many or more would happen by chance with probability
1 %". A cell is flagged when ``|score| ≥ threshold`` (2 by default, p ≤ 0.01;
no correction for the number of cells: read the flags as pointers, not proofs).

The adjusted standardised residual of the χ² test (Haberman),
``(f − E) / sqrt(E·(1 − F/T)·(1 − t/T))``, is given beside it: roughly a
standard normal under independence, so |r| > 1.96 is the usual 5 % mark.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy.special import gammaln

LN10 = math.log(10.0)
MAX_SCORE = 300.0          # beyond what doubles can tell apart: clip there


def _logsumexp(values: np.ndarray) -> float:
    top = float(values.max())
    if not math.isfinite(top):
        return top
    return top + math.log(float(np.exp(values - top).sum()))


def _log_comb(n, k):
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def _log_pmf(k: np.ndarray, F: int, t: int, T: int) -> np.ndarray:
    """log P(X = k) for X ~ H(T, F, t): C(F, k) C(T − F, t − k) / C(T, t)."""
    return _log_comb(F, k) + _log_comb(T - F, t - k) - _log_comb(T, t)


def lafon_score(f: int, F: int, t: int, T: int) -> float:
    """Signed log10 tail probability of ``f`` under H(T, F, t) (see module doc)."""
    if T <= 0 or F <= 0 or t <= 0 or F >= T and t >= T:
        return 0.0
    expected = F * t / T
    lo, hi = max(0, t - (T - F)), min(F, t)
    if f > expected:
        ks = np.arange(max(f, lo), hi + 1)
        sign = -1.0
    elif f < expected:
        ks = np.arange(lo, min(f, hi) + 1)
        sign = 1.0
    else:
        return 0.0
    if ks.size == 0:                     # f outside the support: impossible under the model
        return sign * MAX_SCORE
    value = sign * _logsumexp(_log_pmf(ks, F, t, T)) / LN10
    if math.isnan(value):
        return 0.0
    value = max(-MAX_SCORE, min(MAX_SCORE, value))
    return round(value, 6) + 0.0


def adjusted_residual(f: int, F: int, t: int, T: int) -> float:
    """Adjusted standardised residual of the cell in the row's 2 × k table."""
    if T <= 0:
        return 0.0
    expected = F * t / T
    variance = expected * (1 - F / T) * (1 - t / T)
    if variance <= 0:
        return 0.0
    return round((f - expected) / math.sqrt(variance), 6) + 0.0


@dataclass(frozen=True)
class SpecificityTable:
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    expected: list[list[float]]
    scores: list[list[float]]                # signed log10 tail probability
    residuals: list[list[float]]             # adjusted standardised residuals
    flags: list[list[str]]                   # "+", "-" or ""
    threshold: float
    row_totals: list[int]
    column_totals: list[int]
    total: int
    labels: dict[str, str] = field(default_factory=dict)
    column_labels: list[str] = field(default_factory=list)
    cell_totals: list[list[int]] | None = None    # per-row column totals (coverage); 0 = cell not coded

    def score(self, row: str, column: str) -> float:
        return self.scores[self.rows.index(row)][self.columns.index(column)]

    def flagged(self) -> list[tuple[str, str, float, str]]:
        """(row, column, score, flag) of every flagged cell, strongest first."""
        out = [(r, c, self.scores[i][j], self.flags[i][j]) for i, r in enumerate(self.rows)
               for j, c in enumerate(self.columns) if self.flags[i][j]]
        return sorted(out, key=lambda x: (-abs(x[2]), x[0], x[1]))


def specificities(rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]],
                  column_totals: Sequence[int], total: int, *, threshold: float = 2.0,
                  row_totals: Sequence[int] | None = None, labels: dict[str, str] | None = None,
                  column_labels: Sequence[str] | None = None,
                  cell_totals: Sequence[Sequence[int]] | None = None) -> SpecificityTable:
    """Scores, residuals and flags of every cell of a table of counts.

    ``row_totals`` default to the row sums (right when every unit belongs to one column).
    ``cell_totals`` (rows × columns) replace ``column_totals`` row by row when each row was counted over
    its own population (coverage): the row's population is then the sum of its cell totals, and a cell
    with a total of 0 (not coded) gets no score.
    """
    row_totals = list(row_totals) if row_totals is not None else [sum(r) for r in counts]
    expected, scores, residuals, flags = [], [], [], []
    for i, _ in enumerate(rows):
        F = row_totals[i]
        col_totals = cell_totals[i] if cell_totals is not None else column_totals
        T = sum(col_totals) if cell_totals is not None else total
        e_row, s_row, r_row, f_row = [], [], [], []
        for j, _ in enumerate(columns):
            f, t = counts[i][j], col_totals[j]
            score = lafon_score(f, F, t, T) if t > 0 else 0.0
            e_row.append(round(F * t / T, 6) if T else 0.0)
            s_row.append(score)
            r_row.append(adjusted_residual(f, F, t, T) if t > 0 else 0.0)
            f_row.append("+" if score >= threshold else "-" if score <= -threshold else "")
        expected.append(e_row)
        scores.append(s_row)
        residuals.append(r_row)
        flags.append(f_row)
    return SpecificityTable(list(rows), list(columns), [list(r) for r in counts], expected, scores, residuals,
                            flags, threshold, row_totals, list(column_totals), total, dict(labels or {}),
                            list(column_labels or columns),
                            [list(r) for r in cell_totals] if cell_totals is not None else None)


def table_specificities(table, *, threshold: float = 2.0) -> SpecificityTable:
    """Specificities of a :class:`~exporterre_nlp.analysis.counts.ContingencyTable`."""
    return specificities(table.rows, table.columns, table.counts, table.column_totals, table.total,
                         threshold=threshold, row_totals=table.row_totals, labels=table.labels,
                         column_labels=table.column_labels, cell_totals=getattr(table, "cell_totals", None))


def exclusive_rows(rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]],
                   column_totals: Sequence[int], *, min_count: int = 1,
                   cell_totals: Sequence[Sequence[int]] | None = None) -> list[tuple[str, str, int]]:
    """Rows present in exactly one column and absent from every other non-empty column.

    With ``cell_totals`` (coverage), a column counts for a row only where that row was coded: "only in
    phase 3" needs at least one other phase coded for that code and without it.
    Returns (row, column, count) for rows with at least ``min_count`` there.
    """
    out = []
    for i, row in enumerate(rows):
        totals = cell_totals[i] if cell_totals is not None else column_totals
        live = [j for j, t in enumerate(totals) if t > 0]
        if len(live) < 2:
            continue
        present = [j for j in live if counts[i][j] > 0]
        if len(present) == 1 and counts[i][present[0]] >= min_count:
            out.append((row, columns[present[0]], counts[i][present[0]]))
    return out
