"""What the web app's browser tests share: the demo council behind the live server, signing in,
pressing a button, and the check made on every page reached."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from browser import axe_violations, describe
from kpiboard.web.accounts import roles
from kpiboard.web.register.models import Indicator
from web.conftest import PASSWORD, load_demo, make_people

# Django refuses database calls from a thread with an event loop unless told that is safe. It
# is: the loop is Playwright's, in the test's own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def demo_council(live_server: Any) -> str:
    """The demo council and one account per role, committed where the live server can see them;
    the server's address.

    pytest-django empties the database after each transactional test, the roles made by a
    migration with it, so whatever is missing is put back.
    """
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    if not Indicator.objects.exists():
        load_demo()
    if not get_user_model().objects.filter(username="helen").exists():
        make_people()
    return str(live_server.url)


def sign_in(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def press(page: Any, button: str, timeout: float = 30_000) -> None:
    """Click a button that submits a form, and wait for the page that answers."""
    with page.expect_navigation(timeout=timeout):
        page.get_by_role("button", name=button, exact=True).click()


def watch(page: Any) -> Callable[[], None]:
    """A check to call on each page reached: no static file failed to load, no script error and
    nothing written to the console (GOV.UK Frontend, htmx and Vega report their problems there),
    and axe-core finds no WCAG 2.2 A or AA violation on the page as it stands."""
    problems: list[str] = []

    def response(answer: Any) -> None:
        if answer.status >= 400 and "/static/" in answer.url:
            problems.append(f"{answer.status} {answer.url}")

    def console(message: Any) -> None:
        if message.type in {"error", "warning", "log"} and "favicon" not in message.location.get(
            "url", ""
        ):
            problems.append(f"console {message.type}: {message.text}")

    page.on("response", response)
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def check() -> None:
        assert problems == [], f"{page.url}: {problems}"
        violations = axe_violations(page)
        assert violations == [], f"{page.url}\n{describe(violations)}"

    return check
