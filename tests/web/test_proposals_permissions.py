"""Who may do what in a proposal round: every signed-in role reads a round; owners and the
performance team draft; a draft is its author's, its owner's and the performance team's alone;
only the performance team opens rounds, records comments and decides."""

from __future__ import annotations

from typing import Any

import pytest

from web.proposals_helpers import ROUND, fields, make_round, post, proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(client_as: Any) -> Any:
    """A round with helen's draft SK-1 in it."""
    make_round()
    answer = post(client_as("owner"), f"/proposals/{ROUND}/new/", fields())
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return proposal()


ROLES = ("administrator", "performance", "owner", "other_owner", "reader", "no_role")
EVERYONE = {"administrator", "performance", "owner", "other_owner", "reader"}
TEAM = {"administrator", "performance"}
OWNERS = {"owner", "other_owner"}
HELEN = {"owner"}  # she drafted SK-1 and owns it; mark (other_owner) did neither

# (path, roles allowed), written from the rules in kpiboard.web.accounts.roles.
MATRIX: list[tuple[str, set[str]]] = [
    ("/proposals/", EVERYONE),
    (f"/proposals/{ROUND}/", EVERYONE),
    ("/proposals/new/", TEAM),
    (f"/proposals/{ROUND}/edit/", TEAM),
    (f"/proposals/{ROUND}/history/", TEAM),
    (f"/proposals/{ROUND}/new/", TEAM | OWNERS),
    # helen's draft: hers and the performance team's only
    (f"/proposals/{ROUND}/SK-1/", TEAM | HELEN),
    (f"/proposals/{ROUND}/SK-1/edit/", TEAM | HELEN),
    (f"/proposals/{ROUND}/SK-1/history/", TEAM | HELEN),
    (f"/proposals/{ROUND}/SK-1/decide/", TEAM),
]


@pytest.mark.parametrize(("path", "allowed"), MATRIX, ids=[path for path, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_page(
    drafted: Any, client_as: Any, role: str, path: str, allowed: set[str]
) -> None:
    answer = client_as(role).get(path)
    if role in allowed:
        assert answer.status_code in (200, 302), (role, path, answer.status_code)
        if answer.status_code == 302:  # the decision page of a draft sends back to it
            assert answer["Location"] == f"/proposals/{ROUND}/SK-1/", (role, path)
    else:
        assert answer.status_code == 403, (role, path, answer.status_code)


def test_a_draft_is_not_listed_for_others_until_it_is_put_forward(
    drafted: Any, client_as: Any
) -> None:
    """The round page lists helen's draft to her and the performance team, not to mark or a
    reader; once put forward, everyone sees it."""
    assert "SK-1" in client_as("owner").get(f"/proposals/{ROUND}/").content.decode()
    assert "SK-1" in client_as("performance").get(f"/proposals/{ROUND}/").content.decode()
    for role in ("other_owner", "reader"):
        assert "SK-1" not in client_as(role).get(f"/proposals/{ROUND}/").content.decode()
    answer = post(
        client_as("owner"), f"/proposals/{ROUND}/SK-1/put-forward/", {"version": drafted.version}
    )
    assert answer.status_code == 302
    assert proposal().state == "proposed"
    for role in ("other_owner", "reader"):
        assert "SK-1" in client_as(role).get(f"/proposals/{ROUND}/").content.decode()
        assert client_as(role).get(f"/proposals/{ROUND}/SK-1/").status_code == 200


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("reader", "new", 403),
        ("owner", "comments", 403),
        ("other_owner", "comments", 403),
        ("owner", "decide", 403),
        ("other_owner", "put-forward", 403),
        ("owner", "close", 403),
    ],
)
def test_a_refused_post_changes_nothing(
    drafted: Any, client_as: Any, role: str, action: str, status: int
) -> None:
    path = {
        "new": f"/proposals/{ROUND}/new/",
        "comments": f"/proposals/{ROUND}/SK-1/comments/",
        "decide": f"/proposals/{ROUND}/SK-1/decide/",
        "put-forward": f"/proposals/{ROUND}/SK-1/put-forward/",
        "close": f"/proposals/{ROUND}/close/",
    }[action]
    data = {
        **fields(ref="SK-9"),
        "committee": fields()["committees"][0],
        "meeting_date": "2025-11-20",
        "comment": "No",
        "decision": "adopted",
        "decided_by": fields()["committees"][0],
        "decided_on": "2025-11-20",
        "version": drafted.version,
    }
    before = proposal()
    assert post(client_as(role), path, data).status_code == status
    after = proposal()
    assert (after.state, after.version, after.comments.count()) == (
        before.state,
        before.version,
        0,
    )
    assert not type(before).objects.filter(ref="SK-9").exists()


def test_only_the_owner_or_the_performance_team_respond_to_a_comment(
    drafted: Any, client_as: Any
) -> None:
    post(client_as("owner"), f"/proposals/{ROUND}/SK-1/put-forward/", {"version": 1})
    srp = fields()["committees"][0]
    post(
        client_as("performance"),
        f"/proposals/{ROUND}/SK-1/comments/",
        {"committee": srp, "meeting_date": "2025-11-20", "comment": "Why 10 days?"},
    )
    comment = proposal().comments.get()
    path = f"/proposals/{ROUND}/SK-1/comments/{comment.pk}/response/"
    for role in ("other_owner", "reader"):
        assert client_as(role).get(path).status_code == 403
    assert client_as("owner").get(path).status_code == 200
    assert client_as("performance").get(path).status_code == 200


def test_a_refusal_is_in_the_audit_log(drafted: Any, client_as: Any) -> None:
    """mark, refused helen's draft's history, is recorded with the rule he lacked."""
    from kpiboard.web.audit.models import AuditEvent

    assert client_as("other_owner").get(f"/proposals/{ROUND}/SK-1/history/").status_code == 403
    event = AuditEvent.objects.filter(action="access_denied").first()
    assert event is not None
    assert (event.actor_name, event.target) == ("mark", f"GET /proposals/{ROUND}/SK-1/history/")
    assert event.detail == "needs the permission kpiboard.view_proposal_history"
