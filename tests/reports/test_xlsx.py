"""The dashboard workbook: read back with openpyxl and checked against ``kpiboard evaluate``."""

from __future__ import annotations

import csv
import itertools
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

import builders as b
from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.analysis.status import Status
from kpiboard.datafiles import read_dataset
from kpiboard.reports import xlsx
from kpiboard.reports.formatting import STATUS_COLOURS
from kpiboard.reports.model import Report, build_report
from reading import period_label
from report_stubs import LONG, NON_ASCII, awkward_report, stub_charts

DEMO = Path(__file__).parents[2] / "examples" / "demo-council"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1", "=1+1\t")


def render(report: Report, out: Path, **options: Any) -> Workbook:
    options = {"charts": stub_charts, **options}
    return openpyxl.load_workbook(xlsx.render_xlsx(report, out, **options))


def _unit_words() -> dict[str, str]:
    """Each demo indicator's unit as issue 11 says a reader should see it: its unit_label with a
    capital, else "Per cent", "Days" or "Number" (never the code "percent")."""
    words = {
        "percent": "Per cent",
        "days": "Days",
        "number": "Number",
        "score": "Score",
        "rate": "Rate",
        "currency": "Pounds (£)",
    }
    with (DEMO / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["ref"]: row["unit_label"].capitalize() or words[row["unit"]]
            for row in csv.DictReader(handle)
        }


UNIT_WORDS = _unit_words()


def rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """The rows under the header row, as heading -> cell."""
    header = [str(cell.value) for cell in sheet[1]]
    return [dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2)]


def figure(cell: Any) -> Any:
    """A figure as JSON gives it: None for an empty cell (never "–" text among numbers)."""
    assert cell.value != "–"
    return cell.value


def words(text: str) -> list[str]:
    """The words of a text, in order: what plain text must keep of Markdown."""
    return re.findall(r"[A-Za-z0-9%']+", text)


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value)


def fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:].lower()


def colour(status: Status) -> str:
    return STATUS_COLOURS[status][0].lstrip("#")


# -- the demo council ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_evaluation() -> Evaluation:
    return evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"), "srp")


@pytest.fixture(scope="module")
def demo(demo_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    out = tmp_path_factory.mktemp("xlsx") / "dashboard.xlsx"
    return render(build_report(demo_evaluation), out)


def test_the_sheets_and_the_title(demo: Workbook) -> None:
    assert demo.sheetnames == ["Dashboard", "History", "Summary", "Charts"]
    assert demo.properties.title == (
        "Corporate Performance Report: Strategy, Resources and Performance Committee, 2024/25 Q2"
    )


def test_the_dashboard_has_one_row_per_indicator_with_every_figure(
    demo: Workbook, demo_evaluation: Evaluation
) -> None:
    expected = evaluation_to_json(demo_evaluation)["indicators"]
    found = rows(demo["Dashboard"])
    assert [row["Ref"].value for row in found] == [i["ref"] for i in expected]
    for row, indicator in zip(found, expected, strict=True):
        assert row["Indicator"].value == indicator["name"]
        assert row["Unit"].value == UNIT_WORDS[indicator["ref"]]
        assert figure(row["Current performance"]) == approx(indicator["value"])
        # a monthly or quarterly figure is the quarter's; an annual survey's, its own year's
        annual = re.fullmatch(r"\d{4}/\d{2}", indicator["as_of"] or "")
        assert row["Period"].value == (
            period_label(indicator["as_of"]) if annual else "2024/25 Q2 (July to September 2024)"
        )
        if not annual:
            assert row["Previous period"].value == "2024/25 Q1 (April to June 2024)"
        assert figure(row["Previous performance"]) == approx(indicator["previous_value"])
        assert figure(row["Current target"]) == approx(indicator["target"])
        assert figure(row["Previous target"]) == approx(indicator["previous_target"])
        trend = indicator["trend"] or {"projection_year_end": None}
        assert figure(row["Projected year end"]) == approx(trend["projection_year_end"])
        # Plain text (issue 12): every word of the Markdown in order, no marks, bullets as "•".
        commentary = row["Commentary"].value or ""
        assert words(commentary) == words(indicator["commentary"] or "")
        assert "**" not in commentary
        bullets = re.findall(r"^- ", indicator["commentary"] or "", re.M)
        assert commentary.count("• ") == len(bullets)
        for heading, key in (("Status", "status"), ("Previous status", "previous_status")):
            status = Status(indicator[key])
            assert row[heading].value == status.label  # the word, not colour alone
            assert fill(row[heading]) == colour(status)


def test_percentages_are_numbers_with_the_indicators_decimals(demo: Workbook) -> None:
    found = {row["Ref"].value: row for row in rows(demo["Dashboard"])}
    assert found["182"]["Current performance"].value == 81
    assert found["182"]["Current performance"].number_format == "0.0"
    assert found["182"]["Current performance"].data_type == "n"
    assert found["186"]["Current performance"].number_format == "#,##0.00"
    assert found["191"]["Current performance"].number_format == "#,##0"  # no decimals


def test_the_dashboard_header_is_frozen_and_filtered(demo: Workbook) -> None:
    sheet = demo["Dashboard"]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}14"


