"""A pack whose generating process was killed does not stay "Generating" for ever (issue 16).

``kill -9`` of ``kpiboard publish`` (or of the worker) once left its run "running" with no task
id, so reconciling did nothing and the report could not be edited or generated again. The run now
records which process generates it and when it last said how far it had got; the run's page
notices a process that is gone (or silent for five minutes) and marks the run failed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kpiboard.web.reporting import services, tasks
from kpiboard.web.reporting.models import ReportRun, RunState

pytestmark = pytest.mark.django_db

Q2 = "2024/25 Q2"


def _dead_pid() -> int:
    """The id of a process that has ended and been waited for."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running(worker: str, seconds_ago: float = 0) -> ReportRun:
    user = get_user_model().objects.get(username="perf")
    run = services.run_create(scope_text="committee:srp", period_text=Q2, user=user)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING,
        worker=worker,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        progress=50,
    )
    run.refresh_from_db()
    return run


def test_a_run_whose_process_is_gone_is_failed_and_can_be_generated_again() -> None:
    run = tasks.run_reconcile(run=_running(f"{platform.node()}:{_dead_pid()}"))
    assert run.state == RunState.FAILED
    assert "stopped before it finished" in run.error
    assert tasks.run_enqueue(run=run).state == RunState.QUEUED


def test_a_run_whose_process_is_alive_keeps_generating() -> None:
    run = tasks.run_reconcile(run=_running(f"{platform.node()}:{os.getpid()}"))
    assert run.state == RunState.RUNNING


def test_a_run_silent_for_five_minutes_is_failed_wherever_it_ran() -> None:
    quiet = tasks.run_reconcile(run=_running("another-server:123", seconds_ago=301))
    assert quiet.state == RunState.FAILED
    recent = tasks.run_reconcile(run=_running("another-server:123", seconds_ago=30))
    assert recent.state == RunState.RUNNING  # another server's process: only silence tells


def test_generating_records_this_process_and_a_heartbeat(client_as: Any) -> None:
    user = get_user_model().objects.get(username="perf")
    run = services.run_create(scope_text="committee:srp", period_text=Q2, user=user)
    before = timezone.now()
    services._step(run, 5, "Reading the approved figures")
    run.refresh_from_db()
    assert run.worker == f"{platform.node()}:{os.getpid()}"
    assert run.heartbeat_at is not None
    assert run.heartbeat_at >= before


def test_the_run_page_shows_a_killed_run_as_failed(client_as: Any) -> None:
    run = _running(f"{platform.node()}:{_dead_pid()}")
    page = client_as("performance").get(f"/reports/{run.pk}/")
    assert page.status_code == 200
    assert "Generate the pack again" in page.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.FAILED
