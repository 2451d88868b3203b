"""The HTML's charts in real Chromium (issue 12): at 1280 px each fits the text column (none
breaks out of it); at 375 px each keeps its text at 12 px or more, in a region that scrolls
sideways (keyboard-focusable, named), the page itself never wider than the screen.

A chart's smallest text is 11 px as vl-convert draws it; on the page it is 11 px times the
ratio of the chart's drawn width to its viewBox width.
"""

from __future__ import annotations

from typing import Any

import pytest

from kpiboard.reports.pack import PackResult

MEASURE = """() => {
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const box = main.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  return [...document.querySelectorAll('.chart svg.marks')].map(svg => {
    const drawn = svg.getBoundingClientRect();
    const scale = drawn.width / svg.viewBox.baseVal.width;
    const texts = [...svg.querySelectorAll('text')];
    const sizes = texts.map(t => parseFloat(t.getAttribute('font-size')));
    const region = svg.closest('.chart-scroll');
    const area = region.getBoundingClientRect();
    return {
      label: svg.getAttribute('aria-label').slice(0, 60),
      left: drawn.left - left,
      right: right - drawn.right,
      regionLeft: area.left - left,
      regionRight: right - area.right,
      smallest: Math.min(...sizes) * scale,
      focusable: region.tabIndex === 0,
      named: region.getAttribute('role') === 'region' && !!region.getAttribute('aria-label'),
    };
  });
}"""


@pytest.fixture(params=["srp", "ahc"])
def html(request: pytest.FixtureRequest, demo_pack: PackResult) -> str:
    """The srp pack (line and control charts) and ahc's (statistical neighbours charts)."""
    if request.param == "srp":
        return demo_pack.files["html"].as_uri()
    pack: PackResult = request.getfixturevalue("neighbours_pack")
    return pack.files["html"].as_uri()


def charts_at(page: Any, url: str, width: int) -> list[dict[str, Any]]:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    charts: list[dict[str, Any]] = page.evaluate(MEASURE)
    assert len(charts) >= 14  # 13 cards' charts at least
    return charts


def test_at_1280_pixels_every_chart_fits_the_text_column(page: Any, html: str) -> None:
    for chart in charts_at(page, html, 1280):
        assert chart["left"] >= -0.5, chart
        assert chart["right"] >= -0.5, chart
        assert chart["smallest"] >= 11.5, chart  # near its own size or larger


def test_at_375_pixels_chart_text_is_12_pixels_or_more(page: Any, html: str) -> None:
    for chart in charts_at(page, html, 375):
        assert chart["smallest"] >= 12, chart
        assert chart["regionLeft"] >= -0.5, chart
        assert chart["regionRight"] >= -0.5, chart
        assert chart["focusable"], chart
        assert chart["named"], chart
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
