"""Making, checking and revoking personal API tokens.

A token is ``kpib_`` and 43 URL-safe characters (32 random bytes). A request carries it as
``Authorization: Bearer <token>``, or as the password of ``Authorization: Basic`` (any user name),
which is what Power BI's and Excel's OData connectors send. Only its SHA-256 is stored.

:func:`authenticate_token` is the one place a token is judged, for the REST API and the OData
feed alike.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone

from kpiboard.web.api.models import ApiToken, Scope
from kpiboard.web.oidc.freshness import stale_token_detail

__all__ = [
    "PREFIX",
    "TokenRefusedError",
    "authenticate_token",
    "sends_token",
    "token_create",
    "token_digest",
    "token_from_request",
    "token_revoke",
]

PREFIX = "kpib_"
SHOWN_CHARACTERS = 12
# last_used is written at most this often per token, so a busy script does not write a row a
# request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class TokenRefusedError(Exception):
    """A genuine, live token refused for a reason its holder can put right: ``detail`` says
    how, in words for them."""

    def __init__(self, user: Any, token: ApiToken, detail: str) -> None:
        super().__init__(detail)
        self.user = user
        self.token = token
        self.detail = detail


def token_digest(raw: str) -> str:
    """The hex SHA-256 that is stored in place of the token."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(*, user: Any, name: str, scope: str, expires: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself, which is not kept."""
    if scope not in Scope.values:
        raise ValueError(f"scope={scope!r}: expected one of {Scope.values}")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:SHOWN_CHARACTERS],
        digest=token_digest(raw),
        scope=scope,
        expires=expires,
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> bool:
    """Revoke ``token`` now; False if it was already revoked."""
    if token.revoked is not None:
        return False
    token.revoked = timezone.now()
    token.save(update_fields=["revoked"])
    return True


def authenticate_token(raw: str) -> tuple[AbstractBaseUser, ApiToken] | None:
    """The user and token that ``raw`` is, or None: unknown, revoked, expired, or its holder's
    account is switched off. :class:`TokenRefusedError` if its holder's account is linked to the
    identity provider and has not signed in through it for ``KPIBOARD_OIDC_TOKEN_DAYS``."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(PREFIX):
        return None
    digest = token_digest(raw)
    token = (
        ApiToken.objects.select_related("user", "user__provider_account")
        .filter(digest=digest)
        .first()
    )
    # The row is found by its digest's index; the comparison that decides is constant-time.
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = timezone.now()
    if not token.is_live(now) or not token.user.is_active:
        return None
    refused = stale_token_detail(token.user, now)
    if refused is not None:
        raise TokenRefusedError(token.user, token, refused)
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        # Only if no other request has just done it.
        stale = ApiToken.objects.filter(pk=token.pk).exclude(
            last_used__gt=now - LAST_USED_RESOLUTION
        )
        stale.update(last_used=now)
        token.last_used = now
    return token.user, token


def sends_token(request: HttpRequest) -> bool:
    """Whether the request speaks for a token rather than for the browser's session: it has an
    ``Authorization`` header with anything in it. One test for every place that asks (the API's
    session authentication steps aside, the pacing of a person's changes leaves it to the token's
    limit, the body's size limit and the OData feed look for a token), so that no header can
    count as a token in one place and as none in another."""
    return bool(request.headers.get("Authorization", "").strip())


def token_from_request(request: HttpRequest) -> str | None:
    """The token an ``Authorization`` header carries (Bearer, or Basic with the token as the
    password), or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if not credentials:
        return None
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        _, colon, password = decoded.partition(":")
        return password if colon and password else None
    return None
