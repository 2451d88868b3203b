"""The demo in its own time (issue 13): with KPIBOARD_TODAY set, lateness is counted from that
day and every page says the site is pretending; without it, the real date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from kpiboard.web import clock

pytestmark = pytest.mark.django_db


def test_without_the_setting_today_is_today(settings: Any) -> None:
    settings.KPIBOARD_TODAY = None
    assert clock.today() == dt.date.today()
    assert clock.pretend_today() is None


def test_the_demo_day_counts_lateness_and_every_page_says_so(settings: Any, client_as: Any) -> None:
    settings.KPIBOARD_TODAY = dt.date(2025, 1, 10)
    page = client_as("performance").get("/review/outstanding/?period=2024-25-q3").content.decode()
    assert "Today is taken to be 10 January 2025" in page
    # By hand: October's returns were due on 15 November 2024, 56 days before 10 January 2025;
    # none is hundreds of days late, as they would be counted from the real date.
    late = re.findall(r'govuk-table__cell--numeric">(\d+)</td>', page)
    assert "56" in late
    assert all(int(days) < 100 for days in late)
    public = client_as("reader").get("/register/").content.decode()
    assert "Today is taken to be 10 January 2025" in public
