"""How long a signed-in session lasts (issue 14 finding 9): it ends after 30 minutes without a
request and 12 hours after signing in, however busy, each configurable; before, a session lasted
14 days whatever happened."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Move the site's clock (``django.utils.timezone.now``) on by so many minutes."""
    real_now = timezone.now
    shift = [dt.timedelta()]

    def now() -> dt.datetime:
        return real_now() + shift[0]

    monkeypatch.setattr(timezone, "now", now)

    def forward(minutes: float) -> None:
        shift[0] += dt.timedelta(minutes=minutes)

    return forward


def _signed_in(people: dict[str, Any], role: str = "owner") -> Client:
    """A client that signed in through the sign-in page, as a person would."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": people[role].username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


def _signed_out(response: Any) -> bool:
    return bool(response.status_code == 302 and response["Location"].startswith(reverse("login")))


def test_the_session_cookie_lasts_12_hours_at_most() -> None:
    assert django_settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_a_session_idle_for_31_minutes_is_signed_out(
    people: dict[str, Any], clock: Callable[[float], None]
) -> None:
    client = _signed_in(people)
    assert client.get(reverse("account")).status_code == 200
    clock(31)
    response = client.get(reverse("my_returns"))
    assert _signed_out(response)
    assert "next=/returns/" in response["Location"]  # back where they were after signing in
    page = client.get(response["Location"])
    assert b"signed out after 30 minutes without using the site" in page.content
    # Signed out for good, not only turned away once.
    assert _signed_out(client.get(reverse("account")))


def test_using_the_site_keeps_the_session_alive(
    people: dict[str, Any], clock: Callable[[float], None]
) -> None:
    """Each request starts the 30 minutes again."""
    client = _signed_in(people)
    for _ in range(4):
        clock(29)
        assert client.get(reverse("account")).status_code == 200
    clock(31)
    assert _signed_out(client.get(reverse("account")))


def test_a_session_ends_12_hours_after_signing_in_however_busy(
    people: dict[str, Any], clock: Callable[[float], None]
) -> None:
    client = _signed_in(people)
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 hours 40 minutes
        clock(20)
        assert client.get(reverse("account")).status_code == 200
    clock(21)  # 12 hours and 1 minute after signing in
    response = client.get(reverse("account"))
    assert _signed_out(response)
    page = client.get(response["Location"])
    assert b"signed out 12 hours after signing in" in page.content


def test_the_limits_apply_to_force_login_sessions_too(
    client_as: Any, clock: Callable[[float], None]
) -> None:
    """Any way of signing in (Django's login()) starts the clock."""
    client = client_as("performance")
    assert client.get(reverse("account")).status_code == 200
    clock(31)
    assert _signed_out(client.get(reverse("account")))


def test_the_limits_come_from_settings(
    people: dict[str, Any], clock: Callable[[float], None], settings: Any
) -> None:
    settings.KPIBOARD_SESSION_IDLE_MINUTES = 5
    settings.KPIBOARD_SESSION_MAX_MINUTES = 60
    client = _signed_in(people)
    clock(4)
    assert client.get(reverse("account")).status_code == 200
    clock(6)
    response = client.get(reverse("account"))
    assert _signed_out(response)
    assert b"after 5 minutes without" in client.get(response["Location"]).content

    client = _signed_in(people)
    for _ in range(14):  # 56 minutes, never 5 idle
        clock(4)
        assert client.get(reverse("account")).status_code == 200
    clock(4.5)
    assert _signed_out(client.get(reverse("account")))


def test_an_htmx_request_after_the_limit_sends_the_whole_page_to_sign_in(
    people: dict[str, Any], clock: Callable[[float], None]
) -> None:
    """htmx would put the sign-in page inside the part of the page it was updating."""
    client = _signed_in(people)
    clock(31)
    response = client.get(reverse("my_returns"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("variable", "value"),
    [("KPIBOARD_SESSION_IDLE_MINUTES", "half an hour"), ("KPIBOARD_SESSION_MAX_MINUTES", "0")],
)
def test_a_bad_setting_stops_the_site_starting_with_its_name(variable: str, value: str) -> None:
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DEBUG": "false", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import kpiboard.web.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"{variable}={value!r}: expected a whole number of minutes" in result.stderr


def test_an_idle_limit_longer_than_the_lifetime_is_warned_of(settings: Any) -> None:
    settings.KPIBOARD_SESSION_IDLE_MINUTES = 24 * 60
    ids = [message.id for message in run_checks()]
    assert "kpiboard.accounts.W001" in ids
