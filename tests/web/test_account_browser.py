"""The account pages in Chromium, under the site's Content-Security-Policy: every password field
can be shown while typing and hidden again (ASVS 2.1.12), and a new password's strength is judged
by the server as it is typed and read out (ASVS 2.1.8); no script error, no CSP refusal (each
would reach the console) and no WCAG 2.2 AA violation on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from web.browsing import demo_council, press, sign_in, watch
from web.conftest import PASSWORD

STRONG = "lantern orchard quietly 7 gravel"


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
