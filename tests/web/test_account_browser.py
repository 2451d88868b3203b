"""The account pages in Chromium, under the site's Content-Security-Policy: every password field
can be shown while typing and hidden again (ASVS 2.1.12), and a new password's strength is judged
by the server as it is typed and read out (ASVS 2.1.8); no script error, no CSP refusal (each
would reach the console) and no WCAG 2.2 AA violation on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from web.browsing import demo_council, press, sign_in, watch
from web.conftest import PASSWORD

STRONG = "lantern orchard quietly 7 gravel"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def council(live_server: Any) -> str:
    return demo_council(live_server)


@pytest.fixture
def accessible(page: Any) -> Callable[[], None]:
    return watch(page)


def _toggles(page: Any, field_id: str) -> None:
    """The field's Show button reveals what was typed, and Hide hides it again."""
    field = page.locator(f"#{field_id}")
    field.fill("what I typed 123")
    toggle = page.locator(f"button[aria-controls='{field_id}']")
    assert toggle.is_visible()  # GOV.UK Frontend's script ran, under the CSP, and revealed it
    assert field.get_attribute("type") == "password"
    toggle.click()
    assert field.get_attribute("type") == "text"
    assert toggle.inner_text() == "Hide"
    assert toggle.get_attribute("aria-label") == "Hide password"
    assert field.input_value() == "what I typed 123"
    toggle.click()
    assert field.get_attribute("type") == "password"
    assert toggle.inner_text() == "Show"


