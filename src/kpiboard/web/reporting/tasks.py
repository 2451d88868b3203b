"""Background tasks (django-tasks; the database backend's worker is ``kpiboard db_worker``):
generating a pack, queueing it and noticing a task that failed without saying so.

This module depends on :mod:`kpiboard.web.reporting.services`, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import os
import platform

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kpiboard.web.reporting.models import ReportRun, RunState
from kpiboard.web.reporting.services import EDITABLE, ReportingError, run_generate

__all__ = ["generate_pack", "run_enqueue", "run_reconcile"]


@task()
def generate_pack(run_id: int) -> int:
    """Generate a run's pack: HTML, PDF, Word and Excel, stored in the database."""
    run_generate(run=ReportRun.objects.get(pk=run_id))
    return run_id


def run_enqueue(*, run: ReportRun) -> ReportRun:
    """Queue the pack's generation as a background task (django-tasks; ``kpiboard db_worker``
    runs it). The run moves to *queued*; the task moves it on."""
    with transaction.atomic():
        updated = ReportRun.objects.filter(pk=run.pk, state__in=EDITABLE).update(
            state=RunState.QUEUED,
            progress=0,
            progress_text="Waiting for the background worker to start",
            error="",
        )
        if updated != 1:
            fresh = ReportRun.objects.get(pk=run.pk)
            raise ReportingError(
                f"The pack cannot be generated now: the report is "
                f"{fresh.get_state_display().lower()}."
            )
        result = generate_pack.enqueue(run.pk)
        ReportRun.objects.filter(pk=run.pk, state=RunState.QUEUED).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


STALLED_AFTER = dt.timedelta(minutes=5)
"""A run generating that has not said how far it has got for this long has stopped: progress is
recorded every half second at most, and no step of a pack takes minutes."""


def run_reconcile(*, run: ReportRun) -> ReportRun:
    """Mark a run failed whose generation stopped without saying so: its background task failed
    (it could not be imported or started, or ended before ``run_generate`` could record why), or
    the process generating it was killed (``kill -9`` of ``kpiboard publish`` or of the worker).
    A failed run can be generated again."""
    if run.state == RunState.RUNNING and _stopped(run):
        ReportRun.objects.filter(pk=run.pk, state=RunState.RUNNING, worker=run.worker).update(
            state=RunState.FAILED,
            progress_text="Generation stopped",
            error=(
                "The process generating the pack stopped before it finished (it was ended or "
                "the server restarted). Generate the pack again."
            ),
        )
        run.refresh_from_db()
        return run
    if not run.busy or not run.task_id:
        return run
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskException

    try:
        result = generate_pack.get_result(run.task_id)
    except (TaskException, NotImplementedError):
        return run
    if result.status == TaskResultStatus.FAILED:
        failure = result.errors[-1].exception_class_path if result.errors else "unknown error"
        ReportRun.objects.filter(pk=run.pk, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
            state=RunState.FAILED,
            progress_text="Generation failed",
            error=f"The background task failed ({failure})",
        )
        run.refresh_from_db()
    return run


def _stopped(run: ReportRun) -> bool:
    """Whether the process generating ``run`` is gone: on this host, no such process; anywhere,
    no word from it for STALLED_AFTER."""
    if run.heartbeat_at is not None and timezone.now() - run.heartbeat_at > STALLED_AFTER:
        return True
    host, _, pid = run.worker.rpartition(":")
    if host != platform.node() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: is there such a process?
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user: alive
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A process that has ended but not been waited for (Linux's /proc; elsewhere, no)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
