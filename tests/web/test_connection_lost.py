"""A lost database connection answers 503 with the site's page (or the API's problem details),
wherever in the request it was raised (issue 16). The connection really dropped by the server
is test_kill_points.py's test on PostgreSQL; these raise Django's errors by hand."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from kpiboard.web.connection_lost import ConnectionLostMiddleware
from kpiboard.web.errors import server_error


def _never(request: HttpRequest) -> HttpResponse:
    raise AssertionError("not called")


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_view_losing_its_connection_gets_the_503_page(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    request = RequestFactory().post("/returns/182/2024-10/")
    response = ConnectionLostMiddleware(_never).process_exception(request, error)
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Sorry, the service is unavailable" in text
    assert "Nothing you sent was saved" in text
    assert str(error) not in text  # nothing of the error itself
    reference = text.split('id="incident-reference">', 1)[1].split("<", 1)[0]
    assert len(reference) == 8
    assert any(reference in record.getMessage() for record in caplog.records)


def test_other_errors_are_left_to_the_500_page() -> None:
    request = RequestFactory().get("/scorecard/")
    middleware = ConnectionLostMiddleware(_never)
    assert middleware.process_exception(request, DatabaseError("value too long")) is None
    assert middleware.process_exception(request, ValueError("no")) is None


def test_the_api_gets_problem_details() -> None:
    request = RequestFactory().get("/api/v1/indicators/")
    response = ConnectionLostMiddleware(_never).process_exception(
        request, OperationalError("server closed the connection unexpectedly")
    )
    assert response is not None
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == 503
    assert "Nothing you sent was saved" in body["detail"]


def test_lost_outside_a_view_the_500_handler_answers_503_too() -> None:
    """Raised in a middleware (a session saved after the view), it reaches handler500."""
    request = RequestFactory().get("/register/")
    try:
        raise OperationalError("SSL connection has been closed unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()
    try:
        raise ValueError("anything else")
    except ValueError:
        assert server_error(request).status_code == 500
