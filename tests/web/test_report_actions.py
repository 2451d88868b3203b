"""The owner's remedial actions reach the report the performance team generates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kpiboard.web.register.models import Indicator, RemedialAction
from kpiboard.web.reporting import services

pytestmark = pytest.mark.django_db


def test_remedial_actions_raised_by_the_period_are_in_the_preview(people: dict[str, Any]) -> None:
    foi = Indicator.objects.get(ref="182")
    RemedialAction.objects.create(
        indicator=foi,
        period="2024/25 Q2",
        what="Daily triage of new FOI requests",
        who="Information Governance Manager",
        due=dt.date(2024, 12, 31),
        state="in_progress",
    )
    RemedialAction.objects.create(
        indicator=foi,
        period="2024/25 Q4",
        what="Raised after the period",
        who="Head of Service",
        due=dt.date(2025, 6, 30),
    )
    run = services.run_create(
        scope_text="committee:srp", period_text="2024/25 Q2", user=people["performance"]
    )
    page = services.run_preview_html(run=run)
    expected = (
        "Daily triage of new FOI requests (Information Governance Manager, by 31 December 2024; "
        "in progress)"
    )
    assert expected in page
    assert "Raised after the period" not in page
