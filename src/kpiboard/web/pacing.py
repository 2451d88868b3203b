"""Changes at the pace of a person (ASVS 11.1.2): a signed-in person's requests that change
something (POST, PUT, PATCH, DELETE) are counted per person and minute, and past
``KPIBOARD_WRITES_PER_MINUTE`` (60) in one minute the next are refused with 429 and the site's
page saying when to try again, until the minute ends. Nothing of a refused request is done: it is
turned away before its view runs. The first refusal of each minute is written to the audit log
(``writes_paced``) and logged on ``kpiboard.security``; the rest of that minute's are not, so one
script makes one row a minute, not thousands.

Every form of the site counts: a return saved or submitted, a return approved or sent back
(one at a time or several at once), reminders sent, the register, targets, actions, imports,
narratives, proposals and their rounds, report runs, publishing and withdrawing, the account's
own pages. Only :data:`UNPACED` is left out, each for the reason it gives. A page added later is
paced unless it is added there. The REST API's changes under the browser's session count against
the same per-person limit (answered with problem details); under a token they are not counted
here, as the token's own limit counts every one of its requests (web/api/throttle.py).

Why a count a minute, and why 60: a person sends a form after reading a page and typing or
choosing; saving a return, approving the next one in a list, each takes seconds, and nobody sends
sixty in a minute, which is one a second for a whole minute. A script does: the load benchmark's
owners save a draft as fast as the server answers (one to three a second on an idle machine), so
the benchmarks raise the limit for their own servers. A minimum time between serving a form and
its being sent was not chosen: it would refuse a person who saves twice in a row, and forms
posted without the page first (the tests, the hostile-input walk) would need a served-at token.

The count is in the shared cache (the database table every app server reads), as the API's is,
by web/minute_counts.py, which both use: several app servers count one person once. The minute is
the clock's (a fixed window): a script may send 60 at the end of one minute and 60 at the start
of the next, and is then held to 60 a minute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from kpiboard.web.api.problems import refusal
from kpiboard.web.api.tokens import sends_token
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record_safely
from kpiboard.web.minute_counts import minute_count

__all__ = [
    "UNPACED",
    "PaceMiddleware",
    "pace",
    "refused",
    "writes_per_minute",
]

log = logging.getLogger("kpiboard.security")

DEFAULT_PER_MINUTE = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: Pages whose POSTs are not counted, by URL name, and why.
UNPACED: dict[str, str] = {
    "logout": "signing out is never refused",
    "two_factor_verify": "part of signing in, where django-otp throttles wrong codes",
    "security_key_sign_in": "part of signing in with a security key",
    "security_key_sign_in_options": "part of signing in with a security key",
    "return_preview": "answers as the owner types (htmx) and changes nothing",
    "password_strength": "answers as the person types (htmx) and changes nothing",
    "password_reset_strength": "answers as the person types (htmx) and changes nothing",
}
#: The URL app of the REST API, whose requests with a token are counted by the token's limit.
API_APP = "ninja"


def writes_per_minute() -> int:
    """How many changes one person may send in a minute (``KPIBOARD_WRITES_PER_MINUTE``)."""
    return max(1, int(getattr(settings, "KPIBOARD_WRITES_PER_MINUTE", DEFAULT_PER_MINUTE)))


def pace(request: HttpRequest) -> int | None:
    """Count a change by the signed-in person of ``request``: None if it may go ahead, or the
    seconds to wait when it is over the minute's limit. The first refusal of the minute is
    audited and logged."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    count, wait = minute_count(f"pace:{user.pk}", time.time())
    limit = writes_per_minute()
    if count <= limit:
        return None
    if count == limit + 1:
        target = f"{request.method} {request.path}"
        detail = f"more than {limit} changes sent within a minute; refused for {wait} seconds"
        log.warning("changes paced for %s: %s (%s)", user.get_username(), detail, target)
        record_safely(request, Action.WRITES_PACED, target, detail)  # the refusal stands
    return wait


def refused(request: HttpRequest, wait: int) -> HttpResponse:
    """429 with ``Retry-After``: the site's page saying what happened and when to try again, or
    for the API problem details saying the same."""
    limit = writes_per_minute()
    response = refusal(
        request,
        429,
        "Too many changes",
        f"You have sent more than {limit} changes this minute: wait {wait} seconds",
    ) or HttpResponse(
        render_to_string("429.html", {"limit": limit, "wait": wait}, request=request), status=429
    )
    response["Retry-After"] = str(wait)
    return response


class PaceMiddleware:
    """Refuse a signed-in person's change past the minute's limit, before its view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        if request.method in SAFE_METHODS:
            return None
        match = request.resolver_match
        if match is None or match.url_name in UNPACED:
            return None
        if API_APP in match.app_names and sends_token(request):
            return None  # a token's request: counted by the token's limit
        wait = pace(request)
        return None if wait is None else refused(request, wait)
