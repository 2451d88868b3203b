"""A person's own data (ASVS 8.3.2): *Download your data* gives them everything the site holds
about them, as JSON, and is audited; ``kpiboard erase_user`` erases an account at their request,
keeping the audit trail and the returns' history but naming a pseudonym, and never the last
administrator."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from kpiboard.web.accounts.models import SignedInSession
from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register.models import Indicator
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Firefox/121.0 (X11; Linux)")
    client.get(reverse("login"))
    answer = client.post(
        reverse("login"),
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert answer.status_code == 302
    return client


def _download(client: Client) -> Any:
    client.get(reverse("account"))
    return client.post(
        reverse("personal_data_download"),
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )


@pytest.fixture
def helens_return(people: Any) -> Return:
    """A return helen submitted, with her commentary under her name, and perf reviewed."""
    people["owner"].first_name, people["owner"].last_name = "Helen", "Ashworth"
    people["owner"].save()
    indicator = Indicator.objects.get(ref="182")
    return Return.objects.create(
        indicator=indicator,
        period="2024-11",
        period_start=2024 * 12 + 10,
        numerator=Decimal(80),
        denominator=Decimal(90),
        commentary="Two complex requests took longer than we hoped.",
        author="Helen Ashworth",
        state=ReturnState.APPROVED,
        submitted_by=people["owner"],
        reviewed_by=people["performance"],
    )


def test_a_person_downloads_everything_held_about_them(people: Any, helens_return: Return) -> None:
    helen = people["owner"]
    device = TOTPDevice.objects.create(user=helen, name="phone", confirmed=True)
    client = _signed_in("helen")
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code.time = time.time()
    verified = client.post(
        reverse("two_factor_verify"),
        {"code": f"{code.token():06d}", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert verified.status_code == 302
    answer = _download(client)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    assert answer["Content-Disposition"].startswith('attachment; filename="kpiboard-your-data-')
    assert "no-store" in answer["Cache-Control"]
    data = json.loads(answer.content)
    assert data["account"]["username"] == "helen"
    assert data["account"]["email"] == helen.email
    assert data["roles"] == ["indicator owner"]
    assert [device["name"] for device in data["second_factors"]] == ["phone"]
    assert "key" not in data["second_factors"][0]  # never the secret
    assert helen.encryptedtotpdevice_set.get().bin_key.hex() not in answer.content.decode()
    assert len(data["sessions"]) == 1
    assert "Firefox" in data["sessions"][0]["browser"]
    actions = [event["action"] for event in data["audit_events"]]
    assert "Signed in" in actions
    (mine,) = data["returns"]
    assert mine["indicator"] == "182"
    assert mine["commentary"] == "Two complex requests took longer than we hoped."
    assert mine["your_part"] == ["submitted"]
    assert mine["numerator"] == "80"


def test_the_reviewer_gets_the_returns_they_reviewed(people: Any, helens_return: Return) -> None:
    data = json.loads(_download(_signed_in("perf")).content)
    assert [(row["indicator"], row["your_part"]) for row in data["returns"]] == [
        ("182", ["reviewed"])
    ]


def test_a_download_holds_no_one_elses_data(people: Any, helens_return: Return) -> None:
    data = json.loads(_download(_signed_in("reader")).content)
    assert data["returns"] == []
    text = json.dumps(data)
    assert "helen" not in text
    assert people["owner"].email not in text


def test_each_download_is_audited(people: Any) -> None:
    _download(_signed_in("reader"))
    event = AuditEvent.objects.filter(action="personal_data_downloaded").get()
    assert (event.actor_name, event.target) == ("reader", "user reader")


def test_a_download_needs_a_post_from_the_page(people: Any) -> None:
    client = _signed_in("reader")
    assert client.get(reverse("personal_data_download")).status_code == 405
    assert client.post(reverse("personal_data_download")).status_code == 403  # no CSRF token
    assert Client().post(reverse("personal_data_download")).status_code == 302  # sign in first


def _erase(username: str, **options: Any) -> str:
    out = StringIO()
    call_command(
        "erase_user",
        username,
        by=options.pop("by", "admin"),
        interactive=False,
        stdout=out,
        **options,
    )
    return out.getvalue()


def test_erasure_pseudonymises_and_removes_what_signs_in(
    people: Any, helens_return: Return
) -> None:
    helen = people["owner"]
    TOTPDevice.objects.create(user=helen, name="phone", confirmed=True)
    browser = _signed_in("helen")
    sign_in_events = AuditEvent.objects.filter(actor=helen).count()
    assert sign_in_events >= 1
    output = _erase("helen", reason="SAR-2026-014")
    helen.refresh_from_db()
    pseudonym = f"erased-{helen.pk}"
    assert helen.username == pseudonym
    assert (helen.first_name, helen.last_name, helen.email) == ("", "", "")
    assert not helen.is_active
    assert not helen.has_usable_password()
    assert list(helen.groups.all()) == []
    assert not TOTPDevice.objects.filter(user=helen).exists()
    assert not SignedInSession.objects.filter(user=helen).exists()
    assert browser.get(reverse("account")).status_code == 302  # signed out
    # The audit trail stays, naming the pseudonym, not her.
    kept = AuditEvent.objects.filter(actor=helen)
    assert kept.count() >= sign_in_events
    assert set(kept.values_list("actor_name", flat=True)) == {pseudonym}
    assert not AuditEvent.objects.filter(actor_name="helen").exists()
    assert not AuditEvent.objects.filter(target="user helen").exists()
    # The return and its history stay, by the pseudonym.
    helens_return.refresh_from_db()
    assert helens_return.submitted_by_id == helen.pk
    assert helens_return.author == pseudonym
    assert not Return.history.filter(author="Helen Ashworth").exists()
    erased = AuditEvent.objects.filter(action="person_erased").get()
    assert erased.actor_name == "admin"
    assert erased.target == f"user {pseudonym}"
    assert "SAR-2026-014" in erased.detail
    assert "helen" not in erased.detail.lower()
    assert pseudonym in output
    # Her address still names indicators: the team is told which.
    assert "182" in output
    refused = Client().post(reverse("login"), {"username": "helen", "password": PASSWORD})
    assert refused.status_code == 200  # the sign-in page again, with its error


def test_erasure_ends_sessions_the_list_did_not_know(people: Any) -> None:
    client = Client()
    client.force_login(people["reader"])
    SignedInSession.objects.all().delete()
    _erase("reader")
    assert client.get(reverse("account")).status_code == 302
    decoded = [session.get_decoded().get("_auth_user_id") for session in Session.objects.all()]
    assert str(people["reader"].pk) not in decoded


def test_the_last_administrator_cannot_be_erased(people: Any) -> None:
    get_user_model().objects.filter(is_superuser=True).exclude(
        pk=people["administrator"].pk
    ).update(is_active=False)
    with pytest.raises(CommandError, match="last active administrator"):
        _erase("admin")
    people["administrator"].refresh_from_db()
    assert people["administrator"].username == "admin"
    assert people["administrator"].is_active


def test_an_administrator_can_be_erased_when_another_remains(people: Any) -> None:
    from django.contrib.auth.models import Group

    other = get_user_model().objects.create_user("admin2", password=PASSWORD)
    other.groups.add(Group.objects.get(name="administrator"))
    _erase("admin", by="admin2")
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.parametrize(
    ("username", "by", "message"),
    [
        ("nobody", "admin", "There is no account with the username 'nobody'"),
        ("reader", "perf", "expected the username of an active administrator"),
        ("reader", "nobody", "expected the username of an active administrator"),
    ],
)
def test_bad_erasure_requests_are_refused_with_the_reason(
    people: Any, username: str, by: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _erase(username, by=by)
    assert get_user_model().objects.filter(username="reader").exists()


def test_an_erased_account_is_not_erased_twice(people: Any) -> None:
    _erase("reader")
    pseudonym = f"erased-{people['reader'].pk}"
    with pytest.raises(CommandError, match="already been erased"):
        _erase(pseudonym)
