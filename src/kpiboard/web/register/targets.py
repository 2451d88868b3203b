"""Targets as decisions: a target typed as people write it ("85%"), and a target that applies to a
period already reported, which needs a reason and the committee decision and is listed on each
publication it changes, with the status published and the status it gives now.

A target set from period P applies from P until the indicator's next target; a publication
"reported" a period when it is current (not withdrawn) and its evaluation holds the indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kpiboard.analysis.magnitude import MAX_CHARACTERS, TOO_LARGE_EXPECTED, representable
from kpiboard.analysis.model import Unit
from kpiboard.analysis.periods import Period, parse_period
from kpiboard.analysis.status import Status
from kpiboard.web.evaluation import evaluate_one
from kpiboard.web.register import models
from kpiboard.web.reporting.models import Publication

__all__ = ["ReportedIn", "TargetError", "parse_target", "record_revisions", "reported_in"]


class TargetError(ValueError):
    """A target that cannot be read, in words naming the indicator and what to type."""


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_target(text: str, ref: str, unit: str) -> Decimal:
    """The target ``text`` says, for an indicator measured in ``unit``.

    >>> parse_target("85%", "182", "percent"), parse_target(" 1,250 ", "212", "count")
    (Decimal('85'), Decimal('1250'))

    "85%" for an indicator that is not a percentage is refused, naming it.
    """
    cleaned = text.strip().replace("\u2212", "-")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
        if unit != Unit.PERCENT:
            raise TargetError(
                f"Indicator {ref} is not a percentage: enter its target as a number, such as 85, "
                "without %"
            )
    if not _NUMBER.match(cleaned):
        shown = "a percentage such as 85 or 85%" if unit == Unit.PERCENT else "a number such as 85"
        raise TargetError(f"Enter the target of indicator {ref} as {shown}")
    try:
        number = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise TargetError(f"Enter the target of indicator {ref} as a number") from None
    if not representable(number) or len(cleaned) > MAX_CHARACTERS:
        raise TargetError(f"Enter the target of indicator {ref} as {TOO_LARGE_EXPECTED}")
    return number


@dataclass(frozen=True, slots=True)
class ReportedIn:
    """A publication that reported the indicator in a period the target applies to."""

    publication: Publication
    status: Status  # as published

    @property
    def words(self) -> str:
        return f"{self.publication.title} (published {self.status.label})"


def reported_in(row: models.Indicator, start: Period) -> list[ReportedIn]:
    """The current publications of a period from ``start`` up to the indicator's next target
    that report the indicator, oldest first."""
    later = (
        row.targets.filter(period_start__gt=start.start)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    publications = Publication.objects.filter(
        withdrawn_at__isnull=True, period_start__gte=start.start
    )
    if later is not None:
        publications = publications.filter(period_start__lt=later)
    found = []
    for publication in publications.order_by("period_start", "pk"):
        for indicator in publication.evaluation.get("indicators", []):
            if indicator.get("ref") == row.ref:
                found.append(ReportedIn(publication, Status(indicator["status"])))
                break
    return found


def record_revisions(
    row: models.Indicator,
    target: models.Target,
    old_value: Decimal | None,
    reported: list[ReportedIn],
    user: Any,
) -> list[models.TargetRevision]:
    """A revision on each publication the saved ``target`` changes, with the status the
    indicator has now in that publication's period."""
    made = []
    if reported and target.decided_on is None:
        raise ValueError("a target for a reported period needs the meeting that decided it")
    for item in reported:
        publication = item.publication
        period = parse_period(publication.period)
        (result,) = evaluate_one(row.ref, period).indicators
        made.append(
            models.TargetRevision.objects.create(
                publication=publication,
                ref=row.ref,
                indicator_name=row.name,
                start=target.start,
                old_value=old_value,
                new_value=target.value,
                published_status=item.status.value,
                status_now=result.status.value,
                reason=target.reason,
                committee=target.decided_by.name if target.decided_by else "",
                meeting=target.decided_on,  # type: ignore[misc]  # checked above
                changed_by=user if getattr(user, "pk", None) else None,
            )
        )
    return made
