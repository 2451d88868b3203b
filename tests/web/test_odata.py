"""The OData feed's query options, errors, sign-in and flat feed, on the demo council.

Expected rows are found by filtering, sorting and slicing every row of the set in Python, so each
query option is checked against its meaning, not against the feed's own output for it.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kpiboard.web.api.tokens import token_create, token_revoke
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register.models import DataVersion

pytestmark = pytest.mark.django_db


def _token(user: Any, **changes: Any) -> tuple[Any, str]:
    return token_create(
        user=user,
        name="feed",
        scope="read",
        expires=changes.get("expires", timezone.now() + dt.timedelta(days=1)),
    )


def _basic(raw: str, name: str = "excel") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{name}:{raw}".encode()).decode()}


@pytest.fixture
def reader(people: dict[str, Any]) -> Client:
    _, raw = _token(people["reader"])
    return Client(**_basic(raw))  # type: ignore[arg-type]


def _page(response: Any) -> Any:
    """A page's JSON: a page of rows is streamed, so it is read from its streamed content."""
    assert response.streaming, "a page of rows is sent as it is encoded"
    return json.loads(b"".join(response.streaming_content))


def _rows(client: Client, address: str) -> list[dict[str, Any]]:
    response = client.get(address)
    assert response.status_code == 200, response.content[:400]
    page = _page(response)
    assert "@odata.nextLink" not in page
    return list(page["value"])


