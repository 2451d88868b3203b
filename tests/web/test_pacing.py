"""Changes at a person's pace (ASVS 11.1.2, web/pacing.py): past ``KPIBOARD_WRITES_PER_MINUTE``
changes in a minute, a person's next are refused with 429 and saved not at all, until the minute
ends; others are not held up; the first refusal of the minute is audited.

The clock is the pacing module's: every request here is at :data:`MOMENT`, 10 seconds into a
minute, until a test moves it on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from kpiboard.web import pacing
from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.minute_counts import minute_count
from web.test_collection import FORM, _form

pytestmark = pytest.mark.django_db

#: 1_800_000_000 is 30,000,000 minutes exactly: MOMENT is 10 seconds into a minute, whose end is
#: 50 seconds later.
MOMENT = 1_800_000_010.0
LIMIT = 3


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> SimpleNamespace:
    """The pacing's clock, stopped at MOMENT; set ``clock.now`` to move it."""
    settings.KPIBOARD_WRITES_PER_MINUTE = LIMIT
    now = SimpleNamespace(now=MOMENT)
    monkeypatch.setattr(pacing, "time", SimpleNamespace(time=lambda: now.now))
    return now


def _save(client: Client, numerator: str) -> Any:
    """The owner's return for 182, October 2024, saved as a draft with ``numerator`` / 90."""
    fields = {"numerator": numerator, "denominator": "90", "commentary": "", "note": ""}
    return client.post(FORM, {**_form(client), **fields, "action": "save"})


def _save_to_the_limit(client: Client) -> None:
    """LIMIT saves, 70, 71 and 72, each accepted."""
    for numerator in ("70", "71", "72"):
        assert _save(client, numerator).status_code == 302


def _saved() -> str:
    return str(Return.objects.get(indicator__ref="182", period="2024-10").numerator)


def _paced_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.WRITES_PACED).order_by("pk"))


def test_the_change_past_the_limit_is_refused_and_saves_nothing(
    client_as: Any, clock: SimpleNamespace
) -> None:
    owner = client_as("owner")
    _save_to_the_limit(owner)
    assert _saved() == "72"
    version = Return.objects.get(indicator__ref="182", period="2024-10").version

    refused = _save(owner, "73")  # the fourth within the minute

    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"  # 10 seconds in: the minute ends in 50
    page = refused.content.decode()
    assert "You are sending changes too quickly" in page
    assert "more than 3 changes in a minute" in page
    assert "Wait 50 seconds" in page
    assert 'class="govuk-heading-l"' in page  # the site's own page, not a bare error
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert (str(item.numerator), item.version) == ("72", version)  # nothing saved
    # Reading goes on: only changes are counted and refused.
    assert owner.get(FORM).status_code == 200


def test_submitting_is_refused_too_and_the_return_stays_a_draft(
    client_as: Any, clock: SimpleNamespace
) -> None:
    owner = client_as("owner")
    _save_to_the_limit(owner)
    fields = {"numerator": "72", "denominator": "90", "commentary": "x", "note": ""}
    refused = owner.post(FORM, {**_form(owner), **fields, "action": "submit"})
    assert refused.status_code == 429
    assert Return.objects.get(indicator__ref="182", period="2024-10").state == ReturnState.DRAFT


def test_another_person_is_not_held_up(
    client_as: Any, people: dict[str, Any], clock: SimpleNamespace
) -> None:
    owner, team = client_as("owner"), client_as("performance")
    _save_to_the_limit(owner)
    assert _save(owner, "73").status_code == 429
    # The performance team, in the same minute, enters the same return for the owner.
    answer = _save(team, "74")
    assert answer.status_code == 302
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert (str(item.numerator), item.entered_by) == ("74", people["performance"])
    assert _save(owner, "75").status_code == 429  # the owner is still held


def test_after_the_minute_the_person_can_save_again(client_as: Any, clock: SimpleNamespace) -> None:
    owner = client_as("owner")
    _save_to_the_limit(owner)
    assert _save(owner, "73").status_code == 429
    clock.now = MOMENT + 49  # the last second of the same minute: still held
    assert _save(owner, "73").status_code == 429
    clock.now = MOMENT + 50  # the next minute
    assert _save(owner, "76").status_code == 302
    assert _saved() == "76"
    for numerator in ("77", "78"):
        assert _save(owner, numerator).status_code == 302
    assert _save(owner, "79").status_code == 429  # a new minute, the same limit
    assert _saved() == "78"


