"""The stability judgement beside Making Data Count's icons (semantics.md 8, "Stability").

The latest segment is ``changed`` when its last point is flagged by a shift or a trend, or when
more than half of its last ``run_length`` points are special cause; ``changed_since`` is the first
point of the run that flags the last point. The series below are worked by hand: each comment
gives the mean, MR-bar and limits that decide which points are special cause.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import dataset, indicator, period, target
from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Direction, Observation, SpcSettings, Unit
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.analysis.spc import (
    PointType,
    ProcessChange,
    Stability,
    judge_stability,
    xmr,
)
from kpiboard.analysis.spc_batch import xmr_batch, xmr_many

H = Direction.HIGHER
IMPROVEMENT, COMMON = PointType.IMPROVEMENT, PointType.COMMON_CAUSE

# 16 points 55, 45 in turn (index 15 is 45), then 9 points 58, 59 in turn. Mean 1326/25 = 53.04;
# moving ranges 15 x 10, 13, 8 x 1: MR-bar 171/24 = 7.125 (none above 3.267 x 7.125 = 23.3).
# Limits 53.04 -/+ 18.95 (34.09 to 71.99), near limits -/+ 12.64 (40.40 to 65.68): no point
# outside or near a limit, no run of 7 rising or falling, the first 16 alternate about the mean;
# the last 9 are above it: a shift, and nothing else.
SHIFT_AT_THE_END = [55, 45] * 8 + [58, 59] * 4 + [58]

# 16 points 50, 46 in turn (index 15 is 46), then 44, 45, ..., 51 rising. Mean 1148/24 = 47.83;
# moving ranges 15 x 4, 2, 7 x 1: MR-bar 69/23 = 3.0. Limits 47.83 -/+ 7.98 (39.85 to 55.81),
# near -/+ 5.32 (42.51 to 53.15): nothing outside or near; 46, 44, 45, 46, 47 is a run of only 5
# below the mean. The last 8 points each higher than the one before: a trend, crossing the mean.
TREND_AT_THE_END = [50, 46] * 8 + list(range(44, 52))

# 16 points 48, 52 in turn: mean 50, every moving range 4, limits 50 -/+ 10.64; nothing flagged.
STABLE = [48, 52] * 8

# 24 points 46, 56 in turn, then 85 four times, then 51, 50, 51. Mean 1716/31 = 55.35. Moving
# ranges 23 x 10, 29, 0, 0, 0, 34, 1, 1: MR-bar 295/30 = 9.83; screening drops 34 (above 3.267 x
# 9.83 = 32.1), so MR-bar is 261/29 = 9.0. Limits 55.35 -/+ 23.94 (31.41 to 79.29): the four 85s
# are outside. Near limits -/+ 15.96 (39.39 to 71.32): no other point near a limit; no run of 7 on
# one side (the 46s and 56s alternate about the mean, then 4 above and 3 below). The last point
# is common cause, but 4 of the last 7 are special cause.
OUTLIERS_THEN_COMMON = [46, 56] * 12 + [85] * 4 + [51, 50, 51]


def test_a_shift_of_nine_at_the_end_changed_since_the_first_of_them() -> None:
    result = xmr(SHIFT_AT_THE_END, direction=H)
    assert result is not None
    assert result.point_types == (COMMON,) * 16 + (IMPROVEMENT,) * 9
    assert result.special_causes[-1] == "shift"
    assert result.stability is Stability.CHANGED
    assert result.change == ProcessChange(since=16, points=9, pattern="above_mean")
    # Making Data Count's icon is unchanged by the judgement beside it.
    assert result.variation == "improvement_high"


def test_a_shift_below_the_mean_for_lower_is_better() -> None:
    """The mirror image (each value negated): the same run, below the mean."""
    result = xmr([-v for v in SHIFT_AT_THE_END], direction=Direction.LOWER)
    assert result is not None
    assert result.change == ProcessChange(since=16, points=9, pattern="below_mean")
    assert result.variation == "improvement_low"


def test_a_trend_at_the_end_is_rising() -> None:
    result = xmr(TREND_AT_THE_END, direction=H)
    assert result is not None
    assert result.point_types == (COMMON,) * 16 + (IMPROVEMENT,) * 8
    assert result.special_causes[-1] == "trend"
    assert result.stability is Stability.CHANGED
    assert result.change == ProcessChange(since=16, points=8, pattern="rising")


def test_a_falling_trend() -> None:
    result = xmr([-v for v in TREND_AT_THE_END], direction=H)
    assert result is not None
    assert result.change == ProcessChange(since=16, points=8, pattern="falling")
    assert result.point_types[16:] == (PointType.CONCERN,) * 8


def test_a_stable_series_is_stable() -> None:
    result = xmr(STABLE, direction=H, target=45)
    assert result is not None
    assert set(result.point_types) == {COMMON}
    assert result.stability is Stability.STABLE
    assert result.change is None


def test_mostly_special_cause_recently_but_the_last_point_common() -> None:
    """4 of the last 7 special cause (more than half): changed since the first of the four."""
    result = xmr(OUTLIERS_THEN_COMMON, direction=H)
    assert result is not None
    assert result.special_causes[24:] == ("outside_limits",) * 4 + (None,) * 3
    assert result.point_types[-1] is COMMON
    assert result.stability is Stability.CHANGED
    # 85s above the mean, 51s below; neither rising nor falling: a mixture.
    assert result.change == ProcessChange(since=24, points=7, pattern="special_causes")


def test_three_of_seven_is_not_more_than_half() -> None:
    """Three 85s instead of four (one more 56 before them): 3 of the last 7 is not more than
    half, and the last point is common cause, so the process is judged stable."""
    values = [46, 56] * 12 + [46] + [85] * 3 + [51, 50, 51]
    result = xmr(values, direction=H)
    assert result is not None
    assert sum(kind is not COMMON for kind in result.point_types[-7:]) == 3
    assert result.change is None


def test_judge_stability_directly() -> None:
    """The rule on its own: one point flagged by two_in_three at the end is not a change; the
    same last point flagged by a shift is."""
    values = [1.0] * 7
    kinds = [COMMON] * 6 + [IMPROVEMENT]
    above = [1] * 7
    assert judge_stability(values, kinds, [None] * 6 + ["two_in_three"], above, 0, 7) is None
    flagged = [IMPROVEMENT] * 7
    change = judge_stability(values, flagged, ["shift"] * 7, above, 0, 7)
    assert change == ProcessChange(since=0, points=7, pattern="above_mean")
    # The run stops at the start of the segment.
    change = judge_stability(values, flagged, ["shift"] * 7, above, 3, 7)
    assert change == ProcessChange(since=3, points=4, pattern="above_mean")


def test_a_rebase_at_the_change_makes_it_stable() -> None:
    """Accepting the suggested rebase: the new segment's limits describe the new process."""
    result = xmr(SHIFT_AT_THE_END, direction=H)
    assert result is not None
    assert result.change is not None
    since = result.change.since
    rebased = xmr(
        SHIFT_AT_THE_END,
        direction=H,
        rebase=[i == since for i in range(len(SHIFT_AT_THE_END))],
        settings=SpcSettings(min_points=1),
    )
    assert rebased is not None
    assert rebased.segments[-1].start == since
    assert rebased.change is None


