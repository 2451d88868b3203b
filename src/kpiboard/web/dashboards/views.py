"""Scorecards and indicator pages: HTTP in, the engine's figures out.

Every page takes ``?period=`` (a slug such as ``2024-25-q2`` or a label) and shows the figures
as evaluated for that period from the approved figures. A scope's indicator table filters and
sorts by its query string: a plain GET without JavaScript, a table partial for htmx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django_htmx.middleware import HtmxDetails

from kpiboard.analysis.model import Organisation
from kpiboard.analysis.periods import Period
from kpiboard.reports.breakdown_chart import breakdown_caption, breakdown_chart
from kpiboard.reports.breakdown_table import group_grid
from kpiboard.reports.charts import (
    chart_caption,
    chart_table,
    history_chart,
    spc_caption,
    spc_chart,
    spc_table,
)
from kpiboard.reports.formatting import format_value
from kpiboard.reports.icons import no_control_chart
from kpiboard.reports.markup import commentary_html
from kpiboard.reports.model import neighbour_areas
from kpiboard.reports.neighbour_chart import neighbour_caption, neighbour_chart
from kpiboard.web import data_cache, period_choice
from kpiboard.web.access import require
from kpiboard.web.dashboards import rebase, scorecards, selectors
from kpiboard.web.evaluation import evaluation_json
from kpiboard.web.periods import current_period, slug
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation

TABLE_PARTIAL = "dashboards/_indicator_table.html"


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it."""

    htmx: HtmxDetails


def outstanding_for(
    org: Organisation, period: Period, indicators: Any
) -> list[selectors.Outstanding]:
    """Returns outstanding for the period shown, and for the quarter being collected when that
    is another one."""
    found = [selectors.outstanding_returns(org, period, indicators)]
    collecting = current_period(org)
    if collecting != period:
        found.append(selectors.outstanding_returns(org, collecting, indicators))
    return found


