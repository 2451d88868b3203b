"""The council among its statistical neighbours: a bar per area, best first, England beside them.

For an indicator with neighbour figures (semantics.md 7), the period the engine compared: one bar
per area, ordered best to worst by the indicator's direction (highest first when it has none),
the council's bar in its own colour with its name in bold (never colour alone), and England and
the neighbours' median as dashed vertical lines named in the legend. Bars start at zero.

Like the other charts (:mod:`kpiboard.reports.charts`), the spec is a plain Vega-Lite dict whose
pieces are built once; the text alternative is :func:`neighbour_caption` and the
data table :func:`neighbour_table`.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.model import Unit
from kpiboard.reports.chart_parts import (
    FONT,
    HEIGHT,
    NEIGHBOURS,
    SCHEMA_URL,
    TEXT_COLOUR,
    WIDTH,
    Y_LABELS,
    Y_TITLES,
    Style,
    chart_config,
    chart_title,
    copied,
    formatter,
    series_legend,
    text_field,
    unit_layer,
)
from kpiboard.reports.model import neighbour_areas

__all__ = ["neighbour_caption", "neighbour_chart", "neighbour_table"]

COUNCIL = Style("This council", "#0072B2", symbol="square")
OTHERS = Style("Neighbours", "#7B7D7D", symbol="square")
ENGLAND = Style("England", TEXT_COLOUR, dash=(8, 4))
MEDIAN = Style(NEIGHBOURS.label, NEIGHBOURS.colour, dash=(3, 3))
LEGEND_ORDER = (COUNCIL, OTHERS, MEDIAN, ENGLAND)
#: Pixels per bar.
BAR_STEP = 20


def neighbour_chart(result: IndicatorResult, council: str) -> dict[str, Any] | None:
    """The bar chart of the council among its neighbours (Vega-Lite); None without neighbours."""
    found = result.neighbours
    if found is None:
        return None
    indicator = result.indicator
    show, unit = formatter(indicator), indicator.unit
    areas = neighbour_areas(result, council)
    bars = [
        {
            "series": (COUNCIL if area.council else OTHERS).label,
            "label": area.name,
            "value": float(area.value),
            "text": show(area.value),
            "rank": str(area.rank) if area.rank is not None else "",
        }
        for area in areas
    ]
    lines = [(MEDIAN, found.median)]
    if found.england is not None:
        lines.append((ENGLAND, found.england))
    styles = (COUNCIL, OTHERS, *(style for style, _ in lines))
    legend = series_legend(tuple(style for style in LEGEND_ORDER if style in styles))
    bar_layer = copied(_bar_template(unit))
    bar_layer["encoding"]["color"] = copied(legend["color"])
    # The council's name in bold: an expression string from JSON, so any name stays a string.
    bar_layer["encoding"]["y"]["axis"]["labelFontWeight"] = {
        "condition": {"test": f"datum.value === {json.dumps(council)}", "value": "bold"},
        "value": "normal",
    }
    layers = [bar_layer]
    datasets: dict[str, list[dict[str, Any]]] = {"areas": bars}
    for style, value in lines:
        layer = copied(_line_template(style))
        layer["encoding"].update(copied({c: legend[c] for c in ("color", "strokeDash")}))
        layers.append(layer)
        datasets[layer["data"]["name"]] = [
            {"series": style.label, "value": float(value), "text": show(value)}
        ]
    # No points are drawn, but a point layer gives the legend its symbols: a square for a bar
    # series, a dashed stroke for a line.
    key = copied(_legend_key_template())
    key["encoding"].update(copied({c: legend[c] for c in ("color", "shape")}))
    layers.append(key)
    datasets[key["data"]["name"]] = []
    order = "best first" if indicator.direction.sign else "highest first"
    return {
        "$schema": SCHEMA_URL,
        "title": {
            "text": chart_title(indicator.name),
            "subtitle": f"Statistical neighbours, {found.period}, {order}",
        },
        "description": neighbour_caption(result, council),
        "width": WIDTH,
        "height": {"step": BAR_STEP} if len(bars) * BAR_STEP >= HEIGHT / 2 else HEIGHT / 2,
        "layer": layers,
        "datasets": datasets,
        "config": copied(chart_config()),
    }


def neighbour_caption(result: IndicatorResult, council: str) -> str | None:
    """One sentence saying what the neighbour chart shows; None without neighbours.

    For example: "Bar chart of Delayed transfers for 2023/24, the council and its 15 statistical
    neighbours, best first: Cambridgeshire 7.7, ranked 5 of 16 (1 is best); the neighbours'
    median 7.3; England 7.0."
    """
    found = result.neighbours
    if found is None:
        return None
    indicator = result.indicator
    show = formatter(indicator)
    order = "best first" if indicator.direction.sign else "highest first"
    clauses = [f"{council} {show(found.council_value)}"]
    if found.rank is not None:
        clauses[0] += f", ranked {found.rank} of {found.group_size} (1 is best)"
    else:
        clauses[0] += f", among {found.n} neighbours"
    clauses.append(f"the neighbours' median {show(found.median)}")
    if found.england is not None:
        clauses.append(f"England {show(found.england)}")
    return (
        f"Bar chart of {indicator.name} for {found.period}, the council and its {found.n} "
        f"statistical neighbours, {order}: {'; '.join(clauses)}."
    )


def neighbour_table(result: IndicatorResult, council: str) -> tuple[list[str], list[list[str]]]:
    """The neighbour chart's data as a table: a row per area in the chart's order, then the
    neighbours' median and England (when there is a figure for it)."""
    headers = ["Area", "Value", "Rank (1 is best)"]
    found = result.neighbours
    if found is None:
        return headers, []
    show = formatter(result.indicator)
    rows = [
        [
            f"{area.name} (this council)" if area.council else area.name,
            show(area.value),
            str(area.rank) if area.rank is not None else "Not ranked: no direction",
        ]
        for area in neighbour_areas(result, council)
    ]
    rows.append([MEDIAN.label, show(found.median), ""])
    if found.england is not None:
        rows.append([ENGLAND.label, show(found.england), "Not ranked"])
    return headers, rows


