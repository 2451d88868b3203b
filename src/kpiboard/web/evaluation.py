"""The engine's figures for web pages: build the Dataset from the database, call evaluate()."""

from __future__ import annotations

from typing import Any

from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.periods import Period
from kpiboard.web.register.dataset import build_dataset


def evaluate_period(period: Period, committee: str | None = None) -> Evaluation:
    """What ``kpiboard evaluate`` gives for an export of this database, for ``period``."""
    dataset = build_dataset(period=period)
    return evaluate(dataset, period, committee)


def statuses(evaluation: Evaluation) -> dict[str, Any]:
    """Each indicator's result by ref."""
    return {result.indicator.ref: result for result in evaluation.indicators}
