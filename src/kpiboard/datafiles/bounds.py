"""Impossible figures: the one bounds rule of every reader (formats.md, indicators.csv ``min``,
``max`` and ``integer``).

A value is possible when ``lower_bound <= value <= upper_bound`` and, for an indicator with
``integer`` true, it is a whole number (:meth:`Indicator.impossible
<kpiboard.analysis.model.Indicator.impossible>`). Refusals say what was expected and why, naming
the indicator and the bound: "a value from 0 to 100: 182 is a percentage", "a whole number: 212
counts staff", "a value of 10 or less: 150's max in indicators.csv is 10".

The web's forms call :func:`refusal` with the Dataset's indicator; the file checks gather each
indicator's bounds and words once (:func:`bound_columns`) and compare whole columns with them
(:func:`bound_checks`), so a national file of 600,000 values costs a few vector passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

import polars as pl

from kpiboard.analysis.model import (
    UNIT_DEFAULT,
    Bound,
    Category,
    Direction,
    Indicator,
    Unit,
    UnitDefault,
)
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.tables import Check, flag_greater

__all__ = [
    "BOUND_COLUMNS",
    "bound_checks",
    "bound_columns",
    "bound_text",
    "bounds_indicator",
    "computed_refusals",
    "percent_bound_columns",
    "possible_words",
    "read_bound",
    "refusal",
    "why",
]

#: What a unit's default bounds make of an indicator, after its ref.
_UNIT_NATURE = {
    Unit.PERCENT: "is a percentage",
    Unit.NUMBER: "is a count",
    Unit.CURRENCY: "is an amount of money",
    Unit.DAYS: "is a number of days",
}


def read_bound(cell: str | None) -> Bound:
    """A ``min`` or ``max`` cell as the model holds it: empty is the unit's default, ``none``
    no bound, else the number (the cell has passed the NUMBER_OR_NONE check)."""
    if cell is None or not cell.strip():
        return UNIT_DEFAULT
    if cell.strip().lower() == "none":
        return None
    return Decimal(cell.strip())


def possible_words(indicator: Indicator) -> str:
    """The values the indicator can have, for its register page: "From 0 to 100 (the unit's
    default)", "0 or more, whole numbers only", "Any value"."""
    low, high = indicator.lower_bound, indicator.upper_bound
    if low is not None and high is not None:
        words = f"From {low} to {high}"
    elif low is not None:
        words = f"{low} or more"
    elif high is not None:
        words = f"{high} or less"
    else:
        words = "Any value"
    if indicator.integer:
        words += ", whole numbers only"
    defaults = (indicator.minimum is UNIT_DEFAULT, indicator.maximum is UNIT_DEFAULT)
    if all(defaults) and (low is not None or high is not None):
        words += " (the unit's default)"
    return words


def bound_text(bound: Bound) -> str:
    """A ``min`` or ``max`` as indicators.csv writes it: "" for the unit's default, ``none``
    for no bound, else the number; :func:`read_bound` reads it back."""
    if isinstance(bound, UnitDefault):
        return ""
    return "none" if bound is None else str(bound)


def bounds_indicator(
    ref: str,
    unit: Unit,
    minimum: Bound = UNIT_DEFAULT,
    maximum: Bound = UNIT_DEFAULT,
    integer: bool = False,
    unit_label: str = "",
) -> Indicator:
    """An indicator carrying only what the bounds rule reads (the rest placeholders)."""
    return Indicator(
        ref,
        "",
        unit,
        Direction.NONE,
        Frequency.MONTH,
        Category.CONTEXTUAL,
        (),
        "",
        minimum=minimum,
        maximum=maximum,
        integer=integer,
        unit_label=unit_label,
    )


def why(indicator: Indicator, side: str) -> str:
    """Why a value is impossible, naming the indicator and the bound: ``side`` is ``below``
    (under the lower bound), ``above`` or ``whole`` (not a whole number)."""
    ref, label = indicator.ref, indicator.unit_label.strip()
    if side == "whole":
        return f"{ref} counts {label}" if label else f"{ref} takes whole numbers (integer true)"
    written = indicator.minimum if side == "below" else indicator.maximum
    if written is UNIT_DEFAULT:
        if indicator.unit is Unit.NUMBER and label:
            return f"{ref} counts {label}"
        return f"{ref} {_UNIT_NATURE.get(indicator.unit, 'has this range')}"
    name = "min" if side == "below" else "max"
    return f"{ref}'s {name} in indicators.csv is {written}"


