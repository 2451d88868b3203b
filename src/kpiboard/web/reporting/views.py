"""Report runs, for the performance team: create, fill in the front matter, preview, generate
(a background task whose progress the page polls), download, publish, withdraw, replace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kpiboard.web.access import require
from kpiboard.web.audit import records as audit
from kpiboard.web.periods import current_period
from kpiboard.web.register.dataset import organisation
from kpiboard.web.reporting import selectors, services, tasks
from kpiboard.web.reporting.forms import FrontMatterForm, RunForm, WithdrawForm
from kpiboard.web.reporting.frontmatter import narrative_key, scopes
from kpiboard.web.reporting.models import (
    FORMAT_LABELS,
    Publication,
    PublishedFile,
    ReportFile,
    ReportRun,
    RunState,
)
from kpiboard.web.reporting.public import (
    file_response,
    published_file_name,
    report_html_response,
)


def _run(pk: int) -> ReportRun:
    return get_object_or_404(ReportRun, pk=pk)


@require("kpiboard.run_reports")
def run_list(request: HttpRequest) -> HttpResponse:
    org = organisation()
    form = RunForm(
        request.POST or None,
        scopes=scopes(org),
        initial={"period": current_period(org).label},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_create(
                scope_text=form.cleaned_data["scope"],
                period_text=form.cleaned_data["period"],
                user=request.user,
            )
        except services.ReportingError as error:
            form.add_error("period", str(error))
        else:
            messages.success(request, f"Report started: {run}. Check its front matter.")
            return redirect("report_run", pk=run.pk)
    runs = ReportRun.objects.select_related("created_by").defer(
        "evaluation", "sources", "definitions"
    )[:100]
    return render(request, "reporting/runs.html", {"form": form, "runs": runs})


def _run_context(request: HttpRequest, run: ReportRun) -> dict[str, Any]:
    publication = Publication.objects.filter(run=run).first()
    return {
        "run": run,
        "files": [
            (item, FORMAT_LABELS.get(item.format, item.format))
            for item in ReportFile.objects.filter(run=run).defer("content")
        ],
        "publication": publication,
        "publication_files": selectors.file_list(publication) if publication else [],
        "current": Publication.objects.filter(
            scope=run.scope, period=run.period, withdrawn_at__isnull=True
        )
        .exclude(run=run)
        .first(),
        "can_publish": request.user.has_perm("kpiboard.publish"),
        "narrative_url": reverse("narrative_edit")
        + "?"
        + urlencode({"scope": narrative_key(run.scope), "period": run.period}),
    }


@require("kpiboard.run_reports")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = tasks.run_reconcile(run=_run(pk))
    editable = run.state in services.EDITABLE
    if request.method == "POST":
        form = FrontMatterForm(request.POST)
        if editable and form.is_valid():
            before = dict(run.front_matter or {})
            try:
                services.run_front_matter_save(
                    run=run,
                    front_matter=form.front_matter(),
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except services.ReportingError as error:
                form.add_error(None, str(error))
            else:
                audit.record(
                    request,
                    "front_matter_edited",
                    f"report run {run.pk}: {run}",
                    audit.changes(before, run.front_matter),
                )
                messages.success(request, "Front matter saved")
                return redirect("report_run", pk=run.pk)
        elif not editable:
            messages.error(request, "This report's front matter can no longer change")
            return redirect("report_run", pk=run.pk)
    else:
        form = FrontMatterForm(initial=FrontMatterForm.initial_for(run.front_matter, run.version))
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    revisions = selectors.revisions_since_last_publication(scope=run.scope)
    return render(
        request,
        "reporting/run.html",
        {
            **_run_context(request, run),
            "form": form,
            "editable": editable,
            "revisions": selectors.revision_rows(revisions),
            "note": run.revision_note
            if run.state == RunState.PUBLISHED
            else selectors.revision_note(revisions),
            "withdraw_form": WithdrawForm(),
        },
    )


@require("kpiboard.run_reports")
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack's part of the run page, which the page polls (htmx) while it is generated."""
    run = tasks.run_reconcile(run=_run(pk))
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("report_run", pk=run.pk)
    # The state's tag at the top of the page changes too (out of band); polling stops when
    # the fragment comes back without its hx-get, the pack generated or failed.
    context = {**_run_context(request, run), "oob": True}
    return render(request, "reporting/_pack.html", context)


