"""``evaluate()``: every figure of a committee report, for a dataset and a reporting period.

This is the one place the figures are computed. Files and database both become a
:class:`~kpiboard.analysis.model.Dataset`; ``evaluate()`` turns it into an :class:`Evaluation`;
the JSON of ``kpiboard evaluate``, the report packs and the web pages all read that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from kpiboard.analysis.breakdowns import in_period
from kpiboard.analysis.change import Change, change_between
from kpiboard.analysis.model import (
    Breakdown,
    Category,
    Commentary,
    Committee,
    Dataset,
    Direction,
    Directorate,
    Indicator,
    Observation,
    Organisation,
    Target,
    Tolerance,
)
from kpiboard.analysis.neighbours import NeighbourComparison, compare_with_neighbours
from kpiboard.analysis.periods import Period
from kpiboard.analysis.recent_trend import RecentTrend, TrendPoint, recent_trend
from kpiboard.analysis.spc import SpcResult, xmr
from kpiboard.analysis.spc_batch import xmr_many
from kpiboard.analysis.status import Status, status_for
from kpiboard.analysis.summary import SummaryRow, summarise, summary_footnote
from kpiboard.analysis.transitions import Transitions, transitions
from kpiboard.analysis.trend import LinearFit, Projection, fit_line
from kpiboard.analysis.values import (
    PeriodValue,
    observations_up_to,
    target_in_force,
    value_for_period,
)

__all__ = ["Evaluation", "IndicatorResult", "TrendResult", "UnknownCommitteeError", "evaluate"]

RECENT_TREND_POINTS = 5
_Named = TypeVar("_Named", Committee, Directorate)


class UnknownCommitteeError(ValueError):
    """The committee or directorate asked for is not in the organisation."""


@dataclass(frozen=True, slots=True)
class TrendResult:
    """The projected linear trend and where it leads by the end of the financial year."""

    fit: LinearFit
    next: Projection
    year_end: Projection
    year_end_target: Decimal | None
    projected_status: Status | None


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """Every figure about one indicator for the reporting period."""

    indicator: Indicator
    value: PeriodValue | None
    previous_value: PeriodValue | None
    year_ago_value: PeriodValue | None
    target: Decimal | None
    previous_target: Decimal | None
    tolerance: Tolerance
    status: Status
    previous_status: Status
    change: Change | None
    change_year_on_year: Change | None
    trend: TrendResult | None
    neighbours: NeighbourComparison | None
    spc: SpcResult | None
    recent_trend: RecentTrend | None
    commentary: Commentary | None
    history: tuple[Observation, ...]
    targets: tuple[Target, ...]
    warnings: tuple[str, ...]
    #: The indicator's figures by group within the reporting period (breakdowns.csv), shown
    #: under it and never judged against its target.
    breakdowns: tuple[Breakdown, ...] = ()

    @property
    def ref(self) -> str:
        return self.indicator.ref


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The evaluated report: indicators in file order, the summary and the transitions."""

    organisation: Organisation
    period: Period
    previous_period: Period
    committee: Committee | None
    directorate: Directorate | None
    indicators: tuple[IndicatorResult, ...]
    summary: tuple[SummaryRow, ...]
    transitions: Transitions
    #: Only the strategic KPIs: the Organisational Scorecard (no committee or directorate), or
    #: a directorate's strategic scorecard (docs/proposals.md).
    strategic: bool = False

    @property
    def summary_footnote(self) -> str | None:
        """The status summary's footnote, when its percentages do not add to 100."""
        return summary_footnote(self.summary)

    def result(self, ref: str) -> IndicatorResult:
        for result in self.indicators:
            if result.ref == ref:
                return result
        raise KeyError(ref)


def evaluate(
    dataset: Dataset,
    period: Period,
    committee: str | None = None,
    *,
    directorate: str | None = None,
    strategic: bool = False,
) -> Evaluation:
    """Evaluate the indicators of the organisation, one committee or one directorate; with
    ``strategic``, only the strategic KPIs among them (the Organisational Scorecard, or a
    directorate's strategic scorecard, docs/proposals.md).

    Indicators keep the order of indicators.csv. An unknown committee or directorate id raises
    :class:`UnknownCommitteeError` naming the ids that exist.
    """
    organisation = dataset.organisation
    indicators: Sequence[Indicator] = dataset.indicators
    chosen_committee = None
    if committee is not None:
        chosen_committee = _find(organisation.committees, committee, "committee")
        indicators = [i for i in indicators if committee in i.committees]
    chosen_directorate = None
    if directorate is not None:
        chosen_directorate = _find(organisation.directorates, directorate, "directorate")
        indicators = [i for i in indicators if i.directorate == directorate]
    if strategic:
        indicators = [i for i in indicators if i.strategic]
    results = _with_spc(
        dataset,
        [
            evaluate_indicator(dataset, indicator, period, with_spc=False)
            for indicator in indicators
        ],
    )
    rows = summarise((r.status for r in results), organisation.settings.percent_rounding)
    return Evaluation(
        organisation=organisation,
        period=period,
        previous_period=period.previous(),
        committee=chosen_committee,
        directorate=chosen_directorate,
        indicators=results,
        summary=tuple(rows),
        transitions=transitions((r.ref, r.previous_status, r.status) for r in results),
        strategic=strategic,
    )


