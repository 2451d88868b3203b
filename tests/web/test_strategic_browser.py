"""The strategic scorecards in real Chromium (issue 17): a reader goes from the navigation to the
Organisational Scorecard and on to a directorate's, at 1280 and 375 CSS pixels wide; nothing
scrolls sideways, axe-core finds nothing, and the register's "Strategic KPIs" filter answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.register.models import DataVersion, Indicator
from web.browsing import demo_council, sign_in, watch

Q2 = "2024-25-q2"
STRATEGIC = ("182", "190", "212", "ASC1")
#: Where screenshots go for a person to look at (KPIBOARD_SCREENSHOTS), if anywhere.
SHOTS = os.environ.get("KPIBOARD_SCREENSHOTS", "")


@pytest.fixture
def council(live_server: Any) -> str:
    server = demo_council(live_server)
    Indicator.objects.update(strategic=False)
    Indicator.objects.filter(ref__in=STRATEGIC).update(strategic=True)
    DataVersion.bump()
    return server


@pytest.fixture(params=[1280, 375], ids=["1280px", "375px"])
def sized_page(browser: Any, request: Any) -> Iterator[tuple[Any, int]]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    opened = context.new_page()
    yield opened, request.param
    context.close()


def _rows(page: Any) -> list[str]:
    found: list[str] = page.locator("#indicators tbody tr[data-ref]").evaluate_all(
        "rows => rows.map(row => row.dataset.ref)"
    )
    return found


def _shot(page: Any, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_a_reader_reaches_the_strategic_scorecards_from_the_navigation(
    sized_page: tuple[Any, int], council: str
) -> None:
    page, width = sized_page
    check = watch(page)
    sign_in(page, council, "reader")
    page.goto(f"{council}/scorecard/?period={Q2}")
    if page.locator(".govuk-service-navigation__toggle").is_visible():  # a narrow screen's menu
        page.locator(".govuk-service-navigation__toggle").click()
    with page.expect_navigation():
        page.locator("#navigation").get_by_role("link", name="Strategic KPIs").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Organisational Scorecard"
    page.goto(f"{council}/scorecard/strategic/?period={Q2}")
    assert sorted(_rows(page)) == sorted(STRATEGIC)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check()
    _shot(page, "organisational", width)
    with page.expect_navigation():
        page.locator("#strategic-links").get_by_role(
            "link", name="Adults, Health and Commissioning"
        ).click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Adults, Health and Commissioning strategic scorecard"
    )
    assert _rows(page) == ["ASC1"]
    assert "Adults and Health Committee" in page.locator("#report-to").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check()
    _shot(page, "directorate", width)
    page.goto(f"{council}/scorecard/strategic/pnt/?period={Q2}")
    assert page.locator("#no-strategic").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check()
    _shot(page, "none", width)
    page.goto(f"{council}/register/?period={Q2}")
    page.locator("#strategic").select_option("yes")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "strategic=yes" in page.url
    assert page.locator("table caption").first.inner_text() == f"{len(STRATEGIC)} indicators"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check()
    _shot(page, "register", width)
