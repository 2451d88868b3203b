"""Security keys as a second factor (ASVS 2.3.2), without a browser: who is asked for one, what
is refused (an answer that is not a key's, one without a challenge given), and removing one
(the password first, recorded, the person told). test_security_keys_browser.py sets a key up
and signs in with it in Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
from kpiboard.web.accounts.personal_data import personal_data
from kpiboard.web.api.tokens import authenticate_token, token_create
from kpiboard.web.audit.models import AuditEvent
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

CREDENTIAL_ID = "AAECAwQFBgcICQoLDA0ODw"


def _key(user: Any, name: str = "Blue key") -> SecurityKey:
    return SecurityKey.objects.create(
        user=user, name=name, credential_id=CREDENTIAL_ID, public_key=b"\x01" * 77
    )


def _password_step(user: Any) -> Client:
    client = Client()
    signed = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert signed.status_code == 302
    return client


def _verified_with(client: Client, device: Any) -> None:
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def test_someone_with_only_a_key_is_asked_for_it_after_the_password(
    people: dict[str, Any],
) -> None:
    _key(people["owner"])
    client = _password_step(people["owner"])
    assert client.get(reverse("account"))["Location"].startswith(reverse("two_factor_verify"))
    page = client.get(reverse("two_factor_verify"))
    html = page.content.decode()
    assert "Use your security key" in html
    assert 'name="code"' not in html  # no authenticator app: no code is asked for
    assert "security-keys.js" in html


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "not json",
        "{}",
        "[]",
        f'{{"id": "{CREDENTIAL_ID}"}}',
        f'{{"id": "{CREDENTIAL_ID}", '
        '"rawId": "x", "type": "public-key", "response": {"clientDataJSON": "e30", '
        '"authenticatorData": "AA", "signature": "AA"}}',
    ],
)
def test_an_answer_that_is_not_the_keys_signs_no_one_in(
    people: dict[str, Any], answer: str
) -> None:
    _key(people["owner"])
    client = _password_step(people["owner"])
    assert client.post(reverse("security_key_sign_in_options")).status_code == 200
    refused = client.post(reverse("security_key_sign_in"), {"credential": answer})
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("account")).status_code == 302
    assert AuditEvent.objects.filter(action="second_factor_failed").count() == 1


def test_an_answer_with_no_challenge_given_is_refused(people: dict[str, Any]) -> None:
    _key(people["owner"])
    client = _password_step(people["owner"])
    client.post(reverse("security_key_sign_in"), {"credential": "{}"})
    event = AuditEvent.objects.filter(action="second_factor_failed").get()
    assert "took too long, or the page was old" in event.detail


def test_the_options_name_this_site_and_only_the_persons_keys(people: dict[str, Any]) -> None:
    _key(people["owner"])
    SecurityKey.objects.create(
        user=people["reader"], name="theirs", credential_id="b3RoZXI", public_key=b"\x02"
    )
    client = _password_step(people["owner"])
    options = client.post(reverse("security_key_sign_in_options"), HTTP_HOST="localhost:8000")
    body = options.json()
    assert body["rpId"] == "localhost"
    assert [item["id"] for item in body["allowCredentials"]] == [CREDENTIAL_ID]
    assert len(body["challenge"]) >= 43  # 32 random bytes, base64url


def test_adding_a_key_needs_the_second_factor_first(people: dict[str, Any]) -> None:
    """A password alone is not enough to add an attacker's key to an account that has a second
    factor."""
    EncryptedTOTPDevice.objects.create(user=people["owner"], name="app", confirmed=True)
    client = _password_step(people["owner"])
    assert client.get(reverse("security_key_add"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    assert client.post(reverse("security_key_add_options")).status_code == 403
    # Nor an authenticator app to an account that has only a key.
    keys_only = people["reader"]
    _key(keys_only)
    held = _password_step(keys_only)
    assert held.get(reverse("two_factor_setup"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    assert not EncryptedTOTPDevice.objects.filter(user=keys_only).exists()
    # With no second factor yet, the page and its challenge are open.
    fresh = _password_step(people["other_owner"])
    assert fresh.get(reverse("security_key_add")).status_code == 200
    assert fresh.post(reverse("security_key_add_options")).status_code == 200


def test_removing_a_key_takes_the_password_and_tells_the_person(people: dict[str, Any]) -> None:
    owner = people["owner"]
    key = _key(owner)
    _, token = token_create(
        user=owner, name="Power BI", scope="read", expires=timezone.now() + dt.timedelta(days=9)
    )
    client = Client()
    client.force_login(owner)
    _verified_with(client, key)
    url = reverse("security_key_remove", args=[key.pk])
    wrong = client.post(url, {"password": "not it"})
    assert wrong.status_code == 200
    assert SecurityKey.objects.filter(pk=key.pk).exists()
    done = client.post(url, {"password": PASSWORD})
    assert done.status_code == 302
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    (notice,) = mail.outbox
    assert notice.subject == "The second factor of your account was removed"
    removed = AuditEvent.objects.filter(action="second_factor_removed").get()
    assert removed.detail == "a security key (Blue key)"
    assert authenticate_token(token) is None  # a lost key: what its sessions made stops too


def test_nobody_removes_anothers_key(people: dict[str, Any]) -> None:
    key = _key(people["owner"])
    client = Client()
    client.force_login(people["reader"])
    url = reverse("security_key_remove", args=[key.pk])
    assert client.post(url, {"password": PASSWORD}).status_code == 404
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_a_role_that_must_use_a_second_factor_keeps_its_last_key(
    people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = ["administrator", "performance team"]
    perf = people["performance"]
    key = _key(perf)
    client = Client()
    client.force_login(perf)
    _verified_with(client, key)
    refused = client.post(reverse("security_key_remove", args=[key.pk]), {"password": PASSWORD})
    assert refused["Location"] == reverse("account")
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_a_person_s_data_names_their_keys_but_not_the_keys_themselves(
    people: dict[str, Any],
) -> None:
    _key(people["owner"])
    (held,) = personal_data(people["owner"])["second_factors"]
    assert held["kind"] == "security key"
    assert held["name"] == "Blue key"
    assert CREDENTIAL_ID not in str(held)


@pytest.mark.parametrize(
    ("host", "offered"),
    [("localhost:8000", True), ("127.0.0.1:8000", False)],
)
def test_at_an_ip_address_the_page_says_why_no_key_can_be_added(
    people: dict[str, Any], host: str, offered: bool
) -> None:
    """WebAuthn refuses an IP address as the site a key answers for: there the page says so and
    where to go, instead of a form whose key would 'not answer'."""
    client = Client()
    client.force_login(people["reader"])
    page = client.get(reverse("security_key_add"), HTTP_HOST=host).content.decode()
    assert ('data-security-key="register"' in page) is offered
    assert ('id="security-key-unavailable"' in page) is not offered
    if not offered:
        assert "http://localhost" in page
