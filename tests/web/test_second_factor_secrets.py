"""Second-factor secrets sealed at rest (ASVS 2.8.2, 8.3.7): the database holds each authenticator
app's secret only as AES-256-GCM ciphertext under a key derived from ``KPIBOARD_FIELD_KEY`` or
``SECRET_KEY``; codes from the person's app still work; a secret altered or moved in the database
signs no one in; the key can be changed (web/accounts/encryption.py)."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from base64 import b32encode
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.urls import reverse

from kpiboard.web.accounts.encryption import UnreadableSecretError, is_sealed_with_current_key
from kpiboard.web.accounts.models import EncryptedTOTPDevice
from kpiboard.web.audit.models import AuditEvent
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

#: RFC 6238's test secret, "12345678901234567890".
SECRET = b"12345678901234567890"
SECRET_HEX = SECRET.hex()  # 3132333435363738393031323334353637383930
SECRET_BASE32 = b32encode(SECRET).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ


def _code_at(secret: bytes, at: float, digits: int = 6, step: int = 30) -> str:
    """RFC 6238 TOTP-SHA1 written out here, not django-otp's, so that the check is independent."""
    mac = hmac.new(secret, struct.pack(">Q", int(at // step)), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def test_the_independent_code_is_rfc_6238_s() -> None:
    """RFC 6238, appendix B: at 59 s and 1111111109 s, SHA-1, eight digits."""
    assert _code_at(SECRET, 59, digits=8) == "94287082"
    assert _code_at(SECRET, 1111111109, digits=8) == "07081804"


def _row(device: EncryptedTOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_encryptedtotpdevice WHERE id = %s", [device.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def _device(user: Any, secret: bytes = SECRET) -> EncryptedTOTPDevice:
    device = EncryptedTOTPDevice(user=user, name="Authenticator app", confirmed=True)
    device.set_secret(secret)
    device.save()
    return device


def _password_step(user: Any) -> Client:
    client = Client()
    signed = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert signed.status_code == 302
    assert signed["Location"].startswith(reverse("two_factor_verify"))
    return client


def _gives_code(client: Client, code: str) -> Any:
    return client.post(reverse("two_factor_verify"), {"code": code})


def _verified(client: Client) -> bool:
    """Whether the session reaches a page behind the second factor."""
    return bool(client.get(reverse("account")).status_code == 200)


def _tamper(device: EncryptedTOTPDevice) -> None:
    """Change one character of the sealed secret's ciphertext, as someone with the database
    might."""
    stored = device.sealed_key
    position = len(stored) // 2
    changed = "A" if stored[position] != "A" else "B"
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(
        sealed_key=stored[:position] + changed + stored[position + 1 :]
    )


# At rest -------------------------------------------------------------------------------------


def test_the_database_row_holds_no_readable_secret(people: dict[str, Any]) -> None:
    device = _device(people["owner"])
    row = _row(device)
    for form in (SECRET_HEX, SECRET_HEX.upper(), SECRET_BASE32, SECRET.decode()):
        assert form not in row
    assert device.sealed_key in row
    assert device.sealed_key.startswith("v1$")
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == SECRET


def test_a_secret_made_at_set_up_is_not_in_the_row_either(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["reader"])
    page = client.get(reverse("two_factor_setup"))
    device = EncryptedTOTPDevice.objects.get(user=people["reader"])
    secret = device.bin_key
    assert len(secret) == 20
    shown = b32encode(secret).decode()
    assert " ".join(shown[i : i + 4] for i in range(0, 32, 4)) in page.content.decode()
    row = _row(device)
    assert secret.hex() not in row
    assert shown not in row


def test_a_copy_of_the_database_without_the_key_opens_no_secret(
    people: dict[str, Any], settings: Any
) -> None:
    device = _device(people["owner"])
    settings.SECRET_KEY = "another server's key"
    settings.SECRET_KEY_FALLBACKS = []
    settings.KPIBOARD_FIELD_KEY = []
    with pytest.raises(UnreadableSecretError):
        _ = EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key


# Codes still work ----------------------------------------------------------------------------


def test_a_code_computed_from_the_plain_secret_signs_in(people: dict[str, Any]) -> None:
    _device(people["owner"])
    client = _password_step(people["owner"])
    assert not _verified(client)
    done = _gives_code(client, _code_at(SECRET, time.time()))
    assert done.status_code == 302, done.content
    assert _verified(client)


# Tampering -----------------------------------------------------------------------------------


def test_a_tampered_secret_signs_no_one_in_and_is_recorded(people: dict[str, Any]) -> None:
    device = _device(people["owner"])
    _tamper(device)
    client = _password_step(people["owner"])
    refused = _gives_code(client, _code_at(SECRET, time.time()))
    assert refused.status_code == 200
    assert b"That code is not right" in refused.content
    assert not _verified(client)
    event = AuditEvent.objects.filter(action="second_factor_failed").get()
    assert "integrity check" in event.detail


def test_a_secret_copied_from_another_persons_row_is_refused(people: dict[str, Any]) -> None:
    """Sealed secrets are bound to their holder: someone able to write to the database cannot
    put their own app's secret in an administrator's row."""
    mine = _device(people["reader"])
    theirs = _device(people["administrator"], secret=bytes(20))
    EncryptedTOTPDevice.objects.filter(pk=theirs.pk).update(sealed_key=mine.sealed_key)
    client = _password_step(people["administrator"])
    refused = _gives_code(client, _code_at(SECRET, time.time()))
    assert refused.status_code == 200
    assert not _verified(client)


@pytest.mark.parametrize("stored", ["", "v1$", "v1$%%%", "v2$AAAA", SECRET_HEX])
def test_a_garbled_secret_is_refused_without_an_error(people: dict[str, Any], stored: str) -> None:
    device = _device(people["owner"])
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(sealed_key=stored)
    client = _password_step(people["owner"])
    refused = _gives_code(client, _code_at(SECRET, time.time()))
    assert refused.status_code == 200
    assert not _verified(client)


def test_a_tampered_secret_being_set_up_is_replaced(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["reader"])
    client.get(reverse("two_factor_setup"))
    first = EncryptedTOTPDevice.objects.get(user=people["reader"])
    _tamper(first)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    (second,) = EncryptedTOTPDevice.objects.filter(user=people["reader"])
    assert second.pk != first.pk
    assert second.is_readable()


# Changing the key ----------------------------------------------------------------------------


def test_a_new_field_key_opens_old_secrets_until_they_are_sealed_again(
    people: dict[str, Any], settings: Any
) -> None:
    """The rotation the admin guide gives: new key first, `reencrypt_secrets`, old key gone."""
    device = _device(people["owner"])  # sealed under SECRET_KEY: no field key set
    before = device.sealed_key
    settings.KPIBOARD_FIELD_KEY = ["the new field key"]
    assert not is_sealed_with_current_key(before, purpose=device.purpose)
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == SECRET  # SECRET_KEY opens

    call_command("reencrypt_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    device.refresh_from_db()
    assert device.sealed_key != before
    assert is_sealed_with_current_key(device.sealed_key, purpose=device.purpose)

    settings.SECRET_KEY = "a changed SECRET_KEY"  # the field key alone now opens it
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == SECRET
    client = _password_step(people["owner"])
    assert _gives_code(client, _code_at(SECRET, time.time())).status_code == 302

    settings.KPIBOARD_FIELD_KEY = ["a newer key", "the new field key"]
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == SECRET
    settings.KPIBOARD_FIELD_KEY = ["a newer key"]
    assert not EncryptedTOTPDevice.objects.get(pk=device.pk).is_readable()


def test_sealing_again_changes_nothing_if_a_secret_opens_with_no_key(
    people: dict[str, Any], settings: Any
) -> None:
    good = _device(people["owner"])
    bad = _device(people["reader"])
    _tamper(bad)
    settings.KPIBOARD_FIELD_KEY = ["the new field key"]
    with pytest.raises(CommandError, match=f"{bad.pk} \\(user {people['reader'].pk}\\)"):
        call_command("reencrypt_secrets")
    assert EncryptedTOTPDevice.objects.get(pk=good.pk).sealed_key == good.sealed_key


@override_settings(KPIBOARD_FIELD_KEY=["a dedicated key"])
def test_with_a_field_key_set_secret_key_alone_opens_nothing(people: dict[str, Any]) -> None:
    device = _device(people["owner"])
    with override_settings(KPIBOARD_FIELD_KEY=[]):
        assert not EncryptedTOTPDevice.objects.get(pk=device.pk).is_readable()


# The migration -------------------------------------------------------------------------------


@pytest.fixture
def migrator(transactional_db: Any) -> Any:
    """Migrate to a given migration; put everything back at the latest afterwards."""
    executor = MigrationExecutor(connection)

    def migrate(target: tuple[str, str] | None) -> None:
        """To ``target``; None: every app to its latest."""
        executor.loader.build_graph()
        executor.migrate([target] if target else executor.loader.graph.leaf_nodes())

    yield migrate
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_seals_existing_secrets_and_they_keep_working(migrator: Any) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    migrator(("accounts", "0003_second_factor_sealed"))
    user = get_user_model().objects.create_user(username="kept", password=PASSWORD)
    old = TOTPDevice.objects.create(
        user_id=user.pk, name="phone", key=SECRET_HEX, last_t=5, drift=1
    )

    migrator(None)  # through 0004_second_factor_secrets_sealed
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    device = EncryptedTOTPDevice.objects.get(user=user)
    assert (device.name, device.confirmed, device.last_t, device.drift) == ("phone", True, 5, 1)
    assert device.bin_key == SECRET
    row = _row(device)
    assert SECRET_HEX not in row
    assert SECRET_BASE32 not in row
    device.drift = 0
    device.save()
    client = _password_step(user)
    assert _gives_code(client, _code_at(SECRET, time.time())).status_code == 302
