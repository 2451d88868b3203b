"""The OData feed counts a token's requests against the same per-token limit as the API
(web/api/throttle.py, ``KPIBOARD_API_REQUESTS_PER_MINUTE``): over it, 429 with ``Retry-After``, so
a token cannot get round the limit by asking the feed instead of the API."""

from __future__ import annotations

import base64
import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kpiboard.web.api import throttle
from kpiboard.web.api.tokens import token_create

pytestmark = pytest.mark.django_db

#: A moment 10 seconds into a minute (1_800_000_000 is 30_000_000 minutes exactly): the limit's
#: minute ends 50 seconds later.
MOMENT = 1_800_000_010.0
LIMIT = 3


@pytest.fixture(autouse=True)
def fixed_minute(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Every request in the same minute, so the count cannot start again mid-test."""
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: MOMENT))
    settings.KPIBOARD_API_REQUESTS_PER_MINUTE = LIMIT


def _raw_token(user: Any) -> str:
    _, raw = token_create(
        user=user, name="Power BI", scope="read", expires=timezone.now() + dt.timedelta(days=1)
    )
    return raw


def _basic(raw: str) -> Client:
    """As Power BI's and Excel's connectors send it: the token as the Basic password."""
    header = "Basic " + base64.b64encode(f"powerbi:{raw}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=header)


ADDRESSES = [
    "/odata/",
    "/odata/$metadata",
    "/odata/Indicators?$top=1",
    "/odata/feeds/figures.csv",
    "/odata/feeds/figures.json",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_token_over_its_limit_is_answered_429_with_retry_after(
    people: dict[str, Any], address: str
) -> None:
    client = _basic(_raw_token(people["reader"]))
    assert [client.get(address).status_code for _ in range(LIMIT)] == [200] * LIMIT
    refused = client.get(address)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused["OData-Version"] == "4.0"
    error = json.loads(refused.content)["error"]
    assert error["code"] == "TooManyRequests"
    assert f"more than {LIMIT} requests" in error["message"]


def test_the_feed_and_the_api_count_against_the_same_limit(people: dict[str, Any]) -> None:
    raw = _raw_token(people["reader"])
    feed, api = _basic(raw), Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/committees").status_code == 200
    assert api.get("/api/v1/committees").status_code == 200
    assert feed.get("/odata/").status_code == 200
    assert feed.get("/odata/").status_code == 429  # the fourth request of the token
    assert api.get("/api/v1/committees").status_code == 429


def test_other_tokens_and_the_browser_are_not_held(people: dict[str, Any]) -> None:
    busy = _basic(_raw_token(people["reader"]))
    for _ in range(LIMIT + 1):
        busy.get("/odata/")
    assert busy.get("/odata/").status_code == 429
    assert _basic(_raw_token(people["reader"])).get("/odata/").status_code == 200
    browser = Client()
    browser.force_login(people["reader"])
    assert [browser.get("/odata/").status_code for _ in range(LIMIT + 2)] == [200] * (LIMIT + 2)


def test_a_wrong_token_is_still_401_not_counted(people: dict[str, Any]) -> None:
    wrong = _basic("kpib_wrong")
    assert [wrong.get("/odata/").status_code for _ in range(LIMIT + 1)] == [401] * (LIMIT + 1)
