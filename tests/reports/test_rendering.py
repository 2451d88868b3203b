"""Drawing a pack's charts: which charts each card gets, once each, in one process or two."""

from __future__ import annotations

import sys

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.reports import rendering
from kpiboard.reports.charts import history_chart, render_svg
from kpiboard.reports.rendering import chart_count, render_charts


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
