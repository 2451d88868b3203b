"""Hostile values in a data folder (issue 16): each is refused by name, or read as it means.

The cases are the crashes, the hang and the silent guesses a fuzzing run found: numbers beyond
what the engine computes with, settings outside their range, nesting the TOML reader cannot
follow, periods with garbage after them or in another script's digits, look-alike characters,
case-variant file names and classic Mac line endings. Each one once ended in a traceback (exit 1),
ran until killed, or was read as something nobody wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datafiles.conftest import DEFAULT_FILES, ORGANISATION, write_folder_files
from kpiboard.analysis.magnitude import representable
from kpiboard.analysis.periods import PeriodError, parse_period
from kpiboard.datafiles import DataError, DataFileError, read_dataset

DataFolder = Callable[..., Path]
WithRow = Callable[[str, str], tuple[Path, int]]


def errors_of(path: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(path)
    return raised.value.errors


def only_error(path: Path) -> DataError:
    errors = errors_of(path)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


# --- numbers beyond what the engine computes with ------------------------------------------------

TOO_LARGE = "a number between -999,999,999,999,999 and 999,999,999,999,999"


@pytest.mark.parametrize(
    ("line", "column", "found"),
    [
        ("300,2024/25 Q2,1e308,,,,,,", "value", "1e308"),  # was InvalidOperation in quantize
        ("300,2024/25 Q2,-1e15,,,,,,", "value", "-1e15"),
        ("300,2024/25 Q2,1000000000000000,,,,,,", "value", "1000000000000000"),
        ("300,2024/25 Q2,1e400,,,,,,", "value", "1e400"),  # beyond a float: once "a number"
        ("182,2024-06,,1,99999999999999999999,,,,", "denominator", "99999999999999999999"),
        ("214,2024-06,10,,,1e20,12,,", "lower_ci", "1e20"),
        ("300,2024/25 Q2,1." + "0" * 40 + ",,,,,,", "value", "1." + "0" * 40),  # 42 characters
    ],
)
def test_a_number_too_large_is_named(with_row: WithRow, line: str, column: str, found: str) -> None:
    folder, row = with_row("observations", line)
    errors = [e for e in errors_of(folder) if e.column == column]
    assert [(e.row, e.value) for e in errors] == [(row, found)]
    assert TOO_LARGE in errors[0].expected


def test_the_largest_number_below_the_bound_is_read_exactly(with_row: WithRow) -> None:
    """999,999,999,999,999.5 rounds to the float 10^15 but is below it: Decimal decides."""
    folder, _ = with_row("observations", "300,2024/25 Q2,999999999999999.5,,,,,,")
    dataset = read_dataset(folder)
    values = [o.value for o in dataset.observations["300"]]
    assert Decimal("999999999999999.5") in values


def test_a_quotient_too_large_is_named(with_row: WithRow) -> None:
    """A count indicator with no upper bound: 9 x 10^14 / 10^-14 would be 9 x 10^28."""
    folder, row = with_row("observations", "300,2024/25 Q2,,900000000000000,0.00000000000001,,,,")
    errors = errors_of(folder)
    assert [(e.row, e.column) for e in errors] == [(row, "denominator")]
    assert "quotient is smaller than 1,000,000,000,000,000" in errors[0].expected


def test_a_huge_quotient_against_a_percentage_bound_is_shown_not_a_crash(
    with_row: WithRow,
) -> None:
    """Showing the refused quotient to the hundredth once needed more digits than Decimal had."""
    folder, row = with_row("observations", "182,2024-06,,999999999999999,0.00000000000001,,,,")
    numerator = [e for e in errors_of(folder) if e.column == "numerator"]
    assert [e.row for e in numerator] == [row]
    assert "= 9999999999999990000000000000000" in numerator[0].expected


@settings(max_examples=150, deadline=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: len(str(d)) <= 40
    )
    | st.decimals(min_value=-(10**16), max_value=10**16, allow_nan=False, places=3)
)
def test_the_folder_accepts_a_count_exactly_when_it_is_representable(
    tmp_path_factory: pytest.TempPathFactory, number: Decimal
) -> None:
    """Property: a value in a targets file is read iff representable() says so; never a crash."""
    folder = tmp_path_factory.mktemp("n")
    text = f"{number}"
    files: dict[str, str | None] = dict(DEFAULT_FILES)
    files["targets"] = DEFAULT_FILES["targets"] + f"300,2030/31 Q1,{text}\n"
    write_folder_files(folder, files)
    if representable(number) and number >= 0:
        dataset = read_dataset(folder)
        assert Decimal(text) in [t.value for t in dataset.targets["300"]]
    else:
        errors = errors_of(folder)
        assert errors
        assert all(e.file == "targets.csv" and e.column == "target" for e in errors)


# --- settings outside their range ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "column", "expected"),
    [
        ("red_at = 0.10", "red_at = 1e999999", "tolerance.red_at", TOO_LARGE),  # was Overflow
        ("blue_above = 0.05", "blue_above = 1e20", "tolerance.blue_above", TOO_LARGE),
        ("run_length = 7", "run_length = 1e100", "spc.run_length", "from 2 to 100"),  # a hang
        ("run_length = 7", "run_length = 101", "spc.run_length", "from 2 to 100"),
        ("min_points = 13", "min_points = 1001", "spc.min_points", "from 2 to 1000"),
    ],
)
def test_a_setting_out_of_range_is_named(
    data_folder: DataFolder, old: str, new: str, column: str, expected: str
) -> None:
    assert old in ORGANISATION
    error = only_error(data_folder(organisation=ORGANISATION.replace(old, new)))
    assert (error.file, error.column) == ("organisation.toml", column)
    assert expected in error.expected


@pytest.mark.parametrize(("run_length", "min_points"), [(40, 13), (7, 2), (2, 2), (100, 1000)])
def test_any_run_length_and_minimum_in_range_evaluate(
    data_folder: DataFolder, run_length: int, min_points: int
) -> None:
    """run_length = 40 and min_points = 2 made the control-chart batch fail (issue 16)."""
    from kpiboard.analysis.evaluate import evaluate
    from kpiboard.analysis.periods import parse_period as period

    toml = ORGANISATION.replace("run_length = 7", f"run_length = {run_length}").replace(
        "min_points = 13", f"min_points = {min_points}"
    )
    dataset = read_dataset(data_folder(organisation=toml))
    assert dataset.organisation.settings.spc.run_length == run_length
    result = evaluate(dataset, period("2024/25 Q2"))
    assert {row.indicator.ref for row in result.indicators} >= {"182", "214"}


def test_toml_nested_too_deeply_is_named(data_folder: DataFolder) -> None:
    deep = "[" * 3000 + "]" * 3000  # RecursionError in tomllib
    errors = errors_of(data_folder(organisation=ORGANISATION + f"\n[extra]\ndeep = {deep}\n"))
    toml = [e for e in errors if e.file == "organisation.toml"]
    assert len(toml) == 1
    assert "nested more than 32 deep" in toml[0].expected


# --- periods: nothing after a date but a time, ASCII digits only ------------------------------


@pytest.mark.parametrize(
    "text", ["2024-09-15 garbage", "2024-09-15Tnonsense", "２０２４-09", "2024-0９", "٢٠٢٤/25 Q2"]
)
def test_a_period_with_garbage_or_other_digits_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="is not a period"):
        parse_period(text)


@pytest.mark.parametrize(
    "text", ["2024-09-15", "2024-09-15 00:00:00", "2024-09-15T10:30:00Z", "2024-09-15T10:30+01:00"]
)
def test_a_date_with_a_time_of_day_is_its_month(text: str) -> None:
    assert parse_period(text).label == "2024-09"


def test_a_garbage_period_in_a_file_is_named_not_read_as_a_duplicate(with_row: WithRow) -> None:
    """It was read as 2024-09 and reported as a duplicate of the real September row."""
    folder, row = with_row("observations", "214,2024-09-15 garbage,10,,,,,,")
    errors = errors_of(folder)
    assert [(e.row, e.column, e.value) for e in errors] == [(row, "period", "2024-09-15 garbage")]
    assert "a period" in errors[0].expected or "a month" in errors[0].expected


# --- look-alike characters ----------------------------------------------------------------------


@pytest.mark.parametrize("found", ["\u221212", "１２", "1\u00a0234", "\u20135"])
def test_a_look_alike_character_in_a_number_is_named(with_row: WithRow, found: str) -> None:
    folder, row = with_row("observations", f"300,2024/25 Q2,{found},,,,,,")
    errors = errors_of(folder)
    assert [(e.row, e.column, e.value) for e in errors] == [(row, "value", found)]
    assert "look-alike character" in errors[0].expected


# --- file names and line endings ---------------------------------------------------------------


def test_two_files_differing_only_in_case_are_named(data_folder: DataFolder) -> None:
    folder = data_folder()
    (folder / "TARGETS.csv").write_text("ref,from,target\n182,2024/25,1\n", encoding="utf-8")
    error = only_error(folder)
    assert error.file == "targets.csv"
    assert "TARGETS.csv and targets.csv" in error.expected


def test_a_file_named_in_another_case_alone_is_read(data_folder: DataFolder) -> None:
    folder = data_folder()
    (folder / "observations.csv").rename(folder / "Observations.CSV")
    dataset = read_dataset(folder)
    assert dataset.observations["214"]


def test_classic_mac_line_endings_are_one_error(data_folder: DataFolder) -> None:
    folder = data_folder()
    path = folder / "observations.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    error = only_error(folder)
    assert error.file == "observations.csv"
    assert "carriage return alone" in error.expected


def test_the_evaluation_of_a_refused_folder_exits_2_naming_the_cell(
    with_row: WithRow, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line: status 2 and the message, never status 1 and a Python error."""
    from kpiboard.cli import main

    folder, row = with_row("observations", "300,2024/25 Q2,1e308,,,,,,")
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", str(folder), "--period", "2024/25 Q2", "--format", "json"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"observations.csv, row {row}, column value" in err
    assert "Error" not in err.replace("error(s)", "")


