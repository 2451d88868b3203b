"""Who an API request is: a personal API token (Bearer, or Basic with the token as password), or
the browser's session, whose unsafe requests must carry the CSRF token as the web's forms do.

Either way ``request.user`` is the person (so that the same ``rules`` and the same history and
audit entries apply) and ``request.api_token`` the token, or None under the session.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.problems import ApiError
from kpiboard.web.api.throttle import throttle
from kpiboard.web.api.tokens import (
    TokenRefusedError,
    authenticate_token,
    sends_token,
    token_from_request,
)
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record

__all__ = [
    "SessionAuth",
    "TokenAuth",
    "allowed",
    "found_token",
    "token_of",
    "token_refusal",
    "writable",
]


def found_token(request: HttpRequest) -> tuple[Any, ApiToken] | None:
    """The request's token and its holder, authenticated once per request (for the REST API,
    the OData feed and the body's size limit). A token refused for a reason its holder can put
    right is None here, its refusal kept for :func:`token_refusal` and audited, once."""
    if not hasattr(request, "_api_token_found"):
        raw = token_from_request(request)
        found, refusal = None, None
        try:
            found = None if raw is None else authenticate_token(raw)
        except TokenRefusedError as error:
            refusal = error
            record(
                request,
                Action.ACCESS_DENIED,
                f"{request.method} {request.get_full_path()}"[:300],
                f"API token {error.token.prefix}… refused: {error.detail}",
                actor=error.user,
            )
        request._api_token_found = found  # type: ignore[attr-defined]
        request._api_token_refusal = refusal  # type: ignore[attr-defined]
    return request._api_token_found  # type: ignore[attr-defined,no-any-return]


def token_refusal(request: HttpRequest) -> TokenRefusedError | None:
    """Why the request's token was refused, when its holder can put it right; else None."""
    found_token(request)
    return request._api_token_refusal  # type: ignore[attr-defined,no-any-return]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` (or Basic with the token as the password, as Power BI
    sends it); documented in the schema as Bearer. Each request is counted against the token's
    rate limit."""

    def __call__(self, request: HttpRequest) -> Any:
        found = found_token(request)
        if found is None:
            refusal = token_refusal(request)
            if refusal is not None:
                raise ApiError(403, refusal.detail, title="Sign in again to use your tokens")
            return None
        user, token = found
        throttle(token)
        request.user = user
        request.api_token = token  # type: ignore[attr-defined]
        return token

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return None  # __call__ does the work


class SessionAuth(APIKeyCookie):
    """The browser's session, as for the web pages; CSRF checked on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or sends_token(request):
            return None
        if check_csrf(request) is not None:
            raise ApiError(
                403,
                "The CSRF check failed: send the csrftoken cookie's value as X-CSRFToken, or "
                "use an API token",
            )
        request.api_token = None  # type: ignore[attr-defined]
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None


def token_of(request: HttpRequest) -> ApiToken | None:
    return getattr(request, "api_token", None)


def allowed(request: HttpRequest, rule: str, obj: Any = None) -> None:
    """Go on only if the person may (the web's named rule); else 403, recorded as the web's."""
    if request.user.has_perm(rule, obj):
        return
    record(
        request,
        "access_denied",
        f"{request.method} {request.get_full_path()}"[:300],
        f"needs the permission {rule}",
    )
    raise ApiError(403, f"Your role does not allow this (it needs {rule.split('.')[-1]})")


def writable(request: HttpRequest) -> None:
    """A change needs a read-write token (or the session)."""
    token = token_of(request)
    if token is not None and not token.can_write:
        raise ApiError(403, "This token may only read: make a read-write token to send changes")
