"""indicators.csv ``min``, ``max``, ``integer`` and ``unit_label`` (formats.md): read, written back
exactly, and impossible figures refused in every file with words naming the indicator and bound."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.analysis.model import UNIT_DEFAULT, Unit
from kpiboard.datafiles import DataError, DataFileError, read_dataset, write_folder, write_workbook
from kpiboard.datafiles.records import dataset_from_records

DataFolder = Callable[..., Path]

DOCUMENT = {
    "name": "Test",
    "committees": [{"id": "c", "name": "C"}],
    "directorates": [{"id": "d", "name": "D"}],
}


def indicator(**cells: str) -> dict[str, str]:
    return {
        "ref": "212",
        "name": "Staff in post",
        "unit": "number",
        "direction": "higher",
        "frequency": "month",
        "category": "contextual",
        "committees": "c",
        "directorate": "d",
        **cells,
    }


def errors(tables: Mapping[str, list[dict[str, str]]]) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        dataset_from_records(DOCUMENT, tables)
    return raised.value.errors


def one_error(tables: Mapping[str, list[dict[str, str]]]) -> DataError:
    found = errors(tables)
    assert len(found) == 1, found
    return found[0]


def figure(value: str, **cells: str) -> dict[str, str]:
    return {"ref": "212", "period": "2024-07", "value": value, **cells}


# -- reading the columns -------------------------------------------------------------------


def test_a_folder_without_the_columns_keeps_every_default(data_folder: DataFolder) -> None:
    """conftest's indicators.csv has none of the four columns."""
    for item in read_dataset(data_folder()).indicators:
        assert item.minimum is UNIT_DEFAULT
        assert item.maximum is UNIT_DEFAULT
        assert item.integer is False
        assert item.unit_label == ""


def test_empty_none_and_a_number_are_read_as_written() -> None:
    row = indicator(min="", max="none", integer="TRUE", unit_label="staff")
    read = dataset_from_records(DOCUMENT, {"indicators": [row]}).indicators[0]
    assert read.minimum is UNIT_DEFAULT
    assert read.maximum is None
    assert read.integer is True
    assert read.unit_label == "staff"
    assert (read.lower_bound, read.upper_bound) == (Decimal(0), None)
    row = indicator(unit="rate", min="-2.5", max="NONE")
    read = dataset_from_records(DOCUMENT, {"indicators": [row]}).indicators[0]
    assert read.minimum == Decimal("-2.5")
    assert read.maximum is None


def test_a_min_above_the_max_names_both() -> None:
    error = one_error({"indicators": [indicator(min="10", max="5")]})
    assert (error.file, error.row, error.column, error.value) == ("indicators.csv", 2, "min", "10")
    assert error.expected == "a min not above the max, 5"


def test_a_min_above_the_units_own_max_names_it() -> None:
    error = one_error({"indicators": [indicator(unit="percent", min="101")]})
    assert error.column == "min"
    assert error.expected == "a min not above the max, 100 (the default for the unit)"


@pytest.mark.parametrize(
    ("column", "cell", "expected"),
    [
        ("min", "low", "a number, such as 81.5 (no commas, spaces or % sign), or none"),
        ("max", "1,000", "a number, such as 81.5 (no commas, spaces or % sign), or none"),
        ("integer", "yes", "true or false"),
    ],
)
def test_an_unreadable_bound_is_named(column: str, cell: str, expected: str) -> None:
    error = one_error({"indicators": [indicator(**{column: cell})]})
    assert (error.row, error.column, error.value, error.expected) == (2, column, cell, expected)


# -- refusing impossible figures -------------------------------------------------------------


def test_a_count_of_staff_must_be_whole_and_not_negative() -> None:
    staff = indicator(integer="true", unit_label="staff")
    error = one_error({"indicators": [staff], "observations": [figure("212.5")]})
    assert (error.file, error.row, error.column, error.value) == (
        "observations.csv",
        2,
        "value",
        "212.5",
    )
    assert error.expected == "a whole number: 212 counts staff"
    error = one_error({"indicators": [staff], "observations": [figure("-3")]})
    assert error.expected == "a value of 0 or more: 212 counts staff"


def test_a_percentage_past_100_is_refused_in_every_file() -> None:
    percent = indicator(ref="182", unit="percent")
    observation = {"ref": "182", "period": "2024-07", "value": "182"}
    target = {"ref": "182", "from": "2024/25", "target": "100.5"}
    neighbour = {"ref": "182", "period": "2023/24", "area_code": "E1", "value": "-0.1"}
    found = errors(
        {
            "indicators": [percent],
            "observations": [observation],
            "targets": [target],
            "neighbours": [neighbour],
        }
    )
    words = "a value from 0 to 100: 182 is a percentage"
    assert [(e.file, e.column, e.value, e.expected) for e in found] == [
        ("targets.csv", "target", "100.5", words),
        ("observations.csv", "value", "182", words),
        ("neighbours.csv", "value", "-0.1", words),
    ]


