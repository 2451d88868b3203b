"""What an owner and a reviewer need beside a return: the indicator's earlier figures, the target
in force, and the status and change the figure would give the reporting period if approved,
computed by the engine exactly as the reports will."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Indicator, Observation, Organisation, Unit
from kpiboard.analysis.periods import Frequency, Period, parse_period
from kpiboard.reports.formatting import format_value
from kpiboard.reports.icons import variation_text
from kpiboard.reports.model import change_words
from kpiboard.reports.words import period_dates
from kpiboard.web import clock
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.evaluation import indicator_dataset
from kpiboard.web.register import models
from kpiboard.web.register.dataset import computed_value

__all__ = ["Outlook", "approved_history", "figure_of", "outlook", "reporting_period_of"]


def figure_of(item: Return) -> Decimal | None:
    """A return's figure: its value, or worked out from its numerator and denominator."""
    if item.value is not None:
        return Decimal(item.value)
    if item.numerator is not None and item.denominator:
        return computed_value(
            item.numerator, item.denominator, percent=item.indicator.unit == Unit.PERCENT
        )
    return None


def approved_history(row: models.Indicator, period: Period) -> list[Decimal]:
    """The indicator's approved figures before ``period``, oldest first."""
    items = Return.objects.filter(
        indicator=row, state=ReturnState.APPROVED, period_start__lt=period.start
    ).order_by("period_start")
    return [figure for item in items.select_related("indicator") if (figure := figure_of(item))]


def reporting_period_of(period: Period, year_start_month: int) -> Period:
    """The quarter a month's figure is reported in (a quarter or a year is its own)."""
    if period.frequency is not Frequency.MONTH:
        return period
    first, _ = period_dates(period)
    return parse_period(first.isoformat(), Frequency.QUARTER, year_start_month)


@dataclass(frozen=True, slots=True)
class Outlook:
    """How a return's figure would read in the quarter it is reported in."""

    reporting: Period
    shown: str  # the figure as the reports show it ("84.6%")
    previous: list[tuple[str, str]]  # the last figures: (period, as shown), newest last
    target: str  # the target in force for the reporting period, as shown, or "no target"
    status: Any  # the status the reporting period would have (a Status)
    previous_status: Any
    change: str  # against the previous reporting period, in words
    signal: str  # what the control chart says of the latest point, in words ("" without one)


def outlook(
    row: models.Indicator,
    indicator: Indicator,
    period: Period,
    figure: Decimal | None,
    organisation: Organisation,
    extra: dict[str, Decimal | None] | None = None,
) -> Outlook:
    """What ``figure`` for ``period`` would give, with every approved figure beside it."""
    year_start = organisation.settings.year_start_month
    reporting = reporting_period_of(period, year_start)
    dataset = indicator_dataset(row.ref, organisation)
    observations = [o for o in dataset.observations.get(row.ref, ()) if o.period != period]
    if figure is not None:
        parts = extra or {}
        observations.append(
            Observation(
                row.ref,
                period,
                figure,
                parts.get("numerator"),
                parts.get("denominator"),
                value_given=parts.get("numerator") is None,
            )
        )
        observations.sort(key=lambda o: o.period.start)
    dataset = replace(dataset, observations={**dataset.observations, row.ref: tuple(observations)})
    (result,) = evaluate(dataset, reporting).indicators
    unit, decimals = indicator.unit, indicator.decimals

    def show(value: Decimal | float | None) -> str:
        return format_value(value, unit, decimals)

    earlier = [o for o in observations if o.period.start < period.start][-4:]
    return Outlook(
        reporting=reporting,
        shown=show(figure) if figure is not None else "no figure yet",
        previous=[(str(o.period), show(o.value)) for o in earlier],
        target=show(result.target) if result.target is not None else "no target",
        status=result.status,
        previous_status=result.previous_status,
        change=(
            "no change to judge without a figure for both periods"
            if result.change is None
            else change_words(result.change)
        ),
        signal=variation_text(result, organisation.settings.spc.min_points),
    )


def days_late(due: dt.date | None, submitted: dt.datetime | None) -> int:
    """How many days after its due date a return came in (0 if on time or not due).

    On a site pretending it is another day (``KPIBOARD_TODAY``, a demonstration), a return sent
    after that day counts as sent on it, as the site counts every other lateness; the time
    recorded for it stays the real one."""
    if due is None or submitted is None:
        return 0
    day = timezone.localtime(submitted).date()
    pretend = clock.pretend_today()
    if pretend is not None and day > pretend:
        day = pretend
    return max(0, (day - due).days)
