"""The status summary: how many indicators have each status, and what share (semantics.md 10).

By default each percentage is rounded half-up on its own (the GSS convention), so equal counts
always show equal percentages: 13 indicators split Red 1, Amber 1, Green 10, Baseline 1 have shares
7.69, 7.69, 76.92, 7.69 and show 8, 8, 77, 8, which add to 101, so the table carries
:data:`ROUNDING_FOOTNOTE` (:func:`summary_footnote`) and its total row says 100%.

``percent_rounding = "largest_remainder"`` gives instead the largest remainder (Hamilton) method,
which adds up to exactly 100: floor each share, then give the missing points to the largest
remainders, ties to the larger count, then to the earlier row. The same split: the floors 7, 7,
76, 7 leave 3 points; Green's remainder (.92) is largest, then the three .69 ties go to the earlier
rows, Red and Amber: 8, 8, 77, 7.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kpiboard.analysis.model import PercentRounding
from kpiboard.analysis.status import SUMMARY_ORDER, Status

__all__ = [
    "ROUNDING_FOOTNOTE",
    "SummaryRow",
    "independent_percentages",
    "largest_remainder_percentages",
    "summarise",
    "summary_footnote",
]

ROUNDING_FOOTNOTE = "Figures may not add to 100 due to rounding."

#: Rows shown only when they have indicators in them.
_ONLY_WHEN_PRESENT = frozenset({Status.NO_TARGET, Status.NO_DATA})


@dataclass(frozen=True, slots=True)
class SummaryRow:
    status: Status
    count: int
    percent: int


def largest_remainder_percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages of ``counts`` that add up to exactly 100 (all 0 when there are none).

    Exact integer arithmetic: the share of row i is 100 x count / total, whose floor and remainder
    are divmod(100 x count, total).
    """
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    floors_and_remainders = [divmod(100 * count, total) for count in counts]
    percents = [floor for floor, _ in floors_and_remainders]
    missing = 100 - sum(percents)
    order = sorted(
        range(len(counts)),
        key=lambda i: (-floors_and_remainders[i][1], -counts[i], i),
    )
    for i in order[:missing]:
        percents[i] += 1
    return percents


def independent_percentages(counts: Sequence[int]) -> list[int]:
    """Each share rounded half-up on its own; these need not add up to 100."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    return [
        int((Decimal(100 * count) / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for count in counts
    ]


def summary_footnote(rows: Iterable[SummaryRow]) -> str | None:
    """:data:`ROUNDING_FOOTNOTE` when the rows' percentages do not add to 100, else None.

    A table of no indicators has nothing to add up and needs no footnote.
    """
    listed = list(rows)
    if not any(row.count for row in listed):
        return None
    return ROUNDING_FOOTNOTE if sum(row.percent for row in listed) != 100 else None


def summarise(
    statuses: Iterable[Status],
    rounding: PercentRounding = PercentRounding.INDEPENDENT,
) -> list[SummaryRow]:
    """One row per status in the report's order; no_target and no_data only when non-zero."""
    counted = Counter(statuses)
    shown = [s for s in SUMMARY_ORDER if s not in _ONLY_WHEN_PRESENT or counted[s]]
    counts = [counted[s] for s in shown]
    if rounding is PercentRounding.LARGEST_REMAINDER:
        percents = largest_remainder_percentages(counts)
    else:
        percents = independent_percentages(counts)
    return [SummaryRow(s, c, p) for s, c, p in zip(shown, counts, percents, strict=True)]
