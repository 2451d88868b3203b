"""The public pages: anyone may read the published reports, their scorecards and the open data,
and nothing else; what they read is what was frozen at publication."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from kpiboard.analysis.status import Status
from kpiboard.reports import pack
from kpiboard.web.register.models import Indicator
from kpiboard.web.reporting import services
from kpiboard.web.reporting.models import Publication, ReportRun
from kpiboard.web.reporting.selectors import OPEN_DATA_FIELDS
from web.test_reporting import Q2, correct, fake_write_pack, published


@pytest.fixture
def fake_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack, "write_pack", fake_write_pack)


@pytest.fixture
def publication(people: dict[str, Any], fake_pack: None) -> Publication:
    return published("committee:srp", people["performance"])


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_an_anonymous_visitor_reads_the_published_reports_and_open_data(
    publication: Publication,
) -> None:
    client = Client()
    for path in (
        "/published/",
        f"/published/{publication.pk}/",
        "/open-data/",
        "/open-data/figures.csv",
        "/open-data/figures.json",
        *(f"/published/{publication.pk}/files/{name}/" for name in pack.FORMATS),
    ):
        assert client.get(path).status_code == 200, path
    listing = client.get("/published/").content.decode()
    assert publication.title.split(":")[0] in listing
    assert 'href="/open-data/"' in listing
    assert 'href="/accounts/login/"' in listing
    assert 'href="/reports/"' not in listing


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/register/",
        "/register/182/",
        "/returns/",
        "/review/",
        "/reports/",
        "/reports/1/",
        "/reports/1/preview/",
        "/reports/1/files/pdf/",
        "/admin/",
    ],
)
def test_an_anonymous_visitor_is_sent_to_sign_in_for_anything_else(
    publication: Publication, path: str
) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_what_was_not_published_is_not_found(publication: Publication) -> None:
    draft = services.run_create(scope_text="directorate:fin", period_text=Q2, user=None)
    services.run_generate(run=draft)
    client = Client()
    assert client.get(f"/published/{publication.pk + 1}/").status_code == 404
    assert client.get(f"/published/{publication.pk}/files/csv/").status_code == 404
    # The draft's files exist, but only under /reports/, which needs the performance team.
    assert client.get(f"/published/{publication.pk + 1}/files/pdf/").status_code == 404
    assert client.get(f"/reports/{draft.pk}/files/pdf/").status_code == 302
    assert Publication.objects.count() == 1


def test_the_published_scorecard_is_the_frozen_evaluation(
    publication: Publication, people: dict[str, Any]
) -> None:
    page = Client().get(f"/published/{publication.pk}/").content.decode()
    for row in publication.evaluation["indicators"]:
        assert f'data-ref="{row["ref"]}"' in page
        assert f"{Status(row['status']).label}</strong>" in page
    assert "Red</strong></td><td" in page.replace("\n", "")  # the summary table
    # A figure corrected afterwards does not change the page's scorecard.
    before = page[page.index('id="scorecard"') : page.index('id="revisions"')]
    correct("212", "2024/25 Q2", "99", people["performance"])
    after = Client().get(f"/published/{publication.pk}/").content.decode()
    assert after[after.index('id="scorecard"') : after.index('id="revisions"')] == before
    assert "None of the figures" not in after


def test_open_data_rows_equal_the_frozen_evaluation(publication: Publication) -> None:
    client = Client()
    data = client.get("/open-data/figures.json").json()
    assert data["fields"] == list(OPEN_DATA_FIELDS)
    rows = {row["ref"]: row for row in data["figures"]}
    assert len(data["figures"]) == len(publication.evaluation["indicators"]) == 13
    for item in publication.evaluation["indicators"]:
        row = rows[item["ref"]]
        for key in ("name", "unit", "direction", "value", "target", "status", "change"):
            assert row[key] == item[key], (item["ref"], key)
        assert row["period"] == Q2
        definition = publication.definitions[item["ref"]]
        assert row["category"] == definition["category"]
        assert row["committee"] == "Strategy, Resources and Performance Committee"
        assert row["publication_date"] == publication.published_at.date().isoformat()
        assert row["publication_version"] == 1
    as_csv = csv_rows(client.get("/open-data/figures.csv").content.decode())
    assert [row["ref"] for row in as_csv] == [row["ref"] for row in data["figures"]]
    for row in as_csv:
        frozen = rows[row["ref"]]
        assert row["status"] == frozen["status"]
        assert row["value"] == ("" if frozen["value"] is None else str(frozen["value"]))


def test_open_data_is_one_row_per_indicator_and_period_across_publications(
    people: dict[str, Any], fake_pack: None
) -> None:
    """The committee's and the organisation's reports both state 186 for Q2: one row, from the
    later publication; another period is another row."""
    published("committee:srp", people["performance"])
    published("organisation", people["performance"])
    published("directorate:fin", people["performance"], period="2024/25 Q1")
    rows = Client().get("/open-data/figures.json").json()["figures"]
    keys = [(row["ref"], row["period"]) for row in rows]
    assert len(keys) == len(set(keys)) == 20 + 6
    q2 = {row["ref"]: row for row in rows if row["period"] == Q2}
    assert q2["186"]["publication"].startswith("Cambridgeshire County Council")
    assert [row["period"] for row in rows][:6] == ["2024/25 Q1"] * 6  # in time order


def test_open_data_csv_cannot_carry_a_formula(people: dict[str, Any], fake_pack: None) -> None:
    """A name that a spreadsheet would run as a formula is written with a leading quote."""
    Indicator.objects.filter(ref="186").update(name='=HYPERLINK("http://x","click")')
    published("directorate:fin", people["performance"])
    rows = {r["ref"]: r for r in csv_rows(Client().get("/open-data/figures.csv").content.decode())}
    assert rows["186"]["name"] == '\'=HYPERLINK("http://x","click")'
    assert rows["185"]["name"][0] not in "'=+-@"
    # The JSON carries the name as it is: JSON is not opened by a spreadsheet.
    json_rows = {r["ref"]: r for r in Client().get("/open-data/figures.json").json()["figures"]}
    assert json_rows["186"]["name"] == '=HYPERLINK("http://x","click")'


def test_a_published_html_file_is_shown_with_nothing_allowed_to_run(
    publication: Publication,
) -> None:
    client = Client()
    html = client.get(f"/published/{publication.pk}/files/html/")
    assert html["Content-Type"].startswith("text/html")
    assert html["Content-Disposition"].startswith("inline")
    assert "script-src" not in html["Content-Security-Policy"]
    assert html["Content-Security-Policy"].startswith("default-src 'none'")
    pdf = client.get(f"/published/{publication.pk}/files/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        'attachment; filename="committee-srp-2024-25-q2-v1-report.pdf"'
    )


def test_withdrawn_reports_are_listed_and_marked(
    publication: Publication, people: dict[str, Any]
) -> None:
    services.publication_withdraw(
        publication=publication, reason="Published to the wrong committee", user=None
    )
    listing = Client().get("/published/").content.decode()
    assert 'govuk-tag--red">Withdrawn' in listing
    page = Client().get(f"/published/{publication.pk}/").content.decode()
    assert "Published to the wrong committee" in page
    assert "<title>" in page
    assert "(withdrawn)" in page
    assert Client().get("/open-data/figures.json").json()["figures"] == []
    assert ReportRun.objects.get(pk=publication.run_id).state == "published"
