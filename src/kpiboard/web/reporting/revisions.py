"""Revisions of published figures: when an approved figure changes after a report that showed
it was published, the change is recorded against that publication (a
:class:`~kpiboard.web.reporting.models.Revision`), so its readers can see what changed since
(web/reporting/signals.py calls :func:`revisions_record` when returns are approved or an
import is applied)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kpiboard.analysis.model import Unit
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register.dataset import computed_value
from kpiboard.web.reporting.models import PublishedFigure, Revision

__all__ = ["revisions_record", "user_or_none"]


def user_or_none(user: Any) -> Any:
    """``user`` if it is a saved account, else None (the system, an anonymous request)."""
    return user if getattr(user, "pk", None) else None


def revisions_record(
    *,
    refs: Collection[str] | None = None,
    period: str | None = None,
    changed_by: Any = None,
    changed_at: datetime | None = None,
) -> list[Revision]:
    """Record a revision for every figure of a current publication whose approved value is no
    longer the one last known (the published value, or the latest revision's new value).

    Worked example: 186's September figure was published as 8.71 in the 2024/25 Q2 report; an
    import approves 8.9 instead: one revision, 8.71 -> 8.9, by the importer, for that report.
    Approving 8.9 again records nothing; approving 8.8 later records 8.9 -> 8.8.
    """
    figures = PublishedFigure.objects.filter(publication__withdrawn_at__isnull=True)
    if refs is not None:
        figures = figures.filter(ref__in=list(refs))
    if period is not None:
        figures = figures.filter(period=period)
    found = list(figures.only("pk", "publication_id", "ref", "period", "value"))
    if not found:
        return []
    # Subqueries, not lists of ids: an organisation's publications hold tens of thousands of
    # figures, more than SQLite lets a query name.
    known: dict[int, Decimal | None] = {}
    for figure_id, new in (
        Revision.objects.filter(figure__in=figures.values("pk"))
        .order_by("pk")
        .values_list("figure_id", "new_value")
    ):
        known[figure_id] = new
    approved = _approved_figures(figures)
    made = []
    for figure in found:
        current = approved.get((figure.ref, figure.period))
        if current is None:
            continue
        value, name, reviewer, reviewed_at = current
        before = known.get(figure.pk, figure.value)
        if before is None or value == before:
            continue
        made.append(
            Revision(
                publication_id=figure.publication_id,
                figure=figure,
                ref=figure.ref,
                indicator_name=name,
                period=figure.period,
                old_value=before,
                new_value=value,
                changed_by_id=getattr(user_or_none(changed_by), "pk", None) or reviewer,
                changed_at=changed_at or reviewed_at or timezone.now(),
            )
        )
    return Revision.objects.bulk_create(made)


def _approved_figures(
    figures: QuerySet[PublishedFigure],
) -> dict[tuple[str, str], tuple[Decimal, str, int | None, datetime | None]]:
    """The approved figure of each (ref, period) of ``figures``, computed as the engine
    computes it."""
    found: dict[tuple[str, str], tuple[Decimal, str, int | None, datetime | None]] = {}
    for (
        ref,
        period,
        value,
        numerator,
        denominator,
        unit,
        name,
        reviewer,
        reviewed_at,
    ) in Return.objects.filter(
        state=ReturnState.APPROVED,
        indicator__ref__in=figures.values("ref"),
        period__in=figures.values("period"),
    ).values_list(
        "indicator__ref",
        "period",
        "value",
        "numerator",
        "denominator",
        "indicator__unit",
        "indicator__name",
        "reviewed_by",
        "reviewed_at",
    ):
        if value is None and (numerator is None or not denominator):
            continue
        figure = (
            value
            if value is not None
            else computed_value(numerator, denominator, percent=unit == Unit.PERCENT)
        )
        found[(ref, period)] = (figure, name, reviewer, reviewed_at)
    return found
