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


#: t(0.975, df) for df 1 to 60, as scipy.special.stdtrit gives them (a test checks every one):
#: the 95% prediction interval of every trend needs only these, and importing scipy.special
#: costs a fifth of a second, a sixth of ``kpiboard evaluate``'s whole run.
_T_975 = (
    12.706204736174694,
    4.302652729749462,
    3.1824463052837078,
    2.7764451051977934,
    2.5705818356363146,
    2.4469118511449786,
    2.364624251592784,
    2.306004135204166,
    2.262157162798205,
    2.228138851986274,
    2.200985160091639,
    2.1788128296672284,
    2.1603686564627913,
    2.144786687917804,
    2.131449545559776,
    2.1199052992212546,
    2.1098155778333156,
    2.1009220402410382,
    2.0930240544083087,
    2.085963447265864,
    2.0796138447276795,
    2.0738730679040254,
    2.0686576104190486,
    2.0638985616280245,
    2.0595385527532972,
    2.0555294386428735,
    2.0518305164802846,
    2.0484071417952454,
    2.045229642132703,
    2.0422724563012378,
    2.039513446396408,
    2.0369333434601016,
    2.0345152974493383,
    2.0322445093177186,
    2.030107928250343,
    2.0280940009804502,
    2.0261924630291093,
    2.0243941639119694,
    2.022690920036761,
    2.021075390306273,
    2.019540970441376,
    2.0180817028184443,
    2.016692199227824,
    2.0153675744437636,
    2.014103388880846,
    2.012895598919429,
    2.0117405137297655,
    2.010634757624232,
    2.0095752371292392,
    2.008559112100761,
    2.007583770315836,
    2.006646805061688,
    2.0057459953178687,
    2.0048792881880564,
    2.0040447832891455,
    2.003240718847872,
    2.002465459291007,
    2.0017174841452356,
    2.000995378088267,
    2.0002978220142604,
)


@cache
def t_quantile(probability: float, degrees_of_freedom: int) -> float:
    """Student's t quantile, e.g. t(0.975, 10) = 2.228."""
    if probability == 0.975 and 1 <= degrees_of_freedom <= len(_T_975):
        return _T_975[degrees_of_freedom - 1]
    from scipy.special import stdtrit  # imported here: only unusual intervals need it

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
