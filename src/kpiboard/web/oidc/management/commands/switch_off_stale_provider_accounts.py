"""``kpiboard switch_off_stale_provider_accounts``: switch off the accounts linked to the identity
provider that have not signed in through it for a while (web/oidc/freshness.py); run it daily,
from cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kpiboard.web.oidc.config import configured
from kpiboard.web.oidc.freshness import SWITCH_OFF_FACTOR, switch_off_stale


class Command(BaseCommand):
    help = (
        "Switch off (is_active=False) each account linked to the identity provider that has "
        "not signed in through it for N days (default: KPIBOARD_OIDC_TOKEN_DAYS x "
        f"{SWITCH_OFF_FACTOR}), each recorded in the audit log. Accounts with kpiboard's own "
        "passwords only are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days without a sign-in through the provider (default: "
            f"KPIBOARD_OIDC_TOKEN_DAYS x {SWITCH_OFF_FACTOR}, 90 unless set).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list who would be switched off."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provider = configured()
        if provider is None:
            self.stdout.write(
                "No identity provider is configured (KPIBOARD_OIDC_ISSUER): nothing to do."
            )
            return
        days = options["days"]
        if days is None:
            days = provider.token_days * SWITCH_OFF_FACTOR
        if days < 1:
            raise CommandError(f"--days {days}: expected a whole number of days, 1 or more")
        users = switch_off_stale(days, timezone.now(), dry_run=options["dry_run"])
        verb = "Would switch off" if options["dry_run"] else "Switched off"
        for user in users:
            self.stdout.write(f"{verb}: {user.get_username()}")
        self.stdout.write(
            f"{verb} {len(users)} account{'s' if len(users) != 1 else ''} not signed in with "
            f"{provider.name} for {days} days or more."
        )
