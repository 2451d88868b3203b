"""Reading the identity provider's settings from the environment, and groups into roles: every
mistake names its variable; the mapping is exact."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kpiboard.web.oidc.config import (
    content_security_policy,
    local_passwords_from,
    parse_role_groups,
    provider_from,
)
from kpiboard.web.oidc.people import groups_in, roles_for

GOOD = {
    "KPIBOARD_OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
    "KPIBOARD_OIDC_CLIENT_ID": "app-id",
    "KPIBOARD_OIDC_CLIENT_SECRET": "secret",
    "KPIBOARD_OIDC_ROLE_GROUPS": "performance=kpi-team;reader=all-staff,members",
}


def test_no_variable_means_no_provider() -> None:
    """Without KPIBOARD_OIDC_ISSUER the site signs in with passwords only."""
    assert provider_from({"PATH": "/usr/bin"}) is None
    assert local_passwords_from({}, None) is True


def test_a_full_configuration_is_read() -> None:
    provider = provider_from(
        {
            **GOOD,
            "KPIBOARD_OIDC_PROVIDER_NAME": "  Microsoft   Entra ID ",
            "KPIBOARD_OIDC_SCOPES": "openid  email profile",
            "KPIBOARD_OIDC_GROUPS_CLAIM": "realm_access.roles",
            "KPIBOARD_OIDC_TIMEOUT": "2.5",
            "KPIBOARD_OIDC_END_SESSION_ENDPOINT": "https://logout.example.com/end",
        }
    )
    assert provider is not None
    assert provider.name == "Microsoft Entra ID"
    assert provider.scopes == "openid email profile"
    assert provider.groups_claim == "realm_access.roles"
    assert provider.timeout == 2.5
    assert provider.role_groups == (
        ("kpi-team", "performance team"),
        ("all-staff", "reader"),
        ("members", "reader"),
    )
    assert provider.endpoint("end_session_endpoint") == "https://logout.example.com/end"
    assert provider.discovery == (
        "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration"
    )
    assert provider.name != GOOD["KPIBOARD_OIDC_CLIENT_ID"]


def test_defaults() -> None:
    provider = provider_from(GOOD)
    assert provider is not None
    assert (provider.scopes, provider.groups_claim, provider.username_claim) == (
        "openid email profile",
        "groups",
        "preferred_username",
    )
    assert provider.sign_algorithm == "RS256"
    assert provider.name == "your organisation account"


@pytest.mark.parametrize(
    ("changes", "named", "says"),
    [
        ({"KPIBOARD_OIDC_ISSUER": ""}, "KPIBOARD_OIDC_CLIENT_ID", "ISSUER is not"),
        ({"KPIBOARD_OIDC_CLIENT_ID": ""}, "KPIBOARD_OIDC_CLIENT_ID", "is not set"),
        ({"KPIBOARD_OIDC_CLIENT_SECRET": " "}, "KPIBOARD_OIDC_CLIENT_SECRET", "is not set"),
        ({"KPIBOARD_OIDC_ROLE_GROUPS": ""}, "KPIBOARD_OIDC_ROLE_GROUPS", "is not set"),
        (
            {"KPIBOARD_OIDC_ISSUER": "http://idp.example.com"},
            "KPIBOARD_OIDC_ISSUER",
            "https://",
        ),
        ({"KPIBOARD_OIDC_ISSUER": "login.example.com"}, "KPIBOARD_OIDC_ISSUER", "https://"),
        (
            {"KPIBOARD_OIDC_ROLE_GROUPS": "boss=kpi-team"},
            "KPIBOARD_OIDC_ROLE_GROUPS",
            "part 1 is 'boss=kpi-team'",
        ),
        (
            {"KPIBOARD_OIDC_ROLE_GROUPS": "reader=a;performance"},
            "KPIBOARD_OIDC_ROLE_GROUPS",
            "part 2",
        ),
        ({"KPIBOARD_OIDC_ROLE_GROUPS": "reader= , "}, "KPIBOARD_OIDC_ROLE_GROUPS", "no group"),
        (
            {"KPIBOARD_OIDC_ROLE_GROUPS": "reader=a;Reader=b"},
            "KPIBOARD_OIDC_ROLE_GROUPS",
            "given twice",
        ),
        ({"KPIBOARD_OIDC_ROLE_GROUPS": ";;"}, "KPIBOARD_OIDC_ROLE_GROUPS", "is empty"),
        ({"KPIBOARD_OIDC_SCOPES": "email profile"}, "KPIBOARD_OIDC_SCOPES", "'openid'"),
        ({"KPIBOARD_OIDC_SIGN_ALGORITHM": "HS256"}, "KPIBOARD_OIDC_SIGN_ALGORITHM", "RS256"),
        ({"KPIBOARD_OIDC_TIMEOUT": "soon"}, "KPIBOARD_OIDC_TIMEOUT", "seconds"),
        ({"KPIBOARD_OIDC_TIMEOUT": "0"}, "KPIBOARD_OIDC_TIMEOUT", "more than 0"),
        (
            {"KPIBOARD_OIDC_TOKEN_ENDPOINT": "ftp://idp.example.com/token"},
            "KPIBOARD_OIDC_TOKEN_ENDPOINT",
            "https://",
        ),
        (
            {"KPIBOARD_OIDC_DISCOVERY_URL": "http://idp.example.com/.well-known/x"},
            "KPIBOARD_OIDC_DISCOVERY_URL",
            "https://",
        ),
    ],
)
def test_a_mistake_names_its_variable(changes: dict[str, str], named: str, says: str) -> None:
    with pytest.raises(ImproperlyConfigured) as raised:
        provider_from({**GOOD, **changes})
    assert named in str(raised.value)
    assert says in str(raised.value)


def test_http_is_allowed_only_to_this_machine() -> None:
    for issuer in (
        "http://127.0.0.1:8123",
        "http://localhost:9000/realms/council",
        "http://[::1]:80",
    ):
        provider = provider_from({**GOOD, "KPIBOARD_OIDC_ISSUER": issuer})
        assert provider is not None
        assert provider.issuer == issuer


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", True), ("true", True), ("ON", True), ("false", False), ("0", False), ("no", False)],
)
def test_local_passwords(value: str, expected: bool) -> None:
    assert (
        local_passwords_from({"KPIBOARD_LOCAL_PASSWORDS": value}, provider_from(GOOD)) is expected
    )


def test_local_passwords_off_needs_a_provider_and_a_clear_value() -> None:
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_LOCAL_PASSWORDS=false but"):
        local_passwords_from({"KPIBOARD_LOCAL_PASSWORDS": "false"}, None)
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_LOCAL_PASSWORDS='maybe'"):
        local_passwords_from({"KPIBOARD_LOCAL_PASSWORDS": "maybe"}, provider_from(GOOD))


def test_the_site_will_not_start_with_a_bad_mapping() -> None:
    """settings.py reads the variables: a mistake stops the site at start-up, named."""
    environ = {
        **os.environ,
        **GOOD,
        "SECRET_KEY": "x",
        "KPIBOARD_OIDC_ROLE_GROUPS": "performance=kpi-team;auditor=kpi-audit",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import kpiboard.web.settings"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: KPIBOARD_OIDC_ROLE_GROUPS: part 2 is 'auditor=kpi-audit'" in (
        result.stderr
    )


def test_signing_out_may_lead_to_the_provider() -> None:
    """The provider's origins join form-action; the policy given is left as it was."""
    policy = {"DIRECTIVES": {"form-action": ["'self'"], "script-src": ["'self'"]}}
    provider = provider_from(
        {**GOOD, "KPIBOARD_OIDC_END_SESSION_ENDPOINT": "https://sso.example.com:8443/logout"}
    )
    updated = content_security_policy(policy, provider)
    assert updated["DIRECTIVES"]["form-action"] == [
        "'self'",
        "https://login.microsoftonline.com",
        "https://sso.example.com:8443",
    ]
    assert updated["DIRECTIVES"]["script-src"] == ["'self'"]
    assert policy["DIRECTIVES"]["form-action"] == ["'self'"]
    assert content_security_policy(policy, None) == policy


