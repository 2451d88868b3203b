"""Passwords (issue 14 finding 9): at least 12 characters and hard to guess by zxcvbn's estimate,
changed by anyone signed in, and reset by an e-mailed link that works once and for an hour."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts.tasks import send_password_reset
from web.conftest import OWNER_EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern orchard quietly 7 gravel"


def _refusals(password: str, user: Any = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [str(message) for message in error.messages]
    return []


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("council2024", "at least 12 characters"),  # accepted by Django's defaults (8)
        ("council20242", "too easy to guess"),  # 12 characters, on no list: a word and a year
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
        ("Council2024!", "too easy to guess"),
        ("qwertyuiop12", "similar to a commonly used password"),
        ("abcdefghijkl", "Sequences like"),
        ("correct horse battery staple " + "x" * 100, "at most 128 characters"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    """Each weak password is refused, and the message says why."""
    refusals = _refusals(password)
    assert refusals, f"{password!r} was accepted"
    assert any(why in message for message in refusals), refusals


def test_strength_message_is_zxcvbns_advice() -> None:
    """The strength refusal passes on zxcvbn's own suggestion, so the person knows what to do."""
    (message,) = [m for m in _refusals("council20242") if "too easy to guess" in m]
    assert "Add another word or two" in message


def test_a_password_made_of_the_persons_own_details_is_refused(people: dict[str, Any]) -> None:
    """Helen's name and a year are 18 characters, but the first thing an attacker would try."""
    owner = people["owner"]
    assert _refusals("helen.ashworth2024", owner)


def test_a_long_passphrase_is_accepted(people: dict[str, Any]) -> None:
    assert _refusals(PASSWORD, people["owner"]) == []
    assert _refusals(NEW_PASSWORD, people["owner"]) == []


# Changing one's own password ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "reader", "no_role", "performance"])
def test_anyone_signed_in_can_change_their_password(role: str, people: dict[str, Any]) -> None:
    """Not only staff (Django's admin pages were the only way, for staff only): the account page
    links to the form, the current password is asked for, the new one saved, and the person
    e-mailed in case it was not them."""
    user = people[role]
    assert not user.is_staff
    client = Client()
    client.force_login(user)
    account = client.get(reverse("account"))
    assert account.status_code == 200
    assert reverse("password_change").encode() in account.content
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    (message,) = mail.outbox
    assert message.to == [user.email.lower()]
    assert "password" in message.subject.lower()
    # Still signed in here.
    assert client.get(reverse("account")).status_code == 200


