"""Which reporting period a page shows: one rule, one select, one mark of an incomplete quarter.

The rule, for every page (scorecards, indicator pages, the register, my returns, outstanding
returns, the review queue's context): a page opens on **the quarter being collected**
(web.periods.current_period: the last quarter that has ended, or organisation.toml's
``[collection] current_period``, judged by web.clock's today). That is the quarter owners are
entering, reviewers approving and the performance team chasing; the scorecards show it too, marked
incomplete, with the count of its months whose figures are not all approved, until the last
return is in. A reader who wants the quarter the committees last saw picks it in the select, which
offers the same quarters on every page: from the first with an approved figure to the one being
collected.

Nothing here reads a figure: the completeness of a quarter is counted from the returns' states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Min, QuerySet
from django.http import HttpRequest

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Frequency,
    Period,
    PeriodError,
    PeriodOutOfRangeError,
)
from kpiboard.web import data_cache
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.periods import current_period, from_slug, slug
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation

__all__ = [
    "Completeness",
    "PeriodNotUnderstoodError",
    "choice_context",
    "completeness",
    "default_period",
    "period_choices",
    "period_context",
    "read_period",
    "reporting_period",
]


class PeriodNotUnderstoodError(ValueError):
    """The ``period`` asked for is not a period label or slug."""


def default_period(org: Organisation) -> Period:
    """The period every page opens on: the quarter being collected (see the module's docstring)."""
    return current_period(org)


def reporting_period(org: Organisation, text: str | None) -> Period:
    """The period of a ``?period=`` slug or label, or the default one when none is given."""
    if not text or not text.strip():
        return default_period(org)
    try:
        return from_slug(text, org.settings.year_start_month)
    except PeriodOutOfRangeError as error:
        raise PeriodNotUnderstoodError(
            f"{text!r} is outside the years kpiboard shows, {EARLIEST_YEAR} to {LATEST_YEAR}: "
            "give a period such as 2024-25-q2 or 2024/25 Q2"
        ) from error
    except (PeriodError, ValueError, IndexError) as error:
        raise PeriodNotUnderstoodError(
            f"{text!r} is not a reporting period: give one such as 2024-25-q2 or 2024/25 Q2"
        ) from error


def period_choices(org: Organisation, chosen: Period) -> list[Period]:
    """The quarters a reader can pick, newest first: from the first quarter with an approved
    figure to the quarter being collected (and the chosen period, whatever it is)."""
    year_start = org.settings.year_start_month
    last = current_period(org)
    first_month = (
        Return.objects.filter(state=ReturnState.APPROVED)
        .order_by()
        .aggregate(first=Min("period_start"))["first"]
    )
    first = (
        Period.containing(first_month, Frequency.QUARTER, year_start)
        if first_month is not None
        else last
    )
    quarters = [last.shift(-steps) for steps in range(max(0, last.index - first.index) + 1)]
    if chosen not in quarters:
        quarters.append(chosen)
        quarters.sort(key=lambda p: (p.end, p.frequency.months), reverse=True)
    return quarters


@dataclass(frozen=True, slots=True)
class Completeness:
    """How much of a period's figures are approved.

    A month is missing when an active indicator's figure covering it, at the indicator's own
    frequency (the month's return, or its quarter's), is not yet approved. Annual indicators
    do not count: their one figure a year would leave every month of the year missing.
    """

    months: int
    missing_months: int
    figures: int
    figures_missing: int

    @property
    def complete(self) -> bool:
        return self.missing_months == 0

    @property
    def detail(self) -> str:
        """``1 of 3 months missing (4 of 30 figures not yet approved)``, or ``""``."""
        if self.complete:
            return ""
        months = "month" if self.months == 1 else "months"
        figures = "figure" if self.figures == 1 else "figures"
        return (
            f"{self.missing_months} of {self.months} {months} missing "
            f"({self.figures_missing} of {self.figures} {figures} not yet approved)"
        )

    @property
    def words(self) -> str:
        """``Incomplete: 1 of 3 months missing (…)``, or ``""`` for a complete period."""
        return f"Incomplete: {self.detail}" if self.detail else ""


def completeness(
    org: Organisation, period: Period, indicators: QuerySet[models.Indicator] | None = None
) -> Completeness:
    """The completeness of ``period``'s monthly and quarterly figures (three queries at most)."""
    year_start = org.settings.year_start_month
    months = period.subperiods(Frequency.MONTH) if period.frequency.months > 1 else [period]
    wanted: dict[str, set[int]] = {}  # a period label -> the months (by index) it covers
    for month in months:
        wanted.setdefault(month.label, set()).add(month.start)
        quarter = Period.containing(month.start, Frequency.QUARTER, year_start)
        wanted.setdefault(quarter.label, set()).add(month.start)
    chosen = indicators if indicators is not None else models.Indicator.objects.all()
    active = list(
        chosen.filter(lifecycle=models.Lifecycle.ACTIVE)
        .exclude(frequency=Frequency.YEAR.value)
        .values_list("pk", "frequency")
    )
    approved = set(
        Return.objects.filter(
            indicator__in=[pk for pk, _ in active],
            period__in=list(wanted),
            state=ReturnState.APPROVED,
        )
        .order_by()  # not the model's order, which would join the indicators to sort by them
        .values_list("indicator_id", "period")
    )
    missing: set[int] = set()
    figures = figures_missing = 0
    for pk, frequency in active:
        for label, covered in wanted.items():
            if _frequency_of(label) != frequency:
                continue
            figures += 1
            if (pk, label) not in approved:
                figures_missing += 1
                missing |= covered
    return Completeness(len(months), len(missing), figures, figures_missing)


def _frequency_of(label: str) -> str:
    """``month`` for ``2024-10``, ``quarter`` for ``2024/25 Q3``."""
    return Frequency.QUARTER.value if " Q" in label else Frequency.MONTH.value


def read_period(request: HttpRequest, org: Organisation) -> tuple[Period, str | None]:
    """The period of the request's ``?period=``, or the default one and what was wrong with what
    was asked for: a period that does not read is shown beside the select, never an error page."""
    try:
        return reporting_period(org, request.GET.get("period")), None
    except PeriodNotUnderstoodError as error:
        from kpiboard.web.audit.refusals import input_refused

        input_refused(request, "the period did not read")  # ASVS 7.1.3
        return default_period(org), str(error)


def choice_context(
    org: Organisation,
    period: Period,
    problem: str | None,
    indicators: QuerySet[models.Indicator] | None = None,
) -> dict[str, Any]:
    """What a template needs for the period select (``includes/period_select.html``) and the
    incomplete mark, counted over ``indicators`` (all when None)."""
    return {
        "organisation": org,
        "period": period,
        "period_slug": slug(period),
        "previous_period": period.previous(),
        "period_problem": problem,
        **_counted(org, period, indicators),
    }


def _counted(
    org: Organisation, period: Period, indicators: QuerySet[models.Indicator] | None
) -> dict[str, Any]:
    """The quarters of the select, the quarter being collected and the period's completeness:
    read from the returns once per data version, day, organisation, period and set of
    indicators, and kept in the shared cache like the pages' content (every page shows them, and
    they cost more to count than the rest of a cached page costs to serve)."""
    try:
        scope = "all" if indicators is None else str(indicators.query)  # its SQL and values
    except EmptyResultSet:
        scope = "none"
    return data_cache.kept(
        "period-choice",
        (org, period, scope),
        lambda: {
            "period_choices": [(slug(p), p.label) for p in period_choices(org, period)],
            "collection_period": current_period(org),
            "completeness": completeness(org, period, indicators),
        },
    )


def period_context(
    request: HttpRequest, indicators: QuerySet[models.Indicator] | None = None
) -> tuple[Organisation, Period, dict[str, Any]]:
    """The organisation, the period a page shows and choice_context's dictionary."""
    org = organisation()
    period, problem = read_period(request, org)
    return org, period, choice_context(org, period, problem, indicators)
