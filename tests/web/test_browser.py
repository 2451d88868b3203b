"""The web app in real Chromium, against Django's live server.

An indicator owner's return goes from a first mistake to the status the register shows; every page
on the way passes axe-core's WCAG 2.2 A and AA rules; and commentary written to attack the
performance team's review page cannot run script there.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kpiboard.analysis.periods import parse_period
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.periods import from_slug
from kpiboard.web.register.models import Indicator
from web.browsing import demo_council, press, sign_in, watch
from web.conftest import DEMO

REF = "182"  # helen's monthly percentage with ratio aggregation
QUARTER = "2024-25-q3"  # the demo's collection period


@pytest.fixture
def council(live_server: Any) -> str:
    return demo_council(live_server)


@pytest.fixture
def accessible(page: Any) -> Callable[[], None]:
    return watch(page)


def expected_status(value: Decimal, target: Decimal, red_at: Decimal, blue_above: Decimal) -> str:
    """semantics.md section 4, relative tolerance, higher is better: 90.0 against 90 has a
    deviation of exactly 0, so Green (on target or better by up to ``blue_above``)."""
    deviation = (value - target) / abs(target)
    if deviation <= -red_at:
        return "red"
    if deviation < 0:
        return "amber"
    if deviation <= blue_above:
        return "green"
    return "blue"


def demo_rows(name: str, ref: str) -> list[dict[str, str]]:
    """One indicator's rows of a file of the demo council."""
    with (DEMO / name).open(newline="") as file:
        return [row for row in csv.DictReader(file) if row["ref"] == ref]


def body_rows(page: Any) -> list[list[str]]:
    """The text of each cell of each row of the page's tables, header rows left out."""
    rows: list[list[str]] = page.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
    return rows


def target_in_force(ref: str, period: str) -> Decimal:
    """semantics.md section 3: the targets.csv row with the latest ``from`` whose start is on or
    before the period's start."""
    start = parse_period(period).start
    rows = [
        row for row in demo_rows("targets.csv", ref) if parse_period(row["from"]).start <= start
    ]
    return Decimal(max(rows, key=lambda row: parse_period(row["from"]).start)["target"])


def test_a_return_from_first_mistake_to_the_register(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """helen enters 182's October figure, is told what is wrong, corrects it and submits; perf
    approves it; the register's Q3 status is the one worked out by hand from the approved month
    alone (November, submitted but not approved, does not count)."""
    indicator = Indicator.objects.get(ref=REF)
    november = from_slug("2024-11")
    # Submitted, never approved: counted, (81 + 30) / (90 + 90) = 61.7% would make Q3 Red.
    Return.objects.create(
        indicator=indicator,
        period=november.label,
        period_start=november.start,
        numerator=Decimal(30),
        denominator=Decimal(90),
        commentary="November figure, not yet approved.",
        state=ReturnState.SUBMITTED,
    )

    page.goto(f"{council}/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    accessible()
    sign_in(page, council, "helen")
    assert page.url == f"{council}/scorecard/"  # everyone starts at the scorecard
    page.goto(f"{council}/returns/")
    assert page.get_by_role("heading", level=1).inner_text() == "My returns"
    assert "2024/25 Q3" in page.locator(".govuk-caption-l").inner_text()
    owed = page.get_by_role("link", name=f"for {REF}")
    assert owed.all_text_contents() == [
        f"2024-10 for {REF}",
        f"2024-11 for {REF}",
        f"2024-12 for {REF}",
    ]
    accessible()

    with page.expect_navigation():
        page.get_by_role("link", name=f"2024-10 for {REF}").click()
    assert page.url == f"{council}/returns/{REF}/2024-10/"
    accessible()

    page.get_by_label("Numerator", exact=True).fill("95")
    page.get_by_label("Denominator", exact=True).fill("90")
    press(page, "Submit for approval")
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    # GOV.UK Frontend moves focus to the summary, so a screen reader reads it out first.
    page.wait_for_function(
        "() => document.activeElement.classList.contains('govuk-error-summary')", timeout=5000
    )
    assert page.title().startswith("Error: ")
    field_message = page.locator("#id_numerator-error")
    assert "'95'" in field_message.inner_text()
    assert "at most the denominator" in field_message.inner_text()
    # The field names its hint (issue 13: what the numerator is) and its error.
    assert page.get_by_label("Numerator", exact=True).get_attribute("aria-describedby").split() == [
        "id_numerator-hint",
        "id_numerator-error",
    ]
    summary_link = summary.get_by_role("link")
    assert summary_link.get_attribute("href") == "#id_numerator"
    assert "at most the denominator" in summary_link.inner_text()
    # The summary's link takes a keyboard user to the field at fault.
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "id_numerator"
    denominator = page.get_by_label("Denominator", exact=True)
    assert denominator.input_value() == "90"  # what was typed is kept
    assert not Return.objects.filter(indicator=indicator, period="2024-10").exists()
    accessible()

    page.get_by_label("Numerator", exact=True).fill("81")
    page.get_by_label("Commentary").fill(
        "81 of 90 requests answered within 20 working days: **back on target**."
    )
    press(page, "Submit for approval")
    assert page.url.split("#")[0] == f"{council}/returns/?period={QUARTER}"
    assert (
        f"{REF} 2024-10 submitted to the performance team"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    october_row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"2024-10 for {REF}", exact=True)
    )
    assert "Submitted" in october_row.inner_text()
    accessible()

    press(page, "Sign out helen")
    sign_in(page, council, "perf")
    page.goto(f"{council}/review/")
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=f"{REF} {indicator.name}: 2024-10")
    )
    # The figure as the reports show it, with what it was made of (issue 13).
    assert card.locator("dt:text-is('Figure') + dd").inner_text() == "90.0% (81 of 90)"
    assert card.locator(".kpiboard-commentary strong").inner_text() == "back on target"
    accessible()
    press(page, f"Approve {REF} 2024-10")
    assert f"Approved {REF} 2024-10" in page.locator(".govuk-notification-banner").inner_text()
    waiting = page.get_by_role("heading", level=2).all_inner_texts()
    assert not any("2024-10" in title for title in waiting)
    assert any(title.endswith(": 2024-11") for title in waiting)
    assert Return.objects.get(indicator=indicator, period="2024-10").state == ReturnState.APPROVED

    page.goto(f"{council}/review/outstanding/?period={QUARTER}")
    owed_now = [cells[1] for cells in body_rows(page) if cells[0].startswith(f"{REF} ")]
    assert owed_now == ["2024-12"]  # October approved, November submitted
    accessible()

    # The status by hand (semantics.md sections 2-4). 182 is a monthly percentage combined by
    # ratio, with no tolerance of its own, so the organisation's applies.
    (definition,) = demo_rows("indicators.csv", REF)
    assert (definition["unit"], definition["direction"]) == ("percent", "higher")
    assert (definition["frequency"], definition["aggregation"]) == ("month", "ratio")
    assert definition["tolerance_mode"] == definition["red_at"] == definition["blue_above"] == ""
    settings = tomllib.loads((DEMO / "organisation.toml").read_text())["tolerance"]
    assert settings["mode"] == "relative"
    value = Decimal(81) * 100 / Decimal(90)  # ratio over the approved months of Q3: October only
    status = expected_status(
        value,
        target_in_force(REF, "2024/25 Q3"),
        Decimal(str(settings["red_at"])),
        Decimal(str(settings["blue_above"])),
    )
    assert status == "green"  # 90.0% against a target of 90: exactly on target

    page.goto(f"{council}/register/{REF}/?period={QUARTER}")
    assert page.locator("#current-status").get_attribute("data-status") == status
    assert page.locator("#current-status").inner_text() == status.capitalize()
    assert page.locator("#current-value").inner_text() == "90.0%"
    accessible()

    page.goto(f"{council}/register/?period={QUARTER}")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=REF, exact=True))
    assert row.locator("[data-status]").get_attribute("data-status") == status
    accessible()


