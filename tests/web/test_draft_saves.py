"""A draft saved again and again leaves readers' cached pages alone (issue 16, load held).

Readers see approved figures only, and the scorecards count a draft, a returned return and no
return alike as outstanding: so saving a draft (or a returned return) does not move the data
version that the evaluation cache and the pages' content cache key on. Everything that readers
do see change (a return submitted, approved or sent back) still moves it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kpiboard.web.accounts import roles
from kpiboard.web.collection.models import Return, ReturnBreakdown, ReturnState
from kpiboard.web.register.models import DataVersion
from web.conftest import make_user
from web.test_collection import FORM, _form

pytestmark = pytest.mark.django_db
#: What differs from one request to the next: the CSRF token (a form's, htmx's) and the nonce.
_PER_REQUEST = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"|nonce="[^"]*"'
)


def _save(client: Client, numerator: str, action: str = "save") -> None:
    fields = {"numerator": numerator, "denominator": "90", "commentary": "", "note": ""}
    answer = client.post(FORM, {**_form(client), **fields, "action": action})
    assert answer.status_code == 302, answer.content.decode()[:2000]


def _decide(client: Client, decision: str) -> None:
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    token = client.get("/review/").cookies["csrftoken"].value
    data = {"csrfmiddlewaretoken": token, "decision": decision, "version": str(item.version)}
    if decision != "approve":
        data[f"r{item.pk}-reason"] = "The denominator is last month's"
    assert client.post(f"/review/{item.pk}/", data).status_code == 302
    item.refresh_from_db()
    assert item.state == (ReturnState.APPROVED if decision == "approve" else ReturnState.RETURNED)


def _page(client: Client, path: str) -> str:
    """The page as a reader sees it, without what differs on every request."""
    answer = client.get(path)
    assert answer.status_code == 200
    return _PER_REQUEST.sub("", answer.content.decode())


def test_draft_saves_keep_the_version_and_every_visible_change_moves_it(
    client_as: Any,
) -> None:
    owner, team = client_as("owner"), client_as("performance")
    version = DataVersion.current()
    _save(owner, "70")  # a new draft
    _save(owner, "71")  # and saved again
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.state == ReturnState.DRAFT
    assert (item.numerator, item.version) == (Decimal(71), 2)
    assert DataVersion.current() == version

    _save(owner, "72", "submit")  # now awaiting approval: the scorecards count it
    assert DataVersion.current() == version + 1
    _decide(team, "return")  # back to its owner: outstanding again
    assert DataVersion.current() == version + 2
    _save(owner, "73")  # a returned return saved: still returned, still not seen
    assert Return.objects.get(pk=item.pk).state == ReturnState.RETURNED
    assert DataVersion.current() == version + 2
    _save(owner, "74", "submit")
    _decide(team, "approve")  # the figure reaches readers
    assert DataVersion.current() == version + 4


def test_a_reader_sees_the_same_pages_after_a_draft_and_new_ones_after_a_submission(
    client_as: Any,
) -> None:
    """What a draft save leaves cached is exactly what would be made afresh, so not moving the
    version shows nobody anything stale; a submission changes the pages, so it must move it."""
    reader, owner = client_as("reader"), client_as("owner")
    paths = ("/scorecard/?period=2024-25-q3", "/indicators/182/?period=2024-25-q3")
    before = {path: _page(reader, path) for path in paths}
    _save(owner, "70")  # 77.8%: 182's October figure, were it approved
    cache.clear()  # every page made afresh from the database
    assert {path: _page(reader, path) for path in paths} == before

    _save(owner, "70", "submit")
    cache.clear()
    after = _page(reader, paths[0])
    assert after != before[paths[0]]  # one more awaiting approval for 2024/25 Q3


def test_a_draft_group_figure_keeps_the_version_and_an_approved_one_moves_it(
    people: Any,
) -> None:
    owner = make_user("daniel", roles.OWNER, "daniel.okafor@example.gov.uk")
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    path = "/returns/190/2024-10/"
    version = DataVersion.current()
    fields = {"value": "80.5", "group_0_numerator": "300", "group_0_denominator": "500"}
    answer = client.post(path, {**_form(client, path), **fields, "action": "save"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    group = ReturnBreakdown.objects.get(
        return_row__indicator__ref="190", return_row__period="2024-10", group="Registration"
    )
    assert DataVersion.current() == version
    Return.objects.filter(pk=group.return_row_id).update(state=ReturnState.APPROVED)
    group.numerator = Decimal(301)
    group.save()  # a group of an approved return: the indicator page shows it
    assert DataVersion.current() == version + 1
