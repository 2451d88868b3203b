"""The site's page for an unexpected error, with a reference the logs share (ASVS 7.4.1).

Django logs the error itself (``django.request``); this adds a line on ``kpiboard.incidents``
with a short random reference and the exception, and shows the person the same reference and
nothing of the error, so that what they report can be found in the logs.
"""

from __future__ import annotations

import logging
import secrets
import sys

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

from kpiboard.web.connection_lost import connection_lost, is_connection_lost

__all__ = ["server_error"]

logger = logging.getLogger("kpiboard.incidents")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: the page is rendered without the request's context processors,
    which may be what failed. A lost database connection raised outside a view (in a
    middleware) gets its own page, as from a view (web/connection_lost.py)."""
    error = sys.exc_info()[1]
    if is_connection_lost(error):
        assert error is not None
        return connection_lost(request, error)
    reference = secrets.token_hex(4).upper()
    logger.error(
        "Incident %s: %s %s", reference, request.method, request.path, exc_info=sys.exc_info()
    )
    return HttpResponseServerError(render_to_string("500.html", {"reference": reference}))
