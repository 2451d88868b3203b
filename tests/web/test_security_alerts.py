"""Security alerts (ASVS 8.1.4, 11.1.7, 11.1.8): a sign-in lock, a burst of refused requests or
CSRF failures, and a new administrator are logged at WARNING and e-mailed to
KPIBOARD_SECURITY_ALERTS, one e-mail a window for one attack."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiboard.web.accounts import roles
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ALERTS = ["security@example.gov.uk", "it-duty@example.gov.uk"]


@pytest.fixture(autouse=True)
def _alerts_on(settings: Any) -> Any:
    settings.KPIBOARD_SECURITY_ALERTS = ALERTS
    settings.KPIBOARD_ALERT_BURST = 5
    settings.KPIBOARD_ALERT_WINDOW_MINUTES = 15
    settings.KPIBOARD_SITE_URL = "https://performance.example.gov.uk"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """The test's transaction never commits: run what waits for a commit, at the end of each
    ``with committed():`` block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _alerts(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "kpiboard.security" and r.levelname == "WARNING"
    ]


def _fail_sign_in(committed: Any, username: str, address: str, times: int) -> None:
    client = Client(REMOTE_ADDR=address)
    for _ in range(times):
        with committed():
            client.post(reverse("login"), {"username": username, "password": "not the password"})


def test_a_sign_in_lock_is_mailed_and_logged(
    committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _fail_sign_in(committed, "helen", "192.0.2.60", 4)
    assert not mail.outbox  # four failures lock nothing
    _fail_sign_in(committed, "helen", "192.0.2.60", 1)
    (message,) = mail.outbox
    assert message.to == ALERTS
    assert message.subject == "kpiboard security alert: sign-in locked for username helen"
    assert "5 failed sign-ins within 60 minutes" in message.body
    assert "https://performance.example.gov.uk/audit/" in message.body
    assert "No other 'lockout' alert is sent for 15 minutes" in message.body
    assert _alerts(caplog) == [
        "security alert (lockout): sign-in locked for username helen",
    ]


def test_one_attack_sends_one_mail_a_window(
    committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Spraying locks one username after another: the first lock is mailed, the rest are in the
    audit log; once the window has passed, the next lock is mailed again."""
    for name in ("alice", "bob", "carol"):
        _fail_sign_in(committed, name, f"192.0.2.{len(name)}", 5)
    assert len(mail.outbox) == 1
    assert len(_alerts(caplog)) == 1
    cache.clear()  # the window passes (its mark expires from the shared cache)
    _fail_sign_in(committed, "dave", "192.0.2.99", 5)
    assert len(mail.outbox) == 2
    assert "username dave" in mail.outbox[1].subject


def test_a_burst_of_refused_access_is_mailed_once(
    people: dict[str, Any], committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(REMOTE_ADDR="192.0.2.61")
    client.force_login(people["reader"])
    for _ in range(4):
        with committed():
            assert client.get("/register/import/").status_code == 403
    assert not mail.outbox  # below the limit of 5
    for _ in range(6):
        with committed():
            assert client.get("/register/import/").status_code == 403
    (message,) = mail.outbox
    assert message.subject == "kpiboard security alert: 5 refused requests within 15 minutes"
    assert "from 1 address(es)" in message.body
    assert _alerts(caplog) == ["security alert (refusals): 5 refused requests within 15 minutes"]


def test_csrf_failures_count_towards_a_burst(committed: Any) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.62")
    for _ in range(5):
        with committed():
            assert client.post(reverse("login"), {"username": "x"}).status_code == 403
    (message,) = mail.outbox
    assert "5 refused requests" in message.subject


@pytest.mark.parametrize("how", ["role added", "roles set in the admin's way", "made superuser"])
def test_a_new_administrator_is_mailed(
    people: dict[str, Any], committed: Any, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    reader = people["reader"]
    administrators = Group.objects.get(name=roles.ADMINISTRATOR)
    with committed(), transaction.atomic():
        if how == "role added":
            reader.groups.add(administrators)
        elif how == "made superuser":
            reader.is_superuser = True
            reader.save()
        else:
            reader.groups.set([administrators, Group.objects.get(name=roles.READER)])
    (message,) = mail.outbox
    assert message.subject == "kpiboard security alert: user reader made an administrator"
    assert "Changed by: (a command or the shell)" in message.body
    assert _alerts(caplog) == [
        "security alert (new administrator): user reader made an administrator"
    ]


def test_the_admin_changing_a_role_to_administrator_names_who_did_it(
    people: dict[str, Any], committed: Any
) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.gov.uk", PASSWORD)
    client = Client()
    client.force_login(root)
    owner = people["owner"]
    url = f"/admin/auth/user/{owner.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "password")
    }
    data["date_joined_0"], data["date_joined_1"] = (
        timezone.localtime(owner.date_joined).strftime("%Y-%m-%d %H:%M:%S").split(" ")
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["groups"] = [Group.objects.get(name=roles.ADMINISTRATOR).pk]
    with committed():
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (message,) = mail.outbox
    assert message.subject == "kpiboard security alert: user helen made an administrator"
    assert "user helen: indicator owner → administrator" in message.body
    assert "Changed by: root" in message.body


def test_other_role_changes_send_nothing(people: dict[str, Any], committed: Any) -> None:
    with committed():
        people["reader"].groups.add(Group.objects.get(name=roles.PERFORMANCE))
        people["administrator"].groups.add(Group.objects.get(name=roles.READER))  # one already
    assert not mail.outbox


def test_without_addresses_an_alert_is_still_logged(
    settings: Any, committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.KPIBOARD_SECURITY_ALERTS = []
    _fail_sign_in(committed, "helen", "192.0.2.63", 5)
    assert not mail.outbox
    assert _alerts(caplog) == ["security alert (lockout): sign-in locked for username helen"]


def test_a_mail_server_that_fails_does_not_fail_the_request(
    settings: Any, committed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    client = Client(REMOTE_ADDR="192.0.2.64")
    for _ in range(5):
        with committed():
            response = client.post(reverse("login"), {"username": "helen", "password": "wrong"})
    assert response.status_code in (200, 429)
    assert "could not be e-mailed" in caplog.text
