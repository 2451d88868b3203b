"""Today, as the web app counts it: the real date, or for demonstrations and training the day
``KPIBOARD_TODAY`` names (``2025-01-10``), so that a demo of the 2024/25 quarter shows returns
late by days, not by years. Off unless set; every page says so while it is on."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

__all__ = ["pretend_today", "today"]


def pretend_today() -> dt.date | None:
    """The day the site pretends it is, or None when it tells the real date."""
    value = getattr(settings, "KPIBOARD_TODAY", None)
    return value if isinstance(value, dt.date) else None


def today() -> dt.date:
    """The date lateness and due dates are counted from."""
    return pretend_today() or timezone.localdate()
