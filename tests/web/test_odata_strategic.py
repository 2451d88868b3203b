"""The OData Indicators set's ``strategic`` property (issue 17): in ``$metadata`` as a
Boolean, on every row, and filterable. The demo council loads with no strategic KPI (its
indicators.csv has no ``x_strategic``), so the test chooses some."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kpiboard.web.api.tokens import token_create
from kpiboard.web.register import models

pytestmark = pytest.mark.django_db

CHOSEN = {"182", "190", "212", "214", "ASC3"}


@pytest.fixture
def reader(people: dict[str, Any]) -> Client:
    _, raw = token_create(
        user=people["reader"],
        name="feed",
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    basic = base64.b64encode(f"excel:{raw}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {basic}")


def _refs(client: Client, address: str) -> dict[str, Any]:
    response: Any = client.get(address)  # a page of rows is streamed
    assert response.status_code == 200, response.content[:400]
    page = json.loads(b"".join(response.streaming_content))
    return {row["ref"]: row["strategic"] for row in page["value"]}


def test_the_metadata_declares_strategic_a_boolean(reader: Client) -> None:
    text = reader.get("/odata/$metadata").content.decode()
    indicator = text[text.index('<EntityType Name="Indicator">') :]
    indicator = indicator[: indicator.index("</EntityType>")]
    assert '<Property Name="strategic" Type="Edm.Boolean" Nullable="false" />' in indicator


def test_filtering_on_strategic_gives_the_strategic_kpis_and_the_others(reader: Client) -> None:
    models.Indicator.objects.filter(ref__in=CHOSEN).update(strategic=True)
    models.DataVersion.bump()  # update() sends no signal
    everything = _refs(reader, "/odata/Indicators")
    assert len(everything) == 20
    assert {ref for ref, strategic in everything.items() if strategic is True} == CHOSEN
    assert all(value in (True, False) for value in everything.values())
    strategic = _refs(reader, "/odata/Indicators?$filter=strategic eq true")
    assert set(strategic) == CHOSEN
    others = _refs(reader, "/odata/Indicators?$filter=strategic eq false")
    assert set(others) == set(everything) - CHOSEN
    assert len(others) == 15
    both = _refs(reader, "/odata/Indicators?$filter=strategic eq true and directorate eq 'snp'")
    assert set(both) == {"182", "190"}
