"""Scorecards from the engine's evaluation: rows, the status summary, its breakdown by directorate
or committee, the transitions, and the table's filter and sort. Plain objects, no HTTP.

Every count and percentage is the engine's: a scope's summary is ``analysis.summary.summarise``
of its indicators' statuses, and its transitions ``analysis.transitions.transitions`` of their
previous and current statuses, exactly as ``evaluate()`` does for a committee or directorate.
So the scorecards read one cached organisation evaluation (formats.md's JSON) and cut it by
directorate or committee, and a committee's scorecard equals ``kpiboard evaluate --committee``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from kpiboard.analysis.change import Change
from kpiboard.analysis.model import PercentRounding, Unit
from kpiboard.analysis.status import SUMMARY_ORDER, Status
from kpiboard.analysis.summary import SummaryRow, summarise, summary_footnote
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition, transitions
from kpiboard.reports.formatting import format_value
from kpiboard.reports.model import change_words

__all__ = [
    "COLUMNS",
    "Column",
    "GroupSummary",
    "ScorecardRow",
    "StatusSummary",
    "TableQuery",
    "TransitionGroup",
    "breakdown",
    "scorecard_rows",
    "status_summary",
    "transition_groups",
]

COMPARISON_WORDS = {
    "better": "Better than median",
    "similar": "Similar to median",
    "worse": "Worse than median",
}


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    """One indicator's line on a scorecard, from its entry in the evaluation JSON."""

    ref: str
    name: str
    unit: Unit
    decimals: int
    directorate: str
    committees: tuple[str, ...]
    value: Decimal | None
    as_of: str | None
    complete: bool | None
    target: Decimal | None
    status: Status
    previous_status: Status
    change: Change | None
    projection: Decimal | None
    projected_status: Status | None
    comparison: str | None
    rank: int | None
    group_size: int | None

    def show(self, number: Decimal | None) -> str:
        return format_value(number, self.unit, self.decimals)

    @property
    def value_text(self) -> str:
        text = self.show(self.value)
        return f"{text} (incomplete)" if self.complete is False else text

    @property
    def target_text(self) -> str:
        return self.show(self.target)

    @property
    def change_text(self) -> str:
        return change_words(self.change) if self.change is not None else "–"

    @property
    def trend_text(self) -> str:
        """The projection to the end of the financial year and the status it would have."""
        if self.projection is None:
            return "–"
        text = f"{self.show(self.projection)} at year end"
        return f"{text} ({self.projected_status.label})" if self.projected_status else text

    @property
    def neighbours_text(self) -> str:
        if self.comparison is None and self.rank is None:
            return "–"
        parts = []
        if self.comparison is not None:
            parts.append(COMPARISON_WORDS[self.comparison])
        if self.rank is not None:
            parts.append(f"rank {self.rank} of {self.group_size}")
        return "; ".join(parts)


def _decimal(number: float | int | None) -> Decimal | None:
    """A JSON number as the Decimal it was written from (its shortest repr)."""
    return None if number is None else Decimal(repr(number))


def scorecard_rows(
    evaluation: Mapping[str, Any], facts: Mapping[str, Any], refs: Iterable[str] | None = None
) -> list[ScorecardRow]:
    """The rows of the evaluation's indicators (only ``refs`` when given), in its order.

    ``facts`` are the register's RegisterFacts by ref: the directorate, committees and decimals
    that the JSON leaves out.
    """
    wanted = set(refs) if refs is not None else None
    rows = []
    for entry in evaluation["indicators"]:
        ref = entry["ref"]
        if wanted is not None and ref not in wanted:
            continue
        fact = facts[ref]
        trend = entry.get("trend") or {}
        neighbours = entry.get("neighbours") or {}
        rows.append(
            ScorecardRow(
                ref=ref,
                name=entry["name"],
                unit=Unit(entry["unit"]),
                decimals=fact.decimals,
                directorate=fact.directorate,
                committees=fact.committees,
                value=_decimal(entry["value"]),
                as_of=entry["as_of"],
                complete=entry["complete"],
                target=_decimal(entry["target"]),
                status=Status(entry["status"]),
                previous_status=Status(entry["previous_status"]),
                change=Change(entry["change"]) if entry["change"] else None,
                projection=_decimal(trend.get("projection_year_end")),
                projected_status=(
                    Status(trend["projected_status"]) if trend.get("projected_status") else None
                ),
                comparison=neighbours.get("comparison"),
                rank=neighbours.get("rank"),
                group_size=neighbours.get("group_size"),
            )
        )
    return rows


