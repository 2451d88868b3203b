"""Statistical neighbours (semantics.md 7).

For an indicator with a national definition: take the latest period, at or before the reporting
period, for which the council has a value and at least ``min_neighbours`` neighbours have one.
Report the neighbours' mean and median, the council's rank among itself and its neighbours
(1 = best; ties share the better rank, 1, 2, 2, 4), its quartile ceil(4 x rank / group size), how
it compares with the neighbours' median, and England's value beside them.

Worked example: council 80 with neighbours 90, 80, 70, 60, 50, higher is better. The group sorted
best first is 90, 80, 80, 70, 60, 50; the council shares rank 2 with one neighbour; quartile
ceil(4 x 2 / 6) = 2; the median of the five neighbours is 70, so the council is ``better``.

A council's neighbours are every area in its neighbour data, or, when it has a neighbour group
(``Settings.neighbour_group``, such as its CIPFA nearest neighbours), only the group's areas found
there: a national data set of 150 councils then ranks the council among its group of 16, not
among all 150. England is shown beside them either way, and never counted among them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kpiboard.analysis.model import ENGLAND_AREA_CODE, Direction, NeighbourValue
from kpiboard.analysis.periods import Period

__all__ = [
    "Comparison",
    "NeighbourComparison",
    "OwnValue",
    "compare_with_neighbours",
    "median",
]

#: The council's own value (with its confidence limits, if any) for a period, or None.
OwnValue = Callable[[Period], tuple[Decimal, Decimal | None, Decimal | None] | None]


class Comparison(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"


@dataclass(frozen=True, slots=True)
class NeighbourComparison:
    """How the council compares with its neighbours in one period.

    ``rank``, ``quartile`` and ``comparison`` are None for an indicator with direction ``none``,
    where no value is better than another.
    """

    period: Period
    n: int
    mean: Decimal
    median: Decimal
    council_value: Decimal
    rank: int | None
    group_size: int
    quartile: int | None
    comparison: Comparison | None
    england: Decimal | None
    values: tuple[NeighbourValue, ...]


def median(values: Sequence[Decimal]) -> Decimal:
    """The middle value, or the mean of the middle two: median(1, 2, 3, 10) = 2.5."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _competition_rank(value: Decimal, others: Sequence[Decimal], sign: int) -> int:
    """1 + the number of others strictly better than ``value``: ties share the better rank."""
    return 1 + sum(1 for other in others if sign * other > sign * value)


def _compare(
    council: Decimal,
    lower: Decimal | None,
    upper: Decimal | None,
    benchmark: Decimal,
    sign: int,
) -> Comparison:
    """Better, similar or worse than the benchmark; with an interval, as Fingertips does."""
    if lower is not None and upper is not None:
        if lower <= benchmark <= upper:
            return Comparison.SIMILAR
        above = lower > benchmark
    else:
        if council == benchmark:
            return Comparison.SIMILAR
        above = council > benchmark
    return Comparison.BETTER if (above if sign > 0 else not above) else Comparison.WORSE


def compare_with_neighbours(
    *,
    rows: Mapping[Period, Sequence[NeighbourValue]],
    own_value: OwnValue,
    area_code: str | None,
    direction: Direction,
    period: Period,
    min_neighbours: int,
    group: Collection[str] | None = None,
) -> NeighbourComparison | None:
    """The comparison for the latest usable period ending by the end of ``period``.

    ``rows`` are the indicator's neighbours.csv rows by period; only the periods tried are
    read, latest end first. The council's own value comes from its own row there
    (``area_code``) or else from ``own_value``, which ``evaluate()`` answers from the council's
    observations (monthly figures combine into a quarter of national data by the indicator's
    aggregation). ``group`` holds the area codes of the council's neighbour group: only those
    areas count as neighbours (None: every area in ``rows`` does).
    """
    candidates = sorted(
        (p for p in rows if p.end <= period.end), key=lambda p: (p.end, p.start), reverse=True
    )
    for candidate in candidates:
        result = _compare_in_period(
            candidate, rows[candidate], own_value, area_code, direction, min_neighbours, group
        )
        if result is not None:
            return result
    return None


def _compare_in_period(
    period: Period,
    rows: Sequence[NeighbourValue],
    own_value: OwnValue,
    area_code: str | None,
    direction: Direction,
    min_neighbours: int,
    group: Collection[str] | None,
) -> NeighbourComparison | None:
    council_row = next((r for r in rows if r.area_code == area_code), None)
    own: tuple[Decimal, Decimal | None, Decimal | None] | None
    if council_row is not None and council_row.value is not None:
        own = (council_row.value, council_row.lower_ci, council_row.upper_ci)
    else:
        own = own_value(period)
    if own is None:
        return None
    council_value, lower, upper = own
    neighbours = [
        r
        for r in rows
        if r.value is not None
        and r.area_code not in (area_code, ENGLAND_AREA_CODE)
        and (group is None or r.area_code in group)
    ]
    if len(neighbours) < max(min_neighbours, 1):
        return None
    values = [r.value for r in neighbours if r.value is not None]
    middle = median(values)
    england = next(
        (r.value for r in rows if r.area_code == ENGLAND_AREA_CODE and r.value is not None), None
    )
    sign = direction.sign
    group_size = len(values) + 1
    rank = quartile = comparison = None
    if sign:
        rank = _competition_rank(council_value, values, sign)
        quartile = math.ceil(4 * rank / group_size)
        comparison = _compare(council_value, lower, upper, middle, sign)
    return NeighbourComparison(
        period=period,
        n=len(values),
        mean=sum(values, Decimal(0)) / len(values),
        median=middle,
        council_value=council_value,
        rank=rank,
        group_size=group_size,
        quartile=quartile,
        comparison=comparison,
        england=england,
        values=tuple(neighbours),
    )
