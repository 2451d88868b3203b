"""Every page at 375 px and 1280 px (issue 13): no page scrolls sideways, and no table cell or
other content is cut off, except inside a box of its own that scrolls (a wide table, with its
first column kept in view); axe-core finds no WCAG 2.2 A or AA violation at either width."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from browser import axe_violations, describe
from kpiboard.web.api.tokens import token_create
from kpiboard.web.reporting import services
from web.browsing import demo_council, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

#: Every page of each kind of person, by who reads it.
PAGES = {
    "perf": [
        "/",
        "/scorecard/",
        "/scorecard/committee/srp/",
        "/scorecard/directorate/fin/",
        "/indicators/190/",
        "/register/",
        "/register/182/",
        "/register/182/history/",
        "/register/import/",
        "/returns/",
        "/returns/186/2024-10/",
        "/review/",
        "/review/outstanding/",
        "/reports/",
        "/reports/{run}/",
        "/reports/narrative/?scope=srp&period=2024/25+Q2",
        "/published/",
        "/open-data/",
    ],
    "helen": ["/returns/", "/returns/182/2024-10/", "/register/", "/indicators/182/"],
    "reader": ["/scorecard/", "/register/", "/register/190/", "/accounts/", "/accounts/tokens/"],
}

#: The elements that reach past the right edge of the window, outside any box that scrolls.
CUT = """(width) => {
  const cut = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let parent = element.parentElement, scrolls = false;
    while (parent) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') { scrolls = true; break; }
      parent = parent.parentElement;
    }
    if (!scrolls) cut.push(element.outerHTML.slice(0, 80));
  }
  return cut.slice(0, 5);
}"""


@pytest.mark.parametrize("who", sorted(PAGES))
def test_no_page_scrolls_sideways_or_cuts_a_cell_at_375_or_1280_px(
    live_server: Any, page: Any, who: str
) -> None:
    site = demo_council(live_server)
    run = services.run_create(scope_text="committee:srp", period_text="2024/25 Q2", user=None)
    if who == "reader":  # a token listed, so that the tokens page shows its table
        token_create(
            user=get_user_model().objects.get(username="reader"),
            name="Power BI refresh of the committee's figures",
            scope="read",
            expires=timezone.now() + dt.timedelta(days=90),
        )
    sign_in(page, site, who)
    problems = []
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES[who]:
            answer = page.goto(site + path.format(run=run.pk))
            assert answer is not None
            assert answer.status == 200, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{path} at {width} px is {scroll} px wide")
            cut = page.evaluate(CUT, width)
            if cut:
                problems.append(f"{path} at {width} px cuts {cut}")
            violations = axe_violations(page)
            if violations:
                problems.append(f"{path} at {width} px: {describe(violations)}")
    assert problems == [], "\n".join(problems)
