"""Signing in through the identity provider (authorization code flow with PKCE and a nonce) and
signing out of both kpiboard and the provider (RP-initiated logout).

A provider sign-in is trusted to carry the council's second factor: the provider asks for it
(Entra ID's conditional access, Google's 2-Step Verification), so kpiboard does not ask again
for its own code (web/accounts/two_factor.py, ``PROVIDER_SIGN_IN``). It neither counts towards
nor is stopped by kpiboard's password lockouts, which guard kpiboard's own passwords; the
provider throttles its own. The session then ends as any other does: idle and absolute limits.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.utils import (  # type: ignore[import-untyped]
    absolutify,
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)
from mozilla_django_oidc.views import get_next_url  # type: ignore[import-untyped]

from kpiboard.web.accounts.backends import PERMISSIONS_BACKEND
from kpiboard.web.accounts.two_factor import PROVIDER_SIGN_IN
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record
from kpiboard.web.oidc.config import ProviderConfig
from kpiboard.web.oidc.people import SignInRefusedError, person_for
from kpiboard.web.oidc.provider import ProviderBackend, ProviderError, configured, endpoints_for

__all__ = ["ID_TOKEN", "SignOutView", "callback", "sign_in"]

logger = logging.getLogger("kpiboard.oidc")

#: The session keys: the ID token (the hint that signing out names), where to go afterwards.
ID_TOKEN = "kpiboard_oidc_id_token"
NEXT = "oidc_login_next"


def _provider() -> ProviderConfig:
    provider = configured()
    if provider is None:
        raise Http404("Sign-in through an identity provider is not set up")
    return provider


def _page(
    request: HttpRequest, provider: ProviderConfig, title: str, message: str, status: int
) -> HttpResponse:
    return render(
        request,
        "oidc/refused.html",
        {"title": title, "message": message, "provider": provider.name},
        status=status,
    )


def _unreachable(request: HttpRequest, provider: ProviderConfig, error: Exception) -> HttpResponse:
    logger.warning("Signing in through %s failed: %s", provider.name, error)
    record(request, Action.SIGN_IN_FAILED, "", f"through {provider.name}: {error}")
    return _page(
        request,
        provider,
        "Signing in did not work",
        f"kpiboard could not finish signing you in with {provider.name}. Try again in a "
        "minute; if it keeps happening, tell your administrator.",
        502,
    )


@never_cache
@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """Send the person to the provider to sign in, with a fresh state, nonce and PKCE pair."""
    provider = _provider()
    try:
        endpoints = endpoints_for(provider)
    except ProviderError as error:
        return _unreachable(request, provider, error)
    state, nonce, verifier = (get_random_string(size) for size in (32, 32, 64))
    params = {
        "response_type": "code",
        "scope": provider.scopes,
        "client_id": provider.client_id,
        "redirect_uri": absolutify(request, reverse("oidc_callback")),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    request.session[NEXT] = get_next_url(request, "next")
    endpoint = endpoints["authorization_endpoint"]
    joiner = "&" if urlsplit(endpoint).query else "?"
    return HttpResponseRedirect(f"{endpoint}{joiner}{urlencode(params)}")


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a code (or an error)."""
    provider = _provider()
    states = request.session.get("oidc_states")
    states = states if isinstance(states, dict) else {}
    # Each state is used once, whatever happens next.
    entry = states.pop(request.GET.get("state", ""), None)
    request.session["oidc_states"] = states
    if request.GET.get("error"):
        said = request.GET.get("error_description") or request.GET["error"]
        record(request, Action.SIGN_IN_FAILED, "", f"through {provider.name}: {said}"[:500])
        return _page(
            request,
            provider,
            "Signing in did not finish",
            f"{provider.name} did not sign you in ({said[:200]}). You can start again.",
            400,
        )
    code = request.GET.get("code", "")
    if not isinstance(entry, dict) or not code or not entry.get("nonce"):
        return _page(
            request,
            provider,
            "This sign-in has expired",
            "This sign-in was started too long ago, in another browser, or has already been "
            "used. Start again from the sign-in page.",
            400,
        )
    claims: dict[str, Any] = {}
    try:
        backend = ProviderBackend(provider, endpoints_for(provider))
        claims, id_token = backend.claims_for(
            request, code=code, nonce=entry["nonce"], code_verifier=entry.get("code_verifier")
        )
        user = person_for(request, provider, claims)
    except ProviderError as error:
        return _unreachable(request, provider, error)
    except SignInRefusedError as refusal:
        who = str(claims.get("email") or claims.get("sub") or "")[:150]
        record(request, Action.SIGN_IN_FAILED, f"user {who}", refusal.detail, actor_name=who)
        return _page(request, provider, refusal.title, refusal.message, 403)
    next_url = request.session.get(NEXT)
    login(request, user, backend=PERMISSIONS_BACKEND)
    request.session[PROVIDER_SIGN_IN] = provider.issuer
    request.session[ID_TOKEN] = id_token
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; then, for a session that began at the provider, on to the provider's
    end-session endpoint, which ends the person's session there too and sends them back to the
    sign-in page. A provider without one (Google) leaves its own session as it was."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = configured()
        began_at = request.session.get(PROVIDER_SIGN_IN)
        id_token = str(request.session.get(ID_TOKEN) or "")
        response = super().post(request, *args, **kwargs)
        if provider is None or began_at != provider.issuer:
            return response
        try:
            end_session = endpoints_for(provider).get("end_session_endpoint", "")
        except ProviderError as error:
            logger.warning("Signing out of %s as well failed: %s", provider.name, error)
            return response
        if not end_session:
            return response
        params = {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
        if id_token:
            params["id_token_hint"] = id_token
        joiner = "&" if urlsplit(end_session).query else "?"
        url = f"{end_session}{joiner}{urlencode(params)}"
        parts = urlsplit(end_session)
        policy: Any = getattr(settings, "CONTENT_SECURITY_POLICY", {})
        allowed = policy.get("DIRECTIVES", {}).get("form-action", [])
        if f"{parts.scheme}://{parts.netloc}" not in allowed:
            # The page's policy would stop the form's answer going there: a link instead.
            return render(request, "oidc/signed_out.html", {"provider": provider.name, "url": url})
        return HttpResponseRedirect(url)
