"""The performance team loads a national data file for one indicator in the web app."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpiboard.web.register.models import Indicator, NeighbourValue

pytestmark = pytest.mark.django_db
OFLOG = Path(__file__).resolve().parents[3] / "shared" / "data" / "public" / "oflog_asc_all_las.csv"


def _upload(client: Any, ref: str, metric: str = "") -> Any:
    token = client.get(f"/register/{ref}/neighbours/").cookies["csrftoken"].value
    upload = SimpleUploadedFile("oflog.csv", OFLOG.read_bytes(), content_type="text/csv")
    return client.post(
        f"/register/{ref}/neighbours/",
        {"file": upload, "metric": metric, "csrfmiddlewaretoken": token},
    ), token


def test_the_real_oflog_file_loads_every_area_for_the_metric(client_as: Any) -> None:
    with OFLOG.open(encoding="utf-8-sig", newline="") as source:
        rows = [row for row in csv.DictReader(source) if row["Code"] == "ASC1"]
    areas = {row["Local authority code"] for row in rows}
    years = {row["Financial year"] for row in rows}
    client = client_as("performance")
    preview, token = _upload(client, "ASC1", "ASC1")
    text = preview.content.decode()
    assert preview.status_code == 200
    assert f"holds {len(rows)} values for {len(areas)} areas" in text
    asc1 = Indicator.objects.get(ref="ASC1")
    before = NeighbourValue.objects.filter(indicator=asc1).count()
    assert before == 16 * len(years)  # the demo holds Cambridgeshire's group only
    done = client.post("/register/ASC1/neighbours/confirm/", {"csrfmiddlewaretoken": token})
    assert done.status_code == 302
    assert NeighbourValue.objects.filter(indicator=asc1).count() == len(rows)
    cambridgeshire = next(
        row
        for row in rows
        if row["Local authority code"] == "E10000003" and row["Financial year"] == "2018-19"
    )
    stored = NeighbourValue.objects.get(indicator=asc1, area_code="E10000003", period="2018/19")
    assert stored.value == Decimal(cambridgeshire["Value"])


def test_a_file_that_does_not_fit_the_indicator_is_refused_whole(client_as: Any) -> None:
    asc3 = Indicator.objects.get(ref="ASC3")
    assert asc3.unit == "percent"
    before = NeighbourValue.objects.filter(indicator=asc3).count()
    # ASC6 is a rate in the thousands: not a percentage, so its rows are out of range.
    preview, _ = _upload(client_as("performance"), "ASC3", "ASC6")
    text = preview.content.decode()
    assert "The file was not loaded" in text
    assert "0 to 100" in text or "0-100" in text
    assert NeighbourValue.objects.filter(indicator=asc3).count() == before


def test_only_indicators_with_a_national_definition_take_national_data(client_as: Any) -> None:
    response = client_as("performance").get("/register/182/neighbours/")
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["owner", "reader", "other_owner"])
def test_only_the_performance_team_loads_national_data(client_as: Any, role: str) -> None:
    assert client_as(role).get("/register/ASC1/neighbours/").status_code == 403
