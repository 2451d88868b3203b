"""/health/ for the load balancer and /health/workers/ for monitoring (issue 16, several
servers): the database, the shared cache and the worker queue's age, as plain text, 200 or 503,
to anyone, with nothing personal in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _queue(waited: dt.timedelta, *, run_after: dt.datetime | None = None) -> Any:
    """A task in django-tasks' database queue, queued ``waited`` ago and not yet run."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="kpiboard.web.reporting.tasks.generate_pack",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waited)
    return task


def test_a_fresh_database_is_healthy_to_someone_not_signed_in() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["Database: OK", "Cache: OK"]
    workers = Client().get("/health/workers/")
    assert workers.status_code == 200
    assert workers.content.decode().splitlines() == ["Database: OK", "Task queue: OK"]
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    # The site's security headers apply here as on every page.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_a_task_queued_for_longer_than_the_limit_makes_the_workers_unhealthy(
    settings: Any,
) -> None:
    """The workers' check fails; the load balancer's does not, as the queue is shared by every
    server and a stopped worker must not take the whole site out of rotation."""
    settings.KPIBOARD_HEALTH_QUEUE_SECONDS = 300
    _queue(dt.timedelta(seconds=200))  # waiting, but not for long
    assert Client().get("/health/workers/").status_code == 200
    _queue(dt.timedelta(seconds=400))
    response = Client().get("/health/workers/")
    assert response.status_code == 503
    assert response.content.decode().splitlines() == ["Database: OK", "Task queue: unavailable"]
    assert Client().get("/health/").status_code == 200


def test_the_limit_is_a_setting_and_a_task_not_yet_due_is_not_late(settings: Any) -> None:
    settings.KPIBOARD_HEALTH_QUEUE_SECONDS = 60
    # Queued an hour ago to run in a minute: not yet due, so not waiting.
    _queue(dt.timedelta(hours=1), run_after=timezone.now() + dt.timedelta(minutes=1))
    assert Client().get("/health/workers/").status_code == 200
    _queue(dt.timedelta(seconds=90))
    assert Client().get("/health/workers/").status_code == 503
    settings.KPIBOARD_HEALTH_QUEUE_SECONDS = 120
    assert Client().get("/health/workers/").status_code == 200


def test_a_task_that_ran_is_not_waiting() -> None:
    from django_tasks_db.models import DBTaskResult

    task = _queue(dt.timedelta(hours=2))
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")
    assert Client().get("/health/workers/").status_code == 200


def test_only_get_is_answered_and_no_version_is_shown() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/health/").status_code in (403, 405)
    body = Client().get("/health/").content.decode().lower()
    for word in ("version", "django", "postgres", "sqlite", "gunicorn", "python"):
        assert word not in body


def test_a_load_balancer_probing_over_plain_http_is_not_redirected(settings: Any) -> None:
    """Production redirects plain HTTP to HTTPS; the load balancer's probe of an app server
    (plain HTTP, behind the TLS the proxy ends) is answered, and nothing else is exempt."""
    from django.conf import settings as live

    assert live.SECURE_REDIRECT_EXEMPT == [r"^health/$"]  # what production sets
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/health/").status_code == 200
    for path in ("/accounts/login/", "/health/x", "/published/"):
        assert client.get(path).status_code == 301, path


def test_a_failing_check_answers_503_and_keeps_its_reason_for_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database's error (here naming a host and a role) goes to the ``health_check``
    logger; the answer says only which check failed."""
    from unittest import mock

    from django.db import OperationalError
    from health_check.checks import Database

    secret = "could not connect to db.internal.council:5432 as role kpiboard_app"
    with mock.patch.object(Database, "run", side_effect=OperationalError(secret)):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.content.decode().splitlines() == ["Database: unavailable", "Cache: OK"]
    assert secret not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "health_check"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert secret in str(logged[0].exc_info[1])


def test_the_librarys_other_formats_are_not_offered() -> None:
    """django-health-check answers JSON, HTML, RSS or OpenMetrics on request, with each failing
    check's error text; here every request gets the same plain lines."""
    for query, accept in (("?format=json", "*/*"), ("", "application/json"), ("", "text/html")):
        response = Client().get(f"/health/{query}", HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode().splitlines() == ["Database: OK", "Cache: OK"]
