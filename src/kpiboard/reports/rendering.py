"""Draw every card's charts once, in as many processes as help, for all the formats of a pack.

A card has up to three charts: its figures over time (whenever it has figures), its control
chart (when it has enough points for statistical process control) and the council among its
statistical neighbours (when there are neighbour figures). Drawing a chart (Vega-Lite to SVG in
vl-convert) costs tens of milliseconds whatever the pack, mostly Vega measuring and drawing
text, and a call has almost no fixed cost: so charts are drawn one per call, never combined.
Each is drawn once as SVG (HTML) and, when the PDF, Word or Excel is wanted, rasterised from
that SVG to PNG (as RGB when the PDF is wanted, which embeds such a PNG as it is:
:mod:`kpiboard.reports.png`); packs with enough charts share the work between two processes, each
of which pays the Vega engine's start-up once.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.periods import Period
from kpiboard.reports.chart_store import ChartStore, chart_store
from kpiboard.reports.model import Card, Report

__all__ = [
    "CHART_TITLES",
    "PARALLEL_FROM",
    "PNG_SCALE",
    "CardCharts",
    "DrawnCharts",
    "RenderedChart",
    "chart_count",
    "chart_outlines",
    "drawing_charts",
    "kept_card_charts",
    "png_charts",
    "render_card_charts",
    "render_charts",
]

#: From this many charts, two processes are quicker than one (each starts its own Vega engine,
#: about a third of a second, at the same time as the other).
PARALLEL_FROM = 12

#: PNG pixels per CSS pixel, for the PDF, Word and Excel: about 140 dots an inch across a page.
#: At 2 the PDF took three times as long to embed each picture (0.05 s against 0.017 s).
PNG_SCALE = 1.5

HISTORY, SPC, NEIGHBOURS = "history", "spc", "neighbours"
#: Each kind of chart's heading on a card, in the order a card shows them.
CHART_TITLES = {
    HISTORY: "Performance over time",
    SPC: "Control chart",
    NEIGHBOURS: "Statistical neighbours",
}


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """One of an indicator's charts, drawn, with its text alternatives: its caption, and its
    data as a table (``headers`` and ``rows``)."""

    kind: str
    svg: str | None
    png: bytes | None
    caption: str
    headers: list[str]
    rows: list[list[str]]

    @property
    def title(self) -> str:
        """The chart's heading on the card: "Control chart"."""
        return CHART_TITLES[self.kind]


#: Each card's charts, for Word and Excel, which need their PNG.
CardCharts = Callable[[Card], Sequence[RenderedChart]]


def chart_count(result: IndicatorResult) -> int:
    """How many charts the indicator's card has."""
    return bool(result.history) + (result.spc is not None) + (result.neighbours is not None)


def _specs(
    result: IndicatorResult, council: str, period: Period | None = None
) -> list[tuple[str, dict[str, Any], str, tuple[list[str], list[list[str]]]]]:
    """(kind, Vega-Lite spec, caption, data table) of each chart of the card, in order."""
    from kpiboard.reports import charts
    from kpiboard.reports.neighbour_chart import (
        neighbour_caption,
        neighbour_chart,
        neighbour_table,
    )

    specs = []
    if result.history:
        spec = charts.history_chart(result, result.targets, period)
        table = charts.chart_table(result, result.targets)
        specs.append((HISTORY, spec, charts.chart_caption(result, period), table))
    spc_spec = charts.spc_chart(result, result.target)
    spc_caption = charts.spc_caption(result)
    if spc_spec is not None and spc_caption is not None:
        specs.append((SPC, spc_spec, spc_caption, charts.spc_table(result)))
    bars = neighbour_chart(result, council)
    bars_caption = neighbour_caption(result, council)
    if bars is not None and bars_caption is not None:
        specs.append((NEIGHBOURS, bars, bars_caption, neighbour_table(result, council)))
    return specs


