"""Addresses no page of the site could have sent, refused with 400 before any view reads them
(issue 14, finding 5: no 500 from any input).

A NUL character (``%00``) in the path or the query string is never part of a ref, a period, an
id or a filter, but PostgreSQL refuses to compare text holding one, so a view that looked it up
(``/register/%00/``) would fail with a server error. Rather than teach every lookup, such a
request is answered here, with the site's own 400 page. Form fields need no such guard: Django's
form fields refuse a NUL themselves, and say so beside the field.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

__all__ = ["AddressCheckMiddleware", "bad_request_page"]

_NUL = "\x00"


def bad_request_page(request: HttpRequest, title: str, message: str) -> HttpResponse:
    """The site's 400 page (templates/400.html) saying what was wrong (problem details for the
    API)."""
    from kpiboard.web.api.problems import refusal

    answer = refusal(request, 400, title, message)
    if answer is not None:
        return answer
    page = render_to_string("400.html", {"title": title, "message": message}, request=request)
    return HttpResponseBadRequest(page)


class AddressCheckMiddleware:
    """Answer 400 to a path or query string holding a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if _NUL in request.path or any(
            _NUL in key or any(_NUL in value for value in query.getlist(key)) for key in query
        ):
            return bad_request_page(
                request,
                "The address could not be read",
                "It holds a character no page of this site uses (a NUL, %00). Check the "
                "address, or go back and follow a link.",
            )
        return self.get_response(request)
