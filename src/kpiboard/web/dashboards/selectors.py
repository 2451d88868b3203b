"""Reads for the scorecards and indicator pages: periods, register facts, one indicator's
evaluation, returns outstanding. Views call these; nothing here knows about HTTP.

Every read here costs a fixed number of queries, whatever the number of indicators: the
scorecards' figures come from the cached organisation evaluation (two queries) and the register
facts they need beside it from two more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult, evaluate
from kpiboard.analysis.model import (
    Commentary,
    Organisation,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period, parse_period
from kpiboard.reports.model import Card, build_report
from kpiboard.web import clock
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.evaluation import indicator_dataset
from kpiboard.web.periods import periods_due, slug
from kpiboard.web.register import models
from kpiboard.web.register.dataset import (
    EVALUATED,
)

__all__ = [
    "IndicatorFigures",
    "Outstanding",
    "RegisterFacts",
    "ended_before",
    "indicator_figures",
    "outstanding_returns",
    "register_facts",
]


# -- the register beside the evaluation --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RegisterFacts:
    """What a scorecard needs to know about an indicator that formats.md's evaluation JSON does
    not say: its directorate, its committees and how many decimals it is shown to."""

    ref: str
    name: str
    unit: Unit
    decimals: int
    directorate: str
    committees: tuple[str, ...]


def register_facts() -> dict[str, RegisterFacts]:
    """Every evaluated indicator's register facts by ref (two queries)."""
    committees: dict[str, list[str]] = {}
    for ref, code in (
        models.Indicator.committees.through.objects.filter(indicator__lifecycle__in=EVALUATED)
        .order_by("pk")
        .values_list("indicator__ref", "committee__code")
    ):
        committees.setdefault(ref, []).append(code)
    return {
        ref: RegisterFacts(
            ref, name, Unit(unit), decimals, directorate, tuple(committees.get(ref, ()))
        )
        for ref, name, unit, decimals, directorate in models.Indicator.objects.filter(
            lifecycle__in=EVALUATED
        ).values_list("ref", "name", "unit", "decimals", "directorate__code")
    }


# -- one indicator -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IndicatorFigures:
    """One indicator evaluated for a period: the engine's result, the card the committee report
    prints for it, and every piece of approved commentary up to the end of the period, newest
    first."""

    evaluation: Evaluation
    result: IndicatorResult
    card: Card
    commentary: tuple[Commentary, ...]


def indicator_figures(
    organisation: Organisation, row: models.Indicator, period: Period
) -> IndicatorFigures:
    dataset = indicator_dataset(row.ref, organisation)
    evaluation = evaluate(dataset, period)
    (result,) = evaluation.indicators
    (card,) = build_report(evaluation).cards
    written = [c for c in dataset.commentary.get(row.ref, ()) if c.period.end <= period.end]
    written.sort(key=lambda c: (c.period.end, c.period.frequency.months), reverse=True)
    return IndicatorFigures(evaluation, result, card, tuple(written))


def ended_before(row: models.Indicator, period: Period, year_start_month: int) -> bool:
    """Retired or suspended before ``period``: not in that period's reports."""
    if not row.ended_from:
        return False
    return parse_period(row.ended_from, None, year_start_month).start <= period.start


# -- returns -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Outstanding:
    """The returns due for a reporting period, for a set of indicators (collection's own count:
    a return is done once submitted or approved)."""

    period: Period
    due: int
    outstanding: int
    late: int
    awaiting_approval: int

    @property
    def slug(self) -> str:
        return slug(self.period)


def outstanding_returns(
    organisation: Organisation,
    period: Period,
    indicators: QuerySet[models.Indicator],
    today: dt.date | None = None,
) -> Outstanding:
    """How many returns for ``period`` are due, not yet in, late, and in but not approved.

    Counted from plain values (no model objects): a scorecard of 1,000 indicators asks for
    this on every request."""
    today = today or clock.today()
    owed = {frequency: periods_due(frequency, period, organisation) for frequency in Frequency}
    states = {
        (indicator, text): state
        for indicator, text, state in Return.objects.filter(
            indicator__in=indicators,
            period_start__gte=period.financial_year.start,
            period_start__lte=period.end,
        ).values_list("indicator_id", "period", "state")
    }
    due = outstanding = late = waiting = 0
    active = indicators.filter(lifecycle=models.Lifecycle.ACTIVE).values_list("pk", "frequency")
    for pk, frequency in active:
        for item in owed[Frequency(frequency)]:
            due += 1
            state = states.get((pk, item.period.label))
            if state == ReturnState.SUBMITTED:
                waiting += 1
            if state not in (ReturnState.SUBMITTED, ReturnState.APPROVED):
                outstanding += 1
                if item.days_late(today) > 0:
                    late += 1
    return Outstanding(
        period=period, due=due, outstanding=outstanding, late=late, awaiting_approval=waiting
    )


def actions_raised_by(
    row: models.Indicator, period: Period, year_start_month: int
) -> list[models.RemedialAction]:
    """The indicator's remedial actions raised in or before ``period``, by due date, each in its
    state now (an action keeps no record of its state at an earlier date)."""
    found = []
    for action in row.actions.all():
        try:
            raised = parse_period(action.period, None, year_start_month)
        except ValueError:
            raised = None
        if raised is None or raised.start <= period.end:
            found.append(action)
    return found
