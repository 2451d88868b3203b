"""Drawing a pack's charts: which charts each card gets, once each, in one process or two."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.reports import rendering
from kpiboard.reports.chart_render import render_svg
from kpiboard.reports.charts import history_chart
from kpiboard.reports.rendering import DrawnCharts, RenderedChart, chart_count, render_charts

# Drawing itself is the subject: every chart is drawn, none taken from a chart store.
pytestmark = pytest.mark.usefixtures("charts_drawn")


def test_each_card_gets_its_charts_in_order(demo_evaluation: Evaluation) -> None:
    """Every demo card has figures; all but 187 and 212 have a control chart; none of the srp
    committee's indicators has neighbour figures. (24 charts: drawn in two processes, unless
    this process has drawn a chart before.)"""
    drawn = render_charts(demo_evaluation.indicators, council="Council", svg=True, png=False)
    kinds = {ref: [chart.kind for chart in charts] for ref, charts in drawn.items()}
    assert kinds["182"] == ["history", "spc"]
    assert kinds["187"] == kinds["212"] == ["history"]
    assert sum(len(found) for found in kinds.values()) == 24
    assert [chart_count(r) for r in demo_evaluation.indicators] == [
        len(kinds[r.ref]) for r in demo_evaluation.indicators
    ]
    chart = drawn["182"][1]
    assert chart.title == "Control chart"
    assert chart.svg is not None
    assert chart.svg.startswith("<svg")
    assert chart.png is None
    assert len(chart.rows) == len(demo_evaluation.result("182").history)


def test_a_process_that_has_drawn_a_chart_does_not_fork(demo_evaluation: Evaluation) -> None:
    """A child forked after vl-convert started would wait for an engine thread it has not got:
    asked for two workers, such a process draws the charts itself, the same charts."""
    results = demo_evaluation.indicators[:3]
    render_svg(history_chart(results[0], results[0].targets))  # the engine starts here
    assert "vl_convert" in sys.modules
    assert rendering._engine_may_be_running()
    two = render_charts(results, council="Council", svg=True, png=False, workers=2)
    one = render_charts(results, council="Council", svg=True, png=False, workers=1)
    assert two == one


def test_a_card_s_charts_can_be_read_as_soon_as_its_chunk_is_drawn(
    demo_evaluation: Evaluation,
) -> None:
    """DrawnCharts hands out each card's charts when its own chunk is done, not the last one's;
    its ``seconds`` runs to the last chunk."""
    first, second = demo_evaluation.indicators[:2], demo_evaluation.indicators[2:4]
    release = threading.Event()

    def chunk(results: Sequence[IndicatorResult], wait: bool) -> list[tuple[RenderedChart, ...]]:
        if wait:
            assert release.wait(10)
        return [(RenderedChart("history", r.ref, None, r.indicator.name, [], []),) for r in results]

    with ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        done, later = pool.submit(chunk, first, False), pool.submit(chunk, second, True)
        where = {r.ref: (done, i) for i, r in enumerate(first)}
        where.update({r.ref: (later, i) for i, r in enumerate(second)})
        drawn = DrawnCharts(where, started)
        assert drawn[first[1].ref][0].svg == first[1].ref  # while the other chunk is waiting
        assert not later.done()
        assert list(drawn) == [r.ref for r in (*first, *second)]
        release.set()
        assert drawn[second[0].ref][0].svg == second[0].ref
    assert 0 < drawn.seconds < time.perf_counter() - started
