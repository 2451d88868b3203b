"""Removing a second factor, the authenticator app or a security key alike: one rule (someone whose
role requires a second factor keeps their last one, whichever kind it is), the password first,
and one page (views.second_factor_remove)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts import two_factor
from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = ["administrator", "performance team"]


@pytest.fixture
def required(settings: Any) -> None:
    """The performance team and administrators must use a second factor."""
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED


def _app(user: Any) -> EncryptedTOTPDevice:
    return EncryptedTOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _key(user: Any, name: str = "Blue key") -> SecurityKey:
    return SecurityKey.objects.create(
        user=user, name=name, credential_id=f"id-{name}", public_key=b"\x01" * 77
    )


def _verified(user: Any, device: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_the_rule_keeps_the_last_one_whatever_its_kind(
    people: dict[str, Any], required: None
) -> None:
    perf, owner = people["performance"], people["owner"]
    app, key = _app(perf), _key(perf)
    assert two_factor.may_remove(perf, app)  # the key stays
    assert two_factor.may_remove(perf, key)  # the app stays
    app.delete()
    assert not two_factor.may_remove(perf, key)
    lone = _key(owner, "Red key")  # the owner's role does not require one
    assert two_factor.may_remove(owner, lone)


def test_a_required_role_removes_its_app_while_it_keeps_a_key_but_not_the_last_key(
    people: dict[str, Any], required: None
) -> None:
    perf = people["performance"]
    key = _key(perf)
    client = _verified(perf, key)
    app = _app(perf)
    # The account page offers the app's and the key's removal only while something else stays.
    page = client.get(reverse("account")).content.decode()
    assert reverse("two_factor_remove") in page
    assert reverse("security_key_remove", args=[key.pk]) in page
    assert client.post(reverse("two_factor_remove"), {"password": PASSWORD}).status_code == 302
    assert not EncryptedTOTPDevice.objects.filter(pk=app.pk).exists()
    # With the app gone the key is the last: the account page no longer offers its removal,
    # and says why; asked for anyway, it is refused.
    page = client.get(reverse("account")).content.decode()
    assert reverse("security_key_remove", args=[key.pk]) not in page
    assert "Blue key, added" in page
    assert "(your last second factor:" in page
    assert "Your authenticator app has been removed." in page
    refused = client.post(reverse("security_key_remove", args=[key.pk]), {"password": PASSWORD})
    assert refused["Location"] == reverse("account")
    assert SecurityKey.objects.filter(pk=key.pk).exists()
    said = [str(message) for message in get_messages(refused.wsgi_request)]
    assert said == [
        "Your role must use a second factor and this is your last one: add another (an "
        "authenticator app or a security key) before you remove it.",
    ]
    key.delete()
    alone = _verified(perf, _app(perf)).get(reverse("account"))
    assert alone.status_code == 200
    assert reverse("two_factor_remove") not in alone.content.decode()


def test_both_use_one_page_that_warns_only_of_the_last_one(people: dict[str, Any]) -> None:
    owner = people["owner"]
    app, key = _app(owner), _key(owner)
    client = _verified(owner, key)
    app_page = client.get(reverse("two_factor_remove"))
    key_page = client.get(reverse("security_key_remove", args=[key.pk]))
    for page, what in ((app_page, "your authenticator app"), (key_page, "the security key")):
        assert page.templates[0].name == "registration/second_factor_remove.html"
        assert f"Remove {what}" in page.content.decode()
        assert "It is your last second factor" not in page.content.decode()
    app.delete()
    last = client.get(reverse("security_key_remove", args=[key.pk])).content.decode()
    assert "It is your last second factor" in last
    assert "Remove security key</button>" in last


def test_factors_read_once_answer_for_each(people: dict[str, Any], required: None) -> None:
    """Factors, read once for a page, gives the same answers as asking for each factor alone."""
    perf, owner = people["performance"], people["owner"]
    app, key, other = _app(perf), _key(perf), _key(perf, "Green key")
    _key(owner, "Red key")  # another person's key is never counted as perf's
    factors = two_factor.factors_of(perf)
    assert factors.held == (app, key, other)
    for factor in factors.held:
        assert not factors.is_last(factor)
        assert factors.may_remove(factor) == two_factor.may_remove(perf, factor)
    app.delete()
    key.delete()
    factors = two_factor.factors_of(perf)
    assert factors.held == (other,)
    assert factors.is_last(other)
    assert not factors.may_remove(other)
    assert not two_factor.may_remove(perf, other)