def test_the_refusal_is_audited_once_a_minute(
    client_as: Any, people: dict[str, Any], clock: SimpleNamespace
) -> None:
    owner = client_as("owner")
    _save_to_the_limit(owner)
    assert _paced_rows() == []  # within the limit: nothing recorded
    for numerator in ("73", "74", "75"):
        assert _save(owner, numerator).status_code == 429
    rows = _paced_rows()
    assert len(rows) == 1  # one script's minute of refusals is one row
    assert rows[0].actor == people["owner"]
    assert rows[0].actor_name == "helen"
    assert rows[0].target == f"POST {FORM}"
    assert "more than 3 changes sent within a minute" in rows[0].detail
    assert "refused for 50 seconds" in rows[0].detail
    clock.now = MOMENT + 60
    for numerator in ("80", "81", "82", "83"):
        _save(owner, numerator)
    assert len(_paced_rows()) == 2  # held again the next minute: recorded again


def test_reviewing_is_paced(client_as: Any, people: dict[str, Any], clock: SimpleNamespace) -> None:
    owner = client_as("owner")
    fields = {"numerator": "81", "denominator": "90", "commentary": "x", "note": ""}
    for path in ("/returns/182/2024-10/", "/returns/183/2024-10/"):
        answer = owner.post(path, {**_form(owner, path), **fields, "action": "submit"})
        assert answer.status_code == 302, answer.content.decode()[:2000]
    first, second = Return.objects.filter(period="2024-10").order_by("indicator__ref")
    team = client_as("performance")
    token = team.get("/review/").cookies["csrftoken"].value
    send_back = {"csrfmiddlewaretoken": token, "decision": "return"}
    for _ in range(LIMIT):  # three sendings back, refused by the form for want of a reason
        answer = team.post(f"/review/{first.pk}/", {**send_back, "version": first.version})
        assert answer.status_code != 429
    approve = {"csrfmiddlewaretoken": token, "decision": "approve", "version": second.version}
    assert team.post(f"/review/{second.pk}/", approve).status_code == 429
    many = {"csrfmiddlewaretoken": token, "approve": [f"{second.pk}:{second.version}"]}
    assert team.post("/review/approve/", many).status_code == 429
    assert Return.objects.get(pk=second.pk).state == ReturnState.SUBMITTED


@pytest.mark.parametrize("header", [None, "", "   "])
def test_the_apis_changes_under_the_session_count_and_are_refused_as_problems(
    client_as: Any, clock: SimpleNamespace, header: str | None
) -> None:
    """The API under the browser's session counts against the person's pace, with or without
    an Authorization header: one with nothing in it carries no token, so the API takes the
    session (it once let such a request through uncounted)."""
    owner = client_as("owner")
    _save_to_the_limit(owner)
    token = owner.get("/accounts/").cookies["csrftoken"].value
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    refused = owner.post(
        "/api/v1/returns/182/2024-10",
        {"commentary": "Entered in the browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        **extra,
    )
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "50"
    assert "more than 3 changes this minute: wait 50 seconds" in refused.json()["detail"]
    assert Return.objects.get(indicator__ref="182", period="2024-10").commentary == ""


def test_typing_previews_and_signing_out_are_not_counted(
    client_as: Any, clock: SimpleNamespace
) -> None:
    owner = client_as("owner")
    preview = "/returns/182/2024-10/preview/"
    token = _form(owner)["csrfmiddlewaretoken"]
    for numerator in range(10):  # htmx, as the owner types: changes nothing
        answer = owner.post(
            preview,
            {"csrfmiddlewaretoken": token, "numerator": str(numerator), "denominator": "90"},
            HTTP_HX_REQUEST="true",
        )
        assert answer.status_code == 200
    _save_to_the_limit(owner)
    assert _save(owner, "73").status_code == 429
    signed_out = owner.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302  # held or not, a person can always sign out


def test_every_page_left_unpaced_is_a_page_of_the_site() -> None:
    """The list of exceptions names pages that exist (a page renamed is paced, not forgotten)."""
    names = {
        name for name in get_resolver().reverse_dict if isinstance(name, str) and "/" not in name
    }
    assert set(pacing.UNPACED) <= names
    assert "return_form" not in pacing.UNPACED
    assert "review_decide" not in pacing.UNPACED


def test_the_limit_is_sixty_unless_configured(settings: Any) -> None:
    assert settings.KPIBOARD_WRITES_PER_MINUTE == 60  # the settings' default
    del settings.KPIBOARD_WRITES_PER_MINUTE
    assert pacing.writes_per_minute() == 60
    settings.KPIBOARD_WRITES_PER_MINUTE = 5
    assert pacing.writes_per_minute() == 5


def test_the_count_is_per_minute_and_shared_with_the_api_tokens_limit() -> None:
    """One counter for both limits: the count restarts with each clock minute, and the seconds
    left are counted to its end."""
    assert minute_count("test", MOMENT) == (1, 50)
    assert minute_count("test", MOMENT + 49.9) == (2, 1)
    assert minute_count("test", MOMENT + 50) == (1, 60)
    assert minute_count("other", MOMENT + 50) == (1, 60)
