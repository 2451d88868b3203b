"""breakdowns.csv (optional): an indicator's figure by group, checked and built.

``ref, period, group, value, numerator, denominator, note`` (formats.md). Each row is checked as
a row of observations.csv is: an unknown ref; a period unreadable or not at the indicator's
frequency; no value and no numerator and denominator; a negative count or a denominator of 0; an
impossible value, given or computed (the bounds rule of :mod:`kpiboard.datafiles.bounds`); for
``ratio`` indicators a missing numerator or denominator; a value that disagrees with numerator /
denominator at the indicator's decimals. Then: a second row for a ref, period and group; a group
that organisation.toml's ``[breakdowns.<ref>]`` table, where there is one, does not list.

organisation.toml's tables are checked by :func:`check_breakdown_tables` (a list of groups, each
named once, for an indicator that exists). Once the whole dataset is built,
:func:`combination_errors` names every complete breakdown that does not combine to its headline
figure (the rule is :mod:`kpiboard.analysis.breakdowns`').
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

import polars as pl

from kpiboard.analysis.breakdowns import (
    BREAKDOWNS_TABLE,
    BreakdownTable,
    breakdown_mismatches,
    read_breakdown_tables,
)
from kpiboard.analysis.model import Breakdown, Dataset
from kpiboard.analysis.periods import Period
from kpiboard.datafiles.bounds import BOUND_COLUMNS, bound_checks, computed_refusals
from kpiboard.datafiles.checks import (
    duplicate_keys,
    flag_disagreement,
    percent_factor,
    ref_and_period_checks,
    with_indicator,
)
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.organisation import Locate
from kpiboard.datafiles.period_columns import PeriodBook, Reading
from kpiboard.datafiles.tables import Check, Table, run_checks

__all__ = [
    "build_breakdowns",
    "check_breakdown_groups",
    "check_breakdown_tables",
    "check_breakdowns",
    "combination_errors",
]


def check_breakdowns(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """breakdowns.csv: adds ``_pid``, ``_start`` and ``_percent`` for the model."""
    frame = with_indicator(
        table.frame, indicators, ["_fcode", "_percent", "_ratio", "decimals", *BOUND_COLUMNS]
    )
    frame = book.resolve(frame, "period", Reading.EXACT)
    frame, bounds = bound_checks(frame, ["value"], whole=["value"])
    frame = flag_disagreement(frame)
    frame = frame.with_columns(
        computed_refusals(frame, percent_factor()),
        pl.col("group").cast(pl.Categorical).to_physical().cast(pl.Int64).alias("_group"),
    )
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_pid", "_group"],
        "group",
        pl.format(
            "one row for group {} of ref {} in period {}: row {} has it already",
            pl.col("group"),
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
            pl.col("_computed_impossible").is_not_null(),
            "numerator",
            pl.col("_computed_impossible"),
        ),
        Check(
            ratio & missing["numerator"],
            "numerator",
            "a numerator: the indicator combines by ratio, so every group needs one",
        ),
        Check(
            ratio & missing["denominator"],
            "denominator",
            "a denominator: the indicator combines by ratio, so every group needs one",
        ),
        Check(pl.col("_disagreement").is_not_null(), "value", pl.col("_disagreement")),
        *bounds,
    ]
    run_checks(frame, table.file, checks, errors)
    return frame


def check_breakdown_tables(
    document: Mapping[str, object],
    locate: Locate,
    refs: Collection[str] | None,
    errors: list[DataError],
) -> dict[str, BreakdownTable]:
    """organisation.toml's ``[breakdowns.<ref>]`` tables, each error added to ``errors``;
    ``refs`` are the indicators' (None: indicators.csv unreadable, refs not checked)."""
    tables, problems = read_breakdown_tables(document)
    for key, value, expected in problems:
        file, row, column = locate(key)
        errors.append(DataError(file, row, column, None if value is None else str(value), expected))
    if refs is not None:
        for ref in [ref for ref in tables if ref not in refs]:
            file, row, column = locate(f"{BREAKDOWNS_TABLE}.{ref}")
            errors.append(
                DataError(file, row, column, ref, "the ref of an indicator in indicators.csv")
            )
            del tables[ref]
    return tables


def check_breakdown_groups(
    frame: pl.DataFrame | None,
    file: str,
    tables: Mapping[str, BreakdownTable],
    errors: list[DataError],
) -> None:
    """Each row's group is one its indicator's table lists (where the indicator has one)."""
    if frame is None or not tables:
        return
    rows = frame.filter(pl.col("ref").is_in(list(tables))).select("_row", "ref", "group")
    for row, ref, group in rows.iter_rows():
        listed = tables[ref].groups
        if group is not None and group not in listed:
            errors.append(
                DataError(
                    file,
                    row,
                    "group",
                    group,
                    f"one of the groups of [{BREAKDOWNS_TABLE}.{ref}] in organisation.toml: "
                    + ", ".join(listed),
                )
            )


def build_breakdowns(frame: pl.DataFrame | None, periods: list[Period]) -> list[Breakdown]:
    """The checked frame's rows; an empty value is numerator / denominator (x 100 for a
    percentage), with ``value_given`` False."""
    if frame is None:
        return []
    made = []
    columns = ["ref", "_pid", "group", "value", "numerator", "denominator", "note", "_percent"]
    for ref, pid, group, value, numerator, denominator, note, percent in frame.select(
        columns
    ).iter_rows():
        top = Decimal(numerator) if numerator is not None else None
        bottom = Decimal(denominator) if denominator is not None else None
        if value is not None:
            number = Decimal(value)
        else:
            assert top is not None  # checked before building
            assert bottom is not None
            number = top * (Decimal(100) if percent else Decimal(1)) / bottom
        made.append(
            Breakdown(ref, periods[pid], group, number, top, bottom, note or "", value is not None)
        )
    return made


def combination_errors(
    dataset: Dataset,
    frame: pl.DataFrame | None,
    file: str,
    tables: Mapping[str, BreakdownTable],
) -> list[DataError]:
    """An error for each complete breakdown that does not combine to its headline figure,
    naming the first row of that period's groups in breakdowns.csv and both figures."""
    mismatches = breakdown_mismatches(dataset, tables)
    if not mismatches or frame is None:
        return []
    first: dict[tuple[str, int], int] = {}
    for row, ref, start in frame.select("_row", "ref", "_start").iter_rows():
        first.setdefault((ref, start), row)
    return [
        DataError(
            file,
            first[(mismatch.ref, mismatch.period.start)],
            "value",
            mismatch.combined_text,
            mismatch.message,
        )
        for mismatch in mismatches
    ]
