"""Faults survived (issue 16): ``kill -9`` of ``kpiboard publish`` and of a process saving
returns, and a database connection dropped by the server in the middle of a request.

Each test has a database of its own (a SQLite file in the suite's first pass, a PostgreSQL
database in the second: see test_import_crash.py) with the demo council seeded by
``kpiboard seed_demo``; the killed processes and the checks afterwards run in processes of their
own (kill_points_script.py). SIGKILL is what nothing can catch: the out-of-memory killer, a
power cut, a container stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from web.conftest import DEMO, on_postgresql
from web.test_import_crash import database_url, environment, kpiboard, settle

__all__ = ["database_url"]  # the fixture, shared with the import's kill test

# The charts come from the suite's chart store once drawn: kills while they are drawn, and the
# chart workers' ends, are test_worker_kill.py's and reports/test_chart_workers_die.py's.
pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("kill_points_script.py")
Q2 = "2024/25 Q2"
PUBLISH = ("publish", "--committee", "srp", "--period", Q2, "--user", "performance")
FORMATS = {"html", "pdf", "docx", "xlsx"}  # a pack: web page, PDF, Word and Excel (README.md)

#: Where publish is killed: once it has printed the progress line starting with the first text,
#: and then the seconds after it. These lines are always printed (those between, such as "52%
#: Drawing the charts for print: card 1 of 13", at most twice a second). In the order they come,
#: the last ones racing the publication's own transaction.
KILL_POINTS = (
    ("  5%  Reading the approved figures", 0.0),
    (" 15%  Drawing the charts and writing the web page", 0.5),
    (" 50%  Drawing the charts for print", 1.0),
    (" 95%  Storing the files", 0.0),
    ("100%  The pack is ready", 0.0),
    ("100%  The pack is ready", 0.05),
)


@pytest.fixture
def seeded(database_url: str) -> str:
    done = kpiboard(database_url, "seed_demo", str(DEMO), "--force")
    assert done.returncode == 0, done.stderr
    return database_url


def script(url: str, mode: str) -> Any:
    settle(url)  # a killed process's last transaction, if it sent COMMIT, is committed first
    done = subprocess.run(
        [sys.executable, str(SCRIPT), mode],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def killed(
    url: str, args: list[str], when: str, delay: float, *, stream: str
) -> tuple[list[str], int]:
    """Start ``args``, SIGKILL it ``delay`` seconds after it prints a line starting ``when`` on
    ``stream``; the lines it printed there and its exit status (0 if it had finished first: on
    a loaded machine it can run ahead of the lines read here)."""
    process = subprocess.Popen(
        args,
        env=environment(url),
        stdout=subprocess.PIPE if stream == "stdout" else subprocess.DEVNULL,
        stderr=subprocess.PIPE if stream == "stderr" else subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # never hang the suite
    watchdog.start()
    printed = []
    try:
        lines = process.stdout if stream == "stdout" else process.stderr
        assert lines is not None
        for line in lines:
            printed.append(line.rstrip("\n"))
            if printed[-1].startswith(when):
                time.sleep(delay)
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        watchdog.cancel()
    assert process.returncode in {-signal.SIGKILL, 0}, (when, delay, process.returncode, printed)
    return printed, process.returncode


def assert_whole(state: dict[str, Any]) -> None:
    """Publications whole, runs settled, the database's constraints kept."""
    assert state["constraints"] == "ok"
    for publication in state["publications"]:
        assert publication["files"] == dict.fromkeys(FORMATS, True), publication
        assert publication["figures"] > 0, publication
        assert state["runs"][str(publication["run"])] == "published", state["runs"]
    published = {str(item["run"]) for item in state["publications"]}
    for run, run_state in state["runs"].items():
        assert run_state in {"failed", "generated", "published"}, state["runs"]
        assert (run_state == "published") == (run in published), state["runs"]
    assert not set(map(str, state["report_files"])) & published  # one copy, the publication's


