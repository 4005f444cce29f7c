"""Lafon specificities and χ² residuals against independent computations."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
from scipy.stats import chi2_contingency, hypergeom

from exporterre_nlp.analysis import (adjusted_residual, contingency, exclusive_rows, lafon_score,
                                     load_coded_corpus, specificities, table_specificities)
from report_store import build_store, code_everything


def exact_tail(f: int, F: int, t: int, T: int) -> float:
    """Signed log10 tail probability with exact rational arithmetic (math.comb)."""
    def pmf(k: int) -> Fraction:
        return Fraction(math.comb(F, k) * math.comb(T - F, t - k), math.comb(T, t))
    lo, hi = max(0, t - (T - F)), min(F, t)
    expected = Fraction(F * t, T)
    if f > expected:
        return -math.log10(sum(pmf(k) for k in range(f, hi + 1)))
    if f < expected:
        return math.log10(sum(pmf(k) for k in range(lo, f + 1)))
    return 0.0


# A table worked by hand: 3 codes over 3 phases of 40, 25 and 35 segments.
ROWS = ["garde", "couture", "rare"]
COLUMNS = ["1", "2", "3"]
COUNTS = [[2, 1, 15], [6, 5, 7], [0, 0, 3]]
TOTALS = [40, 25, 35]


def test_scores_equal_the_exact_hypergeometric_tail():
    table = specificities(ROWS, COLUMNS, COUNTS, TOTALS, 100)
    for i, row in enumerate(ROWS):
        F = sum(COUNTS[i])
        for j, col in enumerate(COLUMNS):
            assert table.scores[i][j] == pytest.approx(exact_tail(COUNTS[i][j], F, TOTALS[j], 100), abs=1e-5)


def test_scores_agree_with_scipy_hypergeom_by_hand():
    # garde in phase 3: 15 of its 18 segments in a phase holding 35 of 100 -> expected 6.3
    p_upper = hypergeom(100, 18, 35).sf(14)            # P(X >= 15)
    assert lafon_score(15, 18, 35, 100) == pytest.approx(-math.log10(p_upper), abs=1e-6)
    # garde in phase 1: 2 where 7.2 are expected -> under-represented, negative
    p_lower = hypergeom(100, 18, 40).cdf(2)             # P(X <= 2)
    assert lafon_score(2, 18, 40, 100) == pytest.approx(math.log10(p_lower), abs=1e-6)
    assert lafon_score(2, 18, 40, 100) < 0 < lafon_score(15, 18, 35, 100)


def test_flags_follow_the_threshold_and_the_sign():
    table = specificities(ROWS, COLUMNS, COUNTS, TOTALS, 100, threshold=2.0)
    assert table.flags[0][2] == "+"                      # garde, phase 3
    assert table.flags[0][0] == "-"                      # garde, phase 1
    assert all(flag == "" for flag in table.flags[1])    # couture spread evenly
    strongest = table.flagged()[0]
    assert strongest[:2] == ("garde", "3")
    loose = specificities(ROWS, COLUMNS, COUNTS, TOTALS, 100, threshold=0.5)
    assert len(loose.flagged()) > len(table.flagged())


def test_residuals_equal_the_adjusted_pearson_residuals_of_the_2xk_table():
    for i in range(len(ROWS)):
        row = COUNTS[i]
        observed = [row, [t - f for t, f in zip(TOTALS, row)]]
        _, _, _, expected = chi2_contingency(observed, correction=False)
        F, T = sum(row), 100
        for j, t in enumerate(TOTALS):
            independent = (row[j] - expected[0][j]) / math.sqrt(expected[0][j] * (1 - F / T) * (1 - t / T))
            assert adjusted_residual(row[j], F, t, T) == pytest.approx(independent, abs=1e-5)


def test_extreme_tables_stay_finite():
    assert math.isfinite(lafon_score(5000, 5000, 5000, 100000))
    assert lafon_score(0, 0, 10, 100) == 0.0
    assert lafon_score(10, 100, 10, 100) == 0.0          # every unit carries the row
    assert adjusted_residual(3, 3, 10, 10) == 0.0


def test_exclusive_rows_are_present_in_one_phase_only():
    assert exclusive_rows(ROWS, COLUMNS, COUNTS, TOTALS) == [("rare", "3", 3)]
    assert exclusive_rows(ROWS, COLUMNS, COUNTS, [40, 0, 35]) == [("rare", "3", 3)]
    assert exclusive_rows(ROWS, COLUMNS, COUNTS, [0, 0, 35]) == []     # one live column: nothing to compare


def test_store_table_specificities_match_the_independent_computation(tmp_path):
    store, docs = build_store(tmp_path / "store.sqlite3")
    code_everything(store, docs)
    table = contingency(load_coded_corpus(store), "phase")
    spec = table_specificities(table)
    for i, row in enumerate(table.rows):
        for j, _ in enumerate(table.columns):
            want = exact_tail(table.counts[i][j], table.row_totals[i], table.column_totals[j], table.total)
            assert spec.scores[i][j] == pytest.approx(want, abs=1e-5)
    store.close()
