"""The cycle in the browser's forms: a round opened, a proposal drafted and put forward,
commented on and answered, and adopted with an amendment, which puts an active strategic
indicator in the register with its target from its start period and a return due for its
owner; every step in the history with who made it; a stale form refused; bad input answered
with the form's errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kpiboard.analysis.periods import parse_period
from kpiboard.web.collection.views import due_returns
from kpiboard.web.proposals.models import Proposal, ProposalComment, ProposalRound
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.models import Committee, DataVersion, Indicator, Target
from web.proposals_helpers import OWNER_EMAIL, ROUND, fields, make_round, post, proposal

pytestmark = pytest.mark.django_db


def _srp() -> str:
    return str(Committee.objects.get(code="srp").pk)


@pytest.fixture
def put_forward(client_as: Any) -> Proposal:
    """SK-1 drafted by helen and put forward, with a comment from the committee."""
    make_round()
    owner = client_as("owner")
    assert post(owner, f"/proposals/{ROUND}/new/", fields()).status_code == 302
    assert post(owner, f"/proposals/{ROUND}/SK-1/put-forward/", {"version": 1}).status_code == 302
    return proposal()


def test_the_performance_team_opens_a_round_changes_its_period_closes_and_reopens_it(
    client_as: Any,
) -> None:
    team = client_as("performance")
    form = team.get("/proposals/new/").content.decode()
    assert '<option value="2024/25 Q3">' in form  # the quarter being collected is offered
    answer = post(
        team,
        "/proposals/new/",
        {"name": "Strategic KPIs for 2026/27", "code": "skpi-26", "circulate_in": "2024/25 Q3"},
    )
    assert answer.status_code == 302
    row = ProposalRound.objects.get(code="skpi-26")
    assert (row.state, row.circulate_in, row.opened_on is not None) == ("open", "2024/25 Q3", True)
    answer = post(
        team,
        "/proposals/skpi-26/edit/",
        {"name": "Strategic KPIs for 2026/27", "circulate_in": "2025/26 Q2", "version": 1},
    )
    assert answer.status_code == 302
    assert ProposalRound.objects.get(code="skpi-26").circulate_in == "2025/26 Q2"
    assert post(team, "/proposals/skpi-26/close/", {"version": 2}).status_code == 302
    row = ProposalRound.objects.get(code="skpi-26")
    assert (row.state, row.closed_on is not None) == ("closed", True)
    # a closed round takes no new proposals
    assert client_as("owner").get("/proposals/skpi-26/new/").status_code == 302
    assert post(team, "/proposals/skpi-26/reopen/", {"version": 3}).status_code == 302
    assert ProposalRound.objects.get(code="skpi-26").state == "open"
    who = [r.history_user.username for r in ProposalRound.objects.get(code="skpi-26").history.all()]
    assert who == ["perf"] * 4


def test_comments_are_recorded_by_the_team_and_answered_by_the_owner(
    put_forward: Proposal, client_as: Any
) -> None:
    answer = post(
        client_as("performance"),
        f"/proposals/{ROUND}/SK-1/comments/",
        {"committee": _srp(), "meeting_date": "2025-11-20", "comment": "Why 10 days, not 20?"},
    )
    assert answer.status_code == 302
    comment = ProposalComment.objects.get(proposal=put_forward)
    assert (comment.committee.code, str(comment.meeting_date)) == ("srp", "2025-11-20")
    path = f"/proposals/{ROUND}/SK-1/comments/{comment.pk}/response/"
    answer = post(
        client_as("owner"),
        path,
        {"response": "The statutory limit is 20; we aim for 10.", "version": 1},
    )
    assert answer.status_code == 302
    page = client_as("reader").get(f"/proposals/{ROUND}/SK-1/").content.decode()
    assert "Why 10 days, not 20?" in page
    assert "The statutory limit is 20; we aim for 10." in page
    round_page = client_as("reader").get(f"/proposals/{ROUND}/").content.decode()
    assert "Strategy, Resources and Performance" in round_page


def _decision(**changes: Any) -> dict[str, Any]:
    data = fields(version=2)
    for name in ("ref", "directorate", "rationale"):
        data.pop(name)
    data.update(decision="adopted", decided_by=_srp(), decided_on="2025-12-03")
    data.update(changes)
    return data


def test_an_amended_adoption_needs_a_reason_and_says_what_changed(
    put_forward: Proposal, client_as: Any
) -> None:
    team = client_as("performance")
    path = f"/proposals/{ROUND}/SK-1/decide/"
    answer = post(team, path, _decision(target="80", start="2025/26 Q2"))
    assert answer.status_code == 200
    assert "Give the reason for the amendment" in answer.content.decode()
    assert not Indicator.objects.filter(ref="SK-1").exists()
    data_version = DataVersion.current()
    answer = post(
        team,
        path,
        _decision(target="80", start="2025/26 Q2", amendment_reason="Q1 data are not collected"),
    )
    assert DataVersion.current() > data_version  # cached evaluations are stale
    assert answer.status_code == 302, answer.content.decode()[:3000]
    adopted = proposal()
    assert adopted.state == "adopted"
    assert adopted.amendment == "Target 85 → 80; from 2025/26 Q1 → 2025/26 Q2"
    assert adopted.amendment_reason == "Q1 data are not collected"
    assert adopted.decided_by is not None
    assert (adopted.decided_by.code, str(adopted.decided_on)) == ("srp", "2025-12-03")
    row = Indicator.objects.get(ref="SK-1")
    assert (row.lifecycle, row.strategic, row.category) == ("active", True, "targeted")
    assert (row.owner, row.frequency, row.directorate.code) == (OWNER_EMAIL, "quarter", "snp")
    assert [c.code for c in row.committees.all()] == ["srp"]
    assert row.decided_by is not None
    assert (row.decided_by.code, str(row.decided_on)) == ("srp", "2025-12-03")
    (target,) = Target.objects.filter(indicator=row)
    assert (target.start, target.value) == ("2025/26 Q2", Decimal("80"))
    # a return is due from helen for the quarter it starts in
    due = due_returns(
        organisation(), parse_period("2025/26 Q2"), Indicator.objects.filter(owner=OWNER_EMAIL)
    )
    mine = [d for d in due if d["indicator"].ref == "SK-1"]
    assert [(d["period"].label, d["owner"].username) for d in mine] == [("2025/26 Q2", "helen")]
    assert row.history.first().history_user.username == "perf"


def test_an_unamended_adoption_needs_no_reason_and_an_existing_ref_is_made_strategic(
    client_as: Any,
) -> None:
    """A proposal with the ref of 182 (in the register, not strategic) adopts it as it is: the
    same indicator, now strategic, with its figures kept."""
    make_round()
    existing = Indicator.objects.get(ref="182")
    returns = existing.returns.count()
    team = client_as("performance")
    answer = post(team, f"/proposals/{ROUND}/new/", fields(ref="182", name=existing.name))
    assert answer.status_code == 302
    page = team.get(f"/proposals/{ROUND}/182/").content.decode()
    assert "makes that existing indicator strategic" in page
    post(team, f"/proposals/{ROUND}/182/put-forward/", {"version": 1})
    answer = post(team, f"/proposals/{ROUND}/182/decide/", _decision(name=existing.name))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert proposal("182").amendment == ""
    row = Indicator.objects.get(ref="182")
    assert (row.pk, row.strategic, row.lifecycle) == (existing.pk, True, "active")
    assert row.returns.count() == returns
    assert row.version == existing.version + 1


@pytest.mark.parametrize("decision", ["deferred", "dropped"])
def test_deferring_or_dropping_adds_nothing_to_the_register(
    put_forward: Proposal, client_as: Any, decision: str
) -> None:
    answer = post(
        client_as("performance"),
        f"/proposals/{ROUND}/SK-1/decide/",
        _decision(decision=decision, target="70"),
    )
    assert answer.status_code == 302
    row = proposal()
    assert row.decided_by is not None
    assert (row.state, row.decided_by.code, row.target) == (decision, "srp", Decimal("85"))
    assert not Indicator.objects.filter(ref="SK-1").exists()


def test_a_save_over_a_stale_form_is_refused(put_forward: Proposal, client_as: Any) -> None:
    """Two people opened SK-1 at version 2; the second save is refused and changes nothing."""
    team = client_as("performance")
    path = f"/proposals/{ROUND}/SK-1/edit/"
    assert post(team, path, fields(name="First edit", version=2)).status_code == 302
    answer = post(team, path, fields(name="Second edit", version=2))
    assert answer.status_code == 200
    assert "changed by someone else after you opened it" in answer.content.decode()
    assert proposal().name == "First edit"
    # the same for a decision made from a stale page
    answer = post(team, f"/proposals/{ROUND}/SK-1/decide/", _decision(name="First edit", version=2))
    assert answer.status_code == 200
    assert "changed by someone else" in answer.content.decode()
    assert proposal().state == "proposed"
    assert not Indicator.objects.filter(ref="SK-1").exists()


def test_every_step_is_in_the_history_with_who_made_it(
    put_forward: Proposal, client_as: Any
) -> None:
    team = client_as("performance")
    post(
        team,
        f"/proposals/{ROUND}/SK-1/comments/",
        {"committee": _srp(), "meeting_date": "2025-11-20", "comment": "Fine"},
    )
    comment = ProposalComment.objects.get(proposal=put_forward)
    post(
        client_as("owner"),
        f"/proposals/{ROUND}/SK-1/comments/{comment.pk}/response/",
        {"response": "Thank you", "version": 1},
    )
    post(team, f"/proposals/{ROUND}/SK-1/decide/", _decision(decision="deferred"))
    steps = [
        (r.history_user.username, r.history_change_reason)
        for r in proposal().history.order_by("history_date", "history_id")
    ]
    assert steps[0] == ("helen", "Drafted")
    assert ("helen", "Put forward") in steps
    assert steps[-1] == (
        "perf",
        "Deferred by Strategy, Resources and Performance Committee on 3 December 2025",
    )
    comment_steps = [
        (r.history_user.username, r.history_change_reason, r.response)
        for r in comment.history.order_by("history_date", "history_id")
    ]
    assert comment_steps == [
        ("perf", "Comment recorded", ""),
        ("helen", "Response recorded", "Thank you"),
    ]
    page = client_as("owner").get(f"/proposals/{ROUND}/SK-1/history/").content.decode()
    for words in ("Put forward", "Comment recorded", "Response recorded", "Deferred by"):
        assert words in page
    assert "none → Strategy, Resources and Performance Committee" in page  # named, not ids
    page = team.get(f"/proposals/{ROUND}/history/").content.decode()
    for words in (
        "Proposal SK-1 created: Drafted",
        "Comment created: Comment recorded",
        "by helen",
    ):
        assert words in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"ref": "Z/1"}, "Enter a ref of 1 to 20 letters"),
        ({"ref": "edit"}, "one of the round&#x27;s pages"),
        ({"target": "eighty"}, "Enter the target of indicator SK-1 as a percentage"),
        ({"target": "85", "start": ""}, "Enter the period the target applies from"),
        ({"target": "150%"}, "Enter a value from 0 to 100"),
        ({"unit": "days", "target": "-3"}, "Enter a value of 0 or more"),
        ({"start": "2025 Q9"}, "Enter a period such as 2024/25 Q2"),
        ({"committees": ["99999999999999999999"]}, "Select a valid choice"),
        ({"directorate": "abc"}, "Select a valid choice"),
        ({"unit": "furlongs"}, "Select a valid choice"),
        ({"owner": "not an address"}, "Enter a valid email address"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_input_gives_the_form_its_errors(
    client_as: Any, changes: dict[str, Any], error: str
) -> None:
    make_round()
    answer = post(client_as("owner"), f"/proposals/{ROUND}/new/", fields(**changes))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "There is a problem" in page
    assert error in page, page[page.find("govuk-error-summary") :][:1500]
    assert not Proposal.objects.filter(round__code=ROUND).exists()


def test_a_ref_already_in_the_round_is_refused(put_forward: Proposal, client_as: Any) -> None:
    answer = post(client_as("performance"), f"/proposals/{ROUND}/new/", fields())
    assert "SK-1 is already a proposal in" in answer.content.decode()
    assert Proposal.objects.filter(round__code=ROUND).count() == 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("comments/", {"committee": "x", "meeting_date": "20/13/2025", "comment": ""}),
        ("decide/", {"decision": "adopt-everything", "decided_on": "soon", "version": "2"}),
        ("decide/", {"decision": "adopted", "decided_by": "", "version": "x"}),
    ],
)
def test_bad_comments_and_decisions_are_refused_with_errors(
    put_forward: Proposal, client_as: Any, path: str, data: dict[str, Any]
) -> None:
    answer = post(client_as("performance"), f"/proposals/{ROUND}/SK-1/{path}", data)
    assert answer.status_code == 200
    assert "There is a problem" in answer.content.decode()
    row = proposal()
    assert (row.state, row.comments.count()) == ("proposed", 0)


def test_a_round_id_that_cannot_be_an_address_is_refused(client_as: Any) -> None:
    answer = post(
        client_as("performance"),
        "/proposals/new/",
        {"name": "X", "code": "new", "circulate_in": "2030/31 Q9"},
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Enter an id of 1 to 20 letters" in page
    assert "Select a valid choice" in page
    assert not ProposalRound.objects.filter(code="new").exists()


def test_a_long_committee_name_still_fits_the_history_reason() -> None:
    """History reasons are at most 100 characters (a varchar on PostgreSQL)."""
    from kpiboard.web.proposals.services import why

    row = ProposalRound(code="x", name="x")
    why(row, "Deferred by " + "C" * 200)
    assert len(row._change_reason) == 100  # type: ignore[attr-defined]
    assert row._change_reason.endswith("C…")  # type: ignore[attr-defined]


def test_a_draft_without_an_owner_or_definition_is_not_put_forward(client_as: Any) -> None:
    make_round()
    team = client_as("performance")
    answer = post(team, f"/proposals/{ROUND}/new/", fields(owner="", description=""))
    assert answer.status_code == 302
    answer = post(team, f"/proposals/{ROUND}/SK-1/put-forward/", {"version": 1})
    assert answer.status_code == 302
    page = team.get(f"/proposals/{ROUND}/SK-1/").content.decode()
    assert "SK-1 needs a definition and an owner before it is put forward" in page
    assert proposal().state == "draft"
