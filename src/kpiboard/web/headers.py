"""Response headers for people signed in (issue 14, finding 7).

A page shown to someone signed in holds what only they may see (drafts, names, figures before
publication): ``Cache-Control: private, no-store`` keeps it out of shared caches and the
browser's back-forward cache on a shared computer. The Content-Security-Policy itself is
django-csp's (settings.CONTENT_SECURITY_POLICY), with a fresh nonce for each response.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

__all__ = ["PrivatePagesMiddleware"]


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response to someone signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
