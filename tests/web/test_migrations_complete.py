"""Every model change has its migration: a database migrated from the files is the database
the code expects (a help text changed without one went unnoticed from issue 15 to 16)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.once
def test_no_model_change_lacks_a_migration(db: object) -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as stopped:
        pytest.fail(f"makemigrations --check exited {stopped.code}: {out.getvalue()}")
