"""The return form takes the figure by group (breakdowns.csv): a row per group of the indicator's
``[breakdowns.<ref>]`` table (or groups named in blank rows), checked as an import checks them, a
complete breakdown that does not make the figure refused, and saved exactly as given."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal as D
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.test import Client

from kpiboard.web.accounts import roles
from kpiboard.web.collection.models import Return, ReturnBreakdown
from web.conftest import make_user
from web.test_collection import _form

pytestmark = pytest.mark.django_db

FORM_190 = "/returns/190/2024-10/"
SERVICES = ["Registration", "Education Transport", "Highways", "Blue Badges", "Other services"]


@pytest.fixture
def owner_190(people: Any) -> Client:
    """Daniel Okafor owns 190 in the demo register."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("daniel", roles.OWNER, "daniel.okafor@example.gov.uk"))
    return client


def _groups(counts: Sequence[tuple[str, str] | None]) -> dict[str, str]:
    """Numerator and denominator for each of the five services (None: left empty)."""
    fields: dict[str, str] = {}
    for index, pair in enumerate(counts):
        if pair is not None:
            fields[f"group_{index}_numerator"], fields[f"group_{index}_denominator"] = pair
    return fields


def test_the_form_has_a_row_per_service_of_the_table(owner_190: Client) -> None:
    doc = lxml.html.fromstring(owner_190.get(FORM_190).content.decode())
    names = [
        " ".join(th.text_content().split())
        for th in doc.xpath("//table[@id='group-rows']//tbody//th")
    ]
    assert names == SERVICES
    legend = doc.xpath("//fieldset[@id='groups']/legend")[0].text_content()
    assert "The figure by service (optional)" in legend


def test_a_figure_with_some_groups_is_saved_with_them(owner_190: Client) -> None:
    """Two of five services: an incomplete breakdown, so nothing to combine yet."""
    response = owner_190.post(
        FORM_190,
        {
            **_form(owner_190, FORM_190),
            "value": "80.5",
            **_groups([("300", "500"), None, None, ("90", "100"), None]),
            "group_0_note": "Recruitment complete",
            "action": "save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = Return.objects.get(indicator__ref="190", period="2024-10")
    assert [(b.group, b.numerator, b.denominator, b.note) for b in item.breakdowns.all()] == [
        ("Registration", D(300), D(500), "Recruitment complete"),
        ("Blue Badges", D(90), D(100), ""),
    ]
    # Saved again with Blue Badges emptied: its figure is taken away, the change audited.
    response = owner_190.post(
        FORM_190,
        {
            **_form(owner_190, FORM_190),
            "value": "80.5",
            **_groups([("300", "500"), None, None, None, None]),
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert [b.group for b in item.breakdowns.all()] == ["Registration"]
    assert ReturnBreakdown.history.filter(group="Blue Badges", history_type="-").exists()


def test_a_complete_breakdown_that_does_not_make_the_figure_is_refused(
    owner_190: Client,
) -> None:
    """All five services: 800 of 1,000 resolved is 80.0%, not the 80.5% entered."""
    counts = [("100", "200"), ("100", "200"), ("200", "200"), ("200", "200"), ("200", "200")]
    response = owner_190.post(
        FORM_190,
        {**_form(owner_190, FORM_190), "value": "80.5", **_groups(counts), "action": "save"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The groups do not add up to the figure" in page
    assert "headline figure 80.5" in page
    assert "give 80.0" in page
    assert not Return.objects.filter(indicator__ref="190", period="2024-10").exists()
    # 805 of 1,000 is the figure: accepted, all five saved.
    counts[0] = ("105", "200")
    response = owner_190.post(
        FORM_190,
        {**_form(owner_190, FORM_190), "value": "80.5", **_groups(counts), "action": "save"},
    )
    assert response.status_code == 302
    item = Return.objects.get(indicator__ref="190", period="2024-10")
    assert [b.group for b in item.breakdowns.all()] == SERVICES


def test_a_mistake_in_a_group_is_shown_at_its_field(owner_190: Client) -> None:
    response = owner_190.post(
        FORM_190,
        {
            **_form(owner_190, FORM_190),
            "value": "80.5",
            "group_1_value": "abc",
            "group_2_numerator": "120",
            "group_2_denominator": "100",
            "action": "save",
        },
    )
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    value_error = doc.xpath("//p[@id='id_group_1_value-error']")[0].text_content()
    assert "The value for Education Transport is 'abc': enter a number" in value_error
    count_error = doc.xpath("//p[@id='id_group_2_numerator-error']")[0].text_content()
    assert "The numerator for Highways is '120'" in count_error
    assert "a value from 0 to 100" in count_error
    assert not Return.objects.filter(indicator__ref="190", period="2024-10").exists()


def test_groups_are_named_in_blank_rows_without_a_table(client_as: Any) -> None:
    """182 has no [breakdowns.182] table: the owner names the groups."""
    client = client_as("owner")
    form = "/returns/182/2024-10/"
    doc = lxml.html.fromstring(client.get(form).content.decode())
    assert len(doc.xpath("//table[@id='group-rows']//tbody/tr")) == 3
    response = client.post(
        form,
        {
            **_form(client, form),
            "numerator": "70",
            "denominator": "90",
            "group_0": "Highways requests",
            "group_0_numerator": "20",
            "group_0_denominator": "40",
            "group_1_value": "50",  # a figure without a group's name
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert "The group&#x27;s name is missing" in response.content.decode() or (
        "The group's name is missing" in response.content.decode()
    )
    response = client.post(
        form,
        {
            **_form(client, form),
            "numerator": "70",
            "denominator": "90",
            "group_0": "Highways requests",
            "group_0_numerator": "20",
            "group_0_denominator": "40",
            "action": "save",
        },
    )
    assert response.status_code == 302
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    assert [(b.group, b.value) for b in item.breakdowns.all()] == [("Highways requests", None)]
    # The saved group is offered again, with the blank rows after it.
    doc = lxml.html.fromstring(client.get(form).content.decode())
    assert doc.xpath("//input[@name='group_0']")[0].get("value") == "Highways requests"
    assert len(doc.xpath("//table[@id='group-rows']//tbody/tr")) == 4
