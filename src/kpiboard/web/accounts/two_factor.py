"""A second factor at sign-in: a six-digit code from an authenticator app (TOTP, RFC 6238,
through django-otp), which anyone may set up on their account page, and which the roles named in
``KPIBOARD_REQUIRE_2FA_FOR`` (``administrator,performance team``) must.

:class:`TwoFactorMiddleware` holds a signed-in person who has a second factor at the code page
until they give a code, and one whose role requires a second factor but who has none at the page
that sets one up; nothing else of the site answers them meanwhile. django-otp slows guessing (each
wrong code doubles the wait before the next is tried) and refuses a code used before. The app's
secret is stored sealed (:class:`~kpiboard.web.accounts.models.EncryptedTOTPDevice`); one that no
configured key opens accepts no code, and a secret being set up that way is replaced.
"""

from __future__ import annotations

import functools
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP, hotp

from kpiboard.web import notifications
from kpiboard.web.accounts import roles, security_keys
from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey

__all__ = [
    "Factors",
    "TwoFactorMiddleware",
    "device_confirm",
    "device_for",
    "device_remove",
    "device_start",
    "factors_of",
    "has_second_factor",
    "may_remove",
    "next_step",
    "pending_device_for",
    "requires_two_factor",
    "secret_for_typing",
    "sign_in_with_code",
    "signed_in",
]

#: What a person held at the code or set-up page may still reach.
OPEN_URL_NAMES = (
    "two_factor_verify",
    "two_factor_setup",
    "logout",
    "security_key_sign_in",
    "security_key_sign_in_options",
    "security_key_add",
    "security_key_add_options",
)
#: Session key set by a sign-in through the council's identity provider (web/oidc/): the
#: provider is trusted to have asked for the second factor, so kpiboard does not ask again.
PROVIDER_SIGN_IN = "kpiboard_provider_sign_in"


def requires_two_factor(user: Any) -> bool:
    """Whether ``user``'s role is one that ``KPIBOARD_REQUIRE_2FA_FOR`` names (a superuser
    counts as an administrator)."""
    required = set(getattr(settings, "KPIBOARD_REQUIRE_2FA_FOR", []))
    if not required or not user.is_authenticated:
        return False
    if roles.ADMINISTRATOR in required and roles.is_administrator(user):
        return True
    names = {name.lower() for name in user.groups.values_list("name", flat=True)}
    return bool(names & required)


def device_for(user: Any) -> EncryptedTOTPDevice | None:
    """The person's second factor in use, if they have one."""
    return EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_second_factor(user: Any) -> bool:
    """Whether the person has a second factor in use: an authenticator app or a security key.

    Asked on every page by everyone without one (TwoFactorMiddleware), so it is one query, and
    written in SQL: the ORM took longer to compile the two EXISTS than the database to answer
    them (docs/performance.md, issue 16)."""
    apps = EncryptedTOTPDevice._meta.db_table  # the models' own table names, no input
    keys = SecurityKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 WHERE EXISTS (SELECT 1 FROM {apps} WHERE user_id = %s AND confirmed)"
            f" OR EXISTS (SELECT 1 FROM {keys} WHERE user_id = %s AND confirmed)",
            [user.pk, user.pk],
        )
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class Factors:
    """A person's second factors in use (their authenticator app, then their security keys by
    age) and the one rule for removing one, the app or a key alike: someone whose role requires
    a second factor cannot remove their last one. Read once for a page that asks about each."""

    device: EncryptedTOTPDevice | None
    keys: tuple[SecurityKey, ...]
    required: bool

    @property
    def held(self) -> tuple[EncryptedTOTPDevice | SecurityKey, ...]:
        return (self.device, *self.keys) if self.device is not None else self.keys

    def is_last(self, factor: Any) -> bool:
        """Whether ``factor`` is the only second factor held (none other would be left)."""
        return not any(other != factor for other in self.held)

    def may_remove(self, factor: Any) -> bool:
        return not self.required or not self.is_last(factor)


def factors_of(user: Any) -> Factors:
    return Factors(
        device=device_for(user),
        keys=tuple(security_keys.keys_for(user)),
        required=requires_two_factor(user),
    )


def may_remove(user: Any, factor: Any) -> bool:
    """:meth:`Factors.may_remove` for one factor."""
    return factors_of(user).may_remove(factor)


def pending_device_for(user: Any) -> EncryptedTOTPDevice | None:
    """A second factor being set up (its secret shown, no code from it given yet); one whose
    secret no configured key opens is discarded (a new one is then made)."""
    device = EncryptedTOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is not None and not device.is_readable():
        device.delete()
        return None
    return device


