"""Making Data Count XmR (semantics.md 8): the upstream vectors, each rule, and properties."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from kpiboard.analysis.model import Direction, SpcSettings
from kpiboard.analysis.periods import Period
from kpiboard.analysis.spc import Assurance, PointType, SpcResult, process_limits, spc_json, xmr
from kpiboard.analysis.spc_batch import xmr_batch
from kpiboard.analysis.spc_rules import (
    RULES,
    part_of_run,
    shift_run_ends,
    trend_run_ends,
    two_in_three_points,
    two_in_three_windows,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"
SPC_VECTORS = json.loads((VECTORS / "spc_makingdatacount.json").read_text())
CASES = {case["id"]: case for case in SPC_VECTORS["cases"]}
DIRECTIONS = {"increase": Direction.HIGHER, "decrease": Direction.LOWER, "neutral": Direction.NONE}
ANY_LENGTH = SpcSettings(min_points=1)
FloatArray = NDArray[np.float64]

R01 = CASES["R-01-limits-and-outlier-screening-rnorm20"]
R03 = CASES["R-03-two-in-three-opposite-sides-is-common-cause"]
R05 = CASES["R-05-rule-unit-vectors"]
PY06 = CASES["PY-06-python-port-limits-and-flags"]


def assert_as_printed(actual: float, printed: float) -> None:
    """``actual`` rounds to ``printed`` at the number of decimals the vector prints."""
    text = repr(printed)
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    assert abs(actual - printed) <= 0.5 * 10**-decimals * (1 + 1e-9), (actual, printed)


def assert_limits_as_printed(result: SpcResult, expected: dict[str, Any]) -> None:
    for name in ("mean", "lpl", "upl"):
        assert_as_printed(getattr(result, name), expected[name])


# --- upstream vectors -----------------------------------------------------------------------------


def test_r01_default_screening_limits_sides_and_summary() -> None:
    """rnorm(20) with screening: the snapshot's mean and limits, sides of the mean, summary."""
    expected = R01["expected"]["default_screen_outliers_TRUE"]
    result = xmr(R01["input"]["y"], direction=Direction.HIGHER)
    assert result is not None
    assert_limits_as_printed(result, expected)
    assert list(result.relative_to_mean[:15]) == expected["relative_to_mean_first15"]
    summary = expected["summary"]
    assert result.points == summary["n"]
    assert result.point_types.count(PointType.COMMON_CAUSE) == summary["common_cause"]
    assert result.point_types.count(PointType.IMPROVEMENT) == summary["special_cause_improvement"]
    assert result.point_types.count(PointType.CONCERN) == summary["special_cause_concern"]
    assert result.variation == summary["variation_type"]


@pytest.mark.parametrize(
    ("key", "screen_outliers"),
    [("y15_set_to_10_screen_outliers_TRUE", True), ("y15_set_to_10_screen_outliers_FALSE", False)],
)
def test_r01_an_outlier_with_and_without_screening(key: str, screen_outliers: bool) -> None:
    """y[15] = 10: screening drops its two moving ranges; without it the limits are far wider."""
    values = list(R01["input"]["y"])
    values[15 - 1] = 10
    settings_ = SpcSettings(screen_outliers=screen_outliers)
    result = xmr(values, direction=Direction.HIGHER, settings=settings_)
    assert result is not None
    assert_limits_as_printed(result, R01["expected"][key])


def test_r01_two_facets_of_ten_are_two_segments() -> None:
    """Facets of 10 points: the same limits as a rebase at point 11, or as two separate series."""
    values = R01["input"]["y"]
    facets = R01["expected"]["split_into_two_facets_of_10 (summary snapshot, 3 s.f.)"]
    result = xmr(values, direction=Direction.HIGHER, rebase=[i == 10 for i in range(20)])
    assert result is not None
    assert [(s.start, s.stop) for s in result.segments] == [(0, 10), (10, 20)]
    for segment, facet in zip(result.segments, facets, strict=True):
        alone = xmr(
            values[segment.start : segment.stop],
            direction=Direction.HIGHER,
            settings=SpcSettings(min_points=10),
        )
        assert alone is not None
        assert alone.segments[0].limits == segment.limits
        for name in ("mean", "lpl", "upl"):
            assert_as_printed(getattr(segment.limits, name), facet[name])


