"""Reading what the engine and the reports make of the register: the evaluation of a period (the
JSON of ``kpiboard evaluate --format json``), scorecards (the strategic ones too), publications
and their files, and the returns due from the person asking."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router

from kpiboard.analysis.evaluate import UnknownCommitteeError
from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.reports.strategic import scorecard_title
from kpiboard.web.accounts.roles import is_performance
from kpiboard.web.api.answers import json_answer
from kpiboard.web.api.auth import allowed
from kpiboard.web.api.common import CommitteeCode, DirectorateCode, QueryPeriod, period_of
from kpiboard.web.api.problems import ApiError
from kpiboard.web.api.schemas import DueReturnOut, Evaluation, PublicationOut, ScorecardOut, answers
from kpiboard.web.collection.views import due_returns
from kpiboard.web.dashboards import scorecards, selectors
from kpiboard.web.evaluation import evaluation_json, evaluation_json_text
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation
from kpiboard.web.reporting.models import Publication, PublishedFile
from kpiboard.web.reporting.public import offered

router = Router(tags=["figures"])


@router.get(
    "/evaluation",
    response=answers(Evaluation),
    summary="The evaluation of a period",
    description="Every figure of every indicator for the period, for the organisation, one "
    "committee or one directorate: the JSON of `kpiboard evaluate --format json` (formats.md), "
    "from the approved figures.",
)
def evaluation_read(
    request: HttpRequest,
    period: QueryPeriod = None,
    committee: str | None = None,
    directorate: str | None = None,
) -> HttpResponse:
    """The cached evaluation's JSON text is sent as it is, and kept in the process for the next
    read of the same data (evaluation_json_text): decoded into objects, checked against
    ``dict[str, Any]`` and encoded again, 3.5 MB for a thousand indicators took most of the
    read's time."""
    allowed(request, "kpiboard.view_register")
    if committee and directorate:
        raise ApiError(
            422,
            "Ask for a committee or a directorate, not both",
            errors=[{"field": "directorate", "in": "query", "detail": "give only one of the two"}],
        )
    when = period_of(organisation(), period)
    try:
        text = evaluation_json_text(when, committee or None, directorate or None)
    except UnknownCommitteeError as error:
        raise ApiError(404, str(error)) from error
    return json_answer(request, text.body, digest=text.digest)


def _scorecard(request: HttpRequest, kind: str, code: str, period: str | None) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    org = organisation()
    when = period_of(org, period)
    rows = scorecards.scorecard_rows(evaluation_json(when), selectors.register_facts())
    name = org.name
    if kind != "organisation":
        options = org.directorates if kind == "directorate" else org.committees
        scope = next((option for option in options if option.id == code), None)
        if scope is None:
            raise ApiError(404, f"There is no {kind} {code!r}")
        name = scope.name
        if kind == "directorate":
            rows = [row for row in rows if row.directorate == code]
        else:
            rows = [row for row in rows if code in row.committees]
    scope_name = kind if kind == "organisation" else f"{kind}:{code}"
    return _scorecard_out(org, scope_name, name, when, rows)


def _strategic_scorecard(
    request: HttpRequest, code: str | None, period: str | None
) -> dict[str, Any]:
    """The rows the web's strategic pages show (dashboards/strategic.py): the engine's
    evaluation with ``strategic=True``, which chooses the strategic KPIs (of one directorate)."""
    allowed(request, "kpiboard.view_register")
    org = organisation()
    when = period_of(org, period)
    if code is not None and not any(d.id == code for d in org.directorates):
        raise ApiError(404, f"There is no directorate {code!r}")
    evaluation = evaluation_json(when, directorate=code, strategic=True)
    rows = scorecards.scorecard_rows(evaluation, selectors.register_facts())
    scope = "strategic" if code is None else f"strategic:{code}"  # as kpiboard report --scope
    return _scorecard_out(org, scope, scorecard_title(org, code), when, rows)


def _scorecard_out(
    org: Organisation, scope: str, name: str, when: Period, rows: list[scorecards.ScorecardRow]
) -> dict[str, Any]:
    summary = scorecards.status_summary(rows, org.settings.percent_rounding)
    return {
        "scope": scope,
        "name": name,
        "period": when.label,
        "summary": [
            {"status": line.status.value, "count": line.count, "percent": line.percent}
            for line in summary.rows
        ],
        "indicators": [
            {
                "ref": row.ref,
                "name": row.name,
                "directorate": row.directorate,
                "committees": list(row.committees),
                "value": None if row.value is None else float(row.value),
                "target": None if row.target is None else float(row.target),
                "status": row.status.value,
                "previous_status": row.previous_status.value,
                "change": row.change.value if row.change is not None else None,
            }
            for row in rows
        ],
    }


