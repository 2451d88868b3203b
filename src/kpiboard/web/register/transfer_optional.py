"""Import of formats.md's optional files: remedial actions (actions.csv) and breakdowns
(breakdowns.csv), planned and applied beside the rest of :mod:`kpiboard.web.register.transfer`.

As for every other row, an import never deletes. An action is known by its indicator, the period
it was raised in and its words (actions.csv has no id; the reader refuses the same words twice
for one indicator and period): its who, due date and state are updated. A breakdown is known by
its indicator, period and group, and hangs from that period's return (an approved, empty one is
made where the source gives groups but no figure), so it is approved with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from kpiboard.analysis.model import Breakdown, Dataset, RemedialAction
from kpiboard.web.collection.models import Return, ReturnBreakdown, ReturnState
from kpiboard.web.register import models

__all__ = [
    "ActionKey",
    "BreakdownKey",
    "apply_actions",
    "apply_breakdowns",
    "plan_actions",
    "plan_breakdowns",
]

ActionKey = tuple[str, str, str]  # ref, raised in, the action's words
BreakdownKey = tuple[str, str, str]  # ref, period, group


def _action_key(action: RemedialAction) -> ActionKey:
    return (action.ref, str(action.raised_in), action.action)


def _action_fields(action: RemedialAction) -> tuple[str, Any, str]:
    return (action.who, action.due, action.state.value)


def _breakdown_key(row: Breakdown) -> BreakdownKey:
    return (row.ref, str(row.period), row.group)


def _breakdown_fields(row: Breakdown) -> tuple[Decimal | None, ...]:
    return (row.value if row.value_given else None, row.numerator, row.denominator)


def _all(mapping: Any) -> Iterable[Any]:
    for rows in mapping.values():
        yield from rows


def plan_actions(dataset: Dataset, current: Dataset) -> tuple[list[ActionKey], list[ActionKey]]:
    """The source's actions that are new, and those whose who, due date or state changed."""
    now = {_action_key(a): _action_fields(a) for a in _all(current.actions)}
    new, changed = [], []
    for action in _all(dataset.actions):
        key = _action_key(action)
        if key not in now:
            new.append(key)
        elif now[key] != _action_fields(action):
            changed.append(key)
    return new, changed


def plan_breakdowns(
    dataset: Dataset, current: Dataset
) -> tuple[list[BreakdownKey], list[BreakdownKey]]:
    """The source's breakdown rows that are new, and those whose figures or note changed."""
    now = {
        _breakdown_key(row): (*_breakdown_fields(row), row.note) for row in _all(current.breakdowns)
    }
    new, changed = [], []
    for row in _all(dataset.breakdowns):
        key = _breakdown_key(row)
        if key not in now:
            new.append(key)
        elif now[key] != (*_breakdown_fields(row), row.note):
            changed.append(key)
    return new, changed


def apply_actions(dataset: Dataset, rows: dict[str, models.Indicator], user: Any) -> None:
    """Make the source's actions, or update their who, due date and state; audited."""
    existing = {
        (action.indicator_id, action.period, action.what): action
        for action in models.RemedialAction.objects.filter(indicator__in=rows.values())
    }
    author = user if getattr(user, "pk", None) else None
    for action in _all(dataset.actions):
        indicator = rows[action.ref]
        found = existing.get((indicator.pk, str(action.raised_in), action.action))
        if found is None:
            found = models.RemedialAction(
                indicator=indicator,
                period=str(action.raised_in),
                what=action.action,
                created_by=author,
            )
        elif (found.who, found.due, found.state) == _action_fields(action):
            continue
        else:
            found.version += 1
        found.who, found.due, found.state = _action_fields(action)
        found._history_user = author  # type: ignore[attr-defined]
        found.save()


def apply_breakdowns(dataset: Dataset, rows: dict[str, models.Indicator], user: Any) -> None:
    """Make or update the source's breakdown rows, each on its period's return; audited."""
    if not dataset.breakdowns:
        return
    author = user if getattr(user, "pk", None) else None
    returns = {
        (item.indicator_id, item.period): item
        for item in Return.objects.filter(indicator__in=rows.values())
    }
    existing = {
        (item.return_row_id, item.group): item
        for item in ReturnBreakdown.objects.filter(return_row__indicator__in=rows.values())
    }
    positions: dict[tuple[str, str], int] = {}
    for row in _all(dataset.breakdowns):
        indicator = rows[row.ref]
        period = str(row.period)
        owner = returns.get((indicator.pk, period))
        if owner is None:  # groups without a figure: an empty return, approved as imported
            owner = Return(
                indicator=indicator,
                period=period,
                period_start=row.period.start,
                state=ReturnState.APPROVED,
            )
            owner._history_user = author  # type: ignore[attr-defined]
            owner.save()
            returns[(indicator.pk, period)] = owner
        position = positions[(row.ref, period)] = positions.get((row.ref, period), -1) + 1
        value, numerator, denominator = _breakdown_fields(row)
        item = existing.get((owner.pk, row.group)) or ReturnBreakdown(
            return_row=owner, group=row.group
        )
        wanted = (value, numerator, denominator, row.note, position)
        if (
            item.pk
            and (
                item.value,
                item.numerator,
                item.denominator,
                item.note,
                item.position,
            )
            == wanted
        ):
            continue
        item.value, item.numerator, item.denominator, item.note, item.position = wanted
        item._history_user = author  # type: ignore[attr-defined]
        item.save()
