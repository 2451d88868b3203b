"""``kpiboard erase_user USERNAME``: erase a person's account at their request, as agreed with the
council's data protection officer (web/accounts/personal_data.py says what goes and what stays)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpiboard.web.accounts.personal_data import ErasureRefusedError, person_erase, pseudonym
from kpiboard.web.accounts.roles import is_administrator


class Command(BaseCommand):
    help = (
        "Erase a person's account: deactivated, renamed to a pseudonym (erased-<id>), name and "
        "e-mail address emptied, sessions, API tokens and second factors removed; the audit log "
        "and the returns they left name the pseudonym. Not the last active administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The account to erase.")
        parser.add_argument(
            "--by",
            required=True,
            help="Your own username: the administrator doing this, recorded in the audit log.",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="Why, for the audit log (a request reference, not the person's name).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask to confirm by typing the username.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        username = options["username"]
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account with the username {username!r}.")
        by = users.filter(username=options["by"], is_active=True).first()
        if by is None or not is_administrator(by):
            raise CommandError(
                f"--by {options['by']!r}: expected the username of an active administrator."
            )
        if options["interactive"]:
            typed = input(
                f"This erases {username} for good (it becomes {pseudonym(user)}). "
                "Type the username again to go on: "
            )
            if typed.strip() != username:
                raise CommandError("Not erased: the username typed did not match.")
        old_address = user.email
        try:
            counts = person_erase(user=user, by=by, reason=options["reason"])
        except ErasureRefusedError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Erased: the account is now {pseudonym(user)}.")
        for key, value in counts.items():
            self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        self._owned_indicators(old_address)

    def _owned_indicators(self, address: str) -> None:
        """Indicators name their owner by e-mail address: those that named this person's are
        listed, for the performance team to give a new owner (the register is theirs)."""
        from kpiboard.web.register.models import Indicator

        if not address:
            return
        refs = list(Indicator.objects.filter(owner__iexact=address).values_list("ref", flat=True))
        if refs:
            self.stdout.write(
                f"Indicators whose owner is still their old address (give each a new owner): "
                f"{', '.join(refs)}"
            )
