"""Security keys and passkeys (WebAuthn, through py_webauthn) as a second factor (ASVS 2.3.2):
set up from *Your account*, used at sign-in in place of a code.

Each ceremony is two requests. The first gives the browser a fresh 32-byte challenge (kept in
the session, for one use within five minutes); the second brings back what the key signed, which
is checked against that challenge, this site's address (the relying party is the host the person
is using, the origin its scheme and host) and, at sign-in, the public key kept at set-up and its
signature counter. Nothing else is accepted, so a key's answer cannot be replayed, nor obtained
by a look-alike site.
"""

from __future__ import annotations

import ipaddress
import json
import time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from kpiboard.web.accounts.models import SecurityKey

__all__ = [
    "authentication_options",
    "cannot_be_used_here",
    "key_register",
    "keys_for",
    "registration_options",
    "sign_in_with_key",
]

#: Where the session keeps the challenge: ``{"for": "register"|"sign_in", "challenge", "at"}``.
CHALLENGE = "kpiboard_webauthn_challenge"
CHALLENGE_SECONDS = 300
TIMEOUT_MS = 120_000
RP_NAME = "kpiboard"


class SecurityKeyError(Exception):
    """What the key sent back was not accepted: a message the person can act on."""


def keys_for(user: Any) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user, confirmed=True).order_by("pk"))


def _relying_party(request: HttpRequest) -> tuple[str, str]:
    """This site as the key sees it: the host alone (the RP ID) and the origin."""
    host = request.get_host()  # checked against ALLOWED_HOSTS
    rp_id = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return rp_id, f"{request.scheme}://{host}"


def cannot_be_used_here(request: HttpRequest) -> str | None:
    """Why no key can be set up or used at this address, or None. A key answers for a site's
    name (its relying party ID), which WebAuthn does not allow to be an IP address: at
    http://127.0.0.1:8000/ every browser refuses before the key is asked."""
    rp_id, _ = _relying_party(request)
    try:
        ipaddress.ip_address(rp_id.strip("[]"))
    except ValueError:
        return None
    return (
        f"Security keys work only at the site's name, not at an IP address such as {rp_id}. "
        "Open the site by its name (on this computer, http://localhost with the same port) "
        "and add the key there."
    )


def _keep_challenge(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE] = {
        "for": purpose,
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
    }


def _take_challenge(request: HttpRequest, purpose: str) -> bytes:
    """The challenge given for ``purpose``, once: it is gone from the session either way."""
    kept = request.session.pop(CHALLENGE, None)
    if (
        not isinstance(kept, dict)
        or kept.get("for") != purpose
        or time.time() - float(kept.get("at", 0)) > CHALLENGE_SECONDS
    ):
        raise SecurityKeyError("That took too long, or the page was old: try again.")
    return base64url_to_bytes(str(kept["challenge"]))


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
        for key in keys_for(user)
    ]


def registration_options(request: HttpRequest) -> str:
    """The options for ``navigator.credentials.create``, as JSON; the challenge kept."""
    user: Any = request.user
    rp_id, _ = _relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=user.get_username(),
        user_id=f"kpiboard-user-{user.pk}".encode(),
        user_display_name=user.get_full_name() or user.get_username(),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _keep_challenge(request, "register", options.challenge)
    return options_to_json(options)


def key_register(*, request: HttpRequest, name: str, credential: str) -> SecurityKey:
    """Keep the key that answered the registration challenge; :class:`SecurityKeyError` if its
    answer does not check out. The audit log and the person's e-mail: web/accounts/signals.py."""
    rp_id, origin = _relying_party(request)
    challenge = _take_challenge(request, "register")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise SecurityKeyError("The security key's answer could not be checked: try again.") from (
            error
        )
    credential_id = bytes_to_base64url(verified.credential_id)
    if SecurityKey.objects.filter(credential_id=credential_id).exists():
        raise SecurityKeyError("That security key is already set up.")
    user: Any = request.user
    return SecurityKey.objects.create(
        user=user,
        name=name.strip()[:64] or "Security key",
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        confirmed=True,
    )


def authentication_options(request: HttpRequest) -> str:
    """The options for ``navigator.credentials.get``, as JSON: the person's keys only."""
    rp_id, _ = _relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    _keep_challenge(request, "sign_in", options.challenge)
    return options_to_json(options)


def _credential_id(credential: str) -> str:
    try:
        found = json.loads(credential)
        return str(found["id"]) if isinstance(found, dict) else ""
    except (ValueError, KeyError):
        return ""


def sign_in_with_key(*, request: HttpRequest, credential: str) -> SecurityKey:
    """The person's key that signed the sign-in challenge, its counter moved on;
    :class:`SecurityKeyError` otherwise. The caller signs the session in."""
    rp_id, origin = _relying_party(request)
    challenge = _take_challenge(request, "sign_in")
    key = SecurityKey.objects.filter(
        user=request.user, confirmed=True, credential_id=_credential_id(credential)
    ).first()
    if key is None:
        raise SecurityKeyError("That is not one of your security keys.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise SecurityKeyError("The security key's answer could not be checked: try again.") from (
            error
        )
    key.sign_count = verified.new_sign_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    return key
