"""Wilson, Byar's and exact Poisson limits (semantics.md 9): the PHEindicatormethods vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2, norm

from kpiboard.analysis.confidence import (
    EXACT_BELOW,
    Interval,
    byar_lower,
    byar_upper,
    count_interval,
    exact_poisson_interval,
    poisson_control_limits,
    proportion_control_limits,
    wilson_interval,
    z_value,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"
FINGERTIPS = json.loads((VECTORS / "fingertips_methods.json").read_text())
WILSON_BYARS = FINGERTIPS["wilson_byars"]

FULL_PRECISION = 1e-12  # the vectors print every digit of R's doubles


@pytest.mark.parametrize("row", WILSON_BYARS["byars_count_limits"])
def test_byar_vectors(row: dict[str, Any]) -> None:
    """Byar's limits as PHEindicatormethods computes them, None where R returns NA."""
    lower = byar_lower(row["x"], confidence=row["conf"])
    if row["lower"] is None:
        assert lower is None
    else:
        assert lower == pytest.approx(row["lower"], rel=FULL_PRECISION)
    assert byar_upper(row["x"], confidence=row["conf"]) == pytest.approx(
        row["upper"], rel=FULL_PRECISION
    )


@pytest.mark.parametrize("row", WILSON_BYARS["wilson_proportion_limits"])
def test_wilson_vectors(row: dict[str, Any]) -> None:
    """Wilson score limits, including a fractional count (0.445 of 1)."""
    interval = wilson_interval(row["x"], row["n"], confidence=row["conf"])
    assert interval.lower == pytest.approx(row["lower"], rel=FULL_PRECISION)
    assert interval.upper == pytest.approx(row["upper"], rel=FULL_PRECISION)


@pytest.mark.parametrize(
    ("confidence", "z"), [(0.95, 1.959963984540054), (0.998, 3.090232306167813)]
)
def test_z_value(confidence: float, z: float) -> None:
    """Two-sided: 95% leaves 2.5% in each tail."""
    assert z_value(confidence) == pytest.approx(z, rel=FULL_PRECISION)
    assert z_value(confidence) == pytest.approx(norm.ppf(1 - (1 - confidence) / 2))


@pytest.mark.parametrize(
    ("count", "confidence", "lower", "upper"),
    [
        (0, 0.95, 0.0, 3.6888794541139354),
        (1, 0.95, 0.025317807984289897, 5.571643390938898),
        (3, 0.95, 0.6186721228956015, 8.767273069742323),
        (9, 0.998, 2.452424404363775, 22.65737330906293),
    ],
)
def test_count_interval_is_exact_below_ten(
    count: int, confidence: float, lower: float, upper: float
) -> None:
    """Below 10 the exact Poisson (chi-squared) interval, not Byar's."""
    assert count < EXACT_BELOW
    interval = count_interval(count, confidence=confidence)
    assert interval == exact_poisson_interval(count, confidence=confidence)
    assert interval.lower == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert interval.upper == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize(("count", "confidence"), [(10, 0.95), (10, 0.998), (65, 0.95)])
def test_count_interval_is_byars_from_ten(count: int, confidence: float) -> None:
    """From 10 on, Byar's approximation."""
    interval = count_interval(count, confidence=confidence)
    assert interval.lower == byar_lower(count, confidence=confidence)
    assert interval.upper == byar_upper(count, confidence=confidence)


@given(st.integers(0, 500), st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_exact_interval_matches_chi_squared(count: int, confidence: float) -> None:
    """Lower = chi2(alpha/2; 2x)/2, upper = chi2(1 - alpha/2; 2x + 2)/2."""
    tail = (1 - confidence) / 2
    interval = exact_poisson_interval(count, confidence=confidence)
    expected_lower = chi2.ppf(tail, 2 * count) / 2 if count else 0.0
    assert interval.lower == pytest.approx(expected_lower, rel=1e-9, abs=1e-12)
    assert interval.upper == pytest.approx(chi2.ppf(1 - tail, 2 * count + 2) / 2, rel=1e-9)
    assert interval.lower <= count <= interval.upper


@given(st.integers(1, 2000), st.data())
def test_wilson_stays_within_zero_and_one(trials: int, data: st.DataObject) -> None:
    """Unlike the normal approximation, never below 0 or above 1; contains p (to rounding)."""
    successes = data.draw(st.integers(0, trials))
    interval = wilson_interval(successes, trials, confidence=0.998)
    assert 0 <= interval.lower <= interval.upper <= 1
    assert interval.lower - 1e-12 <= successes / trials <= interval.upper + 1e-12


def test_proportion_control_limits_are_wilson_around_the_expected_count() -> None:
    """Funnel limits for 5930 at a benchmark of 8.96%: 8.26% to 9.71% at 95%."""
    limits = proportion_control_limits(0.08961108687627933, 5930, confidence=0.95)
    assert limits == wilson_interval(5930 * 0.08961108687627933, 5930, confidence=0.95)
    assert (round(limits.lower, 4), round(limits.upper, 4)) == (0.0826, 0.0971)


@pytest.mark.parametrize(
    ("expected", "lower", "upper"),
    [
        (0.0, 0.0, 3.6888794541139354),  # as for an observed 0
        (13.0, 6.921952491003801, 22.230395918158873),  # a whole number: the exact interval of 13
        (13.14, 7.6539302763006, 22.230395918158873),  # P(X >= 14) and P(X <= 13) at 2.5%
    ],
)
def test_poisson_control_limits(expected: float, lower: float, upper: float) -> None:
    """Fingertips' PoisLow and PoisHigh, in closed form."""
    limits = poisson_control_limits(expected, confidence=0.95)
    assert limits.lower == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert limits.upper == pytest.approx(upper, rel=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson_interval(5, 4), "successes must be between 0 and trials"),
        (lambda: wilson_interval(0, 0), "trials must be above 0"),
        (lambda: byar_upper(-1), "count must be 0 or more"),
        (lambda: count_interval(5, confidence=95), "confidence must be between 0 and 1"),
        (lambda: proportion_control_limits(8.9, 100), "benchmark must be a proportion"),
        (lambda: poisson_control_limits(-1), "expected count must be 0 or more"),
    ],
)
def test_bad_arguments(call: Any, message: str) -> None:
    """Errors name the argument and what was expected."""
    with pytest.raises(ValueError, match=message):
        call()


def test_interval_is_a_plain_value() -> None:
    """Frozen and comparable, so results can be cached and compared."""
    assert Interval(1.0, 2.0) == Interval(1.0, 2.0)
    with pytest.raises(AttributeError):
        Interval(1.0, 2.0).lower = 0.5  # type: ignore[misc]