# --- text the database could not hold ----------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "line", "column", "expected"),
    [
        ("commentary", '182,2024-06,"Fine\x00",A Officer', "commentary", "control characters"),
        ("commentary", "182,2024-06,Bell\x07,A Officer", "commentary", "control characters"),
        ("neighbours", "182,2023/24,E100000150000000000000,Herts,85,,", "area_code", "at most 20"),
        ("commentary", f"182,2024-06,{'x' * 20_001},A Officer", "commentary", "at most 20,000"),
        ("observations", f"214,2024-06,10,,,,,,{'n' * 2_001}", "note", "at most 2,000"),
    ],
)
def test_text_the_database_could_not_hold_is_named_by_the_reader(
    with_row: WithRow, file: str, line: str, column: str, expected: str
) -> None:
    """NUL was accepted by evaluate and a SQLite import, then PostgreSQL refused it with a raw
    DataError naming no file, row or column (issue 16)."""
    folder, row = with_row(file, line)
    errors = [e for e in errors_of(folder) if e.column == column]
    assert [e.row for e in errors] == [row]
    assert expected in errors[0].expected


def test_a_name_over_the_database_column_is_named(data_folder: DataFolder) -> None:
    from datafiles.conftest import INDICATORS

    long_name = "N" * 501
    indicators = INDICATORS.replace("Complaints received", long_name)
    errors = [e for e in errors_of(data_folder(indicators=indicators)) if e.column == "name"]
    assert len(errors) == 1
    assert "at most 500 characters" in errors[0].expected


