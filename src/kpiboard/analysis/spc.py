"""Statistical process control: the Making Data Count XmR chart (semantics.md 8).

This is the method of the R package NHSRplotthedots v0.2.2, point for point:

- centre line: the mean of the segment;
- moving ranges |y(i) - y(i-1)|; with outlier screening on (the default, as in the R package)
  those of 3.267 x their mean or more are dropped and the mean of the rest is taken;
- process limits: mean -/+ 2.66 x MR-bar; near limits ("2 sigma"): mean -/+ (2/3 x 2.66) x MR-bar.

For 1, 2, ..., 10: mean 5.5, every moving range is 1, so the limits are 5.5 -/+ 2.66 = 2.84 and
8.16, the near limits 5.5 -/+ 1.7733 = 3.7267 and 7.2733.

Each point is then tested against the special-cause rules of :data:`.spc_rules.RULES`, in order of
precedence; the first that flags it decides whether it counts as high (+1) or low (-1), and the
indicator's direction turns that into improvement or concern (:data:`OUTCOMES`). A rebased point
starts a new segment with its own limits; no rule looks across a rebase.

Where R has no number, this module has one: a flat segment (every moving range 0, so all are
screened out) or a segment of one point has MR-bar 0 here, its limits on the mean, and so no
special cause. As in R, a point exactly on the mean is on neither side and breaks a shift.

One deliberate difference from the R code, in the direction given to the points of a trend. A
point that ends one trend and starts the next goes with the later one, here as in R. But R decides
by the step to the next point, so it calls the top of a rise "decreasing" when a tie or a drop
follows and a new rise starts there. Here each point of a trend takes the direction of the latest
run it belongs to: in 8, 9, ..., 14, 14, 15, ..., 20 every point is rising.

:func:`xmr` computes one series; :func:`kpiboard.analysis.spc_batch.xmr_batch` computes many
series of the same length at once with numpy, with the same rules and the same floating-point
steps, for whole-register workloads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from kpiboard.analysis.model import Direction, SpcSettings
from kpiboard.analysis.spc_rules import RULES, SegmentFacts, sign

__all__ = [
    "ASSURANCES",
    "DEFAULT_SETTINGS",
    "LIMIT",
    "NEAR_LIMIT",
    "OUTCOMES",
    "POINT_TYPES",
    "SCREEN_LIMIT",
    "VARIATIONS",
    "Assurance",
    "PointType",
    "ProcessChange",
    "ProcessLimits",
    "SpcResult",
    "SpcSegment",
    "Stability",
    "Variation",
    "judge_stability",
    "process_limits",
    "spc_json",
    "xmr",
]

LIMIT = 2.66
"""Process limits are this many MR-bar from the mean (3 sigma, as 3 / 1.128)."""

NEAR_LIMIT = 2 * (LIMIT / 3)
"""Near limits ("2 sigma"): 1.7733 MR-bar from the mean, computed as the R package does."""

SCREEN_LIMIT = 3.267
"""A moving range of this many MR-bar or more is screened out when screening is on."""

DEFAULT_SETTINGS = SpcSettings()


class PointType(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class Variation(StrEnum):
    """The Making Data Count variation icon, read from the last point."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"


class Stability(StrEnum):
    """Whether the latest segment's limits still describe its recent points (semantics.md 8)."""

    STABLE = "stable"
    CHANGED = "changed"


class Assurance(StrEnum):
    """The Making Data Count assurance icon: can the process be relied on to meet the target?"""

    PASS = "pass"
    FAIL = "fail"
    INCONSISTENT = "inconsistent"