def device_start(*, user: Any) -> EncryptedTOTPDevice:
    """A new secret for ``user`` to put in their app; it counts once a code from it is given."""
    EncryptedTOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return EncryptedTOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def device_confirm(*, request: HttpRequest, device: EncryptedTOTPDevice, code: str) -> bool:
    """Make ``device`` the person's second factor if ``code`` is one of its codes (replacing any
    earlier one), and count this session as having given it."""
    if not _code_matches(request.user, device, code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    EncryptedTOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(
        pk=device.pk
    ).delete()
    signed_in(request, device)
    return True


def device_remove(*, user: Any) -> int:
    """Remove ``user``'s second factor (and any being set up); how many were removed."""
    removed, _ = EncryptedTOTPDevice.objects.filter(user=user).delete()
    return int(removed)


def sign_in_with_code(*, request: HttpRequest, code: str) -> bool:
    """Finish signing in with a code from the person's second factor; whether it was right.
    Either way it goes in the audit log (never the code); a code already used, which someone
    may have seen over the person's shoulder, is recorded as such and the person is told
    (ASVS 2.8.5, 7.2.1)."""
    from kpiboard.web.audit.records import record

    device = device_for(request.user)
    user: Any = request.user
    if device is None:
        return False
    target = f"user {user.get_username()}"
    waiting = not device.verify_is_allowed()[0]
    unreadable = not device.is_readable()
    reused = not waiting and not unreadable and _used_before(device, code)
    if not _code_matches(request.user, device, code):
        if waiting:
            detail = "refused unchecked: too many wrong codes, a wait is on"
        elif unreadable:
            detail = "refused unchecked: the stored secret failed its integrity check"
        elif reused:
            detail = "a code already used (someone else may have seen it)"
            notifications.send("second_factor_code_reused", [user.email], {"user": user})
        else:
            detail = "wrong code"
        record(request, "second_factor_failed", target, detail)
        return False
    signed_in(request, device)
    record(request, "second_factor_passed", target, "code accepted")
    return True


def sign_in_with_security_key(*, request: HttpRequest, credential: str) -> str | None:
    """Finish signing in with one of the person's security keys: None if it answered, else
    what to tell them. Either way it goes in the audit log."""
    from kpiboard.web.audit.records import record

    target = f"user {request.user.get_username()}"
    try:
        key = security_keys.sign_in_with_key(request=request, credential=credential)
    except security_keys.SecurityKeyError as refusal:
        record(request, "second_factor_failed", target, f"security key: {refusal}")
        return str(refusal)
    signed_in(request, key)
    record(request, "second_factor_passed", target, f"security key ({key.name})")
    return None


def _used_before(device: EncryptedTOTPDevice, code: str) -> bool:
    """Whether ``code`` is the last code accepted from ``device``, and still current."""
    code = "".join(code.split())
    if device.last_t < 0 or not code.isdigit() or len(code) != device.digits:
        return False
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    if abs(now - device.last_t) > device.tolerance + 1:
        return False
    return bool(hotp(device.bin_key, device.last_t, digits=device.digits) == int(code))


def wait_seconds(device: EncryptedTOTPDevice) -> int:
    """How long after too many wrong codes before another is tried (0 if none)."""
    allowed, detail = device.verify_is_allowed()
    if allowed or not detail:
        return 0
    locked_until = detail.get("locked_until")
    if locked_until is None:
        return 0
    from django.utils import timezone

    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def secret_for_typing(device: EncryptedTOTPDevice) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _code_matches(user: Any, device: EncryptedTOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    if not code.isdigit() or len(code) != device.digits:
        device.throttle_increment()  # a malformed guess is still a guess
        return False
    return verify_token(user, device.persistent_id, code) is not None


def signed_in(request: HttpRequest, device: Any) -> None:
    """Count this session as having given ``device``, the person's second factor (an app or a
    security key), under a new session key: the session now has more rights (ASVS 3.2.1)."""
    request.session.cycle_key()
    otp_login(request, device)


def next_step(user: Any, next_url: str) -> str | None:
    """Where someone who has just given their password goes before ``next_url``: the code page
    if they have a second factor, the set-up page if their role needs one; None if neither."""
    if has_second_factor(user):
        name = "two_factor_verify"
    elif requires_two_factor(user):
        name = "two_factor_setup"
    else:
        return None
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@functools.lru_cache(maxsize=8)
def _open_paths(script_prefix: str) -> frozenset[str]:
    """The addresses of :data:`OPEN_URL_NAMES` under ``script_prefix`` (worked out once, not
    on every request)."""
    return frozenset(reverse(name) for name in OPEN_URL_NAMES)


class TwoFactorMiddleware:
    """Hold a signed-in person without their second factor at the code or set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.session.get(PROVIDER_SIGN_IN) or self._open(request):
            return self.get_response(request)
        back = request.get_full_path() if request.method == "GET" else ""
        step = next_step(user, back)
        if step is None:
            return self.get_response(request)
        if request.headers.get("HX-Request") == "true":  # before django-htmx's middleware
            return HttpResponseClientRedirect(step)
        return HttpResponseRedirect(step)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        path = request.path_info
        static = "/" + str(getattr(settings, "STATIC_URL", "static/")).lstrip("/")
        if path.startswith(static):
            return True
        return path in _open_paths(get_script_prefix())
