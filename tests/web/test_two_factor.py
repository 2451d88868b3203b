"""A second factor at sign-in (issue 14 finding 9): a code from an authenticator app, which anyone
may set up and the roles named in ``KPIBOARD_REQUIRE_2FA_FOR`` must, asked for after the
password before anything else of the site answers."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from web.browsing import demo_council, press, sign_in, watch
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = ["administrator", "performance team"]


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _sign_in(user: Any, next_url: str = "") -> tuple[Client, Any]:
    client = Client()
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client, response


def _with_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _held_at(response: Any, name: str) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith(reverse(name)))


# Setting one up ------------------------------------------------------------------------------


def test_anyone_can_set_up_a_second_factor(people: dict[str, Any]) -> None:
    """The page shows the key to type into an app and the otpauth link; a code from the app
    makes it the person's second factor, and they are e-mailed."""
    owner = people["owner"]
    client = Client()
    client.force_login(owner)
    account = client.get(reverse("account"))
    assert reverse("two_factor_setup").encode() in account.content
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=owner)
    assert not device.confirmed  # not until a code from it has been given
    html = page.content.decode()
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", html)
    assert secret
    assert secret.group(1).replace(" ", "") in html.replace("&amp;", "&")
    assert "otpauth://totp/kpiboard%3Ahelen?secret=" in html

    wrong = client.post(
        reverse("two_factor_setup"), {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert b"That code is not right" in wrong.content
    device.refresh_from_db()
    device.throttling_failure_count = 0  # no waiting after the wrong code, for this test
    device.save()

    done = client.post(reverse("two_factor_setup"), {"code": _code(device)})
    assert done.status_code == 302
    assert done["Location"] == reverse("account")
    device.refresh_from_db()
    assert device.confirmed
    (message,) = mail.outbox
    assert "second factor" in message.subject
    assert b"An authenticator app, set up" in client.get(reverse("account")).content


# Signing in with one -------------------------------------------------------------------------


def test_signing_in_asks_for_the_code_after_the_password(people: dict[str, Any]) -> None:
    owner = people["owner"]
    device = _with_device(owner)
    client, response = _sign_in(owner, next_url="/returns/")
    assert _held_at(response, "two_factor_verify")
    # Nothing else answers until the code is given.
    for url in ("/returns/", reverse("scorecard"), reverse("account"), reverse("two_factor_setup")):
        assert _held_at(client.get(url), "two_factor_verify"), url
    assert _held_at(client.post(reverse("password_change"), {}), "two_factor_verify")
    page = client.get(response["Location"])
    assert b"Enter the code from your authenticator app" in page.content

    done = client.post(response["Location"], {"code": _code(device), "next": "/returns/"})
    assert done.status_code == 302
    assert done["Location"] == "/returns/"
    assert client.get("/returns/").status_code == 200


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "abc", ""])
def test_after_the_code_only_a_path_of_this_site_is_followed(
    next_url: str, people: dict[str, Any]
) -> None:
    owner = people["owner"]
    device = _with_device(owner)
    client, _ = _sign_in(owner)
    done = client.post(reverse("two_factor_verify"), {"code": _code(device), "next": next_url})
    assert done.status_code == 302
    assert done["Location"] == "/"


def test_a_wrong_code_is_refused_and_guessing_slowed(people: dict[str, Any], settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    owner = people["owner"]
    device = _with_device(owner)
    client, _response = _sign_in(owner)
    right = _code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert refused.status_code == 200
    assert b"That code is not right" in refused.content
    # Straight after a wrong code even the right one waits: guessing a million codes is slow.
    waiting = client.post(reverse("two_factor_verify"), {"code": right})
    assert b"before trying again" in waiting.content
    assert _held_at(client.get(reverse("account")), "two_factor_verify")


def test_a_code_cannot_be_used_twice(people: dict[str, Any]) -> None:
    """A code seen over someone's shoulder is no use once they have used it."""
    owner = people["owner"]
    device = _with_device(owner)
    code = _code(device)
    client, _ = _sign_in(owner)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    again, _ = _sign_in(owner)
    refused = again.post(reverse("two_factor_verify"), {"code": code})
    assert refused.status_code == 200
    assert _held_at(again.get(reverse("account")), "two_factor_verify")


def test_a_password_alone_cannot_replace_the_second_factor(people: dict[str, Any]) -> None:
    """Someone with only the password cannot put their own app in place of the person's."""
    owner = people["owner"]
    device = _with_device(owner)
    client, _ = _sign_in(owner)
    assert _held_at(client.get(reverse("two_factor_setup")), "two_factor_verify")
    assert _held_at(
        client.post(reverse("two_factor_setup"), {"action": "start"}), "two_factor_verify"
    )
    assert list(TOTPDevice.objects.filter(user=owner)) == [device]


def test_a_password_reset_does_not_get_round_the_second_factor(
    people: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    owner = people["owner"]
    _with_device(owner)
    client = Client()
    client.post(reverse("password_reset"), {"email": owner.email})
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert link
    form = client.get(link.group(1), follow=True)
    new = "lantern orchard quietly 7 gravel"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    response = client.post(reverse("login"), {"username": owner.username, "password": new})
    assert _held_at(response, "two_factor_verify")
    assert _held_at(client.get(reverse("my_returns")), "two_factor_verify")


def test_a_person_without_one_is_not_asked(people: dict[str, Any]) -> None:
    client, response = _sign_in(people["owner"], next_url="/returns/")
    assert response["Location"] == "/returns/"
    assert client.get("/returns/").status_code == 200


def test_removing_it_takes_the_password(people: dict[str, Any]) -> None:
    owner = people["owner"]
    device = _with_device(owner)
    client, _ = _sign_in(owner)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})
    refused = client.post(reverse("two_factor_remove"), {"password": "not the password at all"})
    assert b"Your password is not right" in refused.content
    assert TOTPDevice.objects.filter(user=owner).exists()
    done = client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()


