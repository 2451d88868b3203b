"""An import killed at any moment leaves the database wholly as it was or wholly as the import
makes it, and the next import succeeds.

``kpiboard import`` runs in a process of its own against a database of the test's own (a SQLite
file; a PostgreSQL database created and dropped here when DATABASE_URL names PostgreSQL), not
pytest-django's test database. It is killed with SIGKILL, which nothing can catch (as the kernel's
out-of-memory killer or a power cut would stop it), at moments drawn with a fixed seed: a while
after it starts (reading, planning or writing), and a little after a line it prints as it writes
(the organisation, the indicators, their targets, the returns, the neighbour values, ... all in one
transaction), and last once it says the import is complete (committed, not yet exited).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from web.conftest import DEMO, on_postgresql

ROOT = Path(__file__).resolve().parents[2]
# The generated data: 60 indicators of 60 months (61 returns each, the 60 months and one with
# commentary only: 3,660), 10 neighbours over 20 quarters (200 values each: 12,000); about a
# second and a half of writing on an idle machine.
INDICATORS, MONTHS, NEIGHBOURS = 60, 60, 10
SEED = 16
#: Lines ``kpiboard import`` prints inside its transaction, as it writes (register/apply.py).
WRITING = (
    "organisation applied",
    "indicators applied",
    "targets applied",
    "new returns applied",
    "neighbour values applied",
    "report narratives applied",
    "strategic indicator proposals applied",  # the last before the commit
)

pytestmark = pytest.mark.slow

Snapshot = dict[str, tuple[int, str]]


def kpiboard(url: str, *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", *args],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )


def environment(url: str) -> dict[str, str]:
    """The test suite's settings (production ones over plain HTTP) for a command's process."""
    paths = [str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "web_settings",
        "PYTHONPATH": os.pathsep.join(path for path in paths if path),
        "DATABASE_URL": url,
    }


# The database the suite runs on: SQLite in the first pass of `make test`, PostgreSQL in the
# second (a test that skipped here would hide a database that is not there).
@pytest.fixture(params=["postgresql" if on_postgresql() else "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database with the schema, of the test's own, removed afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        _migrate(url)
        yield url
        return
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    maintenance = server._replace(path="/postgres").geturl()
    name = f"kpiboard_crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'create database "{name}"')
    try:
        url = server._replace(path=f"/{name}").geturl()
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'drop database if exists "{name}" with (force)')


def _migrate(url: str) -> None:
    done = kpiboard(url, "migrate", "-v", "0")
    assert done.returncode == 0, done.stderr


def snapshot(url: str) -> Snapshot:
    """Every table's row count and a checksum of its rows (in any order)."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "select name from sqlite_master where type = 'table' "
                    "and name not like 'sqlite_%'"
                )
            ]
            return {name: _digest(connection.execute(f'select * from "{name}"')) for name in names}
    import psycopg

    settle(url)
    with psycopg.connect(url, autocommit=True) as connection:
        # every table as of one moment (read committed would read each as of its own)
        connection.execute(
            "set session characteristics as transaction isolation level serializable"
        )
        with connection.transaction():
            names = [
                row[0]
                for row in connection.execute(
                    "select tablename from pg_tables where schemaname = 'public'"
                )
            ]
            return {name: _digest(connection.execute(f'select * from "{name}"')) for name in names}


def settle(url: str) -> None:
    """PostgreSQL: wait until no other connection is open on the database. A process killed just
    after it sent COMMIT has its transaction committed by the server afterwards: until its server
    process ends, what is read may be from before that commit or after it."""
    if url.startswith("sqlite"):
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        deadline = time.monotonic() + 60
        while connection.execute(
            "select count(*) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "a killed process's connection stayed open"
            time.sleep(0.05)


def _digest(rows: Any) -> tuple[int, str]:
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def killed_import(url: str, source: Path, after: str, delay: float) -> tuple[list[str], int]:
    """Run ``kpiboard import source``; SIGKILL it ``delay`` seconds after it prints a line ending
    with ``after`` (or after it starts, if ``after`` is empty). The lines it printed and its exit
    status (0 if it finished before the kill came)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kpiboard.cli", "import", str(source)],
        env=environment(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # never hang the suite
    watchdog.start()
    timer = threading.Timer(delay, process.kill)
    if not after:
        timer.start()
    printed = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            printed.append(line.strip())
            if after and printed[-1].endswith(after):
                timer.start()
                break
        process.wait(timeout=60)
    finally:
        watchdog.cancel()
        timer.cancel()
    assert process.returncode in {-signal.SIGKILL, 0}, printed
    return printed, process.returncode


def moments(rng: random.Random) -> list[tuple[str, float]]:
    """Where imports are killed: as soon as it prints the first line from inside its transaction
    (always before the commit: the indicators, returns and neighbour values are still to write),
    a random while after starting (reading, planning or writing), a little after two lines printed
    while writing (chosen at random), and once the import is committed. Any of the random moments
    may come after the commit on a fast machine: the data must then be wholly the new."""
    return [
        (WRITING[0], 0.0),
        ("", rng.uniform(0.5, 3.0)),
        *((rng.choice(WRITING), rng.uniform(0.0, 0.3)) for _ in range(2)),
        ("import complete", 0.0),
    ]


def test_imports_killed_at_random_moments_leave_the_old_data_or_the_new(
    database_url: str, tmp_path: Path
) -> None:
    loaded = kpiboard(database_url, "import", str(DEMO))
    assert loaded.returncode == 0, loaded.stderr
    source = tmp_path / "generated"
    subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(source)),
            *("--indicators", str(INDICATORS), "--months", str(MONTHS)),
            *("--neighbours", str(NEIGHBOURS)),
        ],
        check=True,
        timeout=60,
    )
    before = snapshot(database_url)
    counts = {name: count for name, (count, _) in before.items()}
    added = {
        "register_indicator": INDICATORS,
        "register_historicalindicator": INDICATORS,
        "collection_return": INDICATORS * (MONTHS + 1),
        "collection_historicalreturn": INDICATORS * (MONTHS + 1),
        "register_neighbourvalue": INDICATORS * NEIGHBOURS * MONTHS // 3,
    }

    outcomes = []
    for after, delay in moments(random.Random(SEED)):
        printed, status = killed_import(database_url, source, after, delay)
        now = snapshot(database_url)
        if now == before:
            assert status == -signal.SIGKILL
            assert "import complete" not in printed
            outcomes.append("old")
            continue
        # Not the old data: wholly the new, every table's rows as a complete import leaves them
        for table, count in added.items():
            assert now[table][0] == counts[table] + count, (after, delay, table)
        outcomes.append("new")
        break
    assert outcomes[0] == "old"  # the first moment comes before the commit
    assert outcomes[-1] == "new"  # and the last after it

    # A second import succeeds and finds every indicator, figure and neighbour value there
    # already (the demo's committees and directorates, kept beside the generated ones, make the
    # organisation's settings differ from the folder's each time: those it applies again).
    again = kpiboard(database_url, "import", str(source))
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Changed: 3 organisation settings.\n"
    final = snapshot(database_url)
    for table in added:
        assert final[table] == now[table], table
