"""Indicators counted for the report: the status summary, the control charts' variation and
assurance counts, and the status counts by directorate or committee for scorecards.

Every count is read from the evaluation, the object the cards are drawn from, so a table cannot
disagree with the appendix. :mod:`kpiboard.reports.model` places the tables in the report's main
issues (section 3); the renderers draw them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.model import PercentRounding
from kpiboard.analysis.status import Status
from kpiboard.analysis.summary import (
    SummaryRow,
    independent_percentages,
    largest_remainder_percentages,
    summary_footnote,
)
from kpiboard.reports.icons import (
    ASSURANCE_GROUPS,
    VARIATION_GROUPS,
    AssuranceGroup,
    VariationGroup,
    assurance_group,
    variation_group,
)

__all__ = [
    "Breakdown",
    "CountLine",
    "CountTable",
    "SpcSummary",
    "build_breakdown",
    "build_spc_summary",
    "build_summary_table",
]


@dataclass(frozen=True, slots=True)
class CountLine:
    """A row of a count table: what is counted (``key``, for the renderers), its words, the
    number of indicators and their percentage of all; ``status`` in the status summary, whose
    rows are statuses (shown in their colours, with their words)."""

    key: str
    label: str
    count: int
    percent: int
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class CountTable:
    """Indicators counted by one property, each in exactly one row: the status summary (by
    status, as the spec computes it), and the variation and assurance tables. Percentages add
    up to 100 unless rounded independently; then ``footnote`` says so, and the total row still
    says 100% (semantics.md 10)."""

    caption: str
    heading: str
    lines: tuple[CountLine, ...]
    total: int
    footnote: str | None
    kind: str = "counts"

    @property
    def total_percent(self) -> str:
        """The total row's percentage: "100%", or "0%" for a table of no indicators."""
        return "100%" if self.total else "0%"

    @property
    def of_statuses(self) -> bool:
        """Whether this is the status summary (its rows are statuses)."""
        return any(line.status is not None for line in self.lines)


@dataclass(frozen=True, slots=True)
class SpcSummary:
    """What the control charts show across the report: variation and assurance counts."""

    variation: CountTable
    assurance: CountTable


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Status counts by directorate or committee, for scorecards."""

    caption: str
    group_heading: str
    statuses: tuple[Status, ...]
    rows: tuple[tuple[str, tuple[int, ...], int], ...]
    kind: str = "breakdown"


def build_summary_table(evaluation: Evaluation) -> CountTable:
    """The status summary, row by row as the engine counted it (``evaluation.summary``), with
    the engine's footnote."""
    lines = tuple(
        CountLine(str(row.status), row.status.label, row.count, row.percent, row.status)
        for row in evaluation.summary
    )
    return CountTable(
        caption=f"Status of indicators, {evaluation.period}",
        heading="Status",
        lines=lines,
        total=sum(line.count for line in lines),
        footnote=evaluation.summary_footnote,
    )


def _percentages(counts: Sequence[int], rounding: PercentRounding) -> list[int]:
    """Percentages of the counts as the status summary rounds them (semantics.md 10)."""
    if rounding is PercentRounding.LARGEST_REMAINDER:
        return largest_remainder_percentages(counts)
    return independent_percentages(counts)


def _count_table(
    caption: str,
    heading: str,
    labels: Mapping[Any, str],
    found: Counter[Any],
    only_when_present: frozenset[Any],
    evaluation: Evaluation,
) -> CountTable:
    """A row per group of ``labels`` in order (those in ``only_when_present`` only when some
    indicator is in them), with percentages rounded as the status summary's."""
    rounding = evaluation.organisation.settings.percent_rounding
    shown = [key for key in labels if key not in only_when_present or found[key]]
    counts = [found[key] for key in shown]
    percents = _percentages(counts, rounding)
    # The status summary's rule for its footnote, on these rows (their status is not read).
    footnote = summary_footnote(
        SummaryRow(Status.NO_DATA, count, percent)
        for count, percent in zip(counts, percents, strict=True)
    )
    return CountTable(
        caption=caption,
        heading=heading,
        lines=tuple(
            CountLine(str(key), labels[key], count, percent)
            for key, count, percent in zip(shown, counts, percents, strict=True)
        ),
        total=sum(counts),
        footnote=footnote,
    )


def build_spc_summary(evaluation: Evaluation) -> SpcSummary:
    """How many indicators show each kind of variation and of assurance at the latest point.

    Every indicator is counted once in each table, from its control chart in the evaluation;
    one without a control chart (too few points) in the last row of both.
    """
    results = evaluation.indicators
    return SpcSummary(
        variation=_count_table(
            f"Variation shown by the control charts, {evaluation.period}",
            "Variation at the latest point",
            VARIATION_GROUPS,
            Counter(variation_group(r) for r in results),
            frozenset({VariationGroup.NEUTRAL}),
            evaluation,
        ),
        assurance=_count_table(
            f"Assurance of meeting the target, {evaluation.period}",
            "Assurance against the target",
            ASSURANCE_GROUPS,
            Counter(assurance_group(r) for r in results),
            frozenset({AssuranceGroup.PROCESS_CHANGED, AssuranceGroup.NOT_ASSESSED}),
            evaluation,
        ),
    )


def build_breakdown(evaluation: Evaluation) -> Breakdown | None:
    """Counts by committee (for a directorate) or by directorate (for the organisation)."""
    if evaluation.committee is not None:
        return None
    organisation = evaluation.organisation
    if evaluation.directorate is not None:
        heading = "Committee"
        groups = [(c.id, c.name) for c in organisation.committees]

        def keys(result: IndicatorResult) -> Sequence[str]:
            return result.indicator.committees
    else:
        heading = "Directorate"
        groups = [(d.id, d.name) for d in organisation.directorates]

        def keys(result: IndicatorResult) -> Sequence[str]:
            return (result.indicator.directorate,)

    statuses = tuple(line.status for line in evaluation.summary)
    rows = []
    for group_id, name in groups:
        members = [r for r in evaluation.indicators if group_id in keys(r)]
        if not members:
            continue
        counts = tuple(sum(1 for r in members if r.status is s) for s in statuses)
        rows.append((name, counts, len(members)))
    return Breakdown(
        caption=f"Status of indicators by {heading.lower()}, {evaluation.period}",
        group_heading=heading,
        statuses=statuses,
        rows=tuple(rows),
    )
