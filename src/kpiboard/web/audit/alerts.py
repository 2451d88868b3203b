"""Security alerts (ASVS 8.1.4, 11.1.7, 11.1.8): the audit log watched as it is written.

Three kinds of event raise an alert:

- **a sign-in lock** (``locked_out``): someone guessed passwords past a limit of
  :mod:`kpiboard.web.throttling`;
- **a burst of refusals**: ``KPIBOARD_ALERT_BURST`` (20) or more refused accesses (``require``)
  and CSRF failures, from anyone, within ``KPIBOARD_ALERT_WINDOW_MINUTES`` (15): someone probing
  pages their role does not allow, or a forged-form attack;
- **a new administrator**: a person given the administrator role, or made a superuser, however
  it was done (the admin, the shell, a command); each person is alerted on.

An alert is a WARNING on the ``kpiboard.security`` logger and an e-mail to each address of
``KPIBOARD_SECURITY_ALERTS`` (comma-separated; nobody by default). Each kind is sent at most once
a window (a new administrator: once a window for each person), so one attack sends one e-mail,
which says so: what follows is in the audit log. The window is kept in the shared cache (the
database), so app servers do not each send their own.
An alert waits for its transaction to commit: a change rolled back raises none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from kpiboard.web.accounts.roles import ADMINISTRATOR
from kpiboard.web.audit.models import Action, AuditEvent

__all__ = ["LOCKOUT", "NEW_ADMINISTRATOR", "REFUSALS", "alert"]

log = logging.getLogger("kpiboard.security")

LOCKOUT = "lockout"
REFUSALS = "refusals"
NEW_ADMINISTRATOR = "new administrator"
#: The actions a burst is counted from.
BURST_ACTIONS = (Action.ACCESS_DENIED, Action.CSRF_FAILED)


def recipients() -> list[str]:
    return list(getattr(settings, "KPIBOARD_SECURITY_ALERTS", []))


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "KPIBOARD_ALERT_WINDOW_MINUTES", 15)))


def burst() -> int:
    return int(getattr(settings, "KPIBOARD_ALERT_BURST", 20))


def alert(kind: str, summary: str, detail: str, *, about: str = "") -> bool:
    """Log ``summary`` at WARNING and mail it, unless an alert of ``kind`` (about the same
    ``about``) went out within the window; True if this one went out."""
    minutes = int(window().total_seconds() // 60)
    key = "kpiboard-security-alert-" + hashlib.sha256(f"{kind}\n{about}".encode()).hexdigest()
    if not cache.add(key, timezone.now().isoformat(), minutes * 60):
        log.info("security alert (%s) held: one went out within %s minutes", kind, minutes)
        return False
    log.warning("security alert (%s): %s", kind, summary)
    to = recipients()
    if not to:
        return True
    site = getattr(settings, "KPIBOARD_SITE_URL", "")
    body = (
        f"{summary}\n\n{detail}\n\n"
        f"When: {timezone.localtime():%d %B %Y %H:%M:%S %Z}\n"
        f"The audit log has every event: {site}/audit/\n\n"
        f"No other '{kind}' alert is sent for {minutes} minutes; events in that time are in the "
        "audit log only.\n"
    )
    try:
        send_mail(f"kpiboard security alert: {summary}", body, None, to)
    except Exception:
        log.exception("security alert (%s) could not be e-mailed to %s", kind, ", ".join(to))
    return True


@receiver(post_save, sender=AuditEvent, dispatch_uid="kpiboard_security_alerts")
def _event_written(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    if instance.action == Action.LOCKED_OUT:
        transaction.on_commit(lambda: _lockout(instance))
    elif instance.action in BURST_ACTIONS:
        transaction.on_commit(_refusals)
    elif instance.action in (Action.ROLE_CHANGED, Action.PERMISSION_CHANGED):
        # The row is kept up to date while the transaction goes on (a set() of roles removes,
        # then adds): judge it as it stands once committed.
        pk = instance.pk
        transaction.on_commit(lambda: _roles(pk))


def _lockout(event: AuditEvent) -> None:
    alert(LOCKOUT, f"sign-in locked for {event.target}", event.detail)


def _refusals() -> None:
    since = timezone.now() - window()
    recent = AuditEvent.objects.filter(action__in=BURST_ACTIONS, at__gte=since)
    count = recent.count()
    if count < burst():
        return
    minutes = int(window().total_seconds() // 60)
    by_address = recent.values_list("address", flat=True).distinct().count()
    alert(
        REFUSALS,
        f"{count} refused requests within {minutes} minutes",
        f"{count} requests refused access or failing the CSRF check within {minutes} minutes, "
        f"from {by_address} address(es) (the alert's limit is {burst()}).",
    )


def _roles(pk: int) -> None:
    event = AuditEvent.objects.filter(pk=pk).first()
    if event is None or not _made_administrator(event):
        return
    alert(
        NEW_ADMINISTRATOR,
        f"{event.target} made an administrator",
        f"{event.target}: {event.detail}\n"
        f"Changed by: {event.actor_name or '(a command or the shell)'}",
        about=event.target,
    )


def _made_administrator(event: AuditEvent) -> bool:
    """The row gives the administrator role (``reader → administrator, reader``) or superuser
    (``superuser: no → yes``)."""
    if event.action == Action.PERMISSION_CHANGED:
        return "superuser: no → yes" in event.detail.splitlines()
    if not event.target.startswith("user ") or " → " not in event.detail:
        return False
    before, after = event.detail.split(" → ", 1)
    return ADMINISTRATOR in _names(after) and ADMINISTRATOR not in _names(before)


def _names(listed: str) -> set[str]:
    return {name.strip() for name in listed.split(",")}
