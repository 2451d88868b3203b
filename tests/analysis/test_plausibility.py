"""Surprising figures (issue 13): properties of the rule, and the issue's own cases by hand."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.plausibility import surprise

FIGURES = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(1000), places=2)
HISTORY = st.lists(FIGURES, min_size=1, max_size=30)


@given(HISTORY)
def test_the_same_figure_again_is_never_surprising(history: list[Decimal]) -> None:
    assert surprise(history, history[-1], decimals=2) is None


@given(st.lists(FIGURES, min_size=6, max_size=30))
def test_a_step_no_bigger_than_the_historys_own_steps_is_not_surprising(
    history: list[Decimal],
) -> None:
    recent = history[-24:]
    steps = [abs(b - a) for a, b in itertools.pairwise(recent)]
    smallest = min(steps)  # at most the screened mean moving range, so within the limit
    assert surprise(history, history[-1] + smallest, decimals=2) is None


def test_a_trend_alone_is_not_surprising() -> None:
    # 182's last 24 months fell from 86 to 69 and rose again to 84 in steps of 1 to 3 points
    # (the demo's figures): 90 next is a step of 6, inside 1.5 x the moving-range limit, about 9.
    months = "85.93 83.72 85.07 82.40 80.85 79.51 81.56 78.08 77.08 76.00 72.86 74.81 74.83"
    months += " 71.63 70.32 70.32 70.80 68.75 72.00 74.32 75.66 78.91 79.85 84.06"
    history = [Decimal(x) for x in months.split()]
    assert surprise(history, Decimal(90), decimals=1) is None
    assert "above the last figure" in (surprise(history, Decimal(99), decimals=1) or "")


@given(HISTORY, FIGURES, st.decimals(min_value=1, max_value=10, places=0))
def test_a_figure_further_out_than_a_surprising_one_is_surprising_too(
    history: list[Decimal], figure: Decimal, more: Decimal
) -> None:
    if surprise(history, figure, decimals=2) is not None:
        last = history[-1]
        further = figure + more if figure > last else figure / (1 + more)
        assert surprise(history, further, decimals=2) is not None


@given(HISTORY, FIGURES, st.sampled_from([Decimal(10), Decimal(100)]))
def test_the_rule_does_not_depend_on_the_unit(
    history: list[Decimal], figure: Decimal, scale: Decimal
) -> None:
    once = surprise(history, figure, decimals=2) is None
    scaled = surprise([h * scale for h in history], figure * scale, decimals=2) is None
    assert once == scaled


def test_the_issues_cases() -> None:
    # 186: monthly days lost per FTE around 8.7 (the demo's last six), then 1,000 typed.
    days = [Decimal(x) for x in ("8.9", "8.8", "8.74", "8.71", "8.75", "8.8")]
    assert "991.20 above the last figure, 8.80" in (surprise(days, Decimal(1000), decimals=2) or "")
    assert surprise(days, Decimal("8.71"), decimals=2) is None
    # A short history: three times the previous figure or more is surprising, twice is not.
    assert surprise([Decimal(46)], Decimal(140), decimals=0) is not None
    assert surprise([Decimal(46)], Decimal(92), decimals=0) is None
    assert surprise([Decimal(46)], Decimal(15), decimals=0) is not None
    assert surprise([], Decimal(15), decimals=0) is None
