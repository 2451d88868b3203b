"""Security keys on *Your account* and at sign-in (web/accounts/security_keys.py does the
checking). The browser's part is kpiboard/security-keys.js: it asks ``..._options`` for a
challenge, has the key answer it, and posts the answer in an ordinary form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kpiboard.web.accounts import security_keys, two_factor
from kpiboard.web.accounts.models import SecurityKey
from kpiboard.web.accounts.views import next_url, second_factor_remove

#: The longest answer a key sends back that is read (a registration with attestation "none" is
#: well under 2 KB; the request's own limit applies first).
MOST_CREDENTIAL_CHARS = 16_000


def _may_add(user: Any) -> bool:
    """Adding a key needs the second factor given in this session, if the person has one: a
    password alone must not be enough to add an attacker's key."""
    return bool(user.is_verified() or not two_factor.has_second_factor(user))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security_key_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _may_add(user):
        return redirect(two_factor.next_step(user, "") or "account")
    error = ""
    if request.method == "POST":
        credential = request.POST.get("credential", "")[:MOST_CREDENTIAL_CHARS]
        try:
            key = security_keys.key_register(
                request=request, name=request.POST.get("name", ""), credential=credential
            )
        except security_keys.SecurityKeyError as refusal:
            error = str(refusal)
        else:
            if not user.is_verified():  # their first second factor, just shown to work
                two_factor.signed_in(request, key)
            messages.success(request, f"Your security key “{key.name}” is set up.")
            return redirect(next_url(request) if request.GET.get("next") else "account")
    return render(
        request,
        "registration/security_key_add.html",
        {
            "error": error,
            "next": request.GET.get("next", ""),
            "unavailable": security_keys.cannot_be_used_here(request),
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_POST
def security_key_add_options(request: HttpRequest) -> HttpResponse:
    if not _may_add(request.user):
        return JsonResponse({"error": "Give your second factor first."}, status=403)
    return HttpResponse(
        security_keys.registration_options(request), content_type="application/json"
    )


@never_cache
@login_required
@require_POST
def security_key_sign_in_options(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_verified() or not security_keys.keys_for(user):
        return JsonResponse({"error": "No security key to use."}, status=400)
    return HttpResponse(
        security_keys.authentication_options(request), content_type="application/json"
    )


@never_cache
@login_required
@require_POST
def security_key_sign_in(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_verified() or not security_keys.keys_for(user):
        return redirect(next_url(request))
    credential = request.POST.get("credential", "")[:MOST_CREDENTIAL_CHARS]
    refusal = two_factor.sign_in_with_security_key(request=request, credential=credential)
    if refusal is None:
        return redirect(next_url(request))
    messages.error(request, refusal)
    return redirect(two_factor.next_step(user, next_url(request)) or "account")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security_key_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's keys, by the same rule and page as the authenticator app."""
    key = get_object_or_404(SecurityKey, pk=pk, user=request.user)
    return second_factor_remove(
        request, key, what=f"the security key “{key.name}”", kind="security key", remove=key.delete
    )
