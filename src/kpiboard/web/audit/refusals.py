"""Input the site refused, in the audit log (ASVS 7.1.3): CSRF failures and validation failures.

- **CSRF failures**: :func:`csrf_failure` is ``settings.CSRF_FAILURE_VIEW``. It records who (or
  which address), the method and path, and Django's reason ("CSRF token missing."), then shows the
  site's 403 page with what to do.
- **Validation failures**: :class:`InputRefusalMiddleware` records one row for each request the
  site answers 400 (a parameter no page sends, a NUL in the address, a filter that does not
  validate, a malformed ``Content-Length``), 411 or 413 (a body of unknown length, or too large).
  A view that refuses input with another status (an upload whose files do not read, shown again
  with the problems) calls :func:`input_refused`, and the request is recorded once all the same.

Each row names the method, the path and the *names* of the fields sent (the query string's, and
the form's and files' if the body was read), never their values: a refused value may be a
password typed into the wrong box or personal data. A body refused for its size is never read to
find its field names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string

from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record_safely

__all__ = ["InputRefusalMiddleware", "csrf_failure", "input_refused"]


#: The statuses that mean "the input was refused".
REFUSED_STATUSES = frozenset({400, 411, 413})
#: At most this many field names in a row (a request may send thousands).
NAMES_MAX = 30
_MARK = "_kpiboard_input_refused"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: record the refusal, then the site's 403 page."""
    record_safely(
        request,
        Action.CSRF_FAILED,
        f"{request.method} {request.path}",
        f"{reason or 'the CSRF check failed'}; {_fields_sent(request)}",
    )
    page = render_to_string(
        "403.html",
        {
            "title": "The form could not be sent",
            "message": (
                "The page you sent it from had expired or was not opened from this site. "
                "Go back, reload the page and try again. If your browser blocks cookies for "
                "this site, allow them."
            ),
        },
        request=request,
    )
    return HttpResponseForbidden(page)


def input_refused(request: HttpRequest, reason: str, fields: Iterable[str] = ()) -> None:
    """Record that a view refused this request's input (once a request). ``reason`` says what
    was refused in the site's words, never with the values; ``fields`` are extra names (the
    form's are added)."""
    if getattr(request, _MARK, False):
        return
    setattr(request, _MARK, True)
    record_safely(
        request,
        Action.INPUT_REFUSED,
        f"{request.method} {request.path}",
        f"{reason}; {_fields_sent(request, extra=fields)}",
    )


class InputRefusalMiddleware:
    """Record a request answered 400, 411 or 413, unless a view already recorded it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
            input_refused(request, f"answered {response.status_code}")
        return response


def _fields_sent(request: HttpRequest, extra: Iterable[str] = ()) -> str:
    """The names of the fields sent, by where they came: never a value, and the body only if
    something already read it (a body refused for its size stays unread)."""
    parts = []
    places: list[tuple[str, Iterable[str]]] = [("query", request.GET.keys())]
    # Django keeps the parsed form in _post and _files: only read what was read already.
    if "_post" in request.__dict__:
        places.append(("form", request.POST.keys()))
    if "_files" in request.__dict__:
        places.append(("files", request.FILES.keys()))
    places.append(("also", extra))
    for place, names in places:
        unique = sorted({str(name) for name in names if str(name) != "csrfmiddlewaretoken"})
        if unique:
            shown = unique[:NAMES_MAX]
            more = f" and {len(unique) - NAMES_MAX} more" if len(unique) > NAMES_MAX else ""
            parts.append(f"{place} fields: {', '.join(n[:60] for n in shown)}{more}")
    return "; ".join(parts) or "no fields"
