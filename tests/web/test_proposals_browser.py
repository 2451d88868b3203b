"""The proposal cycle in Chromium, as issue 17 has it done: the performance team opens a round,
an owner drafts a strategic indicator and puts it forward, the committee's comment is recorded
and answered, and the committee adopts it amended; it is then in the register, active and
strategic. Every page is checked with axe-core and, at 375 px, for sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpiboard.web.proposals.models import Proposal, ProposalRound
from kpiboard.web.register.models import Indicator
from web.browsing import demo_council, press, sign_in, watch

SHOTS = Path("/tmp/kpiboard-proposals-shots")
CODE = "skpi-browser"


@pytest.fixture
def council(live_server: Any) -> str:
    return demo_council(live_server)


@pytest.fixture
def accessible(page: Any) -> Callable[[], None]:
    return watch(page)


def _look(page: Any, name: str) -> None:
    """Screenshots at 1280 and 375 px; at 375 px nothing makes the page scroll sideways."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        assert wide <= width, f"{name} scrolls sideways at {width} px: {wide} px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_round_from_opening_to_an_amended_adoption(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, council, "perf")
    page.get_by_role("link", name="Proposals", exact=True).click()
    page.get_by_role("link", name="Open a round").click()
    page.get_by_label("Name", exact=True).fill("Strategic KPIs for 2025/26 (browser)")
    page.get_by_label("Short id", exact=True).fill(CODE)
    page.get_by_label("Circulated for comment in").select_option("2024/25 Q3")
    _look(page, "round-form")
    accessible()
    press(page, "Open the round")
    assert "Circulated for comment in" in page.content()
    page.context.clear_cookies()

    sign_in(page, council, "helen")
    page.goto(f"{council}/proposals/{CODE}/")
    page.get_by_role("link", name="Draft a proposal").click()
    page.get_by_label("Ref", exact=True).fill("SK-7")
    page.get_by_label("Name", exact=True).fill("Complaints answered within 10 working days")
    page.get_by_label("Directorate", exact=True).select_option(label="Strategy and Partnerships")
    page.get_by_label("Definition", exact=True).fill(
        "Stage one complaints answered within 10 working days."
    )
    page.get_by_label("Rationale", exact=True).fill("Slow answers are residents' first complaint.")
    page.get_by_label("Unit", exact=True).select_option("percent")
    page.get_by_label("Direction", exact=True).select_option("higher")
    page.get_by_label("Frequency", exact=True).select_option("quarter")
    page.get_by_label("Proposed target", exact=True).fill("eighty")
    page.get_by_label("From period", exact=True).fill("2025/26 Q1")
    page.get_by_label("Strategy, Resources and Performance Committee").check()
    press(page, "Save the draft")
    assert "There is a problem" in page.content()
    _look(page, "proposal-form-errors")
    accessible()
    page.get_by_label("Proposed target", exact=True).fill("85")
    press(page, "Save the draft")
    press(page, "Put forward for comment")
    assert Proposal.objects.get(round__code=CODE, ref="SK-7").state == "proposed"
    page.context.clear_cookies()

    sign_in(page, council, "perf")
    page.goto(f"{council}/proposals/{CODE}/SK-7/")
    page.get_by_text("Record a committee's comment").click()
    page.get_by_label("Committee", exact=True).select_option(
        label="Strategy, Resources and Performance Committee"
    )
    page.get_by_label("Meeting date", exact=True).fill("2025-11-20")
    page.get_by_label("What the committee said").fill("Members asked whether 85% is stretching.")
    press(page, "Record the comment")
    page.context.clear_cookies()

    sign_in(page, council, "helen")
    page.goto(f"{council}/proposals/{CODE}/SK-7/")
    page.get_by_role("link", name="Respond").click()
    page.get_by_label("Officer's response").fill("Last year's figure was 78%; 85% stretches us.")
    accessible()
    press(page, "Save the response")
    page.context.clear_cookies()

    sign_in(page, council, "perf")
    page.goto(f"{council}/proposals/{CODE}/SK-7/")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Decided by", exact=True).select_option(
        label="Strategy, Resources and Performance Committee"
    )
    page.get_by_label("Meeting date", exact=True).fill("2025-12-03")
    page.get_by_label("Target", exact=True).fill("80")
    page.get_by_label("From period", exact=True).fill("2025/26 Q2")
    press(page, "Record the decision")
    assert "Give the reason for the amendment" in page.content()
    _look(page, "decision-form-errors")
    accessible()
    page.get_by_label("Reason for the amendment").fill("Q1 figures are not collected yet")
    press(page, "Record the decision")
    assert "Target 85 → 80; from 2025/26 Q1 → 2025/26 Q2" in page.content()
    _look(page, "proposal-adopted")
    accessible()
    page.goto(f"{council}/proposals/{CODE}/")
    assert page.locator("#round-counts").inner_text() == "Adopted: 1"
    _look(page, "round-page")
    accessible()
    page.goto(f"{council}/proposals/{CODE}/history/")
    assert "Proposal SK-7 changed: Adopted by" in page.content()
    _look(page, "round-history")
    accessible()
    page.goto(f"{council}/proposals/{CODE}/")
    row = Indicator.objects.get(ref="SK-7")
    assert (row.lifecycle, row.strategic) == ("active", True)
    assert [(t.start, t.value) for t in row.targets.all()] == [("2025/26 Q2", Decimal("80"))]
    press(page, "Close the round")
    assert ProposalRound.objects.get(code=CODE).state == "closed"
    assert page.get_by_role("button", name="Reopen the round").count() == 1
