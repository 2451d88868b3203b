"""Change in performance between two periods (semantics.md 5).

Both values are first rounded half-up to the indicator's display decimals, so a change that a
reader cannot see in the printed figures is ``unchanged``: 81.04 and 81.01 at one decimal are both
81.0. Then d x (current - previous) is positive ``improving``, negative ``deteriorating``, zero
``unchanged``; with direction ``none`` the words are ``up``, ``down`` and ``unchanged``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kpiboard.analysis.model import Direction

__all__ = ["Change", "change_between", "round_half_up"]


class Change(StrEnum):
    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    UNCHANGED = "unchanged"
    UP = "up"
    DOWN = "down"


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round as a person would: 2.25 to one decimal is 2.3 (not the banker's 2.2)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def change_between(
    current: Decimal | None, previous: Decimal | None, direction: Direction, decimals: int
) -> Change | None:
    """The change from ``previous`` to ``current``; None when either is missing."""
    if current is None or previous is None:
        return None
    difference = round_half_up(current, decimals) - round_half_up(previous, decimals)
    if difference == 0:
        return Change.UNCHANGED
    if direction is Direction.NONE:
        return Change.UP if difference > 0 else Change.DOWN
    return Change.IMPROVING if direction.sign * difference > 0 else Change.DETERIORATING
