"""The charts of an indicator: one Vega-Lite spec, drawn in the page and as SVG or PNG.

:func:`history_chart` draws the figures, the target in force, the projected trend to the end of
the financial year with its 95% prediction interval, and the neighbours' median; :func:`spc_chart`
the Making Data Count XmR chart (and :mod:`kpiboard.reports.neighbour_chart` the council among
its neighbours). Each returns a plain Vega-Lite dict, put together from the cached pieces of
:mod:`kpiboard.reports.chart_parts`: the browser draws it with vega-embed, and
:mod:`kpiboard.reports.chart_render` draws it here as SVG (HTML, PDF) or PNG (Word, Excel).
Every chart has a text alternative (:func:`chart_caption`, :func:`spc_caption`) and its data as a
table (:func:`chart_table`, :func:`spc_table`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.model import Aggregation, Indicator, Target
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.spc import PointType, SpcResult
from kpiboard.analysis.values import PeriodValue, target_in_force
from kpiboard.reports.chart_parts import (
    ACTUAL,
    INTERVAL,
    LIMITS,
    LINE,
    MEAN,
    NEIGHBOURS,
    POINT,
    PREVIOUS_COLOUR,
    PREVIOUS_DASH,
    PREVIOUS_SYMBOL,
    REPORTED_COLOUR,
    REPORTED_SYMBOL,
    SPC_POINTS,
    SPC_SUBTITLE,
    TARGET,
    TREND,
    Layer,
    Row,
    Show,
    Style,
    band_layer,
    compose,
    connector_template,
    data_row,
    formatter,
    judged_template,
    limits_template,
    line_layer,
    no_data_chart,
    periods_between,
    point_layer,
    rule_layer,
    spc_points_template,
)
from kpiboard.reports.formatting import within_bounds
from kpiboard.reports.icons import RULE_WORDS
from kpiboard.reports.words import figure_label, figure_period, period_label

__all__ = [
    "chart_caption",
    "chart_table",
    "history_chart",
    "spc_caption",
    "spc_chart",
    "spc_table",
]


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
        return no_data_chart(indicator, caption)
    show, unit = formatter(indicator), indicator.unit
    trend = result.trend
    median_at = _neighbour_period(result)
    first, last = history[0].period, history[-1].period
    start, end = first, max(last, trend.year_end.period) if trend is not None else last
    if median_at is not None:
        start, end = min(start, median_at), max(end, median_at)
    periods = periods_between(start, end)

    layers: list[Layer] = []
    if trend is not None:
        trend_rows = []
        for p in periods_between(last, trend.year_end.period):
            projected = trend.fit.project(p)
            row = data_row(TREND, p, projected.value, show)
            lower, upper, _ = within_bounds(indicator, projected.lower, projected.upper)
            row.update(
                lower=float(lower), upper=float(upper), interval=_interval(indicator, projected)
            )
            trend_rows.append(row)
        layers.append(band_layer([{**row, "series": INTERVAL.label} for row in trend_rows], unit))
    target_rows = [
        data_row(TARGET, p, value, show)
        for p in periods
        if (value := target_in_force(targets, p)) is not None
    ]
    if target_rows:
        layers.append(line_layer(TARGET, target_rows, unit, interpolate="step-after"))
    if trend is not None:
        layers.append(line_layer(TREND, trend_rows, unit))
    observed = {o.period: o.value for o in history}
    actual_rows = [
        data_row(ACTUAL, p, observed.get(p), show) for p in periods if first <= p <= last
    ]
    layers.append(line_layer(ACTUAL, actual_rows, unit))
    layers.append(point_layer(ACTUAL, actual_rows, unit, name="actual-points", size=30))
    if median_at is not None and result.neighbours is not None:
        median = data_row(NEIGHBOURS, median_at, result.neighbours.median, show)
        median["of"] = str(result.neighbours.period)
        layers.append(point_layer(NEIGHBOURS, [median], unit, size=140, outlined=True))
    if period is not None:
        judged = (
            (result.previous_value, period.previous(), "previous"),
            (result.value, period, "reported"),
        )
        for figure, when, name in judged:
            layers.extend(_judged(indicator, figure, when, name, periods, show))
    return compose(indicator, caption, periods, layers)


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
        return {**data_row(style, p, figure.value, show), "of": of}

    unit = indicator.unit
    marker = Layer(judged_template(unit, name, "marker"), [row(covered[-1])], (style,), POINT)
    if len(covered) == 1:
        return [marker]
    span = Layer(judged_template(unit, name, "span"), [row(p) for p in covered], (style,), LINE)
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
    show = formatter(indicator)
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
    show, unit = formatter(indicator), indicator.unit
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
                    {**data_row(style, o.period, value, show), "line": f"{line} {number}"}
                )
    point_rows = [
        {
            **data_row(SPC_POINTS[kind], o.period, o.value, show),
            "size": 45 if kind is PointType.COMMON_CAUSE else 80,
        }
        for o, kind in zip(history, spc.point_types, strict=True)
    ]
    layers = [Layer(limits_template(unit), limit_rows, (MEAN, LIMITS), LINE)]
    if target is not None:
        layers.append(rule_layer(TARGET, [data_row(TARGET, None, target, show)], unit))
    layers.append(Layer(connector_template(unit), point_rows))
    kinds = tuple(style for kind, style in SPC_POINTS.items() if kind in spc.point_types)
    layers.append(Layer(spc_points_template(unit), point_rows, kinds, POINT))
    periods = periods_between(history[0].period, history[-1].period)
    spec = compose(indicator, _spc_caption(indicator, spc, target), periods, layers)
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
    show = formatter(indicator)
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
    show = formatter(indicator)
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
    show = formatter(result.indicator)
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
    show = formatter(result.indicator)
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
        for p in periods_between(trend.fit.last_period.next(), trend.year_end.period):
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
