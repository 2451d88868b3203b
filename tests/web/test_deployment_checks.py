"""`kpiboard check --deploy` warns of PostgreSQL or SMTP across the network without TLS (finding
N5; ASVS 1.9.1, 1.9.2, 9.2.1, 9.2.2), and e-mail to another machine uses TLS unless told not to.
The checks run as an operator runs them: the command, under production settings from the
environment (nothing connects to the database or the mail server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7#Kp2vQ9!mZ4rT8wL1@nB6yH3jF5dS0aE-cG_uI=oP+tR^eW&qY*zX%vN$mK",
        "ALLOWED_HOSTS": "performance.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kpiboard.web.settings",
    }
    for name in (
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "STATIC_MANIFEST",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "KPIBOARD_SECURITY_ALERTS",
        "KPIBOARD_REQUIRE_2FA_FOR",
    ):
        env.pop(name, None)
    env.update(extra)
    return env


def _check_deploy(tmp_path: Path, **extra: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", "check", "--deploy"],
        env=_environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    return run.stdout + run.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://kpiboard@db.council.internal/kpiboard", "W001"),
        ("postgres://kpiboard@10.20.0.5:5432/kpiboard?sslmode=prefer", "W001"),
        ("postgres://kpiboard@db.council.internal/kpiboard?sslmode=disable", "W001"),
        ("postgres://kpiboard@db.council.internal/kpiboard?sslmode=require", "I001"),
        ("postgres://kpiboard@db.council.internal/kpiboard?sslmode=verify-full", None),
        ("postgres://kpiboard@127.0.0.1/kpiboard", None),
        ("postgres://kpiboard@localhost/kpiboard", None),
        ("postgres://kpiboard@%2Frun%2Fpostgresql/kpiboard", None),
    ],
)
def test_postgresql_across_the_network_without_tls_is_warned_of(
    tmp_path: Path, url: str, expected: str | None
) -> None:
    output = _check_deploy(tmp_path, DATABASE_URL=url)
    found = {code for code in ("W001", "I001") if f"kpiboard.deploy.{code}" in output}
    assert found == ({expected} if expected else set()), output
    if expected == "W001":
        assert "sslmode=verify-full" in output  # the hint says what to set


@pytest.mark.parametrize(
    ("extra", "warned"),
    [
        ({"EMAIL_HOST": "smtp.council.gov.uk"}, False),  # TLS by default off this machine
        ({"EMAIL_HOST": "smtp.council.gov.uk", "EMAIL_USE_TLS": "false"}, True),
        ({"EMAIL_HOST": "smtp.council.gov.uk", "EMAIL_USE_SSL": "true"}, False),
        ({"EMAIL_HOST": "localhost"}, False),  # a relay on this machine
        ({"EMAIL_HOST": "127.0.0.1", "EMAIL_USE_TLS": "false"}, False),
    ],
)
def test_smtp_across_the_network_without_tls_is_warned_of(
    tmp_path: Path, extra: dict[str, str], warned: bool
) -> None:
    output = _check_deploy(tmp_path, EMAIL_BACKEND=SMTP, **extra)
    assert ("kpiboard.deploy.W002" in output) is warned, output


def test_a_bad_alert_address_is_an_error(tmp_path: Path) -> None:
    output = _check_deploy(
        tmp_path, KPIBOARD_SECURITY_ALERTS="security@example.gov.uk,not an address"
    )
    assert "kpiboard.alerts.E001" in output
    assert "'not an address'" in output
    assert "security@example.gov.uk'" not in output


@pytest.mark.parametrize(
    ("extra", "tls"),
    [
        ({}, False),  # localhost: a local relay rarely offers STARTTLS
        ({"EMAIL_HOST": "smtp.council.gov.uk"}, True),
        ({"EMAIL_HOST": "smtp.council.gov.uk", "EMAIL_USE_SSL": "true"}, False),  # TLS at once
        ({"EMAIL_HOST": "smtp.council.gov.uk", "EMAIL_USE_TLS": "false"}, False),
    ],
)
def test_email_uses_starttls_by_default_off_this_machine(
    tmp_path: Path, extra: dict[str, str], tls: bool
) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.EMAIL_USE_TLS)",
        ],
        env=_environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == str(tls)


@pytest.mark.parametrize(
    ("roles", "warned"),
    [
        ("", True),
        ("performance team", True),
        ("administrator", False),
        ("administrator,performance team", False),
    ],
)
def test_administrators_without_a_required_second_factor_are_warned_of(
    tmp_path: Path, roles: str, warned: bool
) -> None:
    output = _check_deploy(tmp_path, KPIBOARD_REQUIRE_2FA_FOR=roles)
    assert ("kpiboard.deploy.W003" in output) is warned, output
