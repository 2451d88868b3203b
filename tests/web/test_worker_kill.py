"""Faults survived (issue 16): ``kill -9`` of the background worker (``kpiboard db_worker``,
django-tasks' database backend) while it generates a report pack.

The worker runs in a process of its own, in a session of its own (so its chart processes share
its process group), against a database of the test's own (SQLite in the suite's first pass,
PostgreSQL in the second: see test_import_crash.py). It is killed at moments drawn with a fixed
seed: once as soon as it has taken the task (before the run has said it started), then at a
random percentage of the pack. After each kill:

- no process of the worker's group is left (its chart processes exit with it);
- once a worker is running again, reconciling the runs (what the run's page does) marks the run
  failed with a message saying the generation stopped, and the queue's record of the task failed:
  nothing says "running" that nothing runs;
- no run but a generated one holds files, and nothing is published.

Then the same run is generated again by the restarted worker: whole, its four files stored, and
the killed workers' scratch folders swept.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from web.test_import_crash import database_url, environment
from web.test_kill_points import FORMATS, SCRIPT, seeded

__all__ = ["database_url", "seeded"]  # the fixtures

pytestmark = [
    pytest.mark.usefixtures("charts_drawn"),  # killed while drawing: every chart is drawn
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc"),
]

SEED = 16
#: Seconds a run may go without a word before it counts as stopped, for the reconciling process
#: (production's default is 300): a run claimed by a worker that was killed before the run's
#: first step has no process recorded, so only this silence tells.
STALLED_SECONDS = 2
STOPPED = "stopped before it finished"
WORKER_OPTIONS = ("--no-reload", "--no-startup-delay", "--interval", "0.2")


def _env(url: str, scratch: Path) -> dict[str, str]:
    return {
        **environment(url),
        "TMPDIR": str(scratch),
        "KPIBOARD_REPORT_STALLED_SECONDS": str(STALLED_SECONDS),
    }


def _script(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@contextmanager
def _worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``kpiboard db_worker`` in a session of its own; stopped (SIGTERM) at the end if alive."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kpiboard.cli", "db_worker", *WORKER_OPTIONS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _gone(process.pid)


def _group(group: int) -> list[int]:
    """The live processes (not zombies) of a process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # state, ppid, pgrp
            found.append(int(entry.name))
    return found


def _gone(group: int, seconds: float = 5.0) -> None:
    """Every process of the group ends within ``seconds`` (chart processes look for their
    parent every half second)."""
    deadline = time.monotonic() + seconds
    while (left := _group(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], f"processes outlived the killed worker: {left}"


def _row(url: str, run: int) -> dict[str, Any]:
    """The run's state and progress, and its task's status, read straight from the database."""
    runs = "select state, progress, task_id from reporting_reportrun where id = "
    tasks = "select status from django_tasks_database_dbtaskresult where id = "
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)) as db:
            state, progress, task = db.execute(runs + "?", (run,)).fetchone()
            # SQLite keeps a UUID as its 32 hexadecimal digits
            status = db.execute(tasks + "?", (uuid.UUID(task).hex,)).fetchone() if task else None
    else:
        import psycopg

        with psycopg.connect(url) as db:
            state, progress, task = db.execute(runs + "%s", (run,)).fetchone()  # type: ignore[misc]
            status = db.execute(tasks + "%s", (task,)).fetchone() if task else None
    return {"state": state, "progress": progress, "task": status[0] if status else None}


