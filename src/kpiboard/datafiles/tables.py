"""The column-spec validation engine: vectorised checks over a table of text cells.

A table arrives as text (a CSV read by polars with no type inference, or a workbook sheet turned
into text), so that nothing is guessed and every cell can be shown as it was written. The engine

1. matches the header against the :class:`~kpiboard.datafiles.schema.TableSpec` (names stripped
   and case-insensitive; unknown names an error unless they start with ``x_``; required columns
   must be there);
2. strips every cell, reads an empty cell as missing, and drops rows that are wholly empty (blank
   lines), keeping each row's spreadsheet number in ``_row``;
3. checks every cell against its column's kind with polars expressions, and adds typed companions:
   ``<column>#f`` (Float64) for numbers, ``<column>#i`` (Int64) for integers, ``<column>#b``
   (Boolean) for true/false, ``<column>#d`` (Date) for ISO dates; choices are lower-cased in
   place.

Checks are :class:`Check` rows (a mask, the column, what was expected), run together by
:func:`run_checks`: one pass over the table, and only the cells that fail are turned into
:class:`~kpiboard.datafiles.errors.DataError`.

Numbers are compared as floats where floats decide the answer: rounding to the nearest float
never reverses an order, so float(a) > float(b) proves a > b. Where the floats are equal but the
text differs ("100.000000000000000001" against 100), :func:`flag_greater` settles it with Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from kpiboard.analysis.magnitude import LARGEST, MAX_CHARACTERS, TOO_LARGE_EXPECTED, representable
from kpiboard.datafiles.errors import MAX_ERRORS, DataError
from kpiboard.datafiles.schema import Column, Kind, TableSpec

__all__ = [
    "CONTROL_EXPECTED",
    "LOOK_ALIKE_EXPECTED",
    "NUMBER_EXPECTED",
    "NUMBER_PATTERN",
    "Check",
    "RawTable",
    "Table",
    "check_table",
    "column_letter",
    "flag_greater",
    "run_checks",
]

NUMBER_PATTERN = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
NUMBER_EXPECTED = "a number, such as 81.5 (no commas, spaces or % sign)"
_INTEGER_PATTERN = r"^[+]?[0-9]+$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as read: its header cells, and its rows as text columns ``c0``, ``c1``, ...

    ``first_row`` is the spreadsheet row number of the frame's first row (2: after the header).
    """

    file: str
    header: tuple[str | None, ...]
    frame: pl.DataFrame
    first_row: int = 2


@dataclass(frozen=True, slots=True)
class Table:
    """A table after the engine: cleaned cells, typed companions, and which columns were there."""

    file: str
    spec: TableSpec
    frame: pl.DataFrame
    present: frozenset[str]
    extra: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """Cells where ``mask`` is true are errors in ``column``: found its text, ``expected`` this.

    ``expected`` is a text, or an expression for a message that names the row's own figures.
    """

    mask: pl.Expr
    column: str
    expected: str | pl.Expr


def run_checks(
    frame: pl.DataFrame, file: str, checks: Sequence[Check], errors: list[DataError]
) -> None:
    """Evaluate every mask in one pass; turn only the failing cells into errors."""
    if not checks or frame.height == 0:
        return
    failing = frame.select(
        check.mask.fill_null(False).any().alias(f"_m{i}") for i, check in enumerate(checks)
    ).row(0)
    for check, failed in zip(checks, failing, strict=True):
        if not failed:
            continue
        expected = check.expected if isinstance(check.expected, pl.Expr) else pl.lit(check.expected)
        hits = frame.filter(check.mask.fill_null(False))
        listed = hits.head(MAX_ERRORS).select(
            pl.col("_row"),
            pl.col(check.column).cast(pl.String).alias("_found"),
            expected.cast(pl.String).alias("_expected"),
        )
        for row, found, message in listed.iter_rows():
            errors.append(DataError(file, row, check.column, found or "", message))
        if hits.height > MAX_ERRORS:  # one error for the rest, at the first row not listed
            row, found = hits.select("_row", pl.col(check.column).cast(pl.String)).row(MAX_ERRORS)
            errors.append(
                DataError(
                    file,
                    row,
                    check.column,
                    found or "",
                    f"what the {MAX_ERRORS:,} rows before were told, here and in "
                    f"{hits.height - MAX_ERRORS - 1:,} more rows (not listed one by one)",
                    more=hits.height - MAX_ERRORS - 1,
                )
            )


