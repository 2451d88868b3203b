"""Where each person is signed in, for them to see and end (ASVS 3.3.4).

A :class:`~kpiboard.web.accounts.models.SignedInSession` row is made when someone signs in
(``user_logged_in``) and removed when they sign out (``user_logged_out``, which the idle and
absolute limits of :mod:`~kpiboard.web.accounts.session_limits` also send). Its last-seen time
moves on with the session's own, at most once a minute. A session's key changes when its holder
changes their password (Django cycles it), so the key the row knows is kept in the session too,
and the row follows a change (:func:`session_seen`).

Ending a session deletes it from Django's session store (whichever engine), so its browser is
signed out on its next request, and records it in the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from kpiboard.web.accounts.models import SignedInSession
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record
from kpiboard.web.proxies import client_address

__all__ = [
    "browser_summary",
    "session_end",
    "session_key_followed",
    "session_seen",
    "sessions_active",
    "sessions_end_all",
    "sessions_end_others",
]

#: The session key of the row that tracks the session, kept in the session's own data.
TRACKED_KEY = "kpiboard_tracked_session"


def _store(session_key: str) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


@receiver(user_logged_in, dispatch_uid="kpiboard_sessions_track")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if request is None or session is None:
        return
    if session.session_key is None:
        session.save()
    key = str(session.session_key)
    SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "signed_in_at": timezone.now(),
            "last_seen": timezone.now(),
            "address": client_address(request),
            "user_agent": request.headers.get("User-Agent", "")[:300],
        },
    )
    session[TRACKED_KEY] = key


@receiver(user_logged_out, dispatch_uid="kpiboard_sessions_forget")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    keys = {session.session_key, session.get(TRACKED_KEY)} - {None}
    SignedInSession.objects.filter(session_key__in=keys).delete()


def session_key_followed(request: HttpRequest) -> None:
    """After a response: if the session's key changed while it was made (a password change
    cycles it), the row follows; nothing is read or written otherwise."""
    session = getattr(request, "session", None)
    if session is None or TRACKED_KEY not in session:
        return
    if session.session_key is not None and session[TRACKED_KEY] != session.session_key:
        session_seen(request)


def session_seen(request: HttpRequest) -> None:
    """The signed-in session is in use now: its row's last-seen time moves on (called at most
    once a minute, by the session limits), and follows a new key (after a password change)."""
    session = request.session
    key, tracked = session.session_key, session.get(TRACKED_KEY)
    if key is None:
        return
    user: Any = request.user
    rows = SignedInSession.objects.filter(session_key=tracked or key, user=user)
    changed = {"last_seen": timezone.now()}
    if tracked != key:
        changed["session_key"] = key  # type: ignore[assignment]
        session[TRACKED_KEY] = key
    rows.update(**changed)


def _alive(row: SignedInSession, now: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=int(getattr(settings, "KPIBOARD_SESSION_IDLE_MINUTES", 30)))
    longest = dt.timedelta(minutes=int(getattr(settings, "KPIBOARD_SESSION_MAX_MINUTES", 720)))
    # The last-seen time is written at most once a minute: a minute's grace.
    return (
        now - row.last_seen <= idle + dt.timedelta(minutes=1)
        and now - row.signed_in_at <= longest
        and _store(row.session_key).exists(row.session_key)
    )


def sessions_active(user: Any) -> list[SignedInSession]:
    """The person's sessions still signed in, the latest used first. Rows of sessions that ended
    without a sign-out (left idle, expired, dropped from the store) are removed on the way."""
    now = timezone.now()
    rows = list(SignedInSession.objects.filter(user=user))
    alive = [row for row in rows if _alive(row, now)]
    dead = [row.pk for row in rows if row not in alive]
    if dead:
        SignedInSession.objects.filter(pk__in=dead).delete()
    return alive


def describe(row: SignedInSession) -> str:
    """``signed in 5 Dec 2026 19:02 from 203.0.113.9 (Firefox on Linux)``, for the audit log."""
    when = timezone.localtime(row.signed_in_at)
    return (
        f"signed in {when.day} {when:%b %Y %H:%M} from {row.address or 'an unknown address'} "
        f"({browser_summary(row.user_agent)})"
    )


def session_end(request: HttpRequest, row: SignedInSession, *, why: str) -> None:
    """End one session: gone from the session store and the list; recorded."""
    _store(row.session_key).delete(row.session_key)
    row.delete()
    record(request, Action.SIGN_OUT, f"user {row.user.get_username()}", f"{describe(row)}: {why}")


def sessions_end_others(
    request: HttpRequest, *, why: str = "signed out from another session by its holder"
) -> int:
    """End every session of the person but the one making the request; how many ended."""
    current = request.session.session_key
    rows = [row for row in sessions_active(request.user) if row.session_key != current]
    for row in rows:
        session_end(request, row, why=why)
    return len(rows)


def sessions_end_all(
    request_or_user: Any, user: Any, *, why: str, everywhere: bool = False, actor: Any = None
) -> int:
    """End every session of ``user`` that the rows know of and, ``everywhere`` (their account
    being erased), any other: Django's database sessions are searched for the account's id too.
    Recorded as one sign-out, if any ended, by ``actor`` when the request's person is not signed
    in (a password reset)."""
    ended = 0
    for row in SignedInSession.objects.filter(user=user):
        _store(row.session_key).delete(row.session_key)
        ended += 1
    SignedInSession.objects.filter(user=user).delete()
    if everywhere and settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
                ended += 1
    if ended:
        record(request_or_user, Action.SIGN_OUT, f"user {user.get_username()}", why, actor=actor)
    return ended


#: (pattern, name) of browsers, the first that matches wins: Edge and Opera say "Chrome" too.
_BROWSERS = (
    (r"Edg(?:e|A|iOS)?/(\d+)", "Edge"),
    (r"OPR/(\d+)", "Opera"),
    (r"Firefox/(\d+)", "Firefox"),
    (r"FxiOS/(\d+)", "Firefox"),
    (r"(?:Chrome|CriOS|HeadlessChrome)/(\d+)", "Chrome"),
    (r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/", "Safari"),
)
_SYSTEMS = (
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def browser_summary(user_agent: str) -> str:
    """A browser's User-Agent in a few words.

    >>> browser_summary("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    ...     "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91")
    'Edge 120 on Windows'
    >>> browser_summary("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
    'Firefox 121 on Linux'
    >>> browser_summary("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
    ...     "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1")
    'Safari 17 on iOS'
    >>> browser_summary(""), browser_summary("curl/8.5.0")
    ('An unknown browser', 'An unknown browser')
    """
    browser = next(
        (
            f"{name} {found.group(1)}"
            for pattern, name in _BROWSERS
            if (found := re.search(pattern, user_agent))
        ),
        None,
    )
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser is None:
        return f"A browser on {system}" if system else "An unknown browser"
    return f"{browser} on {system}" if system else browser
