"""Reads of the reporting app: revisions since the last publication, published scorecards and
the open data, all from what was frozen at publication (never from today's figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kpiboard.analysis.change import Change
from kpiboard.analysis.model import Unit
from kpiboard.analysis.status import Status
from kpiboard.reports.formatting import CHANGE_ARROWS, format_value
from kpiboard.reports.words import count_of, long_date
from kpiboard.web.reporting.models import Publication, PublishedFile, Revision

#: The columns of /open-data/figures.csv and the keys of each row of figures.json, with what
#: each means (shown on /open-data/).
OPEN_DATA_COLUMNS = {
    "ref": "The indicator's reference",
    "name": "The indicator's name",
    "description": "What the indicator measures",
    "unit": "percent, number, currency, days, rate, ratio or score",
    "decimals": "Decimal places the figures are reported to",
    "direction": "Which way is better: higher, lower or none",
    "category": "targeted, baseline, contextual, in development or suspended",
    "committee": "The committee or committees the indicator reports to",
    "directorate": "The directorate responsible",
    "period": "The reporting period, such as 2024/25 Q2",
    "value": "The value for the period, unrounded",
    "target": "The target in force for the period",
    "status": "red, amber, green, blue, baseline, contextual, in_development, suspended, "
    "no_target or no_data",
    "status_label": "The status in words",
    "previous_status": "The status in the previous reporting period",
    "change": "Since the previous period: improving, deteriorating, unchanged, up or down",
    "publication": "The published report the figure comes from",
    "publication_version": "Its version (2 or more replaces a withdrawn report)",
    "publication_date": "The date it was published",
}
OPEN_DATA_FIELDS = tuple(OPEN_DATA_COLUMNS)


def revisions_since_last_publication(*, scope: str) -> list[Revision]:
    """Revisions to publications of ``scope`` recorded since its latest publication: what its
    next report has to mention."""
    last = (
        Publication.objects.filter(scope=scope)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if last is None:
        return []
    return list(
        Revision.objects.filter(publication__scope=scope, recorded_at__gt=last)
        .select_related("publication", "changed_by")
        .order_by("ref", "period", "pk")
    )


def _shown(value: Decimal | None, definition: dict[str, Any]) -> str:
    try:
        unit = Unit(definition.get("unit", "number"))
    except ValueError:
        unit = Unit.NUMBER
    return format_value(value, unit, int(definition.get("decimals", 1)))


def revision_note(revisions: Sequence[Revision]) -> str:
    """One sentence for the executive summary naming each revised figure, its published and its
    revised value, and the report it was published in. A figure revised twice is named once,
    from its published value to its latest."""
    if not revisions:
        return ""
    by_figure: dict[int, list[Revision]] = {}
    for revision in revisions:
        by_figure.setdefault(revision.figure_id, []).append(revision)
    parts = []
    for changes in by_figure.values():
        first, last = changes[0], changes[-1]
        definition = first.publication.definitions.get(first.ref, {})
        published = timezone.localtime(first.publication.published_at).date()
        parts.append(
            f"indicator {first.ref} ({first.indicator_name}) for {first.period}, from "
            f"{_shown(first.old_value, definition)} to {_shown(last.new_value, definition)} "
            f"(published in the {first.publication.period} report of {long_date(published)})"
        )
    count = len(parts)
    return (
        f"Revised figures: since the last report, {count_of(count, 'figure')} published in an "
        f"earlier report {'has' if count == 1 else 'have'} been revised: {'; '.join(parts)}."
    )


@dataclass(frozen=True)
class RevisionRow:
    ref: str
    name: str
    period: str
    published: str
    revised: str
    when: Any
    who: Any
    publication: Publication


def revision_rows(revisions: Sequence[Revision]) -> list[RevisionRow]:
    """Revisions with their values written as the report writes them."""
    return [
        RevisionRow(
            ref=revision.ref,
            name=revision.indicator_name,
            period=revision.period,
            published=_shown(
                revision.old_value, revision.publication.definitions.get(revision.ref, {})
            ),
            revised=_shown(
                revision.new_value, revision.publication.definitions.get(revision.ref, {})
            ),
            when=revision.changed_at,
            who=revision.changed_by,
            publication=revision.publication,
        )
        for revision in revisions
    ]


def file_list(publication: Publication) -> QuerySet[PublishedFile]:
    """A publication's files without their bytes."""
    return publication.files.defer("content").order_by("pk")


@dataclass(frozen=True)
class ScorecardRow:
    ref: str
    name: str
    value: str
    target: str
    status: Status
    previous_status: Status
    change: str


def _status(text: str | None) -> Status:
    try:
        return Status(text or "no_data")
    except ValueError:
        return Status.NO_DATA


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _change(text: str | None) -> str:
    if not text:
        return "–"
    try:
        change = Change(text)
    except ValueError:
        return text
    return f"{CHANGE_ARROWS[change]} {change.value.capitalize()}"


def scorecard(publication: Publication) -> list[ScorecardRow]:
    """The published scorecard's rows, from the frozen evaluation JSON."""
    rows = []
    for item in publication.evaluation.get("indicators", []):
        definition = publication.definitions.get(item["ref"], {"unit": item.get("unit")})
        rows.append(
            ScorecardRow(
                ref=item["ref"],
                name=item["name"],
                value=_shown(_number(item.get("value")), definition),
                target=_shown(_number(item.get("target")), definition),
                status=_status(item.get("status")),
                previous_status=_status(item.get("previous_status")),
                change=_change(item.get("change")),
            )
        )
    return rows


def summary(publication: Publication) -> list[tuple[Status, int, int]]:
    """The status summary as published: status, count, percentage."""
    return [
        (_status(row["status"]), int(row["count"]), int(row["percent"]))
        for row in publication.evaluation.get("summary", [])
    ]


def open_data_rows() -> list[dict[str, Any]]:
    """One row per indicator and period from the current (not withdrawn) publications.

    Where two publications state the same indicator for the same period (a committee's report
    and the organisation's), the row comes from the later one. Values are the evaluation JSON's
    numbers, exactly as frozen.
    """
    publications = (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .order_by("published_at", "pk")
        .values(
            "title",
            "number",
            "period",
            "period_start",
            "published_at",
            "evaluation",
            "definitions",
        )
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    order: dict[tuple[str, str], tuple[int, int]] = {}
    for publication in publications:
        definitions = publication["definitions"]
        for position, item in enumerate(publication["evaluation"].get("indicators", [])):
            ref = item["ref"]
            definition = definitions.get(ref, {})
            key = (ref, publication["period"])
            order.setdefault(key, (publication["period_start"], position))
            rows[key] = {
                "ref": ref,
                "name": item.get("name", definition.get("name", "")),
                "description": definition.get("description", ""),
                "unit": item.get("unit", definition.get("unit", "")),
                "decimals": definition.get("decimals"),
                "direction": item.get("direction", definition.get("direction", "")),
                "category": definition.get("category", ""),
                "committee": "; ".join(definition.get("committees", [])),
                "directorate": definition.get("directorate", ""),
                "period": publication["period"],
                "value": item.get("value"),
                "target": item.get("target"),
                "status": item.get("status"),
                "status_label": _status(item.get("status")).label,
                "previous_status": item.get("previous_status"),
                "change": item.get("change"),
                "publication": publication["title"],
                "publication_version": publication["number"],
                "publication_date": timezone.localtime(publication["published_at"])
                .date()
                .isoformat(),
            }
    return [rows[key] for key in sorted(rows, key=lambda key: order[key])]
