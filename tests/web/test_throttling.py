"""Sign-in defences (issue 14, finding 8 and the second half of finding 11).

Failed sign-ins were counted per username *and* address together, so one address could try a
common password against every account without end (password spraying); behind the reverse proxy
the production settings assume, every client had the proxy's address; and any client could send
``X-Forwarded-Proto: https`` over plain HTTP and be taken for a secure one. Now an address is
locked after 20 failures whatever the usernames, a username after 5 from any addresses, the
address is read through a configured number of trusted proxies, and administrators see and lift
the locks.
"""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from kpiboard.web import proxies
from kpiboard.web.audit.models import AuditEvent
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_log(db: Any) -> None:
    """Only this test's rows (the shared setup gave the test accounts their roles)."""
    AuditEvent.objects.all().delete()


SETTINGS = Path(proxies.__file__).with_name("settings.py")
#: Usernames a sprayer tries, none of them more than four times (under the username limit).
SPRAYED = ("admin", "perf", "helen", "mark", "norole", "nobody")
PROXY = "10.0.0.1"


def sign_in(client: Client, username: str, password: str, **headers: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def spray(client: Client, failures: int, **headers: str) -> list[int]:
    """``failures`` wrong passwords, the usernames taken in turn; the status of each answer."""
    return [
        sign_in(client, SPRAYED[n % len(SPRAYED)], "Winter2025!", **headers).status_code
        for n in range(failures)
    ]


def test_spraying_six_usernames_from_one_address_locks_the_address() -> None:
    sprayer = Client(REMOTE_ADDR="198.51.100.7")
    statuses = spray(sprayer, 19)
    assert statuses == [200] * 19  # wrong passwords, shown the form again; no username at 5
    assert sign_in(sprayer, "nobody", "Winter2025!").status_code == 429  # the 20th: locked
    # Locked for any username from there, even with the right password ...
    refused = sign_in(sprayer, "reader", PASSWORD)
    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    assert "_auth_user_id" not in sprayer.session
    # ... and only from there: the same people sign in from elsewhere.
    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.8"), "helen", PASSWORD))
    lock = AuditEvent.objects.get(action="locked_out")
    assert lock.target == "address 198.51.100.7"
    assert lock.address == "198.51.100.7"
    assert "20 failed sign-ins" in lock.detail


def test_five_failures_for_one_username_from_different_addresses_lock_the_username() -> None:
    for n in range(5):
        sign_in(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "reader", "wrong password")
    refused = sign_in(Client(REMOTE_ADDR="203.0.113.99"), "reader", PASSWORD)
    assert refused.status_code == 429
    assert "for this username" in refused.content.decode()
    assert AuditEvent.objects.filter(action="locked_out", target="username reader").count() == 1
    # Another username from the same addresses is not locked.
    assert signed_in(sign_in(Client(REMOTE_ADDR="203.0.113.1"), "helen", PASSWORD))


def test_a_lock_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(REMOTE_ADDR="192.0.2.44")
    with caplog.at_level(logging.WARNING, logger="kpiboard.web.throttling"):
        for _ in range(5):
            sign_in(client, "mark", "wrong password")
    assert "sign-in locked for username mark" in caplog.text


def test_a_success_forgets_only_the_persons_own_failures_from_that_address() -> None:
    home, elsewhere = Client(REMOTE_ADDR="192.0.2.10"), Client(REMOTE_ADDR="192.0.2.20")
    for _ in range(3):
        sign_in(elsewhere, "helen", "wrong password")  # someone else guessing
    sign_in(home, "helen", "a typo")
    assert signed_in(sign_in(home, "helen", PASSWORD))
    assert not AccessAttempt.objects.filter(ip_address="192.0.2.10").exists()
    # The three from elsewhere still count: two more lock the username.
    for _ in range(2):
        sign_in(elsewhere, "helen", "wrong password")
    assert sign_in(Client(REMOTE_ADDR="192.0.2.30"), "helen", PASSWORD).status_code == 429


@override_settings(KPIBOARD_TRUSTED_PROXIES=1)
def test_behind_one_trusted_proxy_two_clients_are_told_apart() -> None:
    """Both come through the proxy (REMOTE_ADDR is the proxy's); each forges the same entry at
    the left of X-Forwarded-For, and the proxy appends the real address at the right."""
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.66")
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23")
    spray(attacker, 20)
    assert sign_in(attacker, "reader", PASSWORD).status_code == 429
    assert signed_in(sign_in(colleague, "reader", PASSWORD))
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.66"}
    assert AuditEvent.objects.get(action="sign_in").address == "198.51.100.23"


def test_with_no_proxy_configured_a_forged_x_forwarded_for_is_ignored() -> None:
    client = Client(REMOTE_ADDR="192.0.2.50")
    for n in range(20):  # a new forged address every time
        sign_in(client, SPRAYED[n % 6], "Winter2025!", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}
    assert (
        sign_in(client, "reader", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    )
    assert set(
        AuditEvent.objects.filter(action="sign_in_failed").values_list("address", flat=True)
    ) == {"192.0.2.50"}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_with_no_proxy_configured_a_forged_x_forwarded_proto_is_not_secure() -> None:
    """Plain HTTP is sent to HTTPS even when the client claims it came over HTTPS."""
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(
    SECURE_SSL_REDIRECT=True,
    KPIBOARD_TRUSTED_PROXIES=1,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_a_trusted_proxy_its_x_forwarded_proto_is_believed() -> None:
    response = Client(REMOTE_ADDR=PROXY).get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def _settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The settings module as production would read it with ``env``."""
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    for name in (
        "KPIBOARD_TRUSTED_PROXIES",
        "AXES_FAILURE_LIMIT",
        "KPIBOARD_SIGNIN_LIMIT_PER_USERNAME",
        "KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_x_forwarded_proto_is_trusted_only_when_a_proxy_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _settings_with(monkeypatch).get("SECURE_PROXY_SSL_HEADER") is None
    behind = _settings_with(monkeypatch, KPIBOARD_TRUSTED_PROXIES="1")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = _settings_with(monkeypatch)
    assert (
        defaults["KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS"],
        defaults["KPIBOARD_SIGNIN_LIMIT_PER_USERNAME"],
    ) == (20, 5)
    chosen = _settings_with(
        monkeypatch, KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS="50", KPIBOARD_SIGNIN_LIMIT_PER_USERNAME="8"
    )
    assert (
        chosen["KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS"],
        chosen["KPIBOARD_SIGNIN_LIMIT_PER_USERNAME"],
    ) == (50, 8)
    assert (
        _settings_with(monkeypatch, AXES_FAILURE_LIMIT="7")["KPIBOARD_SIGNIN_LIMIT_PER_USERNAME"]
        == 7
    )
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_TRUSTED_PROXIES='one'"):
        _settings_with(monkeypatch, KPIBOARD_TRUSTED_PROXIES="one")
    with pytest.raises(ImproperlyConfigured, match="KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS='0'"):
        _settings_with(monkeypatch, KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS="0")


@override_settings(KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS=3)
def test_the_limits_are_read_when_used() -> None:
    client = Client(REMOTE_ADDR="192.0.2.77")
    assert spray(client, 3) == [200, 200, 429]


@pytest.mark.parametrize(
    ("forwarded", "proxies_trusted", "expected"),
    [
        ("203.0.113.9", 0, "192.0.2.1"),  # no proxy: the header is anyone's
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # the forged entry is further left
        ("6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("203.0.113.9:51234", 1, "203.0.113.9"),  # a port some proxies add
        ("[2001:db8::1]:443", 1, "2001:db8::1"),
        ("", 1, "192.0.2.1"),  # nothing forwarded: the connection's own
        ("not an address", 1, "192.0.2.1"),
        ("203.0.113.9", 3, "203.0.113.9"),  # fewer entries than proxies: the furthest seen
    ],
)
def test_the_client_address(forwarded: str, proxies_trusted: int, expected: str, rf: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(KPIBOARD_TRUSTED_PROXIES=proxies_trusted):
        assert proxies.client_address(request) == expected


def test_an_administrator_sees_and_lifts_a_lock(client_as: Any, people: dict[str, Any]) -> None:
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="192.0.2.60"), "reader", "wrong password")
    assert sign_in(Client(), "reader", PASSWORD).status_code == 429

    admin = client_as("administrator")
    page = admin.get("/audit/lockouts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Username reader" in html
    token = page.cookies["csrftoken"].value
    lifted = admin.post(
        "/audit/lockouts/",
        {"kind": "username", "value": "reader", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "Signing in as reader works again" in lifted.content.decode()
    assert "Nothing is locked now" in lifted.content.decode()
    assert signed_in(sign_in(Client(), "reader", PASSWORD))
    event = AuditEvent.objects.get(action="lockout_lifted")
    assert (event.actor, event.target) == (people["administrator"], "username reader")
    # The failures stay in the audit log.
    assert AuditEvent.objects.filter(action="sign_in_failed", actor_name="reader").count() == 6


def test_an_administrator_lifts_an_address_lock(client_as: Any) -> None:
    spray(Client(REMOTE_ADDR="198.51.100.9"), 20)
    admin = client_as("administrator")
    token = admin.get("/audit/lockouts/").cookies["csrftoken"].value
    admin.post(
        "/audit/lockouts/",
        {"kind": "address", "value": "198.51.100.9", "csrfmiddlewaretoken": token},
    )
    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.9"), "reader", PASSWORD))


def test_a_bad_lift_is_refused_with_its_reason(client_as: Any) -> None:
    admin = client_as("administrator")
    token = admin.get("/audit/lockouts/").cookies["csrftoken"].value
    page = admin.post(
        "/audit/lockouts/",
        {"kind": "address", "value": "not-an-address", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "Nothing was lifted" in page.content.decode()
    assert "is not an IP address" in page.content.decode()


@pytest.mark.parametrize("role", ["performance", "owner", "reader", "no_role"])
def test_only_administrators_see_or_lift_locks(client_as: Any, role: str) -> None:
    client = client_as(role)
    assert client.get("/audit/lockouts/").status_code == 403
    token = client.get("/accounts/").cookies.get("csrftoken")
    data = {
        "kind": "username",
        "value": "reader",
        "csrfmiddlewaretoken": token.value if token else "",
    }
    assert client.post("/audit/lockouts/", data).status_code == 403
