"""Targets as decisions (issue 13): "85%" is read as 85 for a percentage; a target that applies to
a period already reported needs a reason and the committee decision, and each publication it
changes lists it with the status published and the status now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kpiboard.web.register.models import Target, TargetRevision
from kpiboard.web.register.targets import TargetError, parse_target
from web.test_reporting import fake_pack, published  # noqa: F401  (fake_pack: a fixture)

pytestmark = pytest.mark.django_db


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = client.get("/register/").cookies["csrftoken"].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token}, follow=True)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("85%", "percent", "85"),
        ("85 %", "percent", "85"),
        ("1,250", "count", "1250"),
        ("−5", "count", "-5"),
        ("12.5", "days", "12.5"),
    ],
)
def test_a_target_is_read_as_people_write_it(text: str, unit: str, expected: str) -> None:
    assert parse_target(text, "x", unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "unit", "words"),
    [
        ("85%", "count", "Indicator 212 is not a percentage"),
        ("eighty", "percent", "as a percentage such as 85 or 85%"),
        ("1,25", "count", "as a number such as 85"),
    ],
)
def test_a_target_that_does_not_read_names_the_indicator(text: str, unit: str, words: str) -> None:
    with pytest.raises(TargetError, match=words):
        parse_target(text, "212", unit)


def test_85_percent_in_the_form_sets_a_target_of_85(client_as: Any) -> None:
    page = _post(
        client_as("performance"), "/register/182/targets/", {"start": "2025/26", "value": "85%"}
    )
    assert Target.objects.get(indicator__ref="182", start="2025/26").value == Decimal(85)
    assert "Target from 2025/26 is now 85." in page.content.decode()


def test_a_back_dated_target_over_a_published_report_needs_a_decision_and_is_listed(
    client_as: Any,
    people: dict[str, Any],
    fake_pack: None,  # noqa: F811
) -> None:
    # By hand: 190's 2024/25 Q2 figure is 82.0% against a target of 80: Green, as published.
    # A target of 85 from 2024/25 Q2 puts it 3.5% below target: Amber (within 10%).
    publication = published("committee:srp", people["performance"])
    client = client_as("performance")
    change = {"start": "2024/25 Q2", "value": "85%"}
    refused = _post(client, "/register/190/targets/", change).content.decode()
    assert "applies to periods already reported" in refused
    assert "(published Green)" in refused
    assert not Target.objects.filter(indicator__ref="190", start="2024/25 Q2").exists()

    srp = "srp"
    from kpiboard.web.register.models import Committee

    committee = Committee.objects.get(code=srp)
    decided = {
        **change,
        "reason": "Agreed to align with the national benchmark",
        "committee": committee.pk,
        "meeting": "2025-01-20",
    }
    page = _post(client, "/register/190/targets/", decided).content.decode()
    assert "published Green: is now Amber, listed on its page" in page
    (revision,) = TargetRevision.objects.filter(publication=publication)
    assert (revision.ref, revision.start, revision.old_value, revision.new_value) == (
        "190",
        "2024/25 Q2",
        None,
        Decimal(85),
    )
    assert (revision.published_status, revision.status_now) == ("green", "amber")
    public = Client().get(f"/published/{publication.pk}/").content.decode()
    assert "Targets changed after publication" in public
    assert "Agreed to align with the national benchmark" in public
    assert "Strategy, Resources and Performance Committee, 20 January 2025" in public
    # The publication itself stays as published.
    publication.refresh_from_db()
    (published_190,) = [i for i in publication.evaluation["indicators"] if i["ref"] == "190"]
    assert published_190["status"] == "green"


def test_a_target_for_a_period_not_yet_reported_needs_no_decision(
    client_as: Any,
    people: dict[str, Any],
    fake_pack: None,  # noqa: F811
) -> None:
    published("committee:srp", people["performance"])  # 2024/25 Q2
    _post(
        client_as("performance"), "/register/190/targets/", {"start": "2024/25 Q3", "value": "85"}
    )
    assert Target.objects.get(indicator__ref="190", start="2024/25 Q3").value == Decimal(85)
    assert not TargetRevision.objects.exists()
