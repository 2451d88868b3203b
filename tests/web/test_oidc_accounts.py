"""Accounts and roles from the provider's claims, the views' refusals, passwords switched off,
the second factor and signing out, without a provider running (the browser test has one)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from kpiboard.web.accounts import roles
from kpiboard.web.accounts.two_factor import PROVIDER_SIGN_IN
from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.oidc.config import ProviderConfig, content_security_policy, provider_from
from kpiboard.web.oidc.models import ProviderAccount
from kpiboard.web.oidc.people import SignInRefusedError, person_for
from kpiboard.web.oidc.provider import ProviderBackend, ProviderError
from kpiboard.web.oidc.views import ID_TOKEN
from web.conftest import OWNER_EMAIL, PASSWORD

ISSUER = "https://idp.example.com"
ENVIRON = {
    "KPIBOARD_OIDC_ISSUER": ISSUER,
    "KPIBOARD_OIDC_CLIENT_ID": "kpiboard",
    "KPIBOARD_OIDC_CLIENT_SECRET": "secret",
    "KPIBOARD_OIDC_ROLE_GROUPS": (
        "administrator=admins;performance=kpi-team;owner=managers;reader=staff"
    ),
    "KPIBOARD_OIDC_PROVIDER_NAME": "Council ID",
    # Given, so that nothing is discovered over the network.
    "KPIBOARD_OIDC_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize?tenant=council",
    "KPIBOARD_OIDC_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "KPIBOARD_OIDC_JWKS_URI": f"{ISSUER}/keys",
    "KPIBOARD_OIDC_END_SESSION_ENDPOINT": f"{ISSUER}/logout",
}


def provider_config(**changes: str) -> ProviderConfig:
    provider = provider_from({**ENVIRON, **changes})
    assert provider is not None
    return provider


@pytest.fixture
def provider(settings: Any) -> ProviderConfig:
    configured = provider_config()
    settings.KPIBOARD_OIDC = configured
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        settings.CONTENT_SECURITY_POLICY, configured
    )
    return configured


@pytest.fixture
def request_() -> Any:
    return RequestFactory().get("/oidc/callback/")


def claims(sub: str = "sub-1", **more: Any) -> dict[str, Any]:
    return {
        "sub": sub,
        "email": "dee.patel@example.gov.uk",
        "email_verified": True,
        "preferred_username": "dee.patel",
        "groups": ["kpi-team"],
        **more,
    }


def role_names(user: Any) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


# -- accounts and roles --------------------------------------------------------------------------


def test_first_sign_in_makes_the_account_with_its_role(
    db: Any, provider: ProviderConfig, request_: Any
) -> None:
    user = person_for(request_, provider, claims(given_name="Dee", family_name="Patel"))
    assert (user.username, user.email, user.get_full_name()) == (
        "dee.patel",
        "dee.patel@example.gov.uk",
        "Dee Patel",
    )
    assert not user.has_usable_password()
    assert role_names(user) == ["performance team"]
    assert ProviderAccount.objects.get(user=user).subject == "sub-1"
    row = AuditEvent.objects.get(action="role_changed", target="user dee.patel")
    assert row.detail == (
        "no role → performance team (the groups claim at sign-in through Council ID)"
    )
    assert row.actor_name == "Council ID (identity provider)"


def test_each_sign_in_sets_the_roles_afresh_and_records_the_change(
    db: Any, provider: ProviderConfig, request_: Any
) -> None:
    user = person_for(request_, provider, claims())
    other = Group.objects.create(name="newsletter")
    user.groups.add(other)
    again = person_for(request_, provider, claims(groups=["staff", "managers"]))
    assert again.pk == user.pk
    assert role_names(again) == ["indicator owner", "newsletter", "reader"]
    rows = AuditEvent.objects.filter(action="role_changed", target="user dee.patel")
    assert [row.detail.split(" (")[0] for row in rows.order_by("pk")][-1] == (
        "performance team → indicator owner, reader"
    )
    # The same groups again change nothing, and write nothing.
    count = AuditEvent.objects.filter(action="role_changed").count()
    person_for(request_, provider, claims(groups=["managers", "staff"]))
    assert AuditEvent.objects.filter(action="role_changed").count() == count


def test_an_administrator_gets_the_admin_and_loses_it_with_the_role(
    db: Any, provider: ProviderConfig, request_: Any
) -> None:
    user = person_for(request_, provider, claims(groups=["admins"]))
    assert user.is_staff
    assert roles.is_administrator(user)
    user = person_for(request_, provider, claims(groups=["staff"]))
    user.refresh_from_db()
    assert not user.is_staff


def test_an_existing_account_with_the_address_is_linked_not_duplicated(
    db: Any, provider: ProviderConfig, request_: Any, people: dict[str, Any]
) -> None:
    helen = people["owner"]
    user = person_for(
        request_,
        provider,
        claims(sub="helen-at-idp", email=OWNER_EMAIL.upper(), groups=["managers"]),
    )
    assert user.pk == helen.pk
    assert ProviderAccount.objects.get(user=helen).subject == "helen-at-idp"
    # Linked by the provider's identifier from now on, whatever the address says.
    again = person_for(
        request_,
        provider,
        claims(sub="helen-at-idp", email="h.a@example.gov.uk", groups=["managers"]),
    )
    assert again.pk == helen.pk


def test_an_unverified_address_finds_and_makes_no_account(
    db: Any, provider: ProviderConfig, request_: Any, people: dict[str, Any]
) -> None:
    with pytest.raises(SignInRefusedError) as refused:
        person_for(request_, provider, claims(sub="x", email=OWNER_EMAIL, email_verified=False))
    assert "verified e-mail address" in refused.value.message
    assert not ProviderAccount.objects.exists()
    with pytest.raises(SignInRefusedError):
        person_for(request_, provider, claims(sub="y", email=""))
    assert not get_user_model().objects.filter(username="dee.patel").exists()


def test_no_mapped_group_is_refused_and_takes_away_any_roles(
    db: Any, provider: ProviderConfig, request_: Any
) -> None:
    with pytest.raises(SignInRefusedError) as refused:
        person_for(request_, provider, claims(groups=["finance"]))
    assert refused.value.title == "You do not have access to kpiboard"
    assert "dee.patel@example.gov.uk" in refused.value.message
    assert not get_user_model().objects.filter(username="dee.patel").exists()

    user = person_for(request_, provider, claims())
    with pytest.raises(SignInRefusedError):
        person_for(request_, provider, claims(groups=[]))
    assert role_names(user) == []
    row = AuditEvent.objects.filter(action="role_changed", target="user dee.patel").first()
    assert row is not None
    assert row.detail.startswith("performance team → no role")


def test_a_username_taken_by_someone_else_is_refused(
    db: Any, provider: ProviderConfig, request_: Any, people: dict[str, Any]
) -> None:
    with pytest.raises(SignInRefusedError) as refused:
        person_for(request_, provider, claims(preferred_username="HELEN"))
    assert "helen" in refused.value.message.lower()
    assert not ProviderAccount.objects.exists()


def test_too_many_groups_is_refused(db: Any, provider: ProviderConfig, request_: Any) -> None:
    """Entra ID leaves the groups out past 200 and says so in _claim_names."""
    overage = claims(groups=None, _claim_names={"groups": "src1"})
    with pytest.raises(SignInRefusedError, match="too many"):
        person_for(request_, provider, overage)


def test_a_switched_off_account_is_refused(
    db: Any, provider: ProviderConfig, request_: Any
) -> None:
    user = person_for(request_, provider, claims())
    user.is_active = False
    user.save()
    with pytest.raises(SignInRefusedError, match="switched off"):
        person_for(request_, provider, claims())


# -- the ID token's issuer and audience ----------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ({"iss": "https://evil.example.com", "aud": "kpiboard", "sub": "a"}, "issued by"),
        ({"iss": ISSUER, "aud": "another-app", "sub": "a"}, "another application"),
        ({"iss": ISSUER, "aud": ["kpiboard", "x"], "azp": "x", "sub": "a"}, "another party"),
        ({"iss": ISSUER, "aud": "kpiboard", "sub": ""}, "names nobody"),
    ],
)
def test_a_token_for_another_issuer_or_application_is_refused(
    token: dict[str, Any], says: str
) -> None:
    backend = ProviderBackend(provider_config(), {"token_endpoint": "x", "jwks_uri": "y"})
    with pytest.raises(ProviderError, match=says):
        backend._check_issued_for_us(token)
    backend._check_issued_for_us({"iss": ISSUER + "/", "aud": ["kpiboard"], "sub": "a"})


# -- the views -----------------------------------------------------------------------------------


def test_without_a_provider_its_pages_are_not_there(db: Any) -> None:
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=a&state=b").status_code == 404


def test_signing_in_goes_to_the_provider_with_state_nonce_and_pkce(
    db: Any, provider: ProviderConfig
) -> None:
    client = Client()
    response = client.get("/oidc/authenticate/?next=/register/")
    assert response.status_code == 302
    where = urlsplit(response["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == f"{ISSUER}/authorize"
    query = parse_qs(where.query)
    assert query["tenant"] == ["council"]
    assert query["client_id"] == ["kpiboard"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid email profile"]
    state = query["state"][0]
    assert client.session["oidc_states"][state]["nonce"] == query["nonce"][0]
    assert client.session["oidc_login_next"] == "/register/"


def test_a_callback_without_its_state_is_refused_with_a_page(
    db: Any, provider: ProviderConfig
) -> None:
    response = Client().get("/oidc/callback/?code=abc&state=never-issued")
    assert response.status_code == 400
    assert b"This sign-in has expired" in response.content


def test_the_provider_saying_no_is_shown_and_recorded(db: Any, provider: ProviderConfig) -> None:
    response = Client().get(
        "/oidc/callback/?error=access_denied&error_description=The+user+cancelled&state=s"
    )
    assert response.status_code == 400
    assert b"did not sign you in (The user cancelled)" in response.content
    row = AuditEvent.objects.get(action="sign_in_failed")
    assert "Council ID: The user cancelled" in row.detail


def test_a_provider_that_cannot_be_reached_gives_a_page_not_an_error(
    db: Any, settings: Any
) -> None:
    # Nothing listens on port 9 of this machine: discovery fails at once.
    settings.KPIBOARD_OIDC = provider_from(
        {
            key: value
            for key, value in {**ENVIRON, "KPIBOARD_OIDC_ISSUER": "http://127.0.0.1:9"}.items()
            if "ENDPOINT" not in key and "JWKS" not in key
        }
    )
    response = Client().get("/oidc/authenticate/")
    assert response.status_code == 502
    assert b"Signing in did not work" in response.content
    assert AuditEvent.objects.filter(action="sign_in_failed").exists()


# -- passwords switched off ----------------------------------------------------------------------


@pytest.fixture
def no_passwords(settings: Any, provider: ProviderConfig) -> ProviderConfig:
    settings.KPIBOARD_LOCAL_PASSWORDS = False
    return provider


def test_with_passwords_off_a_right_password_signs_nobody_in(
    no_passwords: ProviderConfig, people: dict[str, Any]
) -> None:
    client = Client()
    page = client.get("/accounts/login/")
    assert b"Sign in with Council ID" in page.content
    assert b'type="password"' not in page.content
    response = client.post("/accounts/login/", {"username": "perf", "password": PASSWORD})
    assert response.status_code == 403
    assert b"sign in with Council ID instead" in response.content
    assert "_auth_user_id" not in client.session
    row = AuditEvent.objects.get(action="sign_in_failed", actor_name="perf")
    assert "switched off" in row.detail


@pytest.mark.parametrize(
    "path", ["/accounts/password/", "/accounts/password/reset/", "/accounts/password/reset/x/y/"]
)
def test_with_passwords_off_the_password_pages_are_closed(
    no_passwords: ProviderConfig, client_as: Any, path: str
) -> None:
    assert client_as("reader").get(path).status_code == 403
    assert Client().post(path, {"email": OWNER_EMAIL}).status_code == 403


def test_with_passwords_off_the_admin_sends_people_to_the_site_sign_in(
    no_passwords: ProviderConfig, people: dict[str, Any]
) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    posted = Client().post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert posted.status_code == 403


def test_with_passwords_on_both_ways_are_offered(
    provider: ProviderConfig, people: dict[str, Any]
) -> None:
    page = Client().get("/accounts/login/?next=/register/")
    assert b"Sign in with Council ID" in page.content
    assert b'href="/oidc/authenticate/?next=/register/"' in page.content
    assert b'type="password"' in page.content
    client = Client()
    client.post("/accounts/login/", {"username": "perf", "password": PASSWORD})
    assert "_auth_user_id" in client.session


# -- the second factor and signing out -----------------------------------------------------------


def test_a_provider_sign_in_is_not_asked_for_kpiboard_s_second_factor(
    provider: ProviderConfig, people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = [roles.PERFORMANCE]
    password_client = Client()
    password_client.force_login(people["performance"])
    assert password_client.get("/register/")["Location"].startswith("/accounts/two-factor/")

    provider_client = Client()
    provider_client.force_login(people["performance"])
    session = provider_client.session
    session[PROVIDER_SIGN_IN] = ISSUER
    session.save()
    assert provider_client.get("/register/").status_code == 200


def _provider_session(client: Client, user: Any) -> None:
    client.force_login(user)
    session = client.session
    session[PROVIDER_SIGN_IN] = ISSUER
    session[ID_TOKEN] = "the.id.token"
    session.save()


def test_signing_out_goes_on_to_the_provider(
    provider: ProviderConfig, people: dict[str, Any]
) -> None:
    client = Client()
    _provider_session(client, people["reader"])
    response = client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    where = urlsplit(response["Location"])
    assert f"{where.scheme}://{where.netloc}{where.path}" == f"{ISSUER}/logout"
    assert parse_qs(where.query) == {
        "client_id": ["kpiboard"],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
        "id_token_hint": ["the.id.token"],
    }


def test_a_password_session_signs_out_of_kpiboard_only(
    provider: ProviderConfig, people: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(people["reader"])
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"


def test_an_end_session_endpoint_the_policy_does_not_allow_gets_a_link(
    settings: Any, people: dict[str, Any]
) -> None:
    """The page's form-action would stop the browser following the answer: a link instead."""
    settings.KPIBOARD_OIDC = provider_config()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"form-action": ["'self'"]}}
    client = Client()
    _provider_session(client, people["reader"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert b"You are signed out of kpiboard" in response.content
    assert b'href="https://idp.example.com/logout?client_id=kpiboard' in response.content
    assert "_auth_user_id" not in client.session


def test_an_account_linked_to_the_provider_cannot_sign_in_with_a_password(
    provider: ProviderConfig, people: dict[str, Any], request_: Any
) -> None:
    """Else a password set through a reset link would outlive the person's groups."""
    helen = people["owner"]
    person_for(request_, provider, claims(sub="helen", email=OWNER_EMAIL, groups=["managers"]))
    client = Client()
    wrong = client.post("/accounts/login/", {"username": "helen", "password": "not it at all"})
    assert wrong.status_code == 200  # the sign-in page again, as for any wrong password
    assert b"signs in with Council ID" not in wrong.content
    right = client.post("/accounts/login/", {"username": "helen", "password": PASSWORD})
    assert right.status_code == 403
    assert b"Your account signs in with Council ID" in right.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="sign_in_failed", actor_name="helen", detail__contains="identity provider"
    ).exists()
    # Accounts not linked keep their passwords.
    other = Client()
    other.post("/accounts/login/", {"username": "mark", "password": PASSWORD})
    assert other.session["_auth_user_id"] == str(people["other_owner"].pk)
    assert helen.has_usable_password()
