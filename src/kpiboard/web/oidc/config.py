"""Sign-in with the council's identity provider (OpenID Connect), configured from the environment.

Read once by ``settings.py`` (no network: the provider's endpoints are discovered on the first
sign-in, :mod:`kpiboard.web.oidc.provider`). Every mistake is an ``ImproperlyConfigured`` naming
the variable, the value found and what was expected, so the site refuses to start rather than
half-work.

==================================  ================================================================
``KPIBOARD_OIDC_ISSUER``            the provider's issuer; setting it switches provider sign-in on.
                                    Endpoints: ``<issuer>/.well-known/openid-configuration``
``KPIBOARD_OIDC_CLIENT_ID``         the application's client id at the provider (required)
``KPIBOARD_OIDC_CLIENT_SECRET``     its client secret (required)
``KPIBOARD_OIDC_ROLE_GROUPS``       which groups give which role (required):
                                    ``performance=kpi-team;administrator=kpi-admins,it-admins``
``KPIBOARD_OIDC_PROVIDER_NAME``     the button's words, "Sign in with <name>"
``KPIBOARD_OIDC_SCOPES``            default ``openid email profile``
``KPIBOARD_OIDC_GROUPS_CLAIM``      the claim holding the groups, default ``groups`` (a dotted path
                                    such as ``realm_access.roles`` reaches into an object)
``KPIBOARD_OIDC_USERNAME_CLAIM``    a new account's username, default ``preferred_username``
                                    (the e-mail address if the provider sends none)
``KPIBOARD_OIDC_SIGN_ALGORITHM``    the ID token's signature, default ``RS256``
``KPIBOARD_OIDC_TIMEOUT``           seconds to wait for the provider, default 10
``KPIBOARD_OIDC_DISCOVERY_URL``     where to read the endpoints, if not under the issuer
``KPIBOARD_OIDC_TOKEN_DAYS``         days an account linked to the provider keeps working API tokens
                                    after its last sign-in through the provider, default 30
``KPIBOARD_OIDC_AUTHORIZATION_ENDPOINT``, ``..._TOKEN_ENDPOINT``, ``..._USERINFO_ENDPOINT``,
``..._JWKS_URI``, ``..._END_SESSION_ENDPOINT``: each, if set, in place of the discovered one
``KPIBOARD_LOCAL_PASSWORDS``        ``false`` switches kpiboard's own passwords off (default true)
==================================  ================================================================
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "ENDPOINTS",
    "ProviderConfig",
    "configured",
    "content_security_policy",
    "form_action_sources",
    "local_passwords_from",
    "parse_role_groups",
    "provider_from",
]

PREFIX = "KPIBOARD_OIDC_"
#: The roles of web/accounts/roles.py, by the names a mapping may use for them.
ROLE_NAMES = {
    "administrator": "administrator",
    "performance": "performance team",
    "performance team": "performance team",
    "performance_team": "performance team",
    "owner": "indicator owner",
    "indicator owner": "indicator owner",
    "indicator_owner": "indicator owner",
    "reader": "reader",
}
#: The endpoints that may be given in place of the discovered ones: (variable suffix, key in
#: the discovery document).
ENDPOINTS = (
    ("AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    ("TOKEN_ENDPOINT", "token_endpoint"),
    ("USERINFO_ENDPOINT", "userinfo_endpoint"),
    ("JWKS_URI", "jwks_uri"),
    ("END_SESSION_ENDPOINT", "end_session_endpoint"),
)
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
#: The longest ``KPIBOARD_OIDC_TOKEN_DAYS``: a token lives a year at most anyway.
MAX_TOKEN_DAYS = 366


@dataclass(frozen=True)
class ProviderConfig:
    """Everything about the provider that the environment says."""

    issuer: str
    client_id: str
    client_secret: str
    #: (group, role) pairs, in the order given.
    role_groups: tuple[tuple[str, str], ...]
    name: str = "your organisation account"
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    username_claim: str = "preferred_username"
    sign_algorithm: str = "RS256"
    timeout: float = 10.0
    discovery_url: str = ""
    #: Endpoints given in the environment, by discovery key; the rest are discovered.
    endpoints: tuple[tuple[str, str], ...] = ()
    #: Days a linked account's API tokens work after its last sign-in through the provider
    #: (web/oidc/freshness.py).
    token_days: int = 30

    def endpoint(self, key: str) -> str:
        return dict(self.endpoints).get(key, "")

    @property
    def discovery(self) -> str:
        return self.discovery_url or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _get(environ: Mapping[str, str], suffix: str) -> str:
    return environ.get(PREFIX + suffix, "").strip()


def _url(name: str, value: str) -> str:
    """``value`` if it is an https address (http only to this machine, for tests)."""
    parts = urlsplit(value)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if (parts.scheme == "https" and host) or (parts.scheme == "http" and loopback):
        return value
    raise ImproperlyConfigured(
        f"{name}={value!r}: expected an https:// address (http:// only for localhost)"
    )


def parse_role_groups(
    value: str, *, name: str = PREFIX + "ROLE_GROUPS"
) -> tuple[tuple[str, str], ...]:
    """``role=group,group;role=group`` as (group, role) pairs; a role may be written short
    (``performance``, ``owner``) or in full (``performance team``).

    >>> parse_role_groups("performance=kpi-team;reader=staff, members")
    (('kpi-team', 'performance team'), ('staff', 'reader'), ('members', 'reader'))
    """
    pairs: list[tuple[str, str]] = []
    roles_seen: set[str] = set()
    for position, part in enumerate(value.split(";"), start=1):
        if not part.strip():
            continue
        role_text, equals, groups_text = part.partition("=")
        role = ROLE_NAMES.get(" ".join(role_text.split()).lower())
        if not equals or role is None:
            raise ImproperlyConfigured(
                f"{name}: part {position} is {part.strip()!r}: expected role=group "
                f"(roles: administrator, performance, owner, reader), parts separated by ';'"
            )
        if role in roles_seen:
            raise ImproperlyConfigured(
                f"{name}: the role {role!r} is given twice (part {position}): expected one "
                f"role=group,group part per role"
            )
        roles_seen.add(role)
        groups = [group.strip() for group in groups_text.split(",") if group.strip()]
        if not groups:
            raise ImproperlyConfigured(
                f"{name}: part {position} ({part.strip()!r}) names no group: expected "
                f"{role_text.strip()}=group[,group...]"
            )
        pairs.extend((group, role) for group in groups)
    if not pairs:
        raise ImproperlyConfigured(
            f"{name} is empty: expected at least one role=group, such as "
            f"'reader=kpi-readers;performance=kpi-team'"
        )
    return tuple(pairs)


def provider_from(environ: Mapping[str, str]) -> ProviderConfig | None:
    """The provider the environment configures, or None if ``KPIBOARD_OIDC_ISSUER`` is unset
    (and no other ``KPIBOARD_OIDC_*`` variable is, which would be a mistake)."""
    issuer = _get(environ, "ISSUER")
    if not issuer:
        stray = sorted(key for key, value in environ.items() if key.startswith(PREFIX) and value)
        if stray:
            raise ImproperlyConfigured(
                f"{stray[0]} is set but {PREFIX}ISSUER is not: expected the provider's issuer "
                f"(such as https://login.microsoftonline.com/<tenant id>/v2.0), or none of "
                f"the {PREFIX}* variables"
            )
        return None
    _url(PREFIX + "ISSUER", issuer)
    required = {}
    for suffix in ("CLIENT_ID", "CLIENT_SECRET", "ROLE_GROUPS"):
        required[suffix] = _get(environ, suffix)
        if not required[suffix]:
            raise ImproperlyConfigured(
                f"{PREFIX}{suffix} is not set: expected it with {PREFIX}ISSUER ({issuer})"
            )
    scopes = " ".join(_get(environ, "SCOPES").split()) or ProviderConfig.scopes
    if "openid" not in scopes.split():
        raise ImproperlyConfigured(
            f"{PREFIX}SCOPES={scopes!r}: expected the scopes to include 'openid'"
        )
    algorithm = _get(environ, "SIGN_ALGORITHM") or ProviderConfig.sign_algorithm
    if algorithm not in ALGORITHMS:
        raise ImproperlyConfigured(
            f"{PREFIX}SIGN_ALGORITHM={algorithm!r}: expected one of {', '.join(ALGORITHMS)}"
        )
    timeout_text = _get(environ, "TIMEOUT") or "10"
    try:
        timeout = float(timeout_text)
    except ValueError:
        timeout = 0.0
    if not 0 < timeout <= 120:
        raise ImproperlyConfigured(
            f"{PREFIX}TIMEOUT={timeout_text!r}: expected a number of seconds, more than 0 "
            f"and at most 120"
        )
    endpoints = tuple(
        (key, _url(PREFIX + suffix, _get(environ, suffix)))
        for suffix, key in ENDPOINTS
        if _get(environ, suffix)
    )
    discovery_url = _get(environ, "DISCOVERY_URL")
    if discovery_url:
        _url(PREFIX + "DISCOVERY_URL", discovery_url)
    token_days_text = _get(environ, "TOKEN_DAYS") or str(ProviderConfig.token_days)
    token_days = (
        int(token_days_text) if token_days_text.isascii() and token_days_text.isdigit() else 0
    )
    if not 1 <= token_days <= MAX_TOKEN_DAYS:
        raise ImproperlyConfigured(
            f"{PREFIX}TOKEN_DAYS={token_days_text!r}: expected a whole number of days, from 1 "
            f"to {MAX_TOKEN_DAYS}"
        )
    return ProviderConfig(
        issuer=issuer,
        client_id=required["CLIENT_ID"],
        client_secret=required["CLIENT_SECRET"],
        role_groups=parse_role_groups(required["ROLE_GROUPS"]),
        name=" ".join(_get(environ, "PROVIDER_NAME").split()) or ProviderConfig.name,
        scopes=scopes,
        groups_claim=_get(environ, "GROUPS_CLAIM") or ProviderConfig.groups_claim,
        username_claim=_get(environ, "USERNAME_CLAIM") or ProviderConfig.username_claim,
        sign_algorithm=algorithm,
        timeout=timeout,
        discovery_url=discovery_url,
        endpoints=endpoints,
        token_days=token_days,
    )


def local_passwords_from(environ: Mapping[str, str], provider: ProviderConfig | None) -> bool:
    """Whether kpiboard's own passwords sign people in (``KPIBOARD_LOCAL_PASSWORDS``, default
    true); false only with a provider to sign in through instead."""
    value = environ.get("KPIBOARD_LOCAL_PASSWORDS", "").strip().lower()
    if value in {"", "1", "true", "yes", "on"}:
        return True
    if value not in {"0", "false", "no", "off"}:
        raise ImproperlyConfigured(
            f"KPIBOARD_LOCAL_PASSWORDS={environ['KPIBOARD_LOCAL_PASSWORDS']!r}: expected true "
            f"or false"
        )
    if provider is None:
        raise ImproperlyConfigured(
            f"KPIBOARD_LOCAL_PASSWORDS=false but {PREFIX}ISSUER is not set: nobody could sign "
            f"in; expected an identity provider ({PREFIX}ISSUER and the rest) with it"
        )
    return False


def content_security_policy(policy: dict[str, Any], provider: ProviderConfig | None) -> Any:
    """``policy`` (django-csp's setting) with the provider's origins added to ``form-action``:
    signing out is a form whose answer goes on to the provider's end-session endpoint, and a
    browser checks each address a form's answer leads to."""
    directives = dict(policy.get("DIRECTIVES", {}))
    allowed = list(directives.get("form-action", []))
    allowed += [origin for origin in form_action_sources(provider) if origin not in allowed]
    return {**policy, "DIRECTIVES": {**directives, "form-action": allowed}}


def form_action_sources(provider: ProviderConfig | None) -> list[str]:
    """The provider's origins: its issuer's and any endpoint's given in the environment."""
    if provider is None:
        return []
    origins: list[str] = []
    for url in [provider.issuer, *(url for _, url in provider.endpoints)]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


def configured() -> ProviderConfig | None:
    """The provider of the settings (``KPIBOARD_OIDC``), or None if sign-in through one is off."""
    from django.conf import settings

    provider = getattr(settings, "KPIBOARD_OIDC", None)
    return provider if isinstance(provider, ProviderConfig) else None
