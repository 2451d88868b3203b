"""Reporting periods on the UK financial year (semantics.md section 1).

A period is a run of whole calendar months: a month, a quarter or a financial year. Internally a
month is counted as ``year * 12 + (month - 1)``, so ``2024-09`` is month number 24308 and periods
compare, subtract and step by plain integer arithmetic.

Labels, as written everywhere: ``2024-09`` (month), ``2024/25 Q2`` (quarter), ``2024/25`` (financial
year). On input :func:`parse_period` also accepts ``2024-25 Q2``, ``Q2 2024/25``, ``Q2 2024-25``,
``2024-25``, ``2024/2025`` and an ISO date, which means the period that contains it at the
frequency asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "Frequency",
    "Period",
    "PeriodError",
    "PeriodOutOfRangeError",
    "financial_year_of",
    "parse_period",
]

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
"""The calendar years a period label may fall in (its first and last months). Every period has
dates (its first and last day, the day its return is due, a report's cover), and a date runs only
from year 1 to 9999: ``0000-01`` or ``9999/00 Q4`` can be written but not dated. 1900 to 2200 is
far inside those limits, so a period a page steps to from one it was given (the year before, the
next quarter) is always a date too, and it holds every figure a council will record, while a year
mistyped by a digit or two (0224, 9024) is caught where it is read."""


class Frequency(StrEnum):
    """How often an indicator is measured, finest first."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        """Calendar months in one period: 1, 3 or 12."""
        return _MONTHS[self]


_MONTHS = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.YEAR: 12}


class PeriodError(ValueError):
    """A period label that cannot be read, or that does not fit the frequency asked for."""


class PeriodOutOfRangeError(PeriodError):
    """A period label that reads, but for a year outside ``EARLIEST_YEAR`` to ``LATEST_YEAR``."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A month, quarter or financial year.

    ``start`` is the absolute month number of its first month (``year * 12 + month - 1``).
    ``year_start_month`` is the first calendar month of the financial year (4 = April), needed
    only to write the label and to find quarter and year boundaries.

    >>> p = Period.quarter(2024, 2)
    >>> str(p), p.first_month, p.last_month
    ('2024/25 Q2', (2024, 7), (2024, 9))
    """

    start: int
    frequency: Frequency
    year_start_month: int = 4
    #: Absolute month number of the last month (kept, not computed: the engine asks often).
    end: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "end", self.start + _MONTHS[self.frequency] - 1)
        if not 1 <= self.year_start_month <= 12:
            raise PeriodError(f"year_start_month must be 1-12, not {self.year_start_month}")
        if self.frequency is not Frequency.MONTH:
            offset = (self.start - (self.year_start_month - 1)) % self.frequency.months
            if offset:
                raise PeriodError(
                    f"a {self.frequency} must start on a {self.frequency} boundary of the "
                    f"financial year, not in month {self.start % 12 + 1}"
                )

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int, year_start_month: int = 4) -> Period:
        """The calendar month ``year``-``month``."""
        if not 1 <= month <= 12:
            raise PeriodError(f"month must be 1-12, not {month}")
        return cls(year * 12 + month - 1, Frequency.MONTH, year_start_month)

    @classmethod
    def quarter(cls, fy_start_year: int, quarter: int, year_start_month: int = 4) -> Period:
        """Quarter ``quarter`` (1-4) of the financial year that starts in ``fy_start_year``."""
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter must be 1-4, not {quarter}")
        start = fy_start_year * 12 + year_start_month - 1 + 3 * (quarter - 1)
        return cls(start, Frequency.QUARTER, year_start_month)

    @classmethod
    def year(cls, fy_start_year: int, year_start_month: int = 4) -> Period:
        """The financial year that starts in ``fy_start_year`` (2024 is 2024/25)."""
        return cls(fy_start_year * 12 + year_start_month - 1, Frequency.YEAR, year_start_month)

    @classmethod
    def containing(
        cls, absolute_month: int, frequency: Frequency, year_start_month: int = 4
    ) -> Period:
        """The period at ``frequency`` that contains the given absolute month number."""
        offset = (absolute_month - (year_start_month - 1)) % frequency.months
        return cls(absolute_month - offset, frequency, year_start_month)

    # -- arithmetic --------------------------------------------------------------------------
    @property
    def first_month(self) -> tuple[int, int]:
        return divmod(self.start, 12)[0], self.start % 12 + 1

    @property
    def last_month(self) -> tuple[int, int]:
        return divmod(self.end, 12)[0], self.end % 12 + 1

    @property
    def index(self) -> int:
        """Position on this frequency's time line: consecutive periods differ by one."""
        return (self.start - (self.year_start_month - 1)) // self.frequency.months

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative)."""
        return Period(
            self.start + steps * self.frequency.months, self.frequency, self.year_start_month
        )

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    def year_earlier(self) -> Period:
        """The same period twelve months earlier."""
        return Period(self.start - 12, self.frequency, self.year_start_month)

    @property
    def financial_year(self) -> Period:
        """The financial year this period falls in (its first month decides)."""
        return Period.containing(self.start, Frequency.YEAR, self.year_start_month)

    def subperiods(self, frequency: Frequency) -> list[Period]:
        """The periods at a finer (or the same) frequency that make up this one, in order."""
        if frequency.months > self.frequency.months:
            raise PeriodError(f"a {frequency} is not part of a {self.frequency}")
        step = frequency.months
        return [
            Period(m, frequency, self.year_start_month)
            for m in range(self.start, self.end + 1, step)
        ]

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    # -- labels ------------------------------------------------------------------------------
    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.frequency is Frequency.MONTH:
            year, month = self.first_month
            return f"{year:04d}-{month:02d}"
        fy = (self.start - (self.year_start_month - 1)) // 12
        fy_label = f"{fy:04d}/{(fy + 1) % 100:02d}"
        if self.frequency is Frequency.YEAR:
            return fy_label
        quarter = (self.start - (fy * 12 + self.year_start_month - 1)) // 3 + 1
        return f"{fy_label} Q{quarter}"


def financial_year_of(year: int, month: int, year_start_month: int = 4) -> int:
    """The start year of the financial year that contains ``year``-``month``."""
    return year if month >= year_start_month else year - 1


# ASCII digits only (re.ASCII): Python's \d also matches other scripts' digits, such as the
# full-width ２０２４ a Japanese input method types, which would be read as a year no one wrote.
_FY = r"(?P<fy>\d{4})[/-](?P<fy2>\d{2}|\d{4})"
_QUARTER_AFTER = re.compile(rf"^{_FY}\s+Q(?P<q>[1-4])$", re.IGNORECASE | re.ASCII)
_QUARTER_BEFORE = re.compile(rf"^Q(?P<q>[1-4])\s+{_FY}$", re.IGNORECASE | re.ASCII)
_YEAR = re.compile(rf"^{_FY}$", re.ASCII)
_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$", re.ASCII)
# A date, optionally with the time of day a spreadsheet adds (2024-09-15 00:00:00,
# 2024-09-15T10:30:00Z): a time, and nothing else, may follow the day.
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?"
_DATE = re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?:[T ]{_TIME})?$", re.ASCII)

EXPECTED_FORMS = (
    "a month such as 2024-09, a quarter such as 2024/25 Q2, a year such as 2024/25, or a date"
)


def _fy_start(match: re.Match[str]) -> int | None:
    """The financial year's start year, or None when the second year does not follow the first."""
    first, second = int(match["fy"]), match["fy2"]
    follows = (first + 1) % 100 if len(second) == 2 else first + 1
    return first if int(second) == follows else None


