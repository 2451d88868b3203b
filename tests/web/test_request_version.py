"""A request reads the data version once (register/request_version.py): however many parts of a
page key what they keep on it, one query; a bump made while the request is served is seen after
it; a bump by another process is seen by the next request; a transaction always reads afresh."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kpiboard.web.register import models
from kpiboard.web.register.request_version import READ

# Outside a test's own transaction, as a server runs.
pytestmark = pytest.mark.usefixtures("committed_council")


def _version_queries(queries: CaptureQueriesContext) -> int:
    return sum("register_dataversion" in query["sql"] for query in queries.captured_queries)


def test_a_page_reads_the_data_version_once() -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="reader"))
    for path in ("/indicators/186/", "/scorecard/"):
        client.get(path)  # the cached content made
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path)
        assert page.status_code == 200
        # the organisation kept, the period select and the page's content all key on it
        assert _version_queries(queries) == 1, path
        # and the whole page: the session, the person, whether they have a second factor,
        # their roles, (the indicator,) the version and two cached parts; 14 and 11 before
        assert len(queries) <= (8 if path.startswith("/indicators/") else 6), [
            query["sql"][:80] for query in queries.captured_queries
        ]


def test_a_bump_while_serving_is_seen_and_another_process_s_at_the_next_request() -> None:
    token = READ.set([])  # as the middleware does for a request
    try:
        first = models.DataVersion.current()
        # another process moves it: this request goes on with what it read
        models.DataVersion.objects.filter(pk=1).update(number=first + 10)
        assert models.DataVersion.current() == first
        # this request's own change is seen at once
        models.Committee.objects.filter(code="srp").first().save()  # type: ignore[union-attr]
        assert models.DataVersion.current() == first + 11
        with transaction.atomic():
            models.DataVersion.objects.filter(pk=1).update(number=first + 20)
            assert models.DataVersion.current() == first + 20  # inside: read afresh
    finally:
        READ.reset(token)
    assert models.DataVersion.current() == first + 20  # outside a request: the database's


def test_the_header_shows_the_name_as_soon_as_it_changes() -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="reader"))
    assert "Cambridgeshire County Council" in client.get("/scorecard/").content.decode()
    settings = models.OrganisationSettings.objects.get()
    settings.name = "Fenland Unitary Council"
    settings.save()  # bumps the version
    page = client.get("/scorecard/").content.decode()
    assert "Fenland Unitary Council" in page
    assert "Cambridgeshire County Council" not in page
