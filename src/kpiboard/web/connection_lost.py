"""A database connection lost in the middle of a request (the server restarted or failed over,
the network dropped, an administrator ended the session with ``pg_terminate_backend``): the person
gets the site's page saying so and that nothing was saved, answered 503 with a Retry-After, not
the unexpected-error page (issue 16).

Nothing was saved because every write a page makes is in a transaction (a return and its history
row, a publication and its files), which the database rolls back when its connection goes.
Django's own ``OperationalError`` and ``InterfaceError`` are the errors of a connection that is
gone or unusable (and, on SQLite, of a database file locked too long): Django closes such a
connection when the request ends, so the next request opens a new one.

:class:`ConnectionLostMiddleware` answers for errors raised by a view; :func:`connection_lost`
is also what the site's 500 handler (web/errors.py) answers for one raised elsewhere.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

__all__ = ["ConnectionLostMiddleware", "connection_lost", "is_connection_lost"]

logger = logging.getLogger("kpiboard.incidents")

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30

DETAIL = (
    "The service lost its connection to the database while answering. Nothing you sent was "
    "saved. Try again in a minute."
)


def is_connection_lost(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def connection_lost(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 answer, logged with a reference the page shows. The page is rendered without the
    request's context processors: they may read the database that is gone."""
    from kpiboard.web.api.problems import refusal

    reference = secrets.token_hex(4).upper()
    logger.error(
        "Incident %s: database connection lost during %s %s: %s: %s",
        reference,
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    response = refusal(
        request, 503, "Database unavailable", f"{DETAIL} Reference {reference}."
    ) or HttpResponse(render_to_string("503.html", {"reference": reference}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class ConnectionLostMiddleware:
    """Answers a view's lost database connection with :func:`connection_lost`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_connection_lost(exception):
            return connection_lost(request, exception)
        return None
