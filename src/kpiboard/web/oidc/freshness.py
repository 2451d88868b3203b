"""How long an account linked to the identity provider keeps working without signing in there.

A person removed at the council's provider can no longer sign in through it, but an API token
needs no sign-in. So a linked account's tokens are refused once it has not signed in through
the provider for ``KPIBOARD_OIDC_TOKEN_DAYS`` (default 30): signing in again lets them work
again (nothing is revoked). ``kpiboard switch_off_stale_provider_accounts`` switches off the
accounts not seen there for three times as long. Neither applies while no provider is
configured: its people could not put it right. Accounts without a link (kpiboard's own
passwords) are never affected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record
from kpiboard.web.oidc.config import configured
from kpiboard.web.oidc.models import ProviderAccount

__all__ = [
    "SWITCH_OFF_FACTOR",
    "stale_accounts",
    "stale_token_detail",
    "switch_off_stale",
]

#: The command switches off accounts not seen for this many times ``token_days``.
SWITCH_OFF_FACTOR = 3


def stale_token_detail(user: Any, now: dt.datetime) -> str | None:
    """Why ``user``'s API tokens are refused, in words for them; None if they are not (no
    provider configured, no link to it, or a sign-in through it within ``token_days``)."""
    provider = configured()
    if provider is None:
        return None
    try:
        link = user.provider_account
    except ProviderAccount.DoesNotExist:
        return None
    days = (now - link.last_signed_in) // dt.timedelta(days=1)
    if days < provider.token_days:
        return None
    return (
        f"You have not signed in to kpiboard with {provider.name} for {days} days "
        f"(API tokens of an account linked to it work for {provider.token_days} days after its "
        f"last sign-in). Sign in again through the council's sign-in page, with "
        f"{provider.name}, to go on using your tokens: they have not been revoked"
    )


def stale_accounts(days: int, now: dt.datetime) -> QuerySet[ProviderAccount]:
    """The active accounts linked to the provider and not signed in through it for ``days``."""
    return (
        ProviderAccount.objects.select_related("user")
        .filter(user__is_active=True, last_signed_in__lte=now - dt.timedelta(days=days))
        .order_by("last_signed_in", "pk")
    )


def switch_off_stale(days: int, now: dt.datetime, *, dry_run: bool = False) -> list[Any]:
    """Switch off (``is_active=False``) each account :func:`stale_accounts` finds, each
    recorded in the audit log with why; returns them. ``dry_run`` changes nothing."""
    links = list(stale_accounts(days, now))
    if dry_run:
        return [link.user for link in links]
    provider = configured()
    name = provider.name if provider is not None else "the identity provider"
    switched = []
    for link in links:
        user = link.user
        with transaction.atomic():
            # An update, not a save: the audit receiver of the flags would record the change
            # without saying why; this row says it.
            if not type(user).objects.filter(pk=user.pk, is_active=True).update(is_active=False):
                continue  # switched off meanwhile
            record(
                None,
                Action.PERMISSION_CHANGED,
                f"user {user.get_username()}",
                f"active: yes → no (not signed in with {name} since "
                f"{link.last_signed_in:%Y-%m-%d}, {days} days or more: "
                "kpiboard switch_off_stale_provider_accounts)",
                actor_name="kpiboard switch_off_stale_provider_accounts",
            )
        user.is_active = False
        switched.append(user)
    return switched
