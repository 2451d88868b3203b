"""Breakdowns: an indicator's figure split by service, area or any other group (breakdowns.csv).

A breakdown is shown under its indicator and never judged against the indicator's target. What
the engine checks is that a *complete* breakdown adds up: where organisation.toml's
``[breakdowns.<ref>]`` table lists the groups and a period has a row for every one of them, the
groups combine to the headline figure of observations.csv for that period, compared at the
indicator's decimals (both rounded half up), as a value is compared with its numerator and
denominator:

- an indicator that combines by ``sum``: the groups' values add up to the headline;
- by ``ratio``: the groups' numerators over their denominators (times 100 for a percentage);
- by ``mean`` or ``latest`` (how *periods* combine, not groups), where every group is given as a
  numerator and a denominator: those counts combine as a ratio, since counts of a whole split
  into groups add up whatever the indicator does across periods. Otherwise nothing is checked:
  the mean of three services' percentages is not the council's percentage.

>>> from kpiboard.analysis.periods import Period
>>> august = Period.month(2024, 8)
>>> rows = [Breakdown("190", august, "Registration", Decimal("61"), Decimal("61"), Decimal("100")),
...         Breakdown("190", august, "Other", Decimal("80"), Decimal("240"), Decimal("300"))]
>>> combine(rows, BreakdownRule.RATIO, percent=True)
Decimal('75.25')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from kpiboard.analysis.model import (
    Aggregation,
    Breakdown,
    Dataset,
    Indicator,
    Observation,
    Organisation,
    Unit,
)
from kpiboard.analysis.periods import Period

__all__ = [
    "BREAKDOWNS_TABLE",
    "DEFAULT_GROUPS_WORD",
    "BreakdownGrid",
    "BreakdownRule",
    "BreakdownTable",
    "Mismatch",
    "breakdown_grid",
    "breakdown_mismatches",
    "breakdown_rule",
    "breakdown_tables",
    "combine",
    "in_period",
    "read_breakdown_tables",
]

#: The organisation.toml table that lists each indicator's groups: ``[breakdowns.<ref>]``.
BREAKDOWNS_TABLE = "breakdowns"
#: What the groups are called where the table does not say (its ``by``).
DEFAULT_GROUPS_WORD = "Group"
_KEYS = ("groups", "by")


class BreakdownRule(StrEnum):
    """How a period's groups combine to the headline figure."""

    SUM = "sum"
    RATIO = "ratio"


@dataclass(frozen=True, slots=True)
class BreakdownTable:
    """``[breakdowns.<ref>]``: the groups that make a breakdown complete, in the order shown,
    and what they are (``by = "Service"``: the heading of the groups' column)."""

    ref: str
    groups: tuple[str, ...]
    by: str = DEFAULT_GROUPS_WORD


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A complete breakdown that does not combine to its headline figure."""

    ref: str
    period: Period
    headline: Decimal
    combined: Decimal
    rule: BreakdownRule
    decimals: int

    @property
    def combined_text(self) -> str:
        """The groups' combined figure at the indicator's decimals."""
        return _shown(self.combined, self.decimals)

    @property
    def message(self) -> str:
        """What was expected, naming both figures: the groups of 190 in 2024-08 to combine to
        its headline figure 76.1 (observations.csv); their numerators over their denominators
        give 75.3."""
        how = {
            BreakdownRule.SUM: "their values add up to",
            BreakdownRule.RATIO: "their numerators over their denominators give",
        }[self.rule]
        return (
            f"the groups of {self.ref} in {self.period} to combine to its headline figure "
            f"{_shown(self.headline, self.decimals)} (observations.csv); {how} "
            f"{self.combined_text}"
        )


def read_breakdown_tables(
    document: Mapping[str, Any],
) -> tuple[dict[str, BreakdownTable], list[tuple[str, object, str]]]:
    """The ``[breakdowns.<ref>]`` tables of organisation.toml's document, and the problems
    found as (key, value found, what was expected); a table with a problem is left out."""
    tables: dict[str, BreakdownTable] = {}
    problems: list[tuple[str, object, str]] = []
    found = document.get(BREAKDOWNS_TABLE)
    if found is None:
        return tables, problems
    if not isinstance(found, Mapping):
        problems.append((BREAKDOWNS_TABLE, found, "a table [breakdowns.<ref>] per indicator"))
        return tables, problems
    for ref, table in found.items():
        key = f"{BREAKDOWNS_TABLE}.{ref}"
        if not isinstance(table, Mapping):
            problems.append((key, table, f'a table [{key}] with groups = ["...", "..."]'))
            continue
        before = len(problems)
        for inner in table:
            if inner not in _KEYS:
                expected = f"one of the settings groups, by in [{key}]"
                problems.append((f"{key}.{inner}", None, expected))
        groups = table.get("groups")
        names = _group_names(groups)
        if names is None:
            expected = 'a list of the groups\' names, such as ["North", "South"]'
            problems.append((f"{key}.groups", groups, expected))
        elif len(set(names)) != len(names):
            twice = next(name for name in names if names.count(name) > 1)
            problems.append((f"{key}.groups", twice, "each group named once"))
        by = table.get("by", DEFAULT_GROUPS_WORD)
        if not isinstance(by, str) or not by.strip():
            problems.append((f"{key}.by", by, 'what the groups are, such as "Service"'))
        if len(problems) == before and names is not None and isinstance(by, str):
            tables[str(ref)] = BreakdownTable(str(ref), tuple(names), by.strip())
    return tables, problems


def _group_names(groups: object) -> list[str] | None:
    if not isinstance(groups, list) or not groups:
        return None
    if not all(isinstance(group, str) and group.strip() for group in groups):
        return None
    return [group.strip() for group in groups]


def breakdown_tables(organisation: Organisation) -> dict[str, BreakdownTable]:
    """The organisation's breakdown tables (checked when the data was read)."""
    return read_breakdown_tables(organisation.extra)[0]


