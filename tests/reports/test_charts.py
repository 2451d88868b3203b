"""The charts of an indicator: Vega-Lite specs from real evaluations, drawn with vl-convert."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from altair.vegalite.v6.schema.core import Root
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import builders as b
from kpiboard.analysis.evaluate import IndicatorResult, evaluate_indicator
from kpiboard.analysis.model import (
    Aggregation,
    Dataset,
    Direction,
    Indicator,
    Observation,
    Target,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.spc import PointType
from kpiboard.analysis.values import target_in_force
from kpiboard.reports.chart_render import render_png, render_svg
from kpiboard.reports.charts import (
    chart_caption,
    chart_table,
    history_chart,
    spc_caption,
    spc_chart,
    spc_table,
)
from kpiboard.reports.formatting import format_value
from report_stubs import ALTERNATING, RISING

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MARKUP_NAME = '<script>alert("x")</script> Café – Ŵales & "friends"'
REPORTING = "2024/25 Q2"
# Thirty months, April 2022 to September 2024, drifting up around 80%.
MONTHLY = [78.0, 79.5, 80.1, 78.8, 81.2, 80.4, 79.9, 81.7, 82.0, 80.6, 81.1, 82.4, 81.9, 83.0,
           82.2, 83.5, 82.8, 84.1, 83.3, 84.6, 83.9, 85.0, 84.2, 85.3, 84.7, 85.8, 85.1, 86.0,
           81.0, 84.9]  # fmt: skip
NEIGHBOURS = [70, 75, 80, 85, 90]


def result_for(
    indicator: Indicator,
    observations: list[Observation],
    targets: Sequence[Target] = (),
    *,
    neighbours: bool = False,
    period: str = REPORTING,
) -> tuple[IndicatorResult, tuple[Target, ...]]:
    """The real engine's result for one indicator, and its targets as the report passes them."""
    rows = [b.neighbour("2023/24", f"E0600000{i}", v) for i, v in enumerate(NEIGHBOURS)]
    dataset: Dataset = b.dataset(
        [indicator],
        observations=observations,
        targets=list(targets),
        neighbours=rows if neighbours else [],
    )
    result = evaluate_indicator(dataset, indicator, b.period(period))
    return result, dataset.targets.get(indicator.ref, ())


@pytest.fixture
def monthly() -> tuple[IndicatorResult, tuple[Target, ...]]:
    """A monthly percentage with two targets (85% then 90% from 2024/25) and neighbours."""
    return result_for(
        b.indicator(name="FOI requests answered on time", national_definition=True),
        b.series("2022-04", MONTHLY),
        [b.target("2022/23", 85), b.target("2024/25", 90)],
        neighbours=True,
    )


def layers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {layer["name"]: layer for layer in spec["layer"]}


