"""The return cycle of issue 13 in Chromium: an owner types a figure and sees, without the page
reloading, what it would give and that it is surprising; the figure is kept only with their word
and reason. The performance team enters a return for an owner, an impossible figure refused, and
someone else approves it from the review page with the warning and reason beside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.collection.models import Return, ReturnState
from web.browsing import demo_council, press, sign_in, watch

SHOTS = Path("/tmp/kpiboard-returns-shots")


@pytest.fixture
def council(live_server: Any) -> str:
    return demo_council(live_server)


@pytest.fixture
def accessible(page: Any) -> Callable[[], None]:
    return watch(page)


def test_an_owner_sees_the_figure_judged_as_they_type_and_explains_a_surprise(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, council, "helen")
    page.goto(f"{council}/returns/182/2024-10/")
    page.evaluate("window.kpiboardNotReloaded = true")
    page.locator("#id_numerator").fill("10")
    page.locator("#id_denominator").fill("90")
    # By hand: 10 of 90 is 11.1%; September was 116 of 138, 84.058%: 72.9 lower.
    outlook = page.locator("#outlook")
    outlook.get_by_text("11.1 is 72.9 below the last figure, 84.1").wait_for()
    assert page.locator("#outlook-figure").inner_text() == "11.1%"
    assert page.evaluate("window.kpiboardNotReloaded") is True  # htmx, no reload
    page.screenshot(path=str(SHOTS / "owner-preview.png"), full_page=True)
    accessible()
    page.locator("#id_commentary").fill("Most cases moved to the new team in October.")
    press(page, "Submit for approval")
    assert "Check the figure: 11.1 is 72.9 below the last figure" in page.content()
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()
    page.get_by_label("This figure is right").check()
    page.get_by_label("Why is it right?").fill("Cases moved to the new team mid-month")
    press(page, "Submit for approval")
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.state == ReturnState.SUBMITTED
    assert item.surprise_reason == "Cases moved to the new team mid-month"


def test_the_team_enters_for_an_owner_and_another_approves_with_the_warning_in_view(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, council, "perf")
    page.goto(f"{council}/returns/")
    assert page.locator("h1").count() == 1  # the team's list, not a refusal
    page.goto(f"{council}/returns/212/2024-25-q3/")
    page.locator("#id_value").fill("-3")
    page.locator("#id_commentary").fill("Course numbers from the learning system.")
    press(page, "Submit for approval")
    assert "enter a value of 0 or more: 212 counts staff" in page.content()
    accessible()
    page.locator("#id_value").fill("46")
    press(page, "Submit for approval")
    item = Return.objects.get(indicator__ref="212", period="2024/25 Q3")
    assert item.state == ReturnState.SUBMITTED
    page.goto(f"{council}/review/")
    card = page.locator(f"#return-{item.pk}")
    assert "entered by" in card.inner_text()
    assert card.get_by_role("button", name="Approve 212 2024/25 Q3").count() == 0
    page.context.clear_cookies()
    sign_in(page, council, "admin")
    page.goto(f"{council}/review/")
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)
    accessible()
    press(page, "Approve 212 2024/25 Q3")
    item.refresh_from_db()
    assert item.state == ReturnState.APPROVED
