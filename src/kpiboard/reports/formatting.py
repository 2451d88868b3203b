"""How figures are written for people: one place, so the table, the reports and the web agree.

>>> from kpiboard.analysis.model import Indicator, Unit
>>> format_value(Decimal("81"), Unit.PERCENT, 1), format_value(Decimal("1234.5"), Unit.CURRENCY, 0)
('81.0%', '£1,235')
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from kpiboard.analysis.change import Change, round_half_up
from kpiboard.analysis.model import Indicator, Unit
from kpiboard.analysis.status import Status

__all__ = ["CHANGE_ARROWS", "STATUS_COLOURS", "format_value", "within_bounds"]

#: Arrows for a change, always printed beside the words (an arrow alone is not enough).
CHANGE_ARROWS = {
    Change.IMPROVING: "▲",
    Change.DETERIORATING: "▼",
    Change.UNCHANGED: "►",
    Change.UP: "▲",
    Change.DOWN: "▼",
}


#: The fill and the text colour of each status, as in the HTML's report.css (GOV.UK colours):
#: white text on red, green and blue, near-black on amber and on the white of the others.
STATUS_COLOURS: Mapping[Status, tuple[str, str]] = {
    Status.RED: ("#d4351c", "#ffffff"),
    Status.AMBER: ("#f47738", "#0b0c0c"),
    Status.GREEN: ("#00703c", "#ffffff"),
    Status.BLUE: ("#1d70b8", "#ffffff"),
    **dict.fromkeys(
        (
            Status.BASELINE,
            Status.CONTEXTUAL,
            Status.IN_DEVELOPMENT,
            Status.SUSPENDED,
            Status.NO_TARGET,
            Status.NO_DATA,
        ),
        ("#ffffff", "#0b0c0c"),
    ),
}


def format_value(
    value: Decimal | float | None, unit: Unit, decimals: int, missing: str = "–"
) -> str:
    """A value rounded half-up to the indicator's decimals, with its unit."""
    if value is None:
        return missing
    rounded = round_half_up(Decimal(repr(value)) if isinstance(value, float) else value, decimals)
    text = f"{rounded:,.{decimals}f}"
    if unit is Unit.PERCENT:
        return f"{text}%"
    if unit is Unit.CURRENCY:
        return f"£{text}" if not text.startswith("-") else f"-£{text[1:]}"
    if unit is Unit.DAYS:
        return f"{text} days"
    return text


Number = Decimal | float


def within_bounds(
    indicator: Indicator, low: Number, high: Number
) -> tuple[Number, Number, str | None]:
    """An interval or a pair of process limits cut at the values the indicator can have, and the
    words saying where a bound cut it (None when none did): a percentage's interval of 80 to 107
    is drawn 80 to 100, "cut at 100.0%, the highest possible".

    >>> from kpiboard.analysis.model import Category, Direction, Frequency
    >>> share = Indicator("1", "x", Unit.PERCENT, Direction.HIGHER, Frequency.MONTH,
    ...                   Category.TARGETED, ("c",), "d")
    >>> within_bounds(share, Decimal(80), Decimal(107))
    (Decimal('80'), Decimal('100'), 'cut at 100.0%, the highest possible')
    >>> within_bounds(share, -2.5, 50.0)[2]
    'cut at 0.0%, the lowest possible'
    """
    floor, ceiling = indicator.lower_bound, indicator.upper_bound
    cut = []
    if floor is not None and low < floor:
        low = floor
        cut.append((floor, "lowest"))
    if ceiling is not None and high > ceiling:
        high = ceiling
        cut.append((ceiling, "highest"))
    if not cut:
        return low, high, None

    def show(bound: Decimal) -> str:
        return format_value(bound, indicator.unit, indicator.decimals)

    if len(cut) == 2:
        note = f"cut at {show(cut[0][0])} and {show(cut[1][0])}, the lowest and highest possible"
    else:
        note = f"cut at {show(cut[0][0])}, the {cut[0][1]} possible"
    return low, high, note
