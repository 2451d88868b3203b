"""The status summary and its percentages (semantics.md 10)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.model import PercentRounding
from kpiboard.analysis.status import Status
from kpiboard.analysis.summary import largest_remainder_percentages, summarise

S = Status


def test_the_thirteen_indicator_example_gives_8_8_77_7() -> None:
    statuses = [S.RED, S.AMBER] + [S.GREEN] * 10 + [S.BASELINE]
    rows = summarise(statuses)
    shown = {row.status: (row.count, row.percent) for row in rows}
    assert shown[S.RED] == (1, 8)
    assert shown[S.AMBER] == (1, 8)
    assert shown[S.GREEN] == (10, 77)
    assert shown[S.BASELINE] == (1, 7)
    assert sum(row.percent for row in rows) == 100


def test_rows_in_order_with_no_target_and_no_data_only_when_present() -> None:
    rows = summarise([S.GREEN])
    assert [r.status for r in rows] == [
        S.RED,
        S.AMBER,
        S.GREEN,
        S.BLUE,
        S.BASELINE,
        S.CONTEXTUAL,
        S.IN_DEVELOPMENT,
        S.SUSPENDED,
    ]
    rows = summarise([S.GREEN, S.NO_DATA, S.NO_TARGET])
    assert [r.status for r in rows][-2:] == [S.NO_TARGET, S.NO_DATA]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 10, 1], [8, 8, 77, 7]),
        # 16.67, 66.67, 16.67: floors 16, 66, 16 leave 2 points; the remainders tie (400 mod 6 =
        # 100 mod 6 = 4), so the larger count comes first, then the earlier row.
        ([1, 4, 1], [17, 67, 16]),
        ([1, 1, 1], [34, 33, 33]),
        ([0, 0, 0], [0, 0, 0]),
        ([0, 5, 0], [0, 100, 0]),
        ([2, 1], [67, 33]),
    ],
)
def test_largest_remainder_by_hand(counts: list[int], expected: list[int]) -> None:
    assert largest_remainder_percentages(counts) == expected


def test_independent_rounding_need_not_add_up() -> None:
    """The conventional figures, which a footnote warns may not add to 100."""
    statuses = [S.RED, S.AMBER] + [S.GREEN] * 10 + [S.BASELINE]
    rows = summarise(statuses, PercentRounding.INDEPENDENT)
    assert [r.percent for r in rows if r.count] == [8, 8, 77, 8]


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_percentages_add_to_100_for_any_counts(counts: list[int]) -> None:
    percents = largest_remainder_percentages(counts)
    total = sum(counts)
    assert sum(percents) == (100 if total else 0)
    for count, percent in zip(counts, percents, strict=True):
        if total:
            share = Fraction(100 * count, total)
            assert share - 1 < percent < share + 1  # the floor or the one above
        if count == 0:
            assert percent == 0
