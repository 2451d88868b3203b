"""Fingertips' recent trend and benchmark comparisons (semantics.md 7 and 9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.stats import chi2

from kpiboard.analysis.model import Direction
from kpiboard.analysis.recent_trend import (
    CHI2_CRITICAL,
    RecentTrend,
    TrendMethod,
    TrendPoint,
    compare_interval,
    compare_proportion,
    compare_rate,
    recent_trend,
    recent_trend_json,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"
FINGERTIPS = json.loads((VECTORS / "fingertips_methods.json").read_text())
TREND = FINGERTIPS["recent_trend"]
BENCHMARK = FINGERTIPS["benchmark_comparison"]

MARKERS = {
    "Increasing": "increasing",
    "Decreasing": "decreasing",
    "NoChange": "no significant change",
    "CannotBeCalculated": "cannot be calculated",
}
SIGNIFICANCE = {"Better": "better", "Same": "similar", "Worse": "worse"}
POLARITY = {"0": Direction.LOWER, "1": Direction.HIGHER}
H, L, N = Direction.HIGHER, Direction.LOWER, Direction.NONE


def _point(row: dict[str, Any]) -> TrendPoint:
    return TrendPoint(
        value=row.get("value"),
        numerator=row.get("count"),
        denominator=row.get("denom"),
        lower_ci=row.get("lci95"),
        upper_ci=row.get("uci95"),
    )


def _decimals(printed: float) -> int:
    text = repr(printed)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("case", TREND["cases"], ids=[c["name"] for c in TREND["cases"]])
def test_fingertips_trend_vectors(case: dict[str, Any]) -> None:
    """Fingertips' TrendMarkerCalculator tests: chi-squared, significance, marker."""
    method = TrendMethod.CONFIDENCE_LIMITS if "weighted" in case["name"] else None
    points = [_point(row) for row in case["points_oldest_first"]]
    trend = recent_trend(points, direction=Direction.HIGHER, method=method)
    expected = {**case.get("derived", {}), **case["expected"]}
    if "chi2_rounded_2dp" in expected:
        assert round(trend.chi2 or 0.0, 2) == expected["chi2_rounded_2dp"]
    if "chi2" in expected:
        # Fingertips reports 0.0 where the test could not run; here chi2 is None
        chi2_value = trend.chi2 if trend.chi2 is not None else 0.0
        tolerance = 0.5 * 10 ** -_decimals(expected["chi2"])
        assert chi2_value == pytest.approx(expected["chi2"], abs=tolerance)
    if "slope_per_period" in expected:
        tolerance = 0.5 * 10 ** -_decimals(expected["slope_per_period"])
        assert trend.slope == pytest.approx(expected["slope_per_period"], abs=tolerance)
    assert trend.significant == expected["significant"]
    if "marker" in expected:
        assert trend.result == MARKERS[expected["marker"]]


def test_critical_value_is_the_998_point_of_chi_squared() -> None:
    """9.5495: chi-squared on 1 degree of freedom at 99.8%, as Fingertips hard-codes it."""
    assert TREND["critical_chi2"] == CHI2_CRITICAL
    assert chi2.ppf(0.998, 1) == pytest.approx(CHI2_CRITICAL, rel=1e-12)


def test_counts_and_limits_together_use_the_proportions_test() -> None:
    """With numerators, denominators and limits, the method is Cochran-Armitage's."""
    weighted = next(c for c in TREND["cases"] if c["name"].startswith("weighted (CI-based)"))
    trend = recent_trend([_point(r) for r in weighted["points_oldest_first"]], direction=H)
    assert trend.method is TrendMethod.PROPORTIONS
    assert round(trend.chi2 or 0.0, 2) == 47.90


SET_1 = [
    (24.67, 23.16, 26.25),
    (24.6, 23.15, 26.19),
    (28, 26.44, 29.64),
    (30.2, 28.63, 31.9),
    (30.6, 28.98, 32.25),
]
RISING = [TrendPoint(value, lower_ci=lower, upper_ci=upper) for value, lower, upper in SET_1]
FALLING = [
    TrendPoint(60 - value, lower_ci=60 - upper, upper_ci=60 - lower)
    for value, lower, upper in SET_1
]


