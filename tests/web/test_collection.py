"""Returns: due, entered, checked as the data folder is, submitted, reviewed; never overwritten."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kpiboard.analysis.periods import parse_period
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.collection.views import due_returns
from kpiboard.web.evaluation import evaluate_period
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.models import Indicator
from web.conftest import PASSWORD

pytestmark = pytest.mark.django_db
FORM = "/returns/182/2024-10/"


def _form(client: Client, path: str = FORM) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    version = (
        text.split('name="version"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        if 'name="version" value' in text
        else ""
    )
    return {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "version": version}


def test_returns_due_follow_each_indicator_frequency() -> None:
    org = organisation()
    q3 = parse_period("2024/25 Q3")
    due = due_returns(
        org, q3, Indicator.objects.filter(ref__in=["182", "187"]), dt.date(2025, 1, 20)
    )
    owed = {(d["indicator"].ref, d["period"].label): d for d in due}
    # 182 is monthly: October, November, December; 187 (annual survey) is not due until Q4.
    assert set(owed) == {("182", "2024-10"), ("182", "2024-11"), ("182", "2024-12")}
    # Due 15 days after each month ends (the demo's [collection] due_days).
    assert owed[("182", "2024-12")]["due"] == dt.date(2025, 1, 15)
    assert owed[("182", "2024-12")]["days_late"] == 5
    assert (
        owed[("182", "2024-10")]["days_late"] == (dt.date(2025, 1, 20) - dt.date(2024, 11, 15)).days
    )


def test_a_mistake_is_shown_at_the_field_and_nothing_is_saved(client_as: Any) -> None:
    client = client_as("owner")
    fields = _form(client)
    response = client.post(
        FORM, {**fields, "numerator": "95", "denominator": "90", "action": "submit"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in text
    assert 'href="#id_numerator"' in text
    assert 'id="id_numerator-error"' in text
    assert "a value from 0 to 100: 182 is a percentage" in text  # the bounds rule (issue 11)
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


def test_submit_approve_and_the_status_follows(client_as: Any) -> None:
    owner = client_as("owner")
    fields = _form(owner)
    done = owner.post(
        FORM,
        {
            **fields,
            "numerator": "81",
            "denominator": "90",
            "commentary": "Up on **September**.",
            "action": "submit",
        },
    )
    assert done.status_code == 302
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert item.state == ReturnState.SUBMITTED
    assert item.value is None
    # Not approved yet: the engine does not see it.
    before = evaluate_period(parse_period("2024/25 Q3")).result("182")
    assert before.value is None
    perf = client_as("performance")
    review = perf.get("/review/")
    assert "<strong>September</strong>" in review.content.decode()
    token = review.cookies["csrftoken"].value
    perf.post(
        f"/review/{item.pk}/",
        {"csrfmiddlewaretoken": token, "decision": "approve", "version": item.version},
    )
    item.refresh_from_db()
    assert item.state == ReturnState.APPROVED
    assert item.reviewed_by is not None
    assert item.reviewed_by.username == "perf"
    result = evaluate_period(parse_period("2024/25 Q3")).result("182")
    # 81 of 90 is 90%: against 182's target of 90 that is Green (semantics.md 4), by hand.
    assert result.value is not None
    assert result.value.value == 90
    assert result.status.value == "green"


def test_a_returned_item_goes_back_to_its_owner_with_the_reason(client_as: Any) -> None:
    owner = client_as("owner")
    owner.post(
        FORM,
        {
            **_form(owner),
            "numerator": "80",
            "denominator": "90",
            "commentary": "x",
            "action": "submit",
        },
    )
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    perf = client_as("performance")
    token = perf.get("/review/").cookies["csrftoken"].value
    perf.post(
        f"/review/{item.pk}/",
        {
            "csrfmiddlewaretoken": token,
            "decision": "return",
            "version": item.version,
            f"r{item.pk}-reason": "Please give the numerator and denominator",
        },
    )
    item.refresh_from_db()
    assert item.state == ReturnState.RETURNED
    mine = owner.get("/returns/").content.decode()
    assert "Please give the numerator and denominator" in mine
    # The owner can correct and submit it again.
    again = owner.post(
        FORM,
        {
            **_form(owner),
            "numerator": "72",
            "denominator": "90",
            "commentary": "x",
            "action": "submit",
        },
    )
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.state == ReturnState.SUBMITTED
    assert item.numerator == 72


def test_the_second_of_two_saves_is_refused_not_applied(client_as: Any) -> None:
    first, second = client_as("owner"), client_as("owner")
    figure = {"denominator": "90", "action": "save"}
    first.post(FORM, {**_form(first), **figure, "numerator": "70"})
    a, b = _form(first), _form(second)  # both open version 1 of the draft
    assert a["version"] == b["version"] == "1"
    assert first.post(FORM, {**a, **figure, "numerator": "71"}).status_code == 302
    refused = second.post(FORM, {**b, **figure, "numerator": "72"})
    assert refused.status_code == 200
    assert "changed by someone else" in refused.content.decode()
    assert Return.objects.get(indicator__ref="182", period="2024-10").numerator == 71


def test_every_form_needs_its_csrf_token(client_as: Any) -> None:
    client = client_as("owner")
    response = client.post(FORM, {"numerator": "70", "denominator": "90", "action": "save"})
    assert response.status_code == 403
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


def test_commentary_is_rendered_harmless(client_as: Any) -> None:
    owner = client_as("owner")
    nasty = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    owner.post(
        FORM,
        {
            **_form(owner),
            "numerator": "72",
            "denominator": "90",
            "commentary": nasty,
            "action": "submit",
        },
    )
    page = client_as("performance").get("/review/").content.decode()
    commentary = page.split("kpiboard-commentary", 1)[1].split("</dd>", 1)[0]
    # Shown as text, never as markup: no script element, no link to javascript:, no image.
    assert "<script" not in commentary
    assert "<img" not in commentary
    assert "href" not in commentary
    assert "&lt;script&gt;" in commentary


def test_reminders_are_emailed_to_each_owner(client_as: Any) -> None:
    client = client_as("performance")
    token = client.get("/review/outstanding/").cookies["csrftoken"].value
    client.post("/review/remind/?period=2024-25-q3", {"csrfmiddlewaretoken": token})
    recipients = sorted(message.to[0] for message in mail.outbox)
    owners = sorted(
        set(
            # Annual indicators (the Oflog measures) owe nothing in Q3; monthly and quarterly do.
            Indicator.objects.filter(lifecycle="active", frequency__in=["month", "quarter"])
            .exclude(owner="")
            .values_list("owner", flat=True)
        )
    )
    assert recipients == owners
    helen = next(m for m in mail.outbox if m.to == ["helen.ashworth@example.gov.uk"])
    assert "182" in helen.body
    assert "2024-10" in helen.body


def test_logins_are_throttled(people: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "helen", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "helen", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x7#Kp2vQ9!mZ4rT8wL1@nB6yH3jF5dS0aE-cG_uI=oP+tR^eW&qY*zX%vN$mK",
        "ALLOWED_HOSTS": "performance.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kpiboard.web.settings",
        "KPIBOARD_REQUIRE_2FA_FOR": "administrator,performance team",  # as the guide says
    }
    for name in (
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests' setting, never production's
        "STATIC_MANIFEST",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ):
        env.pop(name, None)
    run = subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "kpiboard.web.settings"
    run = subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "SECRET_KEY is not set" in run.stderr


def test_two_first_saves_of_the_same_return_keep_the_first(client_as: Any) -> None:
    """Both open the form before any return exists: the second save would make a second return
    for the same indicator and period, and is refused instead."""
    first, second = client_as("owner"), client_as("owner")
    a, b = _form(first), _form(second)
    assert a["version"] == b["version"] == ""
    figure = {"denominator": "90", "action": "save"}
    assert first.post(FORM, {**a, **figure, "numerator": "70"}).status_code == 302
    refused = second.post(FORM, {**b, **figure, "numerator": "72"})
    assert refused.status_code == 200
    assert "changed by someone else" in refused.content.decode()
    assert Return.objects.get(indicator__ref="182", period="2024-10").numerator == 70
