"""``kpiboard reencrypt_secrets``: seal every second-factor secret again under the current key,
the step of changing ``KPIBOARD_FIELD_KEY`` (or ``SECRET_KEY``) between adding the new key and
removing the old one (web/accounts/encryption.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kpiboard.web.accounts.encryption import UnreadableSecretError, is_sealed_with_current_key
from kpiboard.web.accounts.models import EncryptedTOTPDevice


class Command(BaseCommand):
    help = (
        "Seal every second-factor secret again under the current key (the first of "
        "KPIBOARD_FIELD_KEY, or SECRET_KEY): run it after putting a new key first and before "
        "removing the old one. Fails, changing nothing, if a secret opens with no configured key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved = kept = 0
        unreadable: list[str] = []
        with transaction.atomic():
            for device in EncryptedTOTPDevice.objects.select_for_update().order_by("pk"):
                if is_sealed_with_current_key(device.sealed_key, purpose=device.purpose):
                    kept += 1
                    continue
                try:
                    device.set_secret(device.bin_key)
                except UnreadableSecretError:
                    unreadable.append(f"{device.pk} (user {device.user_id})")
                    continue
                device.save(update_fields=["sealed_key"])
                moved += 1
            if unreadable:  # raised inside the transaction: nothing is changed
                raise CommandError(
                    "No configured key opens the secrets of these authenticator apps: "
                    f"{', '.join(unreadable)}. Put the old key back in KPIBOARD_FIELD_KEY (after "
                    "the new one) or SECRET_KEY_FALLBACKS, or remove those apps in the admin."
                )
        self.stdout.write(f"{moved} sealed again under the current key, {kept} already were.")