@pytest.fixture
def everything(reader: Client, settings: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every set, in one page each."""
    settings.ODATA_PAGE_SIZE = 100_000
    return {
        name: _rows(reader, f"/odata/{name}")
        for name in ("Figures", "Indicators", "Targets", "NeighbourValues")
    }


# -- signing in ---------------------------------------------------------------------------------

ADDRESSES = (
    "/odata/",
    "/odata/$metadata",
    "/odata/Figures",
    "/odata/feeds/figures.csv",
    "/odata/feeds/figures.json",
)


@pytest.mark.parametrize("address", ADDRESSES)
def test_without_credentials_the_feed_asks_for_basic(address: str) -> None:
    """401 with WWW-Authenticate: Basic, which makes Power BI and Excel ask for a password."""
    response = Client().get(address)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="kpiboard"')
    assert json.loads(response.content)["error"]["code"] == "Unauthorized"


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_token_as_basic_password_bearer_or_a_session_reads_the_feed(
    address: str, people: dict[str, Any], client_as: Any
) -> None:
    _, raw = _token(people["reader"])
    assert Client(**_basic(raw)).get(address).status_code == 200  # type: ignore[arg-type]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get(address).status_code == 200
    assert client_as("reader").get(address).status_code == 200


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token, raw: (token_revoke(token=token), raw)[1],
        lambda token, raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        lambda token, raw: "",
    ],
    ids=["revoked", "wrong", "empty"],
)
def test_a_revoked_or_wrong_token_is_refused(spoil: Any, people: dict[str, Any]) -> None:
    token, raw = _token(people["reader"])
    sent = spoil(token, raw)
    response = Client(**_basic(sent)).get("/odata/Figures")  # type: ignore[arg-type]
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_an_expired_token_is_refused(people: dict[str, Any]) -> None:
    _, raw = _token(people["reader"], expires=timezone.now() - dt.timedelta(seconds=1))
    assert Client(**_basic(raw)).get("/odata/").status_code == 401  # type: ignore[arg-type]


def test_a_wrong_token_is_refused_even_beside_a_session(
    client_as: Any, people: dict[str, Any]
) -> None:
    """A script's bad token is not rescued by the browser session it happens to run beside."""
    client = client_as("reader")
    assert client.get("/odata/", HTTP_AUTHORIZATION="Bearer kpib_wrong").status_code == 401


def test_an_account_without_a_role_is_refused(people: dict[str, Any], client_as: Any) -> None:
    """Same rule as the register's pages: a role that reads figures, or 403."""
    _, raw = _token(people["no_role"])
    response = Client(**_basic(raw)).get("/odata/Figures")  # type: ignore[arg-type]
    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "Forbidden"
    assert client_as("no_role").get("/odata/feeds/figures.csv").status_code == 403


def test_the_feed_is_read_only(reader: Client) -> None:
    for method in (reader.post, reader.put, reader.patch, reader.delete):
        assert method("/odata/Figures").status_code == 405


def test_readers_see_approved_figures_only(reader: Client, settings: Any) -> None:
    """A figure waiting for review is in no row, as on the register's pages."""
    settings.ODATA_PAGE_SIZE = 100_000
    row = Return.objects.get(indicator__ref="182", period="2024-09")
    row.state = ReturnState.SUBMITTED
    row.save()
    periods = {r["period"] for r in _rows(reader, "/odata/Figures?$filter=ref eq '182'")}
    assert "2024-08" in periods
    assert "2024-09" not in periods


# -- $filter on each type --------------------------------------------------------------------

FILTERS = [
    ("Figures", "ref eq '182'", lambda r: r["ref"] == "182"),
    ("Figures", "status in ('red', 'amber')", lambda r: r["status"] in ("red", "amber")),
    ("Figures", "startswith(period, '2024')", lambda r: r["period"].startswith("2024")),
    ("Figures", "contains(name, 'invoices')", lambda r: "invoices" in r["name"]),
    ("Figures", "endswith(period, 'Q2')", lambda r: r["period"].endswith("Q2")),
    ("Figures", "value gt 95.5", lambda r: r["value"] is not None and r["value"] > 95.5),
    (
        "Figures",
        "numerator ge 100 and denominator lt 130",
        lambda r: r["numerator"] is not None and r["numerator"] >= 100 and r["denominator"] < 130,
    ),
    ("Figures", "target eq null", lambda r: r["target"] is None),
    (
        "Figures",
        "target ne null and value lt target",
        lambda r: r["target"] is not None and r["value"] < r["target"],
    ),
    (
        "Figures",
        "neighbour_rank le 6",
        lambda r: r["neighbour_rank"] is not None and r["neighbour_rank"] <= 6,
    ),
    (
        "Figures",
        "complete eq true and frequency eq 'quarter'",
        lambda r: r["complete"] is True and r["frequency"] == "quarter",
    ),
    ("Figures", "period_start ge 2024-04-01", lambda r: r["period_start"] >= "2024-04-01"),
    (
        "Figures",
        "not (status eq 'green') or frequency eq 'year'",
        lambda r: r["status"] != "green" or r["frequency"] == "year",
    ),
    ("Indicators", "national_definition eq true", lambda r: r["national_definition"] is True),
    ("Indicators", "decimals eq 0", lambda r: r["decimals"] == 0),
    ("Indicators", "directorate eq 'asc'", lambda r: r["directorate"] == "asc"),
    # The register keeps decimals as text; as text "100" < "65". Compared as numbers here.
    ("Targets", "value gt 65", lambda r: r["value"] > 65),
    (
        "NeighbourValues",
        "value lt 1 and area_code ne 'E10000003'",
        lambda r: r["value"] is not None and r["value"] < 1 and r["area_code"] != "E10000003",
    ),
]


@pytest.mark.parametrize(("name", "expression", "keep"), FILTERS)
def test_filter_keeps_the_rows_the_expression_is_true_of(
    name: str, expression: str, keep: Any, reader: Client, everything: Any
) -> None:
    expected = [r for r in everything[name] if keep(r)]
    assert expected, "the demo council has rows for this filter"
    assert len(expected) < len(everything[name]), "the filter leaves some rows out"
    assert _rows(reader, f"/odata/{name}?$filter={expression}") == expected


# -- $orderby, $top, $skip, $count, paging ------------------------------------------------------


def test_orderby_several_properties(reader: Client, everything: Any) -> None:
    rows = _rows(reader, "/odata/Figures?$orderby=status desc, value asc, ref")
    want = sorted(everything["Figures"], key=lambda r: r["ref"])
    want = sorted(want, key=lambda r: (r["value"] is not None, r["value"] or 0))
    want = sorted(want, key=lambda r: r["status"], reverse=True)
    assert [(r["status"], r["value"]) for r in rows] == [(r["status"], r["value"]) for r in want]


def test_top_skip_and_count(reader: Client, everything: Any) -> None:
    response = reader.get("/odata/Figures?$orderby=value desc&$top=7&$skip=5&$count=true")
    page = _page(response)
    ordered = sorted(everything["Figures"], key=lambda r: -(r["value"] or 0))
    assert page["@odata.count"] == len(everything["Figures"])
    assert [r["value"] for r in page["value"]] == [r["value"] for r in ordered[5:12]]
    assert "@odata.nextLink" not in page


def test_top_beyond_a_page_pages_on_and_stops_at_top(reader: Client, settings: Any) -> None:
    settings.ODATA_PAGE_SIZE = 10
    first = _page(reader.get("/odata/Targets?$top=25"))
    assert len(first["value"]) == 10
    second = _page(reader.get(first["@odata.nextLink"]))
    third = _page(reader.get(second["@odata.nextLink"]))
    assert len(second["value"]) == 10
    assert len(third["value"]) == 5
    assert "@odata.nextLink" not in third
    settings.ODATA_PAGE_SIZE = 100
    assert first["value"] + second["value"] + third["value"] == _rows(
        reader, "/odata/Targets?$top=25"
    )


def test_rows_read_column_by_column_equal_the_rows_kept_whole(
    reader: Client, everything: Any, settings: Any
) -> None:
    """A page of whole Figures rows is each row's stored JSON object; a $select page is encoded
    from the columns. The two give every row the same values, of the same JSON types (a whole
    number as a Double is still 130.0, not 130)."""
    settings.ODATA_PAGE_SIZE = 100_000
    names = [name for name in everything["Figures"][0] if name != "warnings"]
    assert len(names) == 34
    chosen = _rows(reader, f"/odata/Figures?$select={','.join(names)}")
    whole = everything["Figures"]
    assert len(chosen) == len(whole) > 100
    for row, full in zip(chosen, whole, strict=True):
        assert list(row) == names
        assert [(v, type(v)) for v in row.values()] == [(full[n], type(full[n])) for n in names]
    # The FOI responses of September 2024 (116 of 138 against a target of 90, by hand).
    row = next(r for r in whole if (r["ref"], r["period"]) == ("182", "2024-09"))
    assert (row["numerator"], row["denominator"], row["target"]) == (116.0, 138.0, 90.0)
    assert isinstance(row["numerator"], float)
    assert (row["period_start"], row["period_end"], row["complete"]) == (
        "2024-09-01",
        "2024-09-30",
        True,
    )


def test_a_page_names_its_count_before_the_rows_and_its_next_page_after(
    reader: Client, settings: Any
) -> None:
    """The opening and the rows go out before the last row is encoded, so the next page's
    address comes last, as OData's JSON allows for a streamed answer."""
    settings.ODATA_PAGE_SIZE = 3
    response = reader.get("/odata/Figures?$count=true")
    assert response.streaming
    assert "odata.streaming=true" in response["Content-Type"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.index(b'"@odata.count":') < body.index(b'"value":[') < body.index(b"]")
    assert body.rindex(b'"@odata.nextLink":') > body.rindex(b"]")
    page = json.loads(body)
    assert list(page) == ["@odata.context", "@odata.count", "value", "@odata.nextLink"]
    assert len(page["value"]) == 3
    assert page["@odata.count"] > 3


# -- bad query options ------------------------------------------------------------------------

BAD = [
    ("$filter=nosuch eq 1", "$filter", "nosuch"),
    ("$filter=value gt", "$filter", ""),
    ("$filter=value eq 'many'", "$filter", "Edm.Double"),
    ("$filter=status in ('red', 3)", "$filter", "Edm.String"),
    ("$filter=period_start gt 'soon'", "$filter", "Edm.Date"),
    ("$filter=complete eq 1", "$filter", "Edm.Boolean"),
    ("$filter=ref eq '182' and", "$filter", ""),
    ("$filter=directorate/name eq 'x'", "$filter", "navigation"),
    ("$filter=nosuchfunction(ref)", "$filter", ""),
    ("$filter=value", "$filter", ""),
    ("$filter=" + "ref eq '1' or " * 400 + "ref eq '2'", "$filter", "longer"),
    ("$select=ref,nosuch", "$select", "nosuch"),
    ("$orderby=nosuch desc", "$orderby", "nosuch"),
    ("$orderby=value sideways", "$orderby", "sideways"),
    ("$top=-1", "$top", "whole number"),
    ("$top=ten", "$top", "whole number"),
    ("$skip=1.5", "$skip", "whole number"),
    ("$skiptoken=x", "$skiptoken", "whole number"),
    ("$count=maybe", "$count", "true or false"),
    ("$expand=Targets", "$expand", "not supported"),
    ("$format=xml", "$format", "JSON"),
]


@pytest.mark.parametrize(("query", "target", "words"), BAD)
def test_a_query_option_that_cannot_be_answered_is_a_400_saying_why(
    query: str, target: str, words: str, reader: Client
) -> None:
    response = reader.get(f"/odata/Figures?{query}")
    assert response.status_code == 400
    assert not response.streaming, "refused before the first byte of a page"
    error = json.loads(response.content)["error"]
    assert error["code"] == "BadRequest"
    assert error["target"] == target
    assert words in error["message"]


def test_format_json_is_accepted_in_either_spelling(reader: Client) -> None:
    for spelling in ("json", "application/json;odata.metadata=minimal"):
        assert reader.get("/odata/Targets", {"$format": spelling}).status_code == 200


def test_an_unknown_entity_set_is_a_404_naming_the_sets(reader: Client) -> None:
    response = reader.get("/odata/Nonsense")
    assert response.status_code == 404
    assert "Figures" in json.loads(response.content)["error"]["message"]


# -- the flat feed ------------------------------------------------------------------------------


def test_the_flat_feed_holds_the_same_rows_as_the_odata_set(
    reader: Client, everything: Any
) -> None:
    as_json = json.loads(_body(reader, "/odata/feeds/figures.json"))
    assert as_json == everything["Figures"]
    text = _body(reader, "/odata/feeds/figures.csv").decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(everything["Figures"])
    for line, row in zip(table, everything["Figures"], strict=True):
        assert line["ref"] == row["ref"]
        assert line["period"] == row["period"]
        assert line["status"] == row["status"]
        assert (float(line["value"]) if line["value"] else None) == row["value"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(reader: Client) -> None:
    """Commentary typed as a formula opens in Excel as text (OWASP's CSV injection advice)."""
    attack = '=HYPERLINK("http://evil.example","Click")'
    Return.objects.filter(indicator__ref="182", period="2024-09").update(commentary=attack)
    DataVersion.bump()
    text = _body(reader, "/odata/feeds/figures.csv").decode()
    line = next(
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["period"] == "2024-09" and r["ref"] == "182"
    )
    assert line["commentary"] == "'" + attack
    assert not any(
        cell.startswith(("=", "+", "-", "@")) and not _is_number(cell)
        for row in csv.reader(io.StringIO(text))
        for cell in row
    )
    # The OData row and the JSON feed keep the words as typed: they are data, not a sheet.
    odata = _rows(reader, "/odata/Figures?$filter=ref eq '182' and period eq '2024-09'")
    assert odata[0]["commentary"] == attack


def _body(client: Client, address: str) -> bytes:
    response = client.get(address)
    assert response.status_code == 200
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_a_changed_figure_is_in_the_next_read_with_its_new_status(reader: Client) -> None:
    """Rows are rebuilt when the data moves on: 130 of 138 (94.2%) against 90 is green."""
    address = "/odata/Figures?$filter=ref eq '182' and period eq '2024-09'"
    assert _rows(reader, address)[0]["status"] == "amber"
    row = Return.objects.get(indicator__ref="182", period="2024-09")
    row.numerator = Decimal(130)
    row.save()  # a save moves the data version on
    changed = _rows(reader, address)[0]
    assert changed["numerator"] == 130
    assert changed["value"] == pytest.approx(100 * 130 / 138)
    assert changed["status"] == "green"
