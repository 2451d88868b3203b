"""Authenticated encryption of secrets kept in the database (ASVS 2.8.2, 8.3.7): today the
second-factor secrets of :class:`~kpiboard.web.accounts.models.EncryptedTOTPDevice`.

A secret is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from ``KPIBOARD_FIELD_KEY``
if it is set, else from ``SECRET_KEY``; neither is in the database, so a copy of the database
alone reveals no secret. Each value is bound to what it is for (``purpose``, for example
``"totp user 7"``) as associated data: a value altered, or copied into another person's row,
fails its check and is refused as :class:`UnreadableSecretError`, never used.

A stored value is ``v1$`` and the URL-safe base64 of a 12-byte random nonce, the ciphertext and
the 16-byte tag: a 20-byte TOTP secret is 67 characters.

**Changing the key.** Values are sealed with the first key of ``KPIBOARD_FIELD_KEY`` (or
``SECRET_KEY`` when it is not set) and opened with any of: each key of ``KPIBOARD_FIELD_KEY``,
then ``SECRET_KEY``, then each of ``SECRET_KEY_FALLBACKS``. So a new key goes first in the list,
the old one after it (``KPIBOARD_FIELD_KEY=new,old``, or Django's own ``SECRET_KEY_FALLBACKS``
when ``SECRET_KEY`` changes), ``kpiboard reencrypt_secrets`` seals every value again under the new
key, and the old key is then removed. A value no key opens stays unreadable: its holder cannot
sign in until an administrator removes that second factor and they set up another.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["UnreadableSecretError", "is_sealed_with_current_key", "open_secret", "seal_secret"]

logger = logging.getLogger(__name__)

VERSION = "v1"
NONCE_BYTES = 12
#: HKDF's salt and info: a key derived for this use is no key for anything else derived from
#: the same setting (Django's signing derives its own from SECRET_KEY differently).
SALT = b"kpiboard field encryption"
INFO = b"kpiboard aes-256-gcm v1"


class UnreadableSecretError(Exception):
    """A stored secret that no configured key opens: altered, moved, or sealed under a key that
    is no longer configured."""


def _derive(setting: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(
        setting.encode("utf-8")
    )
    return AESGCM(key)


def _settings_keys() -> list[str]:
    field_keys = [key for key in getattr(settings, "KPIBOARD_FIELD_KEY", []) if key]
    return [*field_keys, settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _keys() -> Iterator[AESGCM]:
    """The keys that open a value, the one that seals first."""
    for setting in _settings_keys():
        yield _derive(setting)


def seal_secret(plain: bytes, *, purpose: str) -> str:
    """``plain`` encrypted and authenticated under the current key, for storing."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = next(_keys()).encrypt(nonce, plain, purpose.encode("utf-8"))
    return f"{VERSION}${base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def _split(stored: str) -> tuple[bytes, bytes]:
    version, _, body = stored.partition("$")
    if version != VERSION:
        raise UnreadableSecretError(f"not a sealed value of version {VERSION}")
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise UnreadableSecretError("not base64") from error
    if len(raw) <= NONCE_BYTES + 16:
        raise UnreadableSecretError("too short")
    return raw[:NONCE_BYTES], raw[NONCE_BYTES:]


def open_secret(stored: str, *, purpose: str) -> bytes:
    """The secret sealed in ``stored`` for ``purpose``; :class:`UnreadableSecretError` if no
    configured key opens it (it was altered, moved from another row, or its key is gone)."""
    nonce, sealed = _split(stored)
    for key in _keys():
        try:
            return key.decrypt(nonce, sealed, purpose.encode("utf-8"))
        except InvalidTag:
            continue
    raise UnreadableSecretError("no configured key opens it")


def is_sealed_with_current_key(stored: str, *, purpose: str) -> bool:
    """Whether ``stored`` opens with the key that seals now (so needs no sealing again)."""
    try:
        nonce, sealed = _split(stored)
        next(_keys()).decrypt(nonce, sealed, purpose.encode("utf-8"))
    except (UnreadableSecretError, InvalidTag):
        return False
    return True