OUTCOMES: Mapping[tuple[int, int], tuple[PointType, Variation]] = MappingProxyType(
    {
        # (direction sign d, score of the deciding rule): (point type, icon if it is the last point)
        (+1, +1): (PointType.IMPROVEMENT, Variation.IMPROVEMENT_HIGH),
        (+1, -1): (PointType.CONCERN, Variation.CONCERN_LOW),
        (-1, +1): (PointType.CONCERN, Variation.CONCERN_HIGH),
        (-1, -1): (PointType.IMPROVEMENT, Variation.IMPROVEMENT_LOW),
        (0, +1): (PointType.NEUTRAL_HIGH, Variation.NEUTRAL_HIGH),
        (0, -1): (PointType.NEUTRAL_LOW, Variation.NEUTRAL_LOW),
        (+1, 0): (PointType.COMMON_CAUSE, Variation.COMMON_CAUSE),
        (-1, 0): (PointType.COMMON_CAUSE, Variation.COMMON_CAUSE),
        (0, 0): (PointType.COMMON_CAUSE, Variation.COMMON_CAUSE),
    }
)
"""What a point is, from the direction and the score (+1 high or rising, -1 low or falling)."""

ASSURANCES: Mapping[int, Assurance] = MappingProxyType(
    {
        # d x side of the target (+1 above the upper limit, -1 below the lower limit, 0 between)
        -1: Assurance.PASS,  # higher is better and the target is below the lower limit, or mirrored
        0: Assurance.INCONSISTENT,
        +1: Assurance.FAIL,
    }
)

# Codes of xmr_batch: the position in these tuples.
POINT_TYPES: tuple[PointType, ...] = tuple(PointType)
VARIATIONS: tuple[Variation, ...] = tuple(Variation)


@dataclass(frozen=True, slots=True)
class ProcessLimits:
    """Centre line and limits of one segment. ``mr_bar`` is the (screened) mean moving range."""

    mean: float
    mr_bar: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float


def process_limits(
    values: Sequence[float], *, screen_outliers: bool = True, fix_after: int | None = None
) -> ProcessLimits:
    """The XmR centre line and limits of one segment.

    ``fix_after`` computes them from the first n points only (the R package's
    ``fix_after_n_points``). For 1, 2, 3, 4, 5, 4, 3, 2, 1, 2: mean 2.7, moving ranges all 1,
    limits 2.7 -/+ 2.66 = 0.04 and 5.36. For 1, 1, 1, 1, 2 the moving ranges are 0, 0, 0, 1 with
    mean 0.25; screening drops the 1 (>= 0.817), so MR-bar is 0 and both limits are the mean, 1.2.
    """
    if not values:
        raise ValueError("process limits need at least one value")
    base = values[:fix_after] if fix_after is not None else values
    mean = _total(base) / len(base)
    ranges = [abs(b - a) for a, b in pairwise(base)]
    mr_bar = _mean_or_zero(ranges)
    if screen_outliers:
        mr_bar = _mean_or_zero([r for r in ranges if r < SCREEN_LIMIT * mr_bar])
    return ProcessLimits(
        mean=mean,
        mr_bar=mr_bar,
        lpl=mean - LIMIT * mr_bar,
        upl=mean + LIMIT * mr_bar,
        near_lpl=mean - NEAR_LIMIT * mr_bar,
        near_upl=mean + NEAR_LIMIT * mr_bar,
    )


def _mean_or_zero(numbers: Sequence[float]) -> float:
    return _total(numbers) / len(numbers) if numbers else 0.0


def _total(numbers: Sequence[float]) -> float:
    """Neumaier's compensated sum, left to right: accurate to about 1 ulp where a plain sum
    drifts, and done in the same order by :func:`.spc_batch._batch_total`, so that both paths
    agree to the last bit (a point exactly on the mean must be on it in both)."""
    total, compensation = 0.0, 0.0
    for x in numbers:
        step = total + x
        if abs(total) >= abs(x):
            compensation += (total - step) + x
        else:
            compensation += (x - step) + total
        total = step
    return total + compensation


# --- one series -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpcSegment:
    """Points ``start`` to ``stop - 1`` share these limits (a rebase starts a new segment)."""

    start: int
    stop: int
    limits: ProcessLimits


@dataclass(frozen=True, slots=True)
class ProcessChange:
    """How the process has changed, when :class:`Stability` is ``changed``.

    ``since`` is the position of the first point of the run that shows the change (the suggested
    rebase), ``points`` the number of points from there to the last, and ``pattern`` what they do:
    ``above_mean`` or ``below_mean`` (all on one side of the mean), ``rising`` or ``falling``
    (each higher, or each lower, than the one before), or ``special_causes`` (a mixture).
    """

    since: int
    points: int
    pattern: str


