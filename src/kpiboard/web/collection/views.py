"""Data collection: my returns, the return form, review, outstanding returns and reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kpiboard.analysis.magnitude import representable
from kpiboard.analysis.periods import Frequency
from kpiboard.analysis.plausibility import surprise
from kpiboard.reports.markup import commentary_html
from kpiboard.reports.words import period_dates
from kpiboard.web import clock, notifications
from kpiboard.web.access import require, signed_in
from kpiboard.web.accounts.roles import is_performance
from kpiboard.web.collection import services
from kpiboard.web.collection.breakdown_form import LABELS as GROUP_LABELS
from kpiboard.web.collection.context import approved_history, days_late, figure_of, outlook
from kpiboard.web.collection.forms import NUMBERS, ReasonForm, number_or_none
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.concurrency import EditConflictError, save_versioned
from kpiboard.web.period_choice import period_context
from kpiboard.web.periods import (
    current_period,
    due_days,
    from_slug,
    periods_due,
    slug,
)
from kpiboard.web.register import models
from kpiboard.web.register.dataset import indicator_from_row, organisation

DONE = services.DONE
GROUP_COLUMNS = tuple(GROUP_LABELS)


def due_returns(
    org: Any, reporting: Any, indicators: Any, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every return due in the reporting quarter for ``indicators``, with its state and lateness."""
    today = today or clock.today()
    rows = list(indicators.filter(lifecycle=models.Lifecycle.ACTIVE).select_related("directorate"))
    found = {
        (item.indicator_id, item.period): item
        for item in Return.objects.filter(
            indicator__in=rows,
            period_start__gte=reporting.financial_year.start,
            period_start__lte=reporting.end,
        )
    }
    owners = {user.email.lower(): user for user in get_user_model().objects.exclude(email="")}
    due = []
    for row in rows:
        for owed in periods_due(Frequency(row.frequency), reporting, org):
            item = found.get((row.pk, owed.period.label))
            due.append(
                {
                    "indicator": row,
                    "period": owed.period,
                    "slug": slug(owed.period),
                    "due": owed.due,
                    "return": item,
                    "state": item.get_state_display() if item else "Not started",
                    "done": item is not None and item.state in DONE,
                    "days_late": owed.days_late(today)
                    if not (item is not None and item.state in DONE)
                    else 0,
                    "owner": owners.get(row.owner.lower()) if row.owner else None,
                    "missing": _missing(item),
                }
            )
    return due


def _missing(item: Return | None) -> list[str]:
    if item is None:
        return ["figure", "commentary"]
    gaps = []
    if not item.has_figure:
        gaps.append("figure")
    if not item.commentary.strip():
        gaps.append("commentary")
    return gaps


@require("kpiboard.see_my_returns")
def my_returns(request: HttpRequest) -> HttpResponse:
    org, reporting, chosen = period_context(request)
    team = is_performance(request.user)
    mine = models.Indicator.objects.filter(owner__iexact=getattr(request.user, "email", ""))
    due = due_returns(org, reporting, models.Indicator.objects.all() if team else mine)
    return render(
        request,
        "collection/my_returns.html",
        {
            **chosen,
            "due": due,
            "team": team,
            "returned": [
                d for d in due if d["return"] and d["return"].state == ReturnState.RETURNED
            ],
        },
    )


def _return_indicator(request: HttpRequest, ref: str, **_: Any) -> models.Indicator:
    return get_object_or_404(models.Indicator, ref=ref)


@require("kpiboard.enter_return", _return_indicator)
def return_form(request: HttpRequest, ref: str, period: str) -> HttpResponse:
    row = _return_indicator(request, ref)
    org = organisation()
    try:
        when = from_slug(period, org.settings.year_start_month)
    except Exception:
        return render(request, "404.html", {"message": f"{period} is not a period"}, status=404)
    if when.frequency.value != row.frequency:
        messages.error(request, f"{row.ref} is reported by {row.frequency}, not for {when.label}")
        return redirect("my_returns")
    item = services.return_for(row, when)
    locked = item.state in DONE
    form = services.return_form(row, when, item, org, request.POST or None)
    indicator = form.indicator
    if locked:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not locked and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.return_save(form=form, row=row, user=signed_in(request), submit=submit)
        except EditConflictError as error:
            form.add_error(None, str(error))
        else:
            if submit:
                messages.success(
                    request, f"{row.ref} {when.label} submitted to the performance team"
                )
                return redirect(f"/returns/?period={slug(current_period(org))}")
            messages.success(request, f"{row.ref} {when.label} saved as a draft")
            return redirect("return_form", ref=ref, period=slug(when))
    return render(
        request,
        "collection/return_form.html",
        {
            "form": form,
            "indicator": row,
            "period": when,
            "item": item,
            "locked": locked,
            "group_fields": [
                [form[r.name()], *(form[r.name(c)] for c in GROUP_COLUMNS)] for r in form.group_rows
            ],
            "fixed_groups": any(r.fixed for r in form.group_rows),
            "period_slug": slug(when),
            "outlook": _form_outlook(request, row, indicator, when, item, org),
        },
    )