def test_every_password_field_can_be_shown_and_hidden(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    page.goto(f"{council}/accounts/login/")
    _toggles(page, "id_password")
    accessible()
    sign_in(page, council, "helen")
    page.goto(f"{council}/accounts/password/")
    for field_id in ("id_old_password", "id_new_password1", "id_new_password2"):
        _toggles(page, field_id)
    accessible()
    page.goto(f"{council}/accounts/two-factor/remove/")  # no second factor yet: back to account
    assert page.url == f"{council}/accounts/"


def test_a_shown_password_is_hidden_again_when_the_form_is_sent(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """So the browser never keeps a page with the password in plain view."""
    page.goto(f"{council}/accounts/login/")
    page.get_by_label("Username").fill("helen")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Show password").click()
    assert page.locator("#id_password").get_attribute("type") == "text"
    # A listener added after GOV.UK Frontend's sees the field as it is sent, and stops the send.
    page.evaluate(
        "document.querySelector('form').addEventListener('submit', (event) => {"
        " window.typeAtSubmit = document.getElementById('id_password').type;"
        " event.preventDefault(); })"
    )
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("() => window.typeAtSubmit !== undefined")
    assert page.evaluate("window.typeAtSubmit") == "password"
    accessible()


def test_the_strength_of_a_new_password_is_shown_while_typing(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    sign_in(page, council, "helen")
    page.goto(f"{council}/accounts/password/")
    posted: list[str] = []
    page.on(
        "request",
        lambda request: (
            posted.append(request.post_data or "")
            if request.url.endswith("/accounts/password/strength/")
            else None
        ),
    )
    meter = page.locator("#id_new_password1-strength")
    assert meter.get_attribute("aria-live") == "polite"
    assert meter.inner_text().strip() == ""
    page.locator("#id_old_password").fill(PASSWORD)
    field = page.locator("#id_new_password1")
    field.press_sequentially("council2024", delay=20)
    page.wait_for_function(
        "() => document.querySelector('#id_new_password1-strength .govuk-tag') !== null"
    )
    assert meter.locator(".govuk-tag").inner_text().strip().lower() == "very weak"
    assert "at least 12 characters" in meter.inner_text()
    # Debounced: one request for the word typed, not one a key.
    assert 1 <= len(posted) <= 2, posted
    # Only the new password goes: not the current one beside it.
    assert all("old_password" not in body for body in posted), posted
    field.fill(STRONG)
    page.wait_for_function(
        "() => (document.querySelector('#id_new_password1-strength .govuk-tag') || {})"
        ".textContent === 'Strong'"
    )
    assert STRONG not in meter.inner_text()
    accessible()
    page.locator("#id_new_password2").fill(STRONG)
    press(page, "Change password")
    assert page.url == f"{council}/accounts/"
    accessible()


SHOTS = Path("/tmp/kpiboard-account-shots")


def test_another_session_is_seen_and_signed_out_from_your_account(
    browser: Any, page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """Two browsers signed in as helen: the first lists both and signs the second out."""
    SHOTS.mkdir(exist_ok=True)
    other = browser.new_context(user_agent=PHONE)
    phone = other.new_page()
    try:
        sign_in(phone, council, "helen")
        sign_in(page, council, "helen")
        page.goto(f"{council}/accounts/")
        rows = page.locator("table.kpiboard-sessions tbody tr")
        assert rows.count() == 2
        assert "This session" in rows.nth(0).inner_text()
        assert "Safari 17 on iOS" in rows.nth(1).inner_text()
        accessible()
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"account-{width}.png"), full_page=True)
            # Nothing wider than the page: no sideways scrolling on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.set_viewport_size({"width": 1280, "height": 900})
        press(page, "Sign out Safari 17 on iOS from 127.0.0.1")
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert "Signed out of Safari 17 on iOS" in banner
        assert page.locator("table.kpiboard-sessions tbody tr").count() == 1
        accessible()
        phone.goto(f"{council}/accounts/")
        assert "/accounts/login/" in phone.url
    finally:
        other.close()


@pytest.mark.parametrize("username", ["admin", "perf", "helen", "reader"])
def test_your_account_for_each_role(
    page: Any, council: str, accessible: Callable[[], None], username: str
) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, council, username)
    page.goto(f"{council}/accounts/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account"
    assert page.get_by_role("button", name="Download your data").is_visible()
    invite = page.get_by_role("link", name="Invite a person to the site")
    assert invite.count() == (1 if username == "admin" else 0)
    accessible()
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(SHOTS / f"account-{username}-375.png"), full_page=True)


def test_an_invited_person_chooses_their_password_with_the_meter_and_signs_in(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    mail.outbox.clear()
    sign_in(page, council, "admin")
    page.goto(f"{council}/accounts/")
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a person to the site").click()
    accessible()
    page.get_by_label("First name").fill("Olu")
    page.get_by_label("Last name").fill("Adeyemi")
    page.get_by_label("Email address").fill("olu.adeyemi@example.gov.uk")
    page.get_by_label("Username").fill("olu")
    page.get_by_label("Role").select_option("reader")
    press(page, "Send invitation")
    assert "Invitation sent to olu.adeyemi@example.gov.uk" in page.inner_text("main")
    (message,) = mail.outbox
    (link,) = re.findall(r"https?://\S+/accounts/invite/\S+/", str(message.body))
    page.context.clear_cookies()
    page.goto(link.replace("http://testserver", council))
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your password"
    page.locator("#id_new_password1").press_sequentially("olu2024", delay=20)
    page.wait_for_function(
        "() => document.querySelector('#id_new_password1-strength .govuk-tag') !== null"
    )
    assert page.locator("#id_new_password1-strength .govuk-tag").inner_text() == "Very weak"
    page.locator("#id_new_password1").fill(STRONG)
    page.wait_for_function(
        "() => (document.querySelector('#id_new_password1-strength .govuk-tag') || {})"
        ".textContent === 'Strong'"
    )
    page.screenshot(path=str(SHOTS / "invitation-choose-password.png"), full_page=True)
    accessible()
    page.locator("#id_new_password2").fill(STRONG)
    press(page, "Save password")
    assert page.get_by_role("heading", level=1).inner_text() == "Password chosen"
    page.goto(f"{council}/accounts/login/")
    page.get_by_label("Username").fill("olu")
    page.get_by_label("Password", exact=True).fill(STRONG)
    press(page, "Sign in")
    assert page.url == f"{council}/scorecard/"
