"""kpiboard's own permissions are the rules' alone (web/accounts/backends.py): a page asks no
database for them, however many it checks, and Django's model permissions still work for the
admin site."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpiboard.web.accounts.backends import RULES_ONLY


def test_no_application_could_give_a_database_permission_the_rules_name() -> None:
    # what makes answering no for kpiboard.* without asking the database sound
    assert all(config.label + "." != RULES_ONLY for config in apps.get_app_configs())


def test_a_page_reads_no_permission_from_the_database(client_as: Any) -> None:
    for role in ("reader", "owner", "performance"):
        client = client_as(role)
        client.get("/indicators/186/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/indicators/186/")
        assert page.status_code == 200
        assert not [q for q in queries.captured_queries if "auth_permission" in q["sql"]], role


def test_a_reader_is_still_refused_what_the_rules_refuse(people: dict[str, Any]) -> None:
    reader = people["reader"]
    assert reader.has_perm("kpiboard.view_register")
    assert not reader.has_perm("kpiboard.review_returns")
    assert not reader.has_perm("kpiboard.import_data")


def test_django_s_model_permissions_still_count(people: dict[str, Any]) -> None:
    owner = people["owner"]
    assert not owner.has_perm("auth.view_user")
    owner.user_permissions.add(Permission.objects.get(codename="view_user"))
    owner = type(owner).objects.get(pk=owner.pk)  # permissions are kept on the object
    assert owner.has_perm("auth.view_user")
