"""The editor of a report's narrative (docs/narrative.md): the officer's Markdown for one scope
and period, with a preview of where each part goes before it is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kpiboard.analysis.periods import Period, PeriodError, parse_period
from kpiboard.datafiles.errors import DataError
from kpiboard.datafiles.narrative import COVER_KEYS, narrative_template, parse_narrative
from kpiboard.reports.markup import commentary_html, paragraph_html
from kpiboard.reports.prose import prose_blocks
from kpiboard.web import widgets
from kpiboard.web.access import require
from kpiboard.web.audit import records as audit
from kpiboard.web.concurrency import EditConflictError
from kpiboard.web.register import models
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.narratives import narrative_context, save_narrative

__all__ = ["narrative_edit"]

#: Where each place's words go, as the preview names it.
PLACE_NAMES = {
    "purpose": "Section 1 (purpose), after its paragraphs",
    "background": "Section 2 (background), after its paragraphs",
    "main_issues": "Section 3 (main issues), before the status table",
    "after_table": "Section 3 (main issues), after the status and control-chart tables",
    "conclusion": "Section 4 (conclusion), after the transition groups",
}
MAX_DOCUMENT = 200_000


class NarrativeForm(forms.Form):
    document = forms.CharField(
        label="The report's narrative (Markdown)",
        max_length=MAX_DOCUMENT,
        strip=False,
        widget=widgets.Textarea(
            attrs={"rows": 24, "spellcheck": "true", "class": "govuk-textarea"}
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _scope_and_period(request: HttpRequest) -> tuple[str, Period]:
    org = organisation()
    scope = request.GET.get("scope", "")
    if scope not in narrative_context(org, None).scopes:
        raise Http404("No such report scope")
    try:
        period = parse_period(
            request.GET.get("period", ""), year_start_month=org.settings.year_start_month
        )
    except PeriodError:
        raise Http404("No such period") from None
    if not 1990 <= period.first_month[0] <= 2200:  # no council reported in the year 0
        raise Http404("No such period")
    return scope, period


def _preview(document: str, refs: list[str]) -> tuple[list[DataError], list[dict[str, Any]]]:
    """The errors in ``document``, or each part of it as the report will show it."""
    errors: list[DataError] = []
    narrative = parse_narrative(
        document, "The document", narrative_context(organisation(), refs), errors
    )
    if narrative is None:
        return errors, []
    parts: list[dict[str, Any]] = []
    cover = [(key, narrative.cover[key]) for key in COVER_KEYS if key in narrative.cover]
    if cover:
        parts.append({"where": "The cover and headings", "lines": cover})
    if narrative.highlights is not None:
        chosen = ", ".join(narrative.highlights) or "none"
        parts.append({"where": "Highlights", "lines": [("Indicators highlighted", chosen)]})
    places = [(PLACE_NAMES[key], text) for key, text in narrative.places.items()]
    places += [(f"A section of its own: {heading}", text) for heading, text in narrative.sections]
    for where, text in places:
        blocks = [
            paragraph_html(b.markdown) if b.numbered else commentary_html(b.markdown)
            for b in prose_blocks(text)
        ]
        parts.append({"where": where, "blocks": blocks})
    return [], parts


def _history(row: models.ReportNarrative | None) -> list[dict[str, Any]]:
    """The last ten changes, in words: when, what and by whom."""
    if row is None:
        return []
    entries = row.history.select_related("history_user").order_by("-history_date")[:10]
    return [
        {
            "when": entry.history_date,
            "what": {"+": "Written", "~": "Changed", "-": "Deleted"}[entry.history_type],
            "who": entry.history_user.get_full_name() or entry.history_user.username
            if entry.history_user
            else "an import",
        }
        for entry in entries
    ]


@require("kpiboard.run_reports")
def narrative_edit(request: HttpRequest) -> HttpResponse:
    """Write or change a report's narrative; "Preview" shows it placed, "Save" keeps it."""
    scope, period = _scope_and_period(request)
    row = models.ReportNarrative.objects.filter(scope=scope, period=str(period)).first()
    refs = list(models.Indicator.objects.values_list("ref", flat=True))
    errors: list[DataError] = []
    parts: list[dict[str, Any]] = []
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            document = form.cleaned_data["document"]
            version = form.cleaned_data["version"]
            if request.POST.get("action") == "save":
                try:
                    errors = save_narrative(
                        organisation=organisation(),
                        refs=refs,
                        scope=scope,
                        period=period,
                        document=document,
                        version=version,
                        user=request.user,
                    )
                except EditConflictError as conflict:
                    messages.error(request, str(conflict))
                    return redirect(request.get_full_path())
                if not errors:
                    old = row.document if row else ""
                    audit.record(
                        request,
                        "narrative_edited",
                        f"narrative of {scope} for {period}",
                        audit.text_changes(old, document),
                    )
                    messages.success(request, f"Saved the narrative of {scope} for {period}.")
                    return redirect(request.get_full_path())
            else:
                errors, parts = _preview(document, refs)
    else:
        document = row.document if row else narrative_template(scope, str(period))
        form = NarrativeForm(
            initial={"document": document, "version": row.version if row else None}
        )
    return render(
        request,
        "register/narrative.html",
        {
            "form": form,
            "scope": scope,
            "period": period,
            "row": row,
            "problems": [str(e) for e in errors],
            "parts": parts,
            "history": _history(row),
        },
    )