def _find(options: Sequence[_Named], wanted: str, kind: str) -> _Named:
    for option in options:
        if option.id == wanted:
            return option
    known = ", ".join(option.id for option in options) or "none defined"
    raise UnknownCommitteeError(f"unknown {kind} {wanted!r}: expected one of {known}")


def _with_spc(dataset: Dataset, results: list[IndicatorResult]) -> tuple[IndicatorResult, ...]:
    """The results with their control charts, computed for all indicators at once
    (``xmr_many``: the same figures as one ``xmr`` per indicator, a tenth of the time)."""
    charts = xmr_many(
        [[float(o.value) for o in r.history] for r in results],
        directions=[r.indicator.direction for r in results],
        targets=[float(r.target) if r.target is not None else None for r in results],
        rebases=[[o.rebase for o in r.history] for r in results],
        settings=dataset.organisation.settings.spc,
    )
    return tuple(replace(r, spc=chart) for r, chart in zip(results, charts, strict=True))


def evaluate_indicator(
    dataset: Dataset, indicator: Indicator, period: Period, *, with_spc: bool = True
) -> IndicatorResult:
    """Every figure of one indicator for ``period`` (the control chart too, unless told not:
    ``evaluate()`` draws them all at once)."""
    settings = dataset.organisation.settings
    observations = dataset.observations.get(indicator.ref, ())
    targets = dataset.targets.get(indicator.ref, ())
    tolerance = indicator.tolerance(settings.tolerance)
    previous_period = period.previous()

    value = value_for_period(indicator, observations, period)
    previous_value = value_for_period(indicator, observations, previous_period)
    year_ago_value = value_for_period(indicator, observations, period.year_earlier())
    target = target_in_force(targets, period)
    previous_target = target_in_force(targets, previous_period)

    def status_of(found: PeriodValue | None, in_force: Decimal | None) -> Status:
        return status_for(
            category=indicator.category,
            value=found.value if found else None,
            target=in_force,
            direction=indicator.direction,
            tolerance=tolerance,
        )

    status = status_of(value, target)
    history = tuple(observations_up_to(observations, period))
    direction, decimals = indicator.direction, indicator.decimals
    return IndicatorResult(
        indicator=indicator,
        value=value,
        previous_value=previous_value,
        year_ago_value=year_ago_value,
        target=target,
        previous_target=previous_target,
        tolerance=tolerance,
        status=status,
        previous_status=status_of(previous_value, previous_target),
        change=change_between(_number(value), _number(previous_value), direction, decimals),
        change_year_on_year=change_between(
            _number(value), _number(year_ago_value), direction, decimals
        ),
        trend=_trend(
            indicator,
            history[-settings.trend_points[indicator.frequency] :],
            targets,
            period,
            tolerance,
        ),
        neighbours=_neighbours(dataset, indicator, observations, period),
        spc=_spc(indicator, history, target, dataset) if with_spc else None,
        recent_trend=_recent_trend(indicator, history),
        commentary=_commentary(dataset.commentary.get(indicator.ref, ()), period, value, indicator),
        history=history,
        targets=tuple(targets),
        warnings=tuple(_warnings(indicator, period, value, target, status)),
        breakdowns=in_period(dataset.breakdowns.get(indicator.ref, ()), period),
    )


def _number(found: PeriodValue | None) -> Decimal | None:
    return found.value if found is not None else None


def _trend(
    indicator: Indicator,
    points: Sequence[Observation],
    targets: Sequence[Target],
    period: Period,
    tolerance: Tolerance,
) -> TrendResult | None:
    """The line through the last points, projected to the next period and to the year end.

    Projections are made to the indicator's own period that holds the last month of the next
    reporting period, and of the financial year; the year-end target is the one in force then.
    """
    fit = fit_line(points)
    if fit is None:
        return None
    ysm = period.year_start_month
    next_point = Period.containing(period.next().end, indicator.frequency, ysm)
    year_end_point = Period.containing(period.financial_year.end, indicator.frequency, ysm)
    year_end = fit.project(year_end_point)
    year_end_target = target_in_force(targets, year_end_point)
    projected_status = None
    if (
        indicator.category is Category.TARGETED
        and indicator.direction is not Direction.NONE
        and year_end_target is not None
    ):
        projected_status = status_for(
            category=indicator.category,
            value=Decimal(repr(year_end.value)),
            target=year_end_target,
            direction=indicator.direction,
            tolerance=tolerance,
        )
    return TrendResult(fit, fit.project(next_point), year_end, year_end_target, projected_status)


