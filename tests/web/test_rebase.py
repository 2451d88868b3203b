"""Recalculating the control chart's limits from the indicator page: only the performance team,
only with a reason, CSRF-protected, kept in the observation's history, and undone the same way."""

from __future__ import annotations

from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.test import Client

from kpiboard.web.collection.models import Return

pytestmark = pytest.mark.django_db

#: The demo's 183 (subject access requests): 2024/25 Q2's chart has ten points above the mean
#: from December 2023, the month the engine suggests (changed_since "2023-12"; no rebase there).
REF, SUGGESTED = "183", "2023-12"
PAGE = f"/indicators/{REF}/?period=2024-25-q2"


def form_of(client: Client) -> tuple[str, str]:
    """The rebase form's action and CSRF token, read from the page as a browser would."""
    response = client.get(PAGE)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    (form,) = doc.xpath("//form[@id='rebase-form']")
    token = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert form.xpath(".//input[@name='period']/@value") == [SUGGESTED]
    return form.get("action"), token


def observation() -> Return:
    return Return.objects.get(indicator__ref=REF, period=SUGGESTED)


def test_the_page_offers_the_suggested_point_to_the_performance_team(client_as: Any) -> None:
    response = client_as("performance").get(PAGE)
    words = " ".join(response.content.decode().split())
    assert "Recalculate the limits from December 2023</button>" in words


@pytest.mark.parametrize("role", ["owner", "other_owner", "reader"])
def test_no_one_else_sees_the_form_or_may_post_it(client_as: Any, people: Any, role: str) -> None:
    """183 is owned by "owner": owning the indicator is not enough. The post is made without
    CSRF checks, so that the refusal is the permission's."""
    assert b'id="rebase-form"' not in client_as(role).get(PAGE).content
    client = Client()
    client.force_login(people[role])
    response = client.post(
        f"/indicators/{REF}/rebase/", {"period": SUGGESTED, "reason": "New system"}
    )
    assert response.status_code == 403
    assert observation().rebase is False


def test_the_form_needs_a_csrf_token(client_as: Any) -> None:
    client = client_as("performance")  # CSRF checks on, and no token in the post
    response = client.post(
        f"/indicators/{REF}/rebase/", {"period": SUGGESTED, "reason": "New system"}
    )
    assert response.status_code == 403
    assert observation().rebase is False


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(client_as: Any, reason: str) -> None:
    client = client_as("performance")
    action, token = form_of(client)
    response = client.post(
        action, {"period": SUGGESTED, "reason": reason, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # back to the page, with the error
    assert observation().rebase is False
    shown = client.get(response["Location"]).content.decode()
    assert "Say why the process changed" in shown or "This field is required" in shown


def test_a_rebase_is_recorded_in_the_history_and_undone(client_as: Any, people: Any) -> None:
    client = client_as("performance")
    action, token = form_of(client)
    before = observation().history.count()
    reason = "New case management system went live in December 2023."
    response = client.post(
        action,
        {
            "period": SUGGESTED,
            "reason": reason,
            "csrfmiddlewaretoken": token,
            "return_period": "2024-25-q2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    item = observation()
    assert (item.rebase, item.note) == (True, reason)
    latest = item.history.latest("history_date")
    assert item.history.count() == before + 1
    assert latest.history_user == people["performance"]
    assert latest.history_change_reason == "Control chart limits recalculated from here"
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert {"rebase", "note"} <= changed

    # The new segment starts there: the page no longer suggests it and lists it with an undo.
    doc = lxml.html.fromstring(client.get(PAGE).content.decode())
    assert not doc.xpath("//form[@id='rebase-form']")
    (listed,) = doc.xpath("//ul[@id='rebase-list']/li")
    assert listed.get("data-period") == SUGGESTED
    assert reason in listed.text_content()
    undo = listed.xpath(".//form")[0]
    token = undo.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]
    response = client.post(undo.get("action"), {"period": SUGGESTED, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    item = observation()
    assert item.rebase is False
    latest = item.history.latest("history_date")
    assert latest.history_change_reason == "Recalculation of the control chart limits undone"
    assert item.history.count() == before + 2


def test_an_owner_may_not_undo(people: Any) -> None:
    client = Client()  # no CSRF checks: the refusal is the permission's
    client.force_login(people["owner"])
    Return.objects.filter(indicator__ref=REF, period=SUGGESTED).update(rebase=True)
    response = client.post(f"/indicators/{REF}/rebase/undo/", {"period": SUGGESTED})
    assert response.status_code == 403
    assert observation().rebase is True
