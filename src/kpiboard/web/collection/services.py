"""Entering a return: what the return form and the API's submission share, so that both apply
the same checks (ReturnForm: the data folder's own), warnings, workflow and separation of duties
(who entered a return for whom is recorded; the reviewer must be someone else)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.web import notifications
from kpiboard.web.collection.breakdown_form import save_groups
from kpiboard.web.collection.context import approved_history
from kpiboard.web.collection.forms import ReturnForm
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.concurrency import save_versioned
from kpiboard.web.register import models
from kpiboard.web.register.dataset import indicator_from_row

__all__ = ["DONE", "return_for", "return_form", "return_save"]

#: A return in one of these states is with the reviewer or approved: no longer editable.
DONE = (ReturnState.SUBMITTED, ReturnState.APPROVED)


def return_for(row: models.Indicator, period: Period) -> Return:
    """The indicator's return for ``period``, or a new unsaved one."""
    return Return.objects.filter(indicator=row, period=period.label).first() or Return(
        indicator=row, period=period.label, period_start=period.start
    )


def return_form(
    row: models.Indicator,
    period: Period,
    item: Return,
    org: Organisation,
    data: Any = None,
) -> ReturnForm:
    """The return form for ``item``, bound to ``data`` when given."""
    indicator = indicator_from_row(
        row,
        list(row.committees.values_list("code", flat=True)),
        list(row.ambitions.values_list("code", flat=True)),
    )
    return ReturnForm(
        data,
        instance=item,
        indicator=indicator,
        period=period,
        organisation=org,
        history=approved_history(row, period),
    )


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def return_save(*, form: ReturnForm, row: models.Indicator, user: Any, submit: bool) -> Return:
    """Save a valid form's return as a draft, or submit it for review (the performance team is
    told). Someone other than the owner is recorded as having entered it for them. Raises
    :class:`~kpiboard.web.concurrency.EditConflictError` when the return moved on since the
    version the form names."""
    saved: Return = form.save(commit=False)
    saved.author = saved.author or _name(user)
    saved.surprise = form.surprise
    saved.surprise_reason = (
        form.cleaned_data.get("surprise_reason", "").strip() if form.surprise else ""
    )
    owner = (row.owner or "").strip().lower()
    if owner != (getattr(user, "email", "") or "").strip().lower():
        saved.entered_by = user  # entered for the owner, by the team
    if submit:
        saved.state = ReturnState.SUBMITTED
        saved.submitted_at = timezone.now()
        saved.submitted_by = user
    else:
        saved.state = ReturnState.DRAFT if saved.state != ReturnState.RETURNED else saved.state
    with transaction.atomic():
        save_versioned(saved, form.cleaned_data.get("version"), user)
        save_groups(saved, form.group_records, user)
    if submit:
        notifications.returns_arrived([saved])
    return saved
