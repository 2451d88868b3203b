"""Recalculating an indicator's control-chart limits from a point: the ``rebase`` flag of one
approved observation (a Return), set by the performance team with a reason, and its undo.

When the engine judges that a process has changed (semantics.md 8, stability), the indicator page
offers the suggested point (``SpcResult.change.since``). Accepting it sets ``rebase`` on that
observation with the reason as its note, exactly as the ``rebase`` and ``note`` columns of
observations.csv would; the change is kept in the observation's history with who made it, so the
register's history page shows it. Undoing clears the flag (the history keeps the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from kpiboard.analysis.evaluate import IndicatorResult
from kpiboard.analysis.periods import parse_period
from kpiboard.reports.words import period_label
from kpiboard.web import widgets
from kpiboard.web.access import require
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.register import models

__all__ = [
    "RebaseForm",
    "RebaseOffer",
    "indicator_rebase",
    "indicator_rebase_undo",
    "observation_rebase",
    "rebase_offer",
]

#: What the observation's history records as the reason for the change (at most 100 characters).
SET_REASON = "Control chart limits recalculated from here"
UNDO_REASON = "Recalculation of the control chart limits undone"


class RebaseForm(forms.Form):
    period = forms.CharField(max_length=20, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why the process changed",
        help_text="For example, a new system or way of working from that month. It is kept as "
        "the note of that month's figure.",
        widget=widgets.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Say why the process changed", code="required")
        return reason


class UndoForm(forms.Form):
    period = forms.CharField(max_length=20)


@dataclass(frozen=True, slots=True)
class RebaseOffer:
    """What the indicator page offers the performance team: the suggested point (its period and
    label, when the process has changed and that point has an approved figure) and the points
    the limits are already recalculated from (period, label, note)."""

    suggested: str | None
    suggested_label: str | None
    existing: tuple[tuple[str, str, str], ...]


def _approved(row: models.Indicator) -> Any:
    return Return.objects.filter(indicator=row, state=ReturnState.APPROVED)


def rebase_offer(*, row: models.Indicator, result: IndicatorResult) -> RebaseOffer:
    """The suggestion and the existing rebases for ``row``, whose evaluation is ``result``."""
    suggested = suggested_label = None
    change = result.spc.change if result.spc is not None else None
    if change is not None:
        period = result.history[change.since].period
        if _approved(row).filter(period=period.label, rebase=False).exists():
            suggested, suggested_label = period.label, period_label(period)
    existing = tuple(
        (item.period, period_label(parse_period(item.period)), item.note)
        for item in _approved(row).filter(rebase=True).order_by("period_start")
    )
    return RebaseOffer(suggested, suggested_label, existing)


def observation_rebase(
    *, row: models.Indicator, period: str, rebase: bool, note: str | None, user: Any
) -> Return | None:
    """Set or clear ``rebase`` on the indicator's approved figure for ``period`` (its note
    becomes ``note`` when given), recorded in its history as ``user``'s; None when there is no
    such figure."""
    with transaction.atomic():
        item: Return | None = _approved(row).select_for_update().filter(period=period).first()
        if item is None:
            return None
        item.rebase = rebase
        if note is not None:
            item.note = note
        item.version += 1
        item._history_user = user  # type: ignore[attr-defined]
        item._change_reason = SET_REASON if rebase else UNDO_REASON  # type: ignore[attr-defined]
        item.save()
    return item


def _back(ref: str, request: HttpRequest) -> HttpResponse:
    response = redirect("indicator_page", ref=ref)
    wanted = request.POST.get("return_period")
    if wanted:
        response["Location"] += "?" + urlencode({"period": wanted})
    return response


@require_POST
@require("kpiboard.change_register")
def indicator_rebase(request: HttpRequest, ref: str) -> HttpResponse:
    row = get_object_or_404(models.Indicator, ref=ref)
    form = RebaseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(ref, request)
    period = form.cleaned_data["period"]
    saved = observation_rebase(
        row=row, period=period, rebase=True, note=form.cleaned_data["reason"], user=request.user
    )
    if saved is None:
        messages.error(request, f"{ref} has no approved figure for {period}: nothing changed")
    else:
        messages.success(
            request, f"The control chart's limits are recalculated from {saved.period}"
        )
    return _back(ref, request)


@require_POST
@require("kpiboard.change_register")
def indicator_rebase_undo(request: HttpRequest, ref: str) -> HttpResponse:
    row = get_object_or_404(models.Indicator, ref=ref)
    form = UndoForm(request.POST)
    period = form.cleaned_data["period"] if form.is_valid() else ""
    saved = observation_rebase(row=row, period=period, rebase=False, note=None, user=request.user)
    if saved is None:
        messages.error(request, f"{ref} has no approved figure for {period or 'that period'}")
    else:
        messages.success(
            request, f"The control chart's limits are no longer recalculated from {saved.period}"
        )
    return _back(ref, request)
