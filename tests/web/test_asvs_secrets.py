"""ASVS 2.10.2 (no default credentials) and 3.2.4 (tokens made with approved cryptography).

2.10.2: the migrations make no account and no API token, no source line gives an account a
password written into the code, and the one command that makes accounts with passwords
(``seed_demo``) refuses without ``DEBUG`` and draws each password afresh.

3.2.4: every token the app makes is drawn from the operating system's CSPRNG through Python's
``secrets`` (or ``os.urandom``, which ``secrets`` itself reads), or is an HMAC-SHA256 under the
secret key. Each random source is wrapped by a recorder that passes on what the real one returns
and keeps it, and the token must be made of what the recorder handed out.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.http import base36_to_int

from kpiboard.web.accounts.invitations import invitation_tokens
from kpiboard.web.accounts.models import SECRET_BYTES, EncryptedTOTPDevice
from kpiboard.web.accounts.views import PasswordResetConfirmView
from kpiboard.web.api.tokens import token_create
from kpiboard.web.oidc.config import content_security_policy
from kpiboard.web.register.staging import stage
from web.conftest import AFTER_MIGRATIONS, DEMO, PASSWORD
from web.test_oidc_accounts import provider_config

SOURCE = Path(__file__).resolve().parents[2] / "src" / "kpiboard"

# 2.10.2 ----------------------------------------------------------------------------------------


def test_the_migrations_make_no_account_and_no_token(db: Any) -> None:
    """Counted by tests/web/conftest.py once the test database was migrated, before the demo
    council's people were added."""
    assert AFTER_MIGRATIONS == {"users": 0, "api tokens": 0}


#: Calls that give an account a password, and where the password is among their arguments.
_PASSWORD_CALLS = {"create_user": 2, "create_superuser": 2, "set_password": 0, "make_password": 0}


def fixed_passwords(source: str) -> list[int]:
    """The lines of ``source`` that give a password written as a string in the code."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        given = [k.value for k in node.keywords if k.arg in {"password", "raw_password"}]
        if called in _PASSWORD_CALLS:
            given += node.args[_PASSWORD_CALLS[called] : _PASSWORD_CALLS[called] + 1]
        if any(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in given):
            lines.append(node.lineno)
    return lines


@pytest.mark.once
def test_the_checker_finds_a_password_written_in_the_code() -> None:
    planted = (
        "User.objects.create_user('admin', 'a@example.org', 'admin')\n"
        "User.objects.create_superuser(username='root', password='changeme')\n"
        "user.set_password('Password1')\n"
        "make_password(raw_password='x')\n"
        "user.set_password(secrets.token_urlsafe(9))\n"
        "User.objects.create_user('someone', email='b@example.org')\n"
    )
    assert fixed_passwords(planted) == [1, 2, 3, 4]


@pytest.mark.once
def test_no_source_gives_an_account_a_password_written_in_the_code() -> None:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 100  # the whole package was read
    found = {
        str(path.relative_to(SOURCE)): lines
        for path in files
        if (lines := fixed_passwords(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.once
def test_the_demo_accounts_need_debug(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG must be on"):
        call_command("seed_demo", str(DEMO))  # and before touching the database


# 3.2.4 -----------------------------------------------------------------------------------------


class _Recorder:
    """Wraps a random source: the real one's answers, each kept."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[Any, ...]] = []
        self.answers: list[Any] = []

    def __call__(self, *args: Any) -> Any:
        answer = self.real(*args)
        self.calls.append(args)
        self.answers.append(answer)
        return answer

    def drawn(self) -> str:
        """Everything handed out, in order (for choice: one character each)."""
        return "".join(self.answers)


