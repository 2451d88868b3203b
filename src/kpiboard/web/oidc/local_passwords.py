"""``KPIBOARD_LOCAL_PASSWORDS=false``: kpiboard's own passwords sign nobody in.

Whatever that setting, an account linked to the identity provider signs in only through it: its
right password is refused as well (a wrong one fails as any wrong password does, so the page
tells nothing to someone without it). Otherwise a password set through *Forgotten your
password?* would outlive the person's removal from the provider's groups.

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
        passwords = getattr(settings, "KPIBOARD_LOCAL_PASSWORDS", True)
        if passwords and (request.method != "POST" or configured() is None):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if name in SIGN_IN_PAGES and request.method == "POST":
            tried = str(request.POST.get("username", ""))[:150]
            if passwords:
                if not _linked_and_right(tried, str(request.POST.get("password", ""))):
                    return self.get_response(request)
                why = "this account signs in through the identity provider"
            else:
                why = "kpiboard's own passwords are switched off"
            record(
                request,
                Action.SIGN_IN_FAILED,
                f"user {tried}",
                f"a password, refused: {why}",
                actor_name=tried,
            )
            return self._refuse(request, linked=passwords)
        if passwords:
            return self.get_response(request)
        if name == "admin:login":
            query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
            return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
        if name in PASSWORD_PAGES:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, *, linked: bool = False) -> HttpResponse:
        provider = configured()
        return render(
            request,
            "oidc/passwords_off.html",
            {
                "provider": provider.name if provider else "your organisation account",
                "linked": linked,
            },
            status=403,
        )


def _linked_and_right(username: str, password: str) -> bool:
    """Whether ``username`` is an account linked to the provider and ``password`` is its own."""
    from kpiboard.web.oidc.models import ProviderAccount

    link = ProviderAccount.objects.select_related("user").filter(user__username=username).first()
    return link is not None and link.user.check_password(password)