def test_every_page_of_the_performance_team_passes_axe(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """Outstanding returns, the register, an indicator, its history, import and export, and the
    indicator form, the last with its error messages showing too."""
    sign_in(page, council, "perf")
    pages = {
        "/review/outstanding/": "Outstanding returns",
        f"/register/?period={QUARTER}": "The KPI register",
        f"/register/{REF}/?period={QUARTER}": Indicator.objects.get(ref=REF).name,
        f"/register/{REF}/history/": "History of every change",
        "/register/import/": "Import and export",
        f"/register/{REF}/edit/": f"Change {REF}",
    }
    for path, heading in pages.items():
        page.goto(council + path)
        assert heading in page.get_by_role("heading", level=1).inner_text(), path
        accessible()
        if path == "/review/outstanding/":
            owed = [cells[1] for cells in body_rows(page) if cells[0].startswith(f"{REF} ")]
            assert owed == ["2024-10", "2024-11", "2024-12"]

    page.goto(f"{council}/register/{REF}/edit/")
    page.get_by_label("Name", exact=True).fill("")
    press(page, "Save")
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary a").get_attribute("href") == "#id_name"
    assert page.locator("#id_name-error").is_visible()
    accessible()


def test_hostile_commentary_is_harmless_on_the_review_page(
    page: Any, council: str, accessible: Callable[[], None]
) -> None:
    """A script tag, a javascript: link and an image with an onerror handler in commentary reach
    the reviewer as text; no script runs, while an ordinary link still works."""
    november = from_slug("2024-11")
    attack = (
        "<script>alert(1)</script>\n\n"
        "[click me](javascript:alert(1))\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "See [the minutes](https://example.gov.uk/minutes)."
    )
    item = Return.objects.create(
        indicator=Indicator.objects.get(ref=REF),
        period=november.label,
        period_start=november.start,
        numerator=Decimal(80),
        denominator=Decimal(90),
        commentary=attack,
        state=ReturnState.SUBMITTED,
    )
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    sign_in(page, council, "perf")
    page.goto(f"{council}/review/")
    page.wait_for_load_state("networkidle")  # an image smuggled in would have failed to load
    commentary = page.locator(f"#return-{item.pk} .kpiboard-commentary")
    text = commentary.inner_text()

    assert dialogs == []
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "[click me](javascript:alert(1))" in text
    assert commentary.locator("script, img, [onerror]").count() == 0
    hrefs = commentary.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://example.gov.uk/minutes"]
    accessible()  # nothing was requested for the image either: no failed load on the console
    # The listener does hear a dialog, so the empty list above means none was opened.
    page.evaluate("alert('control')")
    assert dialogs == ["control"]