def test_a_bound_written_in_indicators_csv_is_named() -> None:
    score = indicator(unit="score", min="1", max="5")
    error = one_error({"indicators": [score], "observations": [figure("5.5")]})
    assert error.expected == "a value from 1 to 5: 212's max in indicators.csv is 5"
    error = one_error({"indicators": [score], "observations": [figure("0")]})
    assert error.expected == "a value from 1 to 5: 212's min in indicators.csv is 1"


def test_a_value_computed_from_counts_is_refused_naming_the_formula() -> None:
    """Staff per team, 7 / 2 = 3.5, is no whole number."""
    staff = indicator(integer="true", unit_label="staff")
    computed = {"ref": "212", "period": "2024-07", "numerator": "7", "denominator": "2"}
    error = one_error({"indicators": [staff], "observations": [computed]})
    assert (error.column, error.value) == ("numerator", "7")
    assert error.expected == (
        "a numerator and denominator giving a whole number: 212 counts staff (7 / 2 = 3.5)"
    )


def test_a_confidence_limit_is_bounded_but_need_not_be_whole() -> None:
    staff = indicator(integer="true", max="300")
    row = figure("250", lower_ci="240.5", upper_ci="301")
    error = one_error({"indicators": [staff], "observations": [row]})
    assert (error.column, error.value) == ("upper_ci", "301")
    assert error.expected == "a value from 0 to 300: 212's max in indicators.csv is 300"


def test_another_areas_percentage_keeps_0_to_100_but_not_the_councils_own_min() -> None:
    """A council may say its own figure never falls below 50; another area's can."""
    percent = indicator(ref="182", unit="percent", min="50")
    low = {"ref": "182", "period": "2023/24", "area_code": "E1", "value": "40"}
    dataset = dataset_from_records(DOCUMENT, {"indicators": [percent], "neighbours": [low]})
    assert dataset.neighbours["182"]
    high = {**low, "value": "100.01"}
    error = one_error({"indicators": [percent], "neighbours": [high]})
    assert error.expected == "a value from 0 to 100: 182 is a percentage"


def test_a_hair_past_a_written_bound_is_caught_exactly() -> None:
    score = indicator(unit="score", max="5")
    error = one_error({"indicators": [score], "observations": [figure("5.0000000000000000001")]})
    assert error.expected == "a value of 5 or less: 212's max in indicators.csv is 5"
    dataset_from_records(DOCUMENT, {"indicators": [score], "observations": [figure("5.000")]})


_BOUND = st.none() | st.integers(-20, 20)


@settings(max_examples=150, deadline=None)
@given(
    low=_BOUND,
    high=_BOUND,
    whole=st.booleans(),
    value=st.decimals(-25, 25, places=2, allow_nan=False, allow_infinity=False),
)
def test_a_value_is_accepted_exactly_when_possible(
    low: int | None, high: int | None, whole: bool, value: Decimal
) -> None:
    """Accepted iff lower <= value <= upper and (not integer or whole), for a rate (no unit
    default), with bounds written or none."""
    if low is not None and high is not None and low > high:
        low, high = high, low
    row = indicator(
        unit="rate",
        min="none" if low is None else str(low),
        max="none" if high is None else str(high),
        integer="true" if whole else "false",
    )
    possible = (
        (low is None or low <= value)
        and (high is None or value <= high)
        and (not whole or value == value.to_integral_value())
    )
    tables = {"indicators": [row], "observations": [figure(str(value))]}
    if possible:
        assert dataset_from_records(DOCUMENT, tables).observations["212"][0].value == value
    else:
        error = one_error(tables)
        assert (error.column, error.value) == ("value", str(value))


# -- writing them back -------------------------------------------------------------------


def test_every_kind_of_bound_survives_a_folder_and_a_workbook(tmp_path: Path) -> None:
    rows = [
        indicator(ref="1"),
        indicator(ref="2", unit="percent", min="none", max="none"),
        indicator(ref="3", unit="days", min="1.5", max="30", unit_label="working days"),
        indicator(ref="4", unit="currency", max="none", integer="true", unit_label="£ thousands"),
        indicator(ref="191", unit="rate", min="0", integer="false", unit_label="seconds"),
    ]
    dataset = dataset_from_records(DOCUMENT, {"indicators": rows})
    write_folder(dataset, tmp_path / "folder")
    assert read_dataset(tmp_path / "folder") == dataset
    write_workbook(dataset, tmp_path / "book.xlsx")
    assert read_dataset(tmp_path / "book.xlsx") == dataset
    lines = (tmp_path / "folder" / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",blue_above,min,max,integer,unit_label")
    tails = [line.split(",")[-4:] for line in lines[1:]]
    assert tails == [
        ["", "", "false", ""],
        ["none", "none", "false", ""],
        ["1.5", "30", "false", "working days"],
        ["", "none", "true", "£ thousands"],
        ["0", "", "false", "seconds"],
    ]
    assert dataset.indicators[2].unit is Unit.DAYS
    assert dataset.indicators[2].lower_bound == Decimal("1.5")
