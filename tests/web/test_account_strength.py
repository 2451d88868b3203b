"""The password strength meter's server side (ASVS 2.1.8): zxcvbn's estimate in words while a new
password is typed, for someone signed in or holding a valid reset link only, never repeating the
password, and agreeing with what the form will accept."""

from __future__ import annotations

from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

STRONG = "lantern orchard quietly 7 gravel"


def _meter(response: Any) -> tuple[str, str]:
    """The tag's word and the whole text the meter shows."""
    assert response.status_code == 200, response.content[:300]
    doc = lxml.html.fragment_fromstring(response.content.decode(), create_parent="div")
    tags = doc.xpath("//strong[contains(@class, 'govuk-tag')]")
    assert len(tags) == 1
    return tags[0].text_content().strip(), " ".join(doc.text_content().split())


def _post(client: Client, url: str, password: str, field: str = "new_password1") -> Any:
    """As htmx posts it: the CSRF token in a header, as base.html's ``hx-headers`` sends it."""
    if "csrftoken" not in client.cookies:
        client.get(reverse("password_reset"))  # any page with a form sets the cookie
    token = client.cookies["csrftoken"].value
    return client.post(url, {field: password}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)


@pytest.mark.parametrize(
    ("password", "word", "advice"),
    [
        ("Zq9", "Very weak", "at least 12 characters"),
        ("council2024", "Very weak", "at least 12 characters"),
        ("password1234", "Very weak", "too common"),
        ("correct horse", "Good", "strong enough"),
        (STRONG, "Strong", "is strong"),
        ("correct horse battery staple " + "x" * 100, "Too long", "at most 128 characters"),
    ],
)
def test_a_signed_in_person_is_told_how_strong_a_new_password_is(
    client_as: Any, password: str, word: str, advice: str
) -> None:
    tag, text = _meter(_post(client_as("owner"), reverse("password_strength"), password))
    assert tag == word
    assert advice in text
    assert password not in text  # never echoed back


def test_the_meter_judges_against_the_persons_own_details(client_as: Any, people: Any) -> None:
    """helen's own e-mail address with a year is strong to zxcvbn alone, but not accepted from
    her: the meter says what the form would."""
    password = f"{people['owner'].email}2024"
    tag, text = _meter(_post(client_as("owner"), reverse("password_strength"), password))
    assert tag in {"Very weak", "Weak"}
    assert "too similar" in text or "mostly your own" in text
    assert password not in text


def test_the_meter_agrees_with_the_password_change_form(client_as: Any) -> None:
    """What the meter calls weak the form refuses; what it calls good the form accepts."""
    client = client_as("owner")
    client.get(reverse("password_change"))
    for password, accepted in (("council20242", False), (STRONG, True)):
        tag, _ = _meter(_post(client, reverse("password_strength"), password))
        assert (tag in {"Good", "Strong"}) is accepted
    answer = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple 42",
            "new_password1": "council20242",
            "new_password2": "council20242",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert answer.status_code == 200  # refused, the form again


def test_an_empty_password_shows_nothing(client_as: Any) -> None:
    response = _post(client_as("reader"), reverse("password_strength"), "")
    assert response.status_code == 200
    assert b"govuk-tag" not in response.content


def test_someone_not_signed_in_gets_no_estimate() -> None:
    """Not an oracle for anyone on the internet."""
    response = _post(Client(), reverse("password_strength"), STRONG)
    assert response.status_code == 403
    assert b"govuk-tag" not in response.content


def test_only_post_is_answered(client_as: Any) -> None:
    assert client_as("owner").get(reverse("password_strength")).status_code == 405


def test_the_answer_is_never_cached(client_as: Any) -> None:
    response = _post(client_as("owner"), reverse("password_strength"), STRONG)
    assert "no-store" in response["Cache-Control"]


def _reset_session(user: Any) -> tuple[Client, str]:
    """A browser that opened a valid reset link (Django keeps the token in its session)."""
    client = Client()
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    opened = client.get(reverse("password_reset_confirm", args=[uidb64, token]))
    assert opened.status_code == 302  # to .../set-password/, the token kept in the session
    page = client.get(opened["Location"])
    assert b"Choose a new password" in page.content
    return client, uidb64


def test_a_valid_reset_link_lets_its_holder_use_the_meter(people: Any) -> None:
    client, uidb64 = _reset_session(people["owner"])
    page = client.get(reverse("password_reset_confirm", args=[uidb64, "set-password"]))
    # The page's meter points at this endpoint.
    assert reverse("password_reset_strength", args=[uidb64]).encode() in page.content
    tag, _ = _meter(_post(client, reverse("password_reset_strength", args=[uidb64]), STRONG))
    assert tag == "Strong"


def test_the_meter_of_a_reset_link_is_refused_for_another_account(people: Any) -> None:
    client, _ = _reset_session(people["owner"])
    other = urlsafe_base64_encode(force_bytes(people["reader"].pk))
    response = _post(client, reverse("password_reset_strength", args=[other]), STRONG)
    assert response.status_code == 403


def test_the_meter_of_a_reset_link_is_refused_once_the_link_is_used(people: Any) -> None:
    client, uidb64 = _reset_session(people["owner"])
    used = client.post(
        reverse("password_reset_confirm", args=[uidb64, "set-password"]),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    assert used.status_code == 302
    response = _post(client, reverse("password_reset_strength", args=[uidb64]), STRONG)
    assert response.status_code == 403


@pytest.mark.parametrize("uidb64", ["MQ", "x", "%00", "A" * 300, "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"])
def test_without_a_reset_link_the_meter_is_refused(uidb64: str) -> None:
    response = _post(Client(), reverse("password_reset_strength", args=[uidb64]), STRONG)
    assert response.status_code == 403


def test_only_the_first_new_password_field_has_a_meter(client_as: Any) -> None:
    page = client_as("owner").get(reverse("password_change"))
    doc = lxml.html.fromstring(page.content)
    metered = [field.get("name") for field in doc.xpath("//input[@hx-post]")]
    assert metered == ["new_password1"]
    (field,) = doc.xpath("//input[@hx-post]")
    assert field.get("hx-params") == "new_password1"  # not the current password beside it
    live = doc.xpath(f"//*[@id='{field.get('hx-target').lstrip('#')}']")
    assert len(live) == 1
    assert live[0].get("aria-live") == "polite"