def rows(spec: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    """The data rows a layer draws, from the spec's datasets."""
    return list(spec["datasets"][layers(spec)[layer]["data"]["name"]])


def legend(spec: dict[str, Any]) -> list[tuple[str, str, tuple[int, ...], str]]:
    """(label, colour, dash, shape) per legend entry, read from the shared legend scales."""
    scales: dict[str, dict[str, Any]] = {}
    for layer in spec["layer"]:
        for channel in ("color", "strokeDash", "shape"):
            if channel in layer["encoding"]:
                scales[channel] = layer["encoding"][channel]["scale"]
    labels = scales["color"]["domain"]
    for scale in scales.values():
        assert scale["domain"] == labels, "every legend channel has the same series"
    return [
        (label, colour, tuple(dash), shape)
        for label, colour, dash, shape in zip(
            labels,
            scales["color"]["range"],
            scales["strokeDash"]["range"],
            scales["shape"]["range"],
            strict=True,
        )
    ]


def valid(spec: dict[str, Any]) -> bool:
    """The spec passes the Vega-Lite JSON schema (charts.py builds without checking it)."""
    Root.validate(spec)
    return True


def strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every (key, string) pair in a spec, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield "", item
            yield from strings(item)


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# -- the history chart ---------------------------------------------------------------------------
def test_the_line_draws_exactly_the_history(monthly: tuple[IndicatorResult, Any]) -> None:
    result, targets = monthly
    spec = history_chart(result, targets)
    drawn = rows(spec, "actual")
    assert [(r["period"], r["value"]) for r in drawn] == [
        (str(o.period), float(o.value)) for o in result.history
    ]
    assert [r["text"] for r in drawn][-2:] == ["81.0%", "84.9%"]
    assert rows(spec, "actual-points") == drawn
    assert valid(spec)


def test_a_missing_month_breaks_the_line() -> None:
    """No figure for June 2024: a null row there, so the line has a gap rather than a bridge."""
    observations = [o for o in b.series("2023-04", MONTHLY[:18]) if str(o.period) != "2024-06"]
    result, targets = result_for(b.indicator(), observations)
    drawn = {r["period"]: r["value"] for r in rows(history_chart(result, targets), "actual")}
    assert "2024-06" in drawn
    assert drawn["2024-06"] is None
    assert sum(v is not None for v in drawn.values()) == len(result.history) == 17


def test_the_target_is_the_target_in_force_each_period(
    monthly: tuple[IndicatorResult, Any],
) -> None:
    """85% to March 2024, then 90% on to the year end, drawn as a long-dashed step."""
    result, targets = monthly
    spec = history_chart(result, targets)
    target = layers(spec)["target"]
    assert target["mark"]["interpolate"] == "step-after"
    drawn = {r["period"]: r["value"] for r in rows(spec, "target")}
    assert drawn["2022-04"] == drawn["2024-03"] == 85.0
    assert drawn["2024-04"] == drawn["2025-03"] == 90.0
    for period, value in drawn.items():
        assert Decimal(str(value)) == target_in_force(targets, b.period(period))
    assert ("Target", "#0b0c0c", (10, 5), "stroke") in legend(spec)


def test_no_target_no_target_layer() -> None:
    result, targets = result_for(b.indicator(), b.series("2022-04", MONTHLY))
    spec = history_chart(result, targets)
    assert "target" not in layers(spec)
    assert "Target" not in [label for label, *_ in legend(spec)]
    assert "with no target set" in chart_caption(result)
    assert valid(spec)


def test_the_projection_runs_from_the_last_figure_to_the_financial_year_end(
    monthly: tuple[IndicatorResult, Any],
) -> None:
    result, targets = monthly
    assert result.trend is not None
    spec = history_chart(result, targets)
    trend = rows(spec, "trend-projection")
    band = rows(spec, "95-prediction-interval")
    assert trend[0]["period"] == "2024-09"  # the last figure
    assert trend[-1]["period"] == band[-1]["period"] == "2025-03"  # end of 2024/25
    assert [r["period"] for r in trend] == [r["period"] for r in band]
    assert trend[-1]["value"] == pytest.approx(result.trend.year_end.value)
    assert all(r["lower"] <= r["value"] <= r["upper"] for r in band)
    assert spec["encoding"]["x"]["scale"]["domain"][-1] == "2025-03"
    dashes = {label: dash for label, _, dash, _ in legend(spec)}
    assert dashes["Trend projection"] != dashes["Target"], "told apart without colour"


def test_a_quarterly_projection_ends_in_quarter_4() -> None:
    indicator = b.indicator(frequency=Frequency.QUARTER, unit=Unit.DAYS, direction=Direction.LOWER)
    quarters = [12, 11.5, 11.8, 11, 10.6, 10.9, 10.2, 9.8, 9.5]
    result, targets = result_for(indicator, b.series("2022/23 Q1", quarters))
    spec = history_chart(result, targets)
    assert rows(spec, "trend-projection")[-1]["period"] == "2024/25 Q4"
    assert layers(spec)["actual"]["encoding"]["y"]["axis"]["title"] == "Days"
    assert rows(spec, "actual")[-1]["text"] == "9.5 days"


def test_no_trend_below_three_figures() -> None:
    result, targets = result_for(
        b.indicator(), b.series("2024-08", [80, 82]), [b.target("2024/25", 90)]
    )
    spec = history_chart(result, targets)
    assert result.trend is None
    assert {"trend-projection", "95-prediction-interval"}.isdisjoint(layers(spec))
    assert spec["encoding"]["x"]["scale"]["domain"] == ["2024-08", "2024-09"]
    assert valid(spec)


def test_the_neighbours_median_sits_at_its_period(monthly: tuple[IndicatorResult, Any]) -> None:
    """Annual national figures for 2023/24 beside a monthly indicator: at March 2024."""
    result, targets = monthly
    assert result.neighbours is not None
    spec = history_chart(result, targets)
    (median,) = rows(spec, "neighbours-median")
    assert median["period"] == "2024-03"
    assert median["of"] == "2023/24"
    assert median["value"] == float(result.neighbours.median) == 80.0
    assert ("Neighbours' median", "#009E73", (1, 0), "diamond") in legend(spec)


def test_no_neighbours_no_median() -> None:
    result, targets = result_for(b.indicator(), b.series("2022-04", MONTHLY), neighbours=True)
    assert result.neighbours is None  # not nationally defined, so not compared
    spec = history_chart(result, targets)
    assert "neighbours-median" not in layers(spec)
    assert "Neighbours' median" not in chart_table(result, targets)[0]


def test_colour_is_never_the_only_difference(monthly: tuple[IndicatorResult, Any]) -> None:
    """Every legend entry differs from every other by dash pattern or shape."""
    result, targets = monthly
    spc = spc_chart(result, result.target)
    assert spc is not None
    for spec in (history_chart(result, targets), spc):
        entries = legend(spec)
        assert len({(dash, shape) for _, _, dash, shape in entries}) == len(entries)


@pytest.mark.parametrize(
    ("unit", "title", "last"),
    [
        (Unit.PERCENT, "Per cent (%)", "84.9%"),
        (Unit.CURRENCY, "Pounds (£)", "£84.9"),
        (Unit.NUMBER, "Number", "84.9"),
        (Unit.SCORE, "Score", "84.9"),
    ],
)
def test_the_y_axis_names_the_unit(unit: Unit, title: str, last: str) -> None:
    result, targets = result_for(b.indicator(unit=unit), b.series("2022-04", MONTHLY))
    spec = history_chart(result, targets)
    assert layers(spec)["actual"]["encoding"]["y"]["axis"]["title"] == title
    assert rows(spec, "actual")[-1]["text"] == last


def test_title_and_description(monthly: tuple[IndicatorResult, Any]) -> None:
    result, targets = monthly
    spec = history_chart(result, targets)
    assert spec["title"] == "FOI requests answered on time"
    assert spec["description"] == chart_caption(result)


def test_a_long_name_wraps_rather_than_widens_the_chart() -> None:
    name = "Percentage of household waste sent for reuse, recycling and composting " * 2
    result, targets = result_for(b.indicator(name=name.strip()), b.series("2022-04", MONTHLY))
    spec = history_chart(result, targets)
    assert isinstance(spec["title"], list)
    assert all(len(line) <= 72 for line in spec["title"])
    assert " ".join(spec["title"]) == name.strip()
    root = parse_svg(render_svg(spec))
    width = root.get("width")
    assert width is not None
    assert int(width) < 700


def test_a_long_history_labels_a_few_periods() -> None:
    """Ten years of months: at most eight labels, each the first month of a financial year."""
    result, targets = result_for(
        b.indicator(), b.series("2014-10", [80 + i % 7 for i in range(120)])
    )
    x = history_chart(result, targets)["encoding"]["x"]
    labels, domain = x["axis"]["values"], x["scale"]["domain"]
    assert 2 <= len(labels) <= 8
    assert set(labels) <= set(domain)
    assert all(label.endswith("-04") for label in labels)
    assert domain[0] == "2014-10"
    assert domain[-1] == "2025-03"
    assert len(domain) == 126


def test_the_spec_fetches_nothing(monthly: tuple[IndicatorResult, Any]) -> None:
    """No url to load data from; the only address is the schema's, which nothing fetches."""
    result, targets = monthly
    spec = history_chart(result, targets)
    fetched = [(k, v) for k, v in strings(spec) if k == "url" or ("http" in v and k != "$schema")]
    assert fetched == []


def test_a_spec_handed_out_can_be_changed_safely(monthly: tuple[IndicatorResult, Any]) -> None:
    """The parts Altair builds are cached: changing one chart must not change the next."""
    result, targets = monthly
    first = history_chart(result, targets)
    first["layer"][0]["encoding"]["y"]["axis"]["title"] = "changed"
    first["config"]["font"] = "changed"
    first["encoding"]["x"]["axis"]["values"].append("changed")
    assert history_chart(result, targets) != first
    assert history_chart(result, targets) == history_chart(result, targets)


# -- no figures ----------------------------------------------------------------------------------
def test_no_figures_gives_an_empty_but_valid_chart() -> None:
    result, targets = result_for(b.indicator(name="New measure"), [], [b.target("2024/25", 90)])
    spec = history_chart(result, targets)
    assert valid(spec)
    assert chart_caption(result) == "Line chart of New measure: no figures have been recorded yet."
    assert spec["description"] == chart_caption(result)
    assert chart_table(result, targets) == (
        ["Period", "Value", "Target", "Trend projection", "95% prediction interval"],
        [],
    )
    assert spc_chart(result, result.target) is None
    assert spc_caption(result) is None
    root = parse_svg(render_svg(spec))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "No figures recorded yet" in texts
    assert "New measure" in texts


# -- the SPC chart -------------------------------------------------------------------------------
def test_no_spc_chart_for_a_short_history() -> None:
    result, _ = result_for(b.indicator(), b.series("2023-10", MONTHLY[:12]))
    assert result.spc is None
    assert spc_chart(result, Decimal(90)) is None


def test_spc_points_follow_the_point_types(monthly: tuple[IndicatorResult, Any]) -> None:
    result, _ = monthly
    assert result.spc is not None
    spec = spc_chart(result, result.target)
    assert spec is not None
    assert valid(spec)
    points = rows(spec, "values")
    assert [r["value"] for r in points] == [float(o.value) for o in result.history]
    labels = {
        PointType.COMMON_CAUSE: "Common cause",
        PointType.IMPROVEMENT: "Improvement",
        PointType.CONCERN: "Concern",
    }
    assert [r["series"] for r in points] == [labels[t] for t in result.spc.point_types]
    assert PointType.IMPROVEMENT in result.spc.point_types  # a run above the mean at the end
    shapes = {label: shape for label, _, _, shape in legend(spec)}
    kinds = [shapes[label] for label in labels.values() if label in shapes]
    assert len(set(kinds)) == len(kinds)
    assert {shapes["Common cause"], shapes["Improvement"]} == {"circle", "diamond"}
    (target,) = rows(spec, "target")
    assert target["value"] == 90.0
    caption = spc_caption(result)
    assert caption is not None
    assert caption.startswith("Statistical process control chart of FOI requests answered on time")
    assert caption.endswith("; target 90.0%.")
    assert spec["title"]["subtitle"] == "Control chart (statistical process control)"


def test_spc_limits_step_at_a_rebase() -> None:
    """A rebase at the 16th month: the mean and limits are drawn per segment."""
    values = [50, 52, 49, 51, 50, 48, 52, 51, 49, 50, 51, 50, 49, 52, 50,
              70, 72, 69, 71, 70, 68, 72, 71, 69, 70, 71, 70, 69, 72, 70]  # fmt: skip
    observations = b.series("2022-04", values)
    observations[15] = observations[15]._replace(rebase=True)
    result, _ = result_for(b.indicator(unit=Unit.NUMBER), observations)
    assert result.spc is not None
    assert len(result.spc.segments) == 2
    spec = spc_chart(result, None)
    assert spec is not None
    assert "target" not in layers(spec)
    means = {r["line"]: r["value"] for r in rows(spec, "process-limits") if r["series"] == "Mean"}
    assert means["mean 0"] == pytest.approx(50.27, abs=0.01)
    assert means["mean 1"] == pytest.approx(70.27, abs=0.01)
    assert layers(spec)["process-limits"]["encoding"]["detail"]["field"] == "line"
    assert "latest mean 70.3" in (spc_caption(result) or "")
    assert valid(spec)
    _, table = spc_table(result)
    assert {row[4] for row in table[:15]} == {"50.3"}  # each row has its own segment's mean
    assert {row[4] for row in table[15:]} == {"70.3"}


def test_the_spc_table_holds_the_engines_figures() -> None:
    """RISING (1 to 15, see report_stubs): mean 8, every moving range 1, limits 8 -/+ 2.66 =
    5.34 and 10.66; 1 to 5 are below them (concern, higher being better), 6 to 10 part of a
    rising trend and 11 to 15 above the limits (improvement)."""
    indicator = b.indicator(unit=Unit.NUMBER, decimals=2)
    result, _ = result_for(indicator, b.series("2023-07", RISING))
    headers, table = spc_table(result)
    assert headers == [
        "Period",
        "Value",
        "Variation",
        "Special cause rule",
        "Mean",
        "Lower process limit",
        "Upper process limit",
    ]
    assert len(table) == 15
    outside = "Outside the process limits"
    trend = "Trend: a run of figures each higher, or each lower, than the one before"
    assert table[0] == ["2023-07", "1.00", "Concern", outside, "8.00", "5.34", "10.66"]
    assert table[5] == ["2023-12", "6.00", "Improvement", trend, "8.00", "5.34", "10.66"]
    assert [row[3] for row in table] == [outside] * 5 + [trend] * 5 + [outside] * 5
    assert [row[2] for row in table] == ["Concern"] * 5 + ["Improvement"] * 10


def test_common_cause_rows_name_no_rule() -> None:
    """ALTERNATING (10, 12, ...): mean 164 / 15 = 10.93, limits 10.93 -/+ 5.32 = 5.61 and
    16.25; no rule flags any point."""
    result, _ = result_for(
        b.indicator(unit=Unit.NUMBER, decimals=2), b.series("2023-07", ALTERNATING)
    )
    _, table = spc_table(result)
    assert {tuple(row[2:]) for row in table} == {("Common cause", "", "10.93", "5.61", "16.25")}


def test_no_spc_no_table_rows() -> None:
    result, _ = result_for(b.indicator(), b.series("2023-10", MONTHLY[:12]))
    assert spc_table(result)[1] == []


# -- text alternatives -----------------------------------------------------------------------------
def test_the_caption_says_what_the_chart_shows(monthly: tuple[IndicatorResult, Any]) -> None:
    result, _ = monthly
    assert result.trend is not None
    projected = format_value(result.trend.year_end.value, Unit.PERCENT, 1)
    assert chart_caption(result) == (
        "Line chart of FOI requests answered on time from April 2022 to September 2024: the last "
        "figure plotted, for September 2024, is 84.9% against a target of 90.0%; the trend "
        f"projects {projected} by March 2025; the neighbours' median for 2023/24 was 80.0%."
    )


def test_the_caption_names_the_period_of_each_figure_it_gives() -> None:
    """A quarter's mean (86.0, 81.0 and 84.9 give 83.97, shown 84.0%) beside September's 84.9%:
    each named with its period, neither called "latest" (issue 11)."""
    result, _ = result_for(
        b.indicator(name="FOI", aggregation=Aggregation.MEAN),
        b.series("2022-04", MONTHLY),
        [b.target("2024/25", 90)],
    )
    caption = chart_caption(result, b.period(REPORTING))
    assert caption.startswith(
        "Line chart of FOI from April 2022 to September 2024: the figure for 2024/25 Q2 (July to "
        "September 2024) is 84.0% against a target of 90.0%; the last figure plotted, for "
        "September 2024, is 84.9%;"
    )
    assert "latest" not in caption
    latest, _ = result_for(b.indicator(name="FOI"), b.series("2022-04", MONTHLY))
    caption = chart_caption(latest, b.period(REPORTING))
    assert "the figure for 2024/25 Q2 (July to September 2024) is 84.9% with no target" in caption
    assert "last figure plotted" not in caption  # the quarter's figure is September's


def test_the_run_chart_marks_the_judged_figures_of_the_period_and_the_one_before() -> None:
    """The quarter's mean drawn across its three months, ending in a marker, for 2024/25 Q2
    (86.0, 81.0, 84.9: 83.97) and Q1 (84.7, 85.8, 85.1: 85.2), each named in the legend."""
    result, targets = result_for(
        b.indicator(aggregation=Aggregation.MEAN), b.series("2022-04", MONTHLY)
    )
    spec = history_chart(result, targets, b.period(REPORTING))
    span = rows(spec, "reported-span")
    assert [r["period"] for r in span] == ["2024-07", "2024-08", "2024-09"]
    assert [r["value"] for r in span] == [pytest.approx(251.9 / 3)] * 3
    assert [r["period"] for r in rows(spec, "reported-marker")] == ["2024-09"]
    before = rows(spec, "previous-span")
    assert [r["period"] for r in before] == ["2024-04", "2024-05", "2024-06"]
    assert [r["value"] for r in before] == [pytest.approx(85.2)] * 3
    named = [entry[0] for entry in legend(spec)]
    assert "2024/25 Q2 figure" in named
    assert "2024/25 Q1 figure" in named
    assert "reported-span" not in layers(history_chart(result, targets))  # no period, no marks
    # Reported by its latest figure: a marker on September alone.
    latest, _ = result_for(b.indicator(), b.series("2022-04", MONTHLY))
    spec = history_chart(latest, (), b.period(REPORTING))
    assert "reported-span" not in layers(spec)
    assert [(r["period"], r["value"]) for r in rows(spec, "reported-marker")] == [
        ("2024-09", pytest.approx(84.9))
    ]


def test_intervals_and_limits_are_drawn_within_what_is_possible() -> None:
    """A percentage alternating 97 and 100: its upper process limit (98.5 + 2.66 x 3 = 106.5)
    and its prediction interval pass 100%, and are drawn at 100% with a note saying so
    (issue 11)."""
    near = [97.0, 100.0] * 15
    result, targets = result_for(b.indicator(name="Returns on time"), b.series("2022-04", near))
    assert result.trend is not None
    assert result.trend.year_end.upper > 100
    spec = history_chart(result, targets)
    assert max(r["upper"] for r in rows(spec, "95-prediction-interval")) == 100
    assert "its 95% prediction interval cut at 100.0%, the highest possible" in chart_caption(
        result
    )
    assert result.spc is not None
    assert result.spc.upl == pytest.approx(106.48)
    drawn = rows(spc_chart(result, None) or {}, "process-limits")
    assert max(r["value"] for r in drawn) == 100
    assert "cut at 100.0%, the highest possible" in (spc_caption(result) or "")


def test_the_table_holds_the_charts_data(monthly: tuple[IndicatorResult, Any]) -> None:
    result, targets = monthly
    assert result.trend is not None
    headers, table = chart_table(result, targets)
    assert headers == [
        "Period",
        "Value",
        "Target",
        "Trend projection",
        "95% prediction interval",
        "Neighbours' median",
    ]
    assert len(table) == len(result.history) + 6  # October 2024 to March 2025 projected
    figures = table[: len(result.history)]
    assert [row[0] for row in figures] == [str(o.period) for o in result.history]
    assert [row[1] for row in figures] == [f"{v:.1f}%" for v in MONTHLY]
    assert figures[0][2] == "85.0%"
    assert figures[-1][2] == "90.0%"
    assert [row[5] for row in figures if row[5]] == ["80.0%"]
    assert figures[23][0] == "2024-03"
    assert figures[23][5] == "80.0%"
    last = table[-1]
    year_end = result.trend.year_end
    assert last[:4] == ["2025-03", "", "90.0%", format_value(year_end.value, Unit.PERCENT, 1)]
    low, high = (format_value(v, Unit.PERCENT, 1) for v in (year_end.lower, year_end.upper))
    assert last[4] == f"{low} to {high}"
    assert all(len(row) == len(headers) for row in table)


def test_the_table_says_when_no_target_is_set() -> None:
    result, targets = result_for(b.indicator(), b.series("2024-07", [80, 81, 82]))
    _, table = chart_table(result, targets)
    assert [row[2] for row in table] == ["–"] * len(table)


# -- rendering -------------------------------------------------------------------------------------
def test_the_svg_is_labelled_and_self_contained(monthly: tuple[IndicatorResult, Any]) -> None:
    result, targets = monthly
    spec = history_chart(result, targets)
    svg = render_svg(spec)
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart_caption(result)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == chart_caption(result)
    for element in root.iter():
        assert not element.tag.endswith(("script", "image", "foreignObject", "use"))
        for name, value in element.attrib.items():
            assert not name.endswith("href"), (element.tag, name, value)
            assert "http" not in value, (element.tag, name, value)
            assert "url(" not in value, (element.tag, name, value)
    assert "@import" not in svg


def test_markup_and_non_ascii_in_a_name_stay_text() -> None:
    result, targets = result_for(b.indicator(name=MARKUP_NAME), b.series("2022-04", MONTHLY))
    spec = history_chart(result, targets)
    svg = render_svg(spec)
    root = parse_svg(svg)  # parses: everything escaped
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "<script>" not in svg
    assert MARKUP_NAME in [t.text for t in root.iter(f"{SVG}text")]
    label = root.get("aria-label")
    assert label is not None
    assert label.startswith(f"Line chart of {MARKUP_NAME} from April 2022")
    assert render_png(spec).startswith(PNG_SIGNATURE)


def test_the_png_is_a_png_at_the_scale_asked(monthly: tuple[IndicatorResult, Any]) -> None:
    result, targets = monthly
    spec = history_chart(result, targets)
    single, double = render_png(spec, scale=1), render_png(spec)
    assert single.startswith(PNG_SIGNATURE)
    assert double.startswith(PNG_SIGNATURE)
    (width, height), (width2, height2) = png_size(single), png_size(double)
    assert width > 560
    assert height > 240
    assert abs(width2 - 2 * width) <= 1
    assert abs(height2 - 2 * height) <= 1


def test_the_spc_chart_renders(monthly: tuple[IndicatorResult, Any]) -> None:
    result, _ = monthly
    spec = spc_chart(result, result.target)
    assert spec is not None
    root = parse_svg(render_svg(spec))
    assert root.get("aria-label") == spc_caption(result)
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Mean", "Process limits", "Target", "Common cause", "Improvement"} <= texts
    assert render_png(spec).startswith(PNG_SIGNATURE)


def test_tooltips_stay_in_the_spec_for_the_page(monthly: tuple[IndicatorResult, Any]) -> None:
    """render_svg drops tooltips to draw faster, but must not change the spec it was given."""
    result, targets = monthly
    spec = history_chart(result, targets)
    before = repr(spec)
    render_svg(spec)
    assert repr(spec) == before
    assert "tooltip" in layers(spec)["actual"]["encoding"]


# -- properties ------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frequency=st.sampled_from([Frequency.MONTH, Frequency.QUARTER]),
    values=st.lists(
        st.one_of(st.none(), st.decimals(0, 1000, places=1, allow_nan=False)),
        min_size=1,
        max_size=130,
    ),
    with_target=st.booleans(),
)
def test_any_series_charts_its_figures(
    frequency: Frequency, values: list[Decimal | None], with_target: bool
) -> None:
    """Whatever the series and gaps: the line holds every figure, the table a row per figure
    and per projected period, and the axis labels a few periods of its own domain."""
    end = b.period(REPORTING) if frequency is Frequency.QUARTER else b.period("2024-09")
    first = end.shift(1 - len(values))
    observations = [
        Observation("1", first.shift(i), v) for i, v in enumerate(values) if v is not None
    ]
    targets = [b.target("2010/11", 50)] if with_target else []
    result, given_targets = result_for(
        b.indicator(frequency=frequency), observations, targets, period=REPORTING
    )
    spec = history_chart(result, given_targets)
    _, table = chart_table(result, given_targets)
    if not result.history:
        assert "no-data" in layers(spec)
        assert table == []
        return
    drawn = [r for r in rows(spec, "actual") if r["value"] is not None]
    assert [(r["period"], r["value"]) for r in drawn] == [
        (str(o.period), float(o.value)) for o in result.history
    ]
    projected = 0
    if result.trend is not None:
        fit_end: Period = result.trend.year_end.period
        projected = fit_end.index - result.trend.fit.last_period.index
    assert len(table) == len(result.history) + projected
    x = spec["encoding"]["x"]
    assert 1 <= len(x["axis"]["values"]) <= 8
    assert set(x["axis"]["values"]) <= set(x["scale"]["domain"])
    assert ("target" in layers(spec)) is with_target


def test_specs_are_written_for_the_schema_altair_checks_them_against() -> None:
    """The specs are plain dicts; the tests validate them with Altair's Vega-Lite schema, so
    they must say that version, and move with Altair."""
    import altair as alt

    from kpiboard.reports import chart_parts

    assert alt.SCHEMA_URL == chart_parts.SCHEMA_URL
    assert alt.SCHEMA_VERSION == chart_parts.SCHEMA_VERSION


def test_drawing_charts_does_not_import_altair() -> None:
    """Importing Altair cost 0.2 s in every process that draws charts."""
    import subprocess
    import sys

    code = (
        "import sys, kpiboard.reports.rendering, kpiboard.reports.charts, "
        "kpiboard.reports.chart_render, kpiboard.reports.neighbour_chart; "
        "print('altair' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
