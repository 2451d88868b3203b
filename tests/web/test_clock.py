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


def test_a_return_sent_today_in_the_demo_is_late_by_the_demo_days(settings: Any) -> None:
    """Sent now on a site pretending it is 10 January 2025, October's return (due 15 November
    2024) is 56 days late, as every other lateness there is counted, not two years late; its
    recorded time stays the real one. Without the setting, the real date counts."""
    from django.utils import timezone

    from kpiboard.web.collection.context import days_late

    due = dt.date(2024, 11, 15)
    now = timezone.now()
    settings.KPIBOARD_TODAY = dt.date(2025, 1, 10)
    assert days_late(due, now) == 56  # by hand: 16 days of November, 31 of December, 9 of January
    sent_before = timezone.make_aware(dt.datetime(2024, 11, 20, 9, 0))
    assert days_late(due, sent_before) == 5  # sent before the pretend day: its own date counts
    assert days_late(due, timezone.make_aware(dt.datetime(2024, 11, 15, 23, 30))) == 0
    settings.KPIBOARD_TODAY = None
    assert days_late(due, now) == (timezone.localdate() - due).days
    # Sent at 23:30 UTC on 15 July 2024, it is 00:30 on 16 July in London (summer time): a day
    # late for a return due on 15 July, by the council's calendar.
    sent = dt.datetime(2024, 7, 15, 23, 30, tzinfo=dt.UTC)
    assert days_late(dt.date(2024, 7, 15), sent) == 1