def judge_stability(
    values: Sequence[float],
    point_types: Sequence[PointType],
    special_causes: Sequence[str | None],
    relative_to_mean: Sequence[int],
    segment_start: int,
    run_length: int,
) -> ProcessChange | None:
    """The change in the latest segment's process, or None when it is stable (semantics.md 8).

    The segment has changed when its last point is flagged by a shift or a trend (the rule that
    decided it, in ``special_causes``), or when more than half of its last ``run_length`` points
    are special cause. The change starts at the first point of the run of
    same-kind special-cause points that ends at the last point (or, when the last point is common
    cause, at the latest special-cause point of the window).
    """
    last = len(values) - 1
    if last < segment_start:
        return None
    special = [kind is not PointType.COMMON_CAUSE for kind in point_types]
    window = range(max(segment_start, last + 1 - run_length), last + 1)
    flagged = [i for i in window if special[i]]
    if special_causes[last] not in ("shift", "trend") and 2 * len(flagged) <= len(window):
        return None
    anchor = last if special[last] else flagged[-1]
    since = anchor
    while (
        since - 1 >= segment_start
        and special[since - 1]
        and point_types[since - 1] is point_types[anchor]
    ):
        since -= 1
    run = range(since, last + 1)
    if all(relative_to_mean[i] > 0 for i in run):
        pattern = "above_mean"
    elif all(relative_to_mean[i] < 0 for i in run):
        pattern = "below_mean"
    elif all(values[i] > values[i - 1] for i in run[1:]) and len(run) > 1:
        pattern = "rising"
    elif all(values[i] < values[i - 1] for i in run[1:]) and len(run) > 1:
        pattern = "falling"
    else:
        pattern = "special_causes"
    return ProcessChange(since=since, points=len(run), pattern=pattern)


@dataclass(frozen=True, slots=True)
class SpcResult:
    """An XmR chart. ``mean`` and the limits are those of the last segment; per point, see
    ``point_limits``. ``special_causes`` names the rule that decided each point (None: common).

    ``stability`` and ``change`` say whether the last segment's limits still describe its recent
    points: when they do not, its variation and assurance icons describe the process as it was.
    """

    points: int
    mean: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float
    point_types: tuple[PointType, ...]
    variation: Variation
    assurance: Assurance | None
    special_causes: tuple[str | None, ...]
    relative_to_mean: tuple[int, ...]
    outside_limits: tuple[bool, ...]
    close_to_limits: tuple[bool, ...]
    segments: tuple[SpcSegment, ...]
    change: ProcessChange | None = None

    @property
    def stability(self) -> Stability:
        return Stability.STABLE if self.change is None else Stability.CHANGED

    @property
    def point_limits(self) -> tuple[ProcessLimits, ...]:
        """The limits in force at each point, for drawing the chart."""
        return tuple(s.limits for s in self.segments for _ in range(s.start, s.stop))


