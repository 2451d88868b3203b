"""Periods on the UK financial year: labels, accepted forms, arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.periods import Frequency, Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "frequency", "expected"),
    [
        ("2024/25 Q2", None, "2024/25 Q2"),
        ("2024-25 Q2", None, "2024/25 Q2"),
        ("Q2 2024/25", None, "2024/25 Q2"),
        ("q2 2024-25", None, "2024/25 Q2"),
        ("2024/25", None, "2024/25"),
        ("2024-25", None, "2024/25"),
        ("2024/2025", None, "2024/25"),
        ("1999/00", None, "1999/00"),
        ("2024-09", None, "2024-09"),
        ("  2024/25   Q2 ", None, "2024/25 Q2"),
        # An ISO date is the period that contains it, at the frequency asked for.
        ("2024-08-15", None, "2024-08"),
        ("2024-08-15", Frequency.QUARTER, "2024/25 Q2"),
        ("2024-03-31", Frequency.YEAR, "2023/24"),
        ("2024-04-01", Frequency.YEAR, "2024/25"),
        ("2025-01-10", Frequency.QUARTER, "2024/25 Q4"),
        # "2011-12" reads as December 2011, unless a year is expected.
        ("2011-12", None, "2011-12"),
        ("2011-12", Frequency.YEAR, "2011/12"),
    ],
)
def test_accepted_forms(text: str, frequency: Frequency | None, expected: str) -> None:
    """Every input form of semantics.md 1 reads as the canonical label."""
    assert parse_period(text, frequency).label == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024",
        "2024/26",
        "2024/2026",
        "2024/25 Q5",
        "Q0 2024/25",
        "2024-13",
        "2024-02-30",
        "Sept 2024",
        "24/25 Q2",
        "2024/25Q2x",
    ],
)
def test_unreadable_periods_are_errors_that_quote_the_text(text: str) -> None:
    """Anything else is an error naming the text found and the forms expected."""
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert repr(text) in str(caught.value)


def test_a_label_of_the_wrong_frequency_is_an_error() -> None:
    """A quarter where a month is expected names both."""
    with pytest.raises(PeriodError, match=r"is a quarter, but a month is expected"):
        parse_period("2024/25 Q2", Frequency.MONTH)


def test_quarters_and_years_follow_the_financial_year() -> None:
    """2024/25 runs April 2024 to March 2025; Q2 is July to September."""
    year = parse_period("2024/25")
    assert (year.first_month, year.last_month) == ((2024, 4), (2025, 3))
    q2 = parse_period("2024/25 Q2")
    assert (q2.first_month, q2.last_month) == ((2024, 7), (2024, 9))
    assert [str(p) for p in q2.subperiods(Frequency.MONTH)] == ["2024-07", "2024-08", "2024-09"]
    assert str(q2.previous()) == "2024/25 Q1"
    assert str(parse_period("2024/25 Q1").previous()) == "2023/24 Q4"
    assert str(q2.year_earlier()) == "2023/24 Q2"
    assert str(parse_period("2025-02").financial_year) == "2024/25"


def test_another_year_start() -> None:
    """A body whose year starts in January labels its quarters from January."""
    q1 = parse_period("2024/25 Q1", year_start_month=1)
    assert q1.first_month == (2024, 1)
    assert str(parse_period("2024-05-02", Frequency.QUARTER, year_start_month=1)) == "2024/25 Q2"


def test_a_quarter_must_start_on_a_quarter_boundary() -> None:
    with pytest.raises(PeriodError):
        Period(2024 * 12 + 4, Frequency.QUARTER)


periods = st.builds(
    lambda frequency, index: Period.containing(2000 * 12 + index * frequency.months, frequency),
    st.sampled_from(list(Frequency)),
    st.integers(min_value=0, max_value=200),
)


@given(periods)
def test_a_label_round_trips_through_parse_and_format(period: Period) -> None:
    assert parse_period(str(period)) == period
    assert parse_period(str(period), period.frequency) == period


@given(periods, st.integers(min_value=-50, max_value=50))
def test_shifting_moves_the_index_by_the_steps(period: Period, steps: int) -> None:
    assert period.shift(steps).index - period.index == steps
    assert period.shift(steps).frequency is period.frequency
