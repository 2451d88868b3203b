"""``kpiboard send_reminders``: e-mail each owner the returns of the quarter being collected that
are due within a few days or late. Run it once a day (cron, a systemd timer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kpiboard.web import clock, notifications
from kpiboard.web.collection.views import due_returns
from kpiboard.web.periods import current_period
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation


class Command(BaseCommand):
    help = "E-mail owners their returns due within --before days, or late."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", type=int, default=5, help="days ahead (default 5)")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or clock.today()
        org = organisation()
        reporting = current_period(org)
        due = due_returns(org, reporting, models.Indicator.objects.all(), today)
        sent = notifications.reminders(due, today, options["before"])
        self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''} for {reporting.label}.")
