"""``kpiboard prune_audit``: delete audit rows older than KPIBOARD_AUDIT_RETENTION_DAYS (run it
daily, from cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kpiboard.web.audit.services import audit_prune, retention_days


class Command(BaseCommand):
    help = "Delete audit log rows older than the retention period (KPIBOARD_AUDIT_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days instead of the setting's ({retention_days()}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the rows that would go."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count, cutoff = audit_prune(days=options["days"], dry_run=options["dry_run"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"{verb} {count} audit row{'s' if count != 1 else ''} from before "
            f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M}."
        )
