"""An import killed half-way leaves the database as it was, and the next import succeeds.

``kpiboard import`` runs in a process of its own against a database of the test's own (a SQLite
file; a PostgreSQL database created and dropped here when DATABASE_URL names PostgreSQL), not
pytest-django's test database. It is killed with SIGKILL, which nothing can catch (as the kernel's
out-of-memory killer or a power cut would stop it), once it says it has applied its first 20,000
new returns: the organisation, the indicators and their targets are written by then, in the one
transaction that the kill leaves unfinished.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from web.conftest import DEMO, on_postgresql

ROOT = Path(__file__).resolve().parents[2]
INDICATORS = 200  # x 121 returns: 24,200 new returns, applied 20,000 at a time
KILL_AFTER = "20000 of 24200 new returns applied"

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

    with psycopg.connect(url) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select tablename from pg_tables where schemaname = 'public'"
            )
        ]
        return {name: _digest(connection.execute(f'select * from "{name}"')) for name in names}


def _digest(rows: Any) -> tuple[int, str]:
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def killed_import(url: str, source: Path) -> list[str]:
    """Run ``kpiboard import source``, SIGKILL it after KILL_AFTER; the lines it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kpiboard.cli", "import", str(source)],
        env=environment(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)  # never hang the suite
    watchdog.start()
    printed = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            printed.append(line.strip())
            if printed[-1] == KILL_AFTER:
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        watchdog.cancel()
    assert process.returncode == -signal.SIGKILL, printed
    return printed


def test_an_import_killed_half_way_changes_nothing_and_the_next_one_succeeds(
    database_url: str, tmp_path: Path
) -> None:
    loaded = kpiboard(database_url, "import", str(DEMO))
    assert loaded.returncode == 0, loaded.stderr
    source = tmp_path / "generated"
    subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(source)),
            *("--indicators", str(INDICATORS), "--months", "120", "--neighbours", "15"),
        ],
        check=True,
        timeout=60,
    )
    before = snapshot(database_url)

    printed = killed_import(database_url, source)

    assert "200 indicators applied" in printed
    assert "import complete" not in printed
    after = snapshot(database_url)
    assert {name: count for name, (count, _) in after.items()} == {
        name: count for name, (count, _) in before.items()
    }
    assert after == before

    again = kpiboard(database_url, "import", str(source))
    assert again.returncode == 0, again.stderr
    assert "import complete" in again.stderr.splitlines()
    imported = snapshot(database_url)
    for table, added in (
        ("register_indicator", INDICATORS),
        ("register_historicalindicator", INDICATORS),
        ("collection_return", INDICATORS * 121),
        ("collection_historicalreturn", INDICATORS * 121),
        ("register_neighbourvalue", INDICATORS * 15 * 40),
    ):
        assert imported[table][0] == before[table][0] + added, table
