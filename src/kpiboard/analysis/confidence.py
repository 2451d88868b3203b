"""Confidence limits for counts and proportions, as OHID Fingertips computes them (semantics.md 9).

Where an observation brings a count (and a denominator) but no confidence limits of its own, these
supply them: the Wilson score interval for a proportion, Byar's approximation for a count, and the
exact Poisson interval for a count below 10, where Byar's is poor. The same formulas, turned
around, give the control limits of a funnel plot: the range a council's figure would fall in by
chance if its true value were the benchmark's.

The formulas follow PHEindicatormethods (R/utils.R), so ``confidence`` is two-sided: 0.95 puts
2.5% in each tail (z = 1.959964), 0.998 puts 0.1% in each tail (z = 3.090232).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

__all__ = [
    "EXACT_BELOW",
    "Interval",
    "byar_lower",
    "byar_upper",
    "count_interval",
    "exact_poisson_interval",
    "poisson_control_limits",
    "proportion_control_limits",
    "wilson_interval",
    "z_value",
]

EXACT_BELOW = 10
"""Counts below this get the exact Poisson interval; from here on Byar's approximation."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed range ``[lower, upper]``."""

    lower: float
    upper: float


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile: 0.95 gives 1.959964, 0.998 gives 3.090232."""
    _check_confidence(confidence)
    return NormalDist().inv_cdf(confidence + (1 - confidence) / 2)


def wilson_interval(successes: float, trials: float, *, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for a proportion, as a proportion (0 to 1).

    (2x + z² ∓ z √(z² + 4x(1 - x/n))) / 2(n + z²). For 65 out of 100 at 95%:
    (130 + 3.8415 ∓ 1.96 × √(3.8415 + 91)) / 207.68 = 0.5525 to 0.7364.
    """
    _check_confidence(confidence)
    if trials <= 0:
        raise ValueError(f"trials must be above 0, not {trials}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}), not {successes}")
    z = z_value(confidence)
    centre = 2 * successes + z**2
    spread = z * math.sqrt(z**2 + 4 * successes * (1 - successes / trials))
    lower = (centre - spread) / 2 / (trials + z**2)
    upper = (centre + spread) / 2 / (trials + z**2)
    return Interval(max(lower, 0.0), min(upper, 1.0))  # 0 and 1 exactly, not 1.0000000000000002


def byar_lower(count: float, *, confidence: float = 0.95) -> float | None:
    """Byar's lower limit for an observed count, None where the formula goes below zero.

    x (1 - 1/9x - z/3√x)³. For 65 at 95%: 65 × (1 - 0.00171 - 0.08104)³ = 50.16. For 1 at 99.8%
    the bracket is negative (1 - 0.111 - 1.030), so there is no limit: PHEindicatormethods returns
    NA there, and :func:`count_interval` uses the exact interval for such small counts anyway.
    """
    _check_count(count, confidence)
    if count == 0:
        return 0.0
    lower = count * (1 - 1 / (9 * count) - z_value(confidence) / (3 * math.sqrt(count))) ** 3
    return lower if lower >= 0 else None


def byar_upper(count: float, *, confidence: float = 0.95) -> float:
    """Byar's upper limit: (x + 1)(1 - 1/9(x + 1) + z/3√(x + 1))³; for 65 at 95%, 82.85."""
    _check_count(count, confidence)
    above = count + 1
    return above * (1 - 1 / (9 * above) + z_value(confidence) / (3 * math.sqrt(above))) ** 3


def exact_poisson_interval(count: float, *, confidence: float = 0.95) -> Interval:
    """The exact (Garwood) interval for a Poisson count, from the chi-squared distribution.

    Lower = χ²(α/2; 2x) / 2 and upper = χ²(1 - α/2; 2x + 2) / 2, computed as the inverse of the
    regularised incomplete gamma function. For 1 at 95%: 0.0253 to 5.5716; for 0, 0 to 3.689.
    """
    _check_count(count, confidence)
    tail = (1 - confidence) / 2
    from scipy.special import gammainccinv, gammaincinv  # imported here: rarely needed

    lower = float(gammaincinv(count, tail)) if count > 0 else 0.0
    return Interval(lower, float(gammainccinv(count + 1, tail)))


def count_interval(count: float, *, confidence: float = 0.95) -> Interval:
    """Fingertips' interval for a count: exact below :data:`EXACT_BELOW` (10), Byar's from there.

    For 65 at 95%: 50.16 to 82.85 (Byar). For 3 at 95%: 0.619 to 8.767 (exact).
    """
    if count < EXACT_BELOW:
        return exact_poisson_interval(count, confidence=confidence)
    lower = byar_lower(count, confidence=confidence)
    assert lower is not None  # Byar's bracket stays positive from 10 up, even at 99.999%
    return Interval(lower, byar_upper(count, confidence=confidence))


def proportion_control_limits(
    benchmark: float, denominator: float, *, confidence: float = 0.95
) -> Interval:
    """Funnel-plot limits for a proportion: where p would fall by chance if the truth were p0.

    The Wilson score interval around the expected count E = n × p0 (Fingertips'
    SpcForProportionsComparer). For p0 = 0.0896 and n = 5930 at 95%: E = 531.4, limits 0.0826
    to 0.0971, so an observed 0.0771 lies below them.
    """
    if not 0 <= benchmark <= 1:
        raise ValueError(f"benchmark must be a proportion from 0 to 1, not {benchmark}")
    return wilson_interval(denominator * benchmark, denominator, confidence=confidence)


def poisson_control_limits(expected: float, *, confidence: float = 0.95) -> Interval:
    """Funnel-plot limits for a count whose expectation is ``expected`` (not necessarily whole).

    Fingertips' PoisLow and PoisHigh (SpcForDsrComparer) search for the Poisson means at which
    P(X >= E) and P(X <= E) equal the tail probability; that is, in closed form, the inverse
    incomplete gamma function at ceil(E) and floor(E) + 1. For E = 13.14 at 95%: 7.65 to 22.23.
    """
    if expected < 0:
        raise ValueError(f"expected count must be 0 or more, not {expected}")
    _check_confidence(confidence)
    tail = (1 - confidence) / 2
    from scipy.special import gammainccinv, gammaincinv  # imported here: rarely needed

    lower = float(gammaincinv(math.ceil(expected), tail)) if expected > 0 else 0.0
    return Interval(lower, float(gammainccinv(math.floor(expected) + 1, tail)))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (such as 0.95), not {confidence}")


def _check_count(count: float, confidence: float) -> None:
    _check_confidence(confidence)
    if count < 0:
        raise ValueError(f"count must be 0 or more, not {count}")
