"""A person removed at the council's identity provider cannot sign in through it, but an API token
needs no sign-in: a token of an account linked to the provider is refused, on the REST API and on
the OData feed alike, once the account has not signed in through the provider for
``KPIBOARD_OIDC_TOKEN_DAYS`` (web/oidc/freshness.py); ``kpiboard
switch_off_stale_provider_accounts`` switches such accounts off after three times as long."""

from __future__ import annotations

import base64
import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from kpiboard.web.api.tokens import token_create
from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.oidc.config import ProviderConfig, provider_from
from kpiboard.web.oidc.models import ProviderAccount
from kpiboard.web.oidc.people import person_for

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example.com"
ENVIRON = {
    "KPIBOARD_OIDC_ISSUER": ISSUER,
    "KPIBOARD_OIDC_CLIENT_ID": "kpiboard",
    "KPIBOARD_OIDC_CLIENT_SECRET": "secret",
    "KPIBOARD_OIDC_ROLE_GROUPS": "performance=kpi-team;owner=managers;reader=staff",
    "KPIBOARD_OIDC_PROVIDER_NAME": "Council ID",
    "KPIBOARD_OIDC_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
    "KPIBOARD_OIDC_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "KPIBOARD_OIDC_JWKS_URI": f"{ISSUER}/keys",
}
API = "/api/v1/committees"
FEED = "/odata/Indicators?$top=1"


@pytest.fixture
def provider(settings: Any) -> ProviderConfig:
    configured = provider_from(ENVIRON)
    assert configured is not None
    settings.KPIBOARD_OIDC = configured
    return configured


def _link(user: Any, days_ago: float, subject: str | None = None) -> ProviderAccount:
    return ProviderAccount.objects.create(
        user=user,
        issuer=ISSUER,
        subject=subject or f"sub-{user.username}",
        last_signed_in=timezone.now() - dt.timedelta(days=days_ago),
    )


def _token(user: Any) -> str:
    _, raw = token_create(
        user=user, name="script", scope="read", expires=timezone.now() + dt.timedelta(days=60)
    )
    return raw


def _api(raw: str) -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(API)