def check_table(raw: RawTable, spec: TableSpec, errors: list[DataError]) -> Table:
    """Match the header, clean the cells and check each against its column's kind."""
    kept = _match_header(raw, spec, errors)
    present = frozenset(name for name in kept.values() if name in spec.column_names)
    extra = tuple(name for name in kept.values() if name not in spec.column_names)
    names = [*spec.column_names, *(extra if spec.keep_extra else ())]
    later = {c.name for c in spec.columns if c.kind in _STRIPPED_WHEN_NEEDED and c.name in present}
    columns = [
        (pl.col(source) if name in later else pl.col(source).str.strip_chars()).alias(name)
        for source, name in kept.items()
        if name in names
    ]
    columns += [
        pl.lit(None, dtype=pl.String).alias(name) for name in names if name not in kept.values()
    ]
    frame = (
        raw.frame.lazy()
        .select((pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias("_row"), *columns)
        .with_columns(_empty_as_missing(name) for name in names)  # apart: strip runs once
        .filter(pl.any_horizontal(pl.col(name).is_not_null() for name in names))
        .select("_row", *names)
        .with_columns(expression for column in spec.columns for expression in _typed(column))
        .collect()
    )
    frame = _strip_where_needed(frame, spec, names, later)
    checks = [check for column in spec.columns for check in _cell_checks(column, present)]
    run_checks(frame, raw.file, checks, errors)
    frame = frame.with_columns(
        pl.col(column.name).str.to_lowercase()
        for column in spec.columns
        if column.kind is Kind.CHOICE
    )
    return Table(raw.file, spec, frame, present, extra if spec.keep_extra else ())


_STRIPPED_WHEN_NEEDED = (Kind.NUMBER, Kind.NUMBER_OR_NONE, Kind.PERIOD)
"""Kinds whose columns are not stripped up front. Stripping costs as much as reading the file,
and these rarely need it: a number column is stripped only when some cell does not read as a
number, a period label is read whatever the spaces around it."""


def _strip_where_needed(
    frame: pl.DataFrame, spec: TableSpec, names: list[str], later: set[str]
) -> pl.DataFrame:
    """Strip the number columns holding a cell that is not a number as it stands, and drop the
    rows left wholly blank (a cell of spaces in a column not stripped yet kept them)."""
    if not later or frame.height == 0:
        return frame
    numbers = [name for name in later if spec.column(name).kind is not Kind.PERIOD]
    unreadable = frame.select(
        *(
            (pl.col(name).is_not_null() & pl.col(f"{name}#f").is_null()).any().alias(name)
            for name in numbers
        ),
        pl.all_horizontal(pl.col(name).is_null() for name in names if name not in later)
        .any()
        .alias("_maybe_blank"),
    ).row(0, named=True)
    padded = [name for name in numbers if unreadable[name]]
    if padded:
        frame = frame.with_columns(pl.col(name).str.strip_chars() for name in padded)
        frame = frame.with_columns(_empty_as_missing(name) for name in padded)
        frame = frame.with_columns(
            expression for name in padded for expression in _typed(spec.column(name))
        )
    if unreadable["_maybe_blank"]:
        frame = frame.filter(
            pl.any_horizontal(
                pl.col(name).str.strip_chars().str.len_bytes() > 0 for name in names
            ).fill_null(False)
        )
    return frame


def _match_header(raw: RawTable, spec: TableSpec, errors: list[DataError]) -> dict[str, str]:
    """Source column (``c3``) to column name, for the columns kept; header errors on row 1."""
    allowed = ", ".join(spec.column_names)
    kept: dict[str, str] = {}
    seen: dict[str, int] = {}
    for position, cell in enumerate(raw.header):
        source = f"c{position}"
        name = (cell or "").strip().lower()
        if not name:
            if raw.frame[source].str.strip_chars().str.len_bytes().fill_null(0).gt(0).any():
                errors.append(
                    DataError(
                        raw.file,
                        1,
                        column_letter(position),
                        "",
                        f"a column name: column {column_letter(position)} has values but no name",
                    )
                )
            continue
        if name in seen:
            errors.append(
                DataError(
                    raw.file,
                    1,
                    name,
                    (cell or "").strip(),
                    f"each column once: column {column_letter(seen[name])} is also {name}",
                )
            )
            continue
        seen[name] = position
        if name in spec.column_names or (name.startswith("x_") and len(name) > 2):
            kept[source] = name
        else:
            errors.append(
                DataError(
                    raw.file,
                    1,
                    (cell or "").strip(),
                    (cell or "").strip(),
                    f"one of the columns {allowed}, or a column whose name starts with x_",
                )
            )
    for column in spec.columns:
        if column.required and column.name not in seen:
            errors.append(
                DataError(
                    raw.file,
                    1,
                    column.name,
                    None,
                    f"a column named {column.name}: it is required in {spec.filename}",
                )
            )
    return kept


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position: 0 is A, 27 is AB."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _empty_as_missing(name: str) -> pl.Expr:
    """An empty cell (after stripping) is missing."""
    return pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)).alias(name)