def test_r01_fix_after_twelve_points() -> None:
    """Limits fixed on the first 12 points differ from the unfixed ones, as re-derived."""
    case = R01["expected"]["fix_after_n_points_12"]
    fixed = xmr(R01["input"]["y"], direction=Direction.HIGHER, fix_after=12)
    unfixed = xmr(R01["input"]["y"], direction=Direction.HIGHER)
    assert fixed is not None
    assert unfixed is not None
    assert (fixed.lpl, fixed.upl) != (unfixed.lpl, unfixed.upl)
    assert_limits_as_printed(fixed, case["derived_by_reimplementation"])


def test_r03_two_in_band_on_opposite_sides_is_common_cause() -> None:
    """5.5 then -5.5, both in the band near the limits but either side of the mean: no flag."""
    expected = R03["expected"]
    derived = expected["derived_by_reimplementation"]
    result = xmr(R03["input"]["y"], direction=DIRECTIONS[R03["input"]["improvement_direction"]])
    assert result is not None
    assert list(result.point_types[-2:]) == expected["last_two_point_type"]
    assert_limits_as_printed(result, derived)
    assert_as_printed(result.near_lpl, derived["near_lower_2sigma"])
    assert_as_printed(result.near_upl, derived["near_upper_2sigma"])
    assert list(result.close_to_limits[-2:]) == derived["close_to_limits_last_two"]
    assert list(result.outside_limits[-2:]) == derived["outside_limits_last_two"]


@pytest.mark.parametrize("row", R05["seven_point_one_side_mean"])
def test_r05_seven_points_one_side_of_the_mean(row: dict[str, Any]) -> None:
    """A shift is flagged at the point that completes 7 on one side, and at each one after."""
    assert [int(f) for f in shift_run_ends(row["rtm"])] == row["expected"]


@pytest.mark.parametrize(
    "row", R05["part_of_seven (back-fills the 6 points preceding a run-end flag)"]
)
def test_r05_part_of_seven(row: dict[str, Any]) -> None:
    """A run's end flags it and the 6 points before it, whichever way the run goes."""
    assert [int(f) for f in part_of_run(row["flags"])] == row["expected"]


@pytest.mark.parametrize("row", R05["seven_point_trend"])
def test_r05_seven_point_trend(row: dict[str, Any]) -> None:
    """+1 (-1) where 7 points each rise (fall); a tie breaks it."""
    assert list(trend_run_ends(row["y"])) == row["expected"]


@pytest.mark.parametrize("row", R05["two_in_three (close, rtm)"])
def test_r05_two_in_three(row: dict[str, Any]) -> None:
    """Every point of a window of 3 with 2 near a limit and all 3 on the same side."""
    assert [int(f) for f in two_in_three_windows(row["close"], row["rtm"])] == row["expected"]


@pytest.mark.parametrize("row", R05["part_of_two_in_three (flag only the close points)"])
def test_r05_part_of_two_in_three(row: dict[str, Any]) -> None:
    """Of such a window, only the points near a limit are flagged."""
    assert [int(f) for f in two_in_three_points(row["close"], row["rtm"])] == row["expected"]


def test_r05_special_cause_precedence() -> None:
    """Outside the limits, then a trend, then 2 in 3, then a shift."""
    assert (
        "outside limits > 7-point trend > 2-in-3 > 7 points one side"
        in (R05["special_cause_type_precedence"])
    )
    assert [rule.name for rule in RULES] == ["outside_limits", "trend", "two_in_three", "shift"]


@pytest.mark.parametrize("row", PY06["limits"])
def test_py06_limits_exactly(row: dict[str, Any]) -> None:
    """Mean, process limits and near limits, to the last bit."""
    limits = process_limits(row["y"])
    actual = [limits.mean, limits.lpl, limits.upl, limits.near_lpl, limits.near_upl]
    assert actual == row["expected"]


