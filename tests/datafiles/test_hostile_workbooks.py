"""Hostile and careless workbooks (issue 16): damaged parts, sheets twice, cells with no column,
and percentages as Excel stores them, each named or read as the person meant."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datafiles.conftest import EditWorkbook
from kpiboard.datafiles import DataError, DataFileError, read_dataset, write_workbook
from kpiboard.datafiles.workbook_percent import shown_percent

DataFolder = Callable[..., Path]


def errors_of(path: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(path)
    return raised.value.errors


def _rewritten(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


# --- percentages as Excel stores them -----------------------------------------------------------


def test_a_cell_formatted_as_a_percentage_is_read_as_the_percentage_it_shows(
    edited_workbook: EditWorkbook,
) -> None:
    """182 is a percentage: 81% typed in Excel is stored as 0.81 and means 81 (not 0.81)."""

    def edit(book: Any) -> None:
        observations, targets = book["observations"], book["targets"]
        observations.append(["214", "2024-06", 0.115])
        observations.cell(observations.max_row, 3).number_format = "0.0%"
        targets.append(["214", "2025/26", 0.95])
        targets.cell(targets.max_row, 3).number_format = "0%"

    dataset = read_dataset(edited_workbook(edit))
    june = [o for o in dataset.observations["214"] if str(o.period) == "2024-06"]
    assert [o.value for o in june] == [Decimal("11.5")]
    assert dataset.targets["214"][-1].value == Decimal("95")


def test_a_percentage_cell_for_a_count_is_refused_by_name(edited_workbook: EditWorkbook) -> None:
    """300 is a count: a cell showing 40% means nothing for it; refused, not read as 0.4."""

    def edit(book: Any) -> None:
        sheet = book["observations"]
        sheet.append(["300", "2024/25 Q2", 0.4])
        sheet.cell(sheet.max_row, 3).number_format = "0%"

    errors = errors_of(edited_workbook(edit))
    assert [(e.column, e.value) for e in errors] == [("value", "40%")]
    assert "% sign" in errors[0].expected


def test_a_quoted_percent_sign_in_a_format_is_not_a_percentage(
    edited_workbook: EditWorkbook,
) -> None:
    def edit(book: Any) -> None:
        sheet = book["observations"]
        sheet.append(["214", "2024-06", 11.5])
        sheet.cell(sheet.max_row, 3).number_format = '0.0" %"'

    dataset = read_dataset(edited_workbook(edit))
    june = [o for o in dataset.observations["214"] if str(o.period) == "2024-06"]
    assert [o.value for o in june] == [Decimal("11.5")]


@settings(max_examples=200)
@given(st.decimals(min_value=0, max_value=1, places=6))
def test_shown_percent_undoes_excels_division(fraction: Decimal) -> None:
    """Property: the fraction Excel stores for a typed percentage p (p / 100, as a float) reads
    back as p exactly."""
    typed = fraction * 100
    assert shown_percent(float(typed) / 100) == typed.normalize()


# --- sheets and cells ---------------------------------------------------------------------------


def test_a_sheet_twice_under_names_differing_in_case_or_spaces_is_refused(
    edited_workbook: EditWorkbook,
) -> None:
    def edit(book: Any) -> None:
        extra = book.create_sheet("Observations ")
        extra.append(["ref", "period", "value"])

    errors = errors_of(edited_workbook(edit))
    assert len(errors) == 1
    assert '"observations" and "Observations "' in errors[0].expected


def test_a_number_right_of_the_last_column_is_refused_not_dropped(
    edited_workbook: EditWorkbook,
) -> None:
    def edit(book: Any) -> None:
        sheet = book["targets"]
        sheet.cell(2, sheet.max_column + 2).value = 42

    errors = errors_of(edited_workbook(edit))
    assert len(errors) == 1
    assert "has values but no name" in errors[0].expected


# --- damaged parts ------------------------------------------------------------------------------


def test_a_damaged_part_is_named_not_a_crash(data_folder: DataFolder, tmp_path: Path) -> None:
    """A flipped byte inside a compressed sheet: a bad checksum, once a bare BadZipFile."""
    path = tmp_path / "data.xlsx"
    write_workbook(read_dataset(data_folder()), path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle] ^= 0xFF
    path.write_bytes(bytes(data))
    errors = errors_of(path)
    assert len(errors) == 1
    assert "damaged" in errors[0].expected


def test_a_sheet_cut_short_names_the_sheet(data_folder: DataFolder, tmp_path: Path) -> None:
    source = tmp_path / "whole.xlsx"
    write_workbook(read_dataset(data_folder()), source)
    sheets = openpyxl.load_workbook(source).sheetnames
    cut = _rewritten(
        source,
        tmp_path / "cut.xlsx",
        lambda name, data: data[: len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data,
    )
    errors = errors_of(cut)
    assert len(errors) == 1
    assert errors[0].file == f"cut.xlsx, sheet {sheets[0]}"
    assert "damaged or cut short" in errors[0].expected


def test_malformed_styles_are_one_named_error(
    edited_workbook: EditWorkbook, tmp_path: Path
) -> None:
    def edit(book: Any) -> None:
        book["observations"].cell(2, 3).number_format = "0%"

    source = edited_workbook(edit)

    def break_styles(name: str, data: bytes) -> bytes:
        return data.replace(b"</cellXfs>", b"</cellXfsBROKEN>") if name == "xl/styles.xml" else data

    errors = errors_of(_rewritten(source, tmp_path / "broken.xlsx", break_styles))
    assert len(errors) == 1
    assert errors[0].expected.startswith("an .xlsx workbook")
