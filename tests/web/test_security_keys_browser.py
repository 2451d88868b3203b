"""Security keys end to end in Chromium, with the browser's own virtual authenticator (the
DevTools protocol's WebAuthn domain) in place of a key: set up from *Your account*, then used to
sign in in place of a code (ASVS 2.3.2), under the site's Content-Security-Policy, with no script
error and no WCAG 2.2 AA violation on the way. The answer the key gave cannot be used again."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kpiboard.web.accounts.models import SecurityKey
from kpiboard.web.audit.models import AuditEvent
from web.browsing import demo_council, press, sign_in, watch
from web.conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _virtual_key(page: Any) -> tuple[Any, str]:
    """A USB security key that is touched as soon as it is asked (CTAP2, no PIN)."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": False,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return devtools, str(added["authenticatorId"])


def test_a_security_key_is_set_up_and_signs_in_in_place_of_a_code(
    live_server: Any, page: Any
) -> None:
    site = demo_council(live_server)
    check = watch(page)
    devtools, authenticator = _virtual_key(page)

    sign_in(page, site, "reader")
    page.goto(f"{site}/accounts/")
    page.get_by_role("link", name="Add a security key").click()
    page.wait_for_url(f"{site}/accounts/security-keys/add/")
    check()
    page.get_by_label("A name for the key").fill("Blue key")
    press(page, "Add security key")
    assert page.url == f"{site}/accounts/"
    assert "Your security key “Blue key” is set up." in page.inner_text("main")
    assert "Blue key, added" in page.inner_text("main")
    check()
    reader = get_user_model().objects.get(username="reader")
    (key,) = SecurityKey.objects.filter(user=reader)
    assert key.name == "Blue key"
    (made,) = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert made["rpId"] == "localhost"
    assert AuditEvent.objects.filter(action="second_factor_added", detail__contains="Blue key")

    # Signing in again: the password, then the key instead of a code.
    press(page, "Sign out reader")
    sign_in(page, site, "reader")
    assert urlsplit(page.url).path == "/accounts/two-factor/code/"
    assert page.get_by_role("heading", name="Use your security key").is_visible()
    check()
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data or "")
            if request.url.endswith("/accounts/security-keys/sign-in/")
            else None
        ),
    )
    press(page, "Use security key")
    assert urlsplit(page.url).path != "/accounts/two-factor/code/"
    page.goto(f"{site}/accounts/")
    assert page.get_by_role("heading", name="Your account").is_visible()
    check()
    key.refresh_from_db()
    assert key.last_used_at is not None
    passed = AuditEvent.objects.filter(action="second_factor_passed").get()
    assert passed.detail == "security key (Blue key)"

    # The key's answer, sent again from another session after a fresh challenge: refused.
    (answer,) = parse_qs(sent[0])["credential"]
    port = urlsplit(site).port
    other = Client(HTTP_HOST=f"localhost:{port}")
    other.post("/accounts/login/", {"username": "reader", "password": PASSWORD})
    assert other.post("/accounts/security-keys/sign-in/options/").status_code == 200
    replayed = other.post("/accounts/security-keys/sign-in/", {"credential": answer})
    assert replayed.status_code == 302
    assert replayed["Location"].startswith("/accounts/two-factor/code/")
    assert other.get("/accounts/").status_code == 302  # still held for the second factor
    assert AuditEvent.objects.filter(action="second_factor_failed").count() == 1