def parse_period(
    text: str, frequency: Frequency | None = None, year_start_month: int = 4
) -> Period:
    """Read a period label in any accepted form.

    ``frequency`` is the frequency the period must have (an indicator's own), or None to take it
    from the label. A date is read as the period containing it, so it needs a frequency (a month
    when none is given).

    >>> parse_period("Q2 2024-25").label
    '2024/25 Q2'
    >>> parse_period("2024-08-15", Frequency.QUARTER).label
    '2024/25 Q2'
    """
    cleaned = " ".join(text.split())
    found: Period | None = None
    if m := (_QUARTER_AFTER.match(cleaned) or _QUARTER_BEFORE.match(cleaned)):
        fy = _fy_start(m)
        if fy is not None:
            found = Period.quarter(fy, int(m["q"]), year_start_month)
    elif m := _MONTH.match(cleaned):
        month = int(m["m"])
        year = int(m["y"])
        is_year_label = (year + 1) % 100 == month
        if is_year_label and frequency is Frequency.YEAR:  # "2011-12" where a year is expected
            found = Period.year(year, year_start_month)
        elif 1 <= month <= 12:
            found = Period.month(year, month, year_start_month)
        elif is_year_label:  # "2024-25" is a financial year, not month 25
            found = Period.year(year, year_start_month)
    elif m := _YEAR.match(cleaned):
        fy = _fy_start(m)
        if fy is not None:
            found = Period.year(fy, year_start_month)
    elif m := _DATE.match(cleaned):
        try:
            day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            day = None
        if day is not None:
            absolute = day.year * 12 + day.month - 1
            dated = Period.containing(absolute, frequency or Frequency.MONTH, year_start_month)
            return _check_range(text, dated)
    if found is None:
        raise PeriodError(f"{text!r} is not a period: expected {EXPECTED_FORMS}")
    _check_range(text, found)
    if frequency is not None and found.frequency is not frequency:
        raise PeriodError(
            f"{text!r} is a {found.frequency}, but a {frequency} is expected here "
            f"(such as {_EXAMPLES[frequency]})"
        )
    return found


_EXAMPLES = {
    Frequency.MONTH: "2024-09",
    Frequency.QUARTER: "2024/25 Q2",
    Frequency.YEAR: "2024/25",
}


def _check_range(text: str, period: Period) -> Period:
    """``period``, if its months fall in ``EARLIEST_YEAR`` to ``LATEST_YEAR``.

    >>> try:
    ...     parse_period("0000-01")
    ... except PeriodOutOfRangeError as error:
    ...     print(error)
    '0000-01' is not a period kpiboard can date: expected one in the years 1900 to 2200
    """
    if period.first_month[0] < EARLIEST_YEAR or period.last_month[0] > LATEST_YEAR:
        raise PeriodOutOfRangeError(
            f"{text!r} is not a period kpiboard can date: expected one in the years "
            f"{EARLIEST_YEAR} to {LATEST_YEAR}"
        )
    return period