def killed_inside_the_publication(url: str) -> None:
    """PostgreSQL: kill publish while its transaction has written the publication's row and
    waits to write its files (another connection holds the files' table locked), so the kill
    lands inside that transaction, not only before or after it."""
    import psycopg

    with psycopg.connect(url) as locker:
        locker.execute("lock table reporting_publishedfile in access exclusive mode")
        process = subprocess.Popen(
            [sys.executable, "-m", "kpiboard.cli", *PUBLISH],
            env=environment(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with psycopg.connect(url, autocommit=True) as watcher:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and process.poll() is None:
                    waiting = watcher.execute(
                        "select count(*) from pg_locks where not granted "
                        "and relation = 'reporting_publishedfile'::regclass"
                    ).fetchone()
                    if waiting and waiting[0]:
                        break
                    time.sleep(0.05)
                else:
                    pytest.fail("publish never waited for the published files' table")
                # its transaction has inserted the publication (the lock an insert takes)
                writing = watcher.execute(
                    "select count(*) from pg_locks where granted and mode = 'RowExclusiveLock' "
                    "and relation = 'reporting_publication'::regclass"
                ).fetchone()
                assert writing == (1,)
        finally:
            process.kill()
            process.wait(timeout=60)
        locker.rollback()
    assert process.returncode == -signal.SIGKILL


def test_publish_killed_at_each_point_leaves_a_whole_publication_or_none(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = seeded
    scratch = tmp_path / "scratch"  # the temporary folder of every process started here
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    outcomes, kills = [], 0
    if on_postgresql():
        killed_inside_the_publication(url)
        state = script(url, "publications")
        assert_whole(state)
        assert state["publications"] == []  # the row it had written went with its transaction
        outcomes.append(0)
    for when, delay in KILL_POINTS:
        command = [sys.executable, "-m", "kpiboard.cli", *PUBLISH]
        printed, status = killed(url, command, when, delay, stream="stderr")
        assert any(line.startswith(when) for line in printed)
        kills += status == -signal.SIGKILL
        state = script(url, "publications")
        assert_whole(state)
        outcomes.append(len(state["publications"]))
        if status == 0:  # it finished before the kill came
            assert outcomes[-1] == 1
        if outcomes[-1]:
            break  # published before the kill: whole, and nothing more to publish
    assert outcomes[:-1] == [0] * (len(outcomes) - 1)  # killed before 100%: nothing published
    assert kills >= 1

    again = kpiboard(url, *PUBLISH)
    state = script(url, "publications")
    assert_whole(state)
    if outcomes[-1]:
        assert again.returncode == 2, again.stderr
        assert "is already published" in again.stderr
    else:
        assert again.returncode == 0, again.stderr
        assert "Published Strategy, Resources and Performance Committee" in again.stdout
    assert len(state["publications"]) == 1
    # the killed processes' scratch folders (their packs' files) were swept by the next one
    assert sorted(path.name for path in scratch.glob("kpiboard-*")) == []
    # a run for each kill, and one for the last publish unless it was refused (a refused publish
    # asks before it generates and removes the draft it made), every one settled
    assert len(state["runs"]) == len(outcomes) + (0 if outcomes[-1] else 1)


def test_returns_killed_while_saving_equal_their_latest_history(seeded: str) -> None:
    url = seeded
    command = [sys.executable, str(SCRIPT), "save-loop"]
    for number, delay in enumerate((0.0, 0.013, 0.031, 0.047, 0.071, 0.11, 0.23), start=1):
        # after the first save line (so the loop is saving), a little later each time
        printed, status = killed(url, command, "saved 1", delay + 0.001 * number, stream="stdout")
        assert status == -signal.SIGKILL
        assert printed[0] == "saved 1"
        state = script(url, "returns")
        assert state["mismatches"] == [], state["mismatches"]
        assert state["saved"], "no save was committed before the kill"
    state = script(url, "returns")
    assert state["mismatches"] == []


@pytest.mark.skipif(
    not on_postgresql(),
    reason="pg_terminate_backend is PostgreSQL's: SQLite has no server to drop a connection",
)
def test_a_connection_dropped_mid_request_is_a_clear_503_and_saves_nothing(seeded: str) -> None:
    url = seeded
    before = script(url, "returns")
    answer = script(url, "drop-request")
    assert answer["status"] == 503
    body = answer["body"]
    assert "govuk-heading-l" in body
    assert "kpiboard.css" in body
    assert "lost its connection to the database" in body
    assert "Nothing you sent was saved" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert answer["after"] == 200  # the next request has a connection again
    after = script(url, "returns")
    assert after == before
    assert after["mismatches"] == []