def render_card_charts(
    result: IndicatorResult,
    *,
    council: str,
    svg: bool,
    png: bool,
    period: Period | None = None,
    rgb: bool = False,
) -> tuple[RenderedChart, ...]:
    """The charts of one indicator's card (none when it has no figures).

    ``council`` is the organisation's name, for its bar among the neighbours; ``period`` the
    reporting period, whose judged figure (and the previous period's) the run chart marks.
    ``rgb``: the PNGs without their alpha channel, every pixel of which is opaque (the same
    pictures, for a PDF: about 9 ms a chart here saves WeasyPrint about 22 ms). A chart drawn
    before in the same manner is taken from the chart store (:mod:`kpiboard.reports.chart_store`).
    """
    charts = _card_charts(
        result, council=council, svg=svg, png=png, period=period, rgb=rgb, draw=True
    )
    assert charts is not None  # drawn where missing
    return charts


def kept_card_charts(
    result: IndicatorResult,
    *,
    council: str,
    svg: bool,
    png: bool,
    period: Period | None = None,
    rgb: bool = False,
) -> tuple[RenderedChart, ...] | None:
    """The card's charts if the chart store has every one of them, else None (nothing drawn:
    this never starts the Vega engine)."""
    return _card_charts(
        result, council=council, svg=svg, png=png, period=period, rgb=rgb, draw=False
    )


def _card_charts(
    result: IndicatorResult,
    *,
    council: str,
    svg: bool,
    png: bool,
    period: Period | None,
    rgb: bool,
    draw: bool,
) -> tuple[RenderedChart, ...] | None:
    store = chart_store()
    charts = []
    for kind, spec, caption, (headers, rows) in _specs(result, council, period):
        drawn_svg = drawn_png = None
        if svg:
            kept = _kept_or_drawn(store, spec, "svg", _draw_svg if draw else None)
            if kept is None:
                return None
            drawn_svg = kept.decode("utf-8")
        if png:
            manner = f"{'rgb' if rgb else 'png'}:{PNG_SCALE}"
            drawn_png = _kept_or_drawn(
                store, spec, manner, partial(_draw_png, rgb=rgb) if draw else None
            )
            if drawn_png is None:
                return None
        charts.append(RenderedChart(kind, drawn_svg, drawn_png, caption, headers, rows))
    return tuple(charts)


def _kept_or_drawn(
    store: ChartStore | None,
    spec: dict[str, Any],
    manner: str,
    draw: Callable[[dict[str, Any]], bytes] | None,
) -> bytes | None:
    key = store.key(spec, manner) if store is not None else ""
    kept = store.get(key) if store is not None else None
    if kept is not None or draw is None:
        return kept
    drawn = draw(spec)
    if store is not None:
        store.put(key, drawn)
    return drawn


def _draw_svg(spec: dict[str, Any]) -> bytes:
    from kpiboard.reports.chart_render import render_svg

    return render_svg(spec).encode("utf-8")


def _draw_png(spec: dict[str, Any], *, rgb: bool) -> bytes:
    from kpiboard.reports.chart_render import render_png
    from kpiboard.reports.png import opaque_png

    drawn = render_png(spec, scale=PNG_SCALE)  # from the SVG just drawn
    return opaque_png(drawn) if rgb else drawn


def chart_outlines(
    results: Sequence[IndicatorResult], *, council: str, period: Period | None = None
) -> dict[str, tuple[RenderedChart, ...]]:
    """Every indicator's charts by ref as drawing them gives them, but not drawn (no SVG, no
    PNG): their kinds, captions and data, known in a few milliseconds, so that a PDF can be
    laid out while the pictures are drawn elsewhere."""
    return {
        result.ref: tuple(
            RenderedChart(kind, None, None, caption, headers, rows)
            for kind, _, caption, (headers, rows) in _specs(result, council, period)
        )
        for result in results
    }


def _workers(charts: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 2)) if charts >= PARALLEL_FROM else 1


