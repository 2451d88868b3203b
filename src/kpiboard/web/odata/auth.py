"""Who is asking for the feed: a personal API token (Bearer, or Basic with the token as the
password, which Power BI's and Excel's OData connectors send), or the browser's session.

A request with a token is judged by the token alone: a wrong, revoked or expired token is a 401
even from a signed-in browser, so a script never works by accident of a session. Once known, the
person needs the same permission as the register's pages (``kpiboard.view_register``: every
role reads approved figures). Each request with a token counts against the token's rate limit,
the one counter the API counts against too (web/api/throttle.py): over it, the feed answers 429
with ``Retry-After``, so a token cannot get round the limit by asking the feed instead.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kpiboard.web.api.problems import ApiError
from kpiboard.web.api.throttle import throttle
from kpiboard.web.api.tokens import authenticate_token, token_from_request

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
    if its token is over the rate limit."""
    if request.headers.get("Authorization", "").strip():
        raw = token_from_request(request)
        found = authenticate_token(raw) if raw else None
        if found is None:
            return None
        user, token = found
        try:
            throttle(token)
        except ApiError as refusal:
            raise TooManyRequestsError(
                refusal.detail, refusal.headers.get("Retry-After", "60")
            ) from refusal
        request.user = user  # type: ignore[assignment]  # any user model
        return user
    if request.user.is_authenticated:
        return request.user
    return None