@pytest.mark.parametrize(
    ("points", "direction", "result", "judgement"),
    [
        (RISING, H, "increasing", "getting better"),
        (RISING, L, "increasing", "getting worse"),
        (RISING, N, "increasing", None),
        (FALLING, H, "decreasing", "getting worse"),
        (FALLING, L, "decreasing", "getting better"),
        (FALLING, N, "decreasing", None),
    ],
)
def test_judgement_by_direction(
    points: list[TrendPoint], direction: Direction, result: str, judgement: str | None
) -> None:
    """Increasing is getting better when higher is better; no judgement without a direction."""
    trend = recent_trend(points, direction=direction)
    assert (trend.result, trend.judgement) == (result, judgement)


def _limits(values: list[float], half_width: float) -> list[TrendPoint]:
    return [TrendPoint(v, lower_ci=v - half_width, upper_ci=v + half_width) for v in values]


@pytest.mark.parametrize(
    ("points", "result"),
    [
        pytest.param(RISING[:4], "cannot be calculated", id="four points"),
        pytest.param([*RISING[:4], TrendPoint(None)], "cannot be calculated", id="latest missing"),
        pytest.param(
            [RISING[0], TrendPoint(28.0), *RISING[2:]],
            "cannot be calculated",
            id="a point without limits or counts",
        ),
        pytest.param(
            _limits([10, 10, 10, 10, 10], 0.0), "cannot be calculated", id="limits of zero width"
        ),
        pytest.param(
            [TrendPoint(None), TrendPoint(None), *RISING],
            "increasing",
            id="only the last five count",
        ),
        pytest.param(
            _limits([10, 11, 12, 13, 14], 10),
            "no significant change",
            id="a steady rise within wide limits",
        ),
        pytest.param(
            _limits([10.1, 10, 9.9, 9.8, 20], 0.2),
            "no significant change",
            id="one point makes the slope: leaving it out turns it round",
        ),
        pytest.param(
            _limits([9.8, 9.9, 10, 10.1, 20], 0.2),
            "increasing",
            id="a steady rise and a jump: every slope positive",
        ),
        pytest.param(
            [
                TrendPoint(None, 10, 100),
                TrendPoint(None, 12, 100),
                TrendPoint(None, 40, 100),
                TrendPoint(None, 55, 100),
                TrendPoint(None, 70, 100),
            ],
            "increasing",
            id="proportions from counts",
        ),
        pytest.param(
            [TrendPoint(None, 0, 100), *[TrendPoint(None, 5 * i, 100) for i in (2, 3, 4, 5)]],
            "cannot be calculated",
            id="a numerator of 0: infinite log-odds",
        ),
        pytest.param(
            [TrendPoint(v * 10, numerator=v) for v in (20, 30, 45, 60, 80)],
            "increasing",
            id="counts alone: Byar's limits",
        ),
        pytest.param(
            [TrendPoint(v * 10, numerator=v) for v in (3, 2, 4, 3, 5)],
            "no significant change",
            id="small counts alone: exact limits",
        ),
    ],
)
def test_recent_trend_edges(points: list[TrendPoint], result: str) -> None:
    """What can and cannot be calculated, and the leave-one-out check on the slope's sign."""
    assert recent_trend(points, direction=H).result == result


def test_a_point_left_out_turns_the_slope_round() -> None:
    """chi-squared is far above 9.55, yet without the jump at the end the slope is negative."""
    trend = recent_trend(_limits([10.1, 10, 9.9, 9.8, 20], 0.2), direction=H)
    assert trend.chi2 is not None
    assert trend.chi2 > CHI2_CRITICAL
    assert trend.slope is not None
    assert trend.slope > 0
    assert [s > 0 for s in trend.slopes_leaving_out] == [True, True, True, True, False]
    assert not trend.significant


def test_a_slope_of_zero_has_no_sign() -> None:
    """Leaving out the jump leaves a flat line: not a significant rise (Fingertips says rise)."""
    points = _limits([1, 1, 1, 1, 4], 0.5)
    trend = recent_trend(points, direction=H)
    assert trend.chi2 is not None
    assert trend.chi2 > CHI2_CRITICAL
    assert trend.slopes_leaving_out[-1] == pytest.approx(0, abs=1e-12)
    assert trend.result == "no significant change"
    assert recent_trend(points[::-1], direction=H).result == "no significant change"


