"""The numbers kpiboard computes with: how large a figure, target or setting may be.

Every reader (data folder, workbook, organisation.toml) and every web form checks a number against
:func:`representable` before anything is stored or computed, so what one accepts all accept and no
page can fail later on a figure that was let in. The bound keeps the arithmetic exact and total:

- below 10^15 a number has at most 15 digits before the point; rounded to an indicator's
  ``decimals`` (at most 10) and summed over ten years of months it stays inside the 28 significant
  digits of Python's default decimal context, so ``quantize`` cannot fail;
- below 2^53 (about 9 x 10^15) a float holds every whole number exactly, so the control charts and
  trend tests (computed in floats) see the figure as written;
- the canonical text of such a number fits the database's 60-character column.

>>> representable(Decimal("999999999999999.5")), representable(Decimal("1e15"))
(True, False)
>>> representable(Decimal("-1e308")), representable(Decimal("1e-300"))
(False, True)
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["LARGEST", "MAX_CHARACTERS", "TOO_LARGE_EXPECTED", "representable"]

LARGEST = Decimal("1e15")
"""No number's size may reach this (exclusive)."""

MAX_CHARACTERS = 40
"""The longest number as written: more digits than this say nothing a council measures."""

TOO_LARGE_EXPECTED = (
    "a number between -999,999,999,999,999 and 999,999,999,999,999, written in at most "
    f"{MAX_CHARACTERS} characters"
)


def representable(number: Decimal) -> bool:
    """Finite, and smaller in size than :data:`LARGEST`."""
    return number.is_finite() and abs(number) < LARGEST
