"""RAGB status against target (semantics.md 4), boundaries included."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.model import (
    Category,
    Direction,
    Indicator,
    Tolerance,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency
from kpiboard.analysis.status import RAGB, Status, criteria_text, rag_status, status_for

RELATIVE = Tolerance()
POINTS = Tolerance.for_mode(ToleranceMode.POINTS)
NO_BLUE = Tolerance(blue_above=None)
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER

CASES = [
    # value, target, direction, tolerance, expected, why
    ("81", "90", HIGHER, RELATIVE, Status.RED, "exactly 10% off is Red"),
    ("81.01", "90", HIGHER, RELATIVE, Status.AMBER, "just under 10% off is Amber"),
    ("89.99", "90", HIGHER, RELATIVE, Status.AMBER, "just below target is Amber"),
    ("90", "90", HIGHER, RELATIVE, Status.GREEN, "on target is Green"),
    ("94.5", "90", HIGHER, RELATIVE, Status.GREEN, "exactly 5% better is Green"),
    ("94.51", "90", HIGHER, RELATIVE, Status.BLUE, "more than 5% better is Blue"),
    (
        "2.7",
        "3",
        HIGHER,
        RELATIVE,
        Status.RED,
        "exactly 10% off in decimals (float says -0.0999..)",
    ),
    ("110", "100", LOWER, RELATIVE, Status.RED, "lower is better: 10% above target is Red"),
    ("109.99", "100", LOWER, RELATIVE, Status.AMBER, "lower is better: under 10% above is Amber"),
    ("95", "100", LOWER, RELATIVE, Status.GREEN, "lower is better: exactly 5% below is Green"),
    ("94.99", "100", LOWER, RELATIVE, Status.BLUE, "lower is better: more than 5% below is Blue"),
    ("0", "0", HIGHER, RELATIVE, Status.GREEN, "target 0: on target is Green"),
    ("0.1", "0", HIGHER, RELATIVE, Status.BLUE, "target 0: better is Blue"),
    ("-0.1", "0", HIGHER, RELATIVE, Status.RED, "target 0: worse is Red"),
    ("1", "0", LOWER, RELATIVE, Status.RED, "target 0, lower is better: above is Red"),
    ("0", "0", LOWER, RELATIVE, Status.GREEN, "target 0, lower is better: on target"),
    ("0.1", "0", HIGHER, NO_BLUE, Status.GREEN, "target 0 without Blue: better is Green"),
    ("-9", "-10", HIGHER, RELATIVE, Status.BLUE, "negative target: deviation uses |target|"),
    ("-11", "-10", HIGHER, RELATIVE, Status.RED, "negative target: 10% worse is Red"),
    ("80", "90", HIGHER, POINTS, Status.RED, "points: exactly 10 points off is Red"),
    ("80.5", "90", HIGHER, POINTS, Status.AMBER, "points: 9.5 points off is Amber"),
    ("95", "90", HIGHER, POINTS, Status.GREEN, "points: exactly 5 points better is Green"),
    ("95.1", "90", HIGHER, POINTS, Status.BLUE, "points: over 5 points better is Blue"),
    ("12", "20", LOWER, POINTS, Status.BLUE, "points, lower is better: 8 points below is Blue"),
    ("30", "20", LOWER, POINTS, Status.RED, "points, lower is better: 10 points above is Red"),
    ("200", "90", HIGHER, NO_BLUE, Status.GREEN, "Blue switched off: far better is Green"),
    ("81", "90", HIGHER, NO_BLUE, Status.RED, "Blue switched off: Red is unaffected"),
]


@pytest.mark.parametrize(
    ("value", "target", "direction", "tolerance", "expected"),
    [case[:5] for case in CASES],
    ids=[case[5] for case in CASES],
)
def test_rag_status(
    value: str, target: str, direction: Direction, tolerance: Tolerance, expected: Status
) -> None:
    assert rag_status(D(value), D(target), direction, tolerance) is expected


@pytest.mark.parametrize(
    ("category", "value", "target", "expected"),
    [
        (Category.BASELINE, D(50), D(90), Status.BASELINE),
        (Category.CONTEXTUAL, D(50), D(90), Status.CONTEXTUAL),
        (Category.IN_DEVELOPMENT, None, None, Status.IN_DEVELOPMENT),
        (Category.SUSPENDED, D(50), None, Status.SUSPENDED),
        (Category.TARGETED, None, D(90), Status.NO_DATA),
        (Category.TARGETED, None, None, Status.NO_DATA),
        (Category.TARGETED, D(50), None, Status.NO_TARGET),
        (Category.TARGETED, D(50), D(90), Status.RED),
    ],
)
def test_category_missing_data_and_missing_target(
    category: Category, value: D | None, target: D | None, expected: Status
) -> None:
    """A category other than targeted decides the status whatever the data."""
    found = status_for(
        category=category, value=value, target=target, direction=HIGHER, tolerance=RELATIVE
    )
    assert found is expected


def _indicator(**overrides: object) -> Indicator:
    fields: dict[str, object] = {
        "ref": "1",
        "name": "x",
        "unit": Unit.PERCENT,
        "direction": HIGHER,
        "frequency": Frequency.MONTH,
        "category": Category.TARGETED,
        "committees": ("c",),
        "directorate": "d",
    }
    fields.update(overrides)
    return Indicator(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("framework", "overrides", "expected"),
    [
        (RELATIVE, {}, RELATIVE),
        (RELATIVE, {"red_at": D("0.2")}, Tolerance(red_at=D("0.2"))),
        (RELATIVE, {"no_blue": True}, NO_BLUE),
        (RELATIVE, {"tolerance_mode": ToleranceMode.POINTS}, POINTS),
        (
            RELATIVE,
            {"tolerance_mode": ToleranceMode.POINTS, "red_at": D(3)},
            Tolerance(ToleranceMode.POINTS, D(3), D(5)),
        ),
        (
            Tolerance(ToleranceMode.POINTS, D(2), D(1)),
            {},
            Tolerance(ToleranceMode.POINTS, D(2), D(1)),
        ),
        (NO_BLUE, {"blue_above": D("0.1")}, Tolerance(blue_above=D("0.1"))),
    ],
)
def test_per_indicator_tolerance_overrides(
    framework: Tolerance, overrides: dict[str, object], expected: Tolerance
) -> None:
    """An indicator's thresholds override the framework's; a new mode starts from its defaults."""
    assert _indicator(**overrides).tolerance(framework) == expected


tolerances = st.builds(
    Tolerance,
    mode=st.sampled_from(list(ToleranceMode)),
    red_at=st.decimals(min_value="0.01", max_value="50", places=2),
    blue_above=st.none() | st.decimals(min_value="0", max_value="50", places=2),
)
amounts = st.decimals(min_value="-1000", max_value="1000", places=3)


@given(amounts, amounts, amounts, st.sampled_from([HIGHER, LOWER]), tolerances)
def test_a_better_value_never_gets_a_worse_status(
    first: D, second: D, target: D, direction: Direction, tolerance: Tolerance
) -> None:
    worse, better = sorted([first, second], key=lambda v: direction.sign * v)
    worse_status = rag_status(worse, target, direction, tolerance)
    better_status = rag_status(better, target, direction, tolerance)
    assert RAGB.index(better_status) >= RAGB.index(worse_status)


def test_criteria_text_follows_the_settings() -> None:
    """The printed criteria come from the thresholds, so they cannot disagree with the statuses."""
    assert criteria_text(RELATIVE)[Status.RED] == "current performance is 10% or more from target."
    assert criteria_text(RELATIVE)[Status.GREEN] == (
        "current performance is on target or better by up to 5%."
    )
    assert Status.BLUE not in criteria_text(NO_BLUE)
    assert criteria_text(Tolerance(red_at=D("0.15")))[Status.AMBER] == (
        "current performance is off target by less than 15%."
    )
    assert criteria_text(POINTS)[Status.RED] == (
        "current performance is 10 points or more from target."
    )