@given(
    st.lists(st.integers(1, 99), min_size=5, max_size=5),
    st.lists(st.integers(1, 5), min_size=5, max_size=5),
)
def test_reversing_the_series_reverses_the_trend(values: list[int], widths: list[int]) -> None:
    """The same chi-squared, the opposite slope, so increasing and decreasing swap."""
    points = [
        TrendPoint(v, lower_ci=v - w, upper_ci=v + w) for v, w in zip(values, widths, strict=True)
    ]
    forward = recent_trend(points, direction=H)
    backward = recent_trend(points[::-1], direction=H)
    assert forward.chi2 is not None
    assert forward.slope is not None
    assert backward.chi2 == pytest.approx(forward.chi2, rel=1e-9, abs=1e-9)
    assert backward.slope == pytest.approx(-forward.slope, rel=1e-9, abs=1e-9)
    # a slope of 0 computes as +/-1e-16 or so: its sign is rounding, not data
    assume(all(abs(s) > 1e-9 for s in (forward.slope, *forward.slopes_leaving_out)))
    swapped = {"increasing": "decreasing", "decreasing": "increasing"}
    assert backward.result == swapped.get(forward.result, forward.result)


def test_recent_trend_json() -> None:
    """The evaluate JSON: result and judgement only; null where there is no trend."""
    assert recent_trend_json(None) is None
    assert recent_trend_json(recent_trend(RISING, direction=H)) == {
        "result": "increasing",
        "judgement": "getting better",
    }
    assert recent_trend_json(RecentTrend("cannot be calculated")) == {
        "result": "cannot be calculated",
        "judgement": None,
    }


# --- comparison with a benchmark ------------------------------------------------------------------


@pytest.mark.parametrize("row", BENCHMARK["ci_contains_benchmark"])
def test_interval_against_benchmark_vectors(row: dict[str, Any]) -> None:
    """Fingertips' single overlapping confidence intervals comparison."""
    for polarity, expected in row["expected"].items():
        result = compare_interval(
            row["lci"], row["uci"], row["benchmark"], direction=POLARITY[polarity]
        )
        assert result == SIGNIFICANCE[expected], polarity


PROPORTION_ROWS = BENCHMARK[
    "spc_for_proportions (unit=100, polarity low-is-good; z=1.96 and 3.0902)"
]
RATE_ROWS = BENCHMARK[
    "spc_for_rates_poisson (unit=100000, polarity low-is-good; tail p=0.025 and 0.001)"
]


@pytest.mark.parametrize("row", PROPORTION_ROWS)
@pytest.mark.parametrize(("confidence", "key"), [(0.95, "expected_95"), (0.998, "expected_99_8")])
def test_proportion_against_benchmark_vectors(
    row: dict[str, Any], confidence: float, key: str
) -> None:
    """Fingertips' SPC for proportions: funnel limits around the benchmark, lower is better."""
    result = compare_proportion(
        row["value"], row["denominator"], row["benchmark"], direction=L, confidence=confidence
    )
    assert result == SIGNIFICANCE[row[key]]


@pytest.mark.parametrize("row", RATE_ROWS)
@pytest.mark.parametrize(("confidence", "key"), [(0.95, "expected_95"), (0.998, "expected_99_8")])
def test_rate_against_benchmark_vectors(row: dict[str, Any], confidence: float, key: str) -> None:
    """Fingertips' SPC for rates: exact Poisson funnel limits, lower is better."""
    result = compare_rate(
        row["value"], row["denominator"], row["benchmark"], direction=L, confidence=confidence
    )
    assert result == SIGNIFICANCE[row[key]]


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "direction", "expected"),
    [
        (10, 12, 10, H, "similar"),  # on the lower limit is inside
        (10, 12, 12, H, "similar"),  # on the upper limit is inside
        (10, 12, 9.99, H, "better"),
        (10, 12, 12.01, H, "worse"),
        (10, 12, 9.99, L, "worse"),
        (10, 12, 9.99, N, "higher"),
        (10, 12, 12.01, N, "lower"),
        (10, 12, 11, N, "similar"),
    ],
)
def test_compare_interval(
    lower: float, upper: float, benchmark: float, direction: Direction, expected: str
) -> None:
    """The benchmark inside the limits (ends included) is similar; otherwise by direction."""
    assert compare_interval(lower, upper, benchmark, direction=direction) == expected


def test_compare_interval_rejects_reversed_limits() -> None:
    """A lower limit above the upper limit is an error that names both."""
    with pytest.raises(ValueError, match="lower limit 12 is above upper limit 10"):
        compare_interval(12, 10, 11, direction=H)


def test_no_direction_reports_higher_or_lower_for_funnels() -> None:
    """Without a direction the funnel comparisons say higher or lower, not better or worse."""
    row = PROPORTION_ROWS[0]
    assert compare_proportion(row["value"], row["denominator"], row["benchmark"], direction=N) == (
        "lower"
    )
    rate = RATE_ROWS[0]
    assert compare_rate(rate["value"], rate["denominator"], rate["benchmark"], direction=N) == (
        "lower"
    )