SAME_LENGTH_SERIES = st.integers(13, 30).flatmap(
    lambda points: st.lists(
        st.lists(st.integers(-20, 20), min_size=points, max_size=points), min_size=1, max_size=6
    )
)


@settings(max_examples=60, deadline=None)
@given(SAME_LENGTH_SERIES, st.data())
def test_xmr_and_the_batch_paths_give_the_same_change(
    rows: list[list[int]], data: st.DataObject
) -> None:
    """xmr(), xmr_batch() and xmr_many() judge the same series the same way."""
    n = len(rows)
    directions = data.draw(st.lists(st.sampled_from(list(Direction)), min_size=n, max_size=n))
    run_length = data.draw(st.sampled_from([6, 7, 8]))
    spc_settings = SpcSettings(run_length=run_length)
    batch = xmr_batch(np.array(rows, dtype=float), directions=directions, settings=spc_settings)
    many = xmr_many(
        rows,
        directions=directions,
        targets=[None] * n,
        rebases=[None] * n,
        settings=spc_settings,
    )
    assert batch is not None
    for row, (values, direction) in enumerate(zip(rows, directions, strict=True)):
        one = xmr(values, direction=direction, settings=spc_settings)
        assert one is not None
        assert batch.result(row).change == one.change
        found = many[row]
        assert found is not None
        assert found.change == one.change
        assert found.stability is one.stability
        if one.change is not None:
            assert 0 <= one.change.since < len(values)
            assert one.change.points == len(values) - one.change.since
            assert one.point_types[one.change.since] is not COMMON


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=13, max_size=40),
    st.booleans(),
)
def test_changed_since_in_the_json_is_the_period_of_point_since(
    values: list[int | None], add_a_shift: bool
) -> None:
    """Through evaluate() and the JSON, with gaps in the series (so the i-th point is not the
    i-th month after the first): ``changed_since`` names the month of the point ``since`` counts
    among the figures that exist."""
    if add_a_shift:
        values = [*values, *([200] * 9)]
    start = period("2021-04")
    present = [(start.shift(i), v) for i, v in enumerate(values) if v is not None]
    months = [month for month, _ in present]
    observations = [Observation(ref="1", period=m, value=Decimal(v)) for m, v in present]
    last = months[-1] if months else start
    data = dataset(
        [indicator("1", unit=Unit.NUMBER)],
        observations=observations,
        targets=[target("2021/22", 50)],
    )
    evaluation = evaluate(data, last)
    document = evaluation_to_json(evaluation)["indicators"][0]["spc"]
    spc = evaluation.indicators[0].spc
    if len(months) < 13:
        assert document is None
        return
    assert spc is not None
    assert document["stability"] == spc.stability.value
    if spc.change is None:
        assert document["changed_since"] is None
    else:
        assert document["changed_since"] == str(months[spc.change.since])