def _typed(column: Column) -> list[pl.Expr]:
    """Typed companions of a column: floats, integers or booleans, null where unreadable."""
    cell = pl.col(column.name)
    if column.kind in (Kind.NUMBER, Kind.NUMBER_OR_NONE):
        # polars reads what Decimal reads (digits, sign, point, exponent) and also nan and inf,
        # which is_finite refuses; a number beyond a float's range (1e400) is refused too.
        number = cell.cast(pl.Float64, strict=False)
        usable = number.is_finite() & ~_too_large(column.name)
        return [pl.when(usable).then(number).alias(f"{column.name}#f")]
    if column.kind is Kind.INTEGER:
        whole = pl.when(cell.str.contains(_INTEGER_PATTERN)).then(cell.cast(pl.Int64, strict=False))
        in_range = whole.is_between(column.low, column.high)
        return [pl.when(in_range).then(whole).alias(f"{column.name}#i")]
    if column.kind is Kind.DATE:
        iso = cell.str.contains(_DATE_PATTERN)
        day = cell.str.to_date("%Y-%m-%d", strict=False)
        return [pl.when(iso).then(day).alias(f"{column.name}#d")]
    if column.kind is Kind.BOOLEAN:
        lower = cell.str.to_lowercase()
        return [
            pl.when(lower == "true")
            .then(True)
            .when(lower == "false")
            .then(False)
            .alias(f"{column.name}#b")
        ]
    return []


# Characters a word processor or another keyboard puts where a number's ASCII belongs: the
# minus sign U+2212, en and em dashes, full-width digits, sign and point, and non-breaking spaces.
_LOOK_ALIKE = "[\u2212\u2013\u2014\uff0b\uff0d\uff0e\uff10-\uff19\u00a0\u202f]"
LOOK_ALIKE_EXPECTED = (
    "a number typed with the keyboard's own characters: this cell has a look-alike character "
    "(a typographic minus sign or dash, a full-width digit or a non-breaking space) where a "
    "hyphen-minus -, a digit 0-9 or nothing belongs"
)


def _too_large(name: str) -> pl.Expr:
    """A number (as the pattern reads one) that is not :func:`representable`, or too long.

    Floats decide where they can (rounding never reverses an order, so a float above 10^15 proves
    the number is); only a float of exactly 10^15 is settled in Decimal.
    """
    cell = pl.col(name)
    size = cell.cast(pl.Float64, strict=False).abs()
    limit = float(LARGEST)
    exact = (
        pl.when(size == limit)
        .then(cell)
        .map_elements(lambda text: not representable(Decimal(text)), return_dtype=pl.Boolean)
    )
    return cell.str.contains(NUMBER_PATTERN) & (
        (size > limit) | exact.fill_null(False) | (cell.str.len_chars() > MAX_CHARACTERS)
    )