def breakdown_rule(indicator: Indicator, rows: Sequence[Breakdown]) -> BreakdownRule | None:
    """How ``rows`` (one period's groups) combine, or None when they are not checked."""
    if indicator.aggregation is Aggregation.SUM:
        return BreakdownRule.SUM
    counted = all(row.numerator is not None and row.denominator is not None for row in rows)
    if indicator.aggregation is Aggregation.RATIO or (rows and counted):
        return BreakdownRule.RATIO if counted else None
    return None


def combine(rows: Sequence[Breakdown], rule: BreakdownRule, *, percent: bool) -> Decimal | None:
    """The groups' combined figure (None for a ratio over no count at all)."""
    if rule is BreakdownRule.SUM:
        return sum((row.value for row in rows), Decimal(0))
    numerator = sum((row.numerator or Decimal(0) for row in rows), Decimal(0))
    denominator = sum((row.denominator or Decimal(0) for row in rows), Decimal(0))
    if denominator == 0:
        return None
    return numerator * (Decimal(100) if percent else Decimal(1)) / denominator


def breakdown_mismatches(
    dataset: Dataset, tables: Mapping[str, BreakdownTable] | None = None
) -> list[Mismatch]:
    """Every complete breakdown of ``dataset`` that does not combine to its headline figure.

    ``tables`` defaults to the organisation's. Groups not listed in a table are left out of
    the combination; a period with no headline figure has nothing to combine to.
    """
    if tables is None:
        tables = breakdown_tables(dataset.organisation)
    found: list[Mismatch] = []
    for ref, rows in dataset.breakdowns.items():
        table = tables.get(ref)
        if table is None:
            continue
        indicator = dataset.indicator(ref)
        headlines = {o.period: o for o in dataset.observations.get(ref, ())}
        for period, group_rows in _by_period(rows).items():
            mismatch = _mismatch(indicator, table, period, group_rows, headlines.get(period))
            if mismatch is not None:
                found.append(mismatch)
    return found


def _mismatch(
    indicator: Indicator,
    table: BreakdownTable,
    period: Period,
    rows: Sequence[Breakdown],
    headline: Observation | None,
) -> Mismatch | None:
    listed = [row for row in rows if row.group in table.groups]
    if headline is None or {row.group for row in listed} != set(table.groups):
        return None
    rule = breakdown_rule(indicator, listed)
    if rule is None:
        return None
    combined = combine(listed, rule, percent=indicator.unit is Unit.PERCENT)
    if combined is None:
        return None
    quantum = Decimal(1).scaleb(-indicator.decimals)
    if headline.value.quantize(quantum, ROUND_HALF_UP) == combined.quantize(quantum, ROUND_HALF_UP):
        return None
    return Mismatch(indicator.ref, period, headline.value, combined, rule, indicator.decimals)


def _by_period(rows: Sequence[Breakdown]) -> dict[Period, list[Breakdown]]:
    grouped: dict[Period, list[Breakdown]] = {}
    for row in rows:
        grouped.setdefault(row.period, []).append(row)
    return grouped


def _shown(number: Decimal, decimals: int) -> str:
    """At the indicator's decimals (where the two figures differ)."""
    return f"{number.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP):f}"


def in_period(rows: Sequence[Breakdown], period: Period) -> tuple[Breakdown, ...]:
    """The rows of the reporting period: those whose period lies inside it (its months, for a
    monthly indicator reported by quarter)."""
    return tuple(
        row for row in rows if period.start <= row.period.start and row.period.end <= period.end
    )


@dataclass(frozen=True, slots=True)
class BreakdownGrid:
    """A breakdown laid out for reading: a row per group, a column per period.

    ``headline`` is the indicator's own figure of each period, for the total row.
    """

    ref: str
    by: str
    groups: tuple[str, ...]
    periods: tuple[Period, ...]
    cells: Mapping[tuple[str, Period], Breakdown]
    headline: Mapping[Period, Decimal]

    def cell(self, group: str, period: Period) -> Breakdown | None:
        return self.cells.get((group, period))


def breakdown_grid(
    indicator: Indicator,
    rows: Sequence[Breakdown],
    history: Sequence[Observation],
    table: BreakdownTable | None,
) -> BreakdownGrid | None:
    """``rows`` (a reporting period's, see :func:`in_period`) as a grid: groups in the table's
    order and then as met, periods in order; None when there are no rows."""
    if not rows:
        return None
    groups: list[str] = list(table.groups) if table is not None else []
    present = {row.group for row in rows}
    groups = [group for group in groups if group in present]
    for row in rows:
        if row.group not in groups:
            groups.append(row.group)
    periods = sorted({row.period for row in rows}, key=lambda p: p.start)
    values = {o.period: o.value for o in history if o.period in set(periods)}
    return BreakdownGrid(
        ref=indicator.ref,
        by=table.by if table is not None else DEFAULT_GROUPS_WORD,
        groups=tuple(groups),
        periods=tuple(periods),
        cells={(row.group, row.period): row for row in rows},
        headline=values,
    )
