"""Is a new figure surprising? A possible figure (inside the indicator's bounds) that its history
makes unlikely is accepted only when its owner confirms it and says why (issue 13).

Two rules, the first that applies:

- with at least :data:`MIN_HISTORY` earlier figures, the figure is surprising when its change
  from the last one is beyond half as much again as the upper limit of the moving-range chart
  of the last :data:`WINDOW` of them (1.5 x 3.267 x the mean moving range, screened as the
  control charts screen it, semantics.md 8): a step well beyond what the history's own steps
  make likely. The half again keeps an owner from being asked to explain an ordinary bad
  month (the limit alone flags about one step in a hundred of a stable process). An indicator
  on a trend moves its centre but not its steps, so a trend alone is not surprising; a flat
  history (all one figure) allows a step of 2% of the last figure, or one unit of its last
  decimal place;
- with fewer, it is surprising when it is more than :data:`FACTOR` times the previous figure,
  or less than a :data:`FACTOR`-th of it.

>>> history = [Decimal(x) for x in "8.9 8.8 8.74 8.71 8.75 8.8".split()]
>>> print(surprise(history, Decimal("1000"), decimals=2))
1,000.00 is 991.20 above the last figure, 8.80: the last 6 figures moved up to about 0.27 a step
>>> surprise(history, Decimal("8.9"), decimals=2) is None
True
>>> print(surprise([Decimal(10)], Decimal(31), decimals=0))
31 is more than 3 times the previous figure, 10
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kpiboard.analysis.spc import SCREEN_LIMIT, process_limits

__all__ = ["FACTOR", "MIN_HISTORY", "WINDOW", "surprise"]

MIN_HISTORY = 6
WINDOW = 24
FACTOR = 3
#: The largest unsurprising step, in mean moving ranges: half as much again as the
#: moving-range chart's upper limit (3.267, NHS Making Data Count).
RANGE_LIMIT = 1.5 * SCREEN_LIMIT


def _shown(value: float | Decimal, decimals: int) -> str:
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals)):,f}"


def surprise(history: Sequence[Decimal], figure: Decimal, *, decimals: int = 1) -> str | None:
    """Why ``figure`` is surprising after ``history`` (earlier figures, oldest first), in
    words; None when it is not."""
    if not history:
        return None
    shown = _shown(figure, decimals)
    last = history[-1]
    if len(history) >= MIN_HISTORY:
        recent = [float(value) for value in history[-WINDOW:]]
        step = RANGE_LIMIT * process_limits(recent).mr_bar
        allowed = max(step, abs(float(last)) * 0.02, 10.0**-decimals)
        moved = float(figure) - float(last)
        if abs(moved) <= allowed:
            return None
        side = "above" if moved > 0 else "below"
        return (
            f"{shown} is {_shown(abs(moved), decimals)} {side} the last figure, "
            f"{_shown(last, decimals)}: the last {len(recent)} figures moved up to about "
            f"{_shown(allowed, decimals)} a step"
        )
    if last == 0:
        return None
    ratio = abs(figure / last)
    if ratio > FACTOR:
        return f"{shown} is more than {FACTOR} times the previous figure, {_shown(last, decimals)}"
    if ratio < Decimal(1) / FACTOR:
        return (
            f"{shown} is less than a {'third' if FACTOR == 3 else f'1/{FACTOR}'} of the previous "
            f"figure, {_shown(last, decimals)}"
        )
    return None
