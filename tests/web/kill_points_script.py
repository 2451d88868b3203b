"""What tests/web/test_kill_points.py runs in processes of their own (to kill, or to look at a
database a killed process left): ``python kill_points_script.py MODE``, with DATABASE_URL naming
the test's own database. Each mode prints one JSON object (``save-loop`` a line per save).

save-loop      save returns through the return form's service for ever, a line after each commit
returns        every return against its latest history row
publications   reconcile every report run, then the runs, publications and constraints found
drop-request   post a return while the request's own database connection is terminated from
               the server's side (PostgreSQL), after the return's row was written
queue-run [PK] queue the generation of report run PK, after worker-runs (whose answer it gives
               as "settled"), or of a new run for the committee srp, 2024/25 Q2, for the
               background worker (test_worker_kill.py)
worker-runs    reconcile every report run, then each run's state, error and files, the worker
               queue's tasks, the publications and the constraints
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from typing import Any

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402

#: The return fields that history keeps and a save changes.
FIELDS = ("numerator", "denominator", "value", "state", "version", "commentary", "author")


def save_loop() -> None:
    from kpiboard.web.collection import services
    from kpiboard.web.periods import from_slug
    from kpiboard.web.register.dataset import organisation
    from kpiboard.web.register.models import Indicator

    org = organisation()
    user = get_user_model().objects.get(username="helen")
    rows = [Indicator.objects.get(ref=ref) for ref in ("182", "183", "184")]
    periods = [from_slug(slug, org.settings.year_start_month) for slug in ("2024-10", "2024-11")]
    for number in itertools.count(1):
        row = rows[number % len(rows)]
        period = periods[(number // len(rows)) % len(periods)]
        item = services.return_for(row, period)
        data = {
            "numerator": str(80 + number % 5),
            "denominator": "90",
            "confirm": "on",  # the figure is right, should it look surprising
            "surprise_reason": "Checked against the source",
            "commentary": f"Save number {number}",
            "version": "" if item.pk is None else str(item.version),
        }
        form = services.return_form(row, period, item, org, data)
        if not form.is_valid():
            raise SystemExit(f"the form refused save {number}: {form.errors.as_json()}")
        services.return_save(form=form, row=row, user=user, submit=False)
        print(f"saved {number}", flush=True)


def returns() -> dict[str, Any]:
    from kpiboard.web.collection.models import Return

    mismatches = []
    for item in Return.objects.order_by("pk"):
        latest = item.history.order_by("-history_date", "-history_id").first()
        current = {name: str(getattr(item, name)) for name in FIELDS}
        recorded = {name: str(getattr(latest, name)) for name in FIELDS} if latest else None
        if current != recorded:
            mismatches.append({"return": item.pk, "row": current, "history": recorded})
    commentaries = list(
        Return.objects.filter(commentary__startswith="Save number").values_list(
            "commentary", flat=True
        )
    )
    return {"returns": Return.objects.count(), "saved": commentaries, "mismatches": mismatches}


def publications() -> dict[str, Any]:
    from kpiboard.web.reporting import tasks
    from kpiboard.web.reporting.models import Publication, PublishedFile, ReportFile, ReportRun

    runs = {}
    for run in ReportRun.objects.order_by("pk"):
        runs[run.pk] = tasks.run_reconcile(run=run).state
    found = []
    for publication in Publication.objects.order_by("pk"):
        files = {}
        for item in PublishedFile.objects.filter(publication=publication):
            data = bytes(item.content)
            whole = item.size == len(data) > 0 and item.sha256 == hashlib.sha256(data).hexdigest()
            files[item.format] = whole
        found.append(
            {
                "pk": publication.pk,
                "run": publication.run_id,
                "current": publication.withdrawn_at is None,
                "files": files,
                "figures": publication.figures.count(),
            }
        )
    try:
        with transaction.atomic():
            connection.check_constraints()
        constraints = "ok"
    except Exception as error:  # what the check found is the test's to report
        constraints = f"{type(error).__name__}: {error}"
    return {
        "runs": runs,
        "publications": found,
        "report_files": sorted(ReportFile.objects.values_list("run_id", flat=True)),
        "constraints": constraints,
    }


def drop_request() -> dict[str, Any]:
    """Post a return as its owner; once its row is written (in the request's transaction), a
    second connection terminates the request's backend and the view carries on."""
    from unittest import mock

    import psycopg
    from django.test import Client

    from kpiboard.web.collection import services

    def terminate_own_backend() -> None:
        pid = connection.connection.info.backend_pid
        with psycopg.connect(_url(), autocommit=True) as other:
            other.execute("select pg_terminate_backend(%s)", (pid,))

    original = services.save_groups

    def save_groups(*args: Any, **kwargs: Any) -> Any:
        terminate_own_backend()
        return original(*args, **kwargs)

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="helen"))
    page = client.get("/returns/182/2024-10/")
    token = page.cookies["csrftoken"].value
    with mock.patch.object(services, "save_groups", save_groups):
        response = client.post(
            "/returns/182/2024-10/",
            {
                "csrfmiddlewaretoken": token,
                "version": "",
                "numerator": "77",
                "denominator": "90",
                "action": "save",
            },
        )
    close_old_connections()  # as a server does at a request's end (the test client does not)
    after = client.get("/returns/182/2024-10/")  # on a new connection: the site carries on
    return {
        "status": response.status_code,
        "body": response.content.decode(),
        "after": after.status_code,
    }


def queue_run(pk: str | None) -> dict[str, Any]:
    from kpiboard.web.reporting import services, tasks
    from kpiboard.web.reporting.models import ReportRun

    settled = None
    if pk is None:
        user = get_user_model().objects.get(username="performance")
        run = services.run_create(scope_text="committee:srp", period_text="2024/25 Q2", user=user)
    else:
        settled = worker_runs()  # reconciled first, as the run's page does
        run = ReportRun.objects.get(pk=int(pk))
    run = tasks.run_enqueue(run=run)
    return {"run": run.pk, "task": run.task_id, "state": run.state, "settled": settled}


def worker_runs() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from kpiboard.web.reporting import tasks
    from kpiboard.web.reporting.models import Publication, ReportFile, ReportRun

    runs = {}
    for run in ReportRun.objects.order_by("pk"):
        run = tasks.run_reconcile(run=run)
        files = {}
        for item in ReportFile.objects.filter(run=run):
            data = bytes(item.content)
            whole = item.size == len(data) > 0 and item.sha256 == hashlib.sha256(data).hexdigest()
            files[item.format] = whole
        runs[str(run.pk)] = {
            "state": run.state,
            "error": run.error,
            "progress_text": run.progress_text,
            "task": run.task_id,
            "files": files,
        }
    queue = {str(item.id): item.status for item in DBTaskResult.objects.order_by("enqueued_at")}
    try:
        with transaction.atomic():
            connection.check_constraints()
        constraints = "ok"
    except Exception as error:  # what the check found is the test's to report
        constraints = f"{type(error).__name__}: {error}"
    return {
        "runs": runs,
        "tasks": queue,
        "publications": Publication.objects.count(),
        "constraints": constraints,
    }


def _url() -> str:
    import os

    return os.environ["DATABASE_URL"]


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "save-loop":
        save_loop()
    elif mode == "queue-run":
        print(json.dumps(queue_run(sys.argv[2] if len(sys.argv) > 2 else None)))
    else:
        result = {
            "returns": returns,
            "publications": publications,
            "drop-request": drop_request,
            "worker-runs": worker_runs,
        }
        print(json.dumps(result[mode]()))
