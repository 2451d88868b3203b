"""Request bodies capped before anything reads them (issue 14, finding 2).

Django reads a POST body when something first asks for ``request.POST`` (the CSRF check does, for
every POST) and spools a multipart body to disk as it goes: without a cap in front, anyone could
fill the server's disk through the sign-in page. This middleware answers 413, with the site's own
page, before the body is read:

- a request from someone not signed in may carry ``KPIBOARD_MAX_ANONYMOUS_BYTES`` (16 KB: a
  sign-in form is a few hundred bytes);
- a signed-in person's upload pages (a data folder or workbook, a national data file) may carry
  ``KPIBOARD_MAX_UPLOAD_BYTES`` plus 64 KB for the form around the file;
- any other request from a signed-in person ``KPIBOARD_MAX_FORM_BYTES`` (2 MB: the longest
  narrative or commentary is far below it).

The cap is judged by ``Content-Length``. Django reads no more than ``Content-Length`` says, so a
body without one (``Transfer-Encoding: chunked``) would never be read at all: it is refused with
411 rather than silently taken as empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

__all__ = ["RequestSizeLimitMiddleware", "limit_for"]

#: Pages that take a file, and so the upload limit.
UPLOAD_PATHS = re.compile(r"^/(register/(import|[^/]+/neighbours)/|api/v1/imports)$")
#: Room for the form fields around an uploaded file.
FORM_OVERHEAD = 64 * 1024


def limit_for(request: HttpRequest) -> int:
    """The largest body ``request`` may carry, in bytes."""
    if not request.user.is_authenticated and not _api_token_holder(request):
        return int(settings.MAX_ANONYMOUS_BYTES)
    if UPLOAD_PATHS.match(request.path_info):
        return int(settings.MAX_UPLOAD_BYTES) + FORM_OVERHEAD
    return int(settings.MAX_FORM_BYTES)


def _api_token_holder(request: HttpRequest) -> bool:
    """A script's request with a live API token counts as its holder's (the API checks the
    token again, and what its holder may do)."""
    from kpiboard.web.api.auth import found_token
    from kpiboard.web.api.tokens import sends_token

    if not sends_token(request):
        return False
    return found_token(request) is not None


def _megabytes(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count // 1024} KB"
    return f"{count / (1024 * 1024):.0f} MB"


class RequestSizeLimitMiddleware:
    """Refuse a body over its limit (413) or of unknown length (411) before it is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        length_text = meta.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not length_text:
            return self._refuse(
                request,
                411,
                "The request did not say how long it is",
                "Send it again with a Content-Length header.",
            )
        try:
            length = int(length_text or 0)
        except ValueError:
            return self._refuse(
                request, 400, "The request is malformed", "Its Content-Length is not a number."
            )
        limit = limit_for(request)
        if length > limit:
            what = "file" if UPLOAD_PATHS.match(request.path_info) else "form"
            return self._refuse(
                request,
                413,
                "What you sent is too large",
                f"The {what} sent was {_megabytes(length)}; the most this page accepts is "
                f"{_megabytes(limit)}. Nothing was read or kept.",
            )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
        from kpiboard.web.api.problems import refusal

        response = refusal(request, status, title, detail) or HttpResponse(
            render_to_string(
                "limit.html", {"title": title, "detail": detail, "status": status}, request=request
            ),
            status=status,
        )
        response["Connection"] = "close"  # the body was not read: do not reuse the connection
        return response