@pytest.mark.parametrize("row", PY06["full"])
def test_py06_full(row: dict[str, Any]) -> None:
    """Limits (exactly), sides, band, outside and special-cause flags, with fixed limits."""
    expected = row["expected"]
    result = xmr(
        row["y"],
        direction=Direction.HIGHER,
        settings=ANY_LENGTH,
        fix_after=row["fix_after_n_points"],
    )
    assert result is not None
    assert [result.mean, result.lpl, result.upl] == [
        expected["mean"],
        expected["lpl"],
        expected["upl"],
    ]
    for name in ("outside_limits", "relative_to_mean", "close_to_limits"):
        if name in expected:
            assert list(getattr(result, name)) == expected[name], name
    flags = [t != PointType.COMMON_CAUSE for t in result.point_types]
    assert flags == expected["special_cause_flag"]


# --- the rules, one by one ------------------------------------------------------------------------

CODES = {
    ".": PointType.COMMON_CAUSE,
    "I": PointType.IMPROVEMENT,
    "C": PointType.CONCERN,
    "H": PointType.NEUTRAL_HIGH,
    "L": PointType.NEUTRAL_LOW,
}
H, L, N = Direction.HIGHER, Direction.LOWER, Direction.NONE
ZIGZAG = [1.0, -1.0] * 15  # mean 0, moving ranges 2: near limits about +/-4, limits about +/-6
WIDE = [6, 22, 6, 22, 6, 22]  # wide limits, so a trend between them sets off nothing else
SHIFT_UP = [51, 53, 51, 53, 51, 53, 51]  # 7 above the mean of CROSSING + SHIFT_UP (50.55)
CROSSING = [48, 52] * 6 + [48]  # either side of the mean in turn
ABOVE = [51, 53] * 6 + [51]  # with BELOW: mean exactly 50
BELOW = [49, 47] * 6 + [49]
TREND_IN_NOISE = [3, 1, 3, 1, 3, 0, 1, 2, 3, 4, 5, 6, 1, 3, 1]


def _after(values: Sequence[float], rebase_at: int) -> list[bool]:
    return [i == rebase_at for i in range(len(values))]


