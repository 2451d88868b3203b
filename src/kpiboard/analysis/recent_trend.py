"""Recent trend with significance, and comparison with a benchmark, as OHID Fingertips does them.

Recent trend (semantics.md 9, Fingertips' TrendMarkerCalculator): over the last 5 equally spaced
points, numbered t = 1 to 5, a chi-squared test for trend.

- Proportions (numerator and denominator): the Cochran-Armitage test,
  χ² = N (N Σ x_t t - X Σ n_t t)² / (X (N - X) (N Σ n_t t² - (Σ n_t t)²)), with x_t the counts,
  n_t the denominators, X and N their totals. The slope is that of log(x / (n - x)) on t.
- Otherwise, weighted least squares of the value on t with weights 1 / SE², SE = (upper - lower)
  / 3.92 from the 95% limits: slope b = (Σw Σwyt - Σwt Σwy) / (Σw Σwt² - (Σwt)²), and
  χ² = (b / SE(b))² with SE(b) = √(Σw / (Σw Σwt² - (Σwt)²)).

The trend is significant when χ² > 9.5495 (the 99.8% point of χ² on 1 degree of freedom) and the
slope keeps its sign when each of the five points is left out in turn. For Fingertips' test set 1
(24.67, 24.6, 28, 30.2, 30.6 per 100) the weighted method gives slope 1.75 a year and χ² 46.77:
significantly increasing.

One deliberate difference: Fingertips counts a slope of exactly 0 as positive when it checks the
sign, so a series and its mirror image could get different answers. Here a slope of 0, with every
point or leaving one out, is no sign at all: no significant change.

Benchmark comparison (semantics.md 7, Fingertips' comparers): a value is ``better``, ``similar``
or ``worse`` than a benchmark given the direction, or ``higher``, ``similar`` or ``lower`` for an
indicator without one (:data:`COMPARISONS`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from kpiboard.analysis.confidence import (
    Interval,
    count_interval,
    poisson_control_limits,
    proportion_control_limits,
)
from kpiboard.analysis.model import Direction

__all__ = [
    "CANNOT_BE_CALCULATED",
    "CHI2_CRITICAL",
    "COMPARISONS",
    "DECREASING",
    "INCREASING",
    "JUDGEMENTS",
    "NO_SIGNIFICANT_CHANGE",
    "POINTS_USED",
    "SE_DIVISOR",
    "RecentTrend",
    "TrendMethod",
    "TrendPoint",
    "compare_interval",
    "compare_proportion",
    "compare_rate",
    "recent_trend",
    "recent_trend_json",
]

POINTS_USED = 5
CHI2_CRITICAL = 9.54953570608324
"""χ² on 1 degree of freedom at 99.8%, as Fingertips hard-codes it (scipy: chi2.ppf(0.998, 1))."""
SE_DIVISOR = 3.92
"""The width of a 95% interval in standard errors (2 x 1.96)."""

INCREASING = "increasing"
DECREASING = "decreasing"
NO_SIGNIFICANT_CHANGE = "no significant change"
CANNOT_BE_CALCULATED = "cannot be calculated"

JUDGEMENTS: Mapping[tuple[int, str], str | None] = MappingProxyType(
    {
        (+1, INCREASING): "getting better",
        (+1, DECREASING): "getting worse",
        (-1, INCREASING): "getting worse",
        (-1, DECREASING): "getting better",
        (0, INCREASING): None,
        (0, DECREASING): None,
    }
)
"""(direction sign, result) to judgement; other results have none."""

COMPARISONS: Mapping[tuple[int, int], str] = MappingProxyType(
    {
        # (direction sign, +1 significantly above the benchmark / -1 below / 0 not significantly)
        (+1, +1): "better",
        (+1, -1): "worse",
        (-1, +1): "worse",
        (-1, -1): "better",
        (0, +1): "higher",
        (0, -1): "lower",
        (+1, 0): "similar",
        (-1, 0): "similar",
        (0, 0): "similar",
    }
)


class TrendMethod(StrEnum):
    PROPORTIONS = "proportions"
    """Cochran-Armitage on numerators and denominators."""
    CONFIDENCE_LIMITS = "confidence_limits"
    """Weighted regression on values with 95% limits (Byar's, from the numerator, if not given)."""


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period's figure. None for a period without data; limits are 95% limits."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    lower_ci: float | None = None
    upper_ci: float | None = None


@dataclass(frozen=True, slots=True)
class RecentTrend:
    """The result, its judgement, and (where the test could run) χ², the slope and the method.

    The slope is per period, in the value's units for the weighted method and in log-odds for
    proportions; ``slopes_leaving_out`` are the slopes without the 1st, 2nd ... 5th point.
    """

    result: str
    judgement: str | None = None
    chi2: float | None = None
    slope: float | None = None
    slopes_leaving_out: tuple[float, ...] = ()
    method: TrendMethod | None = None

    @property
    def significant(self) -> bool:
        """True for a significant increase or decrease."""
        return self.result in (INCREASING, DECREASING)


def recent_trend(
    points: Sequence[TrendPoint],
    *,
    direction: Direction,
    method: TrendMethod | None = None,
) -> RecentTrend:
    """Fingertips' recent trend over the last 5 points, oldest first, one per period.

    Without ``method`` it is chosen from the data: proportions when each of the five has a
    numerator no larger than its denominator, otherwise confidence limits. "cannot be calculated"
    with fewer than five points, a point without what the method needs, or (proportions) a
    numerator of 0 or equal to its denominator, where the log-odds are infinite.
    """
    last = tuple(points[-POINTS_USED:])
    if len(last) < POINTS_USED:
        return RecentTrend(CANNOT_BE_CALCULATED)
    chosen = method
    if chosen is None:
        proportions = all(_proportion(p) is not None for p in last)
        chosen = TrendMethod.PROPORTIONS if proportions else TrendMethod.CONFIDENCE_LIMITS
    test = _proportions_test(last) if chosen is TrendMethod.PROPORTIONS else _weighted_test(last)
    if test is None:
        return RecentTrend(CANNOT_BE_CALCULATED, method=chosen)
    chi2, slopes = test
    slope, without_each = slopes[0], slopes[1:]
    keeps_sign = all(s > 0 for s in slopes) or all(s < 0 for s in slopes)
    if not (chi2 > CHI2_CRITICAL and keeps_sign):
        return RecentTrend(NO_SIGNIFICANT_CHANGE, None, chi2, slope, without_each, chosen)
    result = INCREASING if slope > 0 else DECREASING
    judgement = JUDGEMENTS[direction.sign, result]
    return RecentTrend(result, judgement, chi2, slope, without_each, chosen)


def recent_trend_json(r: RecentTrend | None) -> dict[str, Any] | None:
    """The ``recent_trend`` member of ``kpiboard evaluate --format json`` (formats.md)."""
    if r is None:
        return None
    return {"result": r.result, "judgement": r.judgement}


def _proportion(p: TrendPoint) -> tuple[float, float] | None:
    """(numerator, denominator) when the point is a proportion: 0 <= numerator <= denominator."""
    if p.numerator is None or p.denominator is None:
        return None
    if p.denominator <= 0 or not 0 <= p.numerator <= p.denominator:
        return None
    return p.numerator, p.denominator


_Test = tuple[float, tuple[float, ...]]
"""χ² and the slopes: with all points, then leaving out each point in turn."""


def _proportions_test(points: Sequence[TrendPoint]) -> _Test | None:
    """Cochran-Armitage χ² for trend; slopes of the log-odds on t.

    Fingertips' test set 1 (994/40299 ... 1367/44701) gives χ² = 47.90.
    """
    counts = [c for p in points if (c := _proportion(p)) is not None]
    if len(counts) < len(points) or any(x == 0 or x == n for x, n in counts):
        return None
    x = [c[0] for c in counts]
    n = [c[1] for c in counts]
    t = range(1, len(points) + 1)
    big_n, big_x = sum(n), sum(x)
    xt = sum(xi * ti for xi, ti in zip(x, t, strict=True))
    nt = sum(ni * ti for ni, ti in zip(n, t, strict=True))
    nt2 = sum(ni * ti**2 for ni, ti in zip(n, t, strict=True))
    spread = big_x * (big_n - big_x) * (big_n * nt2 - nt**2)
    if not (spread > 0 and math.isfinite(spread)):  # counts beyond a float's precision
        return None
    chi2 = big_n * (big_n * xt - big_x * nt) ** 2 / spread
    log_odds = [math.log(c / (d - c)) for c, d in zip(x, n, strict=True)]
    return chi2, _slopes(log_odds, [1.0] * len(points))


def _weighted_test(points: Sequence[TrendPoint]) -> _Test | None:
    """Weighted regression of value on t, weights 1 / SE² from the 95% limits."""
    values: list[float] = []
    weights: list[float] = []
    for p in points:
        limits = _limits(p)
        if p.value is None or limits is None or limits.upper <= limits.lower:
            return None
        values.append(p.value)
        weights.append(1 / ((limits.upper - limits.lower) / SE_DIVISOR) ** 2)
    sums = _weighted_sums(values, weights, skip=None)
    slopes = _slopes(values, weights)
    s1, _, s3, _, s5 = sums
    se_slope = math.sqrt(s1 / (s1 * s5 - s3**2))
    return (slopes[0] / se_slope) ** 2, slopes


def _limits(p: TrendPoint) -> Interval | None:
    """The point's own 95% limits, or Byar's (exact below 10) from its count, scaled to it."""
    if p.lower_ci is not None and p.upper_ci is not None:
        return Interval(p.lower_ci, p.upper_ci)
    if p.numerator is None or p.value is None or p.numerator <= 0:
        return None
    counts = count_interval(p.numerator, confidence=0.95)
    scale = p.value / p.numerator
    return Interval(counts.lower * scale, counts.upper * scale)


def _weighted_sums(
    values: Sequence[float], weights: Sequence[float], skip: int | None
) -> tuple[float, float, float, float, float]:
    """Σw, Σwyt, Σwt, Σwy, Σwt² over t = 1..5, leaving out point ``skip`` (0-based)."""
    rows = [
        (w, w * y * t, w * t, w * y, w * t * t)
        for t, (y, w) in enumerate(zip(values, weights, strict=True), start=1)
        if t - 1 != skip
    ]
    s1, s2, s3, s4, s5 = (sum(column) for column in zip(*rows, strict=True))
    return s1, s2, s3, s4, s5


def _slopes(values: Sequence[float], weights: Sequence[float]) -> tuple[float, ...]:
    """The (weighted) least-squares slope with every point, then without each point in turn."""

    def slope(skip: int | None) -> float:
        s1, s2, s3, s4, s5 = _weighted_sums(values, weights, skip)
        return (s1 * s2 - s3 * s4) / (s1 * s5 - s3**2)

    return (slope(None), *(slope(i) for i in range(len(values))))


# --- comparison with a benchmark --------------------------------------------------------------


def compare_interval(lower: float, upper: float, benchmark: float, *, direction: Direction) -> str:
    """A value with confidence limits against a benchmark: the benchmark inside them is similar.

    Limits 3.2 to 3.5 against 3.0: above, so "better" when higher is better, "worse" when lower
    is better, "higher" without a direction. Limits 2.7 to 3.1 against 3.0: "similar".
    """
    if lower > upper:
        raise ValueError(f"lower limit {lower} is above upper limit {upper}")
    # the benchmark below the value's limits means the value is above the benchmark
    return COMPARISONS[direction.sign, -_side(benchmark, Interval(lower, upper))]


def compare_proportion(
    value: float,
    denominator: float,
    benchmark: float,
    *,
    direction: Direction,
    confidence: float = 0.95,
    unit: float = 100,
) -> str:
    """A proportion against a benchmark by funnel-plot limits (Fingertips' SPC for proportions).

    ``value`` and ``benchmark`` are per ``unit`` (100 for percentages). 7.71% of 5930 against
    8.96%: the 95% limits around 8.96% for 5930 are 8.26% to 9.71%, so lower, "better" when lower
    is better.
    """
    limits = proportion_control_limits(benchmark / unit, denominator, confidence=confidence)
    return COMPARISONS[direction.sign, _side(value / unit, limits)]


def compare_rate(
    value: float,
    denominator: float,
    benchmark: float,
    *,
    direction: Direction,
    confidence: float = 0.95,
    unit: float = 100_000,
) -> str:
    """A rate against a benchmark rate by exact Poisson funnel limits (Fingertips' SPC for DSRs).

    The expected count is benchmark x denominator / unit; its limits are scaled back to a rate.
    1.136 per 100,000 of 616,282 against 2.133: 13.14 expected, 95% limits 1.24 to 3.61 per
    100,000, so lower, "better" when lower is better; at 99.8%, 0.84 to 4.62, "similar".
    """
    counts = poisson_control_limits(benchmark * denominator / unit, confidence=confidence)
    limits = Interval(counts.lower / denominator * unit, counts.upper / denominator * unit)
    return COMPARISONS[direction.sign, _side(value, limits)]


def _side(point: float, limits: Interval) -> int:
    """+1 when the point is above the limits, -1 below, 0 inside them (limits included)."""
    return 1 if point > limits.upper else -1 if point < limits.lower else 0
