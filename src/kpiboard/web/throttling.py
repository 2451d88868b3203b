"""Sign-in throttling: two rules over django-axes' record of failed sign-ins (issue 14, finding 8).

- **Per address, across usernames**: ``KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS`` (20) failed sign-ins
  from one client address, whatever usernames they tried, lock that address. This stops password
  spraying: one common password tried against every account from one place.
- **Per username, across addresses**: ``KPIBOARD_SIGNIN_LIMIT_PER_USERNAME`` (5) failed sign-ins
  for one username, from any addresses, lock that username. This stops guessing one person's
  password from many places.

A lock lasts ``KPIBOARD_LOCKOUT_MINUTES`` (60) after the last failure that counts towards it
(failures older than that are forgotten), and an administrator can lift it sooner from
/audit/lockouts/. The client address is read through the trusted reverse proxies
(:mod:`kpiboard.web.proxies`), so behind a proxy each client is told apart.

axes compares one number of failures with one limit; the two rules are put in that shape
exactly: ``failures = max(address_failures × per_username, username_failures × per_address)``
against ``limit = per_address × per_username``. With 20 and 5, 20 failures from an address give
20 × 5 = 100 ≥ 100, and 5 for a username give 5 × 20 = 100 ≥ 100; 19 and 4 give 95 and 80.

A successful sign-in forgets only that person's own failures from the same address (their
typing); failures for them from elsewhere, and others' failures from this address, still count.
Nothing here deletes the audit log's record of the failures (web/audit/).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

__all__ = [
    "ADDRESS",
    "USERNAME",
    "Lockout",
    "ThrottlingHandler",
    "cool_off",
    "failure_limit",
    "lockout_lift",
    "lockout_response",
    "lockouts_current",
]

log = logging.getLogger(__name__)

ADDRESS = "address"
USERNAME = "username"
KINDS = (ADDRESS, USERNAME)


def per_address() -> int:
    return int(getattr(settings, "KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS", 20))


def per_username() -> int:
    return int(getattr(settings, "KPIBOARD_SIGNIN_LIMIT_PER_USERNAME", 5))


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """How long failures count and a lock lasts (``AXES_COOLOFF_TIME``)."""
    return dt.timedelta(minutes=int(getattr(settings, "KPIBOARD_LOCKOUT_MINUTES", 60)))


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    """``AXES_FAILURE_LIMIT``: the product of the two limits (see the module's docstring)."""
    return per_address() * per_username()


def _since(request: HttpRequest | None = None) -> dt.datetime:
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return now - cool_off(request)


def _failures(since: dt.datetime, **match: Any) -> int:
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since, **match)
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


def _counts(address: str | None, username: str | None, since: dt.datetime) -> tuple[int, int]:
    """Failures from ``address`` (any username) and for ``username`` (any address)."""
    by_address = _failures(since, ip_address=address) if address else 0
    by_username = _failures(since, username=username) if username else 0
    return by_address, by_username


def _locks(request: HttpRequest, credentials: Any) -> set[tuple[str, str]]:
    """The locks that apply to this request's address and username now."""
    address = getattr(request, "axes_ip_address", None)
    username = get_client_username(request, credentials)
    by_address, by_username = _counts(address, username, _since(request))
    locks = set()
    if address and by_address >= per_address():
        locks.add((ADDRESS, str(address)))
    if username and by_username >= per_username():
        locks.add((USERNAME, str(username)))
    return locks


class ThrottlingHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no types
    """axes' database handler with the two rules, a narrower reset on success, and each new lock
    logged and written to the audit log."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        address = getattr(request, "axes_ip_address", None)
        username = get_client_username(request, credentials)
        by_address, by_username = _counts(address, username, _since(request))
        return max(by_address * per_username(), by_username * per_address())

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """On a successful sign-in: only this username's failures from this address."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not username or not address:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return int(count)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        before = _locks(request, credentials) if request is not None else set()
        if request is not None:
            # For the audit log's record of this failure: refused unseen, or a wrong password.
            request.kpiboard_refused_while_locked = bool(before)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        for kind, value in sorted(_locks(request, credentials) - before):
            _record_lock(request, kind, value)


def _record_lock(request: HttpRequest, kind: str, value: str) -> None:
    from kpiboard.web.audit.records import record

    limit = per_address() if kind == ADDRESS else per_username()
    minutes = int(cool_off().total_seconds() // 60)
    across = "any usernames" if kind == ADDRESS else "any addresses"
    detail = (
        f"{limit} failed sign-ins within {minutes} minutes ({across}): signing in "
        f"{'from this address' if kind == ADDRESS else 'as this username'} is paused for "
        f"{minutes} minutes"
    )
    log.warning("sign-in locked for %s %s: %s", kind, value, detail)
    record(
        request,
        "locked_out",
        f"{kind} {value}",
        detail,
        actor_name=value if kind == USERNAME else "",
    )


@dataclass(frozen=True)
class Lockout:
    """An address or username locked now: by how many failures, until when."""

    kind: str
    value: str
    failures: int
    others: int  # usernames tried from the address, or addresses the username was tried from
    last_attempt: dt.datetime
    until: dt.datetime


def lockouts_current() -> list[Lockout]:
    """Every address and username locked now, the longest-lasting first."""
    since, length = _since(), cool_off()
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since)
    found: list[Lockout] = []
    for kind, field, other, limit in (
        (ADDRESS, "ip_address", "username", per_address()),
        (USERNAME, "username", "ip_address", per_username()),
    ):
        present = attempts.exclude(**{f"{field}__isnull": True})
        if field == "username":
            present = present.exclude(username="")
        rows = (
            present.values(field)
            .annotate(
                failures=Sum("failures_since_start"),
                others=Count(other, distinct=True),
                last=Max("attempt_time"),
            )
            .filter(failures__gte=limit)
        )
        found.extend(
            Lockout(
                kind,
                str(row[field]),
                row["failures"],
                row["others"],
                row["last"],
                row["last"] + length,
            )
            for row in rows
        )
    return sorted(found, key=lambda lockout: lockout.until, reverse=True)


def lockout_lift(*, kind: str, value: str, request: HttpRequest) -> int:
    """Forget the failures behind a lock (every failure from the address, or for the username),
    so that signing in works again at once; audited. Returns how many records went."""
    from kpiboard.web.audit.records import record

    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of lock: expected {' or '.join(KINDS)}")
    field = "ip_address" if kind == ADDRESS else "username"
    failures = _failures(_since(), **{field: value})
    count, _ = AccessAttempt.objects.filter(**{field: value}).delete()
    record(
        request, "lockout_lifted", f"{kind} {value}", f"{failures} recent failed sign-ins forgotten"
    )
    log.warning("sign-in lock for %s %s lifted by %s", kind, value, request.user)
    return int(count)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the site's page (429), saying which rule applies and for how
    long; it says the same whether or not the username is someone's."""
    locks = _locks(request, credentials) if getattr(request, "axes_updated", False) else set()
    minutes = int(cool_off(request).total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {
            "minutes": minutes,
            "by_address": any(kind == ADDRESS for kind, _ in locks),
            "by_username": any(kind == USERNAME for kind, _ in locks),
        },
        status=429,
    )
