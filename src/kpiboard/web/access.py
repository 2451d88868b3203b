"""View guards: a named rule from kpiboard.web.accounts.roles, or 403 (signed-in, and recorded in
the audit log) / login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def require(rule: str, obj: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """Allow the view only if ``user.has_perm(rule, obj(request, **kwargs))``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target = obj(request, **kwargs) if obj else None
            if not request.user.has_perm(rule, target):
                _refused(request, rule)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def _refused(request: HttpRequest, rule: str) -> None:
    """Record who was refused, where and for want of what (ASVS 7.2.2)."""
    from kpiboard.web.audit.records import record

    record(
        request,
        "access_denied",
        f"{request.method} {request.get_full_path()}",
        f"needs the permission {rule}",
    )


def signed_in(request: HttpRequest) -> Any:
    """The person making the request, for a view guarded by :func:`require` (which has one)."""
    return request.user
