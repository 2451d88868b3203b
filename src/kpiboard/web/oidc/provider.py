"""Talking to the identity provider: its endpoints (discovered, and kept an hour in the shared
cache), and the code exchange, through mozilla-django-oidc's backend.

mozilla-django-oidc checks the ID token's signature (against the provider's published keys), its
expiry and its nonce; it does not check who issued it or for whom (``verify_aud`` is off), so
:meth:`ProviderBackend.claims_for` does both: ``iss`` must be the configured issuer and ``aud``
must name this client, or the sign-in is refused.
"""

from __future__ import annotations

from typing import Any

import requests
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.utils import absolutify  # type: ignore[import-untyped]

from kpiboard.web.oidc.config import ENDPOINTS, ProviderConfig, configured

__all__ = ["ProviderBackend", "ProviderError", "configured", "endpoints_for"]

DISCOVERY_SECONDS = 60 * 60
#: The endpoints a sign-in cannot do without.
NEEDED = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderError(Exception):
    """The provider could not be reached, or answered with something unusable; the message says
    what, for the log and the person's page (it holds no secret)."""


def endpoints_for(provider: ProviderConfig) -> dict[str, str]:
    """The provider's endpoints by discovery key: those the environment gives, the rest from its
    discovery document (fetched once an hour at most)."""
    given = dict(provider.endpoints)
    if all(key in given for key in NEEDED):
        return given
    key = f"kpiboard-oidc-discovery:{provider.discovery}"
    document = cache.get(key)
    if not isinstance(document, dict):
        document = _discover(provider)
        cache.set(key, document, DISCOVERY_SECONDS)
    found = {name: str(document[name]) for _, name in ENDPOINTS if document.get(name)}
    return {**found, **given}


def _discover(provider: ProviderConfig) -> dict[str, Any]:
    try:
        response = requests.get(provider.discovery, timeout=provider.timeout)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderError(
            f"could not read the provider's settings from {provider.discovery}: {error}"
        ) from error
    if not isinstance(document, dict):
        raise ProviderError(f"{provider.discovery} is not a JSON object")
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer.rstrip("/"):
        raise ProviderError(
            f"{provider.discovery} names the issuer {document.get('issuer')!r}, not "
            f"{provider.issuer!r} (KPIBOARD_OIDC_ISSUER)"
        )
    missing = [name for name in NEEDED if not document.get(name)]
    if missing:
        raise ProviderError(f"{provider.discovery} gives no {', '.join(missing)}")
    return document


class ProviderBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, configured by a :class:`ProviderConfig` rather than by
    ``OIDC_*`` settings, and used by the callback view directly: it is not one of
    ``AUTHENTICATION_BACKENDS``, so a password sign-in never reaches it."""

    def __init__(self, provider: ProviderConfig, endpoints: dict[str, str]) -> None:
        # Not the parent's __init__, which reads the OIDC_* settings.
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = endpoints.get("userinfo_endpoint", "")
        self.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.sign_algorithm
        self.OIDC_RP_IDP_SIGN_KEY = None
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def get_settings(self, attr: str, *args: Any) -> Any:  # the parent's is a staticmethod
        values = {
            "OIDC_RP_SCOPES": self.provider.scopes,
            "OIDC_TIMEOUT": self.provider.timeout,
            "OIDC_VERIFY_SSL": True,
            "OIDC_USE_NONCE": True,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            "OIDC_PROXY": None,
        }
        if attr in values:
            return values[attr]
        if args:
            return args[0]
        raise KeyError(attr)

    def claims_for(
        self, request: HttpRequest, *, code: str, nonce: str, code_verifier: str | None
    ) -> tuple[dict[str, Any], str]:
        """Exchange the callback's code for tokens; the person's claims (the ID token's, with
        the userinfo endpoint's over them) and the raw ID token (for signing out)."""
        self.request = request
        payload = {
            "client_id": self.provider.client_id,
            "client_secret": self.provider.client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse("oidc_callback")),
        }
        if code_verifier:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
            id_token = str(tokens.get("id_token") or "")
            if not id_token:
                raise ProviderError("the provider's answer holds no ID token")
            claims = dict(self.verify_token(id_token, nonce=nonce))
            self._check_issued_for_us(claims)
            access_token = tokens.get("access_token")
            if self.OIDC_OP_USER_ENDPOINT and access_token:
                extra = self.get_userinfo(access_token, id_token, claims)
                if not isinstance(extra, dict) or extra.get("sub") != claims.get("sub"):
                    raise ProviderError("the userinfo endpoint answered for someone else")
                claims.update(extra)
        except ProviderError:
            raise
        except (requests.RequestException, SuspiciousOperation, ValueError) as error:
            raise ProviderError(f"the sign-in could not be completed: {error}") from error
        except Exception as error:  # PyJWT's errors (an expired token), a malformed key...
            raise ProviderError(
                f"the provider's token was not accepted: {type(error).__name__}: {error}"
            ) from error
        return claims, id_token

    def _check_issued_for_us(self, claims: dict[str, Any]) -> None:
        issuer = str(claims.get("iss", ""))
        if issuer.rstrip("/") != self.provider.issuer.rstrip("/"):
            raise ProviderError(f"the ID token was issued by {issuer!r}, not the configured issuer")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.provider.client_id not in audiences:
            raise ProviderError("the ID token was issued for another application")
        if len(audiences) > 1 and claims.get("azp") != self.provider.client_id:
            raise ProviderError("the ID token was issued for another party (azp)")
        if not claims.get("sub"):
            raise ProviderError("the ID token names nobody (no sub)")
