"""A password reset, or the removal of a second factor, revokes the person's API tokens (ASVS
3.3.3): either is how someone takes back an account whose credentials another may hold, and a
token made with them would otherwise go on working for whoever made it. A change of password
from *Your account* (the old one typed first) keeps them, as it keeps the session it is made
in."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from kpiboard.web.accounts.signals import credentials_reset
from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.tokens import token_revoke
from kpiboard.web.audit.records import record


@receiver(credentials_reset, dispatch_uid="kpiboard_tokens_revoked_on_reset")
def tokens_revoked_on_reset(sender: Any, *, user: Any, request: Any, why: str, **_: Any) -> None:
    for token in ApiToken.objects.filter(user=user, revoked__isnull=True):
        if not token_revoke(token=token):
            continue
        record(
            request,
            "token_revoked",
            f"API token {token.prefix}… of user {user.get_username()}",
            f"name: {token.name}; revoked by {why}",
            actor=user,
        )
