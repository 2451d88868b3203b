"""What the API's answers look like (the OpenAPI schema is made from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class Named(Schema):
    id: str
    name: str


class OrganisationOut(Schema):
    name: str
    area_code: str | None
    year_start_month: int
    committees: list[Named]
    directorates: list[Named]
    current_period: str


class PeriodOut(Schema):
    label: str
    slug: str
    start: dt.date
    end: dt.date


class PeriodsOut(Schema):
    current: PeriodOut
    periods: list[PeriodOut]


class IndicatorOut(Schema):
    ref: str
    name: str
    description: str
    unit: str
    decimals: int
    direction: str
    frequency: str
    aggregation: str
    category: str
    directorate: str
    committees: list[str]
    owner: str
    lifecycle: str
    strategic: bool
    status: str | None
    value: float | None
    complete: bool | None


class IndicatorPage(Schema):
    count: int
    page: int
    page_size: int
    period: str
    next: str | None
    previous: str | None
    items: list[IndicatorOut]


class FigureOut(Schema):
    period: str
    value: str | None
    numerator: str | None
    denominator: str | None
    lower_ci: str | None
    upper_ci: str | None
    note: str
    commentary: str
    state: str
    version: int


class TargetOut(Schema):
    start: str
    value: str
    reason: str
    decided_on: dt.date | None


class CommentaryOut(Schema):
    period: str
    text: str
    author: str


class ActionOut(Schema):
    id: int
    period: str
    action: str
    who: str
    due: dt.date
    state: str


class ScorecardRowOut(Schema):
    ref: str
    name: str
    directorate: str
    committees: list[str]
    value: float | None
    target: float | None
    status: str
    previous_status: str
    change: str | None


class StatusCount(Schema):
    status: str
    count: int
    percent: int


class ScorecardOut(Schema):
    scope: str
    name: str
    period: str
    summary: list[StatusCount]
    indicators: list[ScorecardRowOut]


class FileOut(Schema):
    format: str
    name: str
    size: int
    sha256: str
    url: str


class PublicationOut(Schema):
    id: int
    title: str
    scope: str
    scope_name: str
    period: str
    version: int
    published_at: dt.datetime
    withdrawn: bool
    url: str
    files: list[FileOut]


class DueReturnOut(Schema):
    ref: str
    name: str
    period: str
    period_slug: str
    due: dt.date | None
    state: str
    done: bool
    days_late: int
    missing: list[str]


class ReturnIn(Schema):
    """A return: a value, or a numerator and denominator for a ratio, and commentary. A figure
    far from the indicator's history needs ``confirm`` and ``surprise_reason``, as on the form."""

    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    lower_ci: str | None = None
    upper_ci: str | None = None
    note: str = ""
    commentary: str = ""
    confirm: bool = False
    surprise_reason: str = ""
    submit: bool = True
    version: int | None = None


class ReturnOut(Schema):
    ref: str
    period: str
    state: str
    awaiting_review: bool
    message: str
    warning: str
    version: int
    figure: FigureOut


class ImportPlanOut(Schema):
    key: str
    name: str
    empty: bool
    counts: dict[str, int]
    changes: list[str]
    more_changes: int


class ImportRunOut(Schema):
    name: str
    counts: dict[str, int]


Evaluation = dict[str, Any]


class FieldError(Schema):
    detail: str
    field: str | None = None
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None


class Problem(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None


#: The errors any operation may answer with.
ERRORS = (400, 401, 403, 404, 422, 429)


def answers(ok: Any, *extra: int, status: int = 200) -> dict[int, Any]:
    """An operation's documented responses: ``ok`` for ``status``, problem details for the
    rest."""
    return {status: ok, **dict.fromkeys((*ERRORS, *extra), Problem)}
