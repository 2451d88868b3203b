"""Change in performance (semantics.md 5)."""

from decimal import Decimal as D

import pytest

from kpiboard.analysis.change import Change, change_between, round_half_up
from kpiboard.analysis.model import Direction

H, L, N = Direction.HIGHER, Direction.LOWER, Direction.NONE


@pytest.mark.parametrize(
    ("current", "previous", "direction", "decimals", "expected"),
    [
        ("81", "74", H, 1, Change.IMPROVING),
        ("74", "81", H, 1, Change.DETERIORATING),
        ("74", "81", L, 1, Change.IMPROVING),
        ("81", "74", L, 1, Change.DETERIORATING),
        ("81.04", "81.01", H, 1, Change.UNCHANGED),  # both print as 81.0
        ("81.05", "81.04", H, 1, Change.IMPROVING),  # 81.1 against 81.0: half rounds up
        ("81.05", "81.04", H, 2, Change.IMPROVING),
        ("2.5", "2.4", H, 0, Change.IMPROVING),  # 3 against 2, not the banker's 2
        ("81", "74", N, 1, Change.UP),
        ("74", "81", N, 1, Change.DOWN),
        ("80", "80.0", N, 1, Change.UNCHANGED),
    ],
)
def test_change(
    current: str, previous: str, direction: Direction, decimals: int, expected: Change
) -> None:
    assert change_between(D(current), D(previous), direction, decimals) is expected


def test_missing_either_value_is_no_change() -> None:
    assert change_between(None, D(1), H, 1) is None
    assert change_between(D(1), None, H, 1) is None


def test_round_half_up() -> None:
    assert round_half_up(D("2.25"), 1) == D("2.3")
    assert round_half_up(D("-2.25"), 1) == D("-2.3")
    assert round_half_up(D("2.24"), 1) == D("2.2")