def test_tabs_and_every_line_end_are_text_not_control_characters(with_row: WithRow) -> None:
    """formats.md: line breaks and tabs survive, so they are not refused as control characters."""
    folder, _ = with_row("commentary", '182,2024-06,"One\r\ntwo\rthree\tfour",A Officer')
    dataset = read_dataset(folder)
    texts = [c.text for c in dataset.commentary["182"] if str(c.period) == "2024-06"]
    assert texts == ["One\r\ntwo\rthree\tfour"]


@pytest.mark.parametrize(
    ("old", "new", "column", "expected"),
    [
        ('name = "Test County Council"', f'name = "{"C" * 201}"', "name", "at most 200"),
        ('id = "srp"', f'id = "{"s" * 51}"', "committees[1].id", "at most 50"),
        ('id = "srp"', 'id = "s\\u0000rp"', "committees[1].id", "control characters"),
    ],
)
def test_organisation_text_the_database_could_not_hold_is_named(
    data_folder: DataFolder, old: str, new: str, column: str, expected: str
) -> None:
    toml = ORGANISATION.replace(old, new, 1)
    errors = [e for e in errors_of(data_folder(organisation=toml)) if e.column == column]
    assert len(errors) == 1
    assert expected in errors[0].expected


def test_errors_are_capped_at_a_thousand_with_a_count_of_the_rest(data_folder: DataFolder) -> None:
    """200 MB of duplicate rows once made 9.6 million errors and 11 GB of memory (issue 16)."""
    copies = 2_500  # each a second row for 214 in 2024-04, which the default file has already
    folder = data_folder(add_observations="214,2024-04,11.5,,,,,,\n" * copies)
    with pytest.raises(DataFileError) as raised:
        read_dataset(folder)
    error = raised.value
    assert error.count == copies
    assert len(error.errors) == 1_000
    assert str(error).endswith("... and 1,500 more errors (the first 1,000 are listed)")
