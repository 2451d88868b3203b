"""Health checks (django-health-check): ``/health/`` for the load balancer, ``/health/workers/``
for monitoring.

``/health/`` asks what makes this app server able to serve: the database answers and the shared
cache (a table of that database) keeps a value. ``/health/workers/`` asks whether the workers keep
up: the database answers and no django-tasks task has waited to be run for more than
``KPIBOARD_HEALTH_QUEUE_SECONDS`` (300) since it was due, which would mean that no
``kpiboard db_worker`` is running, or that the workers cannot keep up. The queue is shared by
every app server, so it is not in the load balancer's check: a stopped worker would otherwise take
every server out of rotation at once, and the site down with it, when people could still read
scorecards and save returns; monitoring alerts on the second check instead.

The answer is plain text, 200 when all pass and 503 when any fails, with one line per check
("Database: OK"). It names no person, host, version or error detail (the reasons go to the log,
``health_check`` logger), needs no sign-in, and is never cached. The site's security headers and
Content-Security-Policy apply as on any page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

__all__ = ["HealthView", "TaskQueueAge", "WorkersHealthView", "health", "workers_health"]

NAMES = {"Database": "Database", "Cache": "Cache", "TaskQueueAge": "Task queue"}


class TaskQueueAge(HealthCheck):
    """Unhealthy when a queued task has been due for longer than the setting allows."""

    def __repr__(self) -> str:
        return "TaskQueueAge"

    async def run(self) -> None:
        # In the request's own thread and database connection (thread-sensitive).
        if await sync_to_async(self.overdue)():
            limit = settings.KPIBOARD_HEALTH_QUEUE_SECONDS
            raise ServiceUnavailable(f"a queued task has waited over {limit} seconds")

    @staticmethod
    def overdue() -> bool:
        cutoff = timezone.now() - dt.timedelta(seconds=settings.KPIBOARD_HEALTH_QUEUE_SECONDS)
        # Due since it was queued (no run_after), or since a run_after that has passed.
        return (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY, enqueued_at__lte=cutoff)
            .filter(Q(run_after=get_date_max()) | Q(run_after__lte=cutoff))
            .exists()
        )


class HealthView(HealthCheckView):
    checks: tuple[Any, ...] = (Database, Cache)

    async def get(  # type: ignore[override]  # an async view, as django-health-check's
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        with self.get_executor() as executor:
            results = [await check.get_result(executor) for check in self.get_checks()]
        lines = [
            f"{NAMES.get(type(r.check).__name__, type(r.check).__name__)}: "
            + ("unavailable" if r.error else "OK")
            for r in results
        ]
        failed = any(r.error for r in results)
        return HttpResponse(
            "\n".join(lines) + "\n",
            content_type="text/plain; charset=utf-8",
            status=503 if failed else 200,
        )

    def get_executor(self) -> contextlib.AbstractContextManager[Executor | None]:
        return _one_thread()


@contextlib.contextmanager
def _one_thread() -> Iterator[Executor]:
    """A thread for the synchronous checks whose database connections close with it."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")
    try:
        yield executor
    finally:
        executor.submit(connections.close_all).result()
        executor.shutdown()


class WorkersHealthView(HealthView):
    checks = (Database, TaskQueueAge)


health = HealthView.as_view()
workers_health = WorkersHealthView.as_view()
