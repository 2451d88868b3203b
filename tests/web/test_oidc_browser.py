"""Signing in through a real OpenID provider (npm ``oidc-provider`` under Node, on loopback) in
real Chromium: the role comes from the groups claim, someone whose groups give no role is
refused, and signing out ends the session at kpiboard and at the provider."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from browser import axe_violations, describe
from kpiboard.web.accounts.session_limits import SIGNED_IN_AT
from kpiboard.web.accounts.two_factor import PROVIDER_SIGN_IN
from kpiboard.web.audit.models import AuditEvent
from web.browsing import demo_council
from web.oidc_live import configure_site, start_provider

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server: Any, tmp_path: Path, settings: Any) -> Iterator[str]:
    site = demo_council(live_server)
    with start_provider(site, tmp_path) as issuer:
        configure_site(settings, issuer)
        yield issuer


@pytest.fixture
def offline_page(page: Any) -> Any:
    """The provider's development pages ask for a web font; nothing here leaves the machine."""
    page.route("**/fonts.googleapis.com/**", lambda route: route.abort())
    return page


def sign_in_at_provider(page: Any, site: str, login: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_role("button", name="Sign in with Council ID").click()
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the development form checks none")
    with page.expect_navigation(url=f"{site}/**"):
        page.get_by_role("button", name="Sign-in").click()
    page.wait_for_load_state()


def sign_out(page: Any, site: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{site}/accounts/login/")


def session_of(page: Any) -> Any:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return SessionStore(session_key=cookies["sessionid"]).load()


def roles_of(username: str) -> list[str]:
    user = get_user_model().objects.get(username=username)
    return sorted(user.groups.values_list("name", flat=True))


def test_the_role_comes_from_the_groups_and_signing_out_ends_both_sessions(
    provider: str, offline_page: Any, live_server: Any
) -> None:
    page, site = offline_page, str(live_server.url)

    page.goto(f"{site}/accounts/login/")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    sign_in_at_provider(page, site, "alice")
    assert page.url.startswith(f"{site}/"), page.url
    assert "/accounts/login/" not in page.url
    # Her groups (kpi-team, finance) make her the performance team, and the page says so.
    assert roles_of("alice.kaur") == ["performance team"]
    assert page.get_by_role("link", name="Review", exact=True).is_visible()
    assert page.get_by_role("button", name="Sign out alice.kaur").is_visible()
    # The session is kpiboard's like any other: its limits are counted from this sign-in.
    session = session_of(page)
    assert isinstance(session[SIGNED_IN_AT], int)
    assert session[PROVIDER_SIGN_IN] == provider
    change = AuditEvent.objects.get(action="role_changed", target="user alice.kaur")
    assert change.detail.startswith("no role → performance team"), change.detail
    assert "Council ID" in change.detail

    # While she is signed in at the provider, starting again goes straight back (single sign-on).
    page.goto(f"{site}/oidc/authenticate/")
    page.wait_for_url(f"{site}/**")
    assert page.locator("input[name=login]").count() == 0

    sign_out(page, site)
    # kpiboard's session is over...
    page.goto(f"{site}/register/")
    assert page.url.startswith(f"{site}/accounts/login/"), page.url
    # ...and the provider's: signing in again asks for the login.
    page.get_by_role("button", name="Sign in with Council ID").click()
    page.wait_for_selector("input[name=login]")
    assert page.url.startswith(provider), page.url

    # Another person, whose group gives another role.
    page.fill("input[name=login]", "bob")
    page.fill("input[name=password]", "any")
    with page.expect_navigation(url=f"{site}/**"):
        page.get_by_role("button", name="Sign-in").click()
    assert roles_of("bob.osei") == ["reader"]
    assert page.get_by_role("button", name="Sign out bob.osei").is_visible()
    assert page.get_by_role("link", name="Review", exact=True).count() == 0
    sign_out(page, site)


def test_someone_whose_groups_give_no_role_is_refused_with_a_clear_page(
    provider: str, offline_page: Any, live_server: Any
) -> None:
    page, site = offline_page, str(live_server.url)
    sign_in_at_provider(page, site, "carol")
    assert page.get_by_role("heading", name="You do not have access to kpiboard").is_visible()
    assert "carol.ng@example.gov.uk" in page.inner_text("main")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert not get_user_model().objects.filter(email="carol.ng@example.gov.uk").exists()
    refusal = AuditEvent.objects.get(action="sign_in_failed", actor_name="carol.ng@example.gov.uk")
    assert "none of the person's groups gives a role" in refusal.detail
    page.goto(f"{site}/register/")
    assert page.url.startswith(f"{site}/accounts/login/"), page.url


@pytest.mark.parametrize("width", [1280, 375])
def test_the_sign_in_page_offers_the_provider_at_every_width(
    provider: str, page: Any, live_server: Any, settings: Any, width: int, tmp_path: Path
) -> None:
    site = str(live_server.url)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/accounts/login/")
    button = page.get_by_role("button", name="Sign in with Council ID")
    assert button.is_visible()
    assert page.locator("input[type=password]").is_visible()
    box = button.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"sign-in-{width}.png"), full_page=True)

    settings.KPIBOARD_LOCAL_PASSWORDS = False
    page.goto(f"{site}/accounts/login/")
    assert page.get_by_role("button", name="Sign in with Council ID").is_visible()
    assert page.locator("input[type=password]").count() == 0
    assert page.get_by_role("link", name="Forgotten your password?").count() == 0
    page.screenshot(path=str(tmp_path / f"sign-in-no-passwords-{width}.png"), full_page=True)