# Required for some roles ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["administrator", "performance"])
def test_required_roles_must_set_one_up_before_using_the_site(
    role: str, people: dict[str, Any], settings: Any
) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    user = people[role]
    client, response = _sign_in(user, next_url="/review/")
    assert _held_at(response, "two_factor_setup")
    for url in ("/review/", reverse("register"), reverse("account"), "/admin/"):
        assert _held_at(client.get(url), "two_factor_setup"), url
    page = client.get(response["Location"])
    assert b"Your role must use a second factor" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(response["Location"], {"code": _code(device)})
    assert done["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    # And next time, the code is asked for.
    _again, response = _sign_in(user)
    assert _held_at(response, "two_factor_verify")


def test_force_login_sessions_are_held_too(client_as: Any, settings: Any) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    assert _held_at(client_as("performance").get(reverse("register")), "two_factor_setup")
    assert client_as("owner").get(reverse("my_returns")).status_code == 200


def test_a_superuser_counts_as_an_administrator(settings: Any, db: Any) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = ["administrator"]
    root = get_user_model().objects.create_superuser("root", "root@example.gov.uk", PASSWORD)
    _client, response = _sign_in(root)
    assert _held_at(response, "two_factor_setup")


def test_required_roles_cannot_remove_it(people: dict[str, Any], settings: Any) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = REQUIRED
    user = people["performance"]
    device = _with_device(user)
    client, _ = _sign_in(user)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})
    client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=user).exists()


def test_an_htmx_request_is_sent_to_the_code_page_whole(people: dict[str, Any]) -> None:
    _with_device(people["owner"])
    client, _ = _sign_in(people["owner"])
    response = client.get(reverse("my_returns"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("two_factor_verify"))


def test_an_unknown_role_in_the_setting_is_a_configuration_error(settings: Any) -> None:
    settings.KPIBOARD_REQUIRE_2FA_FOR = ["administrators"]
    errors = [m for m in run_checks() if m.id == "kpiboard.accounts.E001"]
    assert errors
    assert "'administrators'" in errors[0].msg


# In a browser --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_setting_up_and_signing_in_with_an_app_in_chromium(live_server: Any, page: Any) -> None:
    """The account pages in real Chromium under the site's Content-Security-Policy: set up an
    app from the key the page shows, sign out, sign in with the password and a code; every page
    on the way free of script errors and of WCAG 2.2 A and AA violations (axe-core)."""
    server = demo_council(live_server)
    check = watch(page)
    sign_in(page, server, "helen")
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(f"{server}/accounts/")
    check()
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url(f"{server}/accounts/password/")
    check()
    page.goto(f"{server}/accounts/")
    page.get_by_role("link", name="Set up a second factor").click()
    page.wait_for_url(f"{server}/accounts/two-factor/")
    check()
    key = page.locator("#secret").inner_text().replace(" ", "")
    app = TOTP(b32decode(key), 30, 0, 6, 0)
    page.get_by_label("Code from your authenticator app").fill(f"{app.token():06d}")
    press(page, "Set up")
    assert page.url == f"{server}/accounts/"
    assert "Your second factor is set up" in page.content()
    check()

    press(page, "Sign out helen")
    sign_in(page, server, "helen")
    assert page.url.startswith(f"{server}/accounts/two-factor/code/")
    check()
    app.time = app.time + 30  # the next code: the one just used is never accepted again
    page.get_by_label("Code from your authenticator app").fill(f"{app.token():06d}")
    press(page, "Continue")
    assert page.url.startswith(f"{server}/scorecard/")


@pytest.mark.django_db(transaction=True)
def test_the_reset_pages_in_chromium(live_server: Any, page: Any) -> None:
    server = demo_council(live_server)
    check = watch(page)
    page.goto(f"{server}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    check()
    page.get_by_label("Email address").fill("nobody@example.gov.uk")
    press(page, "Send the link")
    assert "Check your email" in page.content()
    check()
    page.goto(f"{server}/accounts/password/reset/MQ/not-a-token/")
    assert "This link no longer works" in page.content()
    check()