# fmt: off
RULE_CASES: list[tuple[str, Sequence[float], Direction, list[bool] | None, str, str]] = [
    # (what, values, direction, rebase, point types as . I C H L, variation icon)
    ("zigzag: all common cause",
     ZIGZAG, H, None, "." * 30, "common_cause"),
    # outside the limits
    ("one point above the upper limit",
     [*ZIGZAG, 9], H, None, "." * 30 + "I", "improvement_high"),
    ("below the lower limit, lower is better",
     [*ZIGZAG, -9], L, None, "." * 30 + "I", "improvement_low"),
    ("above the upper limit, no direction",
     [*ZIGZAG, 9], N, None, "." * 30 + "H", "neutral_high"),
    ("below the lower limit, no direction",
     [*ZIGZAG, -9], N, None, "." * 30 + "L", "neutral_low"),
    ("moving ranges 0, 0, 0, 1: the 1 is screened out, limits on the mean",
     [1, 1, 1, 1, 2], H, None, "CCCCI", "improvement_high"),
    ("a flat series: limits on the mean, every point on it",
     [4, 4, 4, 4, 4], H, None, ".....", "common_cause"),
    # trend
    ("a trend of 7 rising",
     TREND_IN_NOISE, H, None, "....." + "I" * 7 + "...", "common_cause"),
    ("a trend of 7 rising, lower is better",
     TREND_IN_NOISE, L, None, "....." + "C" * 7 + "...", "common_cause"),
    ("6 rising points are not a trend",
     [*WIDE, 8, 9, 10, 11, 12, 13, *WIDE], H, None, "." * 18, "common_cause"),
    ("a tie breaks a trend",
     [3, 1, 3, 1, 3, 0, 1, 2, 2, 3, 4, 5, 1, 3, 1], H, None, "." * 15, "common_cause"),
    ("a rise of 8 flags all 8",
     [*WIDE, *range(8, 16), *WIDE], H, None, "." * 6 + "I" * 8 + "." * 6, "common_cause"),
    ("a rising trend below the mean is rising (the point after it is a shift)",
     [10, 14, 10, 14, 10, 14, 3, 4, 5, 6, 7, 8, 9, 8, 14, 10, 14, 10, 14], H, None,
     "......IIIIIIIC.....", "common_cause"),
    ("the peak between a rise and a fall goes with the fall",
     [*WIDE, *range(8, 15), *range(13, 7, -1), *WIDE], H, None,
     "." * 6 + "I" * 6 + "C" * 8 + "." * 5, "common_cause"),
    ("the top of a rise before a new rise is rising",
     [*WIDE, *range(8, 15), *range(7, 14), *WIDE], H, None,
     "." * 6 + "I" * 14 + "." * 6, "common_cause"),
    ("the top of a rise before a tie and a new rise is rising (R says falling)",
     [*WIDE, *range(8, 15), *range(14, 21), *WIDE], H, None,
     "." * 6 + "I" * 14 + "." * 6, "common_cause"),
    ("a trend at the very end",
     [*WIDE, *range(8, 15)], H, None, "." * 6 + "I" * 7, "improvement_high"),
    # two of three near a limit
    ("2 of 3 in the band, above and then below the mean",
     [*ZIGZAG, 5.5, 0.5, 5.5, -5.5, -0.5, -5.5], H, None, "." * 30 + "I.IC.C", "concern_low"),
    ("2 adjacent in the band",
     [*ZIGZAG, 5.5, 5.5, 0.5, -5.5, -5.5, -0.5], H, None, "." * 30 + "II.CC.", "common_cause"),
    ("2 in the band on opposite sides of the mean",
     [*ZIGZAG, 5.5, -5.5], H, None, "." * 32, "common_cause"),
    ("2 in the band with the middle point across the mean",
     [*ZIGZAG, 5.5, -0.5, 5.5, -5.5, 0.5, -5.5], H, None, "." * 36, "common_cause"),
    ("2 in the band 3 points apart",
     [*ZIGZAG, 5.5, 0.5, 0.5, 5.5, -5.5, -0.5, -0.5, -5.5], H, None, "." * 38, "common_cause"),
    ("2 of 3 at the very end, lower is better",
     [*ZIGZAG, 0.5, -0.5, -5.5, -0.5, -5.5], L, None, "." * 32 + "I.I", "improvement_low"),
    # shift
    ("a run of 7 above the mean at the very end",
     [*CROSSING, *SHIFT_UP], H, None, "." * 13 + "I" * 7, "improvement_high"),
    ("the same run, lower is better",
     [*CROSSING, *SHIFT_UP], L, None, "." * 13 + "C" * 7, "concern_high"),
    ("the same run, no direction",
     [*CROSSING, *SHIFT_UP], N, None, "." * 13 + "H" * 7, "neutral_high"),
    ("a run of 6 at the very end is not a shift",
     [*CROSSING, *SHIFT_UP[:6]], H, None, "." * 19, "common_cause"),
    ("13 above the mean, then 13 below",
     [*ABOVE, *BELOW], H, None, "I" * 13 + "C" * 13, "concern_low"),
    ("a point on the mean breaks a shift",
     [*ABOVE[:6], 50, *ABOVE[7:], *BELOW[:6], 50, *BELOW[7:]], H, None, "." * 26,
     "common_cause"),
    # rebasing
    ("a rebase in the middle of a trend",
     TREND_IN_NOISE, H, _after(TREND_IN_NOISE, 8), "." * 15, "common_cause"),
    ("a rebase where a trend starts",
     TREND_IN_NOISE, H, _after(TREND_IN_NOISE, 5), "....." + "I" * 7 + "...", "common_cause"),
    ("a rebase in the middle of a run at the end",
     [*CROSSING, *SHIFT_UP], H, _after(CROSSING + SHIFT_UP, 16), "." * 20, "common_cause"),
]
# fmt: on


