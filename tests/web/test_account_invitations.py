"""Onboarding without a password typed by an administrator (ASVS 2.3.1): an administrator invites
a person, whose account has no usable password until they choose one through the e-mailed link;
the link works once and for 72 hours; only administrators invite; each invitation is audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts.invitations import InvitationTokenGenerator
from kpiboard.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CHOSEN = "lantern orchard quietly 7 gravel"
PERSON = {
    "first_name": "Olu",
    "last_name": "Adeyemi",
    "email": "olu.adeyemi@example.gov.uk",
    "username": "olu",
    "role": "indicator owner",
}


def _post(client: Client, url: str, data: dict[str, str]) -> Any:
    client.get(url)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _invite(client_as: Any, **changes: str) -> Any:
    return _post(client_as("administrator"), reverse("invite"), {**PERSON, **changes})


def _link(message: Any) -> str:
    found = re.findall(r"https?://\S+/accounts/invite/[^/\s]+/[^/\s]+/", str(message.body))
    assert len(found) == 1, message.body
    return str(found[0])


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _choose(link: str, password: str = CHOSEN) -> tuple[Client, Any]:
    """Open the link in a fresh browser and choose a password; the browser and the answer."""
    browser = Client()
    opened = browser.get(_path(link))
    assert opened.status_code == 302, opened.content[:300]  # to .../set-password/
    page = browser.get(opened["Location"])
    assert b"Choose your password" in page.content
    chosen = browser.post(
        opened["Location"], {"new_password1": password, "new_password2": password}
    )
    return browser, chosen


def _signs_in(username: str, password: str) -> bool:
    """Through the sign-in page, as a person would."""
    answer = Client().post(reverse("login"), {"username": username, "password": password})
    return bool(answer.status_code == 302)


def test_an_invited_person_has_no_password_until_they_choose_one(client_as: Any) -> None:
    answer = _invite(client_as)
    assert answer.status_code == 302
    user = get_user_model().objects.get(username="olu")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["indicator owner"]
    assert (user.first_name, user.last_name, user.email) == (
        "Olu",
        "Adeyemi",
        "olu.adeyemi@example.gov.uk",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olu.adeyemi@example.gov.uk"]
    assert "Your username is olu" in str(message.body)
    assert "72 hours" in str(message.body)
    # Nothing the administrator typed or saw signs anyone in.
    assert not _signs_in("olu", "")
    _, chosen = _choose(_link(message))
    assert chosen.status_code == 302
    assert chosen["Location"] == reverse("invitation_complete")
    assert _signs_in("olu", CHOSEN)


def test_the_link_works_once(client_as: Any) -> None:
    _invite(client_as)
    link = _link(mail.outbox[0])
    _choose(link)
    again = Client().get(_path(link))
    assert again.status_code == 200
    assert b"This link no longer works" in again.content
    assert b"Choose your password" not in again.content


def test_the_link_expires_after_72_hours(client_as: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _invite(client_as)
    link = _link(mail.outbox[0])
    real_now = InvitationTokenGenerator._now
    monkeypatch.setattr(
        InvitationTokenGenerator,
        "_now",
        lambda self: real_now(self) + dt.timedelta(hours=71, minutes=59),
    )
    assert Client().get(_path(link)).status_code == 302  # still good just before
    monkeypatch.setattr(
        InvitationTokenGenerator,
        "_now",
        lambda self: real_now(self) + dt.timedelta(hours=72, minutes=1),
    )
    late = Client().get(_path(link))
    assert b"This link no longer works" in late.content
    assert not get_user_model().objects.get(username="olu").has_usable_password()


def test_a_reset_link_is_not_an_invitation_link(client_as: Any, people: Any) -> None:
    """The two tokens are salted apart: a reset token opens no invitation page."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = people["reader"]
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = Client().get(reverse("invitation_confirm", args=[uidb64, token]))
    assert b"This link no longer works" in page.content


def test_the_invitation_is_audited(client_as: Any) -> None:
    _invite(client_as)
    event = AuditEvent.objects.filter(action="person_invited").get()
    assert event.actor_name == "admin"
    assert event.target == "user olu"
    assert "indicator owner" in event.detail
    assert "olu.adeyemi@example.gov.uk" in event.detail
    _choose(_link(mail.outbox[0]))
    chosen = AuditEvent.objects.filter(action="password_reset").first()
    assert chosen is not None
    assert chosen.actor_name == "olu"
    assert "invitation" in chosen.detail


@pytest.mark.parametrize("role", ["performance", "owner", "reader"])
def test_only_administrators_invite(client_as: Any, role: str) -> None:
    client = client_as(role)
    assert client.get(reverse("invite")).status_code == 403
    answer = client.post(reverse("invite"), PERSON)
    assert answer.status_code == 403
    assert not get_user_model().objects.filter(username="olu").exists()
    assert mail.outbox == []


def test_someone_not_signed_in_is_sent_to_sign_in() -> None:
    answer = Client().get(reverse("invite"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))


def test_an_existing_username_or_address_is_refused(client_as: Any, people: Any) -> None:
    taken = _invite(client_as, username="helen")
    assert taken.status_code == 200
    assert b"There is already an account with the username helen" in taken.content
    address = _invite(client_as, email=people["owner"].email.upper())
    assert b"There is already an account with this email address" in address.content
    assert mail.outbox == []


def test_an_unused_invitation_is_sent_again(client_as: Any) -> None:
    _invite(client_as)
    again = _invite(client_as, first_name="Olu", role="reader")
    assert again.status_code == 302
    assert len(mail.outbox) == 2
    assert get_user_model().objects.filter(username="olu").count() == 1
    # The role is not changed by a second invitation: that is a change of role, made in the admin.
    user = get_user_model().objects.get(username="olu")
    assert list(user.groups.values_list("name", flat=True)) == ["indicator owner"]
    _choose(_link(mail.outbox[1]))
    # Once the account is used, it is not invited again.
    third = _invite(client_as)
    assert b"There is already an account with the username olu" in third.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not an address", "Enter a valid email address"),
        ("username", "has space", "Enter a valid username"),
        ("role", "superuser", "Select a valid choice"),
        ("first_name", "", "This field is required"),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    client_as: Any, field: str, value: str, message: str
) -> None:
    answer = _invite(client_as, **{field: value})
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not get_user_model().objects.filter(username=PERSON["username"]).exists()


def test_the_strength_meter_works_on_the_invitation_page(client_as: Any) -> None:
    _invite(client_as)
    browser = Client()
    opened = browser.get(_path(_link(mail.outbox[0])))
    uidb64 = opened["Location"].rstrip("/").split("/")[-2]
    browser.get(opened["Location"])
    meter = browser.post(
        reverse("password_reset_strength", args=[uidb64]),
        {"new_password1": CHOSEN},
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert meter.status_code == 200
    assert b"Strong" in meter.content
