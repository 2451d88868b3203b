"""Projected linear trend (semantics.md 6).

Ordinary least squares over the last N observations at the indicator's own frequency, up to the
end of the reporting period. x is the period's index on its own time line, so a missing month
leaves a gap rather than closing it up. With fitted line y = a + b x over n points, residual
standard error s = sqrt(SSE / (n - 2)) and Sxx = sum((x - mean x)^2), the 95% prediction interval
at x0 is

    a + b x0  -/+  t(0.975, n - 2) x s x sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx)

Worked example: 10, 12, 14 at x = 0, 1, 2 fit exactly (b = 2, s = 0), so the projection to x = 5 is
20 with an interval of zero width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from kpiboard.analysis.model import Observation
from kpiboard.analysis.periods import Period

__all__ = ["MIN_TREND_POINTS", "LinearFit", "Projection", "fit_line", "t_quantile"]

MIN_TREND_POINTS = 3


@cache
def t_quantile(probability: float, degrees_of_freedom: int) -> float:
    """Student's t quantile, e.g. t(0.975, 10) = 2.228."""
    from scipy.special import stdtrit  # imported here: only trends need it

    return float(stdtrit(degrees_of_freedom, probability))


@dataclass(frozen=True, slots=True)
class Projection:
    """A projected value at the end of a period, with its 95% prediction interval."""

    period: Period
    value: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class LinearFit:
    """A least-squares line through ``points`` observations, slope per period."""

    points: int
    intercept: float
    slope: float
    x_mean: float
    sxx: float
    residual_se: float
    first_period: Period
    last_period: Period

    def project(self, period: Period, level: float = 0.95) -> Projection:
        """The fitted value at ``period`` (the fit's frequency) and its prediction interval."""
        x0 = period.index - self.first_period.index
        value = self.intercept + self.slope * x0
        n = self.points
        spread = self.residual_se * math.sqrt(1 + 1 / n + (x0 - self.x_mean) ** 2 / self.sxx)
        margin = t_quantile(0.5 + level / 2, n - 2) * spread
        return Projection(period, value, value - margin, value + margin)


def fit_line(observations: Sequence[Observation]) -> LinearFit | None:
    """Fit y = a + b x to observations (sorted, one frequency); None below three points."""
    n = len(observations)
    if n < MIN_TREND_POINTS:
        return None
    origin = observations[0].period.index
    xs = [o.period.index - origin for o in observations]
    ys = [float(o.value) for o in observations]
    x_mean = sum(xs) / n
    y_mean = sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    sxy = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    sse = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return LinearFit(
        points=n,
        intercept=intercept,
        slope=slope,
        x_mean=x_mean,
        sxx=sxx,
        residual_se=math.sqrt(sse / (n - 2)),
        first_period=observations[0].period,
        last_period=observations[-1].period,
    )
