"""The workbook: typed cells read as a CSV file's text, errors named by sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from datafiles.conftest import EditWorkbook
from kpiboard.datafiles import DataError, DataFileError, read_dataset, write_workbook

DataFolder = Callable[..., Path]


def errors_of(path: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(path)
    return raised.value.errors


def test_the_sheets_and_their_columns(data_folder: DataFolder, tmp_path: Path) -> None:
    write_workbook(read_dataset(data_folder()), tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(tmp_path / "data.xlsx")
    assert book.sheetnames == [
        "organisation",
        "committees",
        "directorates",
        "ambitions",
        "indicators",
        "targets",
        "observations",
        "neighbours",
        "commentary",
    ]
    keys = [row[0] for row in book["organisation"].iter_rows(values_only=True)]
    assert keys == [
        "key",
        "name",
        "area_code",
        "year_start_month",
        "tolerance.mode",
        "tolerance.red_at",
        "tolerance.blue_above",
        "summary.percent_rounding",
        "spc.screen_outliers",
        "spc.run_length",
        "spc.min_points",
        "trend.points_month",
        "trend.points_quarter",
        "trend.points_year",
        "neighbours.min_neighbours",
        "report.title",
        "report.srp.to",
    ]
    assert next(book["ambitions"].iter_rows(values_only=True)) == ("id", "name")


def test_a_bad_cell_is_named_by_sheet_row_and_column(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        book["observations"]["C4"] = "abc"
        book["targets"]["A3"] = "999"

    errors = errors_of(edited_workbook(edit))
    assert [str(e) for e in errors] == [
        'data.xlsx, sheet targets, row 3, column ref: found "999", expected the ref of an '
        "indicator in indicators.csv",
        'data.xlsx, sheet observations, row 4, column value: found "abc", expected a number, '
        "such as 81.5 (no commas, spaces or % sign)",
    ]


def test_a_bad_setting_is_named_by_its_row(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        sheet = book["organisation"]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "tolerance.red_at":
                row[1].value = "abc"

    (error,) = errors_of(edited_workbook(edit))
    assert (error.file, error.row, error.column, error.value) == (
        "data.xlsx, sheet organisation",
        6,
        "tolerance.red_at",
        "abc",
    )


def test_a_repeated_committee_is_named_on_its_sheet(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        book["committees"]["A3"] = "srp"

    errors = errors_of(edited_workbook(edit))
    first = errors[0]
    assert (first.file, first.row, first.column, first.value) == (
        "data.xlsx, sheet committees",
        3,
        "id",
        "srp",
    )


def test_dates_and_numbers_are_read_as_a_csv_would_hold_them(
    edited_workbook: EditWorkbook,
) -> None:
    """A date in a period column is the period containing it; 182.0 is ref 182."""

    def edit(book: Any) -> None:
        sheet = book["observations"]
        sheet.append([214.0, datetime(2024, 5, 17), 10.25, None, None, None, None, False, None])
        sheet.append([300, datetime(2024, 8, 1), 12.0])

    dataset = read_dataset(edited_workbook(edit))
    observation = dataset.observations["214"][-1]
    assert (str(observation.period), observation.value) == ("2024-05", Decimal("10.25"))
    assert str(dataset.observations["300"][-1].period) == "2024/25 Q2"
    assert str(dataset.observations["300"][-1].value) == "12"


def test_sheet_names_and_headers_in_any_case(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        sheet = book["targets"]
        sheet["A1"] = "REF"
        sheet.title = "renamed"
        sheet.title = "Targets"

    assert len(read_dataset(edited_workbook(edit)).targets) == 3


def test_a_workbook_without_organisation_sheet(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        del book["organisation"]

    errors = errors_of(edited_workbook(edit))
    assert [(e.file, e.expected) for e in errors] == [
        ("data.xlsx", "a sheet named organisation, with columns key and value")
    ]


def test_a_setting_given_twice(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        book["organisation"].append(["name", "Another council"])

    (error,) = errors_of(edited_workbook(edit))
    assert (error.file, error.row, error.column) == ("data.xlsx, sheet organisation", 18, "name")
    assert "each setting once" in error.expected


def test_toml_values_for_what_a_cell_cannot_hold(edited_workbook: EditWorkbook) -> None:
    def edit(book: Any) -> None:
        book["organisation"].append(["report.sections", 'toml:["summary", "dashboard"]'])
        book["organisation"].append(['report."odd.key"', "toml:2024-12-17"])

    extra = read_dataset(edited_workbook(edit)).organisation.extra
    assert extra["report"]["sections"] == ["summary", "dashboard"]
    assert str(extra["report"]["odd.key"]) == "2024-12-17"


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    (error,) = errors_of(path)
    assert error.file == "data.xlsx"
    assert "an .xlsx workbook" in error.expected
