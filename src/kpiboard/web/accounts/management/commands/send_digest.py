"""``kpiboard send_digest``: e-mail the performance team one list of the returns submitted in the
last day (with KPIBOARD_RETURNS_DIGEST set, in place of a message per submission)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kpiboard.web import notifications


class Command(BaseCommand):
    help = "E-mail the performance team the returns submitted in the last --hours (24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        since = timezone.now() - dt.timedelta(hours=options["hours"])
        sent = notifications.digest(since)
        self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
