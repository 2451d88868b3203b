"""Who is asking for the feed: a personal API token (Bearer, or Basic with the token as the
password, which Power BI's and Excel's OData connectors send), or the browser's session.

A request with a token is judged by the token alone: a wrong, revoked or expired token is a 401
even from a signed-in browser, so a script never works by accident of a session. Once known, the
person needs the same permission as the register's pages (``kpiboard.view_register``: every
role reads approved figures).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kpiboard.web.api.tokens import authenticate_token, token_from_request

__all__ = ["REALM", "feed_user"]

REALM = "kpiboard"


def feed_user(request: HttpRequest) -> Any | None:
    """The account the request speaks for, or None (answer 401)."""
    if request.headers.get("Authorization", "").strip():
        raw = token_from_request(request)
        found = authenticate_token(raw) if raw else None
        if found is None:
            return None
        user, _token = found
        request.user = user  # type: ignore[assignment]  # any user model
        return user
    if request.user.is_authenticated:
        return request.user
    return None
