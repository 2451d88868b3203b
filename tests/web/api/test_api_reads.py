"""Reading through the API: who may, what they see, and how (problem details, pages, ETags,
the rate limit)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.tokens import token_create
from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register.models import Indicator

PROBLEM = "application/problem+json"


def test_no_token_is_401_problem_details_with_the_scheme() -> None:
    response = Client().get("/api/v1/organisation")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["instance"] == "/api/v1/organisation"
    assert "token" in body["detail"]


@pytest.mark.parametrize("spoil", ["revoked", "expired", "unknown"])
def test_a_dead_token_is_401(people: dict[str, Any], spoil: str) -> None:
    token, raw = token_create(
        user=people["reader"],
        name="x",
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    if spoil == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked=timezone.now())
    elif spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now())
    else:
        raw = raw[:-3] + "zzz"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/organisation")
    assert response.status_code == 401


def test_basic_authentication_with_the_token_as_password(token_for: Any) -> None:
    basic = base64.b64encode(f"anyone:{token_for('reader')}".encode()).decode()
    response = Client(HTTP_AUTHORIZATION=f"Basic {basic}").get("/api/v1/committees")
    assert response.status_code == 200
    assert {"id": "srp", "name": "Strategy, Resources and Performance Committee"} in (
        response.json()
    )


def test_an_account_without_a_role_reads_nothing_and_is_recorded(api_as: Any) -> None:
    response = api_as("no_role").get("/api/v1/indicators")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    event = AuditEvent.objects.filter(action="access_denied").latest("pk")
    assert event.actor_name == "norole"
    assert "/api/v1/indicators" in event.target


def test_the_register_filters_and_pages(api_as: Any) -> None:
    client = api_as("reader")
    everything = client.get("/api/v1/indicators?period=2024-25-q2&page_size=500").json()
    assert everything["period"] == "2024/25 Q2"
    assert everything["count"] == len(everything["items"]) >= 10
    srp = client.get("/api/v1/indicators?period=2024-25-q2&committee=srp").json()
    assert srp["count"] > 0
    assert all("srp" in item["committees"] for item in srp["items"])
    assert srp["count"] < everything["count"]
    green = client.get("/api/v1/indicators?period=2024-25-q2&status=green").json()
    assert green["count"] > 0
    assert {item["status"] for item in green["items"]} == {"green"}
    directorate = everything["items"][0]["directorate"]
    mine = client.get(f"/api/v1/indicators?period=2024-25-q2&directorate={directorate}").json()
    assert {item["directorate"] for item in mine["items"]} == {directorate}
    active = client.get("/api/v1/indicators?lifecycle=active&page_size=500").json()
    assert {item["lifecycle"] for item in active["items"]} == {"active"}
    first = client.get("/api/v1/indicators?period=2024-25-q2&page_size=3").json()
    second = client.get(first["next"]).json()
    assert first["previous"] is None
    assert len(first["items"]) == len(second["items"]) == 3
    refs = [item["ref"] for item in first["items"] + second["items"]]
    assert refs == [item["ref"] for item in everything["items"][:6]]
    assert second["previous"].endswith("page=1")


def test_every_error_of_a_request_at_once(api_as: Any) -> None:
    response = api_as("reader").get("/api/v1/indicators?status=purple&page=0&page_size=9999")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    fields = sorted(error["field"] for error in response.json()["errors"])
    assert fields == ["page", "page_size", "status"]


def test_a_period_that_does_not_read_is_named(api_as: Any) -> None:
    response = api_as("reader").get("/api/v1/evaluation?period=Q9")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "period"
    assert "'Q9' is not a reporting period" in error["detail"]


def test_unknown_things_are_404_problems(api_as: Any) -> None:
    client = api_as("reader")
    for path in (
        "/api/v1/indicators/NOPE",
        "/api/v1/indicators/NOPE/figures",
        "/api/v1/scorecards/committee/nope",
        "/api/v1/evaluation?committee=nope",
        "/api/v1/publications/999999",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == PROBLEM, path


def _draft(ref: str, period: str, numerator: str) -> Return:
    return Return.objects.create(
        indicator=Indicator.objects.get(ref=ref),
        period=period,
        period_start=2024 * 12 + 9,
        numerator=numerator,
        denominator="100",
        state=ReturnState.DRAFT,
    )


def test_drafts_are_for_the_owner_and_the_team_only(api_as: Any) -> None:
    _draft("182", "2024-10", "77")
    periods = {
        role: [f["period"] for f in api_as(role).get("/api/v1/indicators/182/figures").json()]
        for role in ("reader", "other_owner", "owner", "performance")
    }
    assert "2024-10" not in periods["reader"]
    assert "2024-10" not in periods["other_owner"]
    assert "2024-10" in periods["owner"]
    assert "2024-10" in periods["performance"]
    assert "2024-09" in periods["reader"]


def test_targets_commentary_and_actions(api_as: Any) -> None:
    client = api_as("reader")
    targets = client.get("/api/v1/indicators/182/targets").json()
    assert targets == [{"start": "2022-04", "value": "90", "reason": "", "decided_on": None}]
    commentary = client.get("/api/v1/indicators/182/commentary").json()
    assert commentary[0]["period"] == "2024/25 Q2"
    assert "improved" in commentary[0]["text"]
    actions = client.get("/api/v1/indicators/182/actions").json()
    assert any("pothole" in action["action"] for action in actions)


def test_a_read_carries_an_etag_and_an_unchanged_one_is_304(api_as: Any) -> None:
    client = api_as("reader")
    first = client.get("/api/v1/indicators/182/figures")
    tag = first["ETag"]
    assert tag.startswith('"')
    again = client.get("/api/v1/indicators/182/figures", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == tag
    other = client.get("/api/v1/indicators/183/figures", HTTP_IF_NONE_MATCH=tag)
    assert other.status_code == 200
    assert other["ETag"] != tag
    # The figures change: the same address has a new tag.
    Return.objects.filter(indicator__ref="182", period="2024-09").update(commentary="changed")
    changed = client.get("/api/v1/indicators/182/figures", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag


def test_each_token_has_its_own_rate_limit(api_as: Any, settings: Any) -> None:
    settings.KPIBOARD_API_REQUESTS_PER_MINUTE = 3
    busy, calm = api_as("reader"), api_as("reader")
    answers = [busy.get("/api/v1/committees").status_code for _ in range(4)]
    if answers[-1] == 200:  # the minute turned between the requests: once more
        answers = [busy.get("/api/v1/committees").status_code for _ in range(4)]
    assert answers[:3].count(200) >= 2
    assert answers[-1] == 429
    refused = busy.get("/api/v1/committees")
    assert refused["Content-Type"] == PROBLEM
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert calm.get("/api/v1/committees").status_code == 200


def test_the_browser_session_reads_and_needs_csrf_to_write(client_as: Any) -> None:
    reader = client_as("reader")
    assert reader.get("/api/v1/organisation").status_code == 200
    owner = client_as("owner")
    refused = owner.post(
        "/api/v1/returns/182/2024-10", {"commentary": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    token = owner.get("/accounts/").cookies["csrftoken"].value
    accepted = owner.post(
        "/api/v1/returns/182/2024-10",
        {"commentary": "Entered in the browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201, accepted.content


def test_an_address_the_site_refuses_is_a_problem_for_the_api(api_as: Any) -> None:
    response = api_as("reader").get("/api/v1/indicators?directorate=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert "NUL" in response.json()["detail"]
    page = Client().get("/register/?committee=a%00b")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
