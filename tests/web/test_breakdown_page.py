"""The indicator page shows an indicator's groups (breakdowns.csv): the card's small table and a
chart of the groups over the quarter's months, with its text alternative; only approved
figures, and nothing for an indicator without a breakdown."""

from __future__ import annotations

import json
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from altair.vegalite.v6.schema.core import Root

from kpiboard.analysis.periods import parse_period
from kpiboard.reports.breakdown_chart import breakdown_chart
from kpiboard.reports.breakdown_table import group_grid
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.evaluation import evaluate_period
from kpiboard.web.register.dataset import organisation
from web.test_dashboards import page, select, text

pytestmark = pytest.mark.django_db

Q2 = parse_period("2024/25 Q2")


def test_the_page_of_190_tables_and_charts_its_services(client_as: Any) -> None:
    doc = page(client_as("reader"), "/indicators/190/?period=2024-25-q2")
    assert text(select(doc, "h2#groups")[0]) == "By service"
    headers = [text(th) for th in select(doc, "#groups-data thead th")]
    assert headers == ["Service", "July 2024", "August 2024", "September 2024"]
    rows = [[text(cell) for cell in row] for row in select(doc, "#groups-data tbody tr")]
    assert rows[0] == ["Registration", "78.0%", "61.0%", "72.0%"]
    assert rows[1] == ["Education Transport", "82.0%", "66.0%", "75.0%"]
    assert rows[-1] == ["All (190's own figure)", "85.1%", "76.1%", "84.7%"]
    caption = text(select(doc, "#groups-caption")[0])
    assert "August 2024: lowest Registration 61.0% (the indicator's own figure 76.1%)" in caption
    assert "not judged against the target" in caption
    spec = json.loads(select(doc, "script#groups-chart-spec")[0].text)
    Root.validate(spec)
    result = evaluate_period(Q2).result("190")
    grid = group_grid(result, organisation())
    assert grid is not None
    assert spec == json.loads(json.dumps(breakdown_chart(result, grid, Q2)))
    assert select(doc, "#groups-chart")[0].get("data-vega-spec") == "groups-chart-spec"
    values = {(row["series"], row["period"]): row["value"] for row in spec["data"]["values"]}
    assert values["Registration", "August 2024"] == 61.0
    assert values["All (190's own figure)", "August 2024"] == 76.1


def test_an_indicator_without_a_breakdown_has_no_groups_section(client_as: Any) -> None:
    doc = page(client_as("reader"), "/indicators/182/?period=2024-25-q2")
    assert not select(doc, "h2#groups")
    assert not select(doc, "script#groups-chart-spec")


def test_groups_of_a_return_not_yet_approved_are_not_shown(client_as: Any) -> None:
    Return.objects.filter(indicator__ref="190", period="2024-08").update(
        state=ReturnState.SUBMITTED
    )
    response = client_as("reader").get("/indicators/190/?period=2024-25-q2")
    doc = lxml.html.fromstring(response.content.decode())
    headers = [text(th) for th in select(doc, "#groups-data thead th")]
    assert headers == ["Service", "July 2024", "September 2024"]
