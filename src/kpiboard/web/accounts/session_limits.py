"""How long a signed-in session lasts: it ends after ``KPIBOARD_SESSION_IDLE_MINUTES`` (30 by
default) without a request, and ``KPIBOARD_SESSION_MAX_MINUTES`` (12 hours) after signing in,
however busy (OWASP ASVS 3.3.2). Django's own expiry only ever counts from the last time the
session was saved, so it can do neither: the session keeps the two times itself.

The time of the last request is written at most once a minute, so that a page's dozen requests
do not each write the session; the idle limit is therefore kept to within a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from kpiboard.web.accounts import sessions

__all__ = ["LAST_SEEN", "SIGNED_IN_AT", "SessionLimitsMiddleware", "session_ended"]

#: Session keys: seconds since the epoch of signing in, and of the last request.
SIGNED_IN_AT = "kpiboard_signed_in_at"
LAST_SEEN = "kpiboard_last_seen"
#: How stale the recorded last request may get before it is written again.
LAST_SEEN_RESOLUTION = 60


def _now() -> int:
    return int(timezone.now().timestamp())


@receiver(user_logged_in, dispatch_uid="kpiboard_session_limits")
def _start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = _now()


def session_ended(session: Any, now: int) -> str | None:
    """Why a session with these times has ended (to tell the person), or None if it has not.

    >>> session_ended({SIGNED_IN_AT: 0, LAST_SEEN: 0}, 29 * 60)
    >>> session_ended({SIGNED_IN_AT: 0, LAST_SEEN: 0}, 31 * 60)
    'You were signed out after 30 minutes without using the site.'
    """
    idle = int(getattr(settings, "KPIBOARD_SESSION_IDLE_MINUTES", 30))
    longest = int(getattr(settings, "KPIBOARD_SESSION_MAX_MINUTES", 12 * 60))
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN, signed_in_at)
    if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
        # A session from before these limits, or tampered with: it ends now.
        return "You were signed out. Sign in again to carry on."
    if now - signed_in_at > longest * 60:
        return f"You were signed out {_duration(longest)} after signing in. Sign in again."
    if now - last_seen > idle * 60:
        return f"You were signed out after {_duration(idle)} without using the site."
    return None


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SessionLimitsMiddleware:
    """Sign out a session that has been idle too long or has lasted too long, sending the person
    to the sign-in page (which brings them back where they were) with the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = _now()
            reason = session_ended(request.session, now)
            if reason is not None:
                logout(request)
                messages.error(request, reason)
                return self._to_sign_in(request)
            if now - int(request.session.get(LAST_SEEN, 0)) >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
                sessions.session_seen(request)
        response = self.get_response(request)
        sessions.session_key_followed(request)
        return response

    @staticmethod
    def _to_sign_in(request: HttpRequest) -> HttpResponse:
        back = request.get_full_path() if request.method == "GET" else ""
        response = redirect_to_login(back) if back else redirect_to_login("/")
        if request.headers.get("HX-Request") == "true":  # before django-htmx's middleware
            return HttpResponseClientRedirect(response["Location"])
        return response