def refusal(indicator: Indicator, value: Decimal) -> str | None:
    """What was expected instead of ``value``, and why, or None when it is possible."""
    expected = indicator.impossible(value)
    if expected is None:
        return None
    low = indicator.lower_bound
    if expected == "a whole number":
        side = "whole"
    else:
        side = "below" if low is not None and value < low else "above"
    return f"{expected}: {why(indicator, side)}"


def _side_words(indicator: Indicator, side: str) -> str | None:
    """The refusal of any value on ``side`` of the indicator's bounds (None: no such bound)."""
    low, high = indicator.lower_bound, indicator.upper_bound
    if side == "below":
        probe = None if low is None else low - 1
    elif side == "above":
        probe = None if high is None else high + 1
    else:
        return f"a whole number: {why(indicator, 'whole')}" if indicator.integer else None
    if probe is None:
        return None
    return refusal(indicator, probe)


def bound_columns(indicators: Sequence[Indicator]) -> dict[str, pl.Series]:
    """Each indicator's bounds (text and float, null where none), ``integer`` flag and the words
    of each refusal, as columns in the indicators' order for
    :func:`kpiboard.datafiles.checks._with_indicator` to gather by position."""
    lows = [_text(indicator.lower_bound) for indicator in indicators]
    highs = [_text(indicator.upper_bound) for indicator in indicators]
    columns = {
        "_low": pl.Series(lows, dtype=pl.String),
        "_low#f": pl.Series([_float(text) for text in lows], dtype=pl.Float64),
        "_high": pl.Series(highs, dtype=pl.String),
        "_high#f": pl.Series([_float(text) for text in highs], dtype=pl.Float64),
        "_integer": pl.Series([indicator.integer for indicator in indicators], dtype=pl.Boolean),
        **{
            f"_{side}_words": pl.Series(
                [_side_words(indicator, side) for indicator in indicators], dtype=pl.String
            )
            for side in ("below", "above", "whole")
        },
    }
    return {name: series.alias(name) for name, series in columns.items()}


def percent_bound_columns(indicators: Sequence[Indicator]) -> dict[str, pl.Series]:
    """The bounds any area's figure of each indicator must keep: 0 to 100 for a percentage
    (whatever the council's own ``min`` and ``max``), none otherwise."""
    return bound_columns(
        [
            bounds_indicator(indicator.ref, Unit.PERCENT)
            if indicator.unit is Unit.PERCENT
            else bounds_indicator(indicator.ref, indicator.unit, None, None)
            for indicator in indicators
        ]
    )


BOUND_COLUMNS = (
    "_low",
    "_low#f",
    "_high",
    "_high#f",
    "_integer",
    "_below_words",
    "_above_words",
    "_whole_words",
)


def _text(bound: Decimal | None) -> str | None:
    return None if bound is None else str(bound)


def _float(text: str | None) -> float | None:
    return None if text is None else float(text)


_PLAIN_WHOLE = r"^[+-]?[0-9]+(?:\.0*)?$"


def bound_checks(
    frame: pl.DataFrame, columns: Sequence[str], *, whole: Sequence[str] = ()
) -> tuple[pl.DataFrame, list[Check]]:
    """Checks that each of ``columns`` lies within its row's bounds (``frame`` has the
    :data:`BOUND_COLUMNS`), and that each of ``whole`` is a whole number where the indicator
    says ``integer``. Exact: floats decide, Decimal settles the ties."""
    pairs: list[tuple[str, str | Decimal]] = []
    for column in columns:
        pairs += [("_low", column), (column, "_high")]
    frame = flag_greater(frame, pairs)
    frame = frame.with_columns(_not_whole(frame, column) for column in whole)
    checks = []
    for column in columns:
        checks += [
            Check(pl.col(f"__low_above_{column}"), column, pl.col("_below_words")),
            Check(pl.col(f"_{column}_above__high"), column, pl.col("_above_words")),
        ]
    checks += [
        Check(
            pl.col("_integer")
            & pl.col(f"_{column}_not_whole")
            & ~pl.col(f"__low_above_{column}")  # out of range is said first, as impossible()
            & ~pl.col(f"_{column}_above__high"),
            column,
            pl.col("_whole_words"),
        )
        for column in whole
    ]
    return frame, checks


