"""The retention schedule for personal data (ASVS 8.3.8): `kpiboard apply_retention` deletes
what is past its time and nothing else."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.audit.records import record
from web.conftest import make_user

DAY = dt.timedelta(days=1)


def _aged(user: Any, *, signed_in_days_ago: int | None, joined_days_ago: int) -> Any:
    now = timezone.now()
    user.is_active = False
    user.last_login = None if signed_in_days_ago is None else now - signed_in_days_ago * DAY
    user.date_joined = now - joined_days_ago * DAY
    user.save()
    return user


def _signin_rows(days_ago: int, username: str) -> None:
    at = timezone.now() - days_ago * DAY
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        row = model.objects.create(
            username=username,
            ip_address="203.0.113.9",
            user_agent="Firefox",
            **({"failures_since_start": 1} if model is AccessAttempt else {}),
        )
        model.objects.filter(pk=row.pk).update(attempt_time=at)


@override_settings(
    KPIBOARD_ACCOUNT_RETENTION_DAYS=730,
    KPIBOARD_SIGNIN_LOG_RETENTION_DAYS=90,
    KPIBOARD_AUDIT_RETENTION_DAYS=400,
)
def test_the_schedule_removes_what_is_past_its_time_and_nothing_else(people: Any) -> None:
    users = get_user_model().objects
    gone_long = _aged(make_user("left2022", None), signed_in_days_ago=800, joined_days_ago=900)
    never = _aged(make_user("neverin", None), signed_in_days_ago=None, joined_days_ago=731)
    recent = _aged(make_user("left2024", None), signed_in_days_ago=700, joined_days_ago=900)
    active = make_user("stillhere", None)
    users.filter(pk=active.pk).update(last_login=timezone.now() - 2000 * DAY)
    _signin_rows(91, "old attempt")
    _signin_rows(89, "new attempt")
    old_event = record(None, "sign_in_failed", "", "long ago")
    AuditEvent.objects.filter(pk=old_event.pk).update(at=timezone.now() - 401 * DAY)
    new_event = record(None, "sign_in_failed", "", "lately")

    dry = StringIO()
    call_command("apply_retention", "--dry-run", stdout=dry)
    assert "accounts erased: 2" in dry.getvalue()
    assert "sign-in records: 3" in dry.getvalue()
    assert users.filter(username="left2022").exists()  # a dry run changes nothing

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Gone: accounts erased: 2" in out.getvalue()

    for erased in (gone_long, never):
        erased.refresh_from_db()
        assert erased.username == f"erased-{erased.pk}"
        assert erased.email == ""
    recent.refresh_from_db()
    assert recent.username == "left2024"
    active.refresh_from_db()
    assert active.username == "stillhere"
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["new attempt"]
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert AuditEvent.objects.filter(pk=new_event.pk).exists()

    again = StringIO()
    call_command("apply_retention", stdout=again)  # nothing is erased twice
    assert "Gone: accounts erased: 0" in again.getvalue()
