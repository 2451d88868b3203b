"""The checks and rows shared by the national readers (:mod:`kpiboard.datafiles.national`).

Each reader turns its file into one long frame (``_row``, area_code, area_name, period, ``_label``,
value, lower_ci, upper_ci, optionally ``_column``); :func:`checked_rows` checks every cell of it at
once and makes the :class:`~kpiboard.analysis.model.NeighbourValue` rows of one indicator, in
period order (by first month, a shorter period before a longer one starting with it), then by
area code.

Values are numbers as the data folder reads them, also with thousands separators (``1,414.2``); a
suppressed or missing value (an empty cell, ``x``, ``c``, ``..``, ``-``, ``*``, ``n/a``, ``null``,
``NaN`` or any mark in square brackets such as ``[c]``) becomes a row whose value is None, not an
error. With ``percent`` (the indicator is a percentage) values and limits must lie from 0 to 100.
Every error is listed at once in a :class:`~kpiboard.datafiles.errors.DataFileError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat

import polars as pl

from kpiboard.analysis.model import NeighbourValue
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.area_groups import AREA_CODE_EXPECTED
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.period_columns import FREQUENCY_CODES, PeriodBook, Reading
from kpiboard.datafiles.tables import NUMBER_PATTERN, flag_greater

__all__ = ["ReadingFor", "checked_rows"]

_VALUE_EXPECTED = (
    "a number, such as 81.5, or a mark of a suppressed value such as x, [c] or .. "
    "(no spaces or % sign)"
)
_SUPPRESSED = (
    "x", "c", "z", "u", "..", ".", "-", "–", "—", "*", ":", "~",
    "n/a", "na", "#n/a", "null", "none", "nan", "missing", "suppressed",
)  # fmt: skip
_BRACKETED = r"^\[[A-Za-z ]+\]$"
_THOUSANDS = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$"
_AREA_CODE_PATTERN = r"^[A-Z][0-9]{8}$"
_NUMBERS = ("value", "lower_ci", "upper_ci")
_TEXTS = ("area_code", "area_name", "period", *_NUMBERS)


@dataclass(frozen=True, slots=True)
class ReadingFor:
    """What the rows are read for: the indicator's ref, frequency, and whether a percentage."""

    ref: str
    frequency: Frequency | None
    percent: bool
    year_start_month: int

    @property
    def frequency_code(self) -> int:
        return FREQUENCY_CODES[self.frequency.value] if self.frequency is not None else 0


@dataclass(frozen=True, slots=True)
class _Check:
    """Rows where ``mask`` holds are errors in the ``role`` column (area_code, value, ...)."""

    mask: pl.Expr
    role: str
    expected: str | pl.Expr


def checked_rows(
    frame: pl.DataFrame,
    file: str,
    names: Mapping[str, str],
    reading: ReadingFor,
    book: PeriodBook,
    errors: list[DataError],
) -> tuple[NeighbourValue, ...]:
    """Check the long frame (``_row``, area_code, area_name, period, ``_label``, value,
    lower_ci, upper_ci, optionally ``_column``: the value's header) and make its rows."""
    if "_column" not in frame.columns:
        frame = frame.with_columns(pl.lit(names.get("value", "value")).alias("_column"))
    for role in _TEXTS:
        if role not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(role))
    frame = frame.with_columns(_cleaned(role) for role in _TEXTS)
    frame = frame.with_columns(_number_text(role) for role in _NUMBERS)
    frame = frame.with_columns(_number(role) for role in _NUMBERS)
    if frame.height == 0:
        if not errors:
            errors.append(DataError(file, None, None, None, "values for at least one area"))
        raise DataFileError(errors)
    frame = frame.with_columns(
        pl.col("_label_frequency").fill_null(reading.frequency_code).alias("_fcode"),
        _cleaned("_label"),
    )
    frame = book.resolve(frame, "_label", Reading.SAME_OR_LONGER)
    frame = flag_greater(
        frame,
        [
            ("lower_ci", "upper_ci"),
            ("lower_ci", "value"),
            ("value", "upper_ci"),
            *((name, Decimal(100)) for name in _NUMBERS),
        ],
    )
    key_known = pl.col("area_code").is_not_null() & pl.col("_pid").is_not_null()
    frame = frame.with_columns(
        pl.when(key_known).then(pl.col("_row").min().over("area_code", "_pid")).alias("_first")
    )
    _report(frame, file, names, _checks(reading, book), errors)
    if errors:  # once each: a wide file's bad area code would be named once a period
        raise DataFileError(sorted(dict.fromkeys(errors), key=lambda error: error.row or 0))
    return _rows(frame.sort("_start", "_months", "area_code", "_row"), reading.ref, book)


