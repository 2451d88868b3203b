"""More of the audit log (docs/security.md, ASVS 2.8.5, 7.1.3, 7.2.1, 7.2.2): second-factor codes
given at sign-in (right, wrong, or one already used), second factors set up and removed, passwords
changed and reset, and access refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.audit.records import record
from web.conftest import OWNER_EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern orchard quietly 7 gravel"


@pytest.fixture(autouse=True)
def _empty_log(db: Any) -> None:
    AuditEvent.objects.all().delete()


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _wrong(device: TOTPDevice) -> str:
    return "000000" if _code(device) != "000000" else "111111"


def _signed_in_with_password(user: Any) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.9")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# -- second factor at sign-in ---------------------------------------------------------------------


def test_a_wrong_second_factor_code_at_sign_in_is_recorded(people: dict[str, Any]) -> None:
    owner = people["owner"]
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    client = _signed_in_with_password(owner)
    refused = client.post(reverse("two_factor_verify"), {"code": _wrong(device)})
    assert refused.status_code == 200
    (failed,) = _rows("second_factor_failed")
    assert (failed.actor, failed.actor_name, failed.address) == (owner, "helen", "192.0.2.9")
    assert failed.target == "user helen"
    assert failed.detail == "wrong code"
    assert _code(device) not in failed.detail
    assert _rows("second_factor_passed") == []


def test_a_right_code_at_sign_in_is_recorded(people: dict[str, Any]) -> None:
    owner = people["owner"]
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    client = _signed_in_with_password(owner)
    code = _code(device)
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    (passed,) = _rows("second_factor_passed")
    assert (passed.actor, passed.target) == (owner, "user helen")
    assert code not in passed.detail


def test_a_code_used_again_is_recorded_as_such_and_its_holder_told(people: dict[str, Any]) -> None:
    """ASVS 2.8.5: a code seen over someone's shoulder and tried again."""
    owner = people["owner"]
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    code = _code(device)
    assert _signed_in_with_password(owner).post(reverse("two_factor_verify"), {"code": code})
    again = _signed_in_with_password(owner)
    assert again.post(reverse("two_factor_verify"), {"code": code}).status_code == 200
    (failed,) = _rows("second_factor_failed")
    assert failed.detail == "a code already used (someone else may have seen it)"
    (notice,) = mail.outbox
    assert notice.to == [OWNER_EMAIL]
    assert notice.subject == "A code from your second factor was used again"


# -- second factors set up and removed ------------------------------------------------------------


def test_setting_up_and_removing_a_second_factor_are_recorded(people: dict[str, Any]) -> None:
    reader = people["reader"]
    client = Client()
    client.force_login(reader)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=reader)
    assert client.post(reverse("two_factor_setup"), {"code": _code(device)}).status_code == 302
    (added,) = _rows("second_factor_added")
    assert (added.actor, added.target) == (reader, "user reader")
    assert added.detail == "an authenticator app"
    assert client.post(reverse("two_factor_remove"), {"password": PASSWORD}).status_code == 302
    (removed,) = _rows("second_factor_removed")
    assert (removed.actor, removed.target) == (reader, "user reader")


def test_an_administrator_removing_someones_second_factor_is_recorded(
    people: dict[str, Any],
) -> None:
    owner = people["owner"]
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    root = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    admin.post(
        reverse("admin:accounts_encryptedtotpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    (removed,) = _rows("second_factor_removed")
    assert (removed.actor, removed.actor_name, removed.target) == (root, "root", "user helen")


def test_a_pending_set_up_abandoned_is_not_recorded(people: dict[str, Any]) -> None:
    reader = people["reader"]
    client = Client()
    client.force_login(reader)
    client.get(reverse("two_factor_setup"))
    client.post(reverse("two_factor_setup"), {"action": "start"})  # a new secret: the old goes
    assert _rows("second_factor_added") == _rows("second_factor_removed") == []


# -- passwords ------------------------------------------------------------------------------------


def test_a_password_change_is_recorded_without_the_password(people: dict[str, Any]) -> None:
    reader = people["reader"]
    client = Client()
    client.force_login(reader)
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    (changed,) = _rows("password_changed")
    assert (changed.actor, changed.target) == (reader, "user reader")
    assert NEW_PASSWORD not in changed.detail
    assert PASSWORD not in changed.detail


def test_a_completed_reset_is_recorded(settings: Any, people: dict[str, Any]) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = Client(REMOTE_ADDR="192.0.2.33")
    client.post(reverse("password_reset"), {"email": OWNER_EMAIL})
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert link
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    (reset,) = _rows("password_reset")
    assert (reset.actor, reset.actor_name, reset.address) == (
        people["owner"],
        "helen",
        "192.0.2.33",
    )
    assert reset.detail == "a new password set through an e-mailed link"


# -- access refused -------------------------------------------------------------------------------


def test_access_refused_is_recorded_with_who_where_and_which_permission(client_as: Any) -> None:
    client = client_as("reader")
    refused = client.get("/audit/?action=sign_in")
    assert refused.status_code == 403
    (denied,) = _rows("access_denied")
    assert (denied.actor_name, denied.target) == ("reader", "GET /audit/?action=sign_in")
    assert denied.detail == "needs the permission kpiboard.view_audit"


def test_an_anonymous_visitor_sent_to_sign_in_is_not_recorded(db: Any) -> None:
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert _rows("access_denied") == []


def test_an_address_with_control_characters_is_recorded_escaped(client_as: Any) -> None:
    client = client_as("reader")
    assert client.get("/audit/?q=a%0Ab%0Dc%1B").status_code == 403
    (denied,) = _rows("access_denied")
    assert denied.target == "GET /audit/?q=a%0Ab%0Dc%1B"  # as sent, still percent-encoded
    row = record(None, "access_denied", "user x\ny\x00", "line one\nline two\x1b")
    row.refresh_from_db()
    assert (row.target, row.detail) == ("user x\\ny\\x00", "line one\nline two\\x1b")
