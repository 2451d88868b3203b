"""National comparator files in: Oflog's CSV, LG Inform's JSON and wide CSV, neighbour groups.

Small hand-written files pin each rule (periods, suppressed values, every error with its file, row,
column, value and what was expected); the real Oflog file is imported into the demo council and
its ranks checked against a count made with the csv module alone (tests/oflog_count.py).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import Direction, NeighbourValue
from kpiboard.analysis.periods import Frequency, parse_period
from kpiboard.datafiles import (
    DataError,
    DataFileError,
    NeighbourImportError,
    SourceFormat,
    neighbours_import,
    rank_areas,
    read_area_group,
    read_dataset,
    read_lginform_csv,
    read_lginform_json,
    read_oflog,
    sniff_format,
    write_folder,
    write_workbook,
)
from oflog_count import (
    CAMBRIDGESHIRE,
    OFLOG_ALL,
    OFLOG_NEIGHBOURS,
    PUBLIC,
    ROOT,
    check_against_count,
    nearest_neighbours,
    oflog_values,
)

DataFolder = Callable[..., Path]
DEMO = ROOT / "examples" / "demo-council"
LGINFORM_SAMPLE = PUBLIC / "lginform_data_table_sample_record.json"
TRAFFORD_CIPFA = PUBLIC / "trafford_cipfa_neighbours_2019.csv"


def written(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def shown(rows: tuple[NeighbourValue, ...]) -> list[tuple[str, str, str, D | None]]:
    return [(str(r.period), r.area_code, r.area_name, r.value) for r in rows]


def errors_of(read: Callable[[], object]) -> tuple[DataError, ...]:
    with pytest.raises(DataFileError) as raised:
        read()
    return raised.value.errors


def assert_errors(
    errors: tuple[DataError, ...],
    expected: list[tuple[int | None, str | None, str | None, str]],
    file: str,
) -> None:
    """Each expected (row, column, value found, part of what was expected) is among the errors,
    and there are no others."""
    listing = "\n".join(map(str, errors))
    for row, column, value, part in expected:
        assert any(
            e.file == file
            and e.row == row
            and e.column == column
            and e.value == value
            and part in e.expected
            for e in errors
        ), f"no error at row {row}, column {column}, value {value!r}, {part!r}:\n{listing}"
    assert len(errors) == len(expected), listing


# -- Oflog -----------------------------------------------------------------------------------

OFLOG = """\
Financial year,Local authority code,Local authority name,Grouping,Measure,Code,Value,MEDIAN
2021-22,E10000003,Cambridgeshire,LA_Raw,"Outcome, ASC Carer Quality of Life",ASC1,7.2,7.2
2022-23,E10000003,Cambridgeshire,LA_Raw,"Outcome, ASC Carer Quality of Life",ASC1,[c],7.3
2021-22,E10000012,Essex,LA_Raw,"Outcome, ASC Carer Quality of Life",ASC1,,7.2
2021-22,E10000012,Essex,LA_Raw,"Outcome, ASC Quality of Life",ASC2,0.41,0.4
2011-12,E10000012,Essex,LA_Raw,"Outcome, ASC Carer Quality of Life",ASC1,"1,414.50",7.0
"""


def test_oflog_rows_of_one_metric_in_period_then_area_order(tmp_path: Path) -> None:
    """2011-12 is the financial year 2011/12 (not December 2011); [c] and an empty cell are
    suppressed values; ASC2's row is another metric's; 1,414.50 keeps its digits."""
    path = written(tmp_path, "oflog.csv", OFLOG)
    rows = read_oflog(path, ref="ASC1", metric="ASC1")
    assert shown(rows) == [
        ("2011/12", "E10000012", "Essex", D("1414.50")),
        ("2021/22", "E10000003", "Cambridgeshire", D("7.2")),
        ("2021/22", "E10000012", "Essex", None),
        ("2022/23", "E10000003", "Cambridgeshire", None),
    ]
    assert {r.ref for r in rows} == {"ASC1"}
    assert all(r.period.frequency is Frequency.YEAR for r in rows)


@pytest.mark.parametrize(
    "mark", ["", "x", "X", "c", "[c]", "[x]", "[z]", "[low]", "..", "-", "*", "n/a", "NaN", ":"]
)
def test_a_suppressed_value_is_none_not_an_error(tmp_path: Path, mark: str) -> None:
    text = f"Financial year,Local authority code,Code,Value\n2022-23,E10000003,ASC1,{mark}\n"
    (row,) = read_oflog(written(tmp_path, "o.csv", text), ref="1", metric="ASC1")
    assert row.value is None


def test_oflog_metric_is_chosen_or_the_only_one(tmp_path: Path) -> None:
    path = written(tmp_path, "oflog.csv", OFLOG)
    assert {r.area_code for r in read_oflog(path, ref="2", metric="ASC2")} == {"E10000012"}
    one = written(
        tmp_path,
        "one.csv",
        "Financial year,Local authority code,Code,Value\n"
        "2021-22,E10000003,ASC1,7.2\n2022-23,E10000003,ASC1,7.3\n",
    )
    assert len(read_oflog(one, ref="1")) == 2  # no metric needed: the file holds only ASC1
    assert_errors(
        errors_of(lambda: read_oflog(path, ref="1")),
        [(None, "Code", None, "one metric, or a metric chosen from those in the file: ASC1, ASC2")],
        "oflog.csv",
    )
    assert_errors(
        errors_of(lambda: read_oflog(path, ref="1", metric="ASC9")),
        [(None, "Code", "ASC9", "a metric that the file holds: ASC1, ASC2")],
        "oflog.csv",
    )


BAD_OFLOG = """\
Financial year,Local authority code,Local authority name,Code,Value
2021-22,E10000003,Cambridgeshire,ASC3,abc
2021/2,E10000012,Essex,ASC3,71.1
2021-22,Essex,Essex,ASC3,70.1
2021-22,E10000003,Cambridgeshire,ASC3,70.3
2021-22,,Nowhere,ASC3,60
2021-22,E10000013,Gloucestershire,ASC3,81.5%
,E10000014,Hampshire,ASC3,101
2021-22,E10000015,Hertfordshire,ASC4,not read: another metric
"""


def test_every_error_of_an_oflog_file_at_once(tmp_path: Path) -> None:
    path = written(tmp_path, "bad.csv", BAD_OFLOG)
    errors = errors_of(lambda: read_oflog(path, ref="ASC3", metric="ASC3", percent=True))
    assert_errors(
        errors,
        [
            (2, "Value", "abc", "a number, such as 81.5"),
            (3, "Financial year", "2021/2", "a period"),
            (4, "Local authority code", "Essex", "a GSS code"),
            (5, "Local authority code", "E10000003", "row 2 has one already"),
            (6, "Local authority code", "", "an area code"),
            (7, "Value", "81.5%", "no spaces or % sign"),
            (8, "Financial year", "", "a period: this cell cannot be empty"),
            (8, "Value", "101", "a value from 0 to 100: ASC3 is a percentage"),
        ],
        "bad.csv",
    )
    assert [e.row for e in errors] == sorted(e.row or 0 for e in errors)
    assert 'bad.csv, row 2, column Value: found "abc", expected a number' in str(errors[0])


def test_an_oflog_file_without_its_columns_is_named_on_row_1(tmp_path: Path) -> None:
    path = written(tmp_path, "o.csv", "Year,Local authority code,Code,Amount\n2021-22,E1,A,1\n")
    assert_errors(
        errors_of(lambda: read_oflog(path, ref="1", metric="A")),
        [
            (1, "financial year", None, "a column named financial year"),
            (1, "value", None, "a column named value"),
        ],
        "o.csv",
    )


def test_the_real_oflog_file_reads_every_area_of_a_metric() -> None:
    """Counted with the csv module: every ASC1 row, its value or None where the cell is empty."""
    with OFLOG_ALL.open(encoding="utf-8") as handle:
        expected = {
            (row["Financial year"].replace("-", "/"), row["Local authority code"]): (
                D(row["Value"]) if row["Value"].strip() else None
            )
            for row in csv.DictReader(handle)
            if row["Code"] == "ASC1"
        }
    rows = read_oflog(OFLOG_ALL, ref="ASC1", metric="ASC1", frequency=Frequency.YEAR)
    assert {(str(r.period), r.area_code): r.value for r in rows} == expected
    assert len(rows) == len(expected) == 456


# -- LG Inform's JSON ------------------------------------------------------------------------


def test_lg_informs_sample_record_reads_as_one_row() -> None:
    """The real sample, wrapped in an object: 2018/19 (academic) is the year 2018/19."""
    (row,) = read_lginform_json(LGINFORM_SAMPLE, ref="10749", metric="10749")
    assert (str(row.period), row.area_code, row.area_name) == ("2018/19", "E06000001", "Hartlepool")
    assert row.value == D("3.51")
    assert sniff_format(LGINFORM_SAMPLE) is SourceFormat.LGINFORM_JSON


def record(area: str, period: str, value: object, **extra: object) -> dict[str, object]:
    return {
        "metricTypeIdentifier": extra.pop("metric", "10749"),
        "areaIdentifier": area,
        "areaLabel": f"Area {area}",
        "periodLabel": period,
        "value": value,
        **extra,
    }


@pytest.mark.parametrize(
    "wrap",
    [
        lambda records: records,
        lambda records: {"rows": records},
        lambda records: {"_source": "LG Inform", "data": records},
    ],
)
def test_lg_inform_json_as_a_list_or_wrapped(tmp_path: Path, wrap: Callable[[Any], Any]) -> None:
    limits = {"confidenceIntervalLower": 3.1, "confidenceIntervalUpper": 3.4}
    records = [
        record("E06000001", "2019/20", 3.25, **limits),
        record("E06000002", "Q1 2019/20", None),
        record("E06000003", "Jun 2019", "x"),
        record("E92000001", "2019/20", 3.3),
        record("X01", "2019/20", 2.9, areaLabel="CIPFA neighbours mean", areaIsSummary=True),
        record("E06000001", "2019/20", 99, metric="11111"),
    ]
    path = written(tmp_path, "lg.json", json.dumps(wrap(records)))
    rows = read_lginform_json(path, ref="7", metric="10749")
    assert shown(rows) == [
        ("2019/20 Q1", "E06000002", "Area E06000002", None),  # a shorter period first
        ("2019/20", "E06000001", "Area E06000001", D("3.25")),
        ("2019/20", "E92000001", "Area E92000001", D("3.3")),
        ("2019-06", "E06000003", "Area E06000003", None),
    ]
    assert (rows[1].lower_ci, rows[1].upper_ci) == (D("3.1"), D("3.4"))


def test_every_error_of_an_lg_inform_json_file_at_once(tmp_path: Path) -> None:
    records: list[object] = [
        record("E06000001", "2018/19", "abc"),
        record("E06000002", "Jun 2019", 3.2),
        record("E06000003", "2018/19", 3.1, confidenceIntervalLower=3.5, confidenceIntervalUpper=4),
        42,
        {"areaIdentifier": "E06000004", "value": 1, "metricTypeIdentifier": "10749"},
        record("E06000001", "2018/19 (academic)", 3.0),
    ]
    path = written(tmp_path, "lg.json", json.dumps(records))
    errors = errors_of(lambda: read_lginform_json(path, ref="7", frequency=Frequency.YEAR))
    assert_errors(
        errors,
        [
            (1, "value", "abc", "a number"),
            (2, "periodLabel", "Jun 2019", "a year such as 2024/25, or a longer period"),
            (3, "value", "3.1", "a value not below its lower limit 3.5"),
            (4, None, "42", "a record"),
            (5, "periodLabel", None, "a field periodLabel"),
            (6, "areaIdentifier", "E06000001", "row 1 has one already"),
        ],
        "lg.json",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [{"x": 1}], "b": [{"y": 2}]}', "a list of LG Inform data.table records"),
        ('"text"', "a list of LG Inform data.table records"),
        ('[{"area": "E06000001"}]', "records with a field areaIdentifier"),
        ("[{]", "JSON that can be read"),
    ],
)
def test_json_that_is_not_lg_informs_is_one_error(tmp_path: Path, text: str, expected: str) -> None:
    path = written(tmp_path, "x.json", text)
    errors = errors_of(lambda: read_lginform_json(path, ref="1"))
    assert len(errors) == 1
    assert expected in errors[0].expected
    assert errors[0].file == "x.json"


def test_lg_inform_json_with_two_metrics_needs_one_chosen(tmp_path: Path) -> None:
    records = [record("E06000001", "2019/20", 1), record("E06000001", "2019/20", 2, metric="20")]
    path = written(tmp_path, "lg.json", json.dumps(records))
    assert [r.value for r in read_lginform_json(path, ref="1", metric="20")] == [D(2)]
    assert_errors(
        errors_of(lambda: read_lginform_json(path, ref="1")),
        [(None, "metricTypeIdentifier", None, "from those in the file: 10749, 20")],
        "lg.json",
    )


# -- LG Inform's wide CSV --------------------------------------------------------------------


def test_lg_inform_wide_csv_areas_down_periods_across(tmp_path: Path) -> None:
    text = (
        "Area,Code,2020/21 (financial),Jun 2021,2021/22\n"
        "Hartlepool,E06000001,12.5,x,13\n"
        "\n"
        'Middlesbrough,E06000002,"1,414.2",[c],\n'
    )
    path = written(tmp_path, "lg.csv", text)
    assert sniff_format(path) is SourceFormat.LGINFORM_CSV
    rows = read_lginform_csv(path, ref="5")
    assert shown(rows) == [
        ("2020/21", "E06000001", "Hartlepool", D("12.5")),
        ("2020/21", "E06000002", "Middlesbrough", D("1414.2")),
        ("2021/22", "E06000001", "Hartlepool", D("13")),
        ("2021/22", "E06000002", "Middlesbrough", None),
        ("2021-06", "E06000001", "Hartlepool", None),
        ("2021-06", "E06000002", "Middlesbrough", None),
    ]


def test_every_error_of_a_wide_csv_at_once(tmp_path: Path) -> None:
    text = (
        "Code,Name,2021/22,2022/23,Spring,2021-22,Q1 2023/24\n"
        "E06000001,Hartlepool,abc,5,1,2,3\n"
        "Hartlepool,E06000002,1,2,3,4,5\n"
    )
    path = written(tmp_path, "wide.csv", text)
    errors = errors_of(lambda: read_lginform_csv(path, ref="5", frequency=Frequency.YEAR))
    assert_errors(
        errors,
        [
            (1, "Spring", "Spring", "a period"),
            (1, "2021-22", "2021-22", "each period once: column C is also 2021-22"),
            (1, "Q1 2023/24", "Q1 2023/24", "a year such as 2024/25, or a longer period"),
            (2, "2021/22", "abc", "a number"),
            (3, "Code", "Hartlepool", "a GSS code"),  # once, not once for each period
        ],
        "wide.csv",
    )


def test_a_wide_csv_needs_a_column_of_area_codes(tmp_path: Path) -> None:
    path = written(tmp_path, "wide.csv", "Area,2021/22\nHartlepool,5\n")
    assert_errors(
        errors_of(lambda: read_lginform_csv(path, ref="5")),
        [(1, None, "Area,2021/22", "a column of area codes named area code or code")],
        "wide.csv",
    )


# -- neighbour groups ------------------------------------------------------------------------


def test_oflogs_nearest_neighbour_map_gives_the_councils_group() -> None:
    group = read_area_group(OFLOG_NEIGHBOURS, area_code=CAMBRIDGESHIRE)
    assert set(group) == nearest_neighbours()
    assert len(group) == 16


def test_a_cipfa_list_gives_its_codes_in_order() -> None:
    with TRAFFORD_CIPFA.open(encoding="utf-8") as handle:
        codes = [row["Code"] for row in csv.DictReader(handle)]
    assert read_area_group(TRAFFORD_CIPFA) == tuple(codes)
    assert len(codes) == 15


@pytest.mark.parametrize(
    ("text", "area_code", "expected"),
    [
        ("E06000001\nE06000002\n", None, ("E06000001", "E06000002")),
        ("area_code,name\nE06000001,Hartlepool\n\nE06000002,x\n", None, ("E06000001", "E06000002")),
        ("focus_code,neighbour_code\nE1,E2\nE10000003,E10000012\n", "E10000003", ("E10000012",)),
    ],
)
def test_group_file_shapes(
    tmp_path: Path, text: str, area_code: str | None, expected: tuple[str, ...]
) -> None:
    assert read_area_group(written(tmp_path, "g.csv", text), area_code=area_code) == expected


@pytest.mark.parametrize(
    ("text", "area_code", "expected"),
    [
        (
            "E06000001\nHartlepool\nE06000001\n",
            None,
            [(2, "A", "Hartlepool", "a GSS code"), (3, "A", "E06000001", "row 1 has E06000001")],
        ),
        (
            "rank,Name\n1,Warrington\n",
            None,
            [(1, None, "rank,Name", "a column of area codes named code or area_code")],
        ),
        (
            "focus_code,neighbour_code\nE06000001,E06000002\nE06000009,E06000002\n",
            "E10000003",
            [(None, "focus_code", None, "the file has E06000001, E06000009")],
        ),
        ("Code\n\n", None, [(None, None, None, "at least one area code")]),
    ],
)
def test_group_file_errors(
    tmp_path: Path,
    text: str,
    area_code: str | None,
    expected: list[tuple[int | None, str | None, str | None, str]],
) -> None:
    path = written(tmp_path, "g.csv", text)
    assert_errors(errors_of(lambda: read_area_group(path, area_code=area_code)), expected, "g.csv")


# -- the neighbour group in organisation.toml ------------------------------------------------


def test_an_inline_group_is_a_setting(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    toml = default_files["organisation"] + '\n[neighbours]\ngroup = ["E10000012", "E10000013"]\n'
    settings = read_dataset(data_folder(organisation=toml)).organisation.settings
    assert settings.neighbour_group == frozenset({"E10000012", "E10000013"})
    assert read_dataset(data_folder()).organisation.settings.neighbour_group is None


def test_a_group_file_beside_organisation_toml(
    data_folder: DataFolder, default_files: dict[str, str]
) -> None:
    """Oflog's map, picked by the council's area_code (E10000003 in the test folder)."""
    toml = default_files["organisation"] + '\n[neighbours]\ngroup = "nn.csv"\n'
    folder = data_folder(organisation=toml)
    shutil.copy(OFLOG_NEIGHBOURS, folder / "nn.csv")
    group = read_dataset(folder).organisation.settings.neighbour_group
    assert group == frozenset(nearest_neighbours())


TOML, GROUP = "organisation.toml", "neighbours.group"


@pytest.mark.parametrize(
    ("group", "file_text", "expected"),
    [
        # the group as written, a group file's text, (file, row, column, value, expected)
        ('"missing.csv"', None, (TOML, None, GROUP, "missing.csv", "a file of area codes")),
        ('["E1000001"]', None, (TOML, None, GROUP, "E1000001", "a GSS code")),
        ('["E10000012", "E10000012"]', None, (TOML, None, GROUP, "E10000012", "once")),
        ("[]", None, (TOML, None, GROUP, "[]", "at least one area code")),
        ("5", None, (TOML, None, GROUP, "5", "a list of area codes")),
        ('"g.csv"', "Code\nE10000012\nNowhere\n", ("g.csv", 3, "Code", "Nowhere", "a GSS code")),
    ],
)  # fmt: skip
def test_a_bad_group_is_named(
    data_folder: DataFolder,
    default_files: dict[str, str],
    group: str,
    file_text: str | None,
    expected: tuple[str, int | None, str, str, str],
) -> None:
    toml = default_files["organisation"] + f"\n[neighbours]\ngroup = {group}\n"
    folder = data_folder(organisation=toml)
    if file_text is not None:
        written(folder, "g.csv", file_text)
    file, row, column, value, part = expected
    assert_errors(errors_of(lambda: read_dataset(folder)), [(row, column, value, part)], file)


def test_the_group_round_trips_through_a_folder_and_a_workbook(
    data_folder: DataFolder, default_files: dict[str, str], tmp_path: Path
) -> None:
    """Written inline (the folder needs no other file), codes sorted; read back the same."""
    toml = default_files["organisation"] + '\n[neighbours]\ngroup = "cipfa.csv"\n'
    folder = data_folder(organisation=toml)
    shutil.copy(TRAFFORD_CIPFA, folder / "cipfa.csv")
    original = read_dataset(folder)
    assert original.organisation.settings.neighbour_group is not None
    write_folder(original, tmp_path / "once")
    assert not (tmp_path / "once" / "cipfa.csv").exists()
    again = read_dataset(tmp_path / "once")
    assert again == original
    write_folder(again, tmp_path / "twice")
    for name in ("organisation.toml", "neighbours.csv"):
        assert (tmp_path / "once" / name).read_bytes() == (tmp_path / "twice" / name).read_bytes()
    toml_written = (tmp_path / "once" / "organisation.toml").read_text(encoding="utf-8")
    assert '"E06000005"' in toml_written  # Darlington, from the file, now inline
    write_workbook(original, tmp_path / "book.xlsx")
    assert read_dataset(tmp_path / "book.xlsx").organisation == original.organisation


# -- ranking every area at once --------------------------------------------------------------


def test_rank_areas_by_metric_and_period() -> None:
    """Ties share the better rank (1, 2, 2, 4); lower is better reverses it; none gives no rank;
    each metric and period is ranked apart; an area without a value has no rank."""
    rows = [
        # metric, period, area, value, expected rank, expected areas, expected quartile
        ("H", "2022/23", "A", 9.0, 1, 4, 1),
        ("H", "2022/23", "B", 7.0, 2, 4, 2),
        ("H", "2022/23", "C", 7.0, 2, 4, 2),
        ("H", "2022/23", "D", 5.0, 4, 4, 4),
        ("H", "2022/23", "E", None, None, 4, None),
        ("H", "2023/24", "A", 1.0, 2, 2, 4),
        ("H", "2023/24", "B", 3.0, 1, 2, 2),
        ("L", "2022/23", "A", 9.0, 4, 4, 4),
        ("L", "2022/23", "B", 7.0, 2, 4, 2),
        ("L", "2022/23", "C", 7.0, 2, 4, 2),
        ("L", "2022/23", "D", 5.0, 1, 4, 1),
        ("N", "2022/23", "A", 9.0, None, 2, None),
        ("N", "2022/23", "B", 7.0, None, 2, None),
    ]
    frame = pl.DataFrame(
        [row[:4] for row in rows],
        schema={
            "metric": pl.String,
            "period": pl.String,
            "area_code": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )
    ranked = rank_areas(frame, {"H": Direction.HIGHER, "L": Direction.LOWER, "N": Direction.NONE})
    assert ranked.select("rank", "areas", "quartile").rows() == [row[4:] for row in rows]
    with pytest.raises(ValueError, match="no direction for the metrics L, N"):
        rank_areas(frame, {"H": Direction.HIGHER})


def test_national_ranks_of_the_real_oflog_file_match_a_count() -> None:
    """Every ASC metric, year and area ranked at once; Cambridgeshire's rank in each year is
    1 + the number of councils strictly better, counted from the raw rows."""
    directions = {
        i.ref: i.direction for i in read_dataset(DEMO).indicators if i.ref.startswith("ASC")
    }
    frames = []
    for metric in directions:
        rows = read_oflog(OFLOG_ALL, ref=metric, metric=metric)
        frames.append(
            pl.DataFrame(
                {
                    "metric": [metric] * len(rows),
                    "period": [str(r.period) for r in rows],
                    "area_code": [r.area_code for r in rows],
                    "value": [None if r.value is None else float(r.value) for r in rows],
                }
            )
        )
    ranked = rank_areas(pl.concat(frames), directions)
    counted = oflog_values()
    checked = 0
    for metric, years in counted.items():
        sign = directions[metric].sign
        for year, areas in years.items():
            if CAMBRIDGESHIRE not in areas:
                continue
            own = areas[CAMBRIDGESHIRE]
            found = ranked.filter(
                (pl.col("metric") == metric)
                & (pl.col("period") == year.replace("-", "/"))
                & (pl.col("area_code") == CAMBRIDGESHIRE)
            ).row(0, named=True)
            assert found["areas"] == len(areas), (metric, year)
            if sign == 0:
                assert found["rank"] is None
                continue
            better = sum(1 for value in areas.values() if sign * value > sign * own)
            assert found["rank"] == better + 1, (metric, year)
            checked += 1
    assert checked >= 20  # ASC1-ASC5, in each year Cambridgeshire has a value


# -- importing into a data folder ------------------------------------------------------------


def test_the_real_oflog_file_imports_and_ranks_within_the_group(tmp_path: Path) -> None:
    """Every English council's values into the demo council; with Oflog's nearest-neighbour
    group set, Cambridgeshire is ranked among its 16, as counted from the raw rows; without it,
    among every council with a value."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    shutil.copy(OFLOG_NEIGHBOURS, folder / "nearest_neighbours.csv")
    toml = folder / "organisation.toml"
    plain = toml.read_text(encoding="utf-8")
    toml.write_text(plain + '\n[neighbours]\ngroup = "nearest_neighbours.csv"\n', encoding="utf-8")
    with OFLOG_ALL.open(encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    counted = oflog_values()
    for code in counted:
        summary = neighbours_import(folder=folder, source=OFLOG_ALL, ref=code, metric=code)
        in_file = [row for row in raw if row["Code"] == code]  # suppressed values are rows too
        assert summary.rows == len(in_file)
        assert summary.areas == len({row["Local authority code"] for row in in_file})
        assert summary.source_format is SourceFormat.OFLOG
    dataset = read_dataset(folder)
    asc1 = [n for rows in dataset.neighbours["ASC1"].values() for n in rows]
    assert len(asc1) == 456
    period = parse_period("2024/25 Q2")
    grouped = evaluate(dataset, period, "ahc")
    assert check_against_count(grouped, oflog_values(nearest_neighbours())) >= 4
    toml.write_text(plain, encoding="utf-8")
    everyone = evaluate(read_dataset(folder), period, "ahc")
    assert check_against_count(everyone, counted) >= 4
    assert all(r.neighbours is not None and r.neighbours.n > 100 for r in everyone.indicators)


LG_WIDE_182 = """\
Area code,Area name,2022/23,2023/24
E10000003,Cambridgeshire,78,80.5
E10000012,Essex,81,82
E92000001,England,85,86
"""


def test_an_import_replaces_the_indicators_periods_and_keeps_the_rest(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    """The test folder has 182's rows for 2023/24 (two) and 2024/25 Q1 (one): 2023/24 is
    replaced, 2024/25 Q1 kept, 2022/23 added; other files untouched."""
    folder = data_folder()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "neighbours.csv"}
    source = written(tmp_path, "lg.csv", LG_WIDE_182)
    summary = neighbours_import(folder=folder, source=source, ref="182")
    assert (summary.rows, summary.areas, summary.replaced, summary.kept) == (6, 3, 2, 1)
    assert [str(p) for p in summary.periods] == ["2022/23", "2023/24"]
    assert "Imported 6 rows" in str(summary)
    assert "2022/23 to 2023/24" in str(summary)
    rows = read_dataset(folder).neighbours["182"]
    assert {str(p): sorted((n.area_code, n.value) for n in rows[p]) for p in rows} == {
        "2022/23": [("E10000003", D(78)), ("E10000012", D(81)), ("E92000001", D(85))],
        "2023/24": [("E10000003", D("80.5")), ("E10000012", D(82)), ("E92000001", D(86))],
        "2024/25 Q1": [("E10000015", D(85))],
    }
    assert {
        p.name: p.read_bytes() for p in folder.iterdir() if p.name != "neighbours.csv"
    } == before
    assert not list(folder.glob("*.tmp"))


@pytest.mark.parametrize(
    ("ref", "text", "refusal"),
    [
        ("214", LG_WIDE_182, ("--indicator", "national_definition false")),
        ("999", LG_WIDE_182, ("--indicator", "no indicator has the ref '999'")),
        ("182", LG_WIDE_182.replace("80.5", "180.5"), None),  # a percentage above 100
    ],
)
def test_a_refused_import_leaves_the_folder_as_it_was(
    data_folder: DataFolder, tmp_path: Path, ref: str, text: str, refusal: tuple[str, str] | None
) -> None:
    folder = data_folder()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    source = written(tmp_path, "lg.csv", text)
    if refusal is None:
        errors = errors_of(lambda: neighbours_import(folder=folder, source=source, ref=ref))
        assert_errors(errors, [(2, "2023/24", "180.5", "a value from 0 to 100")], "lg.csv")
    else:
        with pytest.raises(NeighbourImportError) as raised:
            neighbours_import(folder=folder, source=source, ref=ref)
        assert raised.value.option == refusal[0]
        assert refusal[1] in str(raised.value)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -- a group file must be the folder's own: security finding 1 of issue 14 -------------------


@pytest.mark.parametrize("form", ["absolute", "dotdot", "link", "link_to_folder"])
def test_a_group_file_outside_the_folder_is_never_read_nor_quoted(
    data_folder: DataFolder, default_files: dict[str, str], tmp_path: Path, form: str
) -> None:
    """An absolute path, a ``..`` or a link out of the folder names no file: the error says so
    and quotes nothing of the outside file (before, its first line came back in the message)."""
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("SECRET_KEY=do-not-show,SHELL=/bin/bash\nE10000012\n", encoding="utf-8")
    folder = data_folder()
    name = {
        "absolute": str(secret),
        "dotdot": os.path.relpath(secret, folder),
        "link": "linked.csv",
        "link_to_folder": "sub/secret.csv",
    }[form]
    if form == "link":
        (folder / "linked.csv").symlink_to(secret)
    if form == "link_to_folder":
        (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    toml = default_files["organisation"] + f"\n[neighbours]\ngroup = {json.dumps(name)}\n"
    (folder / "organisation.toml").write_text(toml, encoding="utf-8")
    errors = errors_of(lambda: read_dataset(folder))
    assert_errors(errors, [(None, GROUP, name, "inside the data folder")], TOML)
    assert not any("SECRET_KEY" in str(error) or "/bin/bash" in str(error) for error in errors)


@pytest.mark.parametrize(
    "target", ["/proc/self/environ", "/etc/passwd", "../../../../etc/hostname"]
)
def test_system_files_named_as_a_group_are_refused(
    data_folder: DataFolder, default_files: dict[str, str], target: str
) -> None:
    """The three paths of the security review, read by the command line and the web import."""
    toml = default_files["organisation"] + f"\n[neighbours]\ngroup = {json.dumps(target)}\n"
    folder = data_folder(organisation=toml)
    errors = errors_of(lambda: read_dataset(folder))
    assert [(e.column, e.value) for e in errors] == [(GROUP, target)]
    assert not any("root:" in str(error) or "SECRET" in str(error) for error in errors)