def _checks(reading: ReadingFor, book: PeriodBook) -> list[_Check]:
    code = pl.col("area_code")
    checks = [
        _Check(code.is_null(), "area_code", "an area code: this cell cannot be empty"),
        _Check(~code.str.contains(_AREA_CODE_PATTERN), "area_code", AREA_CODE_EXPECTED),
        _Check(pl.col("period").is_null(), "period", "a period: this cell cannot be empty"),
        _Check(pl.col("_perr").is_not_null(), "period", book.error_message()),
        *(_Check(_unreadable(role), role, _VALUE_EXPECTED) for role in _NUMBERS),
        _Check(
            pl.col("_lower_ci_above_upper_ci"),
            "lower_ci",
            pl.format("a lower limit not above the upper limit {}", pl.col("upper_ci")),
        ),
        _Check(
            pl.col("_lower_ci_above_value"),
            "value",
            pl.format("a value not below its lower limit {}", pl.col("lower_ci")),
        ),
        _Check(
            pl.col("_value_above_upper_ci"),
            "value",
            pl.format("a value not above its upper limit {}", pl.col("upper_ci")),
        ),
        _Check(
            pl.col("_first").is_not_null() & (pl.col("_first") != pl.col("_row")),
            "area_code",
            pl.format(
                "one value for area {} in period {}: row {} has one already",
                pl.col("area_code"),
                pl.col("period"),
                pl.col("_first"),
            ),
        ),
    ]
    if reading.percent:
        checks += [
            _Check(
                (pl.col(f"{name}#f") < 0) | pl.col(f"_{name}_above_100"),
                name,
                f"a value from 0 to 100: {reading.ref} is a percentage",
            )
            for name in _NUMBERS
        ]
    return checks


def _report(
    frame: pl.DataFrame,
    file: str,
    names: Mapping[str, str],
    checks: Sequence[_Check],
    errors: list[DataError],
) -> None:
    """Evaluate every mask in one pass; turn only the failing cells into errors."""
    failing = frame.select(
        check.mask.fill_null(False).any().alias(f"_m{i}") for i, check in enumerate(checks)
    ).row(0)
    for check, failed in zip(checks, failing, strict=True):
        if not failed:
            continue
        expected = check.expected if isinstance(check.expected, pl.Expr) else pl.lit(check.expected)
        column = pl.col("_column") if check.role == "value" else pl.lit(names.get(check.role))
        hits = frame.filter(check.mask.fill_null(False)).select(
            "_row",
            column.cast(pl.String).alias("_name"),
            pl.col(check.role).cast(pl.String).alias("_found"),
            expected.cast(pl.String).alias("_expected"),
        )
        for row, name, found, message in hits.iter_rows():
            errors.append(DataError(file, row, name or check.role, found or "", message))


def _unreadable(role: str) -> pl.Expr:
    return pl.col(role).is_not_null() & pl.col(f"{role}#f").is_null()


def _cleaned(role: str) -> pl.Expr:
    """Stripped, an empty cell missing."""
    cell = pl.col(role).str.strip_chars()
    return pl.when(cell.str.len_bytes() > 0).then(cell).alias(role)


def _number_text(role: str) -> pl.Expr:
    """A suppression mark as missing; thousands separators dropped (1,414.2 is 1414.2)."""
    cell = pl.col(role)
    suppressed = cell.str.to_lowercase().is_in(list(_SUPPRESSED)) | cell.str.contains(_BRACKETED)
    return (
        pl.when(suppressed)
        .then(None)
        .when(cell.str.contains(_THOUSANDS))
        .then(cell.str.replace_all(",", "", literal=True))
        .otherwise(cell)
        .alias(role)
    )


def _number(role: str) -> pl.Expr:
    """The float of a number written as the data folder reads one, else null."""
    cell = pl.col(role)
    number = cell.cast(pl.Float64, strict=False)
    readable = cell.str.contains(NUMBER_PATTERN) & number.is_finite()
    return pl.when(readable).then(number).alias(f"{role}#f")


def _rows(frame: pl.DataFrame, ref: str, book: PeriodBook) -> tuple[NeighbourValue, ...]:
    decimals = _Decimals()
    periods = book.periods
    return tuple(
        map(
            NeighbourValue,
            repeat(ref),
            [periods[pid] for pid in frame["_pid"].to_list()],
            frame["area_code"].to_list(),
            [name or "" for name in frame["area_name"].to_list()],
            decimals.of(frame["value"]),
            decimals.of(frame["lower_ci"]),
            decimals.of(frame["upper_ci"]),
        )
    )


class _Decimals:
    """Decimals by their text, each made once (values of one decimal place repeat a lot)."""

    def __init__(self) -> None:
        self._made: dict[str | None, Decimal | None] = {None: None}

    def of(self, column: pl.Series) -> list[Decimal | None]:
        made = self._made
        texts = column.to_list()
        for text in texts:
            if text not in made:
                made[text] = Decimal(text)
        return [made[text] for text in texts]
