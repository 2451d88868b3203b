"""Changes through the API: a return submitted by an owner's system goes through the web's
checks and review with separation of duties; an import is dry-run then applied; who may do
what is the web's rule, and a read-only token changes nothing."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register.models import Indicator
from web.conftest import DEMO

SUBMIT = "/api/v1/returns/182/2024-10"
PROBLEM = "application/problem+json"


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize(
    ("role", "scope", "path"),
    [
        ("reader", "read-write", SUBMIT),  # a reader never enters figures
        ("owner", "read", SUBMIT),  # a read token changes nothing, whoever holds it
        ("other_owner", "read-write", SUBMIT),  # 182 is Helen's, not Mark's
        ("no_role", "read-write", SUBMIT),
    ],
)
def test_who_may_not_submit(api_as: Any, role: str, scope: str, path: str) -> None:
    response = _post(api_as(role, scope), path, {"numerator": "81", "denominator": "90"})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


def test_an_owners_system_submits_and_it_awaits_review_then_is_approved_on_the_web(
    api_as: Any, client_as: Any, people: dict[str, Any]
) -> None:
    owner = api_as("owner", "read-write")
    response = _post(
        owner, SUBMIT, {"numerator": "110", "denominator": "130", "commentary": "Better."}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["awaiting_review"] is True
    assert "awaits review" in body["message"]
    assert body["figure"]["numerator"] == "110"
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.submitted_by == people["owner"]
    assert item.entered_by is None
    # Recorded in the history as the owner's change, as the form's would be.
    assert item.history.latest().history_user == people["owner"]
    # Submitted: no longer changed by the owner's system.
    again = _post(owner, SUBMIT, {"numerator": "111", "denominator": "130"})
    assert again.status_code == 409
    # The performance team sees it in review and approves it on the web.
    team = client_as("performance")
    assert "84.6% (110 of 130)" in team.get("/review/").content.decode()
    csrf = team.get("/review/").cookies["csrftoken"].value
    team.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": csrf, "decision": "approve", "version": item.version},
    )
    item.refresh_from_db()
    assert item.state == ReturnState.APPROVED
    assert item.reviewed_by == people["performance"]


def test_the_team_entering_for_an_owner_cannot_approve_it(
    api_as: Any, client_as: Any, people: dict[str, Any]
) -> None:
    response = _post(
        api_as("performance", "read-write"),
        SUBMIT,
        {"numerator": "81", "denominator": "90", "commentary": "For Helen"},
    )
    assert response.status_code == 201
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.entered_by == people["performance"]
    team = client_as("performance")
    csrf = team.get("/review/").cookies["csrftoken"].value
    page = team.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": csrf, "decision": "approve", "version": item.version},
        follow=True,
    ).content.decode()
    assert "someone else must approve it" in page
    item.refresh_from_db()
    assert item.state == ReturnState.SUBMITTED


def test_a_draft_is_kept_and_changed_again(api_as: Any) -> None:
    owner = api_as("owner", "read-write")
    first = _post(owner, SUBMIT, {"commentary": "Figures follow", "submit": False})
    assert first.status_code == 201
    assert first.json()["state"] == "draft"
    assert first.json()["awaiting_review"] is False
    second = _post(owner, SUBMIT, {"numerator": "80", "denominator": "90", "submit": False})
    assert second.status_code == 200
    assert second.json()["version"] == first.json()["version"] + 1
    stale = _post(
        owner, SUBMIT, {"numerator": "81", "denominator": "90", "version": first.json()["version"]}
    )
    assert stale.status_code == 409


def test_every_error_of_a_return_at_once(api_as: Any) -> None:
    response = _post(
        api_as("owner", "read-write"),
        SUBMIT,
        {"numerator": "many", "denominator": "-3", "lower_ci": "x"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    fields = {error["field"] for error in errors}
    assert {"numerator", "denominator"} <= fields
    assert all(error["detail"] for error in errors)
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


def test_nothing_at_all_is_refused(api_as: Any) -> None:
    response = _post(api_as("owner", "read-write"), SUBMIT, {})
    assert response.status_code == 422
    assert "Enter a value, or a numerator and denominator, or commentary" in str(
        response.json()["errors"]
    )


def test_a_surprising_figure_needs_its_owners_word(api_as: Any) -> None:
    owner = api_as("owner", "read-write")
    # 182 runs at about 80% a month; 5 of 100 is far outside its history.
    far = {"numerator": "5", "denominator": "100", "commentary": "x"}
    refused = _post(owner, SUBMIT, far)
    assert refused.status_code == 422
    (error,) = [e for e in refused.json()["errors"] if e["field"] == "confirm"]
    assert error["detail"].startswith("Check the figure")
    accepted = _post(
        owner, SUBMIT, {**far, "confirm": True, "surprise_reason": "A server failed for weeks"}
    )
    assert accepted.status_code == 201
    assert accepted.json()["warning"]
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.surprise_reason == "A server failed for weeks"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/returns/182/2024-25-q3", 422),  # 182 is monthly
        ("/api/v1/returns/182/someday", 422),
        ("/api/v1/returns/NOPE/2024-10", 404),
    ],
)
def test_a_return_for_the_wrong_period_or_indicator(api_as: Any, path: str, status: int) -> None:
    response = _post(api_as("owner", "read-write"), path, {"commentary": "x"})
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM


def _zip(folder: Path, change: Any = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                data = path.read_bytes()
                if change is not None:
                    data = change(path.name, data)
                archive.writestr(path.name, data)
    return buffer.getvalue()


def _upload(client: Client, data: bytes, name: str = "data.zip") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/api/v1/imports", {"file": upload})


def test_an_import_is_dry_run_then_applied_and_audited(api_as: Any) -> None:
    client = api_as("performance", "read-write")

    def rename(name: str, data: bytes) -> bytes:
        if name != "indicators.csv":
            return data
        return data.replace(
            b",Statutory returns completed on time,", b",Statutory returns on time,"
        )

    response = _upload(client, _zip(DEMO, rename))
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["counts"]["changed indicators"] == 1
    assert any(line.startswith("Changed indicator: 184") for line in plan["changes"])
    assert Indicator.objects.get(ref="184").name == "Statutory returns completed on time"
    applied = client.post(f"/api/v1/imports/{plan['key']}/apply")
    assert applied.status_code == 200, applied.content
    assert Indicator.objects.get(ref="184").name == "Statutory returns on time"
    event = AuditEvent.objects.filter(action="imported").latest("pk")
    assert event.actor_name == "perf"
    assert "data.zip" in event.target
    assert client.post(f"/api/v1/imports/{plan['key']}/apply").status_code == 404


def test_an_import_names_every_problem_by_file_row_and_column(api_as: Any) -> None:
    def spoil(name: str, data: bytes) -> bytes:
        if name != "observations.csv":
            return data
        lines = data.split(b"\n")
        for index in (1, 2):
            cells = lines[index].split(b",")
            cells[2] = b"lots"
            lines[index] = b",".join(cells)
        return b"\n".join(lines)

    response = _upload(api_as("performance", "read-write"), _zip(DEMO, spoil))
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    errors = response.json()["errors"]
    assert len(errors) >= 2
    rows = {(e["file"], e["row"], e["value"]) for e in errors}
    assert ("observations.csv", 2, "lots") in rows
    assert ("observations.csv", 3, "lots") in rows
    assert all(e["column"] and e["expected"] for e in errors)


def test_an_import_of_the_wrong_kind_of_file(api_as: Any) -> None:
    response = _upload(api_as("performance", "read-write"), b"hello", "notes.txt")
    assert response.status_code == 422
    assert re.search(r"\.zip|\.xlsx", response.json()["errors"][0]["detail"])


@pytest.mark.parametrize(("role", "scope"), [("owner", "read-write"), ("performance", "read")])
def test_only_the_team_with_a_write_token_imports(api_as: Any, role: str, scope: str) -> None:
    response = _upload(api_as(role, scope), _zip(DEMO))
    assert response.status_code == 403


def test_a_live_token_carries_an_upload_past_the_anonymous_limit(
    api_as: Any, settings: Any
) -> None:
    settings.MAX_ANONYMOUS_BYTES = 1024
    data = _zip(DEMO)
    assert len(data) > 10 * 1024
    anonymous = _upload(Client(), data)
    assert anonymous.status_code == 413
    assert anonymous["Content-Type"] == PROBLEM
    bad_token = _upload(Client(HTTP_AUTHORIZATION="Bearer kpib_not-a-token"), data)
    assert bad_token.status_code == 413
    assert _upload(api_as("performance", "read-write"), data).status_code == 201