def _form_outlook(
    request: HttpRequest,
    row: models.Indicator,
    indicator: Any,
    when: Any,
    item: Return,
    org: Any,
) -> Any:
    """What the figure on the form would give: the one just typed, else the one saved."""
    if request.method == "POST":
        figure, extra = _typed_figure(request.POST, row)
        return outlook(row, indicator, when, figure, org, extra)
    return outlook(row, indicator, when, figure_of(item) if item.pk else None, org)


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@require("kpiboard.review_returns")
def review_list(request: HttpRequest) -> HttpResponse:
    """Every submitted return with what a reviewer needs to decide on it: the figure as the
    reports show it, the target, earlier figures, the status and change it would give, the
    control chart's signal, any warning and the owner's reason, how late it came in."""
    org = organisation()
    waiting = (
        Return.objects.filter(state=ReturnState.SUBMITTED)
        .select_related("indicator", "submitted_by", "entered_by")
        .order_by("submitted_at")
    )
    days = due_days(org)
    owners = {
        user.email.lower(): user.get_full_name() or user.username
        for user in get_user_model().objects.filter(
            email__in=[item.indicator.owner for item in waiting if item.indicator.owner]
        )
    }
    items = []
    for item in waiting:
        row = item.indicator
        indicator = indicator_from_row(
            row,
            list(row.committees.values_list("code", flat=True)),
            list(row.ambitions.values_list("code", flat=True)),
        )
        when = from_slug(item.period, org.settings.year_start_month)
        due = period_dates(when)[1] + dt.timedelta(days=days)
        items.append(
            {
                "item": item,
                "outlook": outlook(row, indicator, when, figure_of(item), org),
                "commentary": commentary_html(item.commentary) if item.commentary else "",
                "reason_form": ReasonForm(prefix=f"r{item.pk}"),
                "late": days_late(due, item.submitted_at),
                "due": due,
                "own": _own(item, request.user),
                "owner": owners.get((row.owner or "").lower(), row.owner or "the owner"),
            }
        )
    # The form to approve several is offered only when one of them is for this reviewer.
    approvable = any(not entry["own"] for entry in items)
    return render(request, "collection/review.html", {"items": items, "approvable": approvable})


def _own(item: Return, user: Any) -> bool:
    """Whether ``user`` submitted or entered ``item``: then someone else must approve it."""
    mine = {item.submitted_by_id, item.entered_by_id} - {None}
    return getattr(user, "pk", None) in mine


def _decide(request: HttpRequest, item: Return, version: int, approve: bool) -> str | None:
    """Approve ``item`` or send it back with the reason in the request; the message to show, or
    None when it cannot be done (a message says why)."""
    label = f"{item.indicator.ref} {item.period}"
    if item.state != ReturnState.SUBMITTED or item.version != version:
        messages.error(request, f"{label} changed since you opened it: nothing was done.")
        return None
    if approve and _own(item, request.user):
        messages.error(
            request,
            f"{label}: you submitted or entered this return, so someone else must approve it.",
        )
        return None
    if approve:
        item.state = ReturnState.APPROVED
        item.reason = ""
        text = f"Approved {label}"
    else:
        form = ReasonForm(request.POST, prefix=f"r{item.pk}")
        if not form.is_valid():
            messages.error(request, f"{label}: say why it is going back")
            return None
        item.state = ReturnState.RETURNED
        item.reason = form.cleaned_data["reason"]
        text = f"Returned {label} to its owner"
    item.reviewed_at = timezone.now()
    item.reviewed_by = signed_in(request)
    save_versioned(item, version, request.user)
    return text


@require_POST
@require("kpiboard.review_returns")
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Return.objects.select_related("indicator"), pk=pk)
    version_text = request.POST.get("version", "")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 12 else -1
    try:
        text = _decide(request, item, version, request.POST.get("decision") == "approve")
    except EditConflictError as error:
        messages.error(request, str(error))
        return redirect("review")
    if text is not None:
        notifications.return_decided(item, request.user)
        messages.success(request, text)
    return redirect("review")


