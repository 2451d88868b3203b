"""The register's lifecycle: proposed, decided by a committee, active, suspended, retired; and a
retired indicator's past figures stay in past reports."""

from __future__ import annotations

from typing import Any

import pytest

from kpiboard.analysis.periods import parse_period
from kpiboard.web.evaluation import evaluate_period
from kpiboard.web.register.models import Indicator, Target

pytestmark = pytest.mark.django_db


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = client.get("/register/").cookies["csrftoken"].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def _new_indicator() -> dict[str, Any]:
    return {
        "ref": "300",
        "name": "Invoices paid within 30 days",
        "unit": "percent",
        "decimals": "1",
        "direction": "higher",
        "frequency": "month",
        "aggregation": "latest",
        "cumulative": "none",
        "category": "targeted",
        "committees": ["1"],
        "directorate": "1",
        "owner": "mark.ellison@example.gov.uk",
        "version": "",
    }


def test_a_proposed_indicator_is_approved_by_a_committee_and_audited(
    client_as: Any, people: dict[str, Any]
) -> None:
    from kpiboard.web.register.models import Committee, Directorate

    client = client_as("performance")
    data = _new_indicator()
    data["committees"] = [str(Committee.objects.get(code="srp").pk)]
    data["directorate"] = str(Directorate.objects.first().pk)  # type: ignore[union-attr]
    assert _post(client, "/register/new/", data).status_code == 302
    indicator = Indicator.objects.get(ref="300")
    assert indicator.lifecycle == "proposed"
    # Not evaluated while only proposed.
    refs = {r.indicator.ref for r in evaluate_period(parse_period("2024/25 Q2")).indicators}
    assert "300" not in refs
    srp = Committee.objects.get(code="srp")
    # Approval needs the committee and the meeting date.
    _post(client, "/register/300/decide/", {"move": "active"})
    assert Indicator.objects.get(ref="300").lifecycle == "proposed"
    _post(
        client,
        "/register/300/decide/",
        {"move": "active", "committee": srp.pk, "meeting": "2024-06-18", "note": "Agreed"},
    )
    indicator.refresh_from_db()
    assert indicator.lifecycle == "active"
    assert indicator.decided_by == srp
    assert str(indicator.decided_on) == "2024-06-18"
    history = list(indicator.history.order_by("history_date"))
    states = [h.lifecycle for h in history]
    assert states[0] == "proposed"
    assert states[-1] == "active"
    assert states.count("active") == 1
    assert {h.history_user for h in history} == {people["performance"]}
    page = client.get("/register/300/history/").content.decode()
    assert "<strong>Lifecycle</strong>: Proposed → Active" in page  # in words, not codes


def test_a_retired_indicator_stays_in_earlier_reports_only(client_as: Any) -> None:
    client = client_as("performance")
    srp = Indicator.objects.get(ref="183").committees.get()
    response = _post(
        client,
        "/register/183/decide/",
        {
            "move": "retired",
            "committee": srp.pk,
            "meeting": "2024-09-10",
            "ended_from": "2024/25 Q3",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(ref="183")
    assert indicator.lifecycle == "retired"
    assert indicator.ended_from == "2024/25 Q3"
    q2 = {r.indicator.ref for r in evaluate_period(parse_period("2024/25 Q2")).indicators}
    q3 = {r.indicator.ref for r in evaluate_period(parse_period("2024/25 Q3")).indicators}
    assert "183" in q2
    assert "183" not in q3
    # A retired indicator cannot come back.
    _post(
        client,
        "/register/183/decide/",
        {"move": "active", "committee": srp.pk, "meeting": "2024-10-01"},
    )
    assert Indicator.objects.get(ref="183").lifecycle == "retired"


def test_suspending_shows_suspended_and_reinstating_restores_the_category(client_as: Any) -> None:
    client = client_as("performance")
    _post(client, "/register/182/decide/", {"move": "suspended", "ended_from": "2024/25 Q2"})
    assert Indicator.objects.get(ref="182").category == "suspended"
    _post(client, "/register/182/decide/", {"move": "active"})
    indicator = Indicator.objects.get(ref="182")
    assert indicator.lifecycle == "active"
    assert indicator.category == "targeted"


def test_setting_a_target_is_audited_and_changes_the_status(client_as: Any) -> None:
    client = client_as("performance")
    q2 = parse_period("2024/25 Q2")
    assert evaluate_period(q2).result("182").status.value == "red"  # 81 against 90
    _post(client, "/register/182/targets/", {"start": "2024/25 Q2", "value": "81"})
    target = Target.objects.get(indicator__ref="182", start="2024/25 Q2")
    assert target.history.latest().history_user.username == "perf"
    assert evaluate_period(q2).result("182").status.value == "green"  # exactly on target