def _wait(url: str, run: int, ready: Any, what: str, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = _row(url, run)
        if ready(row):
            return row
        time.sleep(0.02)
    pytest.fail(f"run {run} never {what}: {row}")


@contextmanager
def _first_step_held(url: str) -> Iterator[Any]:
    """PostgreSQL: hold the runs' table against writes (reads go on), so a worker that has taken
    the task waits to record the run's first step; yields whether one waits. SQLite has no
    such lock (any write lock would stop the worker taking the task): there the kill comes as
    soon as the task is seen taken, before or just after the first step."""
    if url.startswith("sqlite"):
        yield lambda: True
        return
    import psycopg

    with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as watcher:
        holder.execute("lock table reporting_reportrun in share mode")

        def waiting() -> bool:
            found = watcher.execute(
                "select count(*) from pg_locks where not granted "
                "and relation = 'reporting_reportrun'::regclass"
            ).fetchone()
            return bool(found and found[0])

        try:
            yield waiting
        finally:
            holder.rollback()


def _silence(killed_at: float) -> None:
    """Wait until the killed worker has been silent for longer than STALLED_SECONDS."""
    time.sleep(max(0.0, killed_at + STALLED_SECONDS + 0.5 - time.monotonic()))


def _assert_settled(found: dict[str, Any], run: str) -> None:
    """The killed run failed with the message, its task failed, nothing stray."""
    assert found["constraints"] == "ok"
    assert found["publications"] == 0
    state = found["runs"][run]
    assert state["state"] == "failed", state
    assert STOPPED in state["error"], state
    assert "Generate the pack again" in state["error"]
    assert state["files"] == {}, state  # a run that did not finish holds no files
    assert "RUNNING" not in found["tasks"].values(), found["tasks"]
    assert found["tasks"][state["task"]] == "FAILED"


def test_a_worker_killed_mid_run_leaves_no_process_and_the_run_failed_then_generated(
    seeded: str, tmp_path: Path
) -> None:
    url = seeded
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = _env(url, scratch)
    rng = random.Random(SEED)
    # As soon as the task is taken, then at a random percentage while charts are drawn (the
    # chart processes running): from 15% to 36% for the web page, from 50% to 77% for print
    # (progress.py: the charts are the first 60% of each pass).
    start, end = rng.choice([(16, 34), (51, 75)])
    targets = [None, rng.randint(start, end)]
    run = _script(env, "queue-run")["run"]
    killed_with_charts = 0
    killed_at = time.monotonic()
    for number, target in enumerate(targets):
        with ExitStack() as stack:
            # the first kill: the runs' table held before the worker starts
            held = stack.enter_context(_first_step_held(url)) if target is None else None
            worker = stack.enter_context(_worker(env))
            if number:
                _silence(killed_at)
                _assert_settled(_script(env, "queue-run", str(run))["settled"], str(run))
            if held is not None:
                row = _wait(url, run, lambda r, h=held: r["task"] == "RUNNING" and h(), "was taken")
            else:
                row = _wait(
                    url,
                    run,
                    lambda r, t=target: r["state"] == "running" and r["progress"] >= t,
                    f"reached {target}%",
                )
            children = [pid for pid in _group(worker.pid) if pid != worker.pid]
            os.kill(worker.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            worker.wait(timeout=30)
            assert worker.returncode == -signal.SIGKILL
            _gone(worker.pid)
            if target is None and not url.startswith("sqlite"):
                assert row["state"] == "queued", row  # killed before the run's first step
            killed_with_charts += bool(children)
            assert _row(url, run)["state"] in {"queued", "running"}  # as the kill left it
    assert killed_with_charts >= 1  # the kill mid-pack found chart processes, and they ended

    with _worker(env):
        _silence(killed_at)
        _assert_settled(_script(env, "queue-run", str(run))["settled"], str(run))
        _wait(url, run, lambda r: r["state"] in {"generated", "failed"}, "finished", 180)
        found = _script(env, "worker-runs")
    state = found["runs"][str(run)]
    assert state["state"] == "generated", state
    assert state["files"] == dict.fromkeys(FORMATS, True)
    assert found["tasks"][state["task"]] == "SUCCESSFUL"
    assert "RUNNING" not in found["tasks"].values()
    assert found["publications"] == 0
    assert found["constraints"] == "ok"
    # the killed workers' scratch folders were swept by the worker that generated the pack
    assert sorted(path.name for path in scratch.glob("kpiboard-*")) == []


@pytest.mark.django_db
def test_a_queued_run_whose_task_was_taken_and_went_silent_is_failed(settings: Any) -> None:
    """The moment the kill above hits on PostgreSQL, made directly (on either database): a worker
    took the task and was killed before the run's first step. Only silence tells, as no process
    is recorded: within the limit the run waits, after it the run and its task are failed."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from kpiboard.web.reporting import services, tasks
    from kpiboard.web.reporting.models import RunState

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KPIBOARD_REPORT_STALLED_SECONDS = 60
    user = get_user_model().objects.get(username="perf")
    run = services.run_create(scope_text="committee:srp", period_text="2024/25 Q2", user=user)
    run = tasks.run_enqueue(run=run)
    assert run.state == RunState.QUEUED
    taken = DBTaskResult.objects.filter(id=run.task_id)
    taken.update(status="RUNNING", started_at=timezone.now() - dt.timedelta(seconds=50))
    assert tasks.run_reconcile(run=run).state == RunState.QUEUED  # 50 s: still waiting
    taken.update(started_at=timezone.now() - dt.timedelta(seconds=70))
    run = tasks.run_reconcile(run=run)
    assert run.state == RunState.FAILED
    assert STOPPED in run.error
    assert taken.get().status == "FAILED"
    assert tasks.run_enqueue(run=run).state == RunState.QUEUED  # and it can be generated again