# -- the status summary ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StatusSummary:
    """semantics.md 10 for a set of indicators: a row per status, count and percentage."""

    rows: tuple[SummaryRow, ...]
    total: int
    footnote: str | None

    @property
    def total_percent(self) -> str:
        """The total row's percentage: 100% of the indicators (0% of none)."""
        return "100%" if self.total else "0%"

    def count(self, status: Status) -> int:
        return next((row.count for row in self.rows if row.status is status), 0)

    def percent(self, status: Status) -> int:
        return next((row.percent for row in self.rows if row.status is status), 0)


def status_summary(rows: Sequence[ScorecardRow], rounding: PercentRounding) -> StatusSummary:
    summary = tuple(summarise((row.status for row in rows), rounding))
    return StatusSummary(rows=summary, total=len(rows), footnote=summary_footnote(summary))


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One directorate's or committee's line of a breakdown."""

    code: str
    name: str
    summary: StatusSummary

    def cells(self, statuses: Sequence[Status]) -> list[tuple[Status, int, int]]:
        return [(s, self.summary.count(s), self.summary.percent(s)) for s in statuses]


def breakdown(
    rows: Sequence[ScorecardRow],
    groups: Sequence[tuple[str, str]],
    member_of: Callable[[ScorecardRow], Iterable[str]],
    rounding: PercentRounding,
) -> list[GroupSummary]:
    """The status summary of each group (``(code, name)`` in order) that has indicators."""
    found = []
    for code, name in groups:
        members = [row for row in rows if code in member_of(row)]
        if members:
            found.append(GroupSummary(code, name, status_summary(members, rounding)))
    return found


def breakdown_statuses(overall: StatusSummary) -> list[Status]:
    """The breakdown's columns: the statuses of the overall summary, in its order."""
    return [row.status for row in overall.rows]


# -- transitions -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TransitionGroup:
    group: Transition
    title: str
    rows: tuple[ScorecardRow, ...]


def transition_groups(rows: Sequence[ScorecardRow]) -> list[TransitionGroup]:
    """semantics.md 11: every indicator in exactly one group, each group listing its members,
    in the engine's order and with its words (``TRANSITION_WORDS``), as every output has them."""
    by_ref = {row.ref: row for row in rows}
    found = transitions((row.ref, row.previous_status, row.status) for row in rows)
    return [
        TransitionGroup(group, title, tuple(by_ref[ref] for ref in found.members(group)))
        for group, title in TRANSITION_WORDS.items()
    ]


# -- the indicator table: filter and sort ------------------------------------------------------
def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """ "9" before "10", "ASC2" before "ASC10"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.findall(r"\d+|\D+", text)
    )


_STATUS_ORDER = {status: position for position, status in enumerate(SUMMARY_ORDER)}
#: Worst first, as the statuses are: deteriorating, unchanged, improving; then the neutral ones.
_CHANGE_ORDER = {
    Change.DETERIORATING: 0,
    Change.UNCHANGED: 1,
    Change.IMPROVING: 2,
    Change.DOWN: 3,
    Change.UP: 4,
}
_COMPARISON_ORDER = {"worse": 0, "similar": 1, "better": 2}


def _trend_key(row: ScorecardRow) -> Any:
    if row.projection is None:
        return None
    status = row.projected_status
    return (_STATUS_ORDER[status] if status else len(_STATUS_ORDER), row.projection)


def _neighbours_key(row: ScorecardRow) -> Any:
    if row.comparison is None and row.rank is None:
        return None
    relative = (
        -Decimal(row.rank) / Decimal(row.group_size)
        if row.rank is not None and row.group_size
        else Decimal(0)
    )
    return (_COMPARISON_ORDER.get(row.comparison or "", 1), relative)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the indicator table. Ascending order puts the worst first where there is a
    judgement (Red before Green, deteriorating before improving); rows with nothing to sort by
    go last either way."""

    key: str
    heading: str
    sort_key: Callable[[ScorecardRow], Any]
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", lambda row: _natural(row.ref)),
    Column("name", "Indicator", lambda row: row.name.casefold()),
    Column("value", "Value", lambda row: row.value, numeric=True),
    Column("target", "Target", lambda row: row.target, numeric=True),
    Column("status", "Status", lambda row: _STATUS_ORDER[row.status]),
    Column("previous", "Previous status", lambda row: _STATUS_ORDER[row.previous_status]),
    Column("change", "Change", lambda row: _CHANGE_ORDER[row.change] if row.change else None),
    Column("trend", "Trend", _trend_key),
    Column("neighbours", "Neighbours", _neighbours_key),
)
COLUMN_KEYS = {column.key: column for column in COLUMNS}
ORDERS = ("asc", "desc")