@pytest.fixture
def choice(monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    """``secrets.choice``, which Django's ``get_random_string`` calls for each character."""
    recorder = _Recorder(secrets.choice)
    monkeypatch.setattr(secrets, "choice", recorder)
    return recorder


def test_session_keys_and_csrf_secrets_are_drawn_from_secrets(choice: _Recorder, db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    answer = client.post(
        "/accounts/login/",
        {"username": "helen", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
    )
    assert answer.status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert (len(session_key), len(csrf)) == (32, 32)
    # Each is 32 characters secrets.choice handed out, one after another.
    assert session_key in choice.drawn()
    assert csrf in choice.drawn()


def test_the_identity_provider_s_state_nonce_and_verifier_are_drawn_from_secrets(
    choice: _Recorder, db: Any, settings: Any
) -> None:
    settings.KPIBOARD_OIDC = provider_config()
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        settings.CONTENT_SECURITY_POLICY, settings.KPIBOARD_OIDC
    )
    client = Client()
    answer = client.get("/oidc/authenticate/")
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer["Location"]).query)
    state, nonce = query["state"][0], query["nonce"][0]
    verifier = client.session["oidc_states"][state]["code_verifier"]
    assert (len(state), len(nonce), len(verifier)) == (32, 32, 64)
    for value in (state, nonce, verifier):
        assert value in choice.drawn()


def test_an_api_token_is_32_bytes_from_secrets(
    monkeypatch: pytest.MonkeyPatch, people: Any
) -> None:
    urlsafe = _Recorder(secrets.token_urlsafe)
    monkeypatch.setattr(secrets, "token_urlsafe", urlsafe)
    _token, raw = token_create(
        user=people["reader"],
        name="crypto",
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    assert urlsafe.calls == [(32,)]
    assert raw == "kpib_" + urlsafe.answers[0]


def test_a_staged_upload_s_key_is_32_bytes_from_secrets(
    monkeypatch: pytest.MonkeyPatch, people: Any
) -> None:
    urlsafe = _Recorder(secrets.token_urlsafe)
    monkeypatch.setattr(secrets, "token_urlsafe", urlsafe)
    key = stage(people["performance"], "register.csv", [b"ref\n"], "fingerprint")
    assert urlsafe.calls == [(32,)]
    assert key == urlsafe.answers[0]


def test_an_authenticator_app_s_secret_is_drawn_from_the_operating_system(
    monkeypatch: pytest.MonkeyPatch, people: Any
) -> None:
    urandom = _Recorder(os.urandom)
    monkeypatch.setattr(os, "urandom", urandom)
    device = EncryptedTOTPDevice(user=people["owner"], name="phone", confirmed=False)
    device.save()
    device = EncryptedTOTPDevice.objects.get(pk=device.pk)
    assert (SECRET_BYTES,) in urandom.calls
    assert device.bin_key in urandom.answers


def _hmac_sha256_part(generator: PasswordResetTokenGenerator, user: Any, token: str) -> str:
    """The token's signature as HMAC-SHA256 under SECRET_KEY makes it, with the standard
    library (Django's salted_hmac: the key is SHA-256 of the salt and the secret key)."""
    timestamp = base36_to_int(token.split("-")[0])
    key = hashlib.sha256((generator.key_salt + settings.SECRET_KEY).encode()).digest()
    message = generator._make_hash_value(user, timestamp).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[::2]


@pytest.mark.parametrize(
    "generator",
    [default_token_generator, invitation_tokens],
    ids=["password reset", "invitation"],
)
def test_reset_and_invitation_tokens_are_hmac_sha256_under_the_secret_key(
    generator: PasswordResetTokenGenerator, people: Any, settings: Any
) -> None:
    assert PasswordResetConfirmView.token_generator is default_token_generator
    user = people["owner"]
    token = generator.make_token(user)
    assert token.split("-")[1] == _hmac_sha256_part(generator, user, token)
    settings.SECRET_KEY = "another secret key, of this test only, 0123456789abcdef"
    again = generator.make_token(user)  # the generator reads the setting each time
    assert again != token
    assert again.split("-")[1] == _hmac_sha256_part(generator, user, again)
