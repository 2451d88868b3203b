"""The retention schedule for personal data (ASVS 8.3.8), applied by ``kpiboard apply_retention``
(run it daily, from cron or a systemd timer; docs/admin-guide.md, "Personal data").

- **Audit log rows**: kept KPIBOARD_AUDIT_RETENTION_DAYS (400), then deleted; the pruning is
  itself recorded.
- **Sign-in records** (the throttle's failures and logs: usernames, addresses, browsers): kept
  KPIBOARD_SIGNIN_LOG_RETENTION_DAYS (90), then deleted through django-axes' own reset.
- **A switched-off account**: kept KPIBOARD_ACCOUNT_RETENTION_DAYS (730) after its last sign-in
  (or its making, if it never signed in), then erased as ``kpiboard erase_user`` does: a
  pseudonym in its place, its name, address, tokens and second factors gone.
- **Sessions**: expired ones deleted (they end after KPIBOARD_SESSION_MAX_MINUTES at most).
- **Staged uploads**: a day, then deleted with the next upload (web/register/staging.py).

An active account is never erased by the schedule, however long since it signed in: switching
it off is a person's decision (the administrator's), and the schedule starts from then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone

from kpiboard.web.accounts.personal_data import ErasureRefusedError, person_erase, pseudonym
from kpiboard.web.audit.services import audit_prune
from kpiboard.web.throttling import ThrottlingHandler

__all__ = ["accounts_due", "retention_apply"]


def accounts_due(now: dt.datetime | None = None) -> list[Any]:
    """The switched-off accounts, not yet erased, whose last sign-in (or making) is older than
    KPIBOARD_ACCOUNT_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.KPIBOARD_ACCOUNT_RETENTION_DAYS)
    stale = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    candidates = get_user_model().objects.filter(stale, is_active=False).order_by("pk")
    return [user for user in candidates if user.get_username() != pseudonym(user)]


def retention_apply(*, dry_run: bool = False) -> dict[str, int]:
    """Apply the schedule now; how many of each thing went (or would go, with ``dry_run``)."""
    now = timezone.now()
    signin_days = settings.KPIBOARD_SIGNIN_LOG_RETENTION_DAYS
    signin_cutoff = now - dt.timedelta(days=signin_days)
    due = accounts_due(now)
    if dry_run:
        audit_rows, _ = audit_prune(dry_run=True)
        return {
            "audit rows": audit_rows,
            "sign-in records": AccessAttempt.objects.filter(attempt_time__lt=signin_cutoff).count()
            + AccessLog.objects.filter(attempt_time__lt=signin_cutoff).count()
            + AccessFailureLog.objects.filter(attempt_time__lt=signin_cutoff).count(),
            "expired sessions": Session.objects.filter(expire_date__lt=now).count(),
            "accounts erased": len(due),
        }
    audit_rows, _ = audit_prune()
    handler = ThrottlingHandler()
    signin = (
        AccessAttempt.objects.filter(attempt_time__lt=signin_cutoff).delete()[0]
        + handler.reset_logs(age_days=signin_days)
        + handler.reset_failure_logs(age_days=signin_days)
    )
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    erased = 0
    for user in due:
        try:
            person_erase(
                user=user, reason="the retention schedule (KPIBOARD_ACCOUNT_RETENTION_DAYS)"
            )
        except ErasureRefusedError:  # pragma: no cover - only active administrators are refused
            continue
        erased += 1
    return {
        "audit rows": audit_rows,
        "sign-in records": signin,
        "expired sessions": sessions,
        "accounts erased": erased,
    }
