"""Accounts use Django's own User; roles are groups (see :mod:`kpiboard.web.accounts.roles`).

:class:`SignedInSession` lists where each person is signed in, so that *Your account* can show
their sessions and end any of them (ASVS 3.3.4); :mod:`kpiboard.web.accounts.sessions` keeps it.

:class:`EncryptedTOTPDevice` is a person's authenticator app (web/accounts/two_factor.py):
django-otp's ``TOTPDevice`` with its secret sealed (web/accounts/encryption.py), not in clear
(ASVS 2.8.2).
"""

from __future__ import annotations

import logging
import os
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpiboard.web.accounts.encryption import UnreadableSecretError, open_secret, seal_secret

logger = logging.getLogger(__name__)


class SignedInSession(models.Model):
    """One signed-in session of a person: made when they sign in, gone when they sign out or the
    session is ended from *Your account*. The session itself lives in Django's session store,
    under ``session_key``; this row says whose it is, and from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = "signed-in session"

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


#: Bytes in a new secret: 160 bits, as RFC 4226 recommends and django-otp gives.
SECRET_BYTES = 20


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """A TOTP authenticator app whose secret is stored sealed (AES-256-GCM, bound to its holder),
    so that a copy of the database alone gives no one the codes.

    The fields and the checking of codes are django-otp's ``TOTPDevice``'s (``verify_token``,
    ``config_url`` are borrowed from it); only the secret differs. A new device gets a random
    secret unless :meth:`set_secret` gives one. A secret that no configured key opens (altered,
    moved from another row, its key gone) checks no code.
    """

    sealed_key = models.TextField(
        editable=False, help_text="The secret, sealed (web/accounts/encryption.py)."
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    #: django-otp's manager (``devices_for_user``), typed for this model: django-otp has no types.
    objects: ClassVar[models.Manager[EncryptedTOTPDevice]]

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "authenticator app"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._new_key: bytes | None = None

    def set_secret(self, secret: bytes) -> None:
        """Use ``secret`` (sealed when the device is next saved) instead of a random one."""
        self._new_key = secret

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._new_key is None and not self.sealed_key:
            self._new_key = os.urandom(SECRET_BYTES)
        if self._new_key is not None:
            self.sealed_key = seal_secret(self._new_key, purpose=self.purpose)
            self._new_key = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sealed_key"}
        super().save(*args, **kwargs)

    @property
    def purpose(self) -> str:
        """What the sealed secret is bound to: this kind of secret, of this person."""
        return f"totp user {self.user_id}"

    @property
    def bin_key(self) -> bytes:
        """The secret; :class:`~kpiboard.web.accounts.encryption.UnreadableSecretError` if no
        configured key opens it."""
        if self._new_key is not None:
            return self._new_key
        return open_secret(self.sealed_key, purpose=self.purpose)

    def is_readable(self) -> bool:
        """Whether a configured key opens the secret."""
        try:
            _ = self.bin_key
        except UnreadableSecretError:
            return False
        return True

    def verify_token(self, token: Any) -> bool:
        if not self.is_readable():
            logger.error(
                "The second-factor secret of user %s does not open with any configured key "
                "(altered in the database, or KPIBOARD_FIELD_KEY/SECRET_KEY changed without "
                "keeping the old one): no code is accepted from it",
                self.user_id,
            )
            self.throttle_increment(commit=True)
            return False
        return bool(TOTPDevice.verify_token(self, token))

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class SecurityKey(TimestampMixin, Device):  # type: ignore[misc]
    """A FIDO2 security key or passkey (WebAuthn), a second factor that answers a challenge
    bound to this site's address, so a look-alike site can neither use nor replay it (ASVS
    2.3.2). Only its public key is kept (web/accounts/security_keys.py): nothing here lets anyone
    sign in. It gives no codes: ``verify_token`` accepts none."""

    credential_id = models.CharField(max_length=1400, unique=True, editable=False)
    public_key = models.BinaryField(editable=False)
    sign_count = models.PositiveBigIntegerField(default=0, editable=False)

    objects: ClassVar[models.Manager[SecurityKey]]

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "security key"

    def verify_token(self, token: Any) -> bool:
        return False
