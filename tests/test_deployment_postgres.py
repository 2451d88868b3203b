"""The admin guide's PostgreSQL set-up and restore, done as written (docs/admin-guide.md,
"Deploying securely"; ASVS 1.2.2, 7.3.3, 14.1.4), on the PostgreSQL at 127.0.0.1:5432:

- the owner role migrates; the app role, with the guide's grants, runs kpiboard (an import of the
  demo council) but cannot create or alter a table, nor delete the audit log;
- a backup (``pg_dump -Fc``) restored into an empty database with the guide's ``pg_restore``
  exports exactly what the original exports.

The SQL is read from the guide itself, so the guide cannot drift from what is tested.
"""

from __future__ import annotations

import filecmp
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

# One worker runs the module (make test: --dist loadgroup), so its database is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deployment_postgres")]

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "admin-guide.md"
DEMO = ROOT / "examples" / "demo-council"
SERVER: dict[str, Any] = {"host": "127.0.0.1", "port": 5432}


def _superuser(dbname: str = "postgres") -> Any:
    return psycopg.connect(user="postgres", dbname=dbname, autocommit=True, **SERVER)


@pytest.fixture(scope="module")
def reachable() -> None:
    try:
        _superuser().close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 ({error})")


def _guide_sql() -> tuple[str, str]:
    """The guide's role and grant SQL, split at its ``\\c kpiboard``: what runs connected to the
    server, and what runs in the new database."""
    text = GUIDE.read_text()
    section = text[text.index("### Least privilege in PostgreSQL") :]
    block = re.search(r"```sql\n(.*?)```", section, re.S)
    assert block, "the guide's SQL block"
    server, database = block.group(1).split("\\c kpiboard\n")
    return server, database


def _guide_revoke() -> str:
    text = GUIDE.read_text()
    found = re.search(r"psql -U kpiboard_owner -d kpiboard -c '([^']+)'", text)
    assert found, "the guide's REVOKE on the audit table"
    return found.group(1)


class Names:
    """Fresh names for the run: roles are the server's, not a database's."""

    def __init__(self) -> None:
        tag = secrets.token_hex(4)
        self.owner, self.app = f"kpiboard_owner_{tag}", f"kpiboard_app_{tag}"
        self.database, self.restored = f"kpiboard_{tag}", f"kpiboard_restored_{tag}"

    def sql(self, text: str, database: str | None = None) -> str:
        text = text.replace("kpiboard_owner", self.owner).replace("kpiboard_app", self.app)
        text = re.sub(r"\bDATABASE kpiboard\b", f"DATABASE {database or self.database}", text)
        return text.replace("'...'", f"'{secrets.token_urlsafe(16)}'")

    def url(self, role: str, database: str | None = None) -> str:
        return f"postgres://{role}@127.0.0.1:5432/{database or self.database}"


@pytest.fixture(scope="module")
def names(reachable: None) -> Iterator[Names]:
    made = Names()
    yield made
    with _superuser() as connection:
        for database in (made.database, made.restored):
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in (made.owner, made.app):
            connection.execute(f'DROP ROLE IF EXISTS "{role}"')


def _kpiboard(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "kpiboard-test-suite-only",
        "DJANGO_SETTINGS_MODULE": "kpiboard.web.settings",
    }
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def _as(names: Names, role: str, database: str | None = None) -> Any:
    return psycopg.connect(user=role, dbname=database or names.database, autocommit=True, **SERVER)


@pytest.fixture(scope="module")
def deployed(names: Names, tmp_path_factory: pytest.TempPathFactory) -> Names:
    """The guide's roles and grants, migrated by the owner, the demo imported by the app."""
    server_sql, database_sql = _guide_sql()
    with _superuser() as connection:
        for statement in _statements(names.sql(server_sql)):
            connection.execute(statement)
    with _superuser(names.database) as connection:
        for statement in _statements(names.sql(database_sql)):
            connection.execute(statement)
    migrated = _kpiboard(names.url(names.owner), "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    with _as(names, names.owner) as connection:
        connection.execute(names.sql(_guide_revoke()))
    imported = _kpiboard(names.url(names.app), "import", str(DEMO))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return names


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def test_the_app_role_serves_but_cannot_change_tables_or_delete_the_audit_log(
    deployed: Names,
) -> None:
    names = deployed
    with _as(names, names.app) as connection:
        count = connection.execute("SELECT count(*) FROM register_indicator").fetchone()
        assert count is not None
        assert count[0] > 0  # the app's import wrote the register
        connection.execute(
            "INSERT INTO audit_auditevent (at, actor_name, action, target, detail) "
            "VALUES (now(), 'test', 'sign_in', 'user test', '')"
        )
        refused = [
            "CREATE TABLE kpiboard_extra (id int)",
            "ALTER TABLE register_indicator ADD COLUMN extra int",
            "DROP TABLE register_indicator",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)
    assert _kpiboard(names.url(names.app), "prune_audit").returncode != 0
    pruned = _kpiboard(names.url(names.owner), "prune_audit")
    assert pruned.returncode == 0, pruned.stderr


def test_a_backup_restored_as_the_guide_says_exports_the_same(
    deployed: Names, tmp_path: Path
) -> None:
    names = deployed
    dump = tmp_path / "kpiboard.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-h", "127.0.0.1", "-U", names.owner, "-d", names.database,
         "-f", str(dump)],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "-O", names.owner, names.restored],
        check=True, capture_output=True,
    )  # fmt: skip
    restored = subprocess.run(
        ["pg_restore", "--no-owner", f"--role={names.owner}", "-h", "127.0.0.1", "-U",
         names.owner, "-d", names.restored, str(dump)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    migrated = _kpiboard(names.url(names.owner, names.restored), "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    exports = {}
    for database in (names.database, names.restored):
        folder = tmp_path / database
        run = _kpiboard(names.url(names.app, database), "export", str(folder))
        assert run.returncode == 0, run.stderr
        exports[database] = folder
    compared = filecmp.dircmp(exports[names.database], exports[names.restored])
    assert compared.left_list == compared.right_list
    assert "indicators.csv" in compared.left_list
    _, mismatch, errors = filecmp.cmpfiles(
        exports[names.database],
        exports[names.restored],
        [name for name in compared.left_list if (exports[names.database] / name).is_file()],
        shallow=False,
    )
    assert (mismatch, errors) == ([], [])
    # The app role can still read and not delete the audit log in the restored database.
    with _as(names, names.app, names.restored) as connection:
        connection.execute("SELECT count(*) FROM audit_auditevent")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("DELETE FROM audit_auditevent")
