"""RAGB status against target (semantics.md 4), in exact decimal arithmetic.

With d = +1 when higher is better and -1 when lower is better, gap = d x (value - target), so a
positive gap is better than target. In relative mode the deviation is gap / |target|; in points
mode it is the gap itself. Then, by the framework's thresholds:

    deviation <= -red_at          red
    -red_at < deviation < 0       amber
    0 <= deviation <= blue_above  green
    deviation > blue_above        blue (never, when blue_above is None)

Worked example: 81 against a target of 90, higher is better: gap = -9, deviation = -9/90 = -0.10,
exactly -red_at, so Red. The comparison is made as gap <= -red_at x |target| so no division (and
no rounding) ever decides a boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from kpiboard.analysis.model import Category, Direction, Tolerance, ToleranceMode

__all__ = [
    "RAGB",
    "STATUS_LABELS",
    "SUMMARY_ORDER",
    "Status",
    "criteria_text",
    "rag_status",
    "status_for",
]


class Status(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
    BASELINE = "baseline"
    CONTEXTUAL = "contextual"
    IN_DEVELOPMENT = "in_development"
    SUSPENDED = "suspended"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def rank(self) -> int | None:
        """Order for comparisons, red < amber < green < blue; None outside RAGB."""
        return _RAGB_RANK.get(self)


RAGB = (Status.RED, Status.AMBER, Status.GREEN, Status.BLUE)
_RAGB_RANK = {status: rank for rank, status in enumerate(RAGB)}

#: The rows of the status summary, in order (semantics.md 10). The last two appear only when
#: non-zero.
SUMMARY_ORDER = (
    Status.RED,
    Status.AMBER,
    Status.GREEN,
    Status.BLUE,
    Status.BASELINE,
    Status.CONTEXTUAL,
    Status.IN_DEVELOPMENT,
    Status.SUSPENDED,
    Status.NO_TARGET,
    Status.NO_DATA,
)

STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        Status.RED: "Red",
        Status.AMBER: "Amber",
        Status.GREEN: "Green",
        Status.BLUE: "Blue",
        Status.BASELINE: "Baseline",
        Status.CONTEXTUAL: "Contextual",
        Status.IN_DEVELOPMENT: "In development",
        Status.SUSPENDED: "Suspended",
        Status.NO_TARGET: "No target",
        Status.NO_DATA: "No data",
    }
)

#: A category other than ``targeted`` decides the status whatever the data.
CATEGORY_STATUS: Mapping[Category, Status] = MappingProxyType(
    {
        Category.BASELINE: Status.BASELINE,
        Category.CONTEXTUAL: Status.CONTEXTUAL,
        Category.IN_DEVELOPMENT: Status.IN_DEVELOPMENT,
        Category.SUSPENDED: Status.SUSPENDED,
    }
)


def rag_status(
    value: Decimal, target: Decimal, direction: Direction, tolerance: Tolerance
) -> Status:
    """Red, Amber, Green or Blue for a value against a target.

    A target needs a direction to be judged against; an indicator with direction ``none`` and a
    target is judged as higher-is-better, and ``evaluate()`` warns about it.
    """
    sign = direction.sign or 1
    gap = sign * (value - target)
    if tolerance.mode is ToleranceMode.RELATIVE:
        if target == 0:
            if gap == 0:
                return Status.GREEN
            if gap > 0:
                return Status.GREEN if tolerance.blue_above is None else Status.BLUE
            return Status.RED
        scale = abs(target)
        red_gap = tolerance.red_at * scale
        blue_gap = None if tolerance.blue_above is None else tolerance.blue_above * scale
    else:
        red_gap = tolerance.red_at
        blue_gap = tolerance.blue_above
    if gap <= -red_gap:
        return Status.RED
    if gap < 0:
        return Status.AMBER
    if blue_gap is None or gap <= blue_gap:
        return Status.GREEN
    return Status.BLUE


def status_for(
    *,
    category: Category,
    value: Decimal | None,
    target: Decimal | None,
    direction: Direction,
    tolerance: Tolerance,
) -> Status:
    """The status of one indicator for one period (semantics.md 4, steps 1-3)."""
    if category in CATEGORY_STATUS:
        return CATEGORY_STATUS[category]
    if value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    return rag_status(value, target, direction, tolerance)


def _amount(threshold: Decimal, mode: ToleranceMode) -> str:
    if mode is ToleranceMode.RELATIVE:
        return f"{_plain(threshold * 100)}%"
    points = _plain(threshold)
    return f"{points} point" if points == "1" else f"{points} points"


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def criteria_text(tolerance: Tolerance) -> dict[Status, str]:
    """The RAGB criteria as a report prints them, generated from the thresholds in force.

    >>> criteria_text(Tolerance())[Status.RED]
    'current performance is 10% or more from target.'
    """
    red = _amount(tolerance.red_at, tolerance.mode)
    texts = {
        Status.RED: f"current performance is {red} or more from target.",
        Status.AMBER: f"current performance is off target by less than {red}.",
    }
    if tolerance.blue_above is None:
        texts[Status.GREEN] = "current performance is on target or better."
    else:
        blue = _amount(tolerance.blue_above, tolerance.mode)
        texts[Status.GREEN] = f"current performance is on target or better by up to {blue}."
        texts[Status.BLUE] = f"current performance is better than target by more than {blue}."
    texts.update(
        {
            Status.BASELINE: "performance is currently being tracked in order to inform the "
            "target setting process.",
            Status.CONTEXTUAL: "tracks key activity being undertaken, to present a rounded view "
            "of information relevant to the service area, without a performance target.",
            Status.IN_DEVELOPMENT: "the indicator has been agreed, but data collection and "
            "target setting are in development.",
            Status.SUSPENDED: "reporting of the indicator is suspended.",
        }
    )
    return texts
