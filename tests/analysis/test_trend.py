"""Projected linear trend (semantics.md 6)."""

import math

import pytest

from builders import series
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.trend import fit_line, t_quantile


def test_fewer_than_three_points_is_no_trend() -> None:
    assert fit_line(series("2024-01", [1, 2])) is None


def test_an_exact_line_projects_exactly() -> None:
    """10, 12, 14 monthly: slope 2 a month, so December 2024 (5 months after the last) is 24."""
    fit = fit_line(series("2024-05", [10, 12, 14]))
    assert fit is not None
    assert fit.slope == pytest.approx(2)
    projection = fit.project(parse_period("2024-12"))
    assert projection.value == pytest.approx(24)
    assert projection.upper - projection.lower == pytest.approx(0, abs=1e-9)


def test_a_gap_stays_a_gap() -> None:
    """1, (missing), 3, 4: x is 0, 2, 3, so the slope is 1 a month (not 1.5 over three points)."""
    fit = fit_line(series("2024-01", [1, None, 3, 4]))
    assert fit is not None
    assert fit.slope == pytest.approx(1)


def test_prediction_interval_by_hand() -> None:
    """y = 1, 2, 4 at x = 0, 1, 2.

    By hand: slope 1.5, intercept 5/6; residuals 1/6, -1/3, 1/6 so SSE = 1/6 and s = sqrt(1/6)
    with 1 degree of freedom; at x0 = 3, yhat = 16/3 and the standard error of prediction is
    s x sqrt(1 + 1/3 + (3 - 1)^2 / 2) = sqrt(1/6 x 10/3); t(0.975, 1) = 12.7062047 (tables).
    """
    fit = fit_line(series("2024-01", [1, 2, 4]))
    assert fit is not None
    assert fit.slope == pytest.approx(1.5)
    projection = fit.project(parse_period("2024-04"))
    assert projection.value == pytest.approx(16 / 3)
    margin = 12.7062047 * math.sqrt(1 / 6 * 10 / 3)
    assert projection.lower == pytest.approx(16 / 3 - margin, rel=1e-6)
    assert projection.upper == pytest.approx(16 / 3 + margin, rel=1e-6)


@pytest.mark.parametrize(
    ("df", "expected"), [(1, 12.7062047), (2, 4.3026527), (10, 2.2281389), (30, 2.0422725)]
)
def test_t_quantiles_match_the_tables(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, rel=1e-7)


def test_quarterly_projection_uses_quarter_steps() -> None:
    fit = fit_line(series("2023/24 Q1", [70, 72, 74, 76]))
    assert fit is not None
    assert fit.project(parse_period("2024/25 Q4")).value == pytest.approx(84)


def test_the_t_quantile_table_is_scipys() -> None:
    from scipy.special import stdtrit

    from kpiboard.analysis.trend import _T_975

    for degrees, value in enumerate(_T_975, start=1):
        assert value == float(stdtrit(degrees, 0.975))
    assert t_quantile(0.975, 10) == pytest.approx(2.228, abs=5e-4)  # the printed tables' value
    assert t_quantile(0.9, 10) == float(stdtrit(10, 0.9))  # outside the table: scipy itself
