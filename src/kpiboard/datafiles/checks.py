"""The checks that span files: refs, periods, counts, percentages, limits and duplicates.

Each ``check_*`` function takes a table already through the cell checks of
:mod:`kpiboard.datafiles.tables`, adds what it needs to know of each row's indicator (its
position, frequency, whether a percentage, ratio or how many decimals), appends every error it
finds and returns the frame the model is built from. What is checked, file by file:

- indicators.csv: a ref used twice; committee, directorate and ambition ids not in
  organisation.toml; ``red_at`` not above 0; ``blue_above`` below 0; a ``min`` above the
  ``max`` in force.
- targets.csv: an unknown ref; an unreadable ``from``; an impossible target (the bounds rule of
  :mod:`kpiboard.datafiles.bounds`: outside the indicator's ``min`` and ``max``, which default
  by unit, 0-100 for a percentage; not whole where ``integer``); two targets of one indicator
  starting in the same month.
- observations.csv: an unknown ref; an unreadable period or one not at the indicator's frequency;
  no value and no numerator and denominator to compute it from; a negative numerator or
  denominator; a denominator of 0; an impossible value (given, or computed from numerator and
  denominator) or limit (the bounds rule; limits need not be whole); for ``ratio`` indicators a
  missing numerator or denominator; a lower limit
  above the upper one or a value (given, or computed from numerator and denominator) outside its
  limits; a value that disagrees with numerator / denominator at the indicator's decimals (both
  rounded half up); a second row for a ref and period.
- neighbours.csv: an unknown ref; an unreadable period or one shorter than the indicator's
  frequency; a percentage's value or limit outside 0-100 (impossible for any area, whatever the
  council's own ``min`` and ``max``); limits the wrong way round or not around the value; a
  second row for a ref, period and area.
- commentary.csv: an unknown ref; an unreadable period; a second row for a ref and period.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

import polars as pl

from kpiboard.analysis.magnitude import LARGEST, representable
from kpiboard.analysis.model import Aggregation, Bound, Indicator, Organisation, Unit
from kpiboard.datafiles.bounds import (
    BOUND_COLUMNS,
    bound_checks,
    bound_columns,
    bounds_indicator,
    computed_refusals,
    percent_bound_columns,
    read_bound,
)
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.period_columns import FREQUENCY_CODES, PeriodBook, Reading
from kpiboard.datafiles.tables import Check, Table, flag_greater, run_checks

__all__ = [
    "check_commentary",
    "check_indicators",
    "check_neighbours",
    "check_observations",
    "check_targets",
]

_UNKNOWN_REF = "the ref of an indicator in indicators.csv"
_PERCENT_BOUNDS = tuple(f"_p{name}" for name in BOUND_COLUMNS)
_SHOWN_IDS = 12


def check_indicators(
    table: Table, organisation: Organisation | None, errors: list[DataError]
) -> pl.DataFrame:
    """Check indicators.csv against itself and organisation.toml (None: unreadable, so its ids
    are not checked).

    Returns what the other files need to know, one row per ref (its first row): ``ref``,
    ``_idx`` (its position), ``_fcode`` (its frequency's code for
    :class:`~kpiboard.datafiles.period_columns.PeriodBook`, 0 where unreadable), ``_percent``
    (unit percent), ``_ratio`` (aggregation ratio), ``decimals``, the bounds of
    :data:`~kpiboard.datafiles.bounds.BOUND_COLUMNS` and the same for any area's figure
    (``_p_low`` ...: 0 to 100 for a percentage).
    """
    frame, checks = duplicate_keys(
        table.frame,
        ["ref"],
        "ref",
        pl.format("a ref not used before: row {} has ref {}", pl.col("_first_row"), pl.col("ref")),
    )
    checks += [
        Check(pl.col("red_at#f") <= 0, "red_at", "a number above 0, such as 0.10"),
        Check(pl.col("blue_above#f") < 0, "blue_above", "a number of 0 or more, or none"),
    ]
    bounds = [_bounds_indicator(row) for row in frame.select(_BOUND_CELLS).iter_rows()]
    frame = frame.with_columns(bound_columns(bounds).values())
    frame = flag_greater(frame, [("_low", "_high")])
    checks.append(
        Check(
            pl.col("__low_above__high"),
            "min",
            pl.format(
                "a min not above the max, {}{}",
                pl.col("_high"),
                pl.when(pl.col("max").is_null())
                .then(pl.lit(" (the default for the unit)"))
                .otherwise(pl.lit("")),
            ),
        )
    )
    run_checks(frame, table.file, checks, errors)
    if organisation is not None:
        _check_ids(table, organisation, errors)
    first = frame.filter(pl.col("ref").is_not_null() & pl.col("ref").is_first_distinct())
    chosen = first.select("_row")["_row"].to_list()
    by_row = dict(zip(frame["_row"].to_list(), bounds, strict=True))
    first_bounds = [by_row[row] for row in chosen]
    percent_columns = percent_bound_columns(first_bounds)
    return first.select(
        *BOUND_COLUMNS,
        *(series.alias(f"_p{name}") for name, series in percent_columns.items()),
        "ref",
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_idx"),
        pl.col("frequency")
        .replace_strict(FREQUENCY_CODES, default=0, return_dtype=pl.Int64)
        .alias("_fcode"),
        (pl.col("unit") == Unit.PERCENT.value).fill_null(False).alias("_percent"),
        (pl.col("aggregation") == Aggregation.RATIO.value).fill_null(False).alias("_ratio"),
        pl.col("decimals#i").fill_null(1).alias("decimals"),
    ).select("ref", pl.exclude("ref"))


_BOUND_CELLS = ["ref", "unit", "min", "max", "integer#b", "unit_label"]


def _bounds_indicator(row: tuple[Any, ...]) -> Indicator:
    """The bounds of one row of indicators.csv, as far as its cells can be read."""
    ref, unit, low, high, integer, label = row
    return bounds_indicator(
        ref or "",
        _UNITS.get(str(unit).lower(), Unit.RATE),
        _bound(low),
        _bound(high),
        integer is True,
        label or "",
    )


_UNITS = {member.value: member for member in Unit}


def _bound(cell: str | None) -> Bound:
    """A ``min`` or ``max``; an unreadable one (already an error) bounds nothing."""
    try:
        bound = read_bound(cell)
    except InvalidOperation:
        return None
    return None if isinstance(bound, Decimal) and not bound.is_finite() else bound


_ID_COLUMNS = {
    # column: (what one id is, the organisation.toml table, whether the cell lists several)
    "committees": ("committee", "committees", True),
    "directorate": ("directorate", "directorates", False),
    "ambitions": ("ambition", "ambitions", True),
}


def _check_ids(table: Table, organisation: Organisation, errors: list[DataError]) -> None:
    """Committee, directorate and ambition ids must be declared in organisation.toml."""
    known = {
        "committees": [c.id for c in organisation.committees],
        "directorate": [d.id for d in organisation.directorates],
        "ambitions": [a.id for a in organisation.ambitions],
    }
    rows = table.frame.select("_row", *_ID_COLUMNS).iter_rows()
    for row, *cells in rows:
        for column, cell in zip(_ID_COLUMNS, cells, strict=True):
            if cell is None:
                continue
            several = _ID_COLUMNS[column][2]
            ids = [part.strip() for part in cell.split(";")] if several else [cell]
            unknown = [id_ for id_ in ids if id_ and id_ not in known[column]]
            if unknown or not any(ids):
                expected = _ids_expected(column, known[column], unknown)
                errors.append(DataError(table.file, row, column, cell, expected))


def _ids_expected(column: str, known: Sequence[str], unknown: Sequence[str]) -> str:
    """Such as: committee ids separated by ;, from organisation.toml (srp, asc); xyz is not one."""
    kind, section, several = _ID_COLUMNS[column]
    what = f"{kind} ids separated by ;" if several else f"a {kind} id"
    if not known:
        return f"{what}, but organisation.toml declares no [[{section}]]"
    listed = ", ".join(known[:_SHOWN_IDS]) + (", ..." if len(known) > _SHOWN_IDS else "")
    missing = f": {', '.join(unknown)} is not one of them" if unknown else ""
    return f"{what}, from [[{section}]] in organisation.toml ({listed}){missing}"


def check_targets(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """targets.csv: adds ``_pid`` and ``_start``; two targets of a ref starting together clash."""
    frame = with_indicator(table.frame, indicators, ["_fcode", *BOUND_COLUMNS])
    frame = book.resolve(frame, "from", Reading.ANY)
    frame, bounds = bound_checks(frame, ["target"], whole=["target"])
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_start"],
        "from",
        pl.format(
            "one target for ref {} from each period: row {} already starts in the same month",
            pl.col("ref"),
            pl.col("_first_row"),
        ),
    )
    checks += [*ref_and_period_checks(book, "from"), *bounds]
    run_checks(frame, table.file, checks, errors)
    return frame


def check_observations(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """observations.csv: adds ``_pid``, ``_start`` and ``_percent`` for the model."""
    frame = with_indicator(
        table.frame, indicators, ["_fcode", "_percent", "_ratio", "decimals", *BOUND_COLUMNS]
    )
    frame = book.resolve(frame, "period", Reading.EXACT)
    frame = flag_greater(frame, _LIMIT_PAIRS)
    frame, bounds = bound_checks(frame, ["value", "lower_ci", "upper_ci"], whole=["value"])
    frame = flag_disagreement(frame)
    frame = _flag_computed_outside_limits(frame)
    frame = frame.with_columns(computed_refusals(frame, percent_factor()))
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_pid"],
        "period",
        pl.format(
            "one row for ref {} and period {}: row {} has it already",
            pl.col("ref"),
            pl.col("period"),
            pl.col("_first_row"),
        ),
    )
    ratio = pl.col("_ratio")
    missing = {name: pl.col(name).is_null() for name in ("value", "numerator", "denominator")}
    checks += [
        *ref_and_period_checks(book, "period"),
        Check(
            missing["value"] & (missing["numerator"] | missing["denominator"]),
            "value",
            "a value, or a numerator and a denominator to compute it from",
        ),
        Check(pl.col("numerator#f") < 0, "numerator", "a count of 0 or more"),
        Check(pl.col("denominator#f") < 0, "denominator", "a count of 0 or more"),
        Check(pl.col("denominator#f") == 0, "denominator", "a denominator above 0"),
        Check(
            missing["value"] & _computed_too_large(),
            "denominator",
            "a numerator and a denominator whose quotient is smaller than 1,000,000,000,000,000 "
            "(the largest figure kpiboard computes with)",
        ),
        Check(
            pl.col("_computed_impossible").is_not_null(),
            "numerator",
            pl.col("_computed_impossible"),
        ),
        Check(
            ratio & missing["numerator"],
            "numerator",
            "a numerator: the indicator combines by ratio, so every row needs one",
        ),
        Check(
            ratio & missing["denominator"],
            "denominator",
            "a denominator: the indicator combines by ratio, so every row needs one",
        ),
        Check(pl.col("_disagreement").is_not_null(), "value", pl.col("_disagreement")),
        Check(pl.col("_computed_below").is_not_null(), "lower_ci", pl.col("_computed_below")),
        Check(pl.col("_computed_above").is_not_null(), "upper_ci", pl.col("_computed_above")),
        *_limit_checks(),
        *bounds,
    ]
    run_checks(frame, table.file, checks, errors)
    return frame


def _computed_too_large() -> pl.Expr:
    """numerator / denominator (x 100 for a percentage) is not :func:`representable`.

    Floats decide far from the bound; within a thousandth of it, Decimal settles it.
    """
    numerator, denominator = pl.col("numerator#f"), pl.col("denominator#f")
    size = (numerator * percent_factor() / denominator).abs()
    limit = float(LARGEST)
    near = pl.when((size - limit).abs() <= limit / 1000).then(
        pl.concat_str(pl.col("numerator"), pl.col("denominator"), pl.col("_percent"), separator="|")
    )
    exact = near.map_elements(_quotient_too_large, return_dtype=pl.Boolean).fill_null(False)
    computable = (denominator > 0) & numerator.is_not_null()
    return computable & (((size > limit * 1.001) & size.is_finite()) | size.is_infinite() | exact)


def _quotient_too_large(cells: str) -> bool:
    numerator, denominator, percent = cells.split("|")
    with localcontext() as context:
        context.prec = 120
        times = Decimal(100) if percent == "true" else Decimal(1)
        return not representable(Decimal(numerator) * times / Decimal(denominator))


def percent_factor() -> pl.Expr:
    """What numerator / denominator is multiplied by: 100 for a percentage, else 1."""
    return pl.when(pl.col("_percent")).then(100.0).otherwise(1.0)


def check_neighbours(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """neighbours.csv: adds ``_pid`` and ``_start``; one row per ref, period and area."""
    frame = with_indicator(
        table.frame, indicators, ["_fcode"], dict(zip(_PERCENT_BOUNDS, BOUND_COLUMNS, strict=True))
    )
    frame = book.resolve(frame, "period", Reading.SAME_OR_LONGER)
    frame = flag_greater(
        frame.with_columns(
            pl.col("area_code").cast(pl.Categorical).to_physical().cast(pl.Int64).alias("_area")
        ),
        _LIMIT_PAIRS,
    )
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_pid", "_area"],
        "area_code",
        pl.format(
            "one row for area {} in ref {} and period {}: row {} has it already",
            pl.col("area_code"),
            pl.col("ref"),
            pl.col("period"),
            pl.col("_first_row"),
        ),
    )
    frame, bounds = bound_checks(frame, ["value", "lower_ci", "upper_ci"])
    checks += [*ref_and_period_checks(book, "period"), *_limit_checks(), *bounds]
    run_checks(frame, table.file, checks, errors)
    return frame


def check_commentary(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """commentary.csv: adds ``_pid``, ``_start`` and ``_months``; one row per ref and period."""
    frame = with_indicator(table.frame, indicators, ["_fcode"])
    frame = book.resolve(frame, "period", Reading.ANY)
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_pid"],
        "period",
        pl.format(
            "one commentary for ref {} and period {}: row {} has it already",
            pl.col("ref"),
            pl.col("period"),
            pl.col("_first_row"),
        ),
    )
    checks += ref_and_period_checks(book, "period")
    run_checks(frame, table.file, checks, errors)
    return frame


def with_indicator(
    frame: pl.DataFrame,
    indicators: pl.DataFrame,
    attributes: list[str],
    renamed: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Add each row's indicator position ``_idx`` (null for an unknown ref) and ``attributes``
    (and the columns ``renamed`` keys, under its values).

    The ref is cast to an Enum of the known refs, whose codes are the indicators' positions,
    and the attributes are gathered by position: cheaper than a join on text.
    """
    refs = indicators["ref"]
    index = pl.col("ref").cast(pl.Enum(refs.to_list()), strict=False).to_physical().cast(pl.Int64)
    frame = frame.with_columns(index.alias("_idx"))
    names = {name: name for name in attributes} | (renamed or {})
    return frame.with_columns(
        pl.lit(indicators[name]).gather(pl.col("_idx")).alias(alias)
        for name, alias in names.items()
    )