def _feed(raw: str) -> Any:
    """As Power BI sends it: the token as the Basic password."""
    header = "Basic " + base64.b64encode(f"powerbi:{raw}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=header).get(FEED)


# -- the setting --------------------------------------------------------------------------------


@pytest.mark.once
def test_the_days_default_to_30_and_are_read_from_the_environment() -> None:
    default = provider_from(ENVIRON)
    assert default is not None
    assert default.token_days == 30
    set_ = provider_from({**ENVIRON, "KPIBOARD_OIDC_TOKEN_DAYS": "7"})
    assert set_ is not None
    assert set_.token_days == 7


@pytest.mark.once
@pytest.mark.parametrize("value", ["0", "-3", "abc", "2.5", "367", "²"])
def test_days_that_are_not_a_whole_number_from_1_to_366_stop_the_site(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_OIDC_TOKEN_DAYS"):
        provider_from({**ENVIRON, "KPIBOARD_OIDC_TOKEN_DAYS": value})


# -- tokens ------------------------------------------------------------------------------------


def _reader_seen(people: dict[str, Any], days_ago: float) -> str:
    """A token of the reader, linked to the provider and last signed in there ``days_ago``."""
    _link(people["reader"], days_ago=days_ago)
    return _token(people["reader"])


def test_a_token_of_an_account_not_seen_at_the_provider_for_31_days_is_refused(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    raw = _reader_seen(people, days_ago=31)
    response = _api(raw)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 403
    assert problem["instance"] == API
    assert "for 31 days" in problem["detail"]
    assert "Sign in again through the council's sign-in page, with Council ID" in problem["detail"]
    assert "not been revoked" in problem["detail"]
    # The OData feed, in its own error format, with the same words.
    feed = _feed(raw)
    assert feed.status_code == 403
    assert feed["OData-Version"] == "4.0"
    error = json.loads(feed.content)["error"]
    assert error["code"] == "SignInAgain"
    assert error["message"] == problem["detail"]


def test_the_refusal_is_audited_in_the_holders_name(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    reader = people["reader"]
    raw = _reader_seen(people, days_ago=31)
    before = AuditEvent.objects.count()
    _api(raw)
    _feed(raw)
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(row.action, row.actor_id) for row in rows] == [
        (Action.ACCESS_DENIED, reader.pk),
        (Action.ACCESS_DENIED, reader.pk),
    ]
    assert rows[0].target == f"GET {API}"
    assert rows[1].target == f"GET {FEED}"
    assert raw[:12] in rows[0].detail
    assert "for 31 days" in rows[0].detail
    assert raw not in rows[0].detail  # only the shown prefix, never the token


def test_a_token_of_an_account_seen_at_the_provider_yesterday_works(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    raw = _reader_seen(people, days_ago=1)
    assert _api(raw).status_code == 200
    assert _feed(raw).status_code == 200


def test_a_local_accounts_token_is_unaffected(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    reader = people["reader"]
    reader.last_login = timezone.now() - dt.timedelta(days=400)
    reader.save(update_fields=["last_login"])
    raw = _token(reader)
    assert not ProviderAccount.objects.filter(user=reader).exists()
    assert _api(raw).status_code == 200
    assert _feed(raw).status_code == 200


def test_the_days_setting_decides(people: dict[str, Any], settings: Any) -> None:
    configured = provider_from({**ENVIRON, "KPIBOARD_OIDC_TOKEN_DAYS": "7"})
    settings.KPIBOARD_OIDC = configured
    reader = people["reader"]
    link = _link(reader, days_ago=6.5)
    raw = _token(reader)
    assert _api(raw).status_code == 200
    link.last_signed_in = timezone.now() - dt.timedelta(days=7, minutes=1)
    link.save()
    assert _api(raw).status_code == 403


def test_signing_in_through_the_provider_again_lets_the_token_work_again(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    reader = people["reader"]
    _link(reader, days_ago=45, subject="sub-reader")
    raw = _token(reader)
    assert _api(raw).status_code == 403
    claims = {"sub": "sub-reader", "email": reader.email, "groups": ["staff"]}
    assert person_for(RequestFactory().get("/oidc/callback/"), provider, claims) == reader
    assert _api(raw).status_code == 200
    assert _feed(raw).status_code == 200


def test_without_a_provider_configured_a_linked_accounts_token_works(
    people: dict[str, Any], settings: Any
) -> None:
    """Nobody could sign in through a provider that is not configured to put it right."""
    settings.KPIBOARD_OIDC = None
    reader = people["reader"]
    _link(reader, days_ago=400)
    assert _api(_token(reader)).status_code == 200


# -- switching stale accounts off ----------------------------------------------------------------


def _switch_off(*args: str) -> str:
    out = StringIO()
    call_command("switch_off_stale_provider_accounts", *args, stdout=out)
    return out.getvalue()


def _active(user: Any) -> bool:
    user.refresh_from_db()
    return bool(user.is_active)


def test_the_command_switches_off_only_the_stale_provider_accounts_and_audits_it(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    stale, recent, local = people["owner"], people["other_owner"], people["reader"]
    _link(stale, days_ago=91)  # the default is 30 x 3 = 90 days
    _link(recent, days_ago=31)
    local.last_login = timezone.now() - dt.timedelta(days=400)
    local.save(update_fields=["last_login"])
    before = AuditEvent.objects.count()

    out = _switch_off()

    assert (_active(stale), _active(recent), _active(local)) == (False, True, True)
    assert f"Switched off: {stale.username}" in out
    assert recent.username not in out
    assert local.username not in out
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert len(rows) == 1, [(row.action, row.target, row.detail) for row in rows]
    assert rows[0].action == Action.PERMISSION_CHANGED
    assert rows[0].target == f"user {stale.username}"
    assert rows[0].detail.startswith("active: yes → no (not signed in with Council ID since")
    assert "90 days" in rows[0].detail
    assert rows[0].actor_name == "kpiboard switch_off_stale_provider_accounts"
    # A second run finds nobody left to switch off.
    assert "Switched off 0 accounts" in _switch_off()
    assert AuditEvent.objects.count() == before + 1


def test_the_command_takes_days_and_a_dry_run_changes_nothing(
    people: dict[str, Any], provider: ProviderConfig
) -> None:
    owner, other = people["owner"], people["other_owner"]
    _link(owner, days_ago=31)
    _link(other, days_ago=5)
    before = AuditEvent.objects.count()

    out = _switch_off("--days", "30", "--dry-run")

    assert f"Would switch off: {owner.username}" in out
    assert other.username not in out
    assert _active(owner)
    assert _active(other)
    assert AuditEvent.objects.count() == before

    _switch_off("--days", "30")
    assert (_active(owner), _active(other)) == (False, True)


def test_the_command_does_nothing_without_a_provider(people: dict[str, Any], settings: Any) -> None:
    settings.KPIBOARD_OIDC = None
    owner = people["owner"]
    _link(owner, days_ago=400)
    assert "nothing to do" in _switch_off()
    assert _active(owner)
