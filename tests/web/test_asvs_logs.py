"""ASVS 7.1.2: no credentials, session or CSRF tokens, figures or commentary in the logs.

Every record that any logger makes (the root and every logger known, at DEBUG, including those
that do not propagate) is captured, and formatted as the project's two log formats would write
it while the request is being served, while a person does the sensitive things through the test
client: a refused and an accepted sign-in, a password reset asked for, followed and completed, an
API token made and used (as Bearer and as Basic), an unknown token refused, and a return saved
with a commentary and figures of its own. No captured text may hold any of those values.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from kpiboard.web.log_lines import JsonFormatter, LineFormatter, logged_path
from web.conftest import OWNER_EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wrong-but-close 7f3a91c2"
NEW_PASSWORD = "A brand new passphrase 5e60d2b8"
COMMENTARY = "Backlog cleared by the Quillington taskforce 4b1d"
NUMERATOR, DENOMINATOR = "738291", "914637"
UNKNOWN_TOKEN = "kpib_" + "Zq8" * 14 + "x"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class _Everything(logging.Handler):
    """Keeps each record with the text of every way it could be written out."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.formatters = (LineFormatter(), JsonFormatter())
        self.records: list[tuple[logging.LogRecord, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        texts = [record.getMessage(), str(record.msg), repr(record.args)]
        texts += [formatter.format(record) for formatter in self.formatters]
        texts.append(repr(vars(record)))  # any extra= field
        self.records.append((record, "\n".join(texts)))


@pytest.fixture
def every_record() -> Iterator[_Everything]:
    """Every record made with the root at DEBUG, as ``LOG_LEVEL=DEBUG`` configures it: the most
    an operator can have written. A logger the configuration itself sets keeps its level
    (Django's ``django`` stays at INFO; see the test of ``django.template`` below)."""
    handler = _Everything()
    known = [
        item
        for item in logging.root.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    level, disabled = logging.root.level, logging.root.manager.disable
    logging.disable(logging.NOTSET)
    logging.root.setLevel(logging.DEBUG)
    # Those that do not propagate (django.server) are listened to where they write.
    listened = [logging.root, *(logger for logger in known if not logger.propagate)]
    for logger in listened:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in listened:
            logger.removeHandler(handler)
        logging.root.setLevel(level)
        logging.disable(disabled)


def _csrf(client: Client, path: str) -> str:
    """The form's (masked) CSRF token on ``path``."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(path).text)
    assert found is not None, path
    return found.group(1)


def _cookie(client: Client, name: str) -> str:
    return client.cookies[name].value


def _sign_in(secrets_seen: set[str]) -> Client:
    client = Client(enforce_csrf_checks=True)
    token = _csrf(client, "/accounts/login/")
    secrets_seen |= {token, _cookie(client, settings.CSRF_COOKIE_NAME)}
    refused = client.post(
        "/accounts/login/",
        {"username": "helen", "password": WRONG_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert refused.status_code == 200
    assert "Please enter a correct username and password" in refused.text
    token = _csrf(client, "/accounts/login/")
    signed_in = client.post(
        "/accounts/login/",
        {"username": "helen", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    secrets_seen |= {token, _cookie(client, settings.SESSION_COOKIE_NAME)}
    return client


def _make_and_use_a_token(client: Client, secrets_seen: set[str]) -> None:
    token = _csrf(client, "/accounts/tokens/")
    made = client.post(
        "/accounts/tokens/",
        {
            "name": "Logs check",
            "scope": "read-write",
            "expires_in": "30",
            "csrfmiddlewaretoken": token,
        },
    )
    shown = re.search(r'id="new-token" type="text" value="(kpib_[^"]+)"', made.text)
    assert shown is not None
    raw = shown.group(1)
    basic = base64.b64encode(f"powerbi:{raw}".encode()).decode()
    secrets_seen |= {token, raw, raw.removeprefix("kpib_"), basic}
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/organisation").status_code == 200
    assert (
        Client(HTTP_AUTHORIZATION=f"Basic {basic}").get("/api/v1/organisation").status_code == 200
    )
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {UNKNOWN_TOKEN}").get("/api/v1/organisation")
    assert refused.status_code == 401


def _save_a_return(client: Client, secrets_seen: set[str]) -> None:
    path = "/returns/182/2024-10/"
    page = client.get(path)
    version = page.text.split('name="version"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    token = _csrf(client, path)
    fields = {
        "numerator": NUMERATOR,
        "denominator": DENOMINATOR,
        "commentary": COMMENTARY,
        "note": "",
        "action": "save",
        "version": version,
        "csrfmiddlewaretoken": token,
    }
    saved = client.post(path, fields)
    assert saved.status_code == 302, saved.text[:2000]
    secrets_seen.add(token)
    assert COMMENTARY in client.get(path).text  # it was saved: the test saw the real thing


def _reset_the_password(secrets_seen: set[str]) -> None:
    client = Client(enforce_csrf_checks=True)
    token = _csrf(client, "/accounts/password/reset/")
    asked = client.post(
        "/accounts/password/reset/", {"email": OWNER_EMAIL, "csrfmiddlewaretoken": token}
    )
    assert asked.status_code == 302
    (message,) = mail.outbox
    found = re.search(r"/accounts/password/reset/([^/\s]+)/([^/\s]+)/", str(message.body))
    assert found is not None, message.body
    link, reset_token = found.group(0), found.group(2)
    secrets_seen |= {token, reset_token, _cookie(client, settings.CSRF_COOKIE_NAME)}
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.text
    token = _csrf(client, form.redirect_chain[-1][0])
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert done.status_code == 302, done.text[:2000]
    secrets_seen.add(token)


def test_no_credential_token_or_figure_reaches_the_logs(
    every_record: _Everything, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE  # the reset e-mail sent within the request
    seen: set[str] = {WRONG_PASSWORD, PASSWORD, NEW_PASSWORD, COMMENTARY, NUMERATOR, DENOMINATOR}
    seen.add(UNKNOWN_TOKEN)
    client = _sign_in(seen)
    _make_and_use_a_token(client, seen)
    _save_a_return(client, seen)
    seen.add(_cookie(client, settings.SESSION_COOKIE_NAME))
    _reset_the_password(seen)
    assert Client().get("/no/such/page/").status_code == 404  # a line on django.request

    names = {record.name for record, _ in every_record.records}
    # The capture is not blind: it saw the request lines, Django's own, and the refusals.
    assert {"kpiboard.web.requests", "django.request"} <= names, names
    leaks = [
        (record.name, record.getMessage(), value)
        for record, text in every_record.records
        for value in sorted(seen)
        if value in text
    ]
    assert leaks == []


@pytest.mark.once
@pytest.mark.parametrize("name", ["password_reset_confirm", "invitation_confirm"])
def test_a_link_s_token_is_hidden_from_a_logged_path(name: str) -> None:
    """What the reset steps above show for a reset link, for an invitation's link too."""
    path = reverse(name, args=["Mw", "dj5h8o-0ff051d773bd82ad442103e1c7b56f27"])
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    assert logged_path(request) == path.replace(
        "dj5h8o-0ff051d773bd82ad442103e1c7b56f27", "[token]"
    )
    assert logged_path(request).endswith("/Mw/[token]/")


@pytest.mark.once
def test_a_template_s_missing_variable_writes_none_of_its_context(
    every_record: _Everything,
) -> None:
    """``django.template`` writes a template's whole context (the CSRF token, an API token just
    made) at DEBUG when a variable is missing; Django's configuration keeps the ``django``
    logger at INFO, so even ``LOG_LEVEL=DEBUG`` never writes it."""
    secret = "kpib_" + "Vx7" * 14 + "q"
    Template("{{ not_there.width }}").render(Context({"made": secret}))
    assert not [text for _, text in every_record.records if secret in text]
    assert logging.getLogger("django.template").getEffectiveLevel() > logging.DEBUG
