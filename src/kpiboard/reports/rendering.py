"""Draw every card's chart once, in as many processes as help, for all the formats of a pack.

Drawing a chart (Vega-Lite to SVG in vl-convert) costs tens of milliseconds whatever its size, so
a 200-indicator scorecard spends most of its time here. Each chart is drawn once as SVG (HTML and
PDF) and, when Word or Excel is wanted, rasterised from that SVG to PNG; large packs share the
work between two processes, each of which pays the Vega engine's start-up once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

from kpiboard.analysis.evaluate import IndicatorResult

__all__ = ["PARALLEL_FROM", "RenderedChart", "render_chart", "render_charts"]

#: Below this many charts one process is quicker than starting a second engine.
PARALLEL_FROM = 40


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """One indicator's history chart, drawn, with its text alternatives."""

    svg: str | None
    png: bytes | None
    caption: str
    headers: list[str]
    rows: list[list[str]]


def render_chart(result: IndicatorResult, *, svg: bool, png: bool) -> RenderedChart | None:
    """The chart of one indicator; None when it has no figures to draw."""
    if not result.history:
        return None
    from kpiboard.reports.charts import (
        chart_caption,
        chart_table,
        history_chart,
        render_png,
        render_svg,
    )

    spec = history_chart(result, result.targets)
    headers, rows = chart_table(result, result.targets)
    return RenderedChart(
        svg=render_svg(spec) if svg else None,
        png=render_png(spec) if png else None,  # rasterised from the SVG drawn just before
        caption=chart_caption(result),
        headers=headers,
        rows=rows,
    )


def _workers(count: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 2)) if count >= PARALLEL_FROM else 1


def render_charts(
    results: Sequence[IndicatorResult], *, svg: bool, png: bool, workers: int | None = None
) -> dict[str, RenderedChart | None]:
    """Every indicator's chart by ref, drawn in ``workers`` processes (chosen by size if None)."""
    draw = partial(render_chart, svg=svg, png=png)
    count = workers or _workers(len(results))
    if count == 1:
        return {result.ref: draw(result) for result in results}
    # fork: the children start with the parent's imports; the Vega engine starts in each child.
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(results) // (count * 4))
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        drawn = list(pool.map(draw, results, chunksize=chunk))
    return {result.ref: chart for result, chart in zip(results, drawn, strict=True)}
