"""``kpiboard evaluate`` on the demo council: the seed report's picture, exit codes, errors."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-council"


def kpiboard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpiboard.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def srp() -> dict[str, Any]:
    done = kpiboard(
        "evaluate", str(DEMO), "--period", "2024/25 Q2", "--committee", "srp", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_seed_reports_summary(srp: dict[str, Any]) -> None:
    """Red 1 (182), Amber 1, Green 10, Baseline 1 (187), as 8, 8, 77, 7 per cent."""
    summary = {row["status"]: (row["count"], row["percent"]) for row in srp["summary"]}
    assert summary["red"] == (1, 8)
    assert summary["amber"] == (1, 8)
    assert summary["green"] == (10, 77)
    assert summary["baseline"] == (1, 7)
    assert summary["blue"] == (0, 0)
    assert sum(count for count, _ in summary.values()) == 13
    statuses = {i["ref"]: i["status"] for i in srp["indicators"]}
    assert [ref for ref, status in statuses.items() if status == "red"] == ["182"]
    assert [ref for ref, status in statuses.items() if status == "baseline"] == ["187"]


def test_182_is_red_on_the_boundary_in_both_quarters(srp: dict[str, Any]) -> None:
    """81 against 90 is exactly 10% off: Red. It was 74 in Q1: improving, but still Red."""
    foi = next(i for i in srp["indicators"] if i["ref"] == "182")
    assert (foi["value"], foi["target"], foi["previous_value"]) == (81.0, 90.0, 74.0)
    assert (foi["status"], foi["previous_status"], foi["change"]) == ("red", "red", "improving")
    assert foi["as_of"] == "2024-09"
    assert foi["complete"] is True


def test_the_seed_reports_transitions(srp: dict[str, Any]) -> None:
    """190 Amber to Green and 212 Red to Green improved; 182 stayed Red."""
    transitions = srp["transitions"]
    assert transitions["improved"] == ["190", "212"]
    assert transitions["deteriorated"] == []
    assert "182" in transitions["unchanged"]
    assert transitions["matrix"]["amber"]["green"] == 1
    assert transitions["matrix"]["red"]["green"] == 1
    assert transitions["matrix"]["red"]["red"] == 1
    groups = [
        ref
        for name in ("improved", "deteriorated", "unchanged", "changed_category")
        for ref in transitions[name]
    ]
    assert sorted(groups) == sorted(i["ref"] for i in srp["indicators"])


def test_json_shape_and_order(srp: dict[str, Any]) -> None:
    """The order of indicators is that of indicators.csv, and every field of formats.md is there."""
    with (DEMO / "indicators.csv").open(encoding="utf-8-sig") as handle:
        in_file = [
            row["ref"] for row in csv.DictReader(handle) if "srp" in row["committees"].split(";")
        ]
    assert [i["ref"] for i in srp["indicators"]] == in_file
    assert (srp["period"], srp["previous_period"], srp["committee"]) == (
        "2024/25 Q2",
        "2024/25 Q1",
        "srp",
    )
    fields = {
        "ref",
        "name",
        "unit",
        "direction",
        "value",
        "as_of",
        "complete",
        "previous_value",
        "target",
        "previous_target",
        "status",
        "previous_status",
        "change",
        "change_year_on_year",
        "trend",
        "neighbours",
        "spc",
        "recent_trend",
        "commentary",
        "warnings",
    }
    for indicator in srp["indicators"]:
        assert fields <= indicator.keys()
    trend = next(i for i in srp["indicators"] if i["ref"] == "190")["trend"]
    assert {
        "points",
        "slope",
        "projection_next",
        "projection_year_end",
        "projected_status",
    } <= trend.keys()


def test_table_format_shows_the_statuses() -> None:
    done = kpiboard("evaluate", str(DEMO), "--period", "Q2 2024-25", "--committee", "srp")
    assert done.returncode == 0, done.stderr
    assert "Red" in done.stdout
    assert "Baseline" in done.stdout
    assert "190, 212" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024/25 Q5"], "--period: '2024/25 Q5' is not a period"),
        (
            ["--period", "2024/25 Q2", "--committee", "nope"],
            "unknown committee 'nope': expected one of srp, ahc",
        ),
    ],
)
def test_bad_arguments_exit_2(args: list[str], message: str) -> None:
    done = kpiboard("evaluate", str(DEMO), *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_bad_data_exits_2_with_every_error_named(tmp_path: Path) -> None:
    """Two mistakes in two files: both reported, each with file, row, column and value."""
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    observations = (data / "observations.csv").read_text(encoding="utf-8").splitlines()
    header = observations[0].split(",")
    row = observations[1].split(",")
    row[header.index("period")] = "Septembre 2024"
    observations[1] = ",".join(row)
    (data / "observations.csv").write_text("\n".join(observations) + "\n", encoding="utf-8")
    with (data / "targets.csv").open("a", encoding="utf-8") as handle:
        handle.write("999,2024/25,50\n")
    done = kpiboard("evaluate", str(data), "--period", "2024/25 Q2", "--format", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "observations.csv" in done.stderr
    assert "row 2" in done.stderr
    assert "Septembre 2024" in done.stderr
    assert "period" in done.stderr
    assert "targets.csv" in done.stderr
    assert "999" in done.stderr


def test_a_workbook_gives_the_same_json(tmp_path: Path, srp: dict[str, Any]) -> None:
    from kpiboard.datafiles import read_dataset, write_workbook

    workbook = tmp_path / "demo.xlsx"
    write_workbook(read_dataset(DEMO), workbook)
    done = kpiboard(
        "evaluate",
        str(workbook),
        "--period",
        "2024/25 Q2",
        "--committee",
        "srp",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == srp


# -- kpiboard import-neighbours ----------------------------------------------------------------

PUBLIC = ROOT.parent / "shared" / "data" / "public"
OFLOG = PUBLIC / "oflog_asc_all_las.csv"


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_import_neighbours_loads_every_area_and_says_so(tmp_path: Path) -> None:
    """Oflog's ASC3 for every council: one summary line, counted again from the raw rows."""
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    with (DEMO / "neighbours.csv").open(encoding="utf-8-sig") as handle:
        others_before = [row for row in csv.DictReader(handle) if row["ref"] != "ASC3"]
    done = kpiboard(
        "import-neighbours",
        str(OFLOG),
        "--data",
        str(data),
        "--indicator",
        "ASC3",
        "--metric",
        "ASC3",
    )
    assert done.returncode == 0, done.stderr
    with OFLOG.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Code"] == "ASC3"]
    areas = {row["Local authority code"] for row in rows}
    years = sorted(row["Financial year"].replace("-", "/") for row in rows)
    assert done.stdout.count("\n") == 1
    assert f"Imported {len(rows):,} rows of ASC3 from oflog_asc_all_las.csv (oflog)" in done.stdout
    assert f"{len(areas)} areas, {len(set(years))} periods ({years[0]} to {years[-1]})" in (
        done.stdout
    )
    with (data / "neighbours.csv").open(encoding="utf-8-sig") as handle:
        after = list(csv.DictReader(handle))
    assert len([row for row in after if row["ref"] == "ASC3"]) == len(rows)
    assert len([row for row in after if row["ref"] != "ASC3"]) == len(others_before)