def _not_whole(frame: pl.DataFrame, column: str) -> pl.Series:
    """``_<column>_not_whole``: the number is not a whole number (exactly; null when missing)."""
    number = pl.col(f"{column}#f")
    plain = pl.col(column).str.contains(_PLAIN_WHOLE)
    flags = frame.select(
        (~plain & (number != number.round(0))).alias("surely"),
        (~plain & (number == number.round(0))).fill_null(False).alias("doubt"),
    )
    surely = flags["surely"]
    doubtful = flags["doubt"].arg_true()
    if doubtful.len():
        texts = frame[column].gather(doubtful).to_list()
        exact = [Decimal(text) != Decimal(text).to_integral_value() for text in texts]
        surely = surely.scatter(doubtful, exact)
    return surely.alias(f"_{column}_not_whole")


def computed_refusals(frame: pl.DataFrame, times: pl.Expr) -> pl.Series:
    """``_computed_impossible``: where the value is empty, the refusal of the value computed
    from numerator and denominator (``times`` is 100 for a percentage, else 1) when it is
    impossible, naming the formula; null elsewhere. Floats pick the candidates within a hair
    of a bound (or any, for a whole-number indicator); Decimal, as the model computes, settles."""
    numerator, denominator = pl.col("numerator#f"), pl.col("denominator#f")
    computed = numerator * times / denominator
    hair = 1e-9 * pl.max_horizontal(computed.abs(), 1.0)
    computable = pl.col("value").is_null() & (denominator > 0)
    candidate = computable & (
        (computed <= pl.col("_low#f") + hair)
        | (computed >= pl.col("_high#f") - hair)
        | pl.col("_integer")
    )
    rows = frame.select(candidate.fill_null(False).alias("c"))["c"].arg_true()
    empty = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    if rows.len() == 0:
        return empty.alias("_computed_impossible")
    cells = frame.select("numerator", "denominator", times.alias("_times"), *BOUND_COLUMNS).gather(
        rows
    )
    texts = [_computed_refusal(*row) for row in cells.iter_rows()]
    return empty.scatter(rows, pl.Series(texts, dtype=pl.String)).alias("_computed_impossible")


def _computed_refusal(
    numerator: str,
    denominator: str,
    times: float,
    low: str | None,
    _low_float: float | None,
    high: str | None,
    _high_float: float | None,
    integer: bool | None,
    below: str | None,
    above: str | None,
    whole: str | None,
) -> str | None:
    factor = Decimal(100) if times == 100 else Decimal(1)
    with localcontext() as context:  # a quotient of up to 80 digits, shown to the hundredth
        context.prec = 120
        return _computed_words(
            numerator, denominator, factor, low, high, integer, below, above, whole
        )


def _computed_words(
    numerator: str,
    denominator: str,
    factor: Decimal,
    low: str | None,
    high: str | None,
    integer: bool | None,
    below: str | None,
    above: str | None,
    whole: str | None,
) -> str | None:
    computed = Decimal(numerator) * factor / Decimal(denominator)  # as the model computes it
    if low is not None and computed < Decimal(low):
        words = below
    elif high is not None and computed > Decimal(high):
        words = above
    elif integer and computed != computed.to_integral_value():
        words = whole
    else:
        return None
    formula = f"{numerator} / {denominator}" + (" x 100" if factor == 100 else "")
    hundredths = computed.quantize(Decimal("0.01"))
    shown = hundredths if hundredths != computed else computed
    if factor == 100 and high is not None and Decimal(high) == 100 and computed > 100:
        return (
            f"a numerator at most the denominator, giving {words} "
            f"({formula} = {shown.normalize():f})"
        )
    return f"a numerator and denominator giving {words} ({formula} = {shown.normalize():f})"
