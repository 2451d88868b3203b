"""Keeping the audit log for as long as the council's retention period says, and no longer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.audit.records import record


def retention_days() -> int:
    return int(getattr(settings, "KPIBOARD_AUDIT_RETENTION_DAYS", 400))


def audit_prune(*, days: int | None = None, dry_run: bool = False) -> tuple[int, dt.datetime]:
    """Delete the rows older than ``days`` (the retention setting by default); the pruning is
    itself recorded. Returns how many rows went (or would go) and the cut-off."""
    days = retention_days() if days is None else days
    if days < 1:
        raise ValueError(f"days={days}: the audit log must be kept for at least a day")
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count(), cutoff
    count, _ = old.delete()
    record(
        None,
        Action.AUDIT_PRUNED,
        "audit log",
        f"{count} rows from before {timezone.localtime(cutoff):%Y-%m-%d %H:%M} deleted "
        f"(kept for {days} days)",
    )
    return count, cutoff
