"""Backups that restore (issue 16): ``kpiboard backup`` of a database in use, ``kpiboard restore``
into an empty one, and everything is back: every row, every published file's bytes, the same
``kpiboard evaluate`` of an export.

Each test makes real databases of its own (SQLite files in the suite's first pass, PostgreSQL
databases in its second) and runs the commands as a council's administrator would.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import pytest

from web.conftest import DEMO, on_postgresql
from web.test_import_crash import environment

# One worker runs the module (make test: --dist loadgroup), so its database is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("backup")]

Q2 = "2024/25 Q2"
DUMP = [
    "dumpdata",
    "--format",
    "kpijsonl",
    "--natural-foreign",
    "--exclude",
    "contenttypes",
    "--exclude",
    "auth.permission",
    "--exclude",
    "sessions",
]

NewDatabase = Callable[[], str]


def kpiboard(url: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A kpiboard command on the database at ``url``, as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", *args],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewDatabase]:
    """Make empty, migrated databases of the pass's kind; all removed after the module."""
    made: list[str] = []
    server = urlsplit(os.environ.get("DATABASE_URL", ""))
    folder = tmp_path_factory.mktemp("backup-databases")

    def make() -> str:
        if not on_postgresql():
            url = f"sqlite:///{folder / f'db{len(made)}.sqlite3'}"
        else:
            import psycopg

            name = f"kpiboard_backup_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(_maintenance(server), autocommit=True) as connection:
                connection.execute(f'create database "{name}"')
            url = server._replace(path=f"/{name}").geturl()
        made.append(url)
        done = kpiboard(url, "migrate", "-v", "0")
        assert done.returncode == 0, done.stderr
        return url

    yield make
    if on_postgresql():
        import psycopg

        with psycopg.connect(_maintenance(server), autocommit=True) as connection:
            for url in made:
                name = urlsplit(url).path.lstrip("/")
                connection.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def demo_source(new_database: NewDatabase) -> str:
    """One database with the demo council and a published report, shared by the tests."""
    url = new_database()
    _demo(url)
    return url


def _maintenance(server: SplitResult) -> str:
    return server._replace(path="/postgres").geturl()


def _demo(url: str) -> None:
    """The demo council, with a published report (its files are in the database)."""
    for args in (
        ("seed_demo", str(DEMO), "--force"),
        ("publish", "--committee", "srp", "--period", Q2, "--user", "performance"),
    ):
        done = kpiboard(url, *args)
        assert done.returncode == 0, done.stderr


def _run(url: str, *args: str) -> str:
    done = kpiboard(url, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


PUBLISHED = (
    "import django; django.setup(); import hashlib; "
    "from kpiboard.web.reporting.models import PublishedFile; "
    "[print(f.pk, f.name, hashlib.sha256(bytes(f.content)).hexdigest()) "
    "for f in PublishedFile.objects.order_by('pk')]"
)


def _published_files(url: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PUBLISHED],
        env=environment(url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.splitlines()


def test_a_backup_restores_every_row_and_every_published_byte(
    new_database: NewDatabase, demo_source: str, tmp_path: Path
) -> None:
    source, target = demo_source, new_database()
    backup = tmp_path / "kpiboard.zip"
    assert "rows of" in _run(source, "backup", str(backup))
    assert "Restored" in _run(target, "restore", str(backup))

    # Every row, to the microsecond and the byte: the two databases dump the same text.
    before, after = tmp_path / "before.kpijsonl", tmp_path / "after.kpijsonl"
    _run(source, *DUMP, "-o", str(before))
    _run(target, *DUMP, "-o", str(after))
    assert before.stat().st_size > 1_000_000  # the demo with a published pack, not nothing
    assert before.read_bytes() == after.read_bytes()

    files = _published_files(target)
    assert len(files) >= 4  # HTML, PDF, Word, Excel
    assert files == _published_files(source)

    # The register exported from each evaluates to the same JSON.
    for url, folder in ((source, tmp_path / "from-source"), (target, tmp_path / "from-target")):
        _run(url, "export", str(folder))
    one = _run(
        source, "evaluate", str(tmp_path / "from-source"), "--period", Q2, "--format", "json"
    )
    two = _run(
        target, "evaluate", str(tmp_path / "from-target"), "--period", Q2, "--format", "json"
    )
    assert one == two


def test_a_restore_refuses_a_database_in_use_and_a_damaged_file(
    new_database: NewDatabase, demo_source: str, tmp_path: Path
) -> None:
    source = demo_source
    backup = tmp_path / "kpiboard.zip"
    _run(source, "backup", str(backup))
    again = kpiboard(source, "restore", str(backup))
    assert again.returncode != 0
    assert "Restore into an empty database" in again.stderr

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(backup) as old, zipfile.ZipFile(damaged, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(
                name, data.replace(b"Helen", b"Hxlen", 1) if name.startswith("data") else data
            )
    refused = kpiboard(new_database(), "restore", str(damaged))
    assert refused.returncode != 0
    assert "does not match its manifest" in refused.stderr

    exists = kpiboard(source, "backup", str(backup))
    assert exists.returncode != 0
    assert "never overwrites" in exists.stderr


WRITER = """
import django, sys, time
django.setup()
from django.db import transaction
from kpiboard.web.collection.models import Return
ids = list(Return.objects.order_by("pk").values_list("pk", flat=True)[:40])
n = 0
while True:
    with transaction.atomic():
        item = Return.objects.select_for_update().get(pk=ids[n % len(ids)])
        item.commentary = f"edit {n}"
        item.save()
    n += 1
    if n == 1:
        print("writing", flush=True)
"""

CONSISTENT = """
import django; django.setup()
from kpiboard.web.collection.models import Return
bad = [r.pk for r in Return.objects.all() if r.history.latest().commentary != r.commentary]
print(len(bad), Return.history.count())
"""


def test_a_backup_of_a_busy_database_is_one_moment(
    new_database: NewDatabase, demo_source: str, tmp_path: Path
) -> None:
    """While a process saves returns (each save and its history row in one transaction), the
    backup restores to a state where every return equals its latest history row."""
    source, target = demo_source, new_database()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        env=environment(source),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(0.5)
        backup = tmp_path / "busy.zip"
        _run(source, "backup", str(backup))
        assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
    finally:
        writer.kill()
        writer.wait()
    _run(target, "restore", str(backup))
    done = subprocess.run(
        [sys.executable, "-c", CONSISTENT],
        env=environment(target),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    mismatched, history = (int(n) for n in done.stdout.split())
    assert mismatched == 0
    with zipfile.ZipFile(backup) as archive:
        manifest = archive.read("manifest.json").decode()
    assert f'"collection.historicalreturn": {history}' in manifest
    assert hashlib.sha256(backup.read_bytes()).hexdigest()  # the file is readable whole
