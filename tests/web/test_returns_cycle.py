"""A quarter a performance team can run (issue 13): surprising figures explained, a form that
helps (its fields and help follow how the indicator combines; what the figure would give, as
the owner types), a review page with everything needed to decide, several approved at once,
and nobody approving a return they submitted or entered."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kpiboard.web.collection.models import Return, ReturnState

pytestmark = pytest.mark.django_db


def _token(client: Client, path: str) -> str:
    return client.get(path).cookies["csrftoken"].value


def _submit(client: Client, path: str, **fields: str) -> Any:
    data = {"csrfmiddlewaretoken": _token(client, path), "version": "", "action": "submit"}
    return client.post(path, {**data, **fields})


def test_a_surprising_figure_needs_the_owners_word_and_the_reviewer_sees_it(
    client_as: Any,
) -> None:
    # 186: working days lost per FTE, 8.71 in September; 1,000 typed for October.
    team = client_as("performance")
    path = "/returns/186/2024-10/"
    refused = _submit(team, path, value="1000", commentary="x")
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Check the figure: 1,000.00 is 991.29 above the last figure, 8.71" in text
    # The page shown again says what the figure typed would give, not "no figure yet".
    assert 'id="outlook-figure">1,000.00 days' in text
    assert not Return.objects.filter(indicator__ref="186", period="2024-10").exists()

    reason = "A data migration counted hours as days; the payroll team confirms the total"
    done = _submit(team, path, value="1000", commentary="x", confirm="on", surprise_reason=reason)
    assert done.status_code == 302
    item = Return.objects.get(indicator__ref="186", period="2024-10")
    assert item.surprise.startswith("1,000.00 is 991.29 above the last figure, 8.71")
    assert item.surprise_reason == reason
    review = client_as("administrator").get("/review/").content.decode()
    assert "991.29 above the last figure" in review
    assert reason in review


def test_an_ordinary_figure_asks_for_nothing(client_as: Any) -> None:
    team = client_as("performance")
    assert _submit(team, "/returns/186/2024-10/", value="8.69").status_code == 302
    item = Return.objects.get(indicator__ref="186", period="2024-10")
    assert (item.surprise, item.surprise_reason) == ("", "")


def test_the_form_asks_for_what_the_indicator_combines(client_as: Any) -> None:
    owner = client_as("owner")
    ratio = owner.get("/returns/182/2024-10/").content.decode()  # 182 combines by ratio
    assert 'name="numerator"' in ratio
    assert 'name="value"' not in ratio
    assert "Enter the numerator and the denominator: the percentage is worked out" in ratio
    team = client_as("performance")
    mean = team.get("/returns/191/2024-10/").content.decode()  # 191 is a mean of seconds
    assert 'name="value"' in mean
    assert 'name="numerator"' not in mean
    assert "Enter the value." in mean


def test_the_preview_says_what_the_figure_would_give(client_as: Any) -> None:
    owner = client_as("owner")
    path = "/returns/182/2024-10/preview/"
    token = _token(owner, "/returns/182/2024-10/")
    page = owner.post(
        path, {"csrfmiddlewaretoken": token, "numerator": "81", "denominator": "90"}
    ).content.decode()
    # By hand: 81 of 90 is 90.0%; 2024/25 Q3 has only October so far; 182's target is 90:
    # on target, Green.
    assert 'id="outlook-figure">90.0%' in page
    assert "2024/25 Q3" in page
    assert "Green" in page
    assert "2024-09: 84.1%" in page  # September's figure, 116 of 138, beside it
    # By hand: 10 of 90 is 11.11%; September was 116 of 138, 84.058%: 72.95 lower.
    assert "Check the figure" not in page
    jump = owner.post(path, {"csrfmiddlewaretoken": token, "numerator": "10", "denominator": "90"})
    assert "Check the figure:</strong> 11.1 is 72.9 below the last figure, 84.1" in (
        jump.content.decode()
    )
    nonsense = owner.post(path, {"csrfmiddlewaretoken": token, "numerator": "1e999999"})
    assert nonsense.status_code == 200
    assert "no figure yet" in nonsense.content.decode()
    # Without this period's figure there is no change to speak of, and the line says why.
    shown = re.sub(r"<[^>]+>", "", nonsense.content.decode())
    assert "no change to judge without a figure for both periods" in shown
    assert "Not available" not in shown


def test_the_review_shows_the_figure_as_the_reports_do_and_what_it_gives(
    client_as: Any,
) -> None:
    owner = client_as("owner")
    _submit(owner, "/returns/182/2024-10/", numerator="110", denominator="130", commentary="x")
    review = client_as("performance").get("/review/").content.decode()
    assert "84.6% (110 of 130)" in review  # 110 / 130 = 84.615...
    assert "2024/25 Q3:" in review
    assert "Amber" in review  # 84.6 against 90: 6% off target, within 10%
    assert "on time" in review or "late (due 15 November 2024)" in review


def test_the_team_enters_a_return_for_an_owner_and_someone_else_approves_it(
    client_as: Any, people: dict[str, Any]
) -> None:
    team = client_as("performance")
    assert team.get("/returns/").status_code == 200
    _submit(team, "/returns/182/2024-10/", numerator="81", denominator="90", commentary="x")
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.entered_by == people["performance"]
    people["owner"].first_name, people["owner"].last_name = "Helen", "Ashworth"
    people["owner"].save()
    # 182's owner in indicators.csv is Helen's address: the reviewer reads her name.
    assert "entered by perf for Helen Ashworth;" in team.get("/review/").content.decode()
    token = _token(team, "/review/")
    team.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": token, "decision": "approve", "version": item.version},
    )
    item.refresh_from_db()
    assert item.state == ReturnState.SUBMITTED  # not by the one who entered it
    admin = client_as("administrator")
    token = _token(admin, "/review/")
    admin.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": token, "decision": "approve", "version": item.version},
    )
    item.refresh_from_db()
    assert item.state == ReturnState.APPROVED
    assert item.reviewed_by == people["administrator"]


def test_an_administrator_cannot_approve_their_own_return(
    client_as: Any, people: dict[str, Any]
) -> None:
    admin = client_as("administrator")
    _submit(admin, "/returns/183/2024-10/", numerator="46", denominator="50", commentary="x")
    item = Return.objects.get(indicator__ref="183", period="2024-10")
    token = _token(admin, "/review/")
    page = admin.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": token, "decision": "approve", "version": item.version},
        follow=True,
    ).content.decode()
    assert "someone else must approve it" in page
    assert Return.objects.get(pk=item.pk).state == ReturnState.SUBMITTED


def test_several_are_approved_at_once_all_or_none(client_as: Any, people: dict[str, Any]) -> None:
    owner = client_as("owner")
    _submit(owner, "/returns/182/2024-10/", numerator="81", denominator="90", commentary="x")
    _submit(owner, "/returns/183/2024-10/", numerator="46", denominator="50", commentary="x")
    team = client_as("performance")
    _submit(team, "/returns/184/2024-10/", numerator="9", denominator="10", commentary="x")
    mine = {r.indicator.ref: r for r in Return.objects.filter(period="2024-10")}
    token = _token(team, "/review/")
    ticked = [f"{mine[ref].pk}:{mine[ref].version}" for ref in ("182", "183", "184")]
    team.post("/review/approve/", {"csrfmiddlewaretoken": token, "approve": ticked})
    states = {ref: Return.objects.get(pk=r.pk).state for ref, r in mine.items()}
    assert set(states.values()) == {ReturnState.SUBMITTED}  # 184 is the team's own: none
    mail.outbox.clear()
    team.post("/review/approve/", {"csrfmiddlewaretoken": token, "approve": ticked[:2]})
    states = {ref: Return.objects.get(pk=r.pk).state for ref, r in mine.items()}
    assert states == {
        "182": ReturnState.APPROVED,
        "183": ReturnState.APPROVED,
        "184": ReturnState.SUBMITTED,
    }
    # The owner hears of each approval.
    subjects = sorted(m.subject for m in mail.outbox if "helen.ashworth" in m.to[0])
    assert [s.split(":")[0] for s in subjects] == ["Approved", "Approved"]
    # A ticked value this site did not write is refused, not a crash.
    answer = team.post("/review/approve/", {"csrfmiddlewaretoken": token, "approve": ["x:y"]})
    assert answer.status_code == 302


def test_a_version_that_is_not_a_number_is_refused_not_a_crash(client_as: Any) -> None:
    owner = client_as("owner")
    _submit(owner, "/returns/182/2024-10/", numerator="81", denominator="90", commentary="x")
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    team = client_as("performance")
    token = _token(team, "/review/")
    response = team.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": token, "decision": "approve", "version": "abc"},
    )
    assert response.status_code == 302
    assert Return.objects.get(pk=item.pk).state == ReturnState.SUBMITTED


@pytest.mark.parametrize(
    ("path", "fields", "words"),
    [
        # 212 counts staff (number, min default 0, integer true in indicators.csv).
        (
            "/returns/212/2024-25-q3/",
            {"value": "-3"},
            "enter a value of 0 or more: 212 counts staff",
        ),
        ("/returns/212/2024-25-q3/", {"value": "2.5"}, "enter a whole number: 212 counts staff"),
        # 191 is a number of seconds: no negative time to answer a call.
        (
            "/returns/191/2024-10/",
            {"value": "-20"},
            "enter a value of 0 or more: 191 counts seconds",
        ),
        # 182 is a percentage: 140 of 130 would be 107.69%.
        (
            "/returns/182/2024-10/",
            {"numerator": "140", "denominator": "130"},
            "giving a value from 0 to 100: 182 is a percentage (140 / 130 x 100 = 107.69)",
        ),
    ],
)
def test_the_form_refuses_an_impossible_figure_naming_the_indicator_and_bound(
    client_as: Any, path: str, fields: dict[str, str], words: str
) -> None:
    team = client_as("performance")
    before = Return.objects.count()
    refused = _submit(team, path, commentary="x", **fields)
    assert refused.status_code == 200
    assert words in refused.content.decode()
    assert Return.objects.count() == before


def test_approving_several_is_recorded_against_the_reviewer(
    client_as: Any, people: dict[str, Any]
) -> None:
    owner = client_as("owner")
    _submit(owner, "/returns/182/2024-10/", numerator="81", denominator="90", commentary="x")
    _submit(owner, "/returns/183/2024-10/", numerator="46", denominator="50", commentary="x")
    items = list(Return.objects.filter(period="2024-10").order_by("indicator__ref"))
    team = client_as("performance")
    token = _token(team, "/review/")
    team.post(
        "/review/approve/",
        {"csrfmiddlewaretoken": token, "approve": [f"{r.pk}:{r.version}" for r in items]},
    )
    for item in items:
        latest = item.history.order_by("-history_date").first()
        assert latest.state == ReturnState.APPROVED
        assert latest.history_user == people["performance"]


def test_the_review_renders_commentary_as_markdown_without_its_scripts(client_as: Any) -> None:
    owner = client_as("owner")
    commentary = "Up on **September**.\n\n<script>alert(1)</script>"
    _submit(owner, "/returns/182/2024-10/", numerator="81", denominator="90", commentary=commentary)
    review = client_as("performance").get("/review/").content.decode()
    assert "<strong>September</strong>" in review
    assert "<script>alert(1)</script>" not in review
    assert "**September**" not in review


def test_the_form_to_approve_several_is_not_offered_when_all_are_the_reviewers_own(
    client_as: Any,
) -> None:
    team = client_as("performance")
    _submit(team, "/returns/184/2024-10/", numerator="9", denominator="10", commentary="x")
    own = team.get("/review/").content.decode()
    assert "You submitted or entered this return" in own
    assert 'id="approve-many"' not in own  # an empty set of checkboxes is GOV.UK's error
    assert 'id="approve-many"' in client_as("administrator").get("/review/").content.decode()