def test_changing_the_password_signs_out_other_sessions(people: dict[str, Any]) -> None:
    here, elsewhere = Client(), Client()
    here.force_login(people["owner"])
    elsewhere.force_login(people["owner"])
    here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = elsewhere.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("wrong password entirely", NEW_PASSWORD, "old password was entered incorrectly"),
        (PASSWORD, "council2024", "at least 12 characters"),
        (PASSWORD, "council20242", "too easy to guess"),
    ],
)
def test_a_refused_change_keeps_the_password_and_says_why(
    old: str, new: str, problem: str, people: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(people["owner"])
    response = client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert new.encode() not in response.content  # what was typed is not written back
    people["owner"].refresh_from_db()
    assert people["owner"].check_password(PASSWORD)


def test_the_header_links_to_the_account_page(client_as: Any) -> None:
    page = client_as("reader").get(reverse("scorecard"))
    assert f'href="{reverse("account")}"'.encode() in page.content


def test_the_account_page_needs_signing_in() -> None:
    response = Client().get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Resetting a forgotten password ---------------------------------------------------------------


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker_at_once(settings: Any) -> None:
    """The background worker's tasks run within the request (the e-mail is in the outbox when
    the response comes back)."""
    settings.TASKS = IMMEDIATE


def _ask_for_reset(client: Client, address: str) -> Any:
    return client.post(reverse("password_reset"), {"email": address})


def _link(message: Any) -> str:
    match = re.search(r"https?://\S+(/accounts/password/reset/\S+/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_sign_in_page_links_to_reset() -> None:
    page = Client().get(reverse("login"))
    assert reverse("password_reset").encode() in page.content


def test_reset_link_is_emailed_and_sets_a_new_password(settings: Any, worker_at_once: None) -> None:
    settings.KPIBOARD_SITE_URL = "https://performance.example.gov.uk"
    client = Client()
    response = _ask_for_reset(client, OWNER_EMAIL.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == [OWNER_EMAIL]
    assert "https://performance.example.gov.uk/accounts/password/reset/" in message.body
    assert "works once, and for an hour" in message.body

    form = client.get(_link(message), follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    owner = get_user_model().objects.get(email=OWNER_EMAIL)
    assert owner.check_password(NEW_PASSWORD)


def test_reset_link_works_once(worker_at_once: None) -> None:
    client = Client()
    _ask_for_reset(client, OWNER_EMAIL)
    link = _link(mail.outbox[0])
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    again = Client().get(link, follow=True)
    assert b"This link no longer works" in again.content
    assert b"Choose a new password" not in again.content
    # And posting a new password through it changes nothing.
    Client().post(link, {"new_password1": "x" + NEW_PASSWORD, "new_password2": "x" + NEW_PASSWORD})
    assert get_user_model().objects.get(email=OWNER_EMAIL).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("minutes", "works"), [(59, True), (61, False)])
def test_reset_link_expires_after_an_hour(
    minutes: int, works: bool, monkeypatch: pytest.MonkeyPatch, worker_at_once: None
) -> None:
    client = Client()
    _ask_for_reset(client, OWNER_EMAIL)
    link = _link(mail.outbox[0])
    later = dt.datetime.now() + dt.timedelta(minutes=minutes)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = client.get(link, follow=True)
    assert (b"Choose a new password" in page.content) is works
    assert (b"This link no longer works" in page.content) is not works


def test_reset_never_tells_whether_an_address_has_an_account(worker_at_once: None) -> None:
    """The same answer, word for word, for an address with an account and one without."""
    known = _ask_for_reset(Client(), OWNER_EMAIL)
    unknown = _ask_for_reset(Client(), "nobody.here@example.gov.uk")
    assert len(mail.outbox) == 1  # only the real account was sent anything
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page = Client().get(known["Location"])
    assert b"If an account has the address you gave" in page.content


def test_a_mail_server_that_is_down_tells_nothing(settings: Any, worker_at_once: None) -> None:
    """The mail server failing for a real address gives the same answer as an unknown one."""
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 2
    response = _ask_for_reset(Client(), OWNER_EMAIL)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")


def test_the_reset_e_mail_is_sent_by_the_worker_whatever_the_address(settings: Any) -> None:
    """The request only queues the look-up and the e-mail, for any address: it does the same
    work, in the same time, whether or not an account has it (sending in the request would take
    the mail server's time for real addresses only)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    for address in (OWNER_EMAIL, "nobody.here@example.gov.uk"):
        response = _ask_for_reset(Client(), address)
        assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    queued = DBTaskResult.objects.filter(task_path__endswith="send_password_reset")
    assert sorted(task.args_kwargs["args"][0] for task in queued) == sorted(
        [OWNER_EMAIL, "nobody.here@example.gov.uk"]
    )
    # What the worker does with each (its command, db_worker, would close the test's connection).
    for task in queued:
        send_password_reset.call(*task.args_kwargs["args"])
    assert [message.to for message in mail.outbox] == [[OWNER_EMAIL]]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_a_failed_sign_in_never_writes_the_typed_password_back(db: Any) -> None:
    """The sign-in page put the password typed into the page again after a failure (found by
    the ASVS review in docs/security.md, 8.3.1): a shared computer's history or cache kept it."""
    typed = "Not-the-password 8c1f3e"
    response = Client().post("/accounts/login/", {"username": "perf", "password": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert typed not in page
    assert 'type="password"' in page
