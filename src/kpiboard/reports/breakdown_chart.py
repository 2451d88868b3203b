"""An indicator's groups over the reporting period (breakdowns.csv): a line per group across the
period's months, the indicator's own figure beside them as a thicker dashed line.

Like the other charts (:mod:`kpiboard.reports.charts`), the spec is a plain Vega-Lite dict: the
web's indicator page draws it with vega-embed. Each group is told apart by colour *and* point
shape (Okabe-Ito colours), named in the legend; the text alternative is
:func:`breakdown_caption` and the data is the card's own table
(:func:`kpiboard.reports.breakdown_table.group_table`). No target is drawn: groups are shown for
context, never judged against the indicator's target.
"""

from __future__ import annotations

from typing import Any

from kpiboard.analysis.breakdowns import BreakdownGrid
from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.periods import Period
from kpiboard.reports.chart_parts import (
    HEIGHT,
    SCHEMA_URL,
    TEXT_COLOUR,
    WIDTH,
    Y_LABELS,
    Y_TITLES,
    chart_config,
    chart_title,
    copied,
    formatter,
    text_field,
)
from kpiboard.reports.words import period_label

__all__ = ["breakdown_caption", "breakdown_chart"]

#: Okabe-Ito colours, then greys: distinct for colour-blind readers, and each with a shape.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6f777b")
SHAPES = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "triangle-left")
#: The indicator's own figure: black, dashed, thicker.
OWN_DASH = (8, 4)


def own_figure_label(ref: str) -> str:
    return f"All ({ref}'s own figure)"


def breakdown_chart(result: IndicatorResult, grid: BreakdownGrid, period: Period) -> dict[str, Any]:
    """The line chart of ``grid`` (the reporting ``period``'s groups), as Vega-Lite."""
    indicator = result.indicator
    show, unit = formatter(indicator), indicator.unit
    labels = [period_label(when) for when in grid.periods]
    own = own_figure_label(indicator.ref)
    rows = []
    for group in grid.groups:
        for when, label in zip(grid.periods, labels, strict=True):
            cell = grid.cell(group, when)
            if cell is not None:
                rows.append(_row(group, label, float(cell.value), show(cell.value)))
    series = list(grid.groups)
    for when, label in zip(grid.periods, labels, strict=True):
        if when in grid.headline:
            rows.append(_row(own, label, float(grid.headline[when]), show(grid.headline[when])))
            if own not in series:
                series.append(own)
    colours = [COLOURS[n % len(COLOURS)] for n in range(len(grid.groups))]
    shapes = [SHAPES[n % len(SHAPES)] for n in range(len(grid.groups))]
    dashes: list[list[int]] = [[1, 0] for _ in grid.groups]
    if own in series:
        colours.append(TEXT_COLOUR)
        shapes.append("stroke")
        dashes.append(list(OWN_DASH))
    legend = {"title": grid.by, "symbolStrokeWidth": 2, "labelLimit": 0, "orient": "bottom"}
    axis: dict[str, Any] = {"title": Y_TITLES[unit], "tickCount": 6}
    if unit in Y_LABELS:
        axis["labelExpr"] = Y_LABELS[unit]
    return {
        "$schema": SCHEMA_URL,
        "title": {
            "text": chart_title(indicator.name),
            "subtitle": f"By {grid.by.lower()}, {period_label(period)}",
        },
        "description": breakdown_caption(result, grid, period),
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": rows},
        "mark": {"type": "line", "point": {"filled": True, "size": 70}, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "sort": labels,
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "value", "type": "quantitative", "axis": axis},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": colours},
                "legend": legend,
            },
            "shape": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": shapes},
                "legend": legend,
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": series, "range": dashes},
                "legend": legend,
            },
            "tooltip": [
                text_field("series", grid.by),
                text_field("period", "Period"),
                text_field("text", "Value"),
            ],
        },
        "config": copied(chart_config()),
    }


def _row(series: str, period: str, value: float, text: str) -> dict[str, Any]:
    return {"series": series, "period": period, "value": value, "text": text}


def breakdown_caption(result: IndicatorResult, grid: BreakdownGrid, period: Period) -> str:
    """One sentence saying what the chart shows: the lowest group in each period, and the
    indicator's own figure.

    For example: "Line chart of First contact resolution by service, 2024/25 Q2 (July to
    September 2024), 5 services over 3 periods: lowest Registration 61.0% in August 2024 (the
    indicator's own figure 76.1%); not judged against the target."
    """
    indicator = result.indicator
    show = formatter(indicator)
    noun = grid.by.lower()
    clauses = []
    for when in grid.periods:
        cells = [(cell.value, group) for group in grid.groups if (cell := grid.cell(group, when))]
        if not cells:
            continue
        low, group = min(cells, key=lambda pair: pair[0])
        clause = f"{period_label(when)}: lowest {group} {show(low)}"
        if when in grid.headline:
            clause += f" (the indicator's own figure {show(grid.headline[when])})"
        clauses.append(clause)
    count = len(grid.groups)
    return (
        f"Line chart of {indicator.name} by {noun}, {period_label(period)}, {count} "
        f"{'group' if count == 1 else 'groups'} over {len(grid.periods)} "
        f"{'period' if len(grid.periods) == 1 else 'periods'}: {'; '.join(clauses)}. "
        "Groups are shown for context, not judged against the target."
    )
