"""Reading the register: the organisation, its committees, directorates and periods, the
indicators (filtered, a page at a time) and one indicator's figures, targets, commentary and
actions. The same rules as the web pages: approved figures for everyone signed in with a role;
drafts only for the performance team and the indicator's owner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from kpiboard.analysis.status import Status
from kpiboard.web.api.auth import allowed
from kpiboard.web.api.common import (
    MAX_PAGE_SIZE,
    QueryPeriod,
    Ref,
    page_links,
    period_of,
    period_out,
)
from kpiboard.web.api.schemas import (
    ActionOut,
    CommentaryOut,
    FigureOut,
    IndicatorOut,
    IndicatorPage,
    Named,
    OrganisationOut,
    PeriodsOut,
    TargetOut,
    answers,
)
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.evaluation import evaluation_json, indicator_dataset
from kpiboard.web.period_choice import period_choices
from kpiboard.web.periods import current_period
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation

router = Router(tags=["register"])


def _plain(number: Any) -> str | None:
    return None if number is None else format(number, "f")


@router.get("/organisation", response=answers(OrganisationOut), summary="The organisation")
def organisation_read(request: HttpRequest) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    org = organisation()
    return {
        "name": org.name,
        "area_code": org.area_code,
        "year_start_month": org.settings.year_start_month,
        "committees": [{"id": c.id, "name": c.name} for c in org.committees],
        "directorates": [{"id": d.id, "name": d.name} for d in org.directorates],
        "current_period": current_period(org).label,
    }


@router.get("/committees", response=answers(list[Named]), summary="The committees")
def committee_list(request: HttpRequest) -> list[dict[str, str]]:
    allowed(request, "kpiboard.view_register")
    return [{"id": c.id, "name": c.name} for c in organisation().committees]


@router.get("/directorates", response=answers(list[Named]), summary="The directorates")
def directorate_list(request: HttpRequest) -> list[dict[str, str]]:
    allowed(request, "kpiboard.view_register")
    return [{"id": d.id, "name": d.name} for d in organisation().directorates]


@router.get(
    "/periods",
    response=answers(PeriodsOut),
    summary="The reporting periods",
    description="The quarter being collected, and the quarters with approved figures, newest "
    "first: the periods the web's period select offers.",
)
def period_list(request: HttpRequest) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    org = organisation()
    current = current_period(org)
    return {
        "current": period_out(current),
        "periods": [period_out(p) for p in period_choices(org, current)],
    }


class IndicatorQuery(Schema):
    period: str | None = Field(
        None, description="A period slug or label; the current quarter", examples=["2024-25-q2"]
    )
    committee: str | None = Field(None, max_length=50, description="A committee's id")
    directorate: str | None = Field(None, max_length=50, description="A directorate's id")
    status: Status | None = Field(None, description="The status in the period")
    lifecycle: models.Lifecycle | None = None
    strategic: bool | None = Field(
        None, description="true: only the strategic KPIs; false: only the others"
    )
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/indicators",
    response=answers(IndicatorPage),
    summary="The register",
    description="Every indicator with its status and value in the period, filtered by "
    "committee, directorate, status, lifecycle and whether strategic, a page at a time.",
)
def indicator_list(request: HttpRequest, filters: Query[IndicatorQuery]) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    org = organisation()
    period = period_of(org, filters.period)
    rows = models.Indicator.objects.select_related("directorate").prefetch_related("committees")
    if filters.lifecycle:
        rows = rows.filter(lifecycle=filters.lifecycle)
    if filters.committee:
        rows = rows.filter(committees__code=filters.committee)
    if filters.directorate:
        rows = rows.filter(directorate__code=filters.directorate)
    if filters.strategic is not None:
        rows = rows.filter(strategic=filters.strategic)
    results = {entry["ref"]: entry for entry in evaluation_json(period)["indicators"]}
    table = []
    for row in rows.order_by("position", "ref").distinct():
        result = results.get(row.ref)
        status = result["status"] if result else None
        if filters.status and status != filters.status.value:
            continue
        table.append(_indicator_out(row, result))
    start = (filters.page - 1) * filters.page_size
    following, previous = page_links(request, len(table), filters.page, filters.page_size)
    return {
        "count": len(table),
        "page": filters.page,
        "page_size": filters.page_size,
        "period": period.label,
        "next": following,
        "previous": previous,
        "items": table[start : start + filters.page_size],
    }


def _indicator_out(row: models.Indicator, result: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "name": row.name,
        "description": row.description,
        "unit": row.unit,
        "decimals": row.decimals,
        "direction": row.direction,
        "frequency": row.frequency,
        "aggregation": row.aggregation,
        "category": row.category,
        "directorate": row.directorate.code if row.directorate_id else "",
        "committees": [c.code for c in row.committees.all()],
        "owner": row.owner,
        "lifecycle": row.lifecycle,
        "strategic": row.strategic,
        "status": result["status"] if result else None,
        "value": result["value"] if result else None,
        "complete": result["complete"] if result else None,
    }


def _row(ref: str) -> models.Indicator:
    return get_object_or_404(
        models.Indicator.objects.select_related("directorate").prefetch_related("committees"),
        ref=ref,
    )


@router.get("/indicators/{ref}", response=answers(IndicatorOut), summary="An indicator")
def indicator_read(request: HttpRequest, ref: Ref, period: QueryPeriod = None) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    row = _row(ref)
    org = organisation()
    when = period_of(org, period)
    results = {entry["ref"]: entry for entry in evaluation_json(when)["indicators"]}
    return _indicator_out(row, results.get(row.ref))


def _returns(request: HttpRequest, row: models.Indicator) -> Any:
    returns = Return.objects.filter(indicator=row).order_by("-period_start", "period")
    if not request.user.has_perm("kpiboard.view_drafts", row):
        returns = returns.filter(state=ReturnState.APPROVED)
    return returns


@router.get(
    "/indicators/{ref}/figures",
    response=answers(list[FigureOut]),
    summary="An indicator's figures",
    description="Every figure, newest first: approved ones for everyone; drafts, submitted "
    "and returned ones too for the performance team and the indicator's owner.",
)
def figure_list(request: HttpRequest, ref: Ref) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.view_register")
    row = _row(ref)
    return [figure_out(item) for item in _returns(request, row)]


def figure_out(item: Return) -> dict[str, Any]:
    return {
        "period": item.period,
        "value": _plain(item.value),
        "numerator": _plain(item.numerator),
        "denominator": _plain(item.denominator),
        "lower_ci": _plain(item.lower_ci),
        "upper_ci": _plain(item.upper_ci),
        "note": item.note,
        "commentary": item.commentary,
        "state": item.state,
        "version": item.version,
    }


@router.get("/indicators/{ref}/targets", response=answers(list[TargetOut]), summary="Its targets")
def target_list(request: HttpRequest, ref: Ref) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.view_register")
    row = _row(ref)
    return [
        {
            "start": target.start,
            "value": _plain(target.value),
            "reason": target.reason,
            "decided_on": target.decided_on,
        }
        for target in row.targets.order_by("period_start")
    ]


@router.get(
    "/indicators/{ref}/commentary",
    response=answers(list[CommentaryOut]),
    summary="Its approved commentary",
    description="The approved commentary, newest first, as the reports print it.",
)
def commentary_list(request: HttpRequest, ref: Ref) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.view_register")
    row = _row(ref)
    written = list(indicator_dataset(row.ref).commentary.get(row.ref, ()))
    written.sort(key=lambda c: (c.period.end, c.period.frequency.months), reverse=True)
    return [{"period": c.period.label, "text": c.text, "author": c.author or ""} for c in written]


@router.get("/indicators/{ref}/actions", response=answers(list[ActionOut]), summary="Its actions")
def action_list(request: HttpRequest, ref: Ref) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.view_register")
    row = _row(ref)
    return [
        {
            "id": action.pk,
            "period": action.period,
            "action": action.what,
            "who": action.who,
            "due": action.due,
            "state": action.state,
        }
        for action in row.actions.order_by("due", "pk")
    ]
