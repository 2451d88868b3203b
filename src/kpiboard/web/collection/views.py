"""Data collection: my returns, the return form, review, outstanding returns and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kpiboard.analysis.periods import Frequency
from kpiboard.reports.markup import commentary_html
from kpiboard.web.access import require, signed_in
from kpiboard.web.collection.breakdown_form import LABELS as GROUP_LABELS
from kpiboard.web.collection.breakdown_form import save_groups
from kpiboard.web.collection.forms import ReasonForm, ReturnForm
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.concurrency import EditConflictError, save_versioned
from kpiboard.web.periods import current_period, from_slug, periods_due, requested_period, slug
from kpiboard.web.register import models
from kpiboard.web.register.dataset import indicator_from_row, organisation

DONE = (ReturnState.SUBMITTED, ReturnState.APPROVED)
GROUP_COLUMNS = tuple(GROUP_LABELS)


def due_returns(
    org: Any, reporting: Any, indicators: Any, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every return due in the reporting quarter for ``indicators``, with its state and lateness."""
    today = today or timezone.localdate()
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
    org, reporting = requested_period(request)
    mine = models.Indicator.objects.filter(owner__iexact=getattr(request.user, "email", ""))
    due = due_returns(org, reporting, mine)
    return render(
        request,
        "collection/my_returns.html",
        {
            "due": due,
            "period": reporting,
            "previous": slug(reporting.previous()),
            "next": slug(reporting.next()),
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
    item = Return.objects.filter(indicator=row, period=when.label).first() or Return(
        indicator=row, period=when.label, period_start=when.start
    )
    locked = item.state in DONE
    indicator = indicator_from_row(
        row,
        list(row.committees.values_list("code", flat=True)),
        list(row.ambitions.values_list("code", flat=True)),
    )
    form = ReturnForm(
        request.POST or None, instance=item, indicator=indicator, period=when, organisation=org
    )
    if locked:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not locked and form.is_valid():
        submit = request.POST.get("action") == "submit"
        saved = form.save(commit=False)
        saved.author = saved.author or _name(request.user)
        if submit:
            saved.state = ReturnState.SUBMITTED
            saved.submitted_at = timezone.now()
            saved.submitted_by = signed_in(request)
        else:
            saved.state = ReturnState.DRAFT if saved.state != ReturnState.RETURNED else saved.state
        try:
            with transaction.atomic():
                save_versioned(saved, form.cleaned_data.get("version"), request.user)
                save_groups(saved, form.group_records, request.user)
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
        },
    )


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@require("kpiboard.review_returns")
def review_list(request: HttpRequest) -> HttpResponse:
    waiting = (
        Return.objects.filter(state=ReturnState.SUBMITTED)
        .select_related("indicator", "submitted_by")
        .order_by("submitted_at")
    )
    items = [
        {
            "item": item,
            "commentary": commentary_html(item.commentary) if item.commentary else "",
            "reason_form": ReasonForm(prefix=f"r{item.pk}"),
        }
        for item in waiting
    ]
    return render(request, "collection/review.html", {"items": items})


@require_POST
@require("kpiboard.review_returns")
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Return.objects.select_related("indicator"), pk=pk)
    version = int(request.POST.get("version", "0") or 0)
    if item.state != ReturnState.SUBMITTED or item.version != version:
        messages.error(
            request,
            f"{item.indicator.ref} {item.period} changed since you opened it: nothing was done. "
            "Look at it again.",
        )
        return redirect("review")
    if request.POST.get("decision") == "approve":
        item.state = ReturnState.APPROVED
        item.reason = ""
        text = f"Approved {item.indicator.ref} {item.period}"
    else:
        form = ReasonForm(request.POST, prefix=f"r{item.pk}")
        if not form.is_valid():
            messages.error(request, f"{item.indicator.ref} {item.period}: say why it is going back")
            return redirect("review")
        item.state = ReturnState.RETURNED
        item.reason = form.cleaned_data["reason"]
        text = f"Returned {item.indicator.ref} {item.period} to its owner"
    item.reviewed_at = timezone.now()
    item.reviewed_by = signed_in(request)
    try:
        save_versioned(item, version, request.user)
    except EditConflictError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, text)
    return redirect("review")


@require("kpiboard.review_returns")
def outstanding(request: HttpRequest) -> HttpResponse:
    org, reporting = requested_period(request)
    due = [d for d in due_returns(org, reporting, models.Indicator.objects.all()) if not d["done"]]
    due.sort(key=lambda d: (-d["days_late"], d["indicator"].position))
    return render(
        request,
        "collection/outstanding.html",
        {
            "due": due,
            "period": reporting,
            "period_slug": slug(reporting),
            "previous": slug(reporting.previous()),
            "next": slug(reporting.next()),
        },
    )


@require_POST
@require("kpiboard.remind_owners")
def remind(request: HttpRequest) -> HttpResponse:
    org, reporting = requested_period(request)
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