@require_POST
@require("kpiboard.review_returns")
def review_approve_many(request: HttpRequest) -> HttpResponse:
    """Approve every return ticked, all or none: one that cannot be approved (changed since
    the page was read, or the reviewer's own) stops them all."""
    chosen: list[tuple[int, int]] = []
    for value in request.POST.getlist("approve"):
        pk_text, _, version_text = value.partition(":")
        if not (pk_text.isdigit() and version_text.isdigit() and len(value) < 40):
            messages.error(request, "Nothing was approved: the form was not one this site sent.")
            return redirect("review")
        chosen.append((int(pk_text), int(version_text)))
    if not chosen:
        messages.error(request, "Tick the returns to approve.")
        return redirect("review")
    approved = []
    try:
        with transaction.atomic():
            for pk, seen in chosen:
                item = get_object_or_404(Return.objects.select_related("indicator"), pk=pk)
                if _decide(request, item, seen, approve=True) is None:
                    raise _NotApprovedError
                approved.append(item)
    except (_NotApprovedError, EditConflictError) as error:
        if isinstance(error, EditConflictError):
            messages.error(request, str(error))
        messages.error(request, "Nothing was approved: look at the returns again.")
        return redirect("review")
    for item in approved:
        notifications.return_decided(item, request.user)
    messages.success(
        request,
        f"Approved {len(approved)} return{'s' if len(approved) != 1 else ''}: "
        + ", ".join(f"{i.indicator.ref} {i.period}" for i in approved),
    )
    return redirect("review")


class _NotApprovedError(Exception):
    """One return of several could not be approved: none is."""


@require("kpiboard.review_returns")
def outstanding(request: HttpRequest) -> HttpResponse:
    org, reporting, chosen = period_context(request)
    due = [d for d in due_returns(org, reporting, models.Indicator.objects.all()) if not d["done"]]
    due.sort(key=lambda d: (-d["days_late"], d["indicator"].position))
    return render(
        request,
        "collection/outstanding.html",
        {**chosen, "due": due},
    )


@require_POST
@require("kpiboard.remind_owners")
def remind(request: HttpRequest) -> HttpResponse:
    org, reporting, _chosen = period_context(request)
    due = [d for d in due_returns(org, reporting, models.Indicator.objects.all()) if not d["done"]]
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for entry in due:
        if entry["indicator"].owner:
            by_owner.setdefault(entry["indicator"].owner, []).append(entry)
    site = request.build_absolute_uri("/returns/")
    for owner, entries in by_owner.items():
        lines = [
            f"- {e['indicator'].ref} {e['indicator'].name}, {e['period'].label}: due "
            f"{e['due']:%d %B %Y}" + (f" ({e['days_late']} days late)" if e["days_late"] else "")
            for e in entries
        ]
        send_mail(
            f"Performance returns for {reporting.label}: {len(entries)} outstanding",
            "These returns are still to be submitted:\n\n"
            + "\n".join(lines)
            + f"\n\nEnter them at {site}?period={slug(reporting)}\n",
            None,
            [owner],
        )
    messages.success(
        request,
        f"Reminded {len(by_owner)} owner{'s' if len(by_owner) != 1 else ''} of "
        f"{sum(len(v) for v in by_owner.values())} outstanding returns",
    )
    return redirect(f"/review/outstanding/?period={slug(reporting)}")


@require_POST
@require("kpiboard.enter_return", _return_indicator)
def return_preview(request: HttpRequest, ref: str, period: str) -> HttpResponse:
    """What the figure being typed would give (htmx, as the owner types): its status, change and
    target in the reporting period, beside the earlier figures. A figure that does not read
    shows as none yet; the form's own checks judge it when it is saved."""
    row = _return_indicator(request, ref)
    org = organisation()
    try:
        when = from_slug(period, org.settings.year_start_month)
    except Exception:
        return HttpResponse(status=404)
    indicator = indicator_from_row(
        row,
        list(row.committees.values_list("code", flat=True)),
        list(row.ambitions.values_list("code", flat=True)),
    )
    figure, extra = _typed_figure(request.POST, row)
    found = outlook(row, indicator, when, figure, org, extra)
    warning = None
    if figure is not None:
        warning = surprise(approved_history(row, when), figure, decimals=indicator.decimals)
    return render(request, "collection/_outlook.html", {"outlook": found, "warning": warning})


def _typed_figure(
    data: Any, row: models.Indicator
) -> tuple[Decimal | None, dict[str, Decimal | None] | None]:
    """The figure typed in a return form (its value, or worked out from its numerator and
    denominator), and its parts when it was worked out; None for one that does not read."""
    parts = {name: number_or_none(str(data.get(name, "")).strip()) for name in NUMBERS}
    figure = parts["value"]
    if figure is None and parts["numerator"] is not None and parts["denominator"]:
        scale = 100 if row.unit == "percent" else 1
        figure = parts["numerator"] * scale / parts["denominator"]
    typed = [number for number in (figure, *parts.values()) if number is not None]
    if not all(representable(number) for number in typed):
        return None, None  # no figure a register could hold: the form's checks say why
    if parts["value"] is not None:
        return figure, None
    return figure, {"numerator": parts["numerator"], "denominator": parts["denominator"]}