@pytest.mark.parametrize(
    ("values", "direction", "rebase", "expected", "variation"),
    [pytest.param(*row[1:], id=row[0]) for row in RULE_CASES],
)
def test_rules(
    values: list[float],
    direction: Direction,
    rebase: list[bool] | None,
    expected: str,
    variation: str,
) -> None:
    """Each rule and its edges, read as . common, I improvement, C concern, H/L neutral."""
    result = xmr(values, direction=direction, rebase=rebase, settings=ANY_LENGTH)
    assert result is not None
    assert "".join(next(c for c, t in CODES.items() if t == p) for p in result.point_types) == (
        expected
    )
    assert result.variation == variation


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            [10, 14, 10, 14, 10, 14, 10, 40, 13, 12, 11, 10, 9, 8, 14, 10, 14, 10, 14],
            ["outside_limits"] + ["trend"] * 6,
            id="outside the limits beats a falling trend",
        ),
        pytest.param(
            [10, 14, 10, 14, 10, 14, 3, 4, 5, 6, 7, 8, 9, 8, 14, 10, 14, 10, 14],
            ["trend"] * 7 + ["shift"],
            id="a trend beats the shift below the mean",
        ),
    ],
)
def test_precedence_names_the_deciding_rule(values: list[float], expected: list[str]) -> None:
    """The first rule in RULES that flags a point decides its direction and names its cause."""
    result = xmr(values, direction=Direction.HIGHER, settings=ANY_LENGTH)
    assert result is not None
    flagged = [c for c in result.special_causes if c is not None]
    assert flagged == expected


def test_precedence_decides_the_direction() -> None:
    """The outside point at the top of a falling trend is high; the trend's other points fall."""
    values = [10, 14, 10, 14, 10, 14, 10, 40, 13, 12, 11, 10, 9, 8, 14, 10, 14, 10, 14]
    result = xmr(values, direction=Direction.HIGHER, settings=ANY_LENGTH)
    assert result is not None
    assert result.point_types[7] == PointType.IMPROVEMENT
    assert set(result.point_types[8:14]) == {PointType.CONCERN}


@pytest.mark.parametrize(
    ("run_length", "flagged"),
    [(6, 6), (7, 0), (5, 6)],
)
def test_run_length_setting(run_length: int, flagged: int) -> None:
    """A run of 6 above the mean is a shift at run length 6 (or 5), not at the default 7."""
    values = [*CROSSING, *SHIFT_UP[:6]]
    result = xmr(values, direction=H, settings=SpcSettings(run_length=run_length, min_points=1))
    assert result is not None
    assert result.point_types.count(PointType.IMPROVEMENT) == flagged


ASSURANCE_CASES = [
    # target against the limits of ZIGZAG[:14]: mean 0, limits -5.32 and 5.32
    (H, -6.0, Assurance.PASS),
    (H, 6.0, Assurance.FAIL),
    (H, 0.0, Assurance.INCONSISTENT),
    (H, 5.32, Assurance.INCONSISTENT),  # on the limit is not beyond it
    (L, -6.0, Assurance.FAIL),
    (L, 6.0, Assurance.PASS),
    (L, -5.32, Assurance.INCONSISTENT),
    (N, 6.0, None),
    (H, None, None),
]


@pytest.mark.parametrize(("direction", "target", "expected"), ASSURANCE_CASES)
def test_assurance(direction: Direction, target: float | None, expected: Assurance | None) -> None:
    """Higher is better: a target below the lower limit will be met, above the upper never."""
    result = xmr(ZIGZAG[:14], direction=direction, target=target, settings=ANY_LENGTH)
    assert result is not None
    assert (result.lpl, result.upl) == (-5.32, 5.32)
    assert result.assurance == expected


def test_assurance_uses_the_latest_segment() -> None:
    """A target inside the first segment's limits but above the last's: fail."""
    values = [*([10, -10] * 7), *ZIGZAG[:14]]
    result = xmr(values, direction=H, target=8, rebase=_after(values, 14), settings=ANY_LENGTH)
    assert result is not None
    assert result.segments[0].limits.upl > 8 > result.upl
    assert result.assurance == Assurance.FAIL


def test_fewer_than_min_points_gives_none() -> None:
    """Not shown with fewer than 13 points (by default)."""
    assert xmr(list(range(12)), direction=H) is None
    assert xmr(list(range(13)), direction=H) is not None
    assert spc_json(None, []) is None


