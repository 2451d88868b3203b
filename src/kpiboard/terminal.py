"""``kpiboard evaluate --format table``: the evaluation as tables in the terminal (rich).

The same story as every other output (issue 11): periods labelled by
:func:`~kpiboard.reports.words.period_label`, the status summary with its 100% total row and,
when the percentages do not add to 100, the engine's footnote; the transitions in the engine's
groups and :data:`~kpiboard.analysis.transitions.TRANSITION_WORDS`; and, for a control chart
whose process has changed (semantics.md 8, stability), the words the cards and pages use.
"""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.status import Status
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition
from kpiboard.reports.formatting import CHANGE_ARROWS, format_value
from kpiboard.reports.icons import process_change_text
from kpiboard.reports.words import figure_period, period_label

__all__ = ["print_evaluation"]

STATUS_STYLES = {
    Status.RED: "bold red",
    Status.AMBER: "bold dark_orange",
    Status.GREEN: "bold green",
    Status.BLUE: "bold blue",
}

INCOMPLETE_NOTE = "* incomplete: a month or quarter in the period has no figure."


def _status(status: Status | None) -> str:
    if status is None:
        return "–"
    style = STATUS_STYLES.get(status)
    return f"[{style}]{status.label}[/]" if style else status.label


def _row(result: IndicatorResult) -> list[str]:
    indicator = result.indicator
    unit, decimals = indicator.unit, indicator.decimals

    def show(value: Decimal | float | None) -> str:
        return format_value(value, unit, decimals)

    value = result.value
    change = result.change
    trend = result.trend
    neighbours = result.neighbours
    neighbour_text = "–"
    if neighbours is not None:
        neighbour_text = f"median {show(neighbours.median)}"
        if neighbours.rank is not None:
            neighbour_text += (
                f", rank {neighbours.rank}/{neighbours.group_size} (Q{neighbours.quartile})"
            )
    return [
        escape(indicator.ref),
        escape(indicator.name),
        show(value.value if value else None) + ("" if value is None or value.complete else " *"),
        show(result.previous_value.value if result.previous_value else None),
        show(result.target),
        _status(result.status),
        _status(result.previous_status),
        f"{CHANGE_ARROWS[change]} {change}" if change else "–",
        (f"{show(trend.year_end.value)} ({_status(trend.projected_status)})" if trend else "–"),
        neighbour_text,
    ]


def _notes(evaluation: Evaluation) -> list[str]:
    """The lines under the indicators' table: figures from another period than the report's,
    and control charts whose process has changed."""
    notes = []
    period = evaluation.period
    for result in evaluation.indicators:
        own = figure_period(result.value, result.indicator.frequency, period)
        if own is not None and own != period:
            notes.append(
                f"{escape(result.ref)}: the figure is for {period_label(own)}, the latest "
                f"by the end of {period}."
            )
    for result in evaluation.indicators:
        change = process_change_text(result)
        if change is not None:
            notes.append(f"{escape(result.ref)}: {escape(change)}")
    return notes


def print_evaluation(evaluation: Evaluation, console: Console | None = None) -> None:
    """Indicators, the status summary and the transitions, as three tables."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # a file or a pipe: wide enough that names do not fold
            console = Console(width=160)
    who = evaluation.committee.name if evaluation.committee else "All indicators"
    title = escape(f"{evaluation.organisation.name}: {who}, {period_label(evaluation.period)}")
    table = Table(title=title, title_justify="left")
    table.add_column("Ref", no_wrap=True)
    table.add_column("Indicator", ratio=3, min_width=20)
    for heading in ("Value", "Previous", "Target", "Status", "Previous status"):
        table.add_column(heading, no_wrap=True)
    for heading in ("Change", "Year-end projection", "Neighbours"):
        table.add_column(heading, ratio=1, min_width=10)
    for result in evaluation.indicators:
        table.add_row(*_row(result))
    console.print(table)
    if any(r.value is not None and not r.value.complete for r in evaluation.indicators):
        console.print(INCOMPLETE_NOTE)
    for note in _notes(evaluation):
        console.print(note)

    summary = Table(title="Status summary", title_justify="left")
    summary.add_column("Status")
    summary.add_column("Number of indicators", justify="right")
    summary.add_column("Percentage", justify="right")
    for row in evaluation.summary:
        summary.add_row(_status(row.status), str(row.count), f"{row.percent}%")
    total = sum(row.count for row in evaluation.summary)
    summary.add_row("Total", str(total), "100%" if total else "0%", style="bold")
    console.print(summary)
    if evaluation.summary_footnote:
        console.print(escape(evaluation.summary_footnote))

    changes = Table(
        title=f"Since {escape(period_label(evaluation.previous_period))}", title_justify="left"
    )
    changes.add_column("Group")
    changes.add_column("Count", justify="right")
    changes.add_column("Indicators")
    for group in Transition:
        members = evaluation.transitions.members(group)
        changes.add_row(
            TRANSITION_WORDS[group], str(len(members)), escape(", ".join(members)) or "–"
        )
    console.print(changes)
    warned = [r for r in evaluation.indicators if r.warnings]
    for result in warned:
        for warning in result.warnings:
            console.print(f"[yellow]Warning[/] {escape(result.ref)}: {escape(warning)}")