def _known() -> pl.Expr:
    """The row's ref is an indicator's."""
    return pl.col("_idx").is_not_null()


def ref_and_period_checks(book: PeriodBook, period: str) -> list[Check]:
    return [
        Check(pl.col("ref").is_not_null() & ~_known(), "ref", _UNKNOWN_REF),
        Check(pl.col("_perr").is_not_null(), period, book.error_message()),
    ]


def duplicate_keys(
    frame: pl.DataFrame, keys: list[str], column: str, expected: pl.Expr
) -> tuple[pl.DataFrame, list[Check]]:
    """A check for each row whose integer ``keys`` (all non-null) repeat an earlier row's;
    ``expected`` may name that row as ``_first_row``.

    The keys are folded into one integer where their ranges allow (hashing one integer column
    is several times cheaper than hashing a struct); when no row repeats another, the cost is
    that one hash pass.
    """
    valid = pl.all_horizontal(pl.col(key).is_not_null() for key in keys)
    key = _folded(frame, keys)
    distinct, rows = frame.select(
        key.filter(valid).n_unique().alias("distinct"), valid.sum().alias("rows")
    ).row(0)
    if distinct == rows:
        return frame, []
    frame = frame.with_columns(
        pl.when(valid).then(pl.col("_row").min().over(key)).alias("_first_row")
    )
    return frame, [Check(valid & (pl.col("_row") != pl.col("_first_row")), column, expected)]


