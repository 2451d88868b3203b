"""``KPIBOARD_LOCAL_PASSWORDS=false``: kpiboard's own passwords sign nobody in.

The sign-in page then offers only the provider (its template asks ``{% sign_in_choices %}``);
this middleware refuses, with a page saying where to sign in instead, a password posted to the
sign-in page or the admin's, and every password change and reset page. The admin's sign-in page
sends people to the site's.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record
from kpiboard.web.oidc.provider import configured

__all__ = ["LocalPasswordsMiddleware"]

#: Pages that are only about kpiboard's own passwords.
PASSWORD_PAGES = frozenset(
    {
        "password_change",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)
SIGN_IN_PAGES = frozenset({"login", "admin:login"})


class LocalPasswordsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "KPIBOARD_LOCAL_PASSWORDS", True):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if name in SIGN_IN_PAGES and request.method == "POST":
            tried = str(request.POST.get("username", ""))[:150]
            record(
                request,
                Action.SIGN_IN_FAILED,
                f"user {tried}",
                "a password, refused: kpiboard's own passwords are switched off",
                actor_name=tried,
            )
            return self._refuse(request)
        if name == "admin:login":
            query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
            return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
        if name in PASSWORD_PAGES:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        provider = configured()
        return render(
            request,
            "oidc/passwords_off.html",
            {"provider": provider.name if provider else "your organisation account"},
            status=403,
        )
