"""Schemathesis against the live app's own OpenAPI schema, with a token for each role: every
operation with generated valid and invalid requests, every check on. No server errors; every
answer conforms to the schema (status, content type, headers, body); invalid requests are
refused and valid ones accepted, where "accepted" also allows the refusals the schema cannot
express (a role's rule, a period that does not exist, a return's own checks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import run_state_machine_as_test

from kpiboard.web.api.tokens import token_create
from kpiboard.web.wsgi import application

# No NUL in generated strings: the site refuses a NUL anywhere in an address before any view
# (400, web/addresses.py, finding 5), which a schema cannot say of a string; that refusal is
# tested by test_api_reads.py::test_an_address_the_site_refuses_is_a_problem_for_the_api.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "generation": {"allow-x00": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2XX", "401", "403", "404", "409", "422"]
            },
        },
    }
)


# Read once, when the tests are collected (the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@contextmanager
def kept_connection() -> Iterator[None]:
    """Requests through the WSGI application without closing the database connection at their
    end, as Django's test client does: the connection holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.auth(refresh_interval=None, retry_on=[])
class RoleToken:
    """The token of the role a test runs as, on every request schemathesis makes."""

    token = ""

    def get(self, case: Any, context: Any) -> str:
        return RoleToken.token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _token(user: Any) -> str:
    _row, raw = token_create(
        user=user,
        name="schemathesis",
        scope="read-write",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    return raw


def _schema_test(role: str) -> Any:
    @schema.parametrize()
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(case: Any, db: Any, people: dict[str, Any], settings: Any) -> None:
        settings.KPIBOARD_API_REQUESTS_PER_MINUTE = 1_000_000
        RoleToken.token = _token(people[role])
        with kept_connection():
            case.call_and_validate()

    check.__name__ = f"test_the_api_keeps_its_schema_for_{role}"
    return check


test_the_api_keeps_its_schema_for_administrator = _schema_test("administrator")
test_the_api_keeps_its_schema_for_performance = _schema_test("performance")
test_the_api_keeps_its_schema_for_owner = _schema_test("owner")
# Reading only, or refused: the database is not what these test (the PostgreSQL pass runs the
# roles that write).
test_the_api_keeps_its_schema_for_reader = pytest.mark.once(_schema_test("reader"))
test_the_api_keeps_its_schema_for_no_role = pytest.mark.once(_schema_test("no_role"))


# -- stateful: following the schema's links ------------------------------------------------------
# Sequences of calls along the schema's links (the register's first indicator to its figures,
# the returns due to submitting one, a dry run to applying it), with one role's token.
Workflow = schema.as_state_machine()


@pytest.mark.parametrize("role", ["performance", "owner", "reader"])
def test_linked_operations_keep_the_schema(
    db: Any, people: dict[str, Any], settings: Any, role: str
) -> None:
    settings.KPIBOARD_API_REQUESTS_PER_MINUTE = 1_000_000
    RoleToken.token = _token(people[role])
    with kept_connection():
        run_state_machine_as_test(
            Workflow,
            settings=hypothesis_settings(
                max_examples=6,
                stateful_step_count=6,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