def _folded(frame: pl.DataFrame, keys: list[str]) -> pl.Expr:
    """One Int64 expression equal for two rows exactly when all ``keys`` are, where it fits."""
    if not all(frame.schema[key].is_integer() for key in keys):
        return pl.struct(keys)
    bounds = frame.select(
        *(pl.col(key).min().alias(f"{key}_min") for key in keys),
        *(pl.col(key).max().alias(f"{key}_max") for key in keys),
    ).row(0, named=True)
    folded: pl.Expr = pl.lit(0, dtype=pl.Int64)
    size = 1
    for key in keys:
        low, high = bounds[f"{key}_min"], bounds[f"{key}_max"]
        if low is None:  # no row has this key: nothing can repeat
            return pl.lit(0, dtype=pl.Int64) + pl.int_range(pl.len(), dtype=pl.Int64)
        width = high - low + 1
        size *= width
        if size >= 2**62:
            return pl.struct(keys)
        folded = folded * width + (pl.col(key) - low)
    return folded


_LIMIT_PAIRS: tuple[tuple[str, str | Decimal], ...] = (
    ("lower_ci", "upper_ci"),
    ("lower_ci", "value"),
    ("value", "upper_ci"),
)


def _limit_checks() -> list[Check]:
    return [
        Check(
            pl.col("_lower_ci_above_upper_ci"),
            "lower_ci",
            pl.format("a lower limit not above the upper limit {}", pl.col("upper_ci")),
        ),
        Check(
            pl.col("_lower_ci_above_value"),
            "value",
            pl.format(
                "a value inside its confidence interval, not below the lower limit {}",
                pl.col("lower_ci"),
            ),
        ),
        Check(
            pl.col("_value_above_upper_ci"),
            "value",
            pl.format(
                "a value inside its confidence interval, not above the upper limit {}",
                pl.col("upper_ci"),
            ),
        ),
    ]


