"""``kpiboard seed_demo DATA``: load a data folder and give every role a demo account.

Imports the folder (as ``kpiboard import`` does), then makes or resets one account per role and
one per indicator owner named in the register, each with a new random password, printed once.
For a demonstration database only: it refuses to run unless DEBUG is on or --force is given.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from kpiboard.web.accounts import roles
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.models import Indicator
from kpiboard.web.register.transfer import plan_import, read_source

STAFF = (
    ("admin", roles.ADMINISTRATOR, "Alex", "Administrator", "admin@example.gov.uk"),
    ("performance", roles.PERFORMANCE, "Priya", "Shah", "performance@example.gov.uk"),
    ("reader", roles.READER, "Cllr Robin", "Hale", "robin.hale@example.gov.uk"),
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("data", type=Path)
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args: Any, data: Path, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo makes accounts with printed passwords: DEBUG must be on")
        plan = plan_import(read_source(data), str(data))
        if not plan.empty:
            apply_plan(plan, None)
        users = get_user_model()
        accounts = list(STAFF)
        owners = sorted({o.lower() for o in Indicator.objects.values_list("owner", flat=True) if o})
        for email in owners:
            first, _, last = email.split("@")[0].partition(".")
            accounts.append((first, roles.OWNER, first.capitalize(), last.capitalize(), email))
        self.stdout.write("Demo accounts (passwords are new each time this runs):")
        for username, role, first, last, email in accounts:
            user, _ = users.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.email = first, last, email
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = role == roles.ADMINISTRATOR
            user.is_superuser = role == roles.ADMINISTRATOR
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:<16} {username:<10} {password}   {email}")
