"""Deployment checks of what lies between kpiboard and the services it uses
(``kpiboard check --deploy``; ASVS 1.9.1, 1.9.2, 9.2.1, 9.2.2, finding N5, and 9.2.3).

- ``kpiboard.deploy.W001``: ``DATABASE_URL`` names PostgreSQL on another machine without
  ``sslmode=verify-full`` (or ``verify-ca``, or ``require``): the figures and the password hashes
  would cross the network in clear.
- ``kpiboard.deploy.I001``: ``sslmode=require`` encrypts, but does not check the server's
  certificate; ``verify-full`` does (docs/admin-guide.md, "Deploying securely").
- ``kpiboard.deploy.W002``: e-mail (reset links) sent by SMTP to another machine without
  ``EMAIL_USE_TLS`` or ``EMAIL_USE_SSL``.
- ``kpiboard.deploy.W004``: e-mail sent by SMTP to another machine without both
  ``EMAIL_HOST_USER`` and ``EMAIL_HOST_PASSWORD``: kpiboard would not sign in to the mail server
  (Django's SMTP backend logs in only with both), so the server relays for whoever reaches it
  (ASVS 9.2.3).
- ``kpiboard.deploy.W005``: GOV.UK Notify chosen without ``KPIBOARD_NOTIFY_API_KEY`` or
  ``KPIBOARD_NOTIFY_TEMPLATE_ID``: no e-mail could be sent (ASVS 9.2.3).
- ``kpiboard.deploy.W003``: administrators may sign in without a second factor
  (``KPIBOARD_REQUIRE_2FA_FOR`` does not name the administrator role; ASVS 4.3.1).
- ``kpiboard.alerts.E001`` (always checked): an address of ``KPIBOARD_SECURITY_ALERTS`` that is
  not an e-mail address.

A host on this machine (``localhost``, ``127.0.0.1``, a Unix socket) needs no TLS.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Info, Warning, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kpiboard.web.hosts import is_loopback

__all__ = [
    "administrators_second_factor",
    "database_tls",
    "mail_authenticated",
    "mail_tls",
    "security_alerts",
]

SMTP = "django.core.mail.backends.smtp.EmailBackend"
NOTIFY = "kpiboard.web.notify.NotifyBackend"
#: sslmode values that encrypt the connection, and those that also check the certificate.
ENCRYPTED = {"require", "verify-ca", "verify-full"}
VERIFIED = {"verify-ca", "verify-full"}


@register(deploy=True)
def database_tls(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    for alias, database in settings.DATABASES.items():
        if "postgresql" not in str(database.get("ENGINE", "")):
            continue
        host = str(database.get("HOST") or "")
        if is_loopback(host):
            continue
        mode = str((database.get("OPTIONS") or {}).get("sslmode", "prefer"))
        if mode not in ENCRYPTED:
            problems.append(
                Warning(
                    f"The {alias!r} database at {host} is reached without TLS being required "
                    f"(sslmode={mode})",
                    hint=(
                        "Add ?sslmode=verify-full to DATABASE_URL, with the server's CA in "
                        "~/.postgresql/root.crt or sslrootcert=... (docs/admin-guide.md, "
                        "'Deploying securely')."
                    ),
                    id="kpiboard.deploy.W001",
                )
            )
        elif mode not in VERIFIED:
            problems.append(
                Info(
                    f"The {alias!r} database at {host} is encrypted (sslmode={mode}) but its "
                    "certificate is not checked",
                    hint="Use sslmode=verify-full to check the server is the one you meant.",
                    id="kpiboard.deploy.I001",
                )
            )
    return problems


def _smtp_host_beyond_loopback() -> str | None:
    """The mail server's host when e-mail goes by SMTP to another machine, else None (the
    console, GOV.UK Notify over verified HTTPS, or a relay on this machine)."""
    if getattr(settings, "EMAIL_BACKEND", "") != SMTP:
        return None
    host = str(getattr(settings, "EMAIL_HOST", ""))
    return None if is_loopback(host) else host


@register(deploy=True)
def mail_tls(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    host = _smtp_host_beyond_loopback()
    if host is None:
        return []
    if getattr(settings, "EMAIL_USE_TLS", False) or getattr(settings, "EMAIL_USE_SSL", False):
        return []
    return [
        Warning(
            f"E-mail goes to {host} by SMTP without TLS: reset links would cross the network in "
            "clear",
            hint="Set EMAIL_USE_TLS=true (STARTTLS, port 587) or EMAIL_USE_SSL=true (port 465).",
            id="kpiboard.deploy.W002",
        )
    ]


@register(deploy=True)
def mail_authenticated(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from kpiboard.web import notify

    if getattr(settings, "EMAIL_BACKEND", "") == NOTIFY:
        if notify.configured() is not None:
            return []
        return [
            Warning(
                "GOV.UK Notify is chosen for e-mail without its API key or template: no e-mail "
                "(reset links, invitations) could be sent",
                hint=f"Set {notify.NEEDS}.",
                id="kpiboard.deploy.W005",
            )
        ]
    host = _smtp_host_beyond_loopback()
    if host is None:
        return []
    if getattr(settings, "EMAIL_HOST_USER", "") and getattr(settings, "EMAIL_HOST_PASSWORD", ""):
        return []
    return [
        Warning(
            f"E-mail goes to {host} by SMTP without signing in: the mail server would relay "
            "for anyone who can reach it",
            hint=(
                "Set EMAIL_HOST_USER and EMAIL_HOST_PASSWORD to an account of the mail server "
                "(docs/admin-guide.md, 'TLS to PostgreSQL and the mail server')."
            ),
            id="kpiboard.deploy.W004",
        )
    ]


@register(deploy=True)
def administrators_second_factor(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from kpiboard.web.accounts.roles import ADMINISTRATOR, PERFORMANCE

    if ADMINISTRATOR in getattr(settings, "KPIBOARD_REQUIRE_2FA_FOR", []):
        return []
    return [
        Warning(
            "Administrators can sign in, and open /admin/, with a password alone",
            hint=(
                f"Set KPIBOARD_REQUIRE_2FA_FOR={ADMINISTRATOR},{PERFORMANCE} (docs/admin-guide.md, "
                "'Passwords, second factors and sessions')."
            ),
            id="kpiboard.deploy.W003",
        )
    ]


@register()
def security_alerts(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    for address in getattr(settings, "KPIBOARD_SECURITY_ALERTS", []):
        try:
            validate_email(address)
        except ValidationError:
            problems.append(
                Error(
                    f"KPIBOARD_SECURITY_ALERTS holds {address!r}, which is not an e-mail address",
                    hint="Give e-mail addresses, comma-separated.",
                    id="kpiboard.alerts.E001",
                )
            )
    return problems