def _neighbours(
    dataset: Dataset, indicator: Indicator, observations: Sequence[Observation], period: Period
) -> NeighbourComparison | None:
    if not indicator.national_definition:
        return None
    rows = dataset.neighbours.get(indicator.ref, {})
    if not rows:
        return None

    def own_value(at: Period) -> tuple[Decimal, Decimal | None, Decimal | None] | None:
        found = value_for_period(indicator, observations, at)
        if found is None:
            return None
        single = found.observations[0] if len(found.observations) == 1 else None
        if single is not None and single.period == at:
            return found.value, single.lower_ci, single.upper_ci
        return found.value, None, None

    return compare_with_neighbours(
        rows=rows,
        own_value=own_value,
        area_code=dataset.organisation.area_code,
        direction=indicator.direction,
        period=period,
        min_neighbours=dataset.organisation.settings.min_neighbours,
        group=dataset.organisation.settings.neighbour_group,
    )


def _spc(
    indicator: Indicator,
    history: Sequence[Observation],
    target: Decimal | None,
    dataset: Dataset,
) -> SpcResult | None:
    settings = dataset.organisation.settings.spc
    if len(history) < settings.min_points:
        return None
    return xmr(
        [float(o.value) for o in history],
        direction=indicator.direction,
        target=float(target) if target is not None else None,
        rebase=[o.rebase for o in history],
        settings=settings,
    )


def _recent_trend(indicator: Indicator, history: Sequence[Observation]) -> RecentTrend | None:
    """Fingertips' recent trend, for indicators with counts or confidence limits."""
    last = history[-RECENT_TREND_POINTS:]
    has_counts = bool(last) and all(
        o.numerator is not None and o.denominator is not None for o in last
    )
    has_limits = bool(last) and all(o.lower_ci is not None and o.upper_ci is not None for o in last)
    if not (has_counts or has_limits):
        return None
    points = [
        TrendPoint(
            value=float(o.value),
            numerator=_float(o.numerator) if has_counts else None,
            denominator=_float(o.denominator) if has_counts else None,
            lower_ci=_float(o.lower_ci) if has_limits else None,
            upper_ci=_float(o.upper_ci) if has_limits else None,
        )
        for o in last
    ]
    evenly_spaced = len(last) == RECENT_TREND_POINTS and (
        last[-1].period.index - last[0].period.index == RECENT_TREND_POINTS - 1
    )
    if not evenly_spaced:
        points = points[:0]  # fewer than five consecutive points: cannot be calculated
    return recent_trend(points, direction=indicator.direction)


def _float(number: Decimal | None) -> float | None:
    return float(number) if number is not None else None


def _commentary(
    rows: Sequence[Commentary], period: Period, value: PeriodValue | None, indicator: Indicator
) -> Commentary | None:
    """The commentary for the reporting period.

    The latest commentary written for the reporting period or a period inside it (the quarter's
    own before its last month's). For an indicator measured less often than the report (an annual
    survey), the commentary on the figure shown, for the period of that figure.
    """
    inside = [c for c in rows if period.contains(c.period)]
    if inside:
        return max(inside, key=lambda c: (c.period.end, c.period.frequency.months))
    if value is not None and indicator.frequency.months > period.frequency.months:
        for row in reversed(rows):
            if row.period == value.as_of:
                return row
    return None


def _warnings(
    indicator: Indicator,
    period: Period,
    value: PeriodValue | None,
    target: Decimal | None,
    status: Status,
) -> list[str]:
    """Data-quality warnings a performance officer should act on before the report goes out."""
    found: list[str] = []
    if status is Status.NO_DATA:
        found.append(f"No figure for {period}.")
    elif status is Status.NO_TARGET:
        found.append(f"No target in force for {period}.")
    if value is not None and not value.complete:
        found.append(f"Incomplete: no figure for {', '.join(map(str, value.missing))}.")
    if (
        target is not None
        and indicator.direction is Direction.NONE
        and indicator.category is Category.TARGETED
    ):
        found.append("Has a target but no direction of improvement: judged as higher is better.")
    return found
