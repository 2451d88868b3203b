"""The data version read once for each request served (docs/performance.md, issue 16).

A page asks for :meth:`DataVersion.current` several times: to key the organisation kept in the
process, the period select and the page's cached content. Each is a query; under load the
queries, not their answers, were a fifth of an indicator page's time. Within one request the
first answer stands for the rest: a version moved by another process a moment later is what
the next request sees, exactly as if the moment had fallen between the two requests. A bump
made while the request is served forgets the answer, and inside a transaction the version is
always read afresh (the transaction may have bumped it, and may yet roll back).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

#: The version read in the request being served, if it has been read: an empty list until then;
#: None outside a request (commands and the worker read the database every time).
READ: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "kpiboard_request_data_version", default=None
)


class DataVersionPerRequestMiddleware:
    """Give each request a place to keep the data version it reads first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = READ.set([])
        try:
            return self.get_response(request)
        finally:
            READ.reset(token)
