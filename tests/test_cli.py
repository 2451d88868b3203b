"""``kpiboard evaluate`` on the demo council: the seed report's picture, exit codes, errors."""

from __future__ import annotations

import calendar
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
    """Red 1 (182), Amber 1, Green 10, Baseline 1 (187) of 13. Each share rounded on its own
    (semantics.md 10): 100/13 = 7.69 gives 8, 1000/13 = 76.92 gives 77, so 8, 8, 77, 8, which
    add to 101: the footnote."""
    summary = {row["status"]: (row["count"], row["percent"]) for row in srp["summary"]}
    assert summary["red"] == (1, 8)
    assert summary["amber"] == (1, 8)
    assert summary["green"] == (10, 77)
    assert summary["baseline"] == (1, 8)
    assert summary["blue"] == (0, 0)
    assert sum(count for count, _ in summary.values()) == 13
    assert srp["summary_footnote"] == "Figures may not add to 100 due to rounding."
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
    """190 Amber to Green and 212 Red to Green improved; 182 stayed Red, 188 Amber and eight
    stayed Green; 187, Baseline in both quarters, is not rated (semantics.md 11): 2, 10 and 1."""
    transitions = srp["transitions"]
    assert transitions["improved"] == ["190", "212"]
    assert transitions["deteriorated"] == []
    assert transitions["unchanged"] == [
        "182", "183", "184", "185", "186", "188", "189", "191", "213", "214",
    ]  # fmt: skip
    assert transitions["not_rated"] == ["187"]
    assert transitions["changed_category"] == []
    assert transitions["matrix"]["amber"] == {"amber": 1, "green": 1}
    assert transitions["matrix"]["red"] == {"red": 1, "green": 1}
    assert transitions["matrix"]["green"] == {"green": 8}
    assert transitions["matrix"]["baseline"] == {"baseline": 1}
    groups = [
        ref
        for name in ("improved", "deteriorated", "unchanged", "not_rated", "changed_category")
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


def table_rows(text: str) -> list[list[str]]:
    """The rows of the rich tables in ``text``, each a list of its cells (first lines only: a
    cell folded onto the next line leaves that line's first cell empty)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            if cells[0]:
                rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def srp_table() -> str:
    done = kpiboard("evaluate", str(DEMO), "--period", "2024/25 Q2", "--committee", "srp")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_table_format_shows_the_statuses(srp_table: str) -> None:
    assert "Red" in srp_table
    assert "Baseline" in srp_table
    assert "190, 212" in srp_table


def test_the_issue_is_done_in_the_table(srp_table: str) -> None:
    """Issue 11's "Done when": Red 1 (8%), Amber 1 (8%), Green 10 (77%), Baseline 1 (8%), a
    Total row of 100% and the footnote under the table; 2 improved, 10 unchanged, 1 not rated,
    in TRANSITION_WORDS' words (never "Unchanged: 11")."""
    rows = {cells[0]: cells[1:] for cells in table_rows(srp_table)}
    assert rows["Red"][:2] == ["1", "8%"]
    assert rows["Amber"][:2] == ["1", "8%"]
    assert rows["Green"][:2] == ["10", "77%"]
    assert rows["Baseline"][:2] == ["1", "8%"]
    assert rows["Blue"][:2] == ["0", "0%"]
    assert rows["Total"] == ["13", "100%"]
    lines = srp_table.splitlines()
    total_at = next(i for i, line in enumerate(lines) if line.startswith("│ Total"))
    # The footnote right under the summary table (its bottom border between).
    assert lines[total_at + 2] == "Figures may not add to 100 due to rounding."
    assert rows["Improved"] == ["2", "190, 212"]
    assert rows["Deteriorated"] == ["0", "–"]
    assert rows["Unchanged"] == ["10", "182, 183, 184, 185, 186, 188, 189, 191, 213, 214"]
    assert rows["Not rated"] == ["1", "187"]
    assert rows["Changed category"] == ["0", "–"]


def test_the_table_labels_its_periods(srp_table: str) -> None:
    """The reporting period and the one before it with the months they cover; 187's annual
    survey with the year its figure belongs to."""
    first = srp_table.splitlines()[0]
    assert first.rstrip().endswith(", 2024/25 Q2 (July to September 2024)")
    assert "Since 2024/25 Q1 (April to June 2024)" in srp_table
    assert "187: the figure is for 2023/24 (April 2023 to March 2024)" in srp_table


def test_the_table_says_which_processes_changed(srp_table: str, srp: dict[str, Any]) -> None:
    """Every indicator whose control chart changed (the JSON's spc.stability) has a note naming
    the month of changed_since; no other indicator has one."""
    text = " ".join(srp_table.split())  # notes fold at the console's width
    months = dict(enumerate(calendar.month_name))
    changed = []
    for indicator in srp["indicators"]:
        spc = indicator["spc"]
        note = f"{indicator['ref']}: The process has changed since"
        if spc is None or spc["stability"] == "stable":
            assert note not in text
            continue
        changed.append(indicator["ref"])
        year, month = spc["changed_since"].split("-")
        assert f"{note} {months[int(month)]} {year} (" in text
        assert "its limits describe the old process" in text
    assert changed  # the demo has such charts, so the test tests something


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
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


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
    assert done.stderr.startswith(f"{len(above):,} error(s), nothing was imported:")
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


# -- the terminal table of a council built in the test -------------------------------------------


def _printed(data: Any, period_text: str) -> str:
    from rich.console import Console

    from kpiboard.analysis.evaluate import evaluate
    from kpiboard.analysis.periods import parse_period
    from kpiboard.terminal import print_evaluation

    console = Console(record=True, width=240, color_system=None)
    print_evaluation(evaluate(data, parse_period(period_text)), console)
    return console.export_text()


def test_a_changed_process_is_named_with_the_month_it_changed() -> None:
    """25 months from June 2022: 16 of 55 and 45 in turn, then 9 of 58 and 59 in turn, which a
    shift flags and nothing else (mean 53.04, limits 34.09 to 71.99, near limits 40.40 to
    65.68; see tests/analysis/test_spc_stability.py). The first of the nine is the 17th month,
    October 2023; a second indicator, alternating 48 and 52, is stable and has no note."""
    from builders import dataset, indicator, series, target
    from kpiboard.analysis.model import Unit

    shifted = [55, 45] * 8 + [58, 59] * 4 + [58]
    data = dataset(
        [indicator("1", unit=Unit.NUMBER), indicator("2", unit=Unit.NUMBER)],
        observations=[
            *series("2022-06", shifted, ref="1"),
            *series("2022-06", [48, 52] * 12 + [48], ref="2"),
        ],
        targets=[target("2022/23", 50, ref="1"), target("2022/23", 50, ref="2")],
    )
    text = " ".join(_printed(data, "2024/25 Q1").split())
    assert (
        "1: The process has changed since October 2023 (a run of 9 points above the mean); its "
        "limits describe the old process, so assurance against the target is not judged until "
        "the limits are recalculated from that point."
    ) in text
    assert "2: The process has changed" not in text
    assert "Test Council: All indicators, 2024/25 Q1 (April to June 2024)" in text
    assert "Since 2023/24 Q4 (January to March 2024)" in text


@pytest.mark.parametrize(
    ("rounding", "percents", "footnote"),
    [
        # 1/1/10/1 of 13: 7.69 and 76.92 each rounded on its own, 8 + 8 + 77 + 8 = 101.
        ("independent", ["8%", "8%", "77%", "8%"], True),
        # Largest remainder: floors 7, 7, 76, 7; the 3 points left go to Green (.92), then to
        # the earliest of the .69 ties, Red and Amber.
        ("largest_remainder", ["8%", "8%", "77%", "7%"], False),
    ],
)
def test_the_summary_footnote_follows_the_rounding(
    rounding: str, percents: list[str], footnote: bool
) -> None:
    """Red, Amber, ten Greens and a Baseline: the footnote only when the figures do not add to
    100; the Total row reads 100% either way."""
    from builders import dataset, indicator, series, target
    from kpiboard.analysis.model import Category, PercentRounding, Settings

    values = {"R": 10, "A": 46, "B": 60, **{f"G{i}": 52 for i in range(10)}}
    indicators = [
        indicator(ref, category=Category.BASELINE if ref == "B" else Category.TARGETED)
        for ref in values
    ]
    data = dataset(
        indicators,
        observations=[o for ref, v in values.items() for o in series("2024-04", [v] * 3, ref)],
        targets=[target("2024/25", 50, ref) for ref in values if ref != "B"],
        settings=Settings(percent_rounding=PercentRounding(rounding)),
    )
    text = _printed(data, "2024/25 Q1")
    rows = {cells[0]: cells[1:] for cells in table_rows(text)}
    assert [rows[s][1] for s in ("Red", "Amber", "Green", "Baseline")] == percents
    assert [rows[s][0] for s in ("Red", "Amber", "Green", "Baseline")] == ["1", "1", "10", "1"]
    assert rows["Total"] == ["13", "100%"]
    assert ("Figures may not add to 100 due to rounding." in text) is footnote
