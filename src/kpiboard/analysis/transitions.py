"""What changed since the previous period (semantics.md 11).

Every indicator falls in exactly one group: ``improved`` (both statuses Red/Amber/Green/Blue and
the current one better), ``deteriorated`` (both RAGB, current worse), ``unchanged`` (both RAGB and
the same), ``not_rated`` (the same status outside RAGB in both periods, such as Baseline to
Baseline or No data to No data) or ``changed_category`` (anything else, such as Baseline to Green
when a target is first set). The matrix of previous x current statuses counts the same indicators.

Each group has one name in words, :data:`TRANSITION_WORDS`, that every output uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from kpiboard.analysis.status import Status

__all__ = [
    "TRANSITION_WORDS",
    "Transition",
    "Transitions",
    "classify_transition",
    "transitions",
]


class Transition(StrEnum):
    IMPROVED = "improved"
    DETERIORATED = "deteriorated"
    UNCHANGED = "unchanged"
    NOT_RATED = "not_rated"
    CHANGED_CATEGORY = "changed_category"


TRANSITION_WORDS: dict[Transition, str] = {
    Transition.IMPROVED: "Improved",
    Transition.DETERIORATED: "Deteriorated",
    Transition.UNCHANGED: "Unchanged",
    Transition.NOT_RATED: "Not rated",
    Transition.CHANGED_CATEGORY: "Changed category",
}
"""Each group's name as every output prints it (semantics.md 11)."""


def classify_transition(previous: Status, current: Status) -> Transition:
    """The group of one indicator, from its previous and current status."""
    before, now = previous.rank, current.rank
    if previous is current:
        return Transition.UNCHANGED if now is not None else Transition.NOT_RATED
    if before is None or now is None:
        return Transition.CHANGED_CATEGORY
    return Transition.IMPROVED if now > before else Transition.DETERIORATED


@dataclass(frozen=True, slots=True)
class Transitions:
    """The members of each group, in report order, and the previous x current matrix."""

    groups: dict[Transition, list[str]] = field(
        default_factory=lambda: {group: [] for group in Transition}
    )
    matrix: dict[Status, dict[Status, int]] = field(default_factory=dict)

    def members(self, group: Transition) -> list[str]:
        return self.groups[group]


def transitions(pairs: Iterable[tuple[str, Status, Status]]) -> Transitions:
    """Group ``(ref, previous status, current status)`` triples."""
    result = Transitions()
    for ref, previous, current in pairs:
        result.groups[classify_transition(previous, current)].append(ref)
        row = result.matrix.setdefault(previous, {})
        row[current] = row.get(current, 0) + 1
    return result