def test_neighbour_figures_where_there_are_neighbours(
    demo: Workbook, demo_evaluation: Evaluation
) -> None:
    found = {row["Ref"].value: row for row in rows(demo["Dashboard"])}
    for indicator in evaluation_to_json(demo_evaluation)["indicators"]:
        row, neighbours = found[indicator["ref"]], indicator["neighbours"]
        if neighbours is None:
            assert row["Neighbours' median"].value is None
        else:
            assert row["Neighbours' median"].value == pytest.approx(neighbours["median"])
            assert row["Rank among neighbours (1 is best)"].value == neighbours["rank"]
            assert row["Neighbour group size"].value == neighbours["group_size"]
            assert row["Quartile (1 is best)"].value == neighbours["quartile"]


def test_the_history_has_every_observation_with_its_target(
    demo: Workbook, demo_evaluation: Evaluation
) -> None:
    found = rows(demo["History"])
    expected = [(r.ref, o) for r in demo_evaluation.indicators for o in r.history]
    assert len(found) == len(expected)
    for row, (ref, observation) in zip(found, expected, strict=True):
        assert row["Ref"].value == ref
        assert row["Period"].value == str(observation.period)
        assert row["Value"].value == pytest.approx(float(observation.value))
    first = found[0]
    assert (first["Ref"].value, first["Period"].value, first["Target in force"].value) == (
        "182",
        "2022-04",
        90,
    )
    assert demo["History"].freeze_panes == "A2"


def test_the_summary_has_the_counts_and_percentages(
    demo: Workbook, demo_evaluation: Evaluation
) -> None:
    sheet = demo["Summary"]
    assert sheet["A1"].value == "Status of indicators, 2024/25 Q2"
    assert [c.value for c in sheet[2]] == [
        "Status",
        "Number of indicators",
        "Percentage of indicators",
    ]
    summary = evaluation_to_json(demo_evaluation)["summary"]
    found = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=2 + len(summary))]
    assert found == [[Status(s["status"]).label, s["count"], s["percent"]] for s in summary]
    shown = {row[0]: row[2] for row in found}
    # Each rounded on its own (semantics.md 10): 8, 8, 77, 8 add to 101; the total says 100%.
    assert [shown[s] for s in ("Red", "Amber", "Green", "Baseline")] == [8, 8, 77, 8]
    assert [c.value for c in sheet[3 + len(summary)]] == ["Total", 13, 100]
    assert fill(sheet["A3"]) == colour(Status.RED)


