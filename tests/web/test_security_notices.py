"""Notices of a changed sign-in (docs/security.md finding N3; ASVS 2.2.3, 2.5.5).

A change from *Your account* e-mailed the person already; completing a password reset and an
administrator removing someone's second factor in the admin did not."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from web.conftest import OWNER_EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern orchard quietly 7 gravel"


@pytest.fixture
def worker_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _superuser() -> Any:
    return get_user_model().objects.create_superuser(
        username="root", password=PASSWORD, email="root@example.gov.uk"
    )


def test_completing_a_password_reset_sends_the_password_changed_notice(
    worker_at_once: None,
) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": OWNER_EMAIL})
    (link_message,) = mail.outbox
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", str(link_message.body))
    assert link
    form = client.get(link.group(1), follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert notice.to == [OWNER_EMAIL]
    assert notice.subject == "Your password was changed"
    assert "helen, was changed on" in notice.body


def test_a_refused_reset_sends_no_notice(worker_at_once: None) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": OWNER_EMAIL})
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert link
    form = client.get(link.group(1), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert len(mail.outbox) == 1


def test_removing_a_second_factor_in_the_admin_tells_its_holder(people: dict[str, Any]) -> None:
    owner = people["owner"]
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    admin = Client()
    admin.force_login(_superuser())
    url = reverse("admin:accounts_encryptedtotpdevice_delete", args=[device.pk])
    assert admin.get(url).status_code == 200
    done = admin.post(url, {"post": "yes"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    (notice,) = mail.outbox
    assert notice.to == [OWNER_EMAIL]
    assert notice.subject == "The second factor of your account was removed"
    assert "helen, was removed on" in notice.body


def test_removing_a_second_factor_revokes_its_holder_s_api_tokens(
    people: dict[str, Any],
) -> None:
    """A lost or stolen authenticator: the tokens its sessions made stop working too."""
    import datetime as dt

    from django.utils import timezone

    from kpiboard.web.api.tokens import authenticate_token, token_create
    from kpiboard.web.audit.models import AuditEvent

    owner, reader = people["owner"], people["reader"]
    expires = timezone.now() + dt.timedelta(days=30)
    _, owners = token_create(user=owner, name="Power BI", scope="read", expires=expires)
    _, readers = token_create(user=reader, name="Excel", scope="read", expires=expires)
    device = TOTPDevice.objects.create(user=owner, name="Authenticator app", confirmed=True)
    assert authenticate_token(owners) is not None
    admin = Client()
    admin.force_login(_superuser())
    url = reverse("admin:accounts_encryptedtotpdevice_delete", args=[device.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert authenticate_token(owners) is None
    assert authenticate_token(readers) is not None
    event = AuditEvent.objects.filter(action="token_revoked").get()
    assert "second factor removed" in event.detail


def test_adding_a_second_factor_in_the_admin_tells_its_holder(people: dict[str, Any]) -> None:
    owner = people["owner"]
    admin = Client()
    admin.force_login(_superuser())
    added = admin.post(
        reverse("admin:accounts_encryptedtotpdevice_add"),
        {
            "user": owner.pk,
            "name": "Authenticator app",
            "confirmed": "on",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "last_t": -1,
            "throttling_failure_count": 0,
        },
    )
    assert added.status_code == 302, added.content
    (notice,) = mail.outbox
    assert notice.to == [OWNER_EMAIL]
    assert notice.subject == "A second factor was set up for your account"


def test_removing_ones_own_second_factor_sends_one_notice(people: dict[str, Any]) -> None:
    reader = people["reader"]
    TOTPDevice.objects.create(user=reader, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(reader)
    session = client.session
    device = TOTPDevice.objects.get(user=reader)
    session["otp_device_id"] = device.persistent_id
    session.save()
    done = client.post(reverse("two_factor_remove"), {"password": PASSWORD})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=reader).exists()
    (notice,) = mail.outbox
    assert notice.subject == "The second factor of your account was removed"


def test_deleting_an_account_sends_no_second_factor_notice(people: dict[str, Any]) -> None:
    mark = people["other_owner"]
    TOTPDevice.objects.create(user=mark, name="Authenticator app", confirmed=True)
    admin = Client()
    admin.force_login(_superuser())
    url = reverse("admin:auth_user_delete", args=[mark.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(pk=mark.pk).exists()
    assert mail.outbox == []