def test_import_neighbours_finds_lg_informs_json_by_itself(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    sample = PUBLIC / "lginform_data_table_sample_record.json"
    done = kpiboard("import-neighbours", str(sample), "--data", str(data), "--indicator", "ASC4")
    assert done.returncode == 0, done.stderr
    assert "Imported 1 rows of its one metric" in done.stdout
    assert "(lginform-json)" in done.stdout
    assert "1 periods (2018/19)" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "182", "--metric", "ASC1"], "--indicator: indicator 182"),
        (["--indicator", "NOPE", "--metric", "ASC1"], "--indicator: no indicator has the ref"),
        (["--indicator", "ASC3", "--metric", "ASC9"], "a metric that the file holds: ASC1"),
    ],
)
def test_a_refused_import_exits_2_and_changes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    before = _files(data)
    done = kpiboard("import-neighbours", str(OFLOG), "--data", str(data), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert _files(data) == before


def test_a_metric_that_cannot_be_the_indicator_is_refused_row_by_row(tmp_path: Path) -> None:
    """ASC6 is a rate in the thousands, so not ASC3's percentage: each of its rows above 100 is
    named (file, spreadsheet row, column, value), and nothing is imported."""
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    before = _files(data)
    with OFLOG.open(encoding="utf-8") as handle:
        above = [
            (number, row["Value"])
            for number, row in enumerate(csv.DictReader(handle), start=2)
            if row["Code"] == "ASC6" and row["Value"] and float(row["Value"]) > 100
        ]
    done = kpiboard(
        "import-neighbours",
        str(OFLOG),
        "--data",
        str(data),
        "--indicator",
        "ASC3",
        "--metric",
        "ASC6",
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"{len(above)} error(s), nothing was imported:")
    number, value = above[0]
    assert (
        f'oflog_asc_all_las.csv, row {number}, column Value: found "{value}", expected a '
        "value from 0 to 100: ASC3 is a percentage"
    ) in done.stderr
    assert _files(data) == before


def test_evaluate_in_process_puts_the_garbage_collector_back_as_it_was() -> None:
    """evaluate runs without the cyclic collector (decision 0005) and turns it on again after,
    so a program that calls the command (the web tests do) keeps its collector."""
    import gc

    from click.testing import CliRunner

    from kpiboard.cli import main

    arguments = ["evaluate", str(DEMO), "--period", "2024/25 Q2", "--format", "json"]
    assert gc.isenabled()
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    gc.disable()
    try:
        assert CliRunner().invoke(main, arguments).exit_code == 0
        assert not gc.isenabled()  # left off, as the caller had it
    finally:
        gc.enable()