def test_the_charts_sheet_has_a_described_picture_per_chart(demo: Workbook) -> None:
    """13 line charts and 11 control charts: all but 187 (3 yearly figures) and 212 (10
    quarters) have the 13 points a control chart needs; the demo committee has no neighbours."""
    sheet = demo["Charts"]
    assert len(sheet._images) == 13 + 11  # type: ignore[attr-defined]
    titles = [c.value for c in sheet["A"] if c.value and str(c.value).startswith("Indicator ")]
    assert titles[:2] == [
        "Indicator 182: Proportion of Freedom of Information requests responded to within "
        "statutory timescale: Performance over time",
        "Indicator 182: Proportion of Freedom of Information requests responded to within "
        "statutory timescale: Control chart",
    ]
    for ref in ("187", "212"):
        assert [t.rsplit(": ", 1)[1] for t in titles if t.startswith(f"Indicator {ref}:")] == [
            "Performance over time"
        ]


def test_no_charts_no_charts_sheet(demo_evaluation: Evaluation, tmp_path: Path) -> None:
    book = render(build_report(demo_evaluation), tmp_path / "d.xlsx", charts=lambda card: ())
    assert book.sheetnames == ["Dashboard", "History", "Summary"]


def test_a_scorecard_has_the_breakdown_below_the_summary(
    demo_evaluation: Evaluation, tmp_path: Path
) -> None:
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"))
    report = build_report(evaluation)
    assert report.breakdown is not None
    sheet = render(report, tmp_path / "d.xlsx")["Summary"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    at = values.index([report.breakdown.caption] + [None] * (len(values[0]) - 1))
    assert values[at + 1][0] == "Directorate"
    assert values[at + 1][-1] == "Total"
    body = itertools.takewhile(lambda row: row[0] is not None, values[at + 2 :])
    assert sum(int(str(row[-1])) for row in body) == len(evaluation.indicators)


# -- awkward text ----------------------------------------------------------------------------
def test_a_committee_with_no_indicators_gets_empty_sheets(tmp_path: Path) -> None:
    evaluation = evaluate(b.dataset([b.indicator("1")]), parse_period("2024/25 Q2"), "other")
    book = render(build_report(evaluation), tmp_path / "d.xlsx")
    assert book.sheetnames == ["Dashboard", "History", "Summary"]
    assert rows(book["Dashboard"]) == []


@pytest.mark.parametrize("text", [*FORMULAS, NON_ASCII])
def test_formula_like_and_non_ascii_text_comes_back_as_the_same_text(
    text: str, tmp_path: Path
) -> None:
    report = awkward_report({"1": text}, {"1": text}, note=text)
    book = render(report, tmp_path / "d.xlsx")
    row = rows(book["Dashboard"])[0]
    for heading in ("Indicator", "Description"):
        assert row[heading].value == text
        assert row[heading].data_type == "s"
    # Commentary is Markdown shown as plain text: a paragraph loses its spacing at either end.
    assert row["Commentary"].value == text.strip()
    assert row["Commentary"].data_type == "s"
    history = rows(book["History"])[0]
    assert (history["Indicator"].value, history["Note"].value) == (text, text)
    assert history["Note"].data_type == "s"
    assert book["Charts"]["A1"].value == f"Indicator 1: {text}: Performance over time"


def test_a_carriage_return_becomes_excels_line_break(tmp_path: Path) -> None:
    """Excel's line break in a cell is LF; a CR would come back as the escape _x000D_."""
    book = render(awkward_report({"1": "\r=1+1\r\nnext\rlast"}), tmp_path / "d.xlsx")
    cell = rows(book["Dashboard"])[0]["Commentary"]
    # One Markdown paragraph of three lines: the breaks kept as LF, the leading one dropped.
    assert (cell.value, cell.data_type) == ("=1+1\nnext\nlast", "s")


def test_an_indicator_with_no_data_has_empty_cells(tmp_path: Path) -> None:
    book = render(awkward_report({"1": "Fine."}), tmp_path / "d.xlsx")
    row = rows(book["Dashboard"])[1]
    assert row["Ref"].value == "empty"
    for heading in ("Current performance", "Period", "Current target", "Projected year end"):
        assert row[heading].value is None
    assert row["Status"].value == "No data"
    assert row["Data quality"].value == "No figure for 2024/25 Q2."
    assert [r["Ref"].value for r in rows(book["History"])] == ["1"] * 18


def test_very_long_commentary_is_kept_and_too_long_is_cut_with_a_note(tmp_path: Path) -> None:
    too_long = "x" * 40_000
    book = render(awkward_report({"1": LONG, "2": too_long}), tmp_path / "d.xlsx")
    found = rows(book["Dashboard"])
    assert found[0]["Commentary"].value == LONG.strip()  # one paragraph, kept whole
    cut = found[1]["Commentary"].value
    assert len(cut) == 32_767
    assert cut.endswith("an Excel cell holds at most 32,767 characters]")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=100))
