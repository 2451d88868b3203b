"""Scorecards and indicator pages in real Chromium, against Django's live server.

A reader goes from the organisation scorecard to a directorate, to an indicator, and back a
quarter; the indicator table filters and sorts from the keyboard without a page load, and with
JavaScript off by plain links and forms; every page fits a 320 px screen; axe-core's WCAG 2.2 A
and AA rules find nothing on any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from web.browsing import demo_council, sign_in, watch

# Playwright's sync API keeps an event loop in the test thread; Django's database calls from it
# are safe (the loop is Playwright's), as tests/web/test_browser.py explains.

Q2 = "2024-25-q2"
FOI = "Proportion of Freedom of Information requests responded to within statutory timescale"
PAGES = (
    "/scorecard/",
    f"/scorecard/directorate/snp/?period={Q2}",
    f"/scorecard/committee/srp/?period={Q2}",
    f"/indicators/182/?period={Q2}",
    f"/indicators/190/?period={Q2}",  # with its services: a second chart and table
    f"/indicators/ASC1/?period={Q2}",
)


@pytest.fixture
def council(live_server: Any) -> str:
    return demo_council(live_server)


@pytest.fixture
def accessible(page: Any) -> Callable[[], None]:
    return watch(page)


def chart_drawn(page: Any) -> Any:
    """Wait for vega-embed to draw the history chart; its SVG."""
    page.wait_for_selector(
        "#history-chart svg .mark-symbol.role-mark path", state="attached", timeout=15000
    )
    return page.locator("#history-chart svg").first


def rows(page: Any) -> list[tuple[str, str]]:
    """(ref, status) of each row of the indicator table."""
    found: list[tuple[str, str]] = page.locator("#indicators tbody tr[data-ref]").evaluate_all(
        "rows => rows.map(row => [row.dataset.ref, row.dataset.status])"
    )
    return [tuple(row) for row in found]  # type: ignore[misc]


def tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} was not reached with the Tab key")


def swapped_by(page: Any, key: str) -> None:
    """Press ``key`` and wait until htmx has swapped the table in and settled (a person is
    slower than the next key press of a test, which could land before htmx has wired up the
    new content)."""
    before = page.evaluate("window.settled")
    page.keyboard.press(key)
    page.wait_for_function("(before) => window.settled > before", arg=before)


def test_a_reader_drills_down_from_the_organisation_to_an_indicator_and_back_a_quarter(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    sign_in(page, council, "reader")
    assert page.url == f"{council}/scorecard/"
    assert page.get_by_role("heading", level=1).inner_text() == "Organisation scorecard"
    summary = page.locator("#status-summary")
    # Every page opens on the quarter being collected, marked incomplete until all is approved.
    assert "Status of 20 indicators, 2024/25 Q3" in summary.locator("caption").inner_text()
    assert "3 of 3 months missing" in page.locator("#period-completeness").inner_text()
    accessible()
    page.locator("#period").select_option(Q2)
    with page.expect_navigation():
        page.get_by_role("button", name="Show period").click()
    assert "Status of 20 indicators, 2024/25 Q2" in summary.locator("caption").inner_text()
    assert page.locator("#period-completeness").count() == 0

    with page.expect_navigation():
        page.locator("#breakdown-directorate").get_by_role(
            "link", name="Strategy and Partnerships"
        ).click()
    assert page.url == f"{council}/scorecard/directorate/snp/?period={Q2}"
    assert page.get_by_role("heading", level=1).inner_text() == "Strategy and Partnerships"
    assert len(rows(page)) == 7
    accessible()

    with page.expect_navigation():
        page.locator("#indicators").get_by_role("link", name=FOI).click()
    assert page.url == f"{council}/indicators/182/?period={Q2}"
    assert page.get_by_role("heading", level=1).inner_text() == FOI
    svg = chart_drawn(page)
    caption = page.locator("#chart-caption").inner_text()
    assert svg.is_visible()
    # vega-embed labels the chart with the spec's description: the caption on the page.
    assert page.locator("#history-chart").get_attribute("aria-label") == caption
    assert page.locator('[data-fact="status"]').get_attribute("data-status") == "red"
    accessible()

    # Interactive: a point's tooltip names its period and value.
    last_point = page.locator("#history-chart svg .actual_points_marks path").last
    last_point.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "2024-09" in tooltip.inner_text()
    # The quarter's judged figure is marked on the chart, named with its period (issue 11).
    page.mouse.move(0, 0)
    page.locator("#history-chart svg .reported_marker_marks path").last.hover()
    tooltip.wait_for(state="visible", timeout=5000)
    assert "2024/25 Q2 (July to September 2024)" in tooltip.inner_text()
    assert "81.0%" in tooltip.inner_text()

    page.locator("#period").select_option("2024-25-q1")
    with page.expect_navigation():
        page.get_by_role("button", name="Show period").click()
    assert page.url == f"{council}/indicators/182/?period=2024-25-q1"
    assert (
        page.locator('[data-fact="current-performance"]').inner_text()
        == "74.0% for 2024/25 Q1 (April to June 2024)"
    )
    assert page.locator('[data-fact="status"]').get_attribute("data-status") == "red"
    chart_drawn(page)
    assert (
        "to June 2024: the figure for 2024/25 Q1 (April to June 2024) is 74.0%"
        in page.locator("#chart-caption").inner_text()
    )
    accessible()

    # The breadcrumb leads back to the directorate in the period now chosen.
    with page.expect_navigation():
        page.locator(".govuk-breadcrumbs").get_by_role(
            "link", name="Strategy and Partnerships scorecard"
        ).click()
    assert page.url == f"{council}/scorecard/directorate/snp/?period=2024-25-q1"
    assert dict(rows(page))["182"] == "red"


def test_the_table_filters_and_sorts_from_the_keyboard_without_a_page_load(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    sign_in(page, council, "reader")
    start = f"{council}/scorecard/committee/srp/?period={Q2}"
    page.goto(start)
    assert len(rows(page)) == 13
    page.evaluate("window.kept = 'the same page'")  # lost if the browser loaded a new page
    page.evaluate(
        "window.settled = 0;"
        "document.body.addEventListener('htmx:afterSettle', () => { window.settled += 1; })"
    )

    page.locator("h1").click()  # start tabbing from the top of the content
    tab_to(page, "status-red")
    swapped_by(page, "Space")
    assert rows(page) == [("182", "red")]
    assert page.url == f"{start}&status=red"
    assert page.evaluate("document.activeElement.id") == "status-red"  # focus kept by htmx
    assert page.locator("#table-status").inner_text() == "Showing 1 of 13 indicators: Red."
    swapped_by(page, "Space")
    assert len(rows(page)) == 13

    tab_to(page, "sort-value")
    swapped_by(page, "Enter")
    assert page.locator('th[data-column="value"]').get_attribute("aria-sort") == "ascending"
    assert page.url == f"{start}&sort=value&order=asc"
    order = [ref for ref, _ in rows(page)]
    assert order[0] == "186"  # 8.71 days, the smallest value
    assert order[-1] == "191"  # 176 seconds, the largest
    assert page.evaluate("document.activeElement.id") == "sort-value"
    swapped_by(page, "Enter")
    assert page.locator('th[data-column="value"]').get_attribute("aria-sort") == "descending"
    assert [ref for ref, _ in rows(page)] == list(reversed(order))
    assert page.evaluate("window.kept") == "the same page"
    accessible()

    # Back goes to the table as it was, in the same page.
    page.go_back()
    page.wait_for_selector('#indicators th[data-column="value"][aria-sort="ascending"]')
    assert page.url == f"{start}&sort=value&order=asc"


def test_the_table_filters_and_sorts_without_javascript(browser: Any, council: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, council, "reader")
        page.goto(f"{council}/scorecard/committee/srp/?period={Q2}")
        page.get_by_label("Amber (1)").check()
        page.get_by_label("Red (1)").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filter").click()
        assert page.url == f"{council}/scorecard/committee/srp/?period={Q2}&status=red&status=amber"
        assert sorted(rows(page)) == [("182", "red"), ("188", "amber")]
        with page.expect_navigation():
            page.locator("#sort-status").click()
        assert rows(page) == [("182", "red"), ("188", "amber")]
        assert page.locator('th[data-column="status"]').get_attribute("aria-sort") == "ascending"
        with page.expect_navigation():
            page.locator("#sort-status").click()
        assert rows(page) == [("188", "amber"), ("182", "red")]
        assert "status=red&status=amber" in page.url
        page.locator("#period").select_option("2024-25-q1")
        with page.expect_navigation():
            page.get_by_role("button", name="Show period").click()
        assert "period=2024-25-q1" in page.url
        assert "sort=status&order=desc" in page.url  # the period form keeps the table's order
        assert "190" in dict(rows(page))  # Amber in Q1
    finally:
        context.close()


@pytest.fixture
def narrow_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 320, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


def test_every_page_fits_a_320_pixel_screen(narrow_page: Any, council: str) -> None:
    """No page scrolls sideways at 320 CSS pixels (WCAG 1.4.10 reflow): wide tables and the
    chart scroll inside their own focusable boxes."""
    check = watch(narrow_page)
    sign_in(narrow_page, council, "reader")
    for path in PAGES:
        narrow_page.goto(council + path)
        if path.startswith("/indicators/"):
            chart_drawn(narrow_page)
        width = narrow_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
        check()


def test_every_page_passes_axe_for_the_performance_team(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """The performance team sees more on the pages (links to review and to history)."""
    sign_in(page, council, "perf")
    assert page.url == f"{council}/scorecard/"
    for path in PAGES:
        page.goto(council + path)
        if path.startswith("/indicators/"):
            chart_drawn(page)
            assert page.locator("#history-link").count() == 1
        accessible()
    page.goto(f"{council}/scorecard/?period=not-a-period")
    assert page.locator(".govuk-error-summary").is_visible()
    accessible()
