"""The session and CSRF cookies carry the ``__Host-`` prefix in production (ASVS 3.4.4): a browser
then keeps them only if they are Secure, for Path=/ and with no Domain, so no other site under the
council's domain can plant or overwrite them.

The test suite's own settings serve plain HTTP (no Secure cookies, so no prefix); these tests run
the site's settings as production has them, in a process of their own, and read the Set-Cookie
headers of a real sign-in over HTTPS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

SIGN_IN = r"""
import json, django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.test import Client
call_command("migrate", verbosity=0)
get_user_model().objects.create_user("helen", password="correct horse battery staple 42")
client = Client(enforce_csrf_checks=True)
page = client.get("/accounts/login/", secure=True)
csrf_cookies = [m.output(header="") for m in page.cookies.values()]
token = next(m.value for m in page.cookies.values() if "csrf" in m.key)
answer = client.post(
    "/accounts/login/",
    {"username": "helen", "password": "correct horse battery staple 42",
     "csrfmiddlewaretoken": token},
    secure=True,
    HTTP_REFERER="https://testserver/accounts/login/",
)
print(json.dumps({
    "status": answer.status_code,
    "csrf": csrf_cookies,
    "after": [m.output(header="") for m in answer.cookies.values()],
}))
"""


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SESSION_COOKIE", "CSRF_COOKIE", "SECURE_", "DEBUG", "DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kpiboard.web.settings",
        SECRET_KEY="production-like-test-key-" + "x" * 40,
        DEBUG="false",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        **extra,
    )
    return env


def _sign_in(env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", SIGN_IN], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def _cookie(header: str) -> tuple[str, dict[str, str | bool]]:
    """A Set-Cookie header's name and attributes (lower-case names; flags as True)."""
    parts = [part.strip() for part in header.strip().split(";") if part.strip()]
    name = parts[0].split("=", 1)[0]
    attributes: dict[str, str | bool] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        attributes[key.strip().lower()] = value.strip() if sep else True
    return name, attributes


@pytest.mark.slow
def test_production_cookies_carry_the_host_prefix_secure_path_root_and_no_domain(
    tmp_path: Path,
) -> None:
    answer = _sign_in(_production(tmp_path))
    assert answer["status"] == 302  # signed in
    cookies = dict(_cookie(header) for header in [*answer["csrf"], *answer["after"]])  # type: ignore[misc]
    assert "__Host-sessionid" in cookies, cookies
    assert "__Host-csrftoken" in cookies, cookies
    assert "sessionid" not in cookies
    assert "csrftoken" not in cookies
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        attributes = cookies[name]
        # What a browser demands of a __Host- cookie (RFC 6265bis 4.1.3.2), or it drops it.
        assert attributes.get("secure") is True, (name, attributes)
        assert attributes.get("path") == "/", (name, attributes)
        assert "domain" not in attributes, (name, attributes)
        assert attributes.get("httponly") is True, (name, attributes)
    # The cookies parse as a browser would read them.
    parsed = SimpleCookie()
    parsed.load("; ".join(f"{name}=x" for name in cookies))
    assert set(parsed) == set(cookies)


@pytest.mark.slow
def test_without_secure_cookies_the_prefix_is_not_used(tmp_path: Path) -> None:
    """A site served over plain HTTP (a development server) keeps the plain names: a browser
    would refuse a __Host- cookie without Secure, and no one could sign in."""
    answer = _sign_in(
        _production(tmp_path, SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false")
    )
    names = {_cookie(header)[0] for header in [*answer["csrf"], *answer["after"]]}  # type: ignore[misc]
    assert {"sessionid", "csrftoken"} <= names, names
