"""Bad input gets the site's own page saying what was wrong, never a server error (issue 14,
finding 5). Each case was a 500 before: a period that reads but cannot be dated (``0000-01``,
``9999-12``), a NUL in an address (PostgreSQL refuses it in a lookup), an id past the database's
integers, a ``?next=`` that is not a path. test_hostile_walk.py walks every page; these pin down
what each answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Indicator

pytestmark = pytest.mark.django_db

PERIOD_PAGES = [
    "/scorecard/",
    "/scorecard/directorate/snp/",
    "/scorecard/committee/srp/",
    "/indicators/182/",
    "/returns/",
    "/review/outstanding/",
    "/register/",
]


def signed_in(people: dict[str, Any], role: str = "performance") -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(people[role])
    return client


@pytest.mark.parametrize("page", PERIOD_PAGES)
@pytest.mark.parametrize("period", ["0000-01", "9999-12", "0000/01 Q1", "2201-01"])
def test_a_period_that_cannot_be_dated_is_named_beside_the_select(
    people: dict[str, Any], page: str, period: str
) -> None:
    """The page shows the quarter being collected, and says why the one asked for is not shown."""
    response = signed_in(people).get(page, {"period": period})
    assert response.status_code == 200
    text = response.content.decode()
    assert "is outside the years kpiboard shows, 1900 to 2200" in text
    assert f"{period}" in text


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "2024-ab"])
def test_a_return_for_a_period_that_cannot_be_dated_is_not_found(
    people: dict[str, Any], period: str
) -> None:
    response = signed_in(people).get(f"/returns/182/{period}/")
    assert response.status_code == 404
    assert f"{period} is not a period" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/register/%00/", "/indicators/%00/", "/returns/182/2024-10/?x=%00", "/?period=%00"]
)
def test_a_nul_in_an_address_is_a_bad_request(people: dict[str, Any], path: str) -> None:
    """Before any view: PostgreSQL cannot compare text holding a NUL."""
    response = signed_in(people).get(path)
    assert response.status_code == 400
    text = response.content.decode()
    assert '<h1 class="govuk-heading-l">The address could not be read</h1>' in text
    assert "a NUL, %00" in text


def test_djangos_own_bad_request_page_is_the_sites(people: dict[str, Any], settings: Any) -> None:
    """A request Django itself refuses (too many fields) gets the site's 400 page too."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client()
    client.force_login(people["performance"])
    response = client.post("/register/182/targets/", {f"f{n}": "1" for n in range(10)})
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_an_id_past_the_databases_integers_is_not_found(people: dict[str, Any]) -> None:
    client = signed_in(people)
    for path in ("/published/99999999999999999999/files/pdf/", "/review/99999999999999999999/"):
        method = client.post if path.startswith("/review/") else client.get
        assert method(path).status_code == 404, path


def test_a_committee_past_the_databases_integers_is_an_unknown_choice(
    people: dict[str, Any],
) -> None:
    client = signed_in(people)
    row = Indicator.objects.get(ref="182")
    response = client.post(
        "/register/182/edit/",
        {"ref": "182", "name": row.name, "committees": ["99999999999999999999"], "version": "1"},
    )
    assert response.status_code == 200
    assert "Select a valid choice. 99999999999999999999 is not one of the available choices." in (
        response.content.decode()
    )


def test_a_review_with_a_version_that_is_not_a_number_changes_nothing(
    people: dict[str, Any],
) -> None:
    item = Return.objects.filter(indicator__ref="182").order_by("pk").first()
    assert item is not None
    before = (item.state, item.version)
    response = signed_in(people).post(
        f"/review/{item.pk}/", {"decision": "approve", "version": "abc"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.version) == before


@pytest.mark.parametrize("wanted", ["abc", "0000-01", "https://elsewhere.example/"])
def test_a_next_that_is_not_a_path_of_the_site_goes_to_the_start(
    people: dict[str, Any], wanted: str
) -> None:
    response = signed_in(people).get("/accounts/two-factor/code/", {"next": wanted})
    assert response.status_code == 302
    assert response["Location"] == "/"