def _cell_checks(column: Column, present: frozenset[str]) -> list[Check]:
    if column.name not in present:
        return []
    cell = pl.col(column.name)
    filled = cell.is_not_null()
    checks: list[Check] = []
    if column.required:
        checks.append(Check(cell.is_null(), column.name, "a value: this column cannot be empty"))
    if column.kind in (Kind.NUMBER, Kind.NUMBER_OR_NONE):
        large = _too_large(column.name)
        unreadable = pl.col(f"{column.name}#f").is_null() & ~large
        look_alike = cell.str.contains(_LOOK_ALIKE)
        expected = NUMBER_EXPECTED
        if column.kind is Kind.NUMBER_OR_NONE:
            unreadable &= cell.str.to_lowercase() != "none"
            expected = f"{NUMBER_EXPECTED}, or none"
        checks.append(Check(filled & large, column.name, TOO_LARGE_EXPECTED))
        checks.append(Check(filled & unreadable & look_alike, column.name, LOOK_ALIKE_EXPECTED))
        checks.append(Check(filled & unreadable & ~look_alike, column.name, expected))
    elif column.kind is Kind.INTEGER:
        checks.append(
            Check(
                filled & pl.col(f"{column.name}#i").is_null(),
                column.name,
                f"a whole number from {column.low} to {column.high}",
            )
        )
    elif column.kind is Kind.BOOLEAN:
        checks.append(
            Check(filled & pl.col(f"{column.name}#b").is_null(), column.name, "true or false")
        )
    elif column.kind is Kind.DATE:
        checks.append(
            Check(
                filled & pl.col(f"{column.name}#d").is_null(),
                column.name,
                "a date written year-month-day, such as 2024-12-31",
            )
        )
    elif column.kind is Kind.CHOICE:
        unknown = ~cell.str.to_lowercase().is_in(list(column.choices))
        checks.append(Check(filled & unknown, column.name, f"one of {', '.join(column.choices)}"))
    elif column.pattern is not None:
        refused = ~cell.str.contains(column.pattern) | cell.is_in(list(column.reserved))
        checks.append(Check(filled & refused, column.name, column.pattern_expected))
    if column.kind in (Kind.TEXT, Kind.LIST):
        checks.append(Check(filled & cell.str.contains(_CONTROL), column.name, CONTROL_EXPECTED))
        checks.append(
            Check(
                filled & (cell.str.len_chars() > column.max_length),
                column.name,
                f"text of at most {column.max_length:,} characters",
            )
        )
    return checks


# C0 control characters and DEL, but tab, line feed and carriage return: invisible, never typed on
# purpose, and NUL cannot be stored in PostgreSQL at all.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CONTROL_EXPECTED = (
    "text without control characters (such as NUL, U+0000): they are invisible, come from a "
    "damaged or binary file, and cannot be stored"
)


def flag_greater(frame: pl.DataFrame, pairs: Sequence[tuple[str, str | Decimal]]) -> pl.DataFrame:
    """Add ``_<left>_above_<right>`` for each pair: the number in column ``left`` is above
    ``right`` (a column, or a constant), exactly. Missing or unreadable numbers compare false.

    Floats decide every row whose floats differ. Where they are equal but the text differs
    (100.0 against 100), the numbers are equal too when both have at most 15 characters and no
    exponent, since a float tells apart any two decimals of 15 significant digits; only the
    rest ("100.000000000000000001") are compared as Decimal.
    """
    if not pairs:
        return frame
    flags = frame.select(
        expression
        for number, (left, right) in enumerate(pairs)
        for expression in _above_and_tie(left, right, number)
    )
    added = []
    for number, (left, right) in enumerate(pairs):
        above = flags[f"above{number}"]
        ties = flags[f"tie{number}"].arg_true()
        if ties.len():
            above = _settle_ties(frame, above, ties, left, right)
        added.append(above.alias(f"_{left}_above_{right}"))
    return frame.with_columns(added)


def _above_and_tie(left: str, right: str | Decimal, number: int) -> list[pl.Expr]:
    left_float = pl.col(f"{left}#f")
    if isinstance(right, str):
        right_float, right_text = pl.col(f"{right}#f"), pl.col(right)
    else:
        right_float, right_text = pl.lit(float(right)), pl.lit(str(right))
    tie = (left_float == right_float) & (pl.col(left) != right_text)
    return [
        (left_float > right_float).fill_null(False).alias(f"above{number}"),
        tie.fill_null(False).alias(f"tie{number}"),
    ]


def _settle_ties(
    frame: pl.DataFrame, above: pl.Series, ties: pl.Series, left: str, right: str | Decimal
) -> pl.Series:
    texts = frame.select(
        pl.col(left).alias("left"),
        (pl.col(right) if isinstance(right, str) else pl.lit(str(right))).alias("right"),
    ).gather(ties)
    short = pl.all_horizontal(
        (pl.col(side).str.len_bytes() <= _EXACT_FLOAT_CHARACTERS)
        & ~pl.col(side).str.contains("[eE]")
        for side in ("left", "right")
    )
    doubtful = texts.with_columns(ties.alias("row")).filter(~short)
    if doubtful.height == 0:
        return above
    exact = [
        Decimal(left_text) > Decimal(right_text)
        for left_text, right_text in doubtful.select("left", "right").iter_rows()
    ]
    return above.scatter(doubtful["row"], exact)


_EXACT_FLOAT_CHARACTERS = 15
