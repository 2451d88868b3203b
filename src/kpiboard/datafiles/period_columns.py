"""Period columns: each distinct label read once, at the frequency of the row's indicator.

A file of 600,000 neighbour rows holds a few dozen distinct period labels, so the labels are parsed
in Python once per (label, indicator frequency) and mapped back onto the rows with a join.

How a label is read depends on the file (``Reading``):

- ``EXACT`` (observations.csv): the period must be at the indicator's frequency; a date is the
  period that contains it.
- ``SAME_OR_LONGER`` (neighbours.csv): the indicator's frequency or a longer one, since comparator
  data is often published quarterly or yearly for an indicator the council tracks monthly; a date
  is read at the indicator's frequency.
- ``ANY`` (targets.csv ``from``, commentary.csv): any label, read as itself; a date is read at the
  indicator's frequency. A year label on a monthly indicator's target means from the start of that
  year; ``2011-12`` is December 2011 here even for an annual indicator (as the writer writes a
  month), where observations.csv would read it as the year 2011/12.

A row whose ref is unknown is read with no frequency (a date then means its month), so that an
unreadable label is still reported.
"""

from __future__ import annotations

import re
from enum import Enum

import polars as pl

from kpiboard.analysis.periods import (
    EARLIEST_YEAR,
    EXPECTED_FORMS,
    LATEST_YEAR,
    Frequency,
    Period,
    PeriodError,
    PeriodOutOfRangeError,
    parse_period,
)

__all__ = ["FREQUENCY_CODES", "PeriodBook", "Reading"]

_EXAMPLES = {
    Frequency.MONTH: "2024-09",
    Frequency.QUARTER: "2024/25 Q2",
    Frequency.YEAR: "2024/25",
}


_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FREQUENCIES: tuple[Frequency | None, ...] = (None, *Frequency)
FREQUENCY_CODES = {f.value: code for code, f in enumerate(_FREQUENCIES) if f is not None}
"""A frequency's code in the ``_fcode`` column: 1 month, 2 quarter, 3 year (0: unknown)."""


class Reading(Enum):
    EXACT = "exact"
    SAME_OR_LONGER = "same_or_longer"
    ANY = "any"


class PeriodBook:
    """Every period met while reading, numbered; rows carry the number (``_pid``).

    The same Period object serves every row that names it, so a million rows hold a few dozen.
    An unreadable label gets instead the number of the message saying what was expected
    (``_perr``).
    """

    def __init__(self, year_start_month: int) -> None:
        self.year_start_month = year_start_month
        self.periods: list[Period] = []
        self._ids: dict[Period, int] = {}
        self._messages: list[str] = []

    def error_message(self) -> pl.Expr:
        """What was expected in place of each unreadable label, from ``_perr``."""
        return pl.col("_perr").replace_strict(
            list(range(len(self._messages))), self._messages, return_dtype=pl.String
        )

    def resolve(self, frame: pl.DataFrame, column: str, reading: Reading) -> pl.DataFrame:
        """Add ``_pid``, ``_start`` and ``_months`` (null where unreadable) and ``_perr``.

        ``frame`` needs the text ``column`` and ``_fcode``, the code of its indicator's
        frequency (null or 0 when unknown). Each row gets a key, (label's code) x 4 + (frequency
        code); each distinct key is read once and its results are gathered back by key.
        """
        texts = frame[column].drop_nulls().unique(maintain_order=True).to_list()
        label = pl.col(column).cast(pl.Enum(texts)).to_physical().cast(pl.Int64)
        frame = frame.with_columns((label * 4 + pl.col("_fcode").fill_null(0)).alias("_key"))
        size = len(texts) * 4
        ids: list[int | None] = [None] * size
        starts: list[int | None] = [None] * size
        months: list[int | None] = [None] * size
        messages: list[int | None] = [None] * size
        for code in frame["_key"].drop_nulls().unique().to_list():
            found = self._read(texts[code // 4], _FREQUENCIES[code % 4], reading)
            if isinstance(found, Period):
                ids[code] = self._number(found)
                starts[code] = found.start
                months[code] = found.frequency.months
            else:
                messages[code] = len(self._messages)
                self._messages.append(found)
        return frame.with_columns(
            pl.lit(pl.Series(values, dtype=pl.Int64)).gather(pl.col("_key")).alias(name)
            for name, values in (
                ("_pid", ids),
                ("_start", starts),
                ("_months", months),
                ("_perr", messages),
            )
        ).drop("_key")

    def _number(self, period: Period) -> int:
        number = self._ids.get(period)
        if number is None:
            number = self._ids[period] = len(self.periods)
            self.periods.append(period)
        return number

    def _read(self, text: str, frequency: Frequency | None, reading: Reading) -> Period | str:
        """The period, or what was expected instead."""
        ysm = self.year_start_month
        if reading is Reading.ANY and not _DATE.match(text.strip()):
            frequency = None
        try:
            return parse_period(text, frequency, ysm)
        except PeriodOutOfRangeError:
            return f"a period in the years {EARLIEST_YEAR} to {LATEST_YEAR}"
        except PeriodError:
            pass
        if frequency is None or reading is Reading.ANY:
            return f"a period: {EXPECTED_FORMS}"
        try:
            found = parse_period(text, None, ysm)
        except PeriodError:
            return f"a period: {EXPECTED_FORMS}"
        example = _EXAMPLES[frequency]
        if reading is Reading.SAME_OR_LONGER:
            if found.frequency.months > frequency.months:
                return found
            return (
                f"a {frequency} such as {example}, or a longer period: the indicator is "
                f"measured by {frequency}"
            )
        return f"a {frequency} such as {example}: the indicator is measured by {frequency}"