@require("kpiboard.run_reports")
def run_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as it would be generated now, as its own web page."""
    run = _run(pk)
    try:
        html = services.run_preview_html(run=run)
    except services.ReportingError as error:
        messages.error(request, str(error))
        return redirect("report_run", pk=run.pk)
    return report_html_response(html.encode("utf-8"))


@require_POST
@require("kpiboard.run_reports")
def run_generate(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        run = tasks.run_enqueue(run=run)
    except services.ReportingError as error:
        messages.error(request, str(error))
    else:
        if run.state == RunState.GENERATED:  # a backend that runs the task at once
            messages.success(request, "The pack has been generated")
        elif run.state == RunState.FAILED:
            messages.error(request, f"The pack could not be generated: {run.error}")
        else:
            messages.success(
                request, "The pack is being generated: this page shows how far it has got"
            )
    return redirect("report_run", pk=run.pk)


@require("kpiboard.run_reports")
def run_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A file of the run's pack: the draft's or, once published, the file as published (the
    team keeps it when the publication is withdrawn and taken down)."""
    run = _run(pk)
    item: ReportFile | PublishedFile | None = ReportFile.objects.filter(run=run, format=fmt).first()
    if item is None:
        item = PublishedFile.objects.filter(publication__run=run, format=fmt).first()
        if item is None:
            raise Http404("No such file")
        publication = item.publication
        return file_response(
            bytes(item.content), fmt, published_file_name(publication, item), item.sha256
        )
    name = f"draft-{run.scope.replace(':', '-')}-{run.period.replace('/', '-').replace(' ', '-')}"
    return file_response(bytes(item.content), fmt, f"{name}-{item.name}".lower(), item.sha256)


@require_POST
@require("kpiboard.publish")
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        publication = services.run_publish(run=run, user=request.user)
    except services.ReportingError as error:
        messages.error(request, str(error))
        return redirect("report_run", pk=run.pk)
    audit.record(
        request,
        "published",
        f"{publication.title} (version {publication.number})",
        f"publication {publication.pk}, from report run {run.pk}",
    )
    messages.success(request, f"Published {publication.title} (version {publication.number})")
    return redirect("report_run", pk=run.pk)


def _publication(pk: int) -> Publication:
    return get_object_or_404(Publication, pk=pk)


@require_POST
@require("kpiboard.publish")
def publication_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        if "visibility" in form.errors:
            messages.error(request, str(form.errors["visibility"][0]))
        else:
            messages.error(request, "Say why the report is being withdrawn")
        return redirect("report_run", pk=publication.run_id)
    try:
        services.publication_withdraw(
            publication=publication,
            reason=form.cleaned_data["reason"],
            user=request.user,
            keep_readable=form.keep_readable,
        )
    except services.ReportingError as error:
        messages.error(request, str(error))
    else:
        audit.record(
            request,
            "withdrawn",
            f"{publication.title} (version {publication.number})",
            ("kept readable: " if publication.withdrawn_readable else "taken down: ")
            + publication.withdrawal_reason,
        )
        messages.success(
            request,
            f"Withdrew {publication.title} (version {publication.number}). "
            + (
                "It stays readable, with the withdrawal notice on its page and files."
                if publication.withdrawn_readable
                else "It is taken down: its page and files show only the withdrawal notice. "
                "It stays on record here."
            ),
        )
    return redirect("report_run", pk=publication.run_id)


@require_POST
@require("kpiboard.publish")
def publication_take_down(request: HttpRequest, pk: int) -> HttpResponse:
    """Take down a report that was withdrawn but kept readable."""
    publication = _publication(pk)
    try:
        services.publication_take_down(publication=publication)
    except services.ReportingError as error:
        messages.error(request, str(error))
    else:
        audit.record(
            request,
            "withdrawn",
            f"{publication.title} (version {publication.number})",
            "taken down (it had been withdrawn but kept readable)",
        )
        messages.success(
            request,
            f"Took down {publication.title} (version {publication.number}): its page and files "
            "show only the withdrawal notice. It stays on record here.",
        )
    return redirect("report_run", pk=publication.run_id)


@require_POST
@require("kpiboard.run_reports")
def publication_replace(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(pk)
    try:
        run = services.publication_replace(publication=publication, user=request.user)
    except services.ReportingError as error:
        messages.error(request, str(error))
        return redirect("report_run", pk=publication.run_id)
    messages.success(request, f"Replacement started for {publication.title}")
    return redirect("report_run", pk=run.pk)