def summaries(
    org: Organisation,
    rows: list[scorecards.ScorecardRow],
    by: tuple[str, ...],
    period: Period,
    pages: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The status summary, its breakdown by directorate and/or committee, and the transitions.
    ``pages`` names the page a group's line links to, by kind (its scorecard by default)."""
    rounding = org.settings.percent_rounding
    summary = scorecards.status_summary(rows, rounding)
    statuses = scorecards.breakdown_statuses(summary)
    groupings = {
        "directorate": (
            "Directorate",
            [(d.id, d.name) for d in org.directorates],
            lambda row: (row.directorate,),
        ),
        "committee": (
            "Committee",
            [(c.id, c.name) for c in org.committees],
            lambda row: row.committees,
        ),
    }
    breakdowns = []
    for kind in by:
        heading, groups, member_of = groupings[kind]
        lines = [
            {
                "code": group.code,
                "name": group.name,
                "url": reverse((pages or {}).get(kind, f"{kind}_scorecard"), args=[group.code])
                + f"?period={slug(period)}",
                "total": group.summary.total,
                "cells": group.cells(statuses),
            }
            for group in scorecards.breakdown(rows, groups, member_of, rounding)
        ]
        breakdowns.append({"kind": kind, "heading": heading, "lines": lines})
    return {
        "summary": summary,
        "statuses": statuses,
        "breakdowns": breakdowns,
        "transitions": scorecards.transition_groups(rows),
    }


@require("kpiboard.view_register")
def organisation_scorecard(request: HttpRequest) -> HttpResponse:
    org = organisation()
    period, problem = period_choice.read_period(request, org)

    def context() -> dict[str, Any]:
        rows = scorecards.scorecard_rows(evaluation_json(period), selectors.register_facts())
        return {
            **period_choice.choice_context(org, period, problem),
            **summaries(org, rows, ("directorate", "committee"), period),
            "scope_name": org.name,
            "outstanding": outstanding_for(org, period, models.Indicator.objects.all()),
        }

    content = cached_content(
        request,
        "dashboards/organisation_content.html",
        context,
        request.user.has_perm("kpiboard.see_my_returns"),
        request.user.has_perm("kpiboard.review_returns"),
    )
    return render(request, "dashboards/organisation.html", {"period": period, "content": content})


@require("kpiboard.view_register")
def directorate_scorecard(request: HtmxHttpRequest, code: str) -> HttpResponse:
    return _scope_scorecard(request, "directorate", code)


@require("kpiboard.view_register")
def committee_scorecard(request: HtmxHttpRequest, code: str) -> HttpResponse:
    return _scope_scorecard(request, "committee", code)


def _scope_scorecard(request: HtmxHttpRequest, kind: str, code: str) -> HttpResponse:
    org = organisation()
    options = org.directorates if kind == "directorate" else org.committees
    scope = next((option for option in options if option.id == code), None)
    if scope is None:
        raise Http404(f"There is no {kind} {code!r}")
    period, problem = period_choice.read_period(request, org)
    every_row = scorecards.scorecard_rows(evaluation_json(period), selectors.register_facts())
    if kind == "directorate":
        rows = [row for row in every_row if row.directorate == code]
        indicators = models.Indicator.objects.filter(directorate__code=code)
    else:
        rows = [row for row in every_row if code in row.committees]
        indicators = models.Indicator.objects.filter(committees__code=code)
    query = scorecards.TableQuery.from_query(request.GET)
    shown = query.apply(rows)
    context = {
        **period_choice.choice_context(org, period, problem, indicators),
        "kind": kind,
        "scope": scope,
        "scope_name": scope.name,
        "query": query,
        "shown": shown,
        "total": len(rows),
        "description": query.describe(len(shown), len(rows)),
        "columns": [(column, *query.sort_link(column.key)) for column in scorecards.COLUMNS],
        "filter_options": [
            (line.status, line.count, line.status in query.statuses)
            for line in scorecards.status_summary(rows, org.settings.percent_rounding).rows
        ],
        "clear_query": query.query_string(statuses=()),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, TABLE_PARTIAL, {**context, "out_of_band": True})
    else:

        def full() -> dict[str, Any]:
            other = "committee" if kind == "directorate" else "directorate"
            context.update(summaries(org, rows, (other,), period))
            context["outstanding"] = outstanding_for(org, period, indicators)
            return context

        context["content"] = cached_content(
            request,
            "dashboards/scope_content.html",
            full,
            request.user.has_perm("kpiboard.review_returns"),
        )
        response = render(request, "dashboards/scope.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require("kpiboard.view_register")
def indicator_page(request: HttpRequest, ref: str) -> HttpResponse:
    row = get_object_or_404(models.Indicator.objects.select_related("directorate"), ref=ref)
    org = organisation()
    period, problem = period_choice.read_period(request, org)
    directorate = next((d for d in org.directorates if d.id == row.directorate.code), None)
    crumbs = {
        "crumb_name": f"{directorate.name} scorecard" if directorate else None,
        "crumb_url": (
            reverse("directorate_scorecard", args=[directorate.id]) + f"?period={slug(period)}"
            if directorate
            else None
        ),
    }
    can_history = request.user.has_perm("kpiboard.view_history", row)
    page = {
        **period_choice.choice_context(
            org, period, problem, models.Indicator.objects.filter(pk=row.pk)
        ),
        **crumbs,
        "indicator": row,
        "can_history": can_history,
    }
    page["content"] = cached_content(
        request,
        "dashboards/indicator_content.html",
        lambda: _indicator_context(org, row, period, page),
        can_history,
    )
    if request.user.has_perm("kpiboard.change_register"):  # outside the shared cache: CSRF
        result = selectors.indicator_figures(org, row, period).result
        page["rebase"] = rebase.rebase_offer(row=row, result=result)
        page["rebase_form"] = rebase.RebaseForm()
    return render(request, "dashboards/indicator.html", page)


def _indicator_context(
    org: Organisation, row: models.Indicator, period: Period, page: dict[str, Any]
) -> dict[str, Any]:
    figures = selectors.indicator_figures(org, row, period)
    result = figures.result
    headers, table = chart_table(result, result.targets)
    neighbours = result.neighbours

    def show(value: Any) -> str:
        return format_value(value, result.indicator.unit, result.indicator.decimals)

    directorate = next((d for d in org.directorates if d.id == result.indicator.directorate), None)
    return {
        **page,
        "result": result,
        "card": figures.card,
        "commentary": [
            (str(item.period), commentary_html(item.text), item.author)
            for item in figures.commentary
        ],
        "chart_spec": history_chart(result, result.targets, period),
        **_control_and_neighbour_charts(org, result),
        "chart_caption": chart_caption(result, period),
        "chart_headers": headers,
        "chart_rows": table,
        **_breakdown(org, result, figures.card, period),
        "actions": selectors.actions_raised_by(row, period, org.settings.year_start_month),
        "neighbours": neighbours,
        "neighbour_median": show(neighbours.median) if neighbours else None,
        "neighbour_england": show(neighbours.england) if neighbours else None,
        "neighbour_rows": [
            (area.name, show(area.value), area.council, area.rank)
            for area in (neighbour_areas(result, org.name) if neighbours else [])
        ],
        "ended": selectors.ended_before(row, period, org.settings.year_start_month),
        "committees": [c for c in org.committees if c.id in result.indicator.committees],
        "directorate": directorate,
    }


def _breakdown(org: Organisation, result: Any, card: Any, period: Period) -> dict[str, Any]:
    """The indicator's groups in the period (breakdowns.csv): the card's table, and a chart of
    the groups over the period's months; nothing when there is no breakdown."""
    grid = group_grid(result, org)
    if grid is None or card.groups is None:
        return {"groups": None}
    return {
        "groups": card.groups,
        "groups_spec": breakdown_chart(result, grid, period),
        "groups_caption": breakdown_caption(result, grid, period),
        "groups_rows": [*card.groups.rows, *([card.groups.total] if card.groups.total else [])],
    }


def cached_content(
    request: HttpRequest, template: str, context: Callable[[], dict[str, Any]], *flags: bool
) -> SafeString:
    """A page's main content, rendered once per address, data version, day and the reader's
    relevant permissions, and kept in the shared cache (the database): a scorecard of 1,000
    indicators costs tens of milliseconds to render, and every reader sees the same."""
    html = data_cache.kept(
        "content",
        (template, request.get_full_path(), flags),
        lambda: render_to_string(template, context(), request=request),
    )
    return mark_safe(html)  # rendered by our own escaping templates


def _control_and_neighbour_charts(org: Organisation, result: Any) -> dict[str, Any]:
    """The Making Data Count control chart and the neighbour chart, the same specs, captions and
    tables the report pack's card has; or why there is no control chart."""
    spc_spec = spc_chart(result, result.target)
    spc_headers, spc_rows = spc_table(result) if spc_spec else ([], [])
    neighbours_spec = neighbour_chart(result, org.name)
    return {
        "spc_spec": spc_spec,
        "spc_caption": spc_caption(result),
        "spc_headers": spc_headers,
        "spc_rows": spc_rows,
        "no_spc": no_control_chart(result, org.settings.spc.min_points),
        "neighbour_spec": neighbours_spec,
        "neighbour_caption": neighbour_caption(result, org.name) if neighbours_spec else None,
    }
