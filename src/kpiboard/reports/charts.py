"""The charts of an indicator: one Vega-Lite spec, drawn in the page and as SVG or PNG.

:func:`history_chart` draws the figures, the target in force, the projected trend to the end of
the financial year with its 95% prediction interval, and the neighbours' median; :func:`spc_chart`
the Making Data Count XmR chart (and :mod:`kpiboard.reports.neighbour_chart` the council among
its neighbours). Each returns a plain Vega-Lite dict: the browser draws it with vega-embed, and
:func:`render_svg` (HTML, PDF) and :func:`render_png` (Word, Excel) draw it here with
vl-convert, which runs Vega in-process and is not allowed to fetch anything.
Every chart has a text alternative (:func:`chart_caption`, :func:`spc_caption`) and its data as a
table (:func:`chart_table`, :func:`spc_table`).

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
import hashlib
import html
import json
import re
import textwrap
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import vl_convert

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.model import Aggregation, Indicator, Target, Unit
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.spc import PointType, SpcResult
from kpiboard.analysis.values import PeriodValue, target_in_force
from kpiboard.reports import vega_engine
from kpiboard.reports.formatting import format_value, within_bounds
from kpiboard.reports.icons import POINT_WORDS, RULE_WORDS
from kpiboard.reports.words import figure_label, figure_period, period_label

__all__ = [
    "chart_caption",
    "chart_table",
    "history_chart",
    "render_png",
    "render_svg",
    "spc_caption",
    "spc_chart",
    "spc_table",
]

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


# -- the history chart -------------------------------------------------------------------------
def history_chart(
    result: IndicatorResult, targets: Sequence[Target], period: Period | None = None
) -> dict[str, Any]:
    """The indicator's figures, target, projected trend and neighbours' median (Vega-Lite).

    The x axis holds every period from the first figure to the end of the financial year (when
    there is a trend), so a missing figure leaves a gap in the line. The target is a step line
    of the target in force in each period; the trend a dashed line from the last figure to the
    year end over a band of its 95% prediction interval, cut at the values the indicator can
    have; the neighbours' median a diamond at the period it is for. Given the reporting
    ``period``, the figures judged for it and for the period before are marked across the
    months or quarters they combine, so the number in the report's text is on the chart. With no
    figures at all, the chart says so.
    """
    indicator = result.indicator
    history = result.history
    caption = chart_caption(result, period)
    if not history:
        return _no_data_chart(indicator, caption)
    show, unit = _formatter(indicator), indicator.unit
    trend = result.trend
    median_at = _neighbour_period(result)
    first, last = history[0].period, history[-1].period
    start, end = first, max(last, trend.year_end.period) if trend is not None else last
    if median_at is not None:
        start, end = min(start, median_at), max(end, median_at)
    periods = _periods(start, end)

    layers: list[Layer] = []
    if trend is not None:
        trend_rows = []
        for p in _periods(last, trend.year_end.period):
            projected = trend.fit.project(p)
            row = _row(TREND, p, projected.value, show)
            lower, upper, _ = within_bounds(indicator, projected.lower, projected.upper)
            row.update(
                lower=float(lower), upper=float(upper), interval=_interval(indicator, projected)
            )
            trend_rows.append(row)
        layers.append(_band([{**row, "series": INTERVAL.label} for row in trend_rows], unit))
    target_rows = [
        _row(TARGET, p, value, show)
        for p in periods
        if (value := target_in_force(targets, p)) is not None
    ]
    if target_rows:
        layers.append(_line(TARGET, target_rows, unit, interpolate="step-after"))
    if trend is not None:
        layers.append(_line(TREND, trend_rows, unit))
    observed = {o.period: o.value for o in history}
    actual_rows = [_row(ACTUAL, p, observed.get(p), show) for p in periods if first <= p <= last]
    layers.append(_line(ACTUAL, actual_rows, unit))
    layers.append(_points(ACTUAL, actual_rows, unit, name="actual-points", size=30))
    if median_at is not None and result.neighbours is not None:
        median = _row(NEIGHBOURS, median_at, result.neighbours.median, show)
        median["of"] = str(result.neighbours.period)
        layers.append(_points(NEIGHBOURS, [median], unit, size=140, outlined=True))
    if period is not None:
        judged = (
            (result.previous_value, period.previous(), "previous"),
            (result.value, period, "reported"),
        )
        for figure, when, name in judged:
            layers.extend(_judged(indicator, figure, when, name, periods, show))
    return _compose(indicator, caption, periods, layers)


def _judged(
    indicator: Indicator,
    figure: PeriodValue | None,
    period: Period,
    name: str,
    domain: Sequence[Period],
    show: Show,
) -> list[Layer]:
    """The figure judged for ``period`` as a line across the indicator's periods it combines
    (a quarter's three months) ending in an outlined marker, named "2024/25 Q2 figure"."""
    frequency = indicator.frequency
    own = figure_period(figure, frequency, period)
    if figure is None or own is None:
        return []
    drawn = set(domain)
    covered = [p for p in _covered(indicator, figure) if p in drawn]
    if not covered:
        return []
    reported = name == "reported"
    style = Style(
        f"{_short_label(own)} figure",
        REPORTED_COLOUR if reported else PREVIOUS_COLOUR,
        () if reported else PREVIOUS_DASH,
        REPORTED_SYMBOL if reported else PREVIOUS_SYMBOL,
    )
    of = figure_label(figure, frequency, period)

    def row(p: Period) -> Row:
        return {**_row(style, p, figure.value, show), "of": of}

    unit = indicator.unit
    marker = Layer(_judged_template(unit, name, "marker"), [row(covered[-1])], (style,), POINT)
    if len(covered) == 1:
        return [marker]
    span = Layer(_judged_template(unit, name, "span"), [row(p) for p in covered], (style,), LINE)
    return [span, marker]


def _covered(indicator: Indicator, figure: PeriodValue) -> list[Period]:
    """The indicator's own periods a judged figure is made of: its last for an indicator
    reported by its latest figure, else every figure it combines (a quarter's three months, the
    months of the year to date)."""
    if indicator.aggregation is Aggregation.LATEST:
        return [figure.as_of]
    return [observation.period for observation in figure.observations]


def _short_label(period: Period) -> str:
    """A month by name ("September 2024"), a quarter or a year by its label ("2024/25 Q2")."""
    return period_label(period) if period.frequency is Frequency.MONTH else str(period)


def _interval(indicator: Indicator, projected: Any) -> str:
    """A 95% prediction interval in words, cut at the values the indicator can have."""
    show = _formatter(indicator)
    lower, upper, note = within_bounds(indicator, projected.lower, projected.upper)
    return f"{show(lower)} to {show(upper)}" + (f" ({note})" if note else "")


def _neighbour_period(result: IndicatorResult) -> Period | None:
    """Where the neighbours' median goes: the indicator's own period that holds its last month.

    Annual national figures beside a monthly indicator sit at the last month of the year.
    """
    if result.neighbours is None:
        return None
    at = result.neighbours.period
    frequency = result.indicator.frequency
    if at.frequency is frequency:
        return at
    return Period.containing(at.end, frequency, at.year_start_month)


# -- the SPC chart -----------------------------------------------------------------------------
def spc_chart(result: IndicatorResult, target: Decimal | None) -> dict[str, Any] | None:
    """The Making Data Count XmR chart of the indicator's history, or None without SPC.

    Points are coloured and shaped by their kind of variation and joined by a grey line; the
    mean and the process limits are drawn per segment, so they step at a rebase; the target is a
    long-dashed line across the chart.
    """
    spc = result.spc
    if spc is None:
        return None
    indicator = result.indicator
    history = result.history
    show, unit = _formatter(indicator), indicator.unit
    limit_rows: list[Row] = []
    for number, segment in enumerate(spc.segments):
        limits = segment.limits
        lpl, upl, _ = within_bounds(indicator, limits.lpl, limits.upl)
        for o in history[segment.start : segment.stop]:
            for line, style, value in (
                ("mean", MEAN, limits.mean),
                ("lower", LIMITS, lpl),
                ("upper", LIMITS, upl),
            ):
                limit_rows.append(
                    {**_row(style, o.period, value, show), "line": f"{line} {number}"}
                )
    point_rows = [
        {
            **_row(SPC_POINTS[kind], o.period, o.value, show),
            "size": 45 if kind is PointType.COMMON_CAUSE else 80,
        }
        for o, kind in zip(history, spc.point_types, strict=True)
    ]
    layers = [Layer(_limits_template(unit), limit_rows, (MEAN, LIMITS), LINE)]
    if target is not None:
        layers.append(_rule(TARGET, [_row(TARGET, None, target, show)], unit))
    layers.append(Layer(_connector_template(unit), point_rows))
    kinds = tuple(style for kind, style in SPC_POINTS.items() if kind in spc.point_types)
    layers.append(Layer(_spc_points_template(unit), point_rows, kinds, POINT))
    periods = _periods(history[0].period, history[-1].period)
    spec = _compose(indicator, _spc_caption(indicator, spc, target), periods, layers)
    spec["title"] = {"text": spec["title"], "subtitle": SPC_SUBTITLE}
    return spec


# -- text alternatives -------------------------------------------------------------------------
def chart_caption(result: IndicatorResult, period: Period | None = None) -> str:
    """One sentence saying what the history chart shows, for readers who cannot see it.

    Every figure is named with the period it is for, so a month's figure is never called
    "latest" beside the quarter's judged value: "Line chart of FOI requests answered in time
    from April 2022 to September 2024: the figure for 2024/25 Q2 (July to September 2024) is
    81.0% against a target of 90.0%; the last figure plotted, for September 2024, is 84.1%; the
    trend projects 84.7% by March 2025."
    """
    indicator = result.indicator
    history = result.history
    if not history:
        return f"Line chart of {indicator.name}: no figures have been recorded yet."
    show = _formatter(indicator)
    first, last = history[0].period, history[-1].period
    span = (
        f"from {_short_label(first)} to {_short_label(last)}"
        if first != last
        else f"for {_short_label(last)}"
    )
    target = (
        f"against a target of {show(result.target)}"
        if result.target is not None
        else "with no target set"
    )
    own = figure_period(result.value, indicator.frequency, period) if period else None
    last_words = f"the last figure plotted, for {period_label(last)}, is {show(history[-1].value)}"
    if period is None:
        clauses = [f"{last_words} {target}"]
    elif result.value is None or own is None:
        clauses = [f"there is no figure for {period_label(period)} {target}", last_words]
    else:
        label = figure_label(result.value, indicator.frequency, period)
        clauses = [f"the figure for {label} is {show(result.value.value)} {target}"]
        if result.value.as_of != last or show(result.value.value) != show(history[-1].value):
            clauses.append(last_words)
    if result.trend is not None:
        year_end = result.trend.year_end
        cut = within_bounds(indicator, year_end.lower, year_end.upper)[2]
        clauses.append(
            f"the trend projects {show(year_end.value)} by {_short_label(year_end.period)}"
            + (f", its 95% prediction interval {cut}" if cut else "")
        )
    if result.neighbours is not None:
        clauses.append(
            f"the neighbours' median for {_short_label(result.neighbours.period)} "
            f"was {show(result.neighbours.median)}"
        )
    return f"Line chart of {indicator.name} {span}: {'; '.join(clauses)}."


def spc_caption(result: IndicatorResult) -> str | None:
    """One sentence saying what the SPC chart shows; None when there is no SPC chart.

    For example: "Statistical process control chart of FOI requests answered on time: mean
    82.6%, process limits 79.0% to 86.2%; special cause variation at 12 of 30 points (12
    improvement); target 90.0%."
    """
    if result.spc is None:
        return None
    return _spc_caption(result.indicator, result.spc, result.target)


def _spc_caption(indicator: Indicator, spc: SpcResult, target: Decimal | None) -> str:
    show = _formatter(indicator)
    counts = Counter(spc.point_types)
    special = [
        f"{counts[kind]} {style.label.lower()}"
        for kind, style in SPC_POINTS.items()
        if kind is not PointType.COMMON_CAUSE and counts[kind]
    ]
    causes = (
        f"special cause variation at {spc.points - counts[PointType.COMMON_CAUSE]} of "
        f"{spc.points} points ({', '.join(special)})"
        if special
        else f"common cause variation only, over {spc.points} points"
    )
    which = "latest " if len(spc.segments) > 1 else ""
    target_words = f"; target {show(target)}" if target is not None else ""
    lpl, upl, cut = within_bounds(indicator, spc.lpl, spc.upl)
    limits = f"process limits {show(spc.lpl)} to {show(spc.upl)}"
    if cut:
        limits += f" (drawn {show(lpl)} to {show(upl)}: {cut})"
    return (
        f"Statistical process control chart of {indicator.name}: {which}mean {show(spc.mean)}, "
        f"{limits}; {causes}{target_words}."
    )


def spc_table(result: IndicatorResult) -> tuple[list[str], list[list[str]]]:
    """The control chart's data as a table: a row per figure, with its kind of variation, the
    special-cause rule that decided it, and the mean and process limits in force at it.

    No rows without a control chart.
    """
    headers = [
        "Period",
        "Value",
        "Variation",
        "Special cause rule",
        "Mean",
        "Lower process limit",
        "Upper process limit",
    ]
    spc = result.spc
    if spc is None:
        return headers, []
    show = _formatter(result.indicator)
    rows = [
        [
            str(o.period),
            show(o.value),
            SPC_POINTS[kind].label,
            RULE_WORDS[rule] if rule is not None else "",
            show(limits.mean),
            show(limits.lpl),
            show(limits.upl),
        ]
        for o, kind, rule, limits in zip(
            result.history, spc.point_types, spc.special_causes, spc.point_limits, strict=True
        )
    ]
    return headers, rows


def chart_table(
    result: IndicatorResult, targets: Sequence[Target]
) -> tuple[list[str], list[list[str]]]:
    """The history chart's data as a table: a row per figure, then a row per projected period.

    Columns: period, value, target in force, trend projection and its 95% prediction interval,
    and the neighbours' median when there is one. A cell that does not apply is empty; "–" is a
    target not set.
    """
    show = _formatter(result.indicator)
    headers = ["Period", "Value", "Target", "Trend projection", "95% prediction interval"]
    rows: dict[Period, list[str]] = {}

    def add(period: Period, value: str = "", projected: str = "", interval: str = "") -> None:
        rows[period] = [
            str(period),
            value,
            show(target_in_force(targets, period)),
            projected,
            interval,
        ]

    for o in result.history:
        add(o.period, value=show(o.value))
    trend = result.trend
    if trend is not None:
        for p in _periods(trend.fit.last_period.next(), trend.year_end.period):
            projected = trend.fit.project(p)
            add(p, projected=show(projected.value), interval=_interval(result.indicator, projected))
    median_at = _neighbour_period(result)
    if median_at is not None and result.neighbours is not None:
        headers.append("Neighbours' median")
        if median_at not in rows:
            add(median_at)
        for period, cells in rows.items():
            cells.append(show(result.neighbours.median) if period == median_at else "")
    return headers, [rows[p] for p in sorted(rows, key=lambda p: p.start)]


# -- rendering ---------------------------------------------------------------------------------
def render_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG element for inline use, labelled for assistive technology.

    vl-convert writes no role or label on the root element, so ``role="img"``, an
    ``aria-label`` and a ``<title>`` (the spec's description, else its title) are added here.
    vl-convert escapes the text it draws; the label is escaped here.
    """
    svg = _vega_svg(spec)
    label = html.escape(_label(spec), quote=True)

    def labelled(root: re.Match[str]) -> str:
        return f'{root.group(1)} role="img" aria-label="{label}"><title>{label}</title>'

    svg, found = _SVG_ROOT.subn(labelled, svg, count=1)
    if not found:
        raise ValueError(f"vl-convert returned something other than an SVG: {svg[:80]!r}")
    return svg


def render_png(spec: dict[str, Any], scale: float = 2) -> bytes:
    """The chart as a PNG image at ``scale`` times its size in CSS pixels.

    Rasterised from the SVG, which is byte for byte what vl-convert's own PNG export gives, so a
    chart drawn as SVG for the HTML and as PNG for Word and Excel runs Vega once.
    """
    return bytes(vl_convert.svg_to_png(_vega_svg(spec), scale=scale))


#: Vega's SVG of the latest charts drawn, by a digest of the spec (about 35 kB each).
_SVG_CACHE: OrderedDict[bytes, str] = OrderedDict()
_SVG_CACHE_SIZE = 256
_SVG_CACHE_LOCK = threading.Lock()


def _vega_svg(spec: dict[str, Any]) -> str:
    """Vega's SVG of a spec, without tooltips (a picture cannot show them); nothing is fetched."""
    spec_json = json.dumps(_without_tooltips(spec), sort_keys=True, separators=(",", ":"))
    key = hashlib.blake2b(spec_json.encode(), digest_size=16).digest()
    with _SVG_CACHE_LOCK:
        if (svg := _SVG_CACHE.get(key)) is not None:
            _SVG_CACHE.move_to_end(key)
            return svg
    vega_engine.start()
    svg = vl_convert.vegalite_to_svg(spec_json, vl_version=_VL_VERSION, allowed_base_urls=[])
    with _SVG_CACHE_LOCK:
        _SVG_CACHE[key] = svg
        while len(_SVG_CACHE) > _SVG_CACHE_SIZE:
            _SVG_CACHE.popitem(last=False)
    return svg


def _without_tooltips(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without its layers' tooltips (a shallow copy): Vega draws it a tenth faster."""
    layers = spec.get("layer")
    if not isinstance(layers, list):
        return spec
    bare = []
    for layer in layers:
        encoding = layer.get("encoding") if isinstance(layer, dict) else None
        if isinstance(encoding, dict) and "tooltip" in encoding:
            layer = {**layer, "encoding": {k: v for k, v in encoding.items() if k != "tooltip"}}
        bare.append(layer)
    return {**spec, "layer": bare}


_SVG_ROOT = re.compile(r"(<svg\b[^>]*?)\s*>")


def _vl_version() -> str | None:
    """The Vega-Lite version the specs are written for, when vl-convert has it (else its own)."""
    major_minor = ".".join(SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


_VL_VERSION = _vl_version()


def _label(spec: dict[str, Any]) -> str:
    description = spec.get("description")
    if isinstance(description, str) and description.strip():
        return description
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(line) for line in title)
    return str(title) if title else "Chart"


# -- building blocks ---------------------------------------------------------------------------
def _formatter(indicator: Indicator) -> Show:
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


def _title(name: str) -> str | list[str]:
    """The indicator's name, as lines of at most TITLE_LINE characters when it is long."""
    lines = textwrap.wrap(name, TITLE_LINE, break_long_words=False, break_on_hyphens=False)
    return name if len(lines) <= 1 else lines


def _periods(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive, at ``first``'s frequency."""
    return [first.shift(i) for i in range(last.index - first.index + 1)]


def _row(style: Style, period: Period | None, value: Decimal | float | None, show: Show) -> Row:
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


def _line(
    style: Style, rows: list[Row], unit: Unit, *, interpolate: Interpolate = "linear"
) -> Layer:
    return Layer(_line_template(style, unit, interpolate), rows, (style,), LINE)


def _band(rows: list[Row], unit: Unit) -> Layer:
    return Layer(_band_template(unit), rows, (INTERVAL,), AREA)


def _points(
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


def _rule(style: Style, rows: list[Row], unit: Unit) -> Layer:
    return Layer(_rule_template(style, unit), rows, (style,), LINE)


def _compose(
    indicator: Indicator, caption: str, periods: Sequence[Period], layers: Sequence[Layer]
) -> dict[str, Any]:
    """One layered spec: the layers on one x axis, one legend keyed on each row's ``series``."""
    present = [style for layer in layers for style in layer.styles]
    ordered = [style for style in LEGEND_ORDER if style in present]
    ordered += [style for style in dict.fromkeys(present) if style not in LEGEND_ORDER]
    legend = _legend(tuple(ordered))
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
        "title": _title(indicator.name),
        "description": caption,
        "width": WIDTH,
        "height": HEIGHT,
        "encoding": {"x": x},
        "layer": specs,
        "datasets": {layer.dataset: layer.rows for layer in layers},
        "config": copied(_config()),
    }


def _no_data_chart(indicator: Indicator, caption: str) -> dict[str, Any]:
    """The title and a note saying there are no figures, in a chart of the usual size."""
    return {
        "$schema": SCHEMA_URL,
        "title": _title(indicator.name),
        "description": caption,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": [copied(_no_data_template())],
        "datasets": {"no-data": [{"text": "No figures recorded yet"}]},
        "config": copied(_config()),
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


def _text_field(field: str, title: str) -> dict[str, Any]:
    return {"field": field, "title": title, "type": "nominal"}


def _tooltip(label: str, field: str = "text", period: str = "period") -> list[dict[str, Any]]:
    return [_text_field(period, "Period"), _text_field(field, label)]


def _layer(name: str, data: str, mark: dict[str, Any], encoding: dict[str, Any]) -> dict[str, Any]:
    """A unit spec for a layer: its name, the dataset it reads, its mark and encoding."""
    return {"name": name, "data": {"name": data}, "mark": mark, "encoding": encoding}


@functools.cache
def _line_template(style: Style, unit: Unit, interpolate: Interpolate) -> dict[str, Any]:
    name = _name(style)
    mark = {"type": "line", "interpolate": interpolate, "strokeJoin": "round", "strokeWidth": 2}
    return _layer(name, name, mark, {"tooltip": _tooltip(style.label), "y": _y("value", unit)})


@functools.cache
def _limits_template(unit: Unit) -> dict[str, Any]:
    """SPC mean and process limits: a line per limit per segment, so they step at a rebase."""
    encoding = {
        "detail": {"field": "line", "type": "nominal"},
        "tooltip": _tooltip("Value"),
        "y": _y("value", unit),
    }
    return _layer(
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
    return _layer(name, name, {"type": "area", "opacity": 1}, encoding)


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
    return _layer(name, _name(style), mark, {"tooltip": tooltip, "y": _y("value", unit)})


@functools.cache
def _judged_template(unit: Unit, name: str, kind: str) -> dict[str, Any]:
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
    return _layer(f"{name}-{kind}", f"{name}-{kind}", mark, encoding)


@functools.cache
def _spc_points_template(unit: Unit) -> dict[str, Any]:
    """SPC points, sized by their row (special causes larger), shaped by the legend."""
    encoding = {
        "size": {"field": "size", "scale": None, "type": "quantitative"},
        "tooltip": [*_tooltip("Value"), _text_field("series", "Variation")],
        "y": _y("value", unit),
    }
    return _layer("values", "values", {"type": "point", "filled": True, "opacity": 1}, encoding)


@functools.cache
def _rule_template(style: Style, unit: Unit) -> dict[str, Any]:
    """A line at a value across the whole width (the x it would inherit is overridden)."""
    name = _name(style)
    encoding = {
        "tooltip": [_text_field("text", style.label)],
        "x": {"value": 0},
        "x2": {"value": "width"},
        "y": _y("value", unit),
    }
    return _layer(name, name, {"type": "rule", "strokeWidth": 2}, encoding)


@functools.cache
def _connector_template(unit: Unit) -> dict[str, Any]:
    """The grey line joining an SPC chart's points (their dataset), left out of the legend."""
    mark = {"type": "line", "color": SPC_CONNECTOR, "strokeJoin": "round", "strokeWidth": 1.5}
    return _layer("values-line", "values", mark, {"y": _y("value", unit)})


@functools.cache
def _no_data_template() -> dict[str, Any]:
    encoding = {
        "text": {"field": "text", "type": "nominal"},
        "x": {"value": WIDTH / 2},
        "y": {"value": HEIGHT / 2},
    }
    return _layer(
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
def _legend(styles: tuple[Style, ...]) -> dict[str, dict[str, Any]]:
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
def _config() -> dict[str, Any]:
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
