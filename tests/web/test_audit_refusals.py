"""Refused input in the audit log (ASVS 7.1.3): CSRF failures, and requests answered 400, 411 or
413 or refused by a view (an upload that does not read, a period that does not), one row a
request, naming the method, the path and the fields sent, never what was typed in them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kpiboard.web.audit.models import AuditEvent
from web.test_limits import _post
from web.test_transfer import _demo_entries, _zip

pytestmark = pytest.mark.django_db

SECRET = "Tr0ub4dor-typed-value"


@pytest.fixture(autouse=True)
def _empty_log(db: Any) -> None:
    AuditEvent.objects.all().delete()


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _nothing_typed_is_kept() -> None:
    for row in AuditEvent.objects.all():
        assert SECRET not in f"{row.target} {row.detail} {row.actor_name}"


# -- CSRF ------------------------------------------------------------------------------------------


def test_a_form_sent_with_a_wrong_csrf_token_is_refused_recorded_and_explained(
    people: dict[str, Any],
) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.40")
    client.force_login(people["performance"])
    client.get(reverse("register"))  # the CSRF cookie
    response = client.post(
        "/register/182/targets/",
        {"csrfmiddlewaretoken": "x" * 64, "value": SECRET, "start": "2025/26"},
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert '<h1 class="govuk-heading-l">The form could not be sent</h1>' in text
    assert "reload the page and try again" in text
    assert 'class="govuk-header' in text  # the site's own page, not Django's
    (row,) = _rows("csrf_failed")
    assert (row.actor, row.address, row.target) == (
        people["performance"],
        "192.0.2.40",
        "POST /register/182/targets/",
    )
    assert "CSRF token from POST incorrect" in row.detail
    assert "form fields: start, value" in row.detail
    _nothing_typed_is_kept()


def test_a_sign_in_without_a_csrf_cookie_is_recorded_from_its_address() -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")
    response = client.post(reverse("login"), {"username": "alice", "password": SECRET})
    assert response.status_code == 403
    (row,) = _rows("csrf_failed")
    assert (row.actor, row.actor_name, row.address) == (None, "", "198.51.100.7")
    assert row.target == "POST /accounts/login/"
    assert "CSRF cookie not set" in row.detail
    _nothing_typed_is_kept()


# -- 400, 411, 413 ------------------------------------------------------------------------------


def test_an_address_no_page_sends_is_recorded_with_its_field_names(
    people: dict[str, Any],
) -> None:
    client = Client(REMOTE_ADDR="192.0.2.41")
    client.force_login(people["reader"])
    response = client.get(f"/?period=%00&note={SECRET}")
    assert response.status_code == 400
    (row,) = _rows("input_refused")
    assert (row.actor, row.address, row.target) == (people["reader"], "192.0.2.41", "GET /")
    assert row.detail == "answered 400; query fields: note, period"
    _nothing_typed_is_kept()


def test_a_request_django_refuses_is_recorded_once(people: dict[str, Any], settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client()
    client.force_login(people["performance"])
    response = client.post("/register/182/targets/", {f"f{n}": SECRET for n in range(10)})
    assert response.status_code == 400
    (row,) = _rows("input_refused")
    assert row.target == "POST /register/182/targets/"
    assert row.detail.startswith("answered 400")
    _nothing_typed_is_kept()


def test_a_body_too_large_is_recorded_without_being_read() -> None:
    status, _, body = _post("/accounts/login/", 10 * 1024 * 1024)
    assert status == 413
    assert body.read_bytes == 0
    (row,) = _rows("input_refused")
    assert row.target == "POST /accounts/login/"
    assert row.detail == "answered 413; no fields"


# -- views that refuse input ---------------------------------------------------------------------


def test_an_upload_that_does_not_read_is_recorded_once_without_its_contents(
    client_as: Any,
) -> None:
    entries = _demo_entries()
    entries["data/targets.csv"] += f"182,2025/26,{SECRET}\n".encode()
    client = client_as("performance")
    token = client.get("/register/import/").cookies["csrftoken"].value
    upload = io.BytesIO(_zip(entries))
    upload.name = "demo.zip"
    response = client.post("/register/import/", {"file": upload, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert SECRET in response.content.decode()  # the page names the bad value to its uploader
    (row,) = _rows("input_refused")
    assert row.target == "POST /register/import/"
    assert row.detail.startswith("the upload did not read: 1 problems; ")
    assert row.detail.endswith("files fields: file")
    assert row.actor_name == "perf"
    _nothing_typed_is_kept()


def test_an_upload_form_refused_is_recorded(client_as: Any) -> None:
    client = client_as("performance")
    token = client.get("/register/import/").cookies["csrftoken"].value
    response = client.post("/register/import/", {"csrfmiddlewaretoken": token})  # no file
    assert response.status_code == 200
    (row,) = _rows("input_refused")
    assert row.detail == "the upload form was refused; also fields: file"


def test_a_period_that_does_not_read_is_recorded(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["reader"])
    response = client.get("/scorecard/", {"period": "0000-01"})
    assert response.status_code == 200
    (row,) = _rows("input_refused")
    assert row.target == "GET /scorecard/"
    assert row.detail == "the period did not read; query fields: period"
    assert "0000-01" not in row.detail


def test_pages_that_accept_their_input_record_nothing(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["reader"])
    assert client.get("/scorecard/", {"period": "2024/25 Q2"}).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert not _rows("input_refused")