def _engine_may_be_running() -> bool:
    """Whether this process may have started vl-convert's Vega engine (it has imported it).

    A child forked from such a process would inherit the engine without the thread that runs
    it, and wait for it forever; so such a process (a test run, a web process that has drawn a
    chart) draws its charts itself. The command line imports vl-convert in the children, and in
    its own process only once they are forked (:func:`chart_outlines`, for the PDF, imports the
    charts' module), never starting the engine there.
    """
    return "vl_convert" in sys.modules


def render_charts(
    results: Sequence[IndicatorResult],
    *,
    council: str,
    svg: bool,
    png: bool,
    workers: int | None = None,
    period: Period | None = None,
    rgb: bool = False,
) -> dict[str, tuple[RenderedChart, ...]]:
    """Every indicator's charts by ref, drawn in ``workers`` processes (chosen by the number of
    charts if None); ``rgb``: the PNGs as RGB, for a PDF."""
    with drawing_charts(
        results, council=council, svg=svg, png=png, workers=workers, period=period, rgb=rgb
    ) as drawn:
        return dict(drawn)


@contextmanager
def drawing_charts(
    results: Sequence[IndicatorResult],
    *,
    council: str,
    svg: bool,
    png: bool,
    workers: int | None = None,
    period: Period | None = None,
    drawn: Callable[[int, int], None] | None = None,
    rgb: bool = False,
) -> Iterator[DrawnCharts]:
    """Every indicator's charts by ref, while they are drawn: a card's charts can be read as
    soon as they are ready, so the formats are written as the charts arrive.

    In one process (few charts, or a process whose Vega engine is running) they are all drawn
    before this yields, and ``drawn(cards drawn, cards)`` is told after each card; otherwise
    :meth:`DrawnCharts.watch` tells how far the drawing has got. ``rgb``: the PNGs as RGB, for
    a PDF (:func:`render_card_charts`).
    """
    draw = partial(_draw_chunk, council=council, svg=svg, png=png, period=period, rgb=rgb)
    started = time.perf_counter()
    # Cards whose charts were all drawn before are read from the chart store here, at once;
    # only the rest are drawn, and only they decide whether processes are worth starting.
    kept: dict[str, tuple[RenderedChart, ...]] = {}
    for result in results:
        found = kept_card_charts(result, council=council, svg=svg, png=png, period=period, rgb=rgb)
        if found is not None:
            kept[result.ref] = found
    where: dict[str, tuple[Future[list[tuple[RenderedChart, ...]]], int]] = {}
    if kept:
        done_already: Future[list[tuple[RenderedChart, ...]]] = Future()
        done_already.set_result(list(kept.values()))
        where.update((ref, (done_already, i)) for i, ref in enumerate(kept))
    missing = [result for result in results if result.ref not in kept]
    count = workers or _workers(sum(chart_count(result) for result in missing))
    if count == 1 or len(missing) <= 1 or _engine_may_be_running():
        done: Future[list[tuple[RenderedChart, ...]]] = Future()
        charts: list[tuple[RenderedChart, ...]] = []
        for number, result in enumerate(missing, 1):
            charts.extend(draw([result]))
            if drawn is not None:
                drawn(len(kept) + number, len(results))
        done.set_result(charts)
        where.update((result.ref, (done, i)) for i, result in enumerate(missing))
        if drawn is not None and not missing:
            drawn(len(results), len(results))
        yield DrawnCharts(_in_order(where, results), started)
        _trim_store(missing)
        return
    # fork: the children start with the parent's imports; the Vega engine starts in each child.
    # Every chunk is sent before the caller starts any thread of its own.
    context = multiprocessing.get_context("fork")
    # Small chunks, so that neither process is left alone with a long last chunk (a card's
    # charts take about a tenth of a second; sending a chunk, a millisecond).
    size = max(1, min(4, len(missing) // (count * 4)))
    parent = os.getpid()
    with ProcessPoolExecutor(
        count, mp_context=context, initializer=_exit_with_parent, initargs=(parent,)
    ) as pool:
        for first in range(0, len(missing), size):
            chunk = missing[first : first + size]
            future = pool.submit(draw, chunk)
            where.update((result.ref, (future, i)) for i, result in enumerate(chunk))
        yield DrawnCharts(_in_order(where, results), started)
    _trim_store(missing)


def _in_order(
    where: dict[str, tuple[Future[list[tuple[RenderedChart, ...]]], int]],
    results: Sequence[IndicatorResult],
) -> dict[str, tuple[Future[list[tuple[RenderedChart, ...]]], int]]:
    """``where`` in the cards' order, however the cards were split between kept and drawn."""
    return {result.ref: where[result.ref] for result in results}


def _trim_store(drawn: Sequence[IndicatorResult]) -> None:
    """Keep the chart store under its limit, once something new has gone into it."""
    store = chart_store()
    if drawn and store is not None:
        store.trim()


PARENT_CHECK_SECONDS = 0.5
"""How often a chart process looks for its parent."""


def _exit_with_parent(parent: int) -> None:
    """In a chart process: exit as soon as the process that started it is gone.

    Killed with ``kill -9``, a parent cannot stop its pool, and the workers (about 180 MB each)
    would wait for work for ever, adopted by init, holding the caller's pipes (issue 16). A
    daemon thread watches the parent's id; ``prctl(PR_SET_PDEATHSIG)`` would fire when the
    thread that forked the worker ends, which in a task worker is not the process ending.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="kpiboard-parent-watch", daemon=True).start()


def _draw_chunk(
    results: Sequence[IndicatorResult],
    *,
    council: str,
    svg: bool,
    png: bool,
    period: Period | None = None,
    rgb: bool = False,
) -> list[tuple[RenderedChart, ...]]:
    return [
        render_card_charts(result, council=council, svg=svg, png=png, period=period, rgb=rgb)
        for result in results
    ]


class DrawnCharts(Mapping[str, tuple[RenderedChart, ...]]):
    """Each card's charts by ref, read when drawn: reading a card's waits for its chunk.

    ``seconds`` is how long drawing took, from ``started`` to the last chunk drawn (known once
    every chart has been read).
    """

    def __init__(
        self,
        where: dict[str, tuple[Future[list[tuple[RenderedChart, ...]]], int]],
        started: float,
    ) -> None:
        self._where = where
        self._started = self._last = started
        self.seconds = 0.0
        for future in {future for future, _ in where.values()}:
            future.add_done_callback(self._finished)

    def _finished(self, _: Future[list[tuple[RenderedChart, ...]]]) -> None:
        self._last = max(self._last, time.perf_counter())
        self.seconds = self._last - self._started

    def watch(self, drawn: Callable[[int, int], None]) -> None:
        """Call ``drawn(cards drawn, cards)`` each time a chunk of cards has its charts (from
        the thread that notices; once at once for those already drawn)."""
        total = len(self._where)
        sizes: dict[Future[list[tuple[RenderedChart, ...]]], int] = {}
        for future, _ in self._where.values():
            sizes[future] = sizes.get(future, 0) + 1
        lock = threading.Lock()
        count = [0]

        def finished(future: Future[list[tuple[RenderedChart, ...]]]) -> None:
            with lock:
                count[0] += sizes[future]
                done = count[0]
            drawn(done, total)

        for future in sizes:
            future.add_done_callback(finished)

    def __getitem__(self, ref: str) -> tuple[RenderedChart, ...]:
        future, index = self._where[ref]
        return future.result()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, ref: object) -> bool:
        return ref in self._where


def png_charts(report: Report) -> CardCharts:
    """Every card's charts drawn as PNG now, for a Word or Excel file written on its own."""
    drawn = render_charts(
        [card.result for card in report.cards],
        council=report.organisation,
        svg=False,
        png=True,
        period=report.evaluation.period,
    )
    return lambda card: drawn.get(card.ref, ())
