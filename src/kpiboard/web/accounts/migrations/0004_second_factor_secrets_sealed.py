"""Every authenticator app set up before secrets were sealed moves from django-otp's
``otp_totp.TOTPDevice`` (secret in clear) to ``accounts.EncryptedTOTPDevice`` (secret sealed
under the current key, web/accounts/encryption.py), keeping its settings, its last code and its
throttle, so that the person's app goes on working; the clear rows are then deleted. Someone
signed in with a code gives one again at their next request. Reversible: the secrets are opened
and put back in clear."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from kpiboard.web.accounts.encryption import open_secret, seal_secret

COPIED = (
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def _purpose(user_id: int) -> str:
    return f"totp user {user_id}"  # as EncryptedTOTPDevice.purpose


def seal(apps: Any, schema_editor: Any) -> None:
    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("accounts", "EncryptedTOTPDevice")
    for device in clear.objects.order_by("pk"):
        new = sealed.objects.create(
            user_id=device.user_id,
            sealed_key=seal_secret(bytes.fromhex(device.key), purpose=_purpose(device.user_id)),
            **{name: getattr(device, name) for name in COPIED},
        )
        sealed.objects.filter(pk=new.pk).update(
            created_at=device.created_at, last_used_at=device.last_used_at
        )
        device.delete()


def unseal(apps: Any, schema_editor: Any) -> None:
    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("accounts", "EncryptedTOTPDevice")
    for device in sealed.objects.order_by("pk"):
        key = open_secret(device.sealed_key, purpose=_purpose(device.user_id))
        new = clear.objects.create(
            user_id=device.user_id,
            key=key.hex(),
            **{name: getattr(device, name) for name in COPIED},
        )
        clear.objects.filter(pk=new.pk).update(
            created_at=device.created_at, last_used_at=device.last_used_at
        )
        device.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_second_factor_sealed"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal, unseal)]
