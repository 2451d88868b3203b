"""/accounts/tokens/: a person makes a token (shown once), sees their own tokens only, and
revokes them; each is recorded in the audit log."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.test import Client

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.tokens import authenticate_token
from kpiboard.web.audit.models import AuditEvent

PAGE = "/accounts/tokens/"


def _csrf(client: Client, path: str = PAGE) -> str:
    page = client.get(path).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _make(client: Client, **fields: str) -> Any:
    data = {"name": "Power BI", "scope": "read", "expires_in": "90", **fields}
    return client.post(PAGE, {**data, "csrfmiddlewaretoken": _csrf(client)})


def test_a_new_token_is_shown_once_and_stored_as_a_digest(client_as: Any) -> None:
    client = client_as("reader")
    response = _make(client)
    assert response.status_code == 200
    shown = re.search(r'id="new-token" type="text" value="(kpib_[^"]+)"', response.content.decode())
    assert shown is not None
    raw = shown.group(1)
    token = ApiToken.objects.get(name="Power BI")
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert authenticate_token(raw) is not None
    again = client.get(PAGE).content.decode()
    assert raw not in again
    assert "Power BI" in again
    event = AuditEvent.objects.filter(action="token_created").latest("pk")
    assert event.actor_name == "reader"
    assert raw not in event.detail


def test_the_link_is_on_the_account_page(client_as: Any) -> None:
    assert b'href="/accounts/tokens/"' in client_as("owner").get("/accounts/").content


def test_form_errors_are_listed(client_as: Any) -> None:
    response = _make(client_as("owner"), name="  ", scope="admin", expires_in="9999")
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a name for the token" in page or "This field is required" in page
    assert page.count("govuk-error-message") == 3
    assert not ApiToken.objects.exists()


def test_a_person_sees_and_revokes_only_their_own(client_as: Any, people: Any) -> None:
    owner, other = client_as("owner"), client_as("reader")
    _make(owner, name="Owner's script", scope="read-write")
    token = ApiToken.objects.get(name="Owner's script")
    assert "Owner&#x27;s script" not in other.get(PAGE).content.decode()
    refused = other.post(f"{PAGE}{token.pk}/revoke/", {"csrfmiddlewaretoken": _csrf(other)})
    assert refused.status_code == 404
    token.refresh_from_db()
    assert token.revoked is None
    done = owner.post(f"{PAGE}{token.pk}/revoke/", {"csrfmiddlewaretoken": _csrf(owner)})
    assert done.status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    assert AuditEvent.objects.filter(action="token_revoked", actor_name="helen").exists()


def test_csrf_and_sign_in_are_required(client_as: Any) -> None:
    assert (
        client_as("reader")
        .post(PAGE, {"name": "x", "scope": "read", "expires_in": "30"})
        .status_code
        == 403
    )
    anonymous = Client()
    response = anonymous.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not ApiToken.objects.exists()
