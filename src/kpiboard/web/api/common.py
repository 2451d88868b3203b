"""Pieces every API endpoint shares: the reporting period a request asks for, a page of a list."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Path, Query

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.web.api.problems import ApiError
from kpiboard.web.period_choice import PeriodNotUnderstoodError, reporting_period
from kpiboard.web.periods import month_date, slug

__all__ = ["MAX_PAGE_SIZE", "page_links", "period_of", "period_out"]

MAX_PAGE_SIZE = 500


def period_of(org: Organisation, text: str | None) -> Period:
    """``?period=`` (a slug or label), the quarter being collected when absent; else 422."""
    try:
        return reporting_period(org, text)
    except PeriodNotUnderstoodError as error:
        raise ApiError(
            422,
            str(error),
            errors=[{"field": "period", "in": "query", "detail": str(error)}],
        ) from error


def period_out(period: Period) -> dict[str, Any]:
    return {
        "label": period.label,
        "slug": slug(period),
        "start": month_date(period.start),
        "end": month_date(period.end, last_day=True),
    }


def page_links(
    request: HttpRequest, count: int, page: int, page_size: int
) -> tuple[str | None, str | None]:
    """The addresses of the next and previous pages, or None."""

    def link(number: int) -> str:
        query: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page"}
        query["page"] = str(number)
        return f"{request.path}?{urlencode(query)}"

    last = max(1, -(-count // page_size))
    return (link(page + 1) if page < last else None, link(page - 1) if page > 1 else None)


# The parameters the operations share, with the examples the documentation shows (and
# schemathesis tries first).
Ref = Annotated[str, Path(description="An indicator's ref", example="182")]
CommitteeCode = Annotated[str, Path(description="A committee's id", example="srp")]
DirectorateCode = Annotated[str, Path(description="A directorate's id", example="snp")]
PathPeriod = Annotated[
    str, Path(description="A period of the indicator's frequency, slug or label", example="2024-10")
]
QueryPeriod = Annotated[
    str | None,
    Query(
        description="A period slug or label (the quarter being collected when absent)",
        example="2024-25-q2",
    ),
]
