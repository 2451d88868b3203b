"""Who may see and do what: the whole matrix of views and roles, written out by hand from the
roles' definitions (kpiboard.web.accounts.roles), not from the code's answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

ROLES = ("administrator", "performance", "owner", "other_owner", "reader", "no_role")
EVERYONE = {"administrator", "performance", "owner", "other_owner", "reader"}
TEAM = {"administrator", "performance"}
OWNERS = {"owner", "other_owner"}
OWNER_OF_182 = {"owner"}

# (method, path, roles allowed). 182 is owned by "owner" (helen) and not by "other_owner".
MATRIX: list[tuple[str, str, set[str]]] = [
    ("get", "/register/", EVERYONE),
    ("get", "/register/182/", EVERYONE),
    ("get", "/register/182/history/", TEAM | OWNER_OF_182),
    ("get", "/register/new/", TEAM),
    ("get", "/register/182/edit/", TEAM),
    ("post", "/register/182/decide/", TEAM),
    ("post", "/register/182/targets/", TEAM),
    ("get", "/register/182/actions/new/", TEAM | OWNER_OF_182),
    ("get", "/register/import/", TEAM),
    ("post", "/register/import/confirm/", TEAM),
    ("get", "/register/export/zip/", TEAM),
    ("get", "/register/export/xlsx/", TEAM),
    # The team enters a return for an owner who is away (issue 13); someone else approves it.
    ("get", "/returns/", OWNERS | TEAM),
    ("get", "/returns/182/2024-10/", OWNER_OF_182 | TEAM),
    ("post", "/returns/182/2024-10/", OWNER_OF_182 | TEAM),
    ("post", "/returns/182/2024-10/preview/", OWNER_OF_182 | TEAM),
    ("get", "/review/", TEAM),
    ("get", "/review/outstanding/", TEAM),
    ("post", "/review/remind/", TEAM),
]


@pytest.mark.parametrize(
    ("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    people: dict[str, Any], role: str, method: str, path: str, allowed: set[str]
) -> None:
    client = Client()
    client.force_login(people[role])
    response = getattr(client, method)(path)
    if role in allowed:
        assert response.status_code in (200, 302), (role, path, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 403, (role, path, response.status_code)


@pytest.mark.parametrize(
    ("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
def test_anonymous_visitors_are_sent_to_sign_in(
    db: Any, method: str, path: str, allowed: set[str]
) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_review_decision_needs_the_performance_team(people: dict[str, Any]) -> None:
    from kpiboard.web.collection.models import Return

    item = Return.objects.filter(indicator__ref="182").first()
    assert item is not None
    for role in ROLES:
        client = Client()
        client.force_login(people[role])
        response = client.post(f"/review/{item.pk}/", {"decision": "approve"})
        assert (response.status_code != 403) == (role in TEAM), role


def test_readers_see_only_approved_figures(people: dict[str, Any], client_as: Any) -> None:
    from kpiboard.web.collection.models import Return, ReturnState
    from kpiboard.web.register.models import Indicator

    Return.objects.create(
        indicator=Indicator.objects.get(ref="182"),
        period="2024-10",
        period_start=2024 * 12 + 9,
        value="55.5",
        state=ReturnState.DRAFT,
    )
    reader_page = client_as("reader").get("/register/182/").content.decode()
    owner_page = client_as("owner").get("/register/182/").content.decode()
    assert "2024-10" not in reader_page
    assert "2024-10" in owner_page
    assert "Draft" in owner_page
