"""The value of an indicator for a reporting period, and the target in force (semantics.md 2-3).

Worked example: a monthly percentage with ``aggregation = ratio`` in a quarterly report for
2024/25 Q2 combines July, August and September as sum(numerators) / sum(denominators) x 100, so
27/30, 27/35 and 27/35 give 81/100 = 81.0, ``as_of`` 2024-09 and ``complete`` true.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kpiboard.analysis.model import Aggregation, Cumulative, Indicator, Observation, Target, Unit
from kpiboard.analysis.periods import Period

__all__ = ["PeriodValue", "observations_up_to", "target_in_force", "value_for_period"]

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class PeriodValue:
    """An indicator's value for a reporting period.

    ``as_of`` is the latest period (at the indicator's own frequency) included; ``missing`` lists
    the periods that should have been included but have no observation, and ``complete`` is true
    when there are none. ``observations`` are
    the figures combined, so confidence limits and counts can be carried on.
    """

    value: Decimal
    as_of: Period
    observations: tuple[Observation, ...]
    missing: tuple[Period, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def numerator(self) -> Decimal | None:
        return _sum_or_none([o.numerator for o in self.observations])

    @property
    def denominator(self) -> Decimal | None:
        return _sum_or_none([o.denominator for o in self.observations])


def _sum_or_none(values: Sequence[Decimal | None]) -> Decimal | None:
    if not values or any(v is None for v in values):
        return None
    return sum((v for v in values if v is not None), Decimal(0))


def _combine(indicator: Indicator, observations: Sequence[Observation]) -> Decimal:
    """Combine observations by the indicator's aggregation. ``observations`` is non-empty."""
    aggregation = indicator.aggregation
    if len(observations) == 1:
        return observations[0].value  # as stored, which datafiles checked against its counts
    if aggregation is Aggregation.LATEST:
        return observations[-1].value
    if aggregation is Aggregation.SUM:
        return sum((o.value for o in observations), Decimal(0))
    if aggregation is Aggregation.MEAN:
        return sum((o.value for o in observations), Decimal(0)) / len(observations)
    numerator = _sum_or_none([o.numerator for o in observations])
    denominator = _sum_or_none([o.denominator for o in observations])
    if numerator is None or denominator is None or denominator == 0:
        # datafiles refuses ratio indicators without counts; a value-only series falls back to
        # the mean of the values rather than inventing counts.
        return sum((o.value for o in observations), Decimal(0)) / len(observations)
    ratio = numerator / denominator
    return ratio * HUNDRED if indicator.unit is Unit.PERCENT else ratio


def value_for_period(
    indicator: Indicator, observations: Sequence[Observation], period: Period
) -> PeriodValue | None:
    """The indicator's value for ``period`` (a reporting period at any frequency).

    ``observations`` are the indicator's own, sorted by period. None when nothing applies.

    - Same or finer frequency: the observations inside the period (from the start of the
      financial year with ``cumulative = ytd``) combined by the aggregation. ``complete`` is false
      when any of the sub-periods in that range has no observation; for a year-to-date value the
      range is the year to date, since a missing April makes the total wrong too.
    - Coarser frequency (an annual survey in a quarterly report): the latest observation that ends
      on or before the end of the period; complete.
    """
    if not observations:
        return None
    frequency = indicator.frequency
    # Sorted by start, so only those starting by the period's end can end by it.
    by_end = bisect_right(observations, period.end, key=_start)
    if frequency.months > period.frequency.months:
        latest = next(
            (o for o in reversed(observations[:by_end]) if o.period.end <= period.end), None
        )
        if latest is None:
            return None
        return PeriodValue(latest.value, latest.period, (latest,))

    start = period.financial_year.start if indicator.cumulative is Cumulative.YTD else period.start
    first = bisect_left(observations, start, hi=by_end, key=_start)
    inside = [o for o in observations[first:by_end] if o.period.end <= period.end]
    if not inside:
        return None
    present = {o.period.start for o in inside}
    missing = tuple(
        Period(month, frequency, period.year_start_month)
        for month in range(start, period.end + 1, frequency.months)
        if month not in present
    )
    return PeriodValue(
        value=_combine(indicator, inside),
        as_of=inside[-1].period,
        observations=tuple(inside),
        missing=missing,
    )


def _start(observation: Observation) -> int:
    return observation.period.start


def observations_up_to(observations: Sequence[Observation], period: Period) -> list[Observation]:
    """The observations that end on or before the end of ``period``, in period order."""
    return [o for o in observations if o.period.end <= period.end]


def target_in_force(targets: Sequence[Target], period: Period) -> Decimal | None:
    """The target of the row with the latest ``from`` whose start is on or before the period's.

    >>> from kpiboard.analysis.periods import parse_period as p
    >>> rows = [Target("1", p("2023/24"), Decimal(85)), Target("1", p("2024/25 Q2"), Decimal(90))]
    >>> target_in_force(rows, p("2024/25 Q1")), target_in_force(rows, p("2024/25 Q2"))
    (Decimal('85'), Decimal('90'))
    """
    found: Target | None = None
    for target in targets:
        if target.start.start <= period.start and (
            found is None or target.start.start >= found.start.start
        ):
            found = target
    return found.value if found is not None else None