# -- the pieces, built once each ---------------------------------------------------------------
@functools.cache
def _bar_template(unit: Unit) -> dict[str, Any]:
    """A horizontal bar per area, in the order of the rows, from zero."""
    axis: dict[str, Any] = {"tickCount": 6, "title": Y_TITLES[unit]}
    if unit in Y_LABELS:
        axis["labelExpr"] = Y_LABELS[unit]
    encoding = {
        "tooltip": [
            text_field("label", "Area"),
            text_field("text", "Value"),
            text_field("rank", "Rank (1 is best)"),
        ],
        "x": {"axis": axis, "field": "value", "scale": {"zero": True}, "type": "quantitative"},
        "y": {
            "axis": {"labelColor": TEXT_COLOUR, "labelFont": FONT, "labelLimit": 0},
            "field": "label",
            "sort": None,
            "title": None,
            "type": "nominal",
        },
    }
    return unit_layer("areas", "areas", {"type": "bar", "opacity": 1}, encoding)


@functools.cache
def _line_template(style: Style) -> dict[str, Any]:
    """A vertical line at a value, the full height of the chart."""
    name = "england" if style is ENGLAND else "median"
    encoding = {
        "tooltip": [text_field("text", style.label)],
        "x": {"field": "value", "type": "quantitative"},
    }
    return unit_layer(name, name, {"type": "rule", "strokeWidth": 2}, encoding)


@functools.cache
def _legend_key_template() -> dict[str, Any]:
    """A layer of no points, for the legend's symbols; left out of the SVG's accessibility tree,
    where an empty group of marks would be an image without a name. Its x is the constant 0
    (where the bars start anyway): a field of no rows has an infinite extent, which Vega warns
    about in the browser."""
    encoding = {"x": {"datum": 0, "type": "quantitative"}}
    return unit_layer("legend-key", "legend-key", {"type": "point", "aria": False}, encoding)
