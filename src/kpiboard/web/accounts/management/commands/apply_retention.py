"""``kpiboard apply_retention``: apply the retention schedule for personal data
(web/accounts/retention.py); run it daily, from cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kpiboard.web.accounts.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete or erase the personal data past its retention period: audit rows, sign-in "
        "records, expired sessions, and switched-off accounts not signed in for "
        "KPIBOARD_ACCOUNT_RETENTION_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would go; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = retention_apply(dry_run=options["dry_run"])
        verb = "Would go" if options["dry_run"] else "Gone"
        for key, value in counts.items():
            self.stdout.write(f"{verb}: {key}: {value}")
