"""Small pieces of English for reports: counts with nouns, dates, periods.

>>> count_of(1, "red indicator"), count_of(3, "indicator")
('1 red indicator', '3 indicators')
>>> long_date(date(2024, 12, 17))
'17 December 2024'
"""

from __future__ import annotations

import calendar
from datetime import date

from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.values import PeriodValue

__all__ = [
    "count_of",
    "count_words",
    "figure_label",
    "figure_period",
    "is_are",
    "long_date",
    "period_dates",
    "period_in_words",
    "period_label",
]


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun, plural unless the count is one."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def count_words(count: int, noun: str, plural: str | None = None) -> str:
    """Like :func:`count_of`, but none is "no": "no indicators", "1 indicator", "3 indicators".

    >>> count_words(0, "indicator"), count_words(1, "indicator")
    ('no indicators', '1 indicator')
    """
    if count == 0:
        return f"no {plural or noun + 's'}"
    return count_of(count, noun, plural)


def is_are(count: int) -> str:
    return "is" if count == 1 else "are"


def long_date(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def period_dates(period: Period) -> tuple[date, date]:
    """The first and last day of a period."""
    first_year, first_month = period.first_month
    last_year, last_month = period.last_month
    last_day = calendar.monthrange(last_year, last_month)[1]
    return date(first_year, first_month, 1), date(last_year, last_month, last_day)


def period_in_words(period: Period) -> str:
    """How a committee report names a period.

    >>> from kpiboard.analysis.periods import parse_period
    >>> period_in_words(parse_period("2024/25 Q2"))
    'quarter 2 of 2024/25 (1 July to 30 September 2024)'
    """
    first, last = period_dates(period)
    span = f"{first.day} {calendar.month_name[first.month]}"
    if first.year != last.year:
        span += f" {first.year}"
    span += f" to {long_date(last)}"
    label = str(period)
    if period.frequency is Frequency.QUARTER:
        year, quarter = label.split(" Q")
        return f"quarter {quarter} of {year} ({span})"
    if period.frequency is Frequency.YEAR:
        return f"the financial year {label} ({span})"
    return f"{calendar.month_name[first.month]} {first.year}"


def period_label(period: Period) -> str:
    """How every output labels the period a figure belongs to: the label of the specification
    and, for a quarter or a year, the months it covers; a month is named as a month.

    >>> from kpiboard.analysis.periods import parse_period
    >>> period_label(parse_period("2024/25 Q2"))
    '2024/25 Q2 (July to September 2024)'
    >>> period_label(parse_period("2024/25 Q4"))
    '2024/25 Q4 (January to March 2025)'
    >>> period_label(parse_period("2024/25"))
    '2024/25 (April 2024 to March 2025)'
    >>> period_label(parse_period("2024-09"))
    'September 2024'
    """
    first, last = period_dates(period)
    if period.frequency is Frequency.MONTH:
        return f"{calendar.month_name[first.month]} {first.year}"
    start = calendar.month_name[first.month]
    if first.year != last.year:
        start += f" {first.year}"
    return f"{period} ({start} to {calendar.month_name[last.month]} {last.year})"


def figure_period(value: PeriodValue | None, frequency: Frequency, period: Period) -> Period | None:
    """The period a judged figure belongs to: ``period`` when the figure is made of the
    indicator's own figures inside it (a quarter's months, or the quarter itself), else the
    period of the coarser figure used (an annual survey's latest year). None without a figure.

    >>> from kpiboard.analysis.periods import parse_period
    >>> from decimal import Decimal
    >>> q2 = parse_period("2024/25 Q2")
    >>> september = PeriodValue(Decimal(81), parse_period("2024-09"), ())
    >>> str(figure_period(september, Frequency.MONTH, q2))
    '2024/25 Q2'
    >>> survey = PeriodValue(Decimal(60), parse_period("2023/24"), ())
    >>> str(figure_period(survey, Frequency.YEAR, q2))
    '2023/24'
    """
    if value is None:
        return None
    if frequency.months > period.frequency.months:
        return value.as_of
    return period


def figure_label(value: PeriodValue | None, frequency: Frequency, period: Period) -> str:
    """The words after a figure: the period it belongs to and, when months or quarters of it
    have no figure, which; empty without a figure.

    >>> from kpiboard.analysis.periods import parse_period
    >>> from decimal import Decimal
    >>> q2 = parse_period("2024/25 Q2")
    >>> part = PeriodValue(Decimal(81), parse_period("2024-08"), (), (parse_period("2024-09"),))
    >>> figure_label(part, Frequency.MONTH, q2)
    '2024/25 Q2 (July to September 2024), incomplete: no figure for September 2024'
    """
    own = figure_period(value, frequency, period)
    if value is None or own is None:
        return ""
    text = period_label(own)
    if value.missing:
        text += ", incomplete: no figure for " + ", ".join(map(period_label, value.missing))
    return text
