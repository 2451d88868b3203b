"""The pieces every chart spec is built from: styles, layers, the shared look and templates.

The charts (:mod:`kpiboard.reports.charts`, :mod:`kpiboard.reports.neighbour_chart`,
:mod:`kpiboard.reports.breakdown_chart`) are plain Vega-Lite dicts put together from these.

Each series is told apart by line style or shape as well as by colour (Okabe-Ito colours, which
stay distinct for colour-blind readers; NHSRplotthedots' colours for SPC points) and is named in
the legend, so a chart reads in greyscale too.

Speed: a pack draws hundreds of charts. Each kind of layer, the legend and the look are built
once, cached, as plain dicts; a chart is those pieces copied into one dict, with the data rows in
the spec's ``datasets``. Altair is not used here: building a whole chart with it checks every
object against the Vega-Lite JSON schema and deep-copies the chart, data included, at each step,
and even importing it cost 0.2 s in every process that draws charts. The tests check every kind
of spec against that schema with Altair instead. Vega's own cost is mostly measuring text, so
the x axis labels a handful of periods, never one per period.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from kpiboard.analysis.model import Indicator, Unit
from kpiboard.analysis.periods import Period
from kpiboard.analysis.spc import PointType
from kpiboard.reports.formatting import format_value
from kpiboard.reports.icons import POINT_WORDS

#: The Vega-Lite the specs are written for: the schema the tests check them against (Altair's).
SCHEMA_VERSION = "v6.4.1"
SCHEMA_URL = f"https://vega.github.io/schema/vega-lite/{SCHEMA_VERSION}.json"

WIDTH = 560
HEIGHT = 240
MAX_AXIS_LABELS = 8
#: Characters of a title line: longer names wrap onto more lines rather than widen the chart.
TITLE_LINE = 72
#: Arial as in the web pages; Liberation Sans has the same metrics where Arial is not installed.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
TEXT_COLOUR = "#0b0c0c"

#: Label steps tried in turn (in periods, by months per period) until few enough labels remain.
#: A step that divides a year puts the labels on the first period of a financial year.
AXIS_STEPS = {1: (1, 2, 3, 6, 12, 24, 36, 60, 120), 3: (1, 2, 4, 8, 12, 20, 40), 12: (1, 2, 5, 10)}

Y_TITLES = {
    Unit.PERCENT: "Per cent (%)",
    Unit.NUMBER: "Number",
    Unit.CURRENCY: "Pounds (£)",
    Unit.DAYS: "Days",
    Unit.RATE: "Rate",
    Unit.SCORE: "Score",
}

#: Axis tick labels in Vega's expression language, with the unit written as format_value does.
Y_LABELS = {
    Unit.PERCENT: "format(datum.value, ',~r') + '%'",
    Unit.CURRENCY: "(datum.value < 0 ? '-£' : '£') + format(abs(datum.value), ',~r')",
}


@dataclass(frozen=True, slots=True)
class Style:
    """How one series is drawn and named in the legend.

    ``symbol`` is its legend symbol and the shape of its points: ``stroke`` (drawn with
    ``dash``) for a line, a shape for points, ``square`` for a band.
    """

    label: str
    colour: str
    dash: tuple[int, ...] = ()
    symbol: str = "stroke"


SOLID = (1, 0)

ACTUAL = Style("Actual", "#0072B2", symbol="circle")
TARGET = Style("Target", TEXT_COLOUR, dash=(10, 5))
TREND = Style("Trend projection", "#D55E00", dash=(3, 3))
INTERVAL = Style("95% prediction interval", "#F5D9A6", symbol="square")
NEIGHBOURS = Style("Neighbours' median", "#009E73", symbol="diamond")
#: The figures judged for the reporting period and the one before: named in the legend by their
#: period ("2024/25 Q2 figure"), so these two are the colours and shapes of styles made per chart.
REPORTED_COLOUR, REPORTED_SYMBOL = "#CC79A7", "square"
PREVIOUS_COLOUR, PREVIOUS_SYMBOL, PREVIOUS_DASH = "#6f777b", "triangle-up", (4, 2)

MEAN = Style("Mean", "#505a5f")
LIMITS = Style("Process limits", "#505a5f", dash=(4, 3))
SPC_CONNECTOR = "#a6a6a6"

#: Making Data Count points: colours as NHSRplotthedots, and a shape each.
SPC_POINTS = {
    PointType.COMMON_CAUSE: Style(POINT_WORDS[PointType.COMMON_CAUSE], "#7B7D7D", symbol="circle"),
    PointType.IMPROVEMENT: Style(POINT_WORDS[PointType.IMPROVEMENT], "#289de0", symbol="diamond"),
    PointType.CONCERN: Style(POINT_WORDS[PointType.CONCERN], "#fab428", symbol="square"),
    PointType.NEUTRAL_HIGH: Style(
        POINT_WORDS[PointType.NEUTRAL_HIGH], "#361475", symbol="triangle-up"
    ),
    PointType.NEUTRAL_LOW: Style(
        POINT_WORDS[PointType.NEUTRAL_LOW], "#361475", symbol="triangle-down"
    ),
}

SPC_SUBTITLE = "Control chart (statistical process control)"

#: Legend order, whatever order the marks are drawn in.
LEGEND_ORDER = (ACTUAL, TARGET, TREND, INTERVAL, NEIGHBOURS, MEAN, LIMITS, *SPC_POINTS.values())

#: The legend encodings each kind of mark takes (an area has no dash, a line no shape).
LINE = ("color", "strokeDash")
AREA = ("color",)
POINT = ("color", "shape")

Interpolate = Literal["linear", "step-after"]
Show = Callable[[Decimal | float | None], str]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer of a chart: a mark (a cached template, never changed) and the rows it draws.

    The template names the dataset it reads (layers may share one). ``styles`` are the series
    it draws, for the legend (none: not in the legend); ``channels`` the legend encodings its
    mark takes.
    """

    template: Mapping[str, Any]
    rows: list[Row]
    styles: tuple[Style, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def dataset(self) -> str:
        return str(self.template["data"]["name"])


# -- building blocks ---------------------------------------------------------------------------
def formatter(indicator: Indicator) -> Show:
    """The indicator's values as text, each distinct value formatted once (a control chart's
    limits repeat at every point)."""
    unit, decimals = indicator.unit, indicator.decimals
    shown: dict[Decimal | float | None, str] = {}

    def show(value: Decimal | float | None) -> str:
        text = shown.get(value)
        if text is None:
            text = shown[value] = format_value(value, unit, decimals)
        return text

    return show


def copied(value: Any) -> Any:
    """A copy of plain JSON-like data (dicts, lists and scalars): the cached pieces of a spec
    are never handed out themselves. Five times quicker than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    return value


@functools.lru_cache(maxsize=4096)
def _period_label(period: Period) -> str:
    return period.label


def chart_title(name: str) -> str | list[str]:
    """The indicator's name, as lines of at most TITLE_LINE characters when it is long."""
    lines = textwrap.wrap(name, TITLE_LINE, break_long_words=False, break_on_hyphens=False)
    return name if len(lines) <= 1 else lines


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive, at ``first``'s frequency."""
    return [first.shift(i) for i in range(last.index - first.index + 1)]


def data_row(style: Style, period: Period | None, value: Decimal | float | None, show: Show) -> Row:
    """A data row: the series it belongs to, the period label, the number and its text."""
    return {
        "series": style.label,
        "period": _period_label(period) if period is not None else None,
        "value": float(value) if value is not None else None,
        "text": show(value),
    }


def _axis_values(periods: Sequence[Period]) -> list[str]:
    """At most MAX_AXIS_LABELS period labels, evenly spaced from the start of a year."""
    for step in AXIS_STEPS[periods[0].frequency.months]:
        chosen = [str(p) for p in periods if p.index % step == 0]
        if len(chosen) <= MAX_AXIS_LABELS:
            return chosen or [str(periods[0])]
    return [str(periods[0]), str(periods[-1])]


def _name(style: Style) -> str:
    """A layer's name: its legend label in kebab case ("trend-projection")."""
    return re.sub(r"[^a-z0-9]+", "-", style.label.lower()).strip("-")


def line_layer(
    style: Style, rows: list[Row], unit: Unit, *, interpolate: Interpolate = "linear"
) -> Layer:
    return Layer(_line_template(style, unit, interpolate), rows, (style,), LINE)


def band_layer(rows: list[Row], unit: Unit) -> Layer:
    return Layer(_band_template(unit), rows, (INTERVAL,), AREA)


def point_layer(
    style: Style,
    rows: list[Row],
    unit: Unit,
    *,
    name: str | None = None,
    size: int,
    outlined: bool = False,
) -> Layer:
    """Points of one series; ``name`` when they share the dataset of the series' line."""
    template = _point_template(style, unit, name or _name(style), size, outlined)
    return Layer(template, rows, (style,), POINT)


def rule_layer(style: Style, rows: list[Row], unit: Unit) -> Layer:
    return Layer(_rule_template(style, unit), rows, (style,), LINE)


def compose(
    indicator: Indicator, caption: str, periods: Sequence[Period], layers: Sequence[Layer]
) -> dict[str, Any]:
    """One layered spec: the layers on one x axis, one legend keyed on each row's ``series``."""
    present = [style for layer in layers for style in layer.styles]
    ordered = [style for style in LEGEND_ORDER if style in present]
    ordered += [style for style in dict.fromkeys(present) if style not in LEGEND_ORDER]
    legend = series_legend(tuple(ordered))
    x = copied(_x_template())
    x["scale"]["domain"] = [_period_label(p) for p in periods]
    x["axis"]["values"] = _axis_values(periods)
    specs = []
    for layer in layers:
        spec = copied(dict(layer.template))
        spec["encoding"].update(copied({c: legend[c] for c in layer.channels}))
        if "axis" in spec["encoding"].get("y", {}):
            spec["encoding"]["y"]["axis"]["title"] = _y_title(indicator)
        specs.append(spec)
    return {
        "$schema": SCHEMA_URL,
        "title": chart_title(indicator.name),
        "description": caption,
        "width": WIDTH,
        "height": HEIGHT,
        "encoding": {"x": x},
        "layer": specs,
        "datasets": {layer.dataset: layer.rows for layer in layers},
        "config": copied(chart_config()),
    }


def no_data_chart(indicator: Indicator, caption: str) -> dict[str, Any]:
    """The title and a note saying there are no figures, in a chart of the usual size."""
    return {
        "$schema": SCHEMA_URL,
        "title": chart_title(indicator.name),
        "description": caption,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": [copied(_no_data_template())],
        "datasets": {"no-data": [{"text": "No figures recorded yet"}]},
        "config": copied(chart_config()),
    }


# -- the pieces of a spec, built once each -----------------------------------------------------
def _y(field: str, unit: Unit) -> dict[str, Any]:
    """A quantitative y axis in the unit's words, not from zero."""
    axis: dict[str, Any] = {"title": Y_TITLES[unit]}
    if unit in Y_LABELS:
        axis["labelExpr"] = Y_LABELS[unit]
    return {"axis": axis, "field": field, "scale": {"zero": False}, "type": "quantitative"}


def _y_title(indicator: Indicator) -> str:
    """The y axis in words a reader knows: "Per cent (%)", "Days", or the indicator's own
    ``unit_label`` ("Seconds")."""
    words = indicator.unit_words
    return f"{words} (%)" if indicator.unit is Unit.PERCENT and not indicator.unit_label else words


def text_field(field: str, title: str) -> dict[str, Any]:
    return {"field": field, "title": title, "type": "nominal"}


def _tooltip(label: str, field: str = "text", period: str = "period") -> list[dict[str, Any]]:
    return [text_field(period, "Period"), text_field(field, label)]


def unit_layer(
    name: str, data: str, mark: dict[str, Any], encoding: dict[str, Any]
) -> dict[str, Any]:
    """A unit spec for a layer: its name, the dataset it reads, its mark and encoding."""
    return {"name": name, "data": {"name": data}, "mark": mark, "encoding": encoding}


@functools.cache
def _line_template(style: Style, unit: Unit, interpolate: Interpolate) -> dict[str, Any]:
    name = _name(style)
    mark = {"type": "line", "interpolate": interpolate, "strokeJoin": "round", "strokeWidth": 2}
    return unit_layer(name, name, mark, {"tooltip": _tooltip(style.label), "y": _y("value", unit)})


@functools.cache
def limits_template(unit: Unit) -> dict[str, Any]:
    """SPC mean and process limits: a line per limit per segment, so they step at a rebase."""
    encoding = {
        "detail": {"field": "line", "type": "nominal"},
        "tooltip": _tooltip("Value"),
        "y": _y("value", unit),
    }
    return unit_layer(
        "process-limits", "process-limits", {"type": "line", "strokeWidth": 1.5}, encoding
    )


@functools.cache
def _band_template(unit: Unit) -> dict[str, Any]:
    name = _name(INTERVAL)
    encoding = {
        "tooltip": _tooltip(INTERVAL.label, field="interval"),
        "y": _y("lower", unit),
        "y2": {"field": "upper"},
    }
    return unit_layer(name, name, {"type": "area", "opacity": 1}, encoding)


@functools.cache
def _point_template(
    style: Style, unit: Unit, name: str, size: int, outlined: bool
) -> dict[str, Any]:
    """Filled points of the series' dataset; a lone marker (``outlined``) gets a dark edge and
    the period it is for (``of``) in its tooltip."""
    mark: dict[str, Any] = {"type": "point", "filled": True, "opacity": 1, "size": size}
    if outlined:
        mark.update(stroke=TEXT_COLOUR, strokeWidth=1)
    tooltip = _tooltip(style.label, period="of" if outlined else "period")
    return unit_layer(name, _name(style), mark, {"tooltip": tooltip, "y": _y("value", unit)})


@functools.cache
def judged_template(unit: Unit, name: str, kind: str) -> dict[str, Any]:
    """A judged figure: a thick line across the periods it combines (``span``), or the outlined
    marker at its last period (``marker``); the tooltip names the period it is for."""
    if kind == "span":
        mark: dict[str, Any] = {"type": "line", "strokeWidth": 3, "strokeCap": "round"}
    else:
        mark = {
            "type": "point",
            "filled": True,
            "opacity": 1,
            "size": 150,
            "stroke": TEXT_COLOUR,
            "strokeWidth": 1,
        }
    encoding = {"tooltip": _tooltip("Figure", period="of"), "y": _y("value", unit)}
    return unit_layer(f"{name}-{kind}", f"{name}-{kind}", mark, encoding)


@functools.cache
def spc_points_template(unit: Unit) -> dict[str, Any]:
    """SPC points, sized by their row (special causes larger), shaped by the legend."""
    encoding = {
        "size": {"field": "size", "scale": None, "type": "quantitative"},
        "tooltip": [*_tooltip("Value"), text_field("series", "Variation")],
        "y": _y("value", unit),
    }
    return unit_layer("values", "values", {"type": "point", "filled": True, "opacity": 1}, encoding)


@functools.cache
def _rule_template(style: Style, unit: Unit) -> dict[str, Any]:
    """A line at a value across the whole width (the x it would inherit is overridden)."""
    name = _name(style)
    encoding = {
        "tooltip": [text_field("text", style.label)],
        "x": {"value": 0},
        "x2": {"value": "width"},
        "y": _y("value", unit),
    }
    return unit_layer(name, name, {"type": "rule", "strokeWidth": 2}, encoding)


@functools.cache
def connector_template(unit: Unit) -> dict[str, Any]:
    """The grey line joining an SPC chart's points (their dataset), left out of the legend."""
    mark = {"type": "line", "color": SPC_CONNECTOR, "strokeJoin": "round", "strokeWidth": 1.5}
    return unit_layer("values-line", "values", mark, {"y": _y("value", unit)})


@functools.cache
def _no_data_template() -> dict[str, Any]:
    encoding = {
        "text": {"field": "text", "type": "nominal"},
        "x": {"value": WIDTH / 2},
        "y": {"value": HEIGHT / 2},
    }
    return unit_layer(
        "no-data", "no-data", {"type": "text", "color": TEXT_COLOUR, "fontSize": 14}, encoding
    )


@functools.cache
def _x_template() -> dict[str, Any]:
    """The period axis; the domain and the labelled periods are filled in per chart."""
    return {
        "axis": {"grid": False, "labelAngle": 0, "values": ["2024-04"]},
        "field": "period",
        "scale": {"domain": ["2024-04"], "padding": 0.5, "type": "point"},
        "title": None,
        "type": "ordinal",
    }


@functools.cache
def series_legend(styles: tuple[Style, ...]) -> dict[str, dict[str, Any]]:
    """Colour, dash and shape keyed on the series, in one legend naming every series drawn."""
    domain = [style.label for style in styles]
    ranges: dict[str, list[Any]] = {
        "color": [s.colour for s in styles],
        "strokeDash": [list(s.dash or SOLID) for s in styles],
        "shape": [s.symbol for s in styles],
    }
    return {
        channel: {
            "field": "series",
            "legend": {"title": None},
            "scale": {"domain": domain, "range": values},
            "type": "nominal",
        }
        for channel, values in ranges.items()
    }


@functools.cache
def chart_config() -> dict[str, Any]:
    """The look every chart shares."""
    return {
        "axis": {"labelColor": TEXT_COLOUR, "labelFontSize": 11, "titleColor": TEXT_COLOUR},
        "font": FONT,
        "legend": {
            "direction": "horizontal",
            "labelColor": TEXT_COLOUR,
            "labelFontSize": 11,
            "labelLimit": 0,
            "orient": "bottom",
            "symbolOpacity": 1,
            "symbolSize": 120,
            "symbolStrokeWidth": 2.5,
        },
        "title": {"anchor": "start", "color": TEXT_COLOUR, "fontSize": 15},
        "view": {"stroke": None},
    }
