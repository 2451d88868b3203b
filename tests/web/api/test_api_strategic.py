"""Strategic KPIs through the API (issue 17): the register's ``strategic`` flag and filter, and
the strategic scorecards, whose rows and statuses are those of the web's strategic pages.

The demo council's indicators.csv has no ``x_strategic`` column, so it loads with no strategic
KPI; each test chooses some: two of Strategy and Partnerships (snp), two of Finance and
Resources (fin) and a yearly one of Adults, Health and Commissioning (asc).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from kpiboard.web.register import models

pytestmark = pytest.mark.django_db

PERIOD = "2024-25-q2"
CHOSEN = {"182", "190", "212", "214", "ASC3"}
ALL_REFS = (
    {str(ref) for ref in range(182, 192)} | {"212", "213", "214"} | {f"ASC{n}" for n in range(1, 8)}
)
PROBLEM = "application/problem+json"


def _strategic(*refs: str) -> None:
    models.Indicator.objects.update(strategic=False)
    models.Indicator.objects.filter(ref__in=refs).update(strategic=True)
    models.DataVersion.bump()  # update() sends no signal


def _refs(answer: dict[str, Any]) -> set[str]:
    return {item["ref"] for item in answer["items"]}


def _shown(page: str) -> dict[str, str]:
    """The rows of a web scorecard page: ref -> status."""
    return dict(
        re.findall(r'<tr class="govuk-table__row" data-ref="([^"]+)" data-status="(\w+)"', page)
    )


def test_the_demo_council_has_no_strategic_kpi_until_one_is_chosen(api_as: Any) -> None:
    answer = api_as("reader").get(f"/api/v1/indicators?period={PERIOD}&page_size=500").json()
    assert {item["ref"] for item in answer["items"]} == ALL_REFS
    assert all(item["strategic"] is False for item in answer["items"])


def test_the_register_says_which_indicators_are_strategic_and_filters_by_it(
    api_as: Any,
) -> None:
    _strategic(*CHOSEN)
    client = api_as("reader")
    base = f"/api/v1/indicators?period={PERIOD}&page_size=500"
    everything = client.get(base).json()
    assert {item["ref"] for item in everything["items"] if item["strategic"]} == CHOSEN
    strategic = client.get(base + "&strategic=true").json()
    assert _refs(strategic) == CHOSEN
    assert strategic["count"] == 5
    others = client.get(base + "&strategic=false").json()
    assert _refs(others) == ALL_REFS - CHOSEN
    assert others["count"] == 15
    assert all(item["strategic"] is False for item in others["items"])
    # With another filter: fin's strategic KPIs only.
    fin = client.get(base + "&strategic=true&directorate=fin").json()
    assert _refs(fin) == {"212", "214"}
    # One indicator read alone says so too.
    assert client.get("/api/v1/indicators/182").json()["strategic"] is True
    assert client.get("/api/v1/indicators/183").json()["strategic"] is False


def test_a_strategic_filter_that_is_not_true_or_false_is_a_422_problem(api_as: Any) -> None:
    response = api_as("reader").get("/api/v1/indicators?strategic=perhaps")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == ["strategic"]


def test_the_organisational_scorecard_is_the_web_page_s(api_as: Any, client_as: Any) -> None:
    _strategic(*CHOSEN)
    answer = api_as("reader").get(f"/api/v1/scorecards/strategic?period={PERIOD}")
    assert answer.status_code == 200
    card = answer.json()
    assert card["scope"] == "strategic"
    assert card["name"] == "Organisational Scorecard"
    assert card["period"] == "2024/25 Q2"
    rows = {row["ref"]: row["status"] for row in card["indicators"]}
    page = client_as("reader").get(f"/scorecard/strategic/?period={PERIOD}")
    assert page.status_code == 200
    assert rows == _shown(page.content.decode())
    assert set(rows) == CHOSEN
    assert rows["182"] == "red"  # the demo's one Red in Q2 (design.md)
    counts = {line["status"]: line["count"] for line in card["summary"]}
    assert sum(counts.values()) == len(card["indicators"]) == 5
    assert {status: n for status, n in counts.items() if n} == dict(Counter(rows.values()))


def test_a_directorate_strategic_scorecard_has_only_its_own(api_as: Any, client_as: Any) -> None:
    _strategic(*CHOSEN)
    card = api_as("reader").get(f"/api/v1/scorecards/strategic/snp?period={PERIOD}").json()
    assert card["scope"] == "strategic:snp"
    assert card["name"] == "Strategy and Partnerships strategic scorecard"
    rows = {row["ref"]: row["status"] for row in card["indicators"]}
    assert set(rows) == {"182", "190"}
    assert all(row["directorate"] == "snp" for row in card["indicators"])
    page = client_as("reader").get(f"/scorecard/strategic/snp/?period={PERIOD}")
    assert rows == _shown(page.content.decode())
    assert sum(line["count"] for line in card["summary"]) == 2


def test_a_directorate_with_no_strategic_kpi_has_an_empty_scorecard(api_as: Any) -> None:
    _strategic(*CHOSEN)
    card = api_as("reader").get(f"/api/v1/scorecards/strategic/cfe?period={PERIOD}").json()
    assert card["scope"] == "strategic:cfe"
    assert card["indicators"] == []
    assert sum(line["count"] for line in card["summary"]) == 0


def test_an_unknown_directorate_is_a_404_problem_and_a_role_is_needed(api_as: Any) -> None:
    response = api_as("reader").get("/api/v1/scorecards/strategic/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert "nope" in response.json()["detail"]
    assert api_as("no_role").get("/api/v1/scorecards/strategic").status_code == 403
