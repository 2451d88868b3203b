"""actions.csv (optional): remedial actions on an indicator, checked and built.

``ref, raised_in, action, who, due, state`` (formats.md). Checked, beyond each cell's kind: an
unknown ref; an unreadable ``raised_in``; the same action (its words) raised twice for one
indicator in one period, which an import could not tell apart. ``who`` may be empty; an empty
``state`` is ``planned``.
"""

from __future__ import annotations

import polars as pl

from kpiboard.analysis.model import ActionState, RemedialAction
from kpiboard.analysis.periods import Period
from kpiboard.datafiles.checks import duplicate_keys, ref_and_period_checks, with_indicator
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.period_columns import PeriodBook, Reading
from kpiboard.datafiles.tables import Table, run_checks

__all__ = ["build_actions", "check_actions"]


def check_actions(
    table: Table, indicators: pl.DataFrame, book: PeriodBook, errors: list[DataError]
) -> pl.DataFrame:
    """actions.csv: adds ``_idx``, ``_pid`` and ``_start``; an action once per ref and period."""
    frame = with_indicator(table.frame, indicators, ["_fcode"])
    frame = book.resolve(frame, "raised_in", Reading.ANY)
    frame = frame.with_columns(
        pl.col("action").cast(pl.Categorical).to_physical().cast(pl.Int64).alias("_action")
    )
    frame, checks = duplicate_keys(
        frame,
        ["_idx", "_pid", "_action"],
        "action",
        pl.format(
            "each action once for ref {} raised in {}: row {} has the same words",
            pl.col("ref"),
            pl.col("raised_in"),
            pl.col("_first_row"),
        ),
    )
    checks += ref_and_period_checks(book, "raised_in")
    run_checks(frame, table.file, checks, errors)
    return frame


def build_actions(frame: pl.DataFrame | None, periods: list[Period]) -> list[RemedialAction]:
    """The checked frame's actions, in file order."""
    if frame is None:
        return []
    return [
        RemedialAction(
            ref=ref,
            raised_in=periods[pid],
            action=action,
            due=due,
            who=who or "",
            state=ActionState(state or ActionState.PLANNED.value),
        )
        for ref, pid, action, who, due, state in frame.select(
            "ref", "_pid", "action", "who", "due#d", "state"
        ).iter_rows()
    ]
