"""Reporting periods in the web app: URL slugs, the current collection period, returns due.

A period's label has a slash and a space (``2024/25 Q2``); its slug does not (``2024-25-q2``).
The collection period defaults to the last quarter that has ended; organisation.toml's
``[collection]`` table can set ``current_period`` and ``due_days`` (days after a period's end
its return is due, default 15).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Frequency, Period, PeriodError, parse_period
from kpiboard.web import clock

DEFAULT_DUE_DAYS = 15


def slug(period: Period) -> str:
    return period.label.replace("/", "-").replace(" ", "-").lower()


def from_slug(text: str, year_start_month: int = 4) -> Period:
    """The period of a slug or a label: ``2024-25-q2``, ``2024/25 Q2``, ``2024-07``, ``2024-25``.

    Raises PeriodError (PeriodOutOfRangeError for one outside the years 1900 to 2200, which could
    not be dated: kpiboard.analysis.periods.EARLIEST_YEAR) or ValueError for anything else; an
    address or query string is anyone's to write, so every caller answers either with a page
    that says what was wrong, never a server error.
    """
    cleaned = text.strip()
    if cleaned.lower().endswith(("-q1", "-q2", "-q3", "-q4")):
        cleaned = cleaned[:-3].replace("-", "/") + " " + cleaned[-2:].upper()
    elif len(cleaned) == 7 and cleaned[4] == "-" and int(cleaned[5:] or 0) > 12:
        cleaned = cleaned.replace("-", "/")  # 2024-25 is a financial year, not a month
    return parse_period(cleaned, None, year_start_month)


def month_date(absolute_month: int, *, last_day: bool = False) -> dt.date:
    year, month = divmod(absolute_month, 12)
    first = dt.date(year, month + 1, 1)
    if not last_day:
        return first
    following = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def collection_settings(organisation: Organisation) -> dict[str, Any]:
    table = organisation.extra.get("collection", {})
    return dict(table) if isinstance(table, dict) else {}


def due_days(organisation: Organisation) -> int:
    try:
        return int(collection_settings(organisation).get("due_days", DEFAULT_DUE_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_DUE_DAYS


def current_period(organisation: Organisation, today: dt.date | None = None) -> Period:
    """The reporting quarter returns are being collected for now."""
    year_start = organisation.settings.year_start_month
    configured = collection_settings(organisation).get("current_period")
    if configured:
        try:
            return parse_period(str(configured), Frequency.QUARTER, year_start)
        except PeriodError:
            pass
    today = today or clock.today()
    this_quarter = Period.containing(
        today.year * 12 + today.month - 1, Frequency.QUARTER, year_start
    )
    return this_quarter.previous()


@dataclass(frozen=True)
class Due:
    """One return owed: an indicator's figure for one of its own periods."""

    period: Period
    due: dt.date

    def days_late(self, today: dt.date) -> int:
        return max(0, (today - self.due).days)


def periods_due(frequency: Frequency, reporting: Period, organisation: Organisation) -> list[Due]:
    """The periods at ``frequency`` whose returns fall in the reporting quarter: its months, the
    quarter itself, or the financial year when the quarter is its last."""
    days = due_days(organisation)
    if frequency is Frequency.YEAR:
        year = reporting.financial_year
        periods = [year] if year.end == reporting.end else []
    elif frequency is Frequency.QUARTER:
        periods = [reporting]
    else:
        periods = reporting.subperiods(Frequency.MONTH)
    return [Due(p, month_date(p.end, last_day=True) + dt.timedelta(days=days)) for p in periods]
