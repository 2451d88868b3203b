"""The special-cause rules of the Making Data Count XmR chart (semantics.md 8).

Each rule scores every point of a segment +1 (high or rising), -1 (low or falling) or 0, from
the segment's :class:`SegmentFacts`; :data:`RULES` lists them in order of precedence, and
:func:`kpiboard.analysis.spc.xmr` lets the first that flags a point decide it. The run helpers
(:func:`shift_run_ends`, :func:`trend_run_ends`, :func:`part_of_run`, the 2-in-3 windows) are
those of NHSRplotthedots v0.2.2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "RULES",
    "SegmentFacts",
    "SpcRule",
    "part_of_run",
    "shift_run_ends",
    "sign",
    "trend_run_ends",
    "two_in_three_points",
    "two_in_three_windows",
]


def shift_run_ends(relative_to_mean: Sequence[int], run_length: int = 7) -> tuple[bool, ...]:
    """True where ``run_length`` points in a row, ending here, are on the same side of the mean.

    ``relative_to_mean`` is -1, 0 or +1 per point; a 0 (on the mean) is on neither side.
    For eight points above then one below, with run length 7: flags at the 7th and 8th point.
    """
    ends: list[bool] = []
    run, previous = 0, 0  # run: points in a row on the side of the previous point
    for side in relative_to_mean:
        run = 0 if side == 0 else run + 1 if side == previous else 1
        previous = side
        ends.append(run >= run_length)
    return tuple(ends)


def trend_run_ends(values: Sequence[float], run_length: int = 7) -> tuple[int, ...]:
    """+1 (-1) where ``run_length`` points, ending here, each rise (fall) strictly on the last.

    A trend of 7 points is 6 rises. 1, 2, 3, 4, 5, 6, 7 gives +1 at the 7th point only;
    1, 2, 3, 3, 4, 5, 6 gives nothing, since the tie breaks the run.
    """
    ends = [0] * min(len(values), 1)
    run, previous = 0, 0  # run: steps in a row the way of the previous step
    for a, b in pairwise(values):
        step = sign(b - a)
        run = 0 if step == 0 else run + 1 if step == previous else 1
        previous = step
        ends.append(step if run >= run_length - 1 else 0)
    return tuple(ends)


def part_of_run(ends: Sequence[int | bool], run_length: int = 7) -> tuple[bool, ...]:
    """Every point of a run: flags a point when it or one of the next run_length - 1 ends a run.

    With run length 7, ends at the 7th of 8 points flag the first 7.
    """
    flags: list[bool] = []
    left = 0  # points of the latest run still to flag, walking backwards from the end
    for end in reversed(ends):
        left = run_length if end else left - 1
        flags.append(left > 0)
    return tuple(reversed(flags))


def two_in_three_windows(
    close_to_limits: Sequence[bool | int], relative_to_mean: Sequence[int]
) -> tuple[bool, ...]:
    """Points in some 3 in a row with at least 2 near a limit, all 3 on the same side of the mean.

    Near a limit (``close_to_limits``) means between the near and the process limits. Windows do
    not hang over the ends of the segment. For near flags 0, 0, 1, 0, 1, 0, 0 all on one side:
    the window of points 3 to 5 qualifies, so points 3, 4 and 5 are in it.
    """
    if len(close_to_limits) < 3:
        return (False,) * len(close_to_limits)
    near = [bool(c) for c in close_to_limits]
    sides = relative_to_mean
    windows = zip(near, near[1:], near[2:], sides, sides[1:], sides[2:], strict=False)
    # qualifies[w]: the window of points w, w + 1 and w + 2
    qualifies = [a + b + c >= 2 and abs(x + y + z) == 3 for a, b, c, x, y, z in windows]
    padded = [False, False, *qualifies, False, False]  # point i is in windows i - 2, i - 1 and i
    return tuple(p or q or r for p, q, r in zip(padded, padded[1:], padded[2:], strict=False))


def two_in_three_points(
    close_to_limits: Sequence[bool | int], relative_to_mean: Sequence[int]
) -> tuple[bool, ...]:
    """The points the 2-in-3 rule flags: only those near a limit, not the third in the window."""
    windows = two_in_three_windows(close_to_limits, relative_to_mean)
    return tuple(bool(c) and w for c, w in zip(close_to_limits, windows, strict=True))


@dataclass(frozen=True, slots=True)
class SegmentFacts:
    values: Sequence[float]
    relative_to_mean: tuple[int, ...]
    outside_limits: tuple[bool, ...]
    close_to_limits: tuple[bool, ...]


def _outside_scores(facts: SegmentFacts, run_length: int) -> tuple[int, ...]:
    return tuple(
        s if o else 0 for s, o in zip(facts.relative_to_mean, facts.outside_limits, strict=True)
    )


def _trend_scores(facts: SegmentFacts, run_length: int) -> tuple[int, ...]:
    """Each point of a trend scores the direction of the latest run it belongs to.

    Every run end paints its run's points with its direction, later runs over earlier ones.
    """
    scores = [0] * len(facts.values)
    for end, direction in enumerate(trend_run_ends(facts.values, run_length)):
        if direction:
            start = max(0, end + 1 - run_length)
            scores[start : end + 1] = [direction] * (end + 1 - start)
    return tuple(scores)


def _two_in_three_scores(facts: SegmentFacts, run_length: int) -> tuple[int, ...]:
    flags = two_in_three_points(facts.close_to_limits, facts.relative_to_mean)
    return tuple(s if f else 0 for s, f in zip(facts.relative_to_mean, flags, strict=True))


def _shift_scores(facts: SegmentFacts, run_length: int) -> tuple[int, ...]:
    flags = part_of_run(shift_run_ends(facts.relative_to_mean, run_length), run_length)
    return tuple(s if f else 0 for s, f in zip(facts.relative_to_mean, flags, strict=True))


@dataclass(frozen=True, slots=True)
class SpcRule:
    """One special-cause rule: per point, +1 (high or rising), -1 (low or falling) or 0."""

    name: str
    description: str
    scores: Callable[[SegmentFacts, int], tuple[int, ...]]


RULES: tuple[SpcRule, ...] = (
    SpcRule("outside_limits", "a point outside the process limits", _outside_scores),
    SpcRule(
        "trend",
        "run_length points in a row, each higher (or each lower) than the one before",
        _trend_scores,
    ),
    SpcRule(
        "two_in_three",
        "two of three points in a row near a limit, all three on the same side of the mean",
        _two_in_three_scores,
    ),
    SpcRule("shift", "run_length points in a row on the same side of the mean", _shift_scores),
)
"""The special-cause rules in order of precedence: the first that flags a point decides it."""


def sign(x: float) -> int:
    """-1, 0 or +1: the side of zero ``x`` is on."""
    return (x > 0) - (x < 0)
