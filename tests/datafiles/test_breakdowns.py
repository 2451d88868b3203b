"""breakdowns.csv (formats.md, optional): an indicator's figure by group, read with the rules of
observations.csv, groups listed by organisation.toml's ``[breakdowns.<ref>]``, a complete
breakdown that does not combine to its headline refused naming both figures, and written back."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from datafiles.conftest import ORGANISATION
from kpiboard.analysis.breakdowns import BreakdownTable, breakdown_tables
from kpiboard.analysis.model import Breakdown
from kpiboard.analysis.periods import Period
from kpiboard.datafiles import DataError, DataFileError, read_dataset, write_folder, write_workbook

DataFolder = Callable[..., Path]
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-council"

HEADER = "ref,period,group,value,numerator,denominator,note\n"
# 182: percent, ratio, monthly; 2024-05 is 81 of 100. 300: number, sum, quarterly; Q1 is 37.
GOOD = (
    HEADER
    + "182,2024-05,Registration,,50,60,Recruiting\n"
    + "182,2024-05,Education Transport,77.5,31,40,\n"
    + "300,2024/25 Q1,North,20,,,\n"
    + "300,2024/25 Q1,South,17,,,\n"
)
TABLES = """
[breakdowns.182]
by = "Service"
groups = ["Registration", "Education Transport"]

