"""The status summary and its percentages (semantics.md 10)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.model import PercentRounding
from kpiboard.analysis.status import Status
from kpiboard.analysis.summary import (
    ROUNDING_FOOTNOTE,
    SummaryRow,
    independent_percentages,
    largest_remainder_percentages,
    summarise,
    summary_footnote,
)

S = Status


def test_the_thirteen_indicator_example_gives_8_8_77_8_with_the_footnote() -> None:
    """By default each share is rounded on its own (semantics.md 10): 100/13 = 7.69 gives 8 for
    Red, Amber and Baseline, 1000/13 = 76.92 gives 77 for Green; 8 + 8 + 77 + 8 = 101, so the
    table carries the footnote."""
    statuses = [S.RED, S.AMBER] + [S.GREEN] * 10 + [S.BASELINE]
    rows = summarise(statuses)
    shown = {row.status: (row.count, row.percent) for row in rows}
    assert shown[S.RED] == (1, 8)
    assert shown[S.AMBER] == (1, 8)
    assert shown[S.GREEN] == (10, 77)
    assert shown[S.BASELINE] == (1, 8)
    assert sum(row.percent for row in rows) == 101
    assert summary_footnote(rows) == "Figures may not add to 100 due to rounding."
    assert summary_footnote(rows) == ROUNDING_FOOTNOTE


def test_largest_remainder_gives_8_8_77_7_without_a_footnote() -> None:
    """The floors 7, 7, 76, 7 leave 3 points; Green's remainder (1000 mod 13 = 12) is largest,
    then Red, Amber and Baseline tie (100 mod 13 = 9) with equal counts, so the earlier rows,
    Red and Amber, take the other two."""
    statuses = [S.RED, S.AMBER] + [S.GREEN] * 10 + [S.BASELINE]
    rows = summarise(statuses, PercentRounding.LARGEST_REMAINDER)
    shown = {row.status: (row.count, row.percent) for row in rows}
    assert shown[S.RED] == (1, 8)
    assert shown[S.AMBER] == (1, 8)
    assert shown[S.GREEN] == (10, 77)
    assert shown[S.BASELINE] == (1, 7)
    assert sum(row.percent for row in rows) == 100
    assert summary_footnote(rows) is None


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


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # 12.5 and 87.5: half-up gives 13 and 88 (101), never banker's 12 and 88.
        ([1, 7], [13, 88]),
        # 33.33 each: 33, 33, 33 (99).
        ([1, 1, 1], [33, 33, 33]),
        # 16.67, 66.67, 16.67: 17, 67, 17 (101); equal counts, equal percentages.
        ([1, 4, 1], [17, 67, 17]),
        ([2, 1], [67, 33]),
        ([0, 5, 0], [0, 100, 0]),
        ([0, 0], [0, 0]),
    ],
)
def test_independent_by_hand(counts: list[int], expected: list[int]) -> None:
    assert independent_percentages(counts) == expected


def _half_up(share: Fraction) -> int:
    """Round a non-negative share half-up: the floor of share + 1/2."""
    return int(share + Fraction(1, 2))


statuses_lists = st.lists(st.sampled_from(list(Status)), max_size=60)


@given(statuses_lists)
def test_the_footnote_is_there_exactly_when_the_percentages_do_not_add_to_100(
    statuses: list[Status],
) -> None:
    rows = summarise(statuses)
    total = len(statuses)
    for row in rows:
        expected = _half_up(Fraction(100 * row.count, total)) if total else 0
        assert row.percent == expected
    adds_to_100 = total == 0 or sum(row.percent for row in rows) == 100
    assert (summary_footnote(rows) is not None) is (not adds_to_100)
    if not adds_to_100:
        assert summary_footnote(rows) == ROUNDING_FOOTNOTE


@given(statuses_lists)
def test_equal_counts_show_equal_percentages_by_default(statuses: list[Status]) -> None:
    rows = summarise(statuses)
    for a in rows:
        for b in rows:
            if a.count == b.count:
                assert a.percent == b.percent


@given(statuses_lists.filter(bool))
def test_largest_remainder_always_adds_to_100_and_needs_no_footnote(
    statuses: list[Status],
) -> None:
    rows = summarise(statuses, PercentRounding.LARGEST_REMAINDER)
    assert sum(row.percent for row in rows) == 100
    assert summary_footnote(rows) is None
    assert sum(row.count for row in rows) == len(statuses)


def test_no_indicators_no_footnote() -> None:
    """Nothing to add up: every row 0 and no footnote."""
    rows = summarise([])
    assert all(row.count == 0 and row.percent == 0 for row in rows)
    assert summary_footnote(rows) is None


def test_the_footnote_reads_the_rows_it_is_given() -> None:
    """99 and 101 both need it; 100 does not."""
    assert summary_footnote([SummaryRow(S.RED, 1, 33), SummaryRow(S.GREEN, 2, 66)]) is not None
    assert summary_footnote([SummaryRow(S.RED, 1, 34), SummaryRow(S.GREEN, 2, 67)]) is not None
    assert summary_footnote([SummaryRow(S.RED, 1, 33), SummaryRow(S.GREEN, 2, 67)]) is None
