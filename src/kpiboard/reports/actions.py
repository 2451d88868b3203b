"""The remedial actions a report's cards list, from a Dataset's actions.csv.

The web app reads its actions from the database (``kpiboard.web.reporting.services``); a pack
made from a data folder reads them here, by the same rule: an indicator's actions raised in or
before the reporting period, by due date, each in its state (done and dropped ones too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import RemedialAction
from kpiboard.reports.model import Action

__all__ = ["report_actions"]


def report_actions(
    evaluation: Evaluation, actions: Mapping[str, Sequence[RemedialAction]]
) -> dict[str, list[Action]]:
    """The actions of the report's indicators raised by the end of its period, by ref.

    >>> from datetime import date
    >>> from kpiboard.analysis.model import ActionState
    >>> from kpiboard.analysis.periods import Period
    >>> action = RemedialAction("182", Period.quarter(2024, 2), "Weekly review",
    ...                         date(2024, 12, 31), "FOI Manager", ActionState.IN_PROGRESS)
    >>> str(_action(action))
    'Weekly review (FOI Manager, by 31 December 2024; in progress)'
    """
    end = evaluation.period.end
    found: dict[str, list[Action]] = {}
    for result in evaluation.indicators:
        raised = [a for a in actions.get(result.ref, ()) if a.raised_in.start <= end]
        if raised:
            found[result.ref] = [_action(a) for a in sorted(raised, key=lambda a: a.due)]
    return found


def _action(action: RemedialAction) -> Action:
    return Action(action.action, action.who, action.due, action.state.words)
