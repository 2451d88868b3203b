"""ASVS 9.2.3: kpiboard signs in to the services it sends to, or ``kpiboard check --deploy`` says
it does not. The identity provider's client secret is required at start-up
(tests/web/test_oidc_config.py); these are the mail server's account and GOV.UK Notify's key.
In-process, with the settings changed (tests/web/test_deployment_checks.py runs the command)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from kpiboard.web.deployment import NOTIFY, SMTP

pytestmark = pytest.mark.once


def _deploy_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id}


@pytest.mark.parametrize(
    ("host", "user", "password", "warned"),
    [
        ("smtp.council.gov.uk", "", "", True),
        ("smtp.council.gov.uk", "kpiboard", "", True),  # Django logs in only with both
        ("smtp.council.gov.uk", "", "a password", True),
        ("smtp.council.gov.uk", "kpiboard", "a password", False),
        ("10.20.0.7", "", "", True),
        ("localhost", "", "", False),  # a relay on this machine
        ("127.0.0.1", "", "", False),
    ],
)
def test_smtp_to_another_machine_without_signing_in_is_warned_of(
    settings: Any, host: str, user: str, password: str, warned: bool
) -> None:
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = (
        host,
        user,
        password,
    )
    settings.EMAIL_USE_TLS = True
    assert ("kpiboard.deploy.W004" in _deploy_ids()) is warned


@pytest.mark.parametrize(
    ("key", "template", "warned"),
    [("", "", True), ("a-key", "", True), ("", "a-template", True), ("a-key", "a-template", False)],
)
def test_notify_without_its_key_or_template_is_warned_of(
    settings: Any, key: str, template: str, warned: bool
) -> None:
    settings.EMAIL_BACKEND = NOTIFY
    settings.KPIBOARD_NOTIFY_API_KEY, settings.KPIBOARD_NOTIFY_TEMPLATE_ID = key, template
    assert ("kpiboard.deploy.W005" in _deploy_ids()) is warned


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    ],
)
def test_a_backend_that_sends_nowhere_needs_no_account(settings: Any, backend: str) -> None:
    settings.EMAIL_BACKEND = backend
    settings.EMAIL_HOST = "smtp.council.gov.uk"
    assert not {"kpiboard.deploy.W004", "kpiboard.deploy.W005"} & _deploy_ids()
