"""The strategic scorecards (issue 17): the Organisational Scorecard, every strategic KPI, and each
directorate's strategic scorecard, its own strategic KPIs.

Built as the directorate and committee scorecards are (:mod:`.views`), from the engine's
evaluation with ``strategic=True`` (cached under the scopes ``strategic`` and ``strategic:ID``),
so a page's statuses and summary are those ``kpiboard evaluate --scope strategic`` gives for an
export. The committee each goes to is organisation.toml's ``[strategic]`` table's
(:func:`kpiboard.reports.strategic.strategic_settings`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from kpiboard.analysis.model import Organisation
from kpiboard.reports.strategic import scorecard_title, strategic_settings
from kpiboard.web import period_choice
from kpiboard.web.access import require
from kpiboard.web.dashboards import scorecards, selectors
from kpiboard.web.dashboards.views import (
    TABLE_PARTIAL,
    HtmxHttpRequest,
    cached_content,
    outstanding_for,
    summaries,
)
from kpiboard.web.evaluation import evaluation_json
from kpiboard.web.periods import slug
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation

__all__ = ["strategic_directorates", "strategic_scorecard"]

#: The strategic pages a breakdown's line links to.
PAGES = {"directorate": "strategic_directorate_scorecard"}


def strategic_directorates(org: Organisation) -> list[tuple[str, str, int]]:
    """Each directorate with its number of strategic KPIs (active ones and others alike), for
    the links between the scorecards."""
    counts: dict[str, int] = {}
    for code in models.Indicator.objects.filter(strategic=True).values_list(
        "directorate__code", flat=True
    ):
        counts[code] = counts.get(code, 0) + 1
    return [(d.id, d.name, counts.get(d.id, 0)) for d in org.directorates]


@require("kpiboard.view_register")
def strategic_scorecard(request: HtmxHttpRequest, code: str | None = None) -> HttpResponse:
    org = organisation()
    directorate = None
    if code is not None:
        directorate = next((d for d in org.directorates if d.id == code), None)
        if directorate is None:
            raise Http404(f"There is no directorate {code!r}")
    period, problem = period_choice.read_period(request, org)
    evaluation = evaluation_json(period, directorate=code, strategic=True)
    rows = scorecards.scorecard_rows(evaluation, selectors.register_facts())
    indicators = models.Indicator.objects.filter(strategic=True)
    if code is not None:
        indicators = indicators.filter(directorate__code=code)
    committee = strategic_settings(org).committee_for(code)
    committee_names = {c.id: c.name for c in org.committees}
    query = scorecards.TableQuery.from_query(request.GET)
    shown = query.apply(rows)
    context: dict[str, Any] = {
        **period_choice.choice_context(org, period, problem, indicators),
        "kind": "strategic",
        "scope": directorate,
        "scope_name": scorecard_title(org, code),
        "report_to": committee_names.get(committee) if committee else None,
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
        "organisational_url": reverse("strategic_scorecard") + f"?period={slug(period)}",
        "scope_url": (
            reverse("directorate_scorecard", args=[code]) if code else reverse("scorecard")
        )
        + f"?period={slug(period)}",
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, TABLE_PARTIAL, {**context, "out_of_band": True})
    else:

        def full() -> dict[str, Any]:
            by = ("committee",) if code else ("directorate",)
            context.update(summaries(org, rows, by, period, PAGES))
            context["outstanding"] = outstanding_for(org, period, indicators)
            context["directorates"] = [
                (
                    name,
                    reverse("strategic_directorate_scorecard", args=[d_code])
                    + f"?period={slug(period)}",
                    count,
                    d_code == code,
                )
                for d_code, name, count in strategic_directorates(org)
            ]
            return context

        context["content"] = cached_content(
            request,
            "dashboards/strategic_content.html",
            full,
            request.user.has_perm("kpiboard.review_returns"),
        )
        response = render(request, "dashboards/strategic.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
