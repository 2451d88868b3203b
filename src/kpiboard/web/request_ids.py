"""A short id for each request, on every log line written while it is served (ASVS 1.7.1).

:class:`RequestIdMiddleware` gives each request an id: the reverse proxy's ``X-Request-ID`` when
the proxy is trusted (``KPIBOARD_TRUSTED_PROXIES``; nginx's ``$request_id``), so that the proxy's
access log and the app's lines share it, or else 16 random hexadecimal digits. The id is kept in a
context variable until the response is finished (Django logs a refused request after the
middleware has returned), and :func:`current` reads it for the log format of
:mod:`kpiboard.web.log_lines`. Outside a request (a command, the worker) there is none. The
response carries the id in its ``X-Request-ID`` header, so a person reporting a problem, or a
monitor, can quote it and the lines of that request can be found.

Once the response is ready, one line at INFO on ``kpiboard.web.requests`` says the method, the
path (a reset or invitation link's token hidden: ``log_lines.logged_path``), the status and the
time taken (shown with ``LOG_LEVEL=INFO``; JSON logs give each its own
field).
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from kpiboard.web import log_lines

__all__ = ["RequestIdMiddleware", "current", "current_request"]

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kpiboard_request_id", default=None
)
_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "kpiboard_request", default=None
)
_log = logging.getLogger("kpiboard.web.requests")
# What a proxy's id may look like: nginx's $request_id is 32 hexadecimal digits.
_PROXY_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> str | None:
    """The id of the request being served, or None."""
    return _request_id.get()


def current_request() -> HttpRequest | None:
    """The request being served, or None."""
    return _request.get()


def _from_proxy(request: HttpRequest) -> str | None:
    if not getattr(settings, "KPIBOARD_TRUSTED_PROXIES", 0):
        return None  # any client could send the header
    sent = request.headers.get("X-Request-ID", "")
    return sent if _PROXY_ID.match(sent) else None


class RequestIdMiddleware:
    """Give the request its id (``request.request_id``) and make it the current one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = _from_proxy(request) or secrets.token_hex(8)
        request.request_id = request_id  # type: ignore[attr-defined]
        _request_id.set(request_id)
        _request.set(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if _log.isEnabledFor(logging.INFO):
            duration = round((time.perf_counter() - started) * 1000, 1)
            _log.info(
                "%s %s %s %.1f ms",
                request.method,
                log_lines.logged_path(request),
                response.status_code,
                duration,
                extra={"status": response.status_code, "duration_ms": duration},
            )
        return response


@receiver(request_finished, dispatch_uid="kpiboard_request_id_finished")
def _finished(sender: Any, **kwargs: Any) -> None:
    _request_id.set(None)
    _request.set(None)
