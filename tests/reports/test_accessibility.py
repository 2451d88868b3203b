"""The HTML report passes axe-core's WCAG 2.2 A and AA rules in real Chromium."""

from __future__ import annotations

from typing import Any

from browser import axe_violations, describe
from kpiboard.reports.pack import PackResult


def test_no_wcag_violations(page: Any, demo_pack: PackResult) -> None:
    page.goto(demo_pack.files["html"].as_uri())
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_no_wcag_violations_at_320_pixels(page: Any, demo_pack: PackResult) -> None:
    """Narrow screens: the page reflows, nothing needs sideways scrolling but the data tables."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(demo_pack.files["html"].as_uri())
    assert axe_violations(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320


def test_no_wcag_violations_with_neighbour_charts(page: Any, neighbours_pack: PackResult) -> None:
    """Cards with a neighbour chart and no control chart: every chart's table and heading."""
    html = neighbours_pack.files["html"].read_text(encoding="utf-8")
    assert html.count('class="chart-panel chart-panel--neighbours"') == 7
    page.goto(neighbours_pack.files["html"].as_uri())
    violations = axe_violations(page)
    assert violations == [], describe(violations)
