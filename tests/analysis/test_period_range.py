"""Periods kpiboard can date: labels in the years 1900 to 2200 (kpiboard.analysis.periods,
EARLIEST_YEAR and LATEST_YEAR). ``0000-01`` and ``9999-12`` read as labels but have no dates (a
date runs from year 1 to 9999, and December 9999's quarter ends in 10000), and made every page
that was given one fail (issue 14, finding 5)."""

from __future__ import annotations

from datetime import date

import pytest

from kpiboard.analysis.periods import (
    Frequency,
    Period,
    PeriodError,
    PeriodOutOfRangeError,
    parse_period,
)


def dated(period: Period) -> tuple[date, date]:
    """The first days of its first and last months, as a report writes them."""
    return date(*period.first_month, 1), date(*period.last_month, 1)


CASES = [
    # label, frequency asked for, read
    ("1900-01", None, True),
    ("2200-12", None, True),
    ("1899-12", None, False),
    ("2201-01", None, False),
    ("0000-01", None, False),
    ("9999-12", None, False),
    ("1900/01 Q1", None, True),
    ("1899/00 Q4", None, True),  # January to March 1900
    ("1899/00 Q3", None, False),
    ("2199/00 Q4", None, True),  # January to March 2200
    ("2200/01 Q3", None, True),  # October to December 2200
    ("2200/01 Q4", None, False),  # January to March 2201
    ("2200/01", None, False),
    ("0000/01 Q1", None, False),
    ("9999/00 Q4", None, False),
    ("0001-01-01", Frequency.QUARTER, False),
    ("9999-12-31", Frequency.QUARTER, False),
    ("2024-09-30", Frequency.QUARTER, True),
]


@pytest.mark.parametrize(("label", "frequency", "read"), CASES)
def test_only_periods_in_the_years_1900_to_2200_are_read(
    label: str, frequency: Frequency | None, read: bool
) -> None:
    if read:
        period = parse_period(label, frequency)
        dated(period)  # and it, the next and the year before can be dated
        dated(period.next())
        dated(period.year_earlier())
    else:
        with pytest.raises(PeriodOutOfRangeError, match="in the years 1900 to 2200"):
            parse_period(label, frequency)


def test_out_of_range_is_a_period_error() -> None:
    """Every caller that catches PeriodError (the readers, the forms) refuses it too."""
    assert issubclass(PeriodOutOfRangeError, PeriodError)


def test_a_period_is_still_made_from_any_month_number() -> None:
    """The range is for labels read; the engine's arithmetic is untouched."""
    assert Period.month(1850, 1).label == "1850-01"
