"""An indicator's min, max, integer and unit_label in the web: stored as indicators.csv writes them,
carried by import and export, edited with the data folder's validation, shown on the register page,
and an impossible figure refused by the returns form and the target form in the readers' words."""

from __future__ import annotations

import csv
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.forms.models import model_to_dict

from kpiboard.analysis.model import UNIT_DEFAULT
from kpiboard.datafiles import read_dataset, write_folder
from kpiboard.web.collection.models import Return
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import build_dataset
from kpiboard.web.register.forms import IndicatorForm
from kpiboard.web.register.models import Indicator, Target
from kpiboard.web.register.transfer import export, plan_import, read_source

pytestmark = pytest.mark.django_db


def _form_data(row: Indicator, **changes: Any) -> dict[str, Any]:
    data = model_to_dict(row, fields=IndicatorForm.Meta.fields)
    data["committees"] = [c.pk for c in row.committees.all()]
    data["ambitions"] = [a.pk for a in row.ambitions.all()]
    data = {key: ("" if value is None else value) for key, value in data.items()}
    return {**data, "version": row.version, **changes}


def test_import_stores_each_kind_of_bound_and_export_writes_it_back(tmp_path: Path) -> None:
    export(tmp_path / "out")
    dataset = read_dataset(tmp_path / "out")
    changed: dict[str, dict[str, Any]] = {
        "214": {"minimum": None, "maximum": Decimal("50"), "unit_label": "%"},
        "182": {"minimum": Decimal("0.5"), "maximum": UNIT_DEFAULT, "unit_label": "requests"},
    }
    indicators = tuple(
        replace(item, **changed[item.ref]) if item.ref in changed else item
        for item in dataset.indicators
    )
    write_folder(replace(dataset, indicators=indicators), tmp_path / "in")
    apply_plan(plan_import(read_source(tmp_path / "in"), "bounds"), None)
    row = Indicator.objects.get(ref="214")
    assert (row.minimum, row.maximum, row.integer, row.unit_label) == ("none", "50", False, "%")
    row = Indicator.objects.get(ref="182")
    assert (row.minimum, row.maximum, row.integer, row.unit_label) == ("0.5", "", False, "requests")
    built = {item.ref: item for item in build_dataset().indicators}
    assert (built["214"].minimum, built["214"].maximum) == (None, Decimal(50))
    assert built["182"].maximum is UNIT_DEFAULT
    export(tmp_path / "again")
    with (tmp_path / "again" / "indicators.csv").open(encoding="utf-8-sig", newline="") as file:
        cells = {row["ref"]: row for row in csv.DictReader(file)}
    wanted = ("min", "max", "integer", "unit_label")
    assert [cells["214"][name] for name in wanted] == ["none", "50", "false", "%"]
    assert [cells["182"][name] for name in wanted] == ["0.5", "", "false", "requests"]
    assert plan_import(read_source(tmp_path / "again"), "same").empty


def test_the_form_takes_none_a_number_or_empty_and_refuses_a_min_above_the_max() -> None:
    row = Indicator.objects.get(ref="182")  # a percentage: 0 to 100 by default
    form = IndicatorForm(_form_data(row, minimum="101", maximum=""), instance=row)
    assert not form.is_valid()
    expected = "Enter a min not above the max, 100 (the default for the unit)"
    assert form.errors["minimum"] == [expected]
    form = IndicatorForm(_form_data(row, minimum="ten"), instance=row)
    assert not form.is_valid()
    assert "none for no bound" in form.errors["minimum"][0]
    form = IndicatorForm(
        _form_data(row, minimum=" NONE ", maximum="99.50", integer="on", unit_label="requests"),
        instance=row,
    )
    assert form.is_valid(), form.errors
    saved = form.save()
    assert (saved.minimum, saved.maximum, saved.integer, saved.unit_label) == (
        "none",
        "99.50",
        True,
        "requests",
    )


def test_the_register_page_shows_the_possible_values(client_as: Any) -> None:
    Indicator.objects.filter(ref="182").update(maximum="none", integer=True, unit_label="requests")
    page = client_as("performance").get("/register/182/").content.decode()
    assert 'id="possible-values">0 or more, whole numbers only</dd>' in page
    assert "Percentage (requests)" in page or "(requests)," in page
    Indicator.objects.filter(ref="182").update(maximum="", integer=False)
    page = client_as("performance").get("/register/182/").content.decode()
    assert 'id="possible-values">From 0 to 100 (the unit&#x27;s default)</dd>' in page


def test_the_returns_form_refuses_an_impossible_value_in_the_readers_words(
    client_as: Any,
) -> None:
    owner = client_as("owner")
    page = owner.get("/returns/182/2024-10/")
    fields = {"csrfmiddlewaretoken": page.cookies["csrftoken"].value, "version": ""}
    response = owner.post("/returns/182/2024-10/", {**fields, "value": "182", "action": "save"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "enter a value from 0 to 100: 182 is a percentage" in text
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()
    Indicator.objects.filter(ref="182").update(integer=True, unit_label="requests")
    # 182 combines by ratio, so its figures come with numerator and denominator
    counts = {"numerator": "163", "denominator": "200", "action": "save"}
    response = owner.post("/returns/182/2024-10/", {**fields, **counts})
    assert (
        "enter a numerator and denominator giving a whole number: 182 counts requests "
        "(163 / 200 x 100 = 81.5)" in response.content.decode()
    )
    counts = {"numerator": "162", "denominator": "200", "action": "save"}
    response = owner.post("/returns/182/2024-10/", {**fields, **counts})
    assert response.status_code == 302, response.content.decode()
    assert Return.objects.get(indicator__ref="182", period="2024-10").numerator == 162


def test_the_target_form_refuses_an_impossible_target(client_as: Any) -> None:
    client = client_as("performance")
    token = client.get("/register/").cookies["csrftoken"].value
    before = Target.objects.filter(indicator__ref="182").count()
    response = client.post(
        "/register/182/targets/",
        {"start": "2025/26", "value": "120", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert "Enter a value from 0 to 100: 182 is a percentage" in response.content.decode()
    assert Target.objects.filter(indicator__ref="182").count() == before