def flag_disagreement(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_disagreement``: the message for a value that numerator / denominator contradicts.

    Value and computed value (times 100 for percentages) are compared rounded half up at the
    indicator's decimals: 81.25 agrees with 325 / 400 x 100 = 81.25 at 1 decimal (both 81.3),
    81.2 does not. Floats pick the candidates: rows that round apart, or that lie within a hair of
    a rounding boundary; only those are settled with Decimal.
    """
    value, numerator, denominator = (
        pl.col(f"{name}#f") for name in ("value", "numerator", "denominator")
    )
    scale = pl.lit(10.0).pow(pl.col("decimals").fill_null(1))
    times = pl.when(pl.col("_percent")).then(100.0).otherwise(1.0)
    scaled_value = value * scale
    scaled_computed = numerator * times / denominator * scale

    def near_half(x: pl.Expr) -> pl.Expr:
        return (x - x.floor() - 0.5).abs() <= 1e-9 * pl.max_horizontal(x.abs(), 1.0)

    candidate = (
        _known()
        & value.is_not_null()
        & (denominator > 0)
        & (numerator >= 0)
        & (
            ((scaled_value + 0.5).floor() != (scaled_computed + 0.5).floor())
            | near_half(scaled_value)
            | near_half(scaled_computed)
        )
    )
    rows = frame.select(candidate.fill_null(False).alias("c"))["c"].arg_true()
    columns = ["value", "numerator", "denominator", "_percent", "decimals"]
    return frame.with_columns(_messages(frame, rows, columns, _disagreement, "_disagreement"))


def _flag_computed_outside_limits(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_computed_below`` and ``_computed_above``: the messages for a value left empty whose
    numerator / denominator falls outside the confidence limits given beside it.

    The computed value is the model's (28 significant digits); floats pick the candidates that
    are outside or within a hair of a limit, and only those are settled with Decimal.
    """
    numerator, denominator, lower, upper = (
        pl.col(f"{name}#f") for name in ("numerator", "denominator", "lower_ci", "upper_ci")
    )
    computed = numerator * pl.when(pl.col("_percent")).then(100.0).otherwise(1.0) / denominator
    hair = 1e-9 * pl.max_horizontal(computed.abs(), 1.0)
    computable = pl.col("value").is_null() & (denominator > 0) & (numerator >= 0)
    flags = frame.select(
        (computable & (computed <= lower + hair)).fill_null(False).alias("below"),
        (computable & (computed >= upper - hair)).fill_null(False).alias("above"),
    )
    columns = ["numerator", "denominator", "_percent"]
    return frame.with_columns(
        _messages(
            frame, flags["below"].arg_true(), [*columns, "lower_ci"], _below, "_computed_below"
        ),
        _messages(
            frame, flags["above"].arg_true(), [*columns, "upper_ci"], _above, "_computed_above"
        ),
    )


def _messages(
    frame: pl.DataFrame,
    rows: pl.Series,
    columns: list[str],
    message: Callable[..., str | None],
    name: str,
) -> pl.Series:
    """A text column ``name``: ``message(*cells)`` at ``rows`` (the candidates), else null."""
    if rows.len() == 0:
        return pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias(name)
    texts = [message(*cells) for cells in frame.select(columns).gather(rows).iter_rows()]
    empty = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    return empty.scatter(rows, pl.Series(texts, dtype=pl.String)).alias(name)


def _below(numerator: str, denominator: str, percent: bool | None, limit: str) -> str | None:
    return _outside_limit(numerator, denominator, percent, limit, below=True)


def _above(numerator: str, denominator: str, percent: bool | None, limit: str) -> str | None:
    return _outside_limit(numerator, denominator, percent, limit, below=False)


def _outside_limit(
    numerator: str, denominator: str, percent: bool | None, limit: str, *, below: bool
) -> str | None:
    """The message when the computed value is outside ``limit``, else None."""
    times = Decimal(100) if percent else Decimal(1)
    computed = Decimal(numerator) * times / Decimal(denominator)  # as the model computes it
    outside = computed < Decimal(limit) if below else computed > Decimal(limit)
    if not outside:
        return None
    formula = f"{numerator} / {denominator}" + (" x 100" if percent else "")
    side = "lower limit not above" if below else "upper limit not below"
    return (
        f"a {side} the value computed from numerator and denominator, "
        f"{formula} = {computed.normalize():f}"
    )


def _disagreement(
    value: str, numerator: str, denominator: str, percent: bool | None, decimals: int
) -> str | None:
    """The message when value and numerator / denominator differ at ``decimals``, else None."""
    quantum = Decimal(1).scaleb(-decimals)
    with localcontext() as context:
        context.prec = 60
        try:
            times = Decimal(100) if percent else Decimal(1)
            computed = (Decimal(numerator) * times / Decimal(denominator)).quantize(
                quantum, ROUND_HALF_UP
            )
            given = Decimal(value).quantize(quantum, ROUND_HALF_UP)
        except InvalidOperation:  # beyond 60 digits: nothing a council would record
            return None
    if given == computed:
        return None
    formula = f"{numerator} / {denominator}" + (" x 100" if percent else "")
    places = "decimal place" if decimals == 1 else "decimal places"
    return (
        f"a value that agrees with numerator and denominator: {formula} = {computed} "
        f"at {decimals} {places}"
    )