def test_any_text_comes_back_as_text(tmp_path: Path, text: str) -> None:
    book = render(awkward_report({"1": text}, {"1": text}), tmp_path / "d.xlsx")
    cell = rows(book["Dashboard"])[0]["Indicator"]
    expected = xlsx.clean(text)
    assert cell.value == (expected or None)
    if expected:
        assert cell.data_type == "s"


def test_the_dashboard_has_each_control_chart_and_recent_trend(
    demo: Workbook, demo_evaluation: Evaluation
) -> None:
    """Variation and assurance by name, the latest mean and limits as figures, from the JSON."""
    names = {
        "improvement_high": "Special cause improvement (high)",
        "improvement_low": "Special cause improvement (low)",
        "common_cause": "Common cause variation",
    }
    assurances = {
        "pass": "Will consistently pass the target",
        "inconsistent": "Hit and miss",
        "fail": "Will consistently fail the target",
    }
    found = {row["Ref"].value: row for row in rows(demo["Dashboard"])}
    for indicator in evaluation_to_json(demo_evaluation)["indicators"]:
        row, spc = found[indicator["ref"]], indicator["spc"]
        if spc is None:
            points = len(demo_evaluation.result(indicator["ref"]).history)
            assert row["Variation (control chart)"].value == (
                f"Fewer than 13 points: no control chart yet ({points} so far)."
            )
            assert row["Assurance (control chart)"].value == "Not assessed: fewer than 13 points"
            assert row["Mean (control chart)"].value is None
            continue
        assert row["Variation (control chart)"].value == names[spc["variation"]]
        if spc["stability"] == "changed":  # the limits of a changed process judge nothing
            since = datetime.strptime(spc["changed_since"], "%Y-%m").strftime("%B %Y")
            assert row["Assurance (control chart)"].value.startswith(
                f"The process has changed since {since} ("
            )
            assert "assurance against the target is not judged" in (
                row["Assurance (control chart)"].value
            )
            continue
        assert row["Assurance (control chart)"].value == assurances[spc["assurance"]]
        assert row["Mean (control chart)"].value == pytest.approx(spc["mean"])
        assert row["Lower process limit"].value == pytest.approx(spc["lpl"])
        assert row["Upper process limit"].value == pytest.approx(spc["upl"])
    assert found["182"]["Recent trend"].value == "No significant change (last 5 points)"


def test_the_history_has_each_points_variation(demo: Workbook, demo_evaluation: Evaluation) -> None:
    found = [row for row in rows(demo["History"]) if row["Ref"].value == "182"]
    result = demo_evaluation.result("182")
    assert result.spc is not None
    words = {"special_cause_improvement": "Improvement", "special_cause_concern": "Concern"}
    assert [row["Variation (control chart)"].value for row in found] == [
        words[kind] for kind in result.spc.point_types
    ]
    assert found[-1]["Mean (control chart)"].value == pytest.approx(result.spc.mean)
    short = [row for row in rows(demo["History"]) if row["Ref"].value == "212"]
    assert {row["Variation (control chart)"].value for row in short} == {None}


