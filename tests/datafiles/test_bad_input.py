"""Bad input (formats.md): every mistake named with file, row, column and the value found.

Each case adds one line to a file of an otherwise valid folder; the error must sit on that line's
row, in the right column, show the value found and say what was expected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpiboard.datafiles import DataError, DataFileError, read_dataset
from kpiboard.datafiles.schema import INDICATORS

DataFolder = Callable[..., Path]
WithRow = Callable[[str, str], tuple[Path, int]]

INDICATOR_COLUMNS = INDICATORS.column_names
GOOD_INDICATOR = {
    "ref": "400",
    "name": "Road repairs",
    "unit": "number",
    "decimals": "0",
    "direction": "lower",
    "frequency": "quarter",
    "aggregation": "sum",
    "cumulative": "none",
    "category": "targeted",
    "committees": "srp",
    "directorate": "snp",
    "national_definition": "false",
}


def indicator_line(**changes: str) -> str:
    cells = {**GOOD_INDICATOR, **changes}
    return ",".join(cells.get(column, "") for column in INDICATOR_COLUMNS)


def errors_of(path: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(path)
    return raised.value.errors


def the_error(errors: tuple[DataError, ...], row: int, column: str) -> DataError:
    found = [e for e in errors if e.row == row and e.column == column]
    assert found, f"no error at row {row}, column {column}; got:\n" + "\n".join(map(str, errors))
    return found[0]


CASES = [
    # file, line added, column at fault, value found, part of what is expected
    # -- observations.csv
    ("observations", "999,2024-06,81,,,,,,", "ref", "999", "indicator in indicators.csv"),
    ("observations", "999,2024-06,80,81,100,,,,", "ref", "999", "indicator in indicators.csv"),
    ("observations", "214,2024-06,abc,,,,,,", "value", "abc", "a number"),
    # impossible figures (the bounds rule): the expected words name the indicator and bound
    ("observations", "214,2024-06,101,,,,,,", "value", "101", "a value from 0 to 100: 214 is a"),
    ("observations", "214,2024-06,10,,,-1,12,,", "lower_ci", "-1", "from 0 to 100: 214 is a"),
    ("observations", "214,2024-06,10,,,5,100.5,,", "upper_ci", "100.5", "from 0 to 100: 214"),
    ("observations", "300,2024/25 Q2,-3,,,,,,", "value", "-3", "a value of 0 or more: 300 is a"),
    ("observations", "182,2024-06,,-1,100,,,,", "numerator", "-1", "a count of 0 or more"),
    ("observations", "182,2024-06,,1,-100,,,,", "denominator", "-100", "a count of 0 or more"),
    ("observations", "182,2024-06,,0,0,,,,", "denominator", "0", "a denominator above 0"),
    (
        "observations",
        "182,2024-06,,120,100,,,,",
        "numerator",
        "120",
        "giving a value from 0 to 100: 182 is a percentage (120 / 100 x 100 = 120)",
    ),
    ("observations", "214,Septembre 2024,10,,,,,,", "period", "Septembre 2024", "a period"),
    ("observations", "214,2024/25 Q2,10,,,,,,", "period", "2024/25 Q2", "a month such as 2024-09"),
    ("observations", "300,2024-05,10,,,,,,", "period", "2024-05", "a quarter such as"),
    ("observations", "214,2024-04,11,,,,,,", "period", "2024-04", "row 4 has it already"),
    ("observations", "300,Q1 2024-25,37,,,,,,", "period", "Q1 2024-25", "row 5 has it already"),
    ("observations", "182,2024-06,80,81,100,,,,", "value", "80", "81 / 100 x 100 = 81.0"),
    ("observations", "182,2024-06,81,,,,,,", "numerator", "", "combines by ratio"),
    ("observations", "182,2024-06,81,81,,,,,", "denominator", "", "combines by ratio"),
    ("observations", "214,2024-06,10,,,12,8,,", "lower_ci", "12", "not above the upper limit 8"),
    ("observations", "214,2024-06,10,,,11,12,,", "value", "10", "not below the lower limit 11"),
    ("observations", "214,2024-06,13,,,11,12,,", "value", "13", "not above the upper limit 12"),
    (
        "observations",
        "182,2024-06,,81,100,82,90,,",
        "lower_ci",
        "82",
        "not above the value computed from numerator and denominator, 81 / 100 x 100 = 81",
    ),
    (
        "observations",
        "182,2024-06,,2,3,60,66.6,,",
        "upper_ci",
        "66.6",
        "not below the value computed from numerator and denominator, 2 / 3 x 100 = 66.66",
    ),
    ("observations", "214,2024-06,nan,,,,,,", "value", "nan", "a number"),
    ("observations", "300,2024/25 Q2,inf,,,,,,", "value", "inf", "a number"),
    ("observations", "300,2024/25 Q2,1e400,,,,,,", "value", "1e400", "a number"),
    ("observations", '300,2024/25 Q2,"1,234",,,,,,', "value", "1,234", "no commas"),
    ("observations", "214,2024-06,10,,,,,yes,", "rebase", "yes", "true or false"),
    ("observations", "214,2024-06,,,,,,,", "value", "", "a value, or a numerator"),
    ("observations", "214,,10,,,,,,", "period", "", "cannot be empty"),
    # -- targets.csv
    ("targets", "999,2024/25,50", "ref", "999", "indicator in indicators.csv"),
    ("targets", "182,2025/26,ninety", "target", "ninety", "a number"),
    ("targets", "182,2025/26,120", "target", "120", "a value from 0 to 100: 182 is a percentage"),
    ("targets", "300,2025/26 Q1,-1", "target", "-1", "a value of 0 or more: 300 is a count"),
    ("targets", "182,next year,90", "from", "next year", "a period"),
    ("targets", "182,2024-25,95", "from", "2024-25", "row 2 already starts"),
    ("targets", "182,2024/25 Q1,95", "from", "2024/25 Q1", "row 2 already starts"),
    # -- neighbours.csv
    ("neighbours", "999,2023/24,E10000015,Hertfordshire,5,,", "ref", "999", "indicators.csv"),
    (
        "neighbours",
        "182,2023/24,E10000015,Hertfordshire,150,,",
        "value",
        "150",
        "a value from 0 to 100: 182 is a percentage",
    ),
    ("neighbours", "182,2023/24,E10000015,Hertfordshire,n/a,,", "value", "n/a", "a number"),
    (
        "neighbours",
        "300,2024-05,E10000015,Hertfordshire,5,,",
        "period",
        "2024-05",
        "a quarter such as 2024/25 Q2, or a longer period",
    ),
    (
        "neighbours",
        "182,2023/24,E92000001,England,88,,",
        "area_code",
        "E92000001",
        "row 3 has it already",
    ),
    (
        "neighbours",
        "182,2024/25 Q1,E10000020,Norfolk,85,90,80",
        "lower_ci",
        "90",
        "not above the upper limit 80",
    ),
    (
        "neighbours",
        "182,2024/25 Q1,E10000020,Norfolk,95,80,90",
        "value",
        "95",
        "not above the upper limit 90",
    ),
    ("neighbours", "182,2024/25 Q1,,Norfolk,85,,", "area_code", "", "cannot be empty"),
    # -- commentary.csv
    ("commentary", "999,2024/25 Q1,Text,", "ref", "999", "indicator in indicators.csv"),
    ("commentary", "182,soon,Text,", "period", "soon", "a period"),
    ("commentary", "182,2024-25 Q1,Again,", "period", "2024-25 Q1", "row 2 has it already"),
    ("commentary", "182,2024/25 Q2,,Me", "commentary", "", "cannot be empty"),
    # -- indicators.csv
    ("indicators", indicator_line(ref="182"), "ref", "182", "row 2 has ref 182"),
    ("indicators", indicator_line(name=""), "name", "", "cannot be empty"),
    (
        "indicators",
        indicator_line(unit="percentage"),
        "unit",
        "percentage",
        "one of percent, number, currency, days, rate, score",
    ),
    ("indicators", indicator_line(direction="up"), "direction", "up", "one of higher, lower"),
    ("indicators", indicator_line(frequency="monthly"), "frequency", "monthly", "one of month"),
    ("indicators", indicator_line(aggregation="avg"), "aggregation", "avg", "one of latest"),
    ("indicators", indicator_line(cumulative="yes"), "cumulative", "yes", "one of none, ytd"),
    ("indicators", indicator_line(category="kpi"), "category", "kpi", "one of targeted"),
    (
        "indicators",
        indicator_line(tolerance_mode="loose"),
        "tolerance_mode",
        "loose",
        "one of relative, points",
    ),
    (
        "indicators",
        indicator_line(committees="srp;xyz"),
        "committees",
        "srp;xyz",
        "xyz is not one of them",
    ),
    ("indicators", indicator_line(committees=";"), "committees", ";", "committee ids"),
    (
        "indicators",
        indicator_line(directorate="nope"),
        "directorate",
        "nope",
        "nope is not one of them",
    ),
    ("indicators", indicator_line(ambitions="99"), "ambitions", "99", "99 is not one of them"),
    (
        "indicators",
        indicator_line(national_definition="yes"),
        "national_definition",
        "yes",
        "true or false",
    ),
    ("indicators", indicator_line(decimals="-1"), "decimals", "-1", "a whole number from 0 to 10"),
    ("indicators", indicator_line(decimals="1.5"), "decimals", "1.5", "a whole number"),
    ("indicators", indicator_line(decimals="11"), "decimals", "11", "a whole number"),
    ("indicators", indicator_line(red_at="0"), "red_at", "0", "a number above 0"),
    ("indicators", indicator_line(red_at="ten"), "red_at", "ten", "a number"),
    ("indicators", indicator_line(blue_above="-1"), "blue_above", "-1", "0 or more"),
    ("indicators", indicator_line(blue_above="never"), "blue_above", "never", "or none"),
    (
        "indicators",
        indicator_line(owner="Alex Morgan"),
        "owner",
        "Alex Morgan",
        "an e-mail address",
    ),
]


@pytest.mark.parametrize(
    ("file", "line", "column", "found", "expected"),
    CASES,
    ids=[f"{case[0]}-{case[2]}-{case[3] or 'empty'}" for case in CASES],
)
def test_each_mistake_is_named_where_it_is(
    with_row: WithRow, file: str, line: str, column: str, found: str, expected: str
) -> None:
    folder, row = with_row(file, line)
    error = the_error(errors_of(folder), row, column)
    assert error.file == f"{file}.csv"
    assert error.value == found
    assert expected in error.expected
    message = str(error)
    assert message.startswith(f"{file}.csv, row {row}, column {column}: ")
    assert (f'found "{found}"' if found else "found an empty cell") in message


@pytest.mark.parametrize(
    ("file", "line"),
    [
        ("observations", "214,2024-06,100.0,,,,,,"),  # 100.0 is 100: inside 0-100
        ("observations", "214,2024-06,0,,,0,0.5,,"),
        ("observations", "182,2024-06,,81,100,81,81,,"),  # computed value on both limits
        ("observations", "182,2024-06,,100,100,,,,"),  # numerator equal to its denominator
        ("observations", "182,2024-06,81.3,325,400,,,,"),  # 81.25 and 81.3 both 81.3 at 1 dp
        ("observations", "300,2024/25 Q2,12,,,,,,"),
        ("targets", "182,2025/26,100.00"),
        ("neighbours", "182,2024/25 Q1,E10000020,Norfolk,,,"),  # a suppressed value
    ],
)
def test_lines_at_the_edges_are_accepted(with_row: WithRow, file: str, line: str) -> None:
    folder, _ = with_row(file, line)
    read_dataset(folder)


def test_a_hair_above_100_per_cent_is_caught(with_row: WithRow) -> None:
    """Decided exactly, not by floats, which cannot tell 100.000000000000000001 from 100."""
    folder, row = with_row("observations", "214,2024-06,100.000000000000000001,,,,,,")
    error = the_error(errors_of(folder), row, "value")
    assert error.expected == "a value from 0 to 100: 214 is a percentage"


def test_a_date_is_the_period_containing_it_at_the_indicators_frequency(
    with_row: WithRow,
) -> None:
    """2024-08-15 on a quarterly indicator is 2024/25 Q2: no error."""
    folder, _ = with_row("observations", "300,2024-08-15,12,,,,,,")
    observations = read_dataset(folder).observations["300"]
    assert [str(o.period) for o in observations] == ["2024/25 Q1", "2024/25 Q2"]


def test_a_negative_value_of_a_number_indicator_with_min_none_is_fine(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    """A number is 0 or more by default (formats.md); ``min`` none lets a net change fall."""
    indicators = (
        default_files["indicators"]
        .replace("blue_above\n", "blue_above,min\n")
        .replace("contextual,ahc,snp,,false,,,,\n", "contextual,ahc,snp,,false,,,,,none\n")
    )
    assert ",none\n" in indicators
    folder = data_folder(indicators=indicators, add_observations="300,2024/25 Q2,-3,,,,,,\n")
    assert read_dataset(folder).observations["300"][-1].value == -3


def test_value_agreeing_at_the_indicators_decimals_is_fine(with_row: WithRow) -> None:
    """81.25 and 325/400 x 100 = 81.25 both round half up to 81.3 at one decimal."""
    folder, _ = with_row("observations", "182,2024-06,81.3,325,400,,,,")
    assert str(read_dataset(folder).observations["182"][-1].value) == "81.3"


def test_a_year_label_is_a_fine_target_start_for_a_monthly_indicator(with_row: WithRow) -> None:
    folder, _ = with_row("targets", "214,2025/26,11")
    targets = read_dataset(folder).targets["214"]
    assert [str(t.start) for t in targets] == ["2024-04", "2025/26"]


def test_a_date_as_target_start_is_read_at_the_indicators_frequency(with_row: WithRow) -> None:
    folder, _ = with_row("targets", "300,2025-01-15,35")
    assert str(read_dataset(folder).targets["300"][-1].start) == "2024/25 Q4"


def test_neighbour_data_may_be_coarser_than_the_indicator(with_row: WithRow) -> None:
    """Quarterly comparator data for a monthly indicator is fine."""
    folder, _ = with_row("neighbours", "214,2024/25 Q1,E10000015,Hertfordshire,12,,")
    (period,) = read_dataset(folder).neighbours["214"]
    assert str(period) == "2024/25 Q1"


def test_every_error_in_every_file_is_reported_at_once(data_folder: DataFolder) -> None:

    folder = data_folder(
        organisation=None,
        add_indicators="400,Roads,,number,0,sideways,quarter,,,targeted,srp,snp,,,,,,\n",
        add_targets="999,2024/25,50\n",
        add_observations="214,Septembre 2024,abc,,,,,,\n",
    )
    places = {(e.file, e.row, e.column) for e in errors_of(folder)}
    assert {
        ("organisation.toml", None, None),
        ("indicators.csv", 5, "direction"),
        ("targets.csv", 5, "ref"),
        ("observations.csv", 6, "period"),
        ("observations.csv", 6, "value"),
    } <= places


def test_errors_are_in_file_then_row_order(data_folder: DataFolder) -> None:

    folder = data_folder(
        add_targets="999,2024/25,50\n",
        add_observations="214,2024-07,abc,,,,,,\n214,2024-06,xyz,,,,,,\n",
    )
    errors = errors_of(folder)
    assert [(e.file, e.row) for e in errors] == [
        ("targets.csv", 5),
        ("observations.csv", 6),
        ("observations.csv", 7),
    ]
    assert str(DataFileError(errors)).splitlines() == [str(e) for e in errors]


def test_nothing_is_returned_when_one_cell_of_many_is_wrong(data_folder: DataFolder) -> None:

    rows = "".join(f"214,{1990 + i // 12}-{i % 12 + 1:02d},10,,,,,,\n" for i in range(300))
    folder = data_folder(add_observations=rows + "214,2030-01,ten,,,,,,\n")
    errors = errors_of(folder)
    assert [(e.row, e.column, e.value) for e in errors] == [(306, "value", "ten")]


def test_all_errors_of_a_column_are_listed_not_only_the_first(data_folder: DataFolder) -> None:

    bad = "".join(f"214,2030-{m:02d},x{m},,,,,,\n" for m in range(1, 13))
    errors = errors_of(data_folder(add_observations=bad))
    assert [e.value for e in errors] == [f"x{m}" for m in range(1, 13)]


@pytest.mark.parametrize(
    ("header", "column", "expected"),
    [
        ("ref,period,valeu", "valeu", "one of the columns ref, period, value"),
        ("ref,value", "period", "a column named period: it is required"),
        ("ref,period,value,Value", "value", "each column once"),
    ],
)
def test_header_mistakes_are_named_on_row_1(
    data_folder: DataFolder, header: str, column: str, expected: str
) -> None:
    errors = errors_of(data_folder(observations=header + "\n"))
    error = the_error(errors, 1, column)
    assert error.file == "observations.csv"
    assert expected in error.expected


def test_a_row_longer_than_the_header_is_named(data_folder: DataFolder) -> None:
    errors = errors_of(data_folder(targets="ref,from,target\n182,2024/25,90,oops\n"))
    assert [(e.file, e.row, e.column, e.value) for e in errors] == [("targets.csv", 2, "D", "oops")]


def test_text_that_is_not_utf8_is_named(data_folder: DataFolder) -> None:
    folder = data_folder()
    (folder / "commentary.csv").write_bytes(
        b"ref,period,commentary,author\n182,2024/25 Q1,Caf\xe9 opened,\n"
    )
    errors = errors_of(folder)
    assert [(e.file, e.row) for e in errors] == [("commentary.csv", 2)]
    assert "UTF-8" in errors[0].expected


def test_a_missing_indicators_file_is_an_error(data_folder: DataFolder) -> None:
    errors = errors_of(data_folder(indicators=None))
    assert ("indicators.csv", None) in {(e.file, e.row) for e in errors}


def test_a_path_that_is_neither_folder_nor_workbook(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("ref\n", encoding="utf-8")
    for path in (tmp_path / "missing", tmp_path / "data.csv"):
        errors = errors_of(path)
        assert "a data folder or an .xlsx workbook" in errors[0].expected