def xmr(
    values: Sequence[float],
    *,
    direction: Direction,
    target: float | None = None,
    rebase: Sequence[bool] | None = None,
    settings: SpcSettings = DEFAULT_SETTINGS,
    fix_after: int | None = None,
) -> SpcResult | None:
    """The XmR chart of a series, oldest first; None with fewer than ``settings.min_points``.

    ``rebase[i]`` True starts a new segment at point i. ``fix_after`` fixes each segment's limits
    on its first n points (NHSRplotthedots' ``fix_after_n_points``).
    """
    _check(values, rebase, settings, fix_after)
    if len(values) < settings.min_points:
        return None
    starts = [0, *(i for i, r in enumerate(rebase or ()) if r and i > 0)]
    segments: list[SpcSegment] = []
    scores: list[int] = []
    causes: list[str | None] = []
    relative: list[int] = []
    outside: list[bool] = []
    close: list[bool] = []
    for start, stop in zip(starts, [*starts[1:], len(values)], strict=True):
        segment = values[start:stop]
        limits = process_limits(
            segment, screen_outliers=settings.screen_outliers, fix_after=fix_after
        )
        facts = _facts(segment, limits)
        for cause, score in _special_causes(facts, settings.run_length):
            causes.append(cause)
            scores.append(score)
        segments.append(SpcSegment(start, stop, limits))
        relative.extend(facts.relative_to_mean)
        outside.extend(facts.outside_limits)
        close.extend(facts.close_to_limits)
    last = segments[-1].limits
    d = direction.sign
    point_types = tuple(OUTCOMES[d, s][0] for s in scores)
    return SpcResult(
        points=len(values),
        mean=last.mean,
        lpl=last.lpl,
        upl=last.upl,
        near_lpl=last.near_lpl,
        near_upl=last.near_upl,
        point_types=point_types,
        variation=OUTCOMES[d, scores[-1]][1],
        assurance=_assurance(target, d, last),
        special_causes=tuple(causes),
        relative_to_mean=tuple(relative),
        outside_limits=tuple(outside),
        close_to_limits=tuple(close),
        segments=tuple(segments),
        change=judge_stability(
            values, point_types, causes, relative, segments[-1].start, settings.run_length
        ),
    )


def _facts(segment: Sequence[float], limits: ProcessLimits) -> SegmentFacts:
    outside = tuple(y > limits.upl or y < limits.lpl for y in segment)
    return SegmentFacts(
        values=segment,
        relative_to_mean=tuple(sign(y - limits.mean) for y in segment),
        outside_limits=outside,
        close_to_limits=tuple(
            not o and (y < limits.near_lpl or y > limits.near_upl)
            for y, o in zip(segment, outside, strict=True)
        ),
    )


def _special_causes(facts: SegmentFacts, run_length: int) -> list[tuple[str | None, int]]:
    """Per point, the first rule of :data:`RULES` that flags it and its score, or (None, 0)."""
    decided: list[tuple[str | None, int]] = [(None, 0)] * len(facts.values)
    for rule in reversed(RULES):  # the last rule first, so that earlier rules overwrite it
        for i, score in enumerate(rule.scores(facts, run_length)):
            if score:
                decided[i] = (rule.name, score)
    return decided


def _assurance(target: float | None, d: int, limits: ProcessLimits) -> Assurance | None:
    """Target against the latest limits: for higher-is-better, below the lower limit is a pass."""
    if target is None or d == 0:
        return None
    side = 1 if target > limits.upl else -1 if target < limits.lpl else 0
    return ASSURANCES[d * side]


def _check(
    values: Sequence[float],
    rebase: Sequence[bool] | None,
    settings: SpcSettings,
    fix_after: int | None,
) -> None:
    if settings.run_length < 2:
        raise ValueError(f"run_length must be 2 or more, not {settings.run_length}")
    if fix_after is not None and fix_after < 1:
        raise ValueError(f"fix_after must be 1 or more, not {fix_after}")
    if rebase is not None and len(rebase) != len(values):
        raise ValueError(f"rebase has {len(rebase)} flags for {len(values)} values")
    for i, y in enumerate(values):
        if not math.isfinite(y):
            raise ValueError(f"value {i} is {y}: every SPC value must be a finite number")


def spc_json(result: SpcResult | None, periods: Sequence[object]) -> dict[str, Any] | None:
    """The ``spc`` member of ``kpiboard evaluate --format json`` (formats.md). ``periods`` are
    the points' periods, oldest first, for ``changed_since`` (the suggested rebase)."""
    if result is None:
        return None
    since = result.change.since if result.change is not None else None
    return {
        "points": result.points,
        "mean": result.mean,
        "lpl": result.lpl,
        "upl": result.upl,
        # Each is a StrEnum, a str holding its value: JSON writes it as that text. (Reading
        # ``.value`` 120,000 times for a thousand indicators took 20 ms.)
        "point_types": list(result.point_types),
        "variation": result.variation.value,
        "assurance": result.assurance.value if result.assurance is not None else None,
        "stability": result.stability.value,
        "changed_since": str(periods[since]) if since is not None else None,
    }