[breakdowns.300]
groups = ["North", "South"]
"""


def errors_of(folder: Path) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read_dataset(folder)
    return raised.value.errors


def test_breakdowns_are_read_as_observations_are(data_folder: DataFolder) -> None:
    dataset = read_dataset(data_folder(breakdowns=GOOD, organisation=ORGANISATION + TABLES))
    may = Period.month(2024, 5)
    assert dataset.breakdowns["182"] == (
        # 50 / 60 x 100, computed as observations' values are (value_given False)
        Breakdown(
            "182",
            may,
            "Registration",
            Decimal(50) * 100 / Decimal(60),
            Decimal(50),
            Decimal(60),
            "Recruiting",
            False,
        ),
        Breakdown("182", may, "Education Transport", Decimal("77.5"), Decimal(31), Decimal(40), ""),
    )
    assert [(b.group, b.value) for b in dataset.breakdowns["300"]] == [
        ("North", Decimal(20)),
        ("South", Decimal(17)),
    ]
    assert breakdown_tables(dataset.organisation) == {
        "182": BreakdownTable("182", ("Registration", "Education Transport"), "Service"),
        "300": BreakdownTable("300", ("North", "South"), "Group"),
    }


def test_a_folder_without_breakdowns_has_none(data_folder: DataFolder) -> None:
    assert read_dataset(data_folder()).breakdowns == {}


CASES = [
    # line, column, value found, part of what is expected
    ("999,2024-05,North,81,,,", "ref", "999", "indicator in indicators.csv"),
    ("214,2024-05,North,abc,,,", "value", "abc", "a number"),
    ("214,2024-05,North,101,,,", "value", "101", "a value from 0 to 100: 214 is a"),
    ("300,2024/25 Q2,North,-3,,,", "value", "-3", "a value of 0 or more"),
    ("214,2024/25 Q1,North,10,,,", "period", "2024/25 Q1", "a month such as 2024-09"),
    ("214,Septembre,North,10,,,", "period", "Septembre", "a period"),
    ("214,2024-05,,10,,,", "group", "", "cannot be empty"),
    ("214,2024-05,North,,,,", "value", "", "a numerator and a denominator to compute it"),
    ("182,2024-05,North,,-1,10,", "numerator", "-1", "a count of 0 or more"),
    ("182,2024-05,North,,1,0,", "denominator", "0", "a denominator above 0"),
    ("182,2024-05,North,,120,100,", "numerator", "120", "(120 / 100 x 100 = 120)"),
    ("182,2024-05,North,80,81,100,", "value", "80", "81 / 100 x 100 = 81.0"),
    ("182,2024-05,North,81,,100,", "numerator", "", "the indicator combines by ratio"),
    ("182,2024-05,North,81,81,,", "denominator", "", "the indicator combines by ratio"),
    (
        "300,2024/25 Q1,North,3,,,",
        "group",
        "North",
        "one row for group North of ref 300 in period 2024/25 Q1: row 4 has it already",
    ),
]


@pytest.mark.parametrize(("line", "column", "found", "expected"), CASES)
def test_each_mistake_is_named_where_it_is(
    data_folder: DataFolder, line: str, column: str, found: str, expected: str
) -> None:
    errors = errors_of(data_folder(breakdowns=GOOD + line + "\n"))
    assert {(e.file, e.row) for e in errors} == {("breakdowns.csv", 6)}
    named = [e for e in errors if e.column == column and expected in e.expected]
    assert named, "\n".join(map(str, errors))
    assert named[0].value == found


def test_a_group_the_table_does_not_list_is_refused(data_folder: DataFolder) -> None:
    folder = data_folder(
        breakdowns=GOOD + "300,2024/25 Q2,West,5,,,\n", organisation=ORGANISATION + TABLES
    )
    (error,) = errors_of(folder)
    assert (error.file, error.row, error.column, error.value) == (
        "breakdowns.csv",
        6,
        "group",
        "West",
    )
    assert error.expected == (
        "one of the groups of [breakdowns.300] in organisation.toml: North, South"
    )


@pytest.mark.parametrize(
    ("table", "key", "expected"),
    [
        ('[breakdowns.300]\ngroups = "North"\n', "breakdowns.300.groups", "a list of the groups"),
        ("[breakdowns.300]\ngroups = []\n", "breakdowns.300.groups", "a list of the groups"),
        ('[breakdowns.300]\ngroups = ["N", "N"]\n', "breakdowns.300.groups", "each group named"),
        ('[breakdowns.300]\ngroups = ["N"]\nby = 3\n', "breakdowns.300.by", "what the groups"),
        ('[breakdowns.300]\ngroups = ["N"]\nlist = 1\n', "breakdowns.300.list", "groups, by"),
        ('[breakdowns.999]\ngroups = ["N"]\n', "breakdowns.999", "indicator in indicators.csv"),
        ("breakdowns = 3\n", "breakdowns", "a table [breakdowns.<ref>]"),
    ],
)
def test_mistakes_in_the_groups_table_name_its_key(
    data_folder: DataFolder, table: str, key: str, expected: str
) -> None:
    # a plain key must come before organisation.toml's first table
    text = table + ORGANISATION if table.startswith("breakdowns =") else ORGANISATION + table
    errors = errors_of(data_folder(organisation=text))
    named = [e for e in errors if e.column == key and expected in e.expected]
    assert named, "\n".join(map(str, errors))
    assert {(e.file, e.row) for e in errors} == {("organisation.toml", None)}


def test_a_complete_breakdown_that_does_not_add_up_names_both_figures(
    data_folder: DataFolder,
) -> None:
    """300 combines by sum: North 20 and South 16 make 36, not the headline 37."""
    lines = HEADER + "300,2024/25 Q1,North,20,,,\n300,2024/25 Q1,South,16,,,\n"
    (error,) = errors_of(data_folder(breakdowns=lines, organisation=ORGANISATION + TABLES))
    assert (error.file, error.row, error.column, error.value) == (
        "breakdowns.csv",
        2,
        "value",
        "36",
    )
    assert error.expected == (
        "the groups of 300 in 2024/25 Q1 to combine to its headline figure 37 "
        "(observations.csv); their values add up to 36"
    )


def test_a_ratio_combines_by_its_counts(data_folder: DataFolder) -> None:
    """182 combines by ratio: 50 of 60 and 30 of 40 are 80 of 100, 80.0, not the headline 81
    (although the two groups' own percentages, 83.3 and 75, average 79.2)."""
    lines = HEADER + "182,2024-05,Registration,,50,60,\n182,2024-05,Education Transport,,30,40,\n"
    (error,) = errors_of(data_folder(breakdowns=lines, organisation=ORGANISATION + TABLES))
    assert error.value == "80.0"
    assert "headline figure 81.0" in error.expected
    assert "their numerators over their denominators give 80.0" in error.expected


def test_counts_combine_as_a_ratio_whatever_the_indicator_does_across_periods(
    data_folder: DataFolder,
) -> None:
    """214 combines periods by latest; groups given as counts still add up as counts: 30 of
    200 and 3 of 100 are 11.0%, not 2024-04's 11.5. Given only as percentages, they are not
    checked (a mean of groups' percentages is not the whole's)."""
    table = '\n[breakdowns.214]\ngroups = ["A", "B"]\n'
    counts = HEADER + "214,2024-04,A,,30,200,\n214,2024-04,B,,3,100,\n"
    (error,) = errors_of(data_folder(breakdowns=counts, organisation=ORGANISATION + table))
    assert error.value == "11.0"
    assert "headline figure 11.5" in error.expected
    values = HEADER + "214,2024-04,A,15,,,\n214,2024-04,B,3,,,\n"
    read_dataset(data_folder(breakdowns=values, organisation=ORGANISATION + table))


def test_an_incomplete_breakdown_or_one_without_a_table_is_not_combined(
    data_folder: DataFolder,
) -> None:
    """Only North of 300's two groups: nothing to combine. Without [breakdowns.300], no
    breakdown of 300 is complete, so North 1 and South 1 are fine."""
    only_north = HEADER + "300,2024/25 Q1,North,1,,,\n"
    read_dataset(data_folder(breakdowns=only_north, organisation=ORGANISATION + TABLES))
    both = HEADER + "300,2024/25 Q1,North,1,,,\n300,2024/25 Q1,South,1,,,\n"
    read_dataset(data_folder(breakdowns=both))


def test_the_groups_of_a_period_without_a_headline_are_not_combined(
    data_folder: DataFolder,
) -> None:
    lines = HEADER + "300,2024/25 Q2,North,1,,,\n300,2024/25 Q2,South,1,,,\n"
    read_dataset(data_folder(breakdowns=lines, organisation=ORGANISATION + TABLES))


@pytest.mark.parametrize("workbook", [False, True], ids=["folder", "workbook"])
def test_breakdowns_and_their_groups_survive_a_round_trip(
    data_folder: DataFolder, tmp_path: Path, workbook: bool
) -> None:
    dataset = read_dataset(data_folder(breakdowns=GOOD, organisation=ORGANISATION + TABLES))
    target = tmp_path / ("out.xlsx" if workbook else "out")
    (write_workbook if workbook else write_folder)(dataset, target)
    again = read_dataset(target)
    assert again.breakdowns == dataset.breakdowns
    assert breakdown_tables(again.organisation) == breakdown_tables(dataset.organisation)
    assert again == dataset


def test_the_demo_councils_190_has_the_seed_papers_services() -> None:
    """Registration 61% and Education Transport 66% in August 2024 (the seed paper), and each
    month's services combine exactly to 190's figure (the reader would refuse them otherwise)."""
    dataset = read_dataset(DEMO)
    rows = dataset.breakdowns["190"]
    share = {(str(b.period), b.group): b.value for b in rows}
    assert [share[m, "Registration"] for m in ("2024-07", "2024-08", "2024-09")] == [78, 61, 72]
    assert [share[m, "Education Transport"] for m in ("2024-08", "2024-09")] == [66, 75]
    figures = {str(o.period): o.value for o in dataset.observations["190"]}
    for month in ("2024-07", "2024-08", "2024-09"):
        month_rows = [b for b in rows if str(b.period) == month]
        resolved = sum(b.numerator or 0 for b in month_rows)
        contacts = sum(b.denominator or 0 for b in month_rows)
        assert Decimal(resolved) * 100 / Decimal(contacts) == figures[month]
    assert figures["2024-08"] == Decimal("76.1")