# -- groups into roles ---------------------------------------------------------------------------

MAPPING = parse_role_groups(
    "administrator=kpi-admins;performance=kpi-team;owner=service-managers;reader=all-staff,kpi-team"
)


@pytest.mark.parametrize(
    ("groups", "roles"),
    [
        (["kpi-team"], ["performance team", "reader"]),
        (["all-staff"], ["reader"]),
        (["service-managers", "all-staff", "finance"], ["indicator owner", "reader"]),
        (["kpi-admins"], ["administrator"]),
        (["finance", "payroll"], []),
        ([], []),
        # Exact names only: no prefixes, no case folding.
        (["kpi-team-old", "KPI-TEAM", "kpi"], []),
    ],
)
def test_groups_give_roles(groups: list[str], roles: list[str]) -> None:
    assert roles_for(groups, MAPPING) == roles


@pytest.mark.parametrize(
    ("claims", "claim", "groups"),
    [
        ({"groups": ["a", "b"]}, "groups", ["a", "b"]),
        ({"groups": "a"}, "groups", ["a"]),
        ({"roles": ["a"]}, "groups", []),
        ({"realm_access": {"roles": ["kpi-team"]}}, "realm_access.roles", ["kpi-team"]),
        ({"realm_access": ["kpi-team"]}, "realm_access.roles", []),
        ({"groups": [{"id": "a"}, "b", None]}, "groups", ["b"]),
        ({"groups": None}, "groups", []),
    ],
)
def test_groups_are_read_from_the_claim(
    claims: dict[str, object], claim: str, groups: list[str]
) -> None:
    assert groups_in(claims, claim) == groups


def test_role_names_long_and_short() -> None:
    assert parse_role_groups("Performance Team=a;indicator_owner=b") == (
        ("a", "performance team"),
        ("b", "indicator owner"),
    )