@dataclass(frozen=True, slots=True)
class TableQuery:
    """The table's filter and sort, as they travel in a URL's query string.

    ``status`` (repeatable) keeps only indicators with those statuses; ``sort`` names a column
    and ``order`` is ``asc`` or ``desc``. Anything not understood is ignored, so a hand-edited
    URL still shows a table. ``period`` rides along so every link keeps the period.
    """

    statuses: tuple[Status, ...] = ()
    sort: str | None = None
    order: str = "asc"
    period: str | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, query: Any) -> TableQuery:
        """From a QueryDict (or any mapping with ``getlist``)."""
        problems = []
        statuses = []
        for text in query.getlist("status"):
            try:
                status = Status(text)
            except ValueError:
                problems.append(f"{text!r} is not a status")
                continue
            if status not in statuses:
                statuses.append(status)
        sort = query.get("sort") or None
        if sort is not None and sort not in COLUMN_KEYS:
            problems.append(f"{sort!r} is not a column to sort by")
            sort = None
        order = query.get("order") or "asc"
        if order not in ORDERS:
            problems.append(f"{order!r} is not an order: asc or desc")
            order = "asc"
        return cls(
            statuses=tuple(s for s in SUMMARY_ORDER if s in statuses),
            sort=sort,
            order=order,
            period=query.get("period") or None,
            problems=tuple(problems),
        )

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    def apply(self, rows: Sequence[ScorecardRow]) -> list[ScorecardRow]:
        shown = [row for row in rows if not self.statuses or row.status in self.statuses]
        if self.sort is None:
            return shown
        key = COLUMN_KEYS[self.sort].sort_key
        keyed = [(key(row), row) for row in shown]
        present = [pair for pair in keyed if pair[0] is not None]
        present.sort(key=lambda pair: pair[0], reverse=self.descending)
        return [row for _, row in present] + [row for value, row in keyed if value is None]

    def query_string(self, **changes: Any) -> str:
        """This query with ``changes`` (``sort=``, ``order=``, ``statuses=``) as ``?a=b``."""
        query = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if query.period:
            pairs.append(("period", query.period))
        pairs += [("status", str(status)) for status in query.statuses]
        if query.sort:
            pairs += [("sort", query.sort), ("order", query.order)]
        return "?" + urlencode(pairs) if pairs else "?"

    def sort_link(self, column: str) -> tuple[str, str | None, str]:
        """For a column heading: the link's query, its aria-sort now (None when the table is
        not sorted by it) and the order the link would sort in."""
        if self.sort == column:
            following = "desc" if self.order == "asc" else "asc"
            now = "descending" if self.descending else "ascending"
        else:
            following, now = "asc", None
        words = "ascending" if following == "asc" else "descending"
        return self.query_string(sort=column, order=following), now, words

    def describe(self, shown: int, total: int) -> str:
        """What the table shows, in words, for the page and for screen readers."""
        noun = "indicator" if total == 1 else "indicators"
        text = f"Showing {shown} of {total} {noun}"
        if self.statuses:
            text += ": " + " or ".join(status.label for status in self.statuses)
        if self.sort:
            heading = COLUMN_KEYS[self.sort].heading.lower()
            text += f", sorted by {heading}, {'descending' if self.descending else 'ascending'}"
        return text + "."