@router.get(
    "/scorecards/organisation", response=answers(ScorecardOut), summary="The organisation's"
)
def scorecard_organisation(request: HttpRequest, period: QueryPeriod = None) -> dict[str, Any]:
    return _scorecard(request, "organisation", "", period)


@router.get(
    "/scorecards/committee/{code}",
    response=answers(ScorecardOut),
    summary="A committee's scorecard",
)
def scorecard_committee(
    request: HttpRequest, code: CommitteeCode, period: QueryPeriod = None
) -> dict[str, Any]:
    return _scorecard(request, "committee", code, period)


@router.get(
    "/scorecards/directorate/{code}",
    response=answers(ScorecardOut),
    summary="A directorate's scorecard",
)
def scorecard_directorate(
    request: HttpRequest, code: DirectorateCode, period: QueryPeriod = None
) -> dict[str, Any]:
    return _scorecard(request, "directorate", code, period)


@router.get(
    "/scorecards/strategic",
    response=answers(ScorecardOut),
    summary="The Organisational Scorecard",
    description="Every strategic KPI (docs/proposals.md), as the web's /scorecard/strategic/ "
    "and `kpiboard report --scope strategic` show them.",
)
def scorecard_strategic(request: HttpRequest, period: QueryPeriod = None) -> dict[str, Any]:
    return _strategic_scorecard(request, None, period)


@router.get(
    "/scorecards/strategic/{code}",
    response=answers(ScorecardOut),
    summary="A directorate's strategic scorecard",
    description="The directorate's own strategic KPIs, as `kpiboard report --scope "
    "strategic:<directorate>` shows them.",
)
def scorecard_strategic_directorate(
    request: HttpRequest, code: DirectorateCode, period: QueryPeriod = None
) -> dict[str, Any]:
    return _strategic_scorecard(request, code, period)


def _publication_out(publication: Publication, files: list[PublishedFile]) -> dict[str, Any]:
    return {
        "id": publication.pk,
        "title": publication.title,
        "scope": publication.scope,
        "scope_name": publication.scope_name,
        "period": publication.period,
        "version": publication.number,
        "published_at": publication.published_at,
        "withdrawn": publication.withdrawn,
        "url": reverse("publication", args=[publication.pk]),
        "files": [
            {
                "format": item.format,
                "name": item.name,
                "size": item.size,
                "sha256": item.sha256,
                "url": reverse("publication_file", args=[publication.pk, item.format]),
            }
            for item in offered(publication, files)
        ],
    }


def _publications() -> QuerySet[Publication]:
    return Publication.objects.defer("evaluation", "definitions", "front_matter").order_by(
        "-published_at", "-pk"
    )


@router.get(
    "/publications",
    response=answers(list[PublicationOut]),
    summary="Published reports",
    description="Every published report with the files the public may download (none of one "
    "taken down; its HTML only of one withdrawn but kept readable).",
)
def publication_list(request: HttpRequest) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.view_register")
    publications = list(_publications())
    files: dict[int, list[PublishedFile]] = {}
    for item in PublishedFile.objects.defer("content").filter(publication__in=publications):
        files.setdefault(item.publication_id, []).append(item)
    return [_publication_out(p, files.get(p.pk, [])) for p in publications]


@router.get("/publications/{pk}", response=answers(PublicationOut), summary="A published report")
def publication_read(request: HttpRequest, pk: int) -> dict[str, Any]:
    allowed(request, "kpiboard.view_register")
    publication = get_object_or_404(_publications(), pk=pk)
    files = list(publication.files.defer("content").order_by("pk"))
    return _publication_out(publication, files)


@router.get(
    "/returns/due",
    response=answers(list[DueReturnOut]),
    summary="Returns due from you",
    description="The returns due in the reporting period for the indicators you own (for the "
    "performance team: every indicator), with their state and how late they are.",
)
def returns_due(request: HttpRequest, period: QueryPeriod = None) -> list[dict[str, Any]]:
    allowed(request, "kpiboard.see_my_returns")
    org = organisation()
    when = period_of(org, period)
    indicators = models.Indicator.objects.all()
    if not is_performance(request.user):
        indicators = indicators.filter(owner__iexact=getattr(request.user, "email", "") or "-")
    return [
        {
            "ref": entry["indicator"].ref,
            "name": entry["indicator"].name,
            "period": entry["period"].label,
            "period_slug": entry["slug"],
            "due": entry["due"],
            "state": entry["return"].state if entry["return"] else "not_started",
            "done": entry["done"],
            "days_late": entry["days_late"],
            "missing": entry["missing"],
        }
        for entry in due_returns(org, when, indicators)
    ]
