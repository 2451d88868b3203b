"""Background tasks (django-tasks; the database backend's worker is ``kpiboard db_worker``):
generating a pack, queueing it and noticing a task that failed without saying so.

This module depends on :mod:`kpiboard.web.reporting.services`, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import os
import platform

from django.conf import settings
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
recorded every half second at most, and no step of a pack takes minutes. The setting
``KPIBOARD_REPORT_STALLED_SECONDS`` replaces it (a test shortens it)."""

STOPPED_ERROR = (
    "The process generating the pack stopped before it finished (it was ended or the server "
    "restarted). Generate the pack again."
)


def stalled_after() -> dt.timedelta:
    """How long a run may go without a word before it is taken to have stopped."""
    seconds = getattr(settings, "KPIBOARD_REPORT_STALLED_SECONDS", None)
    return STALLED_AFTER if seconds is None else dt.timedelta(seconds=seconds)


def run_reconcile(*, run: ReportRun) -> ReportRun:
    """Mark a run failed whose generation stopped without saying so: its background task failed
    (it could not be imported or started, or ended before ``run_generate`` could record why), or
    the process generating it was killed (``kill -9`` of ``kpiboard publish`` or of the worker,
    even before the task had said it started). A failed run can be generated again.

    The worker's record of a task whose process was killed says "running" for ever; it is marked
    failed with the run, so the queue shows no task running that nothing runs."""
    if run.state == RunState.RUNNING and _stopped(run):
        ReportRun.objects.filter(pk=run.pk, state=RunState.RUNNING, worker=run.worker).update(
            state=RunState.FAILED, progress_text="Generation stopped", error=STOPPED_ERROR
        )
        _task_stopped(run.task_id)
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
    elif (
        run.state == RunState.QUEUED
        and result.status == TaskResultStatus.RUNNING
        and result.started_at is not None
        and timezone.now() - result.started_at > stalled_after()
    ):
        # A worker took the task and said nothing since: killed before the run's first step
        # (which comes within a second or two of starting: the task's modules are imported).
        updated = ReportRun.objects.filter(pk=run.pk, state=RunState.QUEUED).update(
            state=RunState.FAILED, progress_text="Generation stopped", error=STOPPED_ERROR
        )
        if updated:
            _task_stopped(run.task_id)
        run.refresh_from_db()
    return run


def _task_stopped(task_id: str) -> None:
    """Mark the database queue's record of the task failed if it still says running."""
    if not task_id:
        return
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="kpiboard.web.reporting.tasks.GenerationStopped",
        traceback=STOPPED_ERROR,
    )


def _stopped(run: ReportRun) -> bool:
    """Whether the process generating ``run`` is gone: on this host, no such process; anywhere,
    no word from it for :func:`stalled_after`."""
    if run.heartbeat_at is not None and timezone.now() - run.heartbeat_at > stalled_after():
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
