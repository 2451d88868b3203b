"""The web app's tests: the demo council loaded once per test database, and one account per role.

Tests that use ``db`` run inside a transaction that is rolled back, so each sees the demo council
as loaded. Browser tests need a live server (``transactional_db``); they load it themselves.
Set ``DATABASE_URL`` to run the same tests on PostgreSQL (``make test`` does both).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from kpiboard.web.accounts import roles
from kpiboard.web.api.models import ApiToken
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.models import Indicator
from kpiboard.web.register.transfer import plan_import, read_source

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-council"
OWNER_EMAIL = "helen.ashworth@example.gov.uk"  # owns 182, 183 and 184 in the demo register
PASSWORD = "correct horse battery staple 42"


def load_demo() -> None:
    apply_plan(plan_import(read_source(DEMO), str(DEMO)), None)


def make_user(username: str, role: str | None, email: str = "") -> Any:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=email or f"{username}@example.gov.uk"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_people() -> dict[str, Any]:
    return {
        "administrator": make_user("admin", roles.ADMINISTRATOR),
        "performance": make_user("perf", roles.PERFORMANCE),
        "owner": make_user("helen", roles.OWNER, OWNER_EMAIL),
        "other_owner": make_user("mark", roles.OWNER, "mark.ellison@example.gov.uk"),
        "reader": make_user("reader", roles.READER),
        "no_role": make_user("norole", None),
    }


#: What the test database held once its migrations had run, before anything below adds to it
#: (no account, no API token: tests/web/test_asvs_secrets.py, ASVS 2.10.2).
AFTER_MIGRATIONS: dict[str, int] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        AFTER_MIGRATIONS["users"] = get_user_model().objects.count()
        AFTER_MIGRATIONS["api tokens"] = ApiToken.objects.count()
        load_demo()
        make_people()


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    users = get_user_model().objects
    return {
        "administrator": users.get(username="admin"),
        "performance": users.get(username="perf"),
        "owner": users.get(username="helen"),
        "other_owner": users.get(username="mark"),
        "reader": users.get(username="reader"),
        "no_role": users.get(username="norole"),
    }


@pytest.fixture
def client_as(people: dict[str, Any]) -> Any:
    """A test client signed in as one of ``people`` (by role name), CSRF checks on."""

    def signed_in(role: str) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(people[role])
        return client

    return signed_in


@pytest.fixture
def committed_council(transactional_db: Any) -> None:
    """The demo council and its people committed (a worker sees only committed rows, and only
    outside a transaction does a request keep what it reads), put back if an earlier
    transactional test emptied the database."""
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    if not Indicator.objects.exists():
        load_demo()
    if not get_user_model().objects.filter(username="perf").exists():
        make_people()


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