def test_the_summary_sheet_has_the_control_chart_counts(demo: Workbook) -> None:
    values = [[c.value for c in row] for row in demo["Summary"].iter_rows()]
    at = [row[0] for row in values].index("Variation shown by the control charts, 2024/25 Q2")
    assert values[at + 1][:3] == [
        "Variation at the latest point",
        "Number of indicators",
        "Percentage of indicators",
    ]
    # By hand for the demo with its rebases (see test_spc_summary): 8, 0, 3, 2 of 13.
    assert [row[:3] for row in values[at + 2 : at + 7]] == [
        ["Special cause improvement", 8, 62],
        ["Special cause concern", 0, 0],
        ["Common cause variation", 3, 23],
        ["Too few points for a control chart", 2, 15],
        ["Total", 13, 100],
    ]
    at = [row[0] for row in values].index("Assurance of meeting the target, 2024/25 Q2")
    assert [row[:3] for row in values[at + 2 : at + 8]] == [
        ["Will consistently pass the target", 0, 0],
        ["Hit and miss: will sometimes meet the target", 4, 31],
        ["Will consistently fail the target", 1, 8],
        ["Not judged: the process has changed since its limits were set", 6, 46],
        ["Too few points for a control chart", 2, 15],
        ["Total", 13, 100],
    ]


def test_neighbours_sheet_lists_each_indicators_areas_best_first(tmp_path: Path) -> None:
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"), "ahc")
    book = render(build_report(evaluation), tmp_path / "d.xlsx")
    assert book.sheetnames == ["Dashboard", "History", "Summary", "Neighbours", "Charts"]
    found = [row for row in rows(book["Neighbours"]) if row["Ref"].value == "ASC1"]
    assert len(found) == 16  # the council and its 15 neighbours; the demo has no England row
    values = [row["Value"].value for row in found]
    assert values == sorted(values, reverse=True)  # higher is better: best first
    council = [row for row in found if row["This council"].value == "Yes"]
    assert len(council) == 1
    assert council[0]["Rank (1 is best)"].value == evaluation.result("ASC1").neighbours.rank  # type: ignore[union-attr]
    assert council[0]["Period"].value == "2021/22"


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(
    demo: Workbook,
) -> None:
    book = demo
    assert book.sheetnames[:3] == ["Dashboard", "History", "Summary"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert str(setup.paperSize) == "9", sheet.title  # A4
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None, sheet.title
        assert fit.fitToPage, sheet.title
        # fitToWidth's default in the file format is 1, so a writer may leave it out.
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), sheet.title
    assert (book["Dashboard"].print_title_rows or "").replace("$", "") == "1:1"
    assert (book["History"].print_title_rows or "").replace("$", "") == "1:1"
    # The Summary holds several tables: one table's headings repeated over another's rows
    # would mislabel them, so it repeats none.
    assert not book["Summary"].print_title_rows


def test_the_history_counts_cases_in_whole_numbers(demo: Workbook) -> None:
    first = rows(demo["History"])[0]
    # 182 is a percentage to one decimal; its April 2022 figure is 110 of 127 requests.
    assert first["Value"].number_format == "0.0"
    assert (first["Numerator"].value, first["Denominator"].value) == (110, 127)
    assert first["Numerator"].number_format == "#,##0"
    assert first["Denominator"].number_format == "#,##0"


def test_no_column_of_figures_holds_text(demo: Workbook) -> None:
    book = demo
    for name in ("Dashboard", "History"):
        found = rows(book[name])
        for heading in found[0]:
            values = [row[heading].value for row in found if row[heading].value is not None]
            if any(isinstance(v, int | float) for v in values):
                texts = [v for v in values if isinstance(v, str)]
                assert texts == [], (name, heading, texts[:3])


def test_long_text_wraps_in_a_row_tall_enough_for_it(demo: Workbook) -> None:
    sheet = demo["Dashboard"]
    found = rows(sheet)
    row = next(r for r in found if r["Ref"].value == "182")
    commentary = row["Commentary"]
    # 182's commentary is one paragraph of some 640 characters in a column 80 wide: unwrapped
    # it would run across the columns to its right and off the printed page.
    assert commentary.alignment.wrap_text
    assert len(commentary.value) > 500
    height = sheet.row_dimensions[commentary.row].height
    assert height is not None
    assert height >= 15 * 7
    short = row["Ref"]
    assert short.alignment.vertical == "top"
