"""Numbers beyond what the engine computes with are refused by the web forms by the same rule as
the data folder (issue 16: a value of 1e308, once accepted, made every page answer 500)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kpiboard.web.collection.models import Return
from kpiboard.web.fields import ExactDecimalField
from kpiboard.web.register.models import Target
from kpiboard.web.register.targets import TargetError, parse_target
from web.test_collection import FORM, _form

pytestmark = pytest.mark.django_db

TOO_LARGE = "a number between -999,999,999,999,999 and 999,999,999,999,999"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"numerator": "1e308", "denominator": "1e308"}, "numerator"),
        ({"numerator": "1", "denominator": "99999999999999999999"}, "denominator"),
    ],
)
def test_the_return_form_refuses_a_number_too_large_at_its_field(
    client_as: Any, fields: dict[str, str], field: str
) -> None:
    client = client_as("owner")
    response = client.post(FORM, {**_form(client), **fields, "action": "submit"})
    text = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_{field}"' in text
    assert TOO_LARGE in text
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()
    assert client.get("/scorecard/").status_code == 200


def test_the_target_form_refuses_a_number_too_large(client_as: Any) -> None:
    client = client_as("performance")
    token = client.get("/register/").cookies["csrftoken"].value
    page = client.post(
        "/register/186/targets/",
        {"start": "2025/26", "value": "100000000000000000000", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert page.status_code == 200
    assert TOO_LARGE in page.content.decode()
    assert not Target.objects.filter(indicator__ref="186", start="2025/26").exists()


@pytest.mark.parametrize("text", ["1000000000000000", "-1000000000000000", "1" + "0" * 16])
def test_parse_target_names_the_bound(text: str) -> None:
    with pytest.raises(TargetError, match="999,999,999,999,999"):
        parse_target(text, "186", "days")


@pytest.mark.parametrize(
    ("given", "accepted"),
    [("999999999999999.5", True), ("1e15", False), ("1e308", False), ("-0.000001", True)],
)
def test_the_database_field_keeps_the_same_bound(given: str, accepted: bool) -> None:
    field = ExactDecimalField()
    if accepted:
        assert field.to_python(given) == Decimal(given)
    else:
        with pytest.raises(ValidationError, match="999,999,999,999,999"):
            field.to_python(given)
