"""``kpiboard evaluate --format table``: the evaluation as tables in the terminal (rich)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kpiboard.analysis.evaluate import Evaluation, IndicatorResult
from kpiboard.analysis.status import Status
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition
from kpiboard.reports.formatting import CHANGE_ARROWS, format_value

__all__ = ["print_evaluation"]

STATUS_STYLES = {
    Status.RED: "bold red",
    Status.AMBER: "bold dark_orange",
    Status.GREEN: "bold green",
    Status.BLUE: "bold blue",
}


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


def print_evaluation(evaluation: Evaluation, console: Console | None = None) -> None:
    """Indicators, the status summary and the transitions, as three tables."""
    if console is None:
        console = Console()
        if not console.is_terminal:  # a file or a pipe: wide enough that names do not fold
            console = Console(width=160)
    who = evaluation.committee.name if evaluation.committee else "All indicators"
    title = escape(f"{evaluation.organisation.name}: {who}, {evaluation.period}")
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
        console.print("* incomplete: a month or quarter in the period has no figure.")

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
        console.print(evaluation.summary_footnote)

    changes = Table(title=f"Since {evaluation.previous_period}", title_justify="left")
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
