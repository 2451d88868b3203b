"""The audit log's pages, for administrators: /audit/ (filters, CSV) and /audit/lockouts/."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kpiboard.web import throttling
from kpiboard.web.access import require
from kpiboard.web.audit import selectors
from kpiboard.web.audit.forms import AuditFilterForm, LiftForm
from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.audit.records import record
from kpiboard.web.audit.services import retention_days

PAGE_SIZE = 100


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        events = selectors.events_filtered(
            who=data["who"].strip(), action=data["action"], since=data["since"], until=data["until"]
        )
    elif form.is_bound:
        events = AuditEvent.objects.none()
    else:
        events = selectors.events_filtered()
    return form, events


@require_GET
@require("kpiboard.view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "retention_days": retention_days(),
            "lockouts": len(throttling.lockouts_current()),
        },
    )


@require_GET
@require("kpiboard.view_audit")
def audit_csv(request: HttpRequest) -> HttpResponseBase:
    form, events = _filtered(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "audit/list.html",
            {"form": form, "page": None, "query": "", "retention_days": retention_days()},
            status=400,
        )
    shown = {key: value for key, value in request.GET.items() if value and key != "page"}
    record(
        request,
        Action.AUDIT_EXPORTED,
        "audit log",
        ", ".join(f"{k}={v}" for k, v in shown.items()) or "everything",
    )
    response = StreamingHttpResponse(
        selectors.events_csv(events), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="kpiboard-audit-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@require("kpiboard.lift_lockouts")
def lockouts(request: HttpRequest) -> HttpResponse:
    """Addresses and usernames locked now, each with a button that lifts its lock."""
    if request.method == "POST":
        form = LiftForm(request.POST)
        if form.is_valid():
            kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
            throttling.lockout_lift(kind=kind, value=value, request=request)
            messages.success(
                request,
                f"Signing in {'from' if kind == throttling.ADDRESS else 'as'} {value} works again.",
            )
        else:
            problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
            messages.error(request, f"Nothing was lifted: {problems}")
        return redirect("audit_lockouts")
    return render(
        request,
        "audit/lockouts.html",
        {
            "lockouts": throttling.lockouts_current(),
            "per_address": throttling.per_address(),
            "per_username": throttling.per_username(),
            "minutes": int(throttling.cool_off().total_seconds() // 60),
        },
    )
