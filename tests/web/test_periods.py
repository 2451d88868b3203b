"""One period everywhere (issue 13): every page opens on the same period by one rule, offers the
same select, and marks a quarter whose months are not all approved as incomplete, with the count
of missing months. The demo collects 2024/25 Q3 (organisation.toml) and has figures to Q2."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest

from kpiboard.analysis.periods import Frequency, Period, parse_period
from kpiboard.web import period_choice
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation

pytestmark = pytest.mark.django_db

Q2, Q3 = parse_period("2024/25 Q2"), parse_period("2024/25 Q3")
#: Each page with its period select, and who may open it.
PAGES = (
    ("reader", "/scorecard/"),
    ("reader", "/scorecard/directorate/snp/"),
    ("reader", "/scorecard/committee/srp/"),
    ("reader", "/indicators/182/"),
    ("reader", "/register/"),
    ("owner", "/returns/"),
    ("performance", "/review/outstanding/"),
)


def _select(client: Any, url: str) -> tuple[str, list[str]]:
    """The page's chosen period and every period its select offers."""
    response = client.get(url)
    assert response.status_code == 200, url
    doc = lxml.html.fromstring(response.content)
    options = doc.xpath("//select[@id='period']/option")
    assert options, f"{url} has no period select"
    chosen = [o.get("value") for o in options if o.get("selected") is not None]
    return chosen[0], [o.get("value") for o in options]


def _approve(refs_and_periods: list[tuple[models.Indicator, Period]]) -> None:
    for indicator, period in refs_and_periods:
        Return.objects.create(
            indicator=indicator,
            period=period.label,
            period_start=period.start,
            value=Decimal(1),
            numerator=Decimal(1),
            denominator=Decimal(2),
            state=ReturnState.APPROVED,
        )


def _active(frequency: Frequency) -> list[models.Indicator]:
    return list(
        models.Indicator.objects.filter(
            lifecycle=models.Lifecycle.ACTIVE, frequency=frequency.value
        ).order_by("pk")
    )


def test_every_page_opens_on_the_same_period_and_offers_the_same_select(client_as: Any) -> None:
    seen = {url: _select(client_as(role), url) for role, url in PAGES}
    chosen = {url: found[0] for url, found in seen.items()}
    assert set(chosen.values()) == {"2024-25-q3"}, chosen
    offered = {tuple(found[1]) for found in seen.values()}
    assert len(offered) == 1, offered
    # From the quarter being collected back to the first with an approved figure (the demo's
    # first figure is for 2015/16, an annual one: the year's first quarter), newest first, with
    # no quarter left out.
    (choices,) = offered
    assert choices[0] == "2024-25-q3"
    assert choices[-1] == "2015-16-q1"
    assert len(choices) == 9 * 4 + 3


def test_the_default_is_the_quarter_being_collected_by_the_clock(settings: Any) -> None:
    """Without organisation.toml's current_period, the quarter being collected is the last one
    ended on the site's today: Q3 (October to December) on 10 January 2025, Q4 on 1 April."""
    org = organisation()
    unset = dataclasses.replace(org, extra={})
    settings.KPIBOARD_TODAY = dt.date(2025, 1, 10)
    assert period_choice.default_period(unset) == Q3
    settings.KPIBOARD_TODAY = dt.date(2025, 4, 1)
    assert period_choice.default_period(unset) == parse_period("2024/25 Q4")
    settings.KPIBOARD_TODAY = dt.date(2024, 12, 31)
    assert period_choice.default_period(unset) == Q2
    assert period_choice.default_period(org) == Q3  # the demo's setting wins


def test_a_quarter_fills_month_by_month_and_the_mark_goes_when_all_are_approved(
    client_as: Any,
) -> None:
    monthly, quarterly = _active(Frequency.MONTH), _active(Frequency.QUARTER)
    assert monthly
    assert quarterly
    october, november, december = Q3.subperiods(Frequency.MONTH)
    figures = 3 * len(monthly) + len(quarterly)  # by hand: three months each, one quarter each

    def mark(url: str = "/scorecard/", role: str = "reader") -> str:
        doc = lxml.html.fromstring(client_as(role).get(url).content)
        found = doc.xpath("//*[@id='period-completeness']")
        return " ".join(found[0].text_content().split()) if found else ""

    assert mark() == (
        f"Incomplete 2024/25 Q3: 3 of 3 months missing ({figures} of {figures} figures not yet "
        "approved)."
    )
    _approve([(i, october) for i in monthly])
    assert "3 of 3 months missing" in mark()  # the quarterly figures cover October too
    _approve([(i, Q3) for i in quarterly] + [(i, november) for i in monthly])
    assert mark() == (
        f"Incomplete 2024/25 Q3: 1 of 3 months missing ({len(monthly)} of {figures} figures not "
        "yet approved)."
    )
    assert "1 of 3 months missing" in mark("/register/")
    assert "1 of 3 months missing" in mark("/review/outstanding/", "performance")
    _approve([(i, december) for i in monthly[1:]])
    assert f"1 of 3 months missing (1 of {figures} figure" in mark()
    _approve([(monthly[0], december)])
    assert mark() == ""
    assert mark("/register/") == ""


def test_a_submitted_figure_is_not_an_approved_one() -> None:
    org = organisation()
    (indicator, *_rest) = _active(Frequency.MONTH)
    one = models.Indicator.objects.filter(pk=indicator.pk)
    months = Q3.subperiods(Frequency.MONTH)
    for month, state in zip(
        months, (ReturnState.APPROVED, ReturnState.SUBMITTED, ReturnState.DRAFT), strict=True
    ):
        Return.objects.create(
            indicator=indicator,
            period=month.label,
            period_start=month.start,
            value=Decimal(1),
            numerator=Decimal(1),
            denominator=Decimal(2),
            state=state,
        )
    found = period_choice.completeness(org, Q3, one)
    assert (found.months, found.missing_months, found.figures, found.figures_missing) == (
        3,
        2,
        3,
        2,
    )
    assert found.words == "Incomplete: 2 of 3 months missing (2 of 3 figures not yet approved)"


def test_an_indicator_row_whose_quarter_lacks_a_month_says_so_in_the_register(
    client_as: Any,
) -> None:
    (indicator, *_rest) = _active(Frequency.MONTH)
    _approve([(indicator, Q3.subperiods(Frequency.MONTH)[0])])
    page = client_as("reader").get("/register/?period=2024-25-q3").content.decode()
    row = re.search(
        rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(indicator.name)}(?:(?!</tr>).)*</tr>", page, re.S
    )
    assert row
    assert "(incomplete)" in row.group(0)


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_a_period_that_does_not_read_is_shown_beside_the_select_not_as_an_error(
    client_as: Any, role: str, url: str
) -> None:
    response = client_as(role).get(url + "?period=2024-25-q9")
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a reporting period" in page
    assert re.search(r'<option value="2024-25-q3" selected>', page)
