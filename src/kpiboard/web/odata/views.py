"""The OData v4 service at /odata/: HTTP only (the sets are in entities.py, the query options in
query.py, the figures' rows in figures.py, a page's encoding in pages.py).

Read-only. Every answer that is not a page of rows is OData's error JSON: 401 (with
``WWW-Authenticate: Basic realm="kpiboard"``, which makes Power BI and Excel ask for the token),
403, 404 for an unknown set, 400 for any query option that cannot be answered, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import DataError, ProgrammingError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from kpiboard.web.api.tokens import TokenRefusedError
from kpiboard.web.odata.auth import REALM, TooManyRequestsError, feed_user
from kpiboard.web.odata.entities import ENTITY_SETS, EntitySet
from kpiboard.web.odata.metadata import metadata_xml, service_document
from kpiboard.web.odata.pages import Page
from kpiboard.web.odata.query import ODataQueryError, QueryPlan, read_query

__all__ = ["entity_set", "metadata", "odata_error", "page_size", "service", "signed_in_feed"]

DEFAULT_PAGE_SIZE = 5000
#: What a query the parser accepted may still raise: the client's mistake, answered 400.
CANNOT_COMPARE = (FieldError, ValidationError, ValueError, TypeError, DataError, ProgrammingError)
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"


def page_size() -> int:
    """Rows a page holds before ``@odata.nextLink`` (settings.ODATA_PAGE_SIZE)."""
    return max(1, int(getattr(settings, "ODATA_PAGE_SIZE", DEFAULT_PAGE_SIZE)))


def odata_error(status: int, code: str, message: str, target: str | None = None) -> HttpResponse:
    """OData's error JSON (OData JSON Format 4.01, section 21)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if target:
        error["target"] = target
    response = _json({"error": error}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _json(payload: Any, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        content_type=JSON_TYPE,
        status=status,
    )
    response["OData-Version"] = "4.0"
    # A browser that opens an answer saves it rather than rendering it (ASVS 14.4.2).
    response["Content-Disposition"] = 'attachment; filename="odata.json"'
    return response


def signed_in_feed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET or HEAD only, by someone who may read the register (a token or a session)."""

    @require_safe
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            user = feed_user(request)
        except TooManyRequestsError as refusal:
            response = odata_error(429, "TooManyRequests", refusal.message)
            response["Retry-After"] = refusal.retry_after
            return response
        except TokenRefusedError as refused:
            return odata_error(403, "SignInAgain", refused.detail)
        if user is None:
            return odata_error(
                401, "Unauthorized", "Sign in, or send an API token as the Basic password"
            )
        if not user.has_perm("kpiboard.view_register"):
            from kpiboard.web.audit.records import record

            record(request, "access_denied", request.path, "needs kpiboard.view_register")
            return odata_error(403, "Forbidden", "Your account has no role that reads figures")
        return view(request, *args, **kwargs)

    return guarded


def _root(request: HttpRequest) -> str:
    return request.build_absolute_uri("/odata/")


@signed_in_feed
def service(request: HttpRequest) -> HttpResponse:
    return _json(service_document(_root(request)))


@signed_in_feed
def metadata(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(metadata_xml(), content_type="application/xml;charset=utf-8")
    response["OData-Version"] = "4.0"
    response["Content-Disposition"] = 'attachment; filename="metadata.xml"'
    return response


@signed_in_feed
def entity_set(request: HttpRequest, name: str) -> HttpResponseBase:
    entity = ENTITY_SETS.get(name)
    if entity is None:
        return odata_error(
            404, "NotFound", f"No entity set {name!r}: expected one of {', '.join(ENTITY_SETS)}"
        )
    params = {key: request.GET.get(key, "") for key in request.GET}
    try:
        plan = read_query(entity, params)
        page = _page(request, entity, plan, params)
    except ODataQueryError as error:
        return odata_error(400, "BadRequest", error.message, error.option)
    except CANNOT_COMPARE as error:
        # A comparison the database cannot make (PostgreSQL: no operator for text and a number);
        # a busy or broken database is not the client's mistake, and is not answered 400.
        text = params.get("$filter") or params.get("$orderby") or ""
        return odata_error(400, "BadRequest", f"{text!r} cannot be answered: {error}", "$filter")
    # Every statement has run: from here on only encoding is left, sent as it is done.
    response = StreamingHttpResponse(page.chunks(), content_type=JSON_TYPE)
    response["OData-Version"] = "4.0"
    response["Content-Disposition"] = 'attachment; filename="odata.json"'
    return response


def _page(request: HttpRequest, entity: EntitySet, plan: QueryPlan, params: dict[str, str]) -> Page:
    """One page of rows, fetched, with the total when asked for and the next page's address."""
    rows = plan.apply(entity.queryset())
    count = rows.count() if plan.count else None
    size = page_size()
    wanted = plan.top
    if plan.after is not None:
        rows = rows.filter(pk__gt=plan.after)
    limit = size if wanted is None else min(size, wanted)
    whole = entity.document is not None and plan.select == entity.properties
    columns = [entity.document] if whole and entity.document else [p.column for p in plan.select]
    found = list(rows.values_list("pk", *columns)[plan.skip : plan.skip + limit + 1])
    more = len(found) > limit
    found = found[:limit]
    left = None if wanted is None else wanted - len(found)
    next_link = None
    if more and found and (left is None or left > 0):
        following = dict(params)
        if left is not None:
            following["$top"] = str(left)
        if plan.ordered_by_client:  # no key to seek by: count on
            following["$skip"] = str(plan.skip + len(found))
        else:  # seek past the last primary key: each page costs the same
            following.pop("$skip", None)
            following["$skiptoken"] = str(found[-1][0])
        next_link = request.build_absolute_uri(request.path) + "?" + urlencode(following)
    return Page(
        context=_context(request, entity, plan),
        count=count,
        rows=found,
        names=None if whole else tuple(p.name for p in plan.select),
        next_link=next_link,
    )


def _context(request: HttpRequest, entity: EntitySet, plan: QueryPlan) -> str:
    chosen = ""
    if len(plan.select) != len(entity.properties):
        chosen = "(" + ",".join(p.name for p in plan.select) + ")"
    return f"{_root(request)}$metadata#{entity.name}{chosen}"
