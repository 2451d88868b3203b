"""Reading the audit log: the rows a filter picks, and the same rows as CSV."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kpiboard.datafiles.folder import quoted
from kpiboard.web.audit.models import Action, AuditEvent

CSV_COLUMNS = ("when", "who", "address", "action", "target", "detail")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_filtered(
    *, who: str = "", action: str = "", since: dt.date | None = None, until: dt.date | None = None
) -> QuerySet[AuditEvent]:
    """Newest first: ``who`` anywhere in the username, one action, from ``since`` to ``until``
    (both days included, in the site's time zone)."""
    events = AuditEvent.objects.all()
    if who:
        events = events.filter(actor_name__icontains=who)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    return events.order_by("-at", "-pk")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text a spreadsheet will never run as a formula (``=cmd|...`` as ``'=cmd|...``)."""
    return quoted("" if value is None else str(value))


def events_csv(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The rows as CSV lines, a header first; every text cell safe from formula injection."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    labels = dict(Action.choices)
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                _cell(event.actor_name),
                _cell(event.address),
                _cell(labels.get(event.action, event.action)),
                _cell(event.target),
                _cell(event.detail),
            ]
        )