def test_point_limits_follow_the_segments() -> None:
    """Each point carries the limits of its own segment, for drawing the chart."""
    values = [*([10, -10] * 7), *ZIGZAG[:14]]
    result = xmr(values, direction=H, rebase=_after(values, 14), settings=ANY_LENGTH)
    assert result is not None
    limits = result.point_limits
    assert len(limits) == 28
    assert set(limits[:14]) == {result.segments[0].limits}
    assert set(limits[14:]) == {result.segments[1].limits}
    assert result.mean == result.segments[1].limits.mean


def test_spc_json() -> None:
    """The evaluate JSON: exactly these members, plain strings and numbers. The seven points of
    SHIFT_UP, from the 14th (2023-02 here), are a shift: the process changed there."""
    values = [*CROSSING, *SHIFT_UP]
    result = xmr(values, direction=H, target=40)
    periods = [Period.month(2022, 1).shift(i) for i in range(20)]
    document = spc_json(result, periods)
    assert document == {
        "points": 20,
        "mean": 50.55,
        "lpl": pytest.approx(41.73),
        "upl": pytest.approx(59.37),
        "point_types": ["common_cause"] * 13 + ["special_cause_improvement"] * 7,
        "variation": "improvement_high",
        "assurance": "pass",
        "stability": "changed",
        "changed_since": "2023-02",
    }
    assert json.loads(json.dumps(document)) == document


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1.0] * 12 + [math.nan]}, "value 12 is nan"),
        ({"values": [1.0] * 13, "rebase": [False] * 12}, "12 flags for 13 values"),
        ({"values": [1.0] * 13, "settings": SpcSettings(run_length=1)}, "run_length"),
        ({"values": [1.0] * 13, "fix_after": 0}, "fix_after"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    """Errors name the argument and the value."""
    with pytest.raises(ValueError, match=message):
        xmr(direction=H, **kwargs)


# --- properties -----------------------------------------------------------------------------------

SERIES = st.lists(st.integers(-1000, 1000), min_size=13, max_size=48)
ALL_DIRECTIONS = st.sampled_from(list(Direction))


def _clear_of_boundaries(values: list[int], settings_: SpcSettings = ANY_LENGTH) -> bool:
    """No value exactly on a limit and no moving range exactly on the screening threshold.

    Computed in exact fractions: away from such ties a strict comparison of integers with the
    float limits cannot change when every value is shifted or scaled.
    """
    n = len(values)
    mean = Fraction(sum(values), n)
    ranges = [Fraction(abs(b - a)) for a, b in pairwise(values)]
    mr_bar = sum(ranges, Fraction(0)) / len(ranges)
    threshold = Fraction(3267, 1000) * mr_bar
    if settings_.screen_outliers:
        if any(r == threshold for r in ranges):
            return False
        kept = [r for r in ranges if r < threshold]
        mr_bar = sum(kept, Fraction(0)) / len(kept) if kept else Fraction(0)
    widths = (Fraction(266, 100), 2 * Fraction(266, 100) / 3)
    bounds = {mean + sign * w * mr_bar for w in widths for sign in (-1, 1)}
    return not any(Fraction(y) in bounds for y in values)


@given(SERIES, ALL_DIRECTIONS)
def test_limits_are_symmetric_about_the_mean(values: list[int], direction: Direction) -> None:
    """mean - lpl == upl - mean, and the same for the near limits."""
    result = xmr(values, direction=direction)
    assert result is not None
    assert result.upl - result.mean == pytest.approx(result.mean - result.lpl, abs=1e-9)
    assert result.near_upl - result.mean == pytest.approx(result.mean - result.near_lpl, abs=1e-9)
    assert result.lpl <= result.near_lpl <= result.mean <= result.near_upl <= result.upl


@given(SERIES, st.integers(-(10**6), 10**6), ALL_DIRECTIONS)
def test_adding_a_constant_moves_everything_by_it(
    values: list[int], constant: int, direction: Direction
) -> None:
    """The mean and limits move by the constant; no point changes type."""
    assume(_clear_of_boundaries(values))
    before = xmr(values, direction=direction)
    after = xmr([y + constant for y in values], direction=direction)
    assert before is not None
    assert after is not None
    for name in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
        assert getattr(after, name) == pytest.approx(getattr(before, name) + constant, abs=1e-6)
    assert after.point_types == before.point_types
    assert after.variation == before.variation


@given(SERIES, st.integers(1, 1000), ALL_DIRECTIONS)
def test_scaling_by_a_positive_constant_scales_everything(
    values: list[int], factor: int, direction: Direction
) -> None:
    """The mean and limits scale by the factor; no point changes type."""
    assume(_clear_of_boundaries(values))
    before = xmr(values, direction=direction)
    after = xmr([y * factor for y in values], direction=direction)
    assert before is not None
    assert after is not None
    for name in ("mean", "lpl", "upl", "near_lpl", "near_upl"):
        assert getattr(after, name) == pytest.approx(getattr(before, name) * factor, abs=1e-6)
    assert after.point_types == before.point_types


@given(SERIES, st.data())
def test_no_rule_crosses_a_rebase(values: list[int], data: st.DataObject) -> None:
    """A rebased series is its segments charted separately, one after the other."""
    cut = data.draw(st.integers(1, len(values) - 1))
    rebase = [i == cut for i in range(len(values))]
    whole = xmr(values, direction=H, rebase=rebase, settings=ANY_LENGTH)
    first = xmr(values[:cut], direction=H, settings=ANY_LENGTH)
    second = xmr(values[cut:], direction=H, settings=ANY_LENGTH)
    assert whole is not None
    assert first is not None
    assert second is not None
    assert whole.point_types == first.point_types + second.point_types
    assert whole.segments[0].limits == first.segments[0].limits
    assert whole.segments[1].limits == second.segments[0].limits


# --- the batch path agrees with xmr() -------------------------------------------------------------


def _assert_batch_agrees(
    values: FloatArray,
    signs: NDArray[np.int64],
    targets: FloatArray,
    settings_: SpcSettings,
) -> None:
    batch = xmr_batch(values, directions=signs, targets=targets, settings=settings_)
    assert batch is not None
    by_sign = {d.sign: d for d in Direction}
    for row in range(values.shape[0]):
        target = None if np.isnan(targets[row]) else float(targets[row])
        direction = by_sign[int(signs[row])]
        one = xmr(values[row].tolist(), direction=direction, target=target, settings=settings_)
        assert one is not None
        point_types, variation, assurance = batch.result_names(row)
        assert point_types == tuple(t.value for t in one.point_types), row
        assert variation == one.variation
        assert assurance == (one.assurance.value if one.assurance else None)
        limits = (batch.mean[row], batch.lpl[row], batch.upl[row])
        assert limits == (one.mean, one.lpl, one.upl)  # the same sums in the same order


def _random_series(rng: np.random.Generator, series: int, points: int) -> FloatArray:
    """Noise, random walks (for trends) and level steps (for shifts), on a grid of integers."""
    noise = rng.integers(-5, 6, size=(series, points))
    walk = np.cumsum(rng.integers(-1, 3, size=(series, points)), axis=1)
    step = np.where(np.arange(points) >= points // 2, rng.integers(0, 8, size=(series, 1)), 0)
    kind = rng.integers(0, 3, size=(series, 1))
    return np.where(kind == 0, noise, np.where(kind == 1, walk, noise // 2 + step)).astype(float)


@pytest.mark.parametrize(
    "settings_",
    [SpcSettings(), SpcSettings(screen_outliers=False), SpcSettings(run_length=6)],
    ids=["default", "no screening", "run length 6"],
)
def test_batch_agrees_with_xmr_on_integer_series(settings_: SpcSettings) -> None:
    """Seeded integer series: every point type, icon and limit identical to the last bit."""
    rng = np.random.default_rng(20240930)
    values = _random_series(rng, 600, 36)
    signs = rng.integers(-1, 2, size=600)
    targets = np.where(rng.random(600) < 0.2, np.nan, rng.integers(-10, 30, size=600))
    _assert_batch_agrees(values, signs, targets.astype(np.float64), settings_)


@pytest.mark.parametrize("decimals", [None, 1], ids=["any float", "one decimal place"])
def test_batch_agrees_with_xmr_on_continuous_series(decimals: int | None) -> None:
    """Seeded normal noise with trends, raw or to 1 decimal place (so some points sit exactly
    on the mean): the same types, icons and limits, to the last bit."""
    rng = np.random.default_rng(7)
    values = 5 * rng.normal(size=(1500, 24)) + np.linspace(0, 3, 24) * rng.integers(0, 2, (1500, 1))
    if decimals is not None:
        values = values.round(decimals)
    signs = rng.integers(-1, 2, size=1500)
    targets = rng.normal(size=1500)
    _assert_batch_agrees(values, signs, targets, SpcSettings())


@settings(max_examples=60)
@given(
    st.integers(13, 30).flatmap(
        lambda points: st.lists(
            st.lists(st.integers(-20, 20), min_size=points, max_size=points),
            min_size=1,
            max_size=8,
        )
    ),
    st.data(),
)
def test_batch_agrees_with_xmr_property(rows: list[list[int]], data: st.DataObject) -> None:
    """Any integer series: the batch gives exactly what xmr() gives."""
    values = np.array(rows, dtype=float)
    n = len(rows)
    signs = np.array(data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    target_values = st.sampled_from([math.nan, -25.0, 0.0, 3.0, 25.0])
    targets = np.array(data.draw(st.lists(target_values, min_size=n, max_size=n)))
    _assert_batch_agrees(values, signs, targets, SpcSettings())


@settings(max_examples=60)
@given(
    st.integers(2, 30).flatmap(
        lambda points: st.lists(
            st.lists(st.integers(-20, 20), min_size=points, max_size=points),
            min_size=1,
            max_size=4,
        )
    ),
    st.integers(2, 40),
    st.data(),
)
def test_batch_agrees_with_xmr_for_any_run_length_and_minimum(
    rows: list[list[int]], run_length: int, data: st.DataObject
) -> None:
    """Any run length the settings allow, even one longer than the series, and series as short
    as two points: the batch gives what xmr() gives, and never fails (issue 16: run_length = 40 and
    min_points = 2 made the batch raise "could not broadcast input array")."""
    values = np.array(rows, dtype=float)
    n = len(rows)
    signs = np.array(data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n)))
    targets = np.array(
        data.draw(st.lists(st.sampled_from([math.nan, 3.0]), min_size=n, max_size=n))
    )
    _assert_batch_agrees(values, signs, targets, SpcSettings(run_length=run_length, min_points=2))


def test_batch_with_one_direction_and_no_targets() -> None:
    """One Direction for every series; no targets means no assurance; short series give None."""
    values = np.array([[*CROSSING, *SHIFT_UP]], dtype=float)
    batch = xmr_batch(values, directions=Direction.LOWER)
    assert batch is not None
    assert batch.result_names(0)[1:] == ("concern_high", None)
    assert xmr_batch(values[:, :12], directions=Direction.LOWER) is None


def test_xmr_many_gives_what_xmr_gives_series_by_series() -> None:
    """The organisation-wide path (batched by length, rebased series alone) changes nothing."""
    import random

    from kpiboard.analysis.spc_batch import xmr_many

    rng = random.Random(7)
    directions = [Direction.HIGHER, Direction.LOWER, Direction.NONE]
    series, dirs, targets, rebases = [], [], [], []
    for i in range(60):
        length = rng.choice([12, 15, 15, 20, 36])
        values = [float(rng.randint(0, 40) + (i % 3) * (k // 7)) for k in range(length)]
        series.append(values)
        dirs.append(directions[i % 3])
        targets.append(None if i % 4 == 0 else float(rng.randint(0, 40)))
        rebases.append([k == length // 2 for k in range(length)] if i % 10 == 0 else None)
    many = xmr_many(series, directions=dirs, targets=targets, rebases=rebases)
    for values, d, t, r, found in zip(series, dirs, targets, rebases, many, strict=True):
        assert found == xmr(values, direction=d, target=t, rebase=r)
    assert sum(1 for found in many if found is None) >= 1  # the 12-point series
