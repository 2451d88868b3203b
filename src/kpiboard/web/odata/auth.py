"""Who is asking for the feed: a personal API token (Bearer, or Basic with the token as the
password, which Power BI's and Excel's OData connectors send), or the browser's session.

A request with a token is judged by the token alone: a wrong, revoked or expired token is a 401
even from a signed-in browser, so a script never works by accident of a session; a token of an
account linked to the identity provider that has not signed in there for
``KPIBOARD_OIDC_TOKEN_DAYS`` is a 403 saying to sign in again (the token is judged in one place
for the feed and the API: ``web/api/tokens.py``). Once known, the
person needs the same permission as the register's pages (``kpiboard.view_register``: every
role reads approved figures). Each request with a token counts against the token's rate limit,
the one counter the API counts against too (web/api/throttle.py): over it, the feed answers 429
with ``Retry-After``, so a token cannot get round the limit by asking the feed instead.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kpiboard.web.api.auth import found_token, token_refusal
from kpiboard.web.api.problems import ApiError
from kpiboard.web.api.throttle import throttle
from kpiboard.web.api.tokens import sends_token

__all__ = ["REALM", "TooManyRequestsError", "feed_user"]

REALM = "kpiboard"


class TooManyRequestsError(Exception):
    """The token is over its rate limit: answer 429, with ``Retry-After: retry_after``."""

    def __init__(self, message: str, retry_after: str) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def feed_user(request: HttpRequest) -> Any | None:
    """The account the request speaks for, or None (answer 401); :class:`TooManyRequestsError`
    if its token is over the rate limit; the API's ``TokenRefusedError`` if its holder must
    sign in through the identity provider again (web/oidc/freshness.py)."""
    if sends_token(request):
        found = found_token(request)
        if found is None:
            refused = token_refusal(request)
            if refused is not None:
                raise refused
            return None
        user, token = found
        try:
            throttle(token)
        except ApiError as refusal:
            raise TooManyRequestsError(
                refusal.detail, refusal.headers.get("Retry-After", "60")
            ) from refusal
        request.user = user
        return user
    if request.user.is_authenticated:
        return request.user
    return None
