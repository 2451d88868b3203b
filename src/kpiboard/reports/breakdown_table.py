"""The small table of an indicator's groups on its card (breakdowns.csv): a row per group, a
column per period of the reporting period (its months, for a monthly indicator reported by
quarter), the indicator's own figure below. Shown for context, never judged against the target.

Every output (HTML, PDF, Word) renders this one table; the web's indicator page shows it too,
beside the chart of :mod:`kpiboard.reports.breakdown_chart`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from kpiboard.analysis.breakdowns import BreakdownGrid, breakdown_grid, breakdown_tables
from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.reports.formatting import format_value
from kpiboard.reports.words import period_label

__all__ = ["GroupTable", "group_grid", "group_table"]


@dataclass(frozen=True, slots=True)
class GroupTable:
    """Text cells, ready for any output. ``rows`` start with the group's name; ``total`` is the
    indicator's own figure of each period (None when it has none in the period)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None
    notes: tuple[str, ...]


def group_grid(result: IndicatorResult, organisation: Organisation) -> BreakdownGrid | None:
    """The reporting period's breakdown of ``result`` laid out by group and period."""
    tables = breakdown_tables(organisation)
    return breakdown_grid(
        result.indicator, result.breakdowns, result.history, tables.get(result.indicator.ref)
    )


def group_table(
    result: IndicatorResult, organisation: Organisation, period: Period
) -> GroupTable | None:
    """The card's table of groups for the reporting ``period``, or None without a breakdown.

    >>> # 190 in 2024/25 Q2: Service | July 2024 | August 2024 | September 2024
    >>> # Registration | 78.0% | 61.0% | 72.0% ... All services (the indicator) | 85.1% ...
    """
    grid = group_grid(result, organisation)
    if grid is None:
        return None
    indicator = result.indicator

    def shown(value: Decimal | None) -> str:
        return format_value(value, indicator.unit, indicator.decimals)

    rows = tuple(
        (group, *(_cell(grid, group, when, shown) for when in grid.periods))
        for group in grid.groups
    )
    total = None
    if any(when in grid.headline for when in grid.periods):
        total = (
            f"All ({indicator.ref}'s own figure)",
            *(shown(grid.headline.get(when)) for when in grid.periods),
        )
    notes = tuple(
        f"{period_label(when)}, {group}: {cell.note}"
        for when in grid.periods
        for group in grid.groups
        if (cell := grid.cell(group, when)) is not None and cell.note
    )
    return GroupTable(
        caption=(
            f"Indicator {indicator.ref} by {grid.by.lower()}, {period_label(period)}: "
            "for context, not judged against the target"
        ),
        headers=(grid.by, *(period_label(when) for when in grid.periods)),
        rows=rows,
        total=total,
        notes=notes,
    )


def _cell(
    grid: BreakdownGrid, group: str, when: Period, shown: Callable[[Decimal | None], str]
) -> str:
    found = grid.cell(group, when)
    return shown(found.value if found is not None else None)
