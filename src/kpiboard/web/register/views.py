"""The register: indicators, their targets, lifecycle, actions and history; import and export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kpiboard.analysis.model import Indicator, Unit
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.status import Status
from kpiboard.datafiles import DataFileError
from kpiboard.datafiles.bounds import bounds_indicator, possible_words, read_bound, refusal
from kpiboard.reports.formatting import format_value
from kpiboard.web.access import require, signed_in
from kpiboard.web.audit import records as audit
from kpiboard.web.audit.refusals import input_refused as refused
from kpiboard.web.collection.models import Return, ReturnState
from kpiboard.web.concurrency import EditConflictError, save_versioned
from kpiboard.web.evaluation import evaluate_one, evaluation_json
from kpiboard.web.period_choice import period_context
from kpiboard.web.periods import current_period
from kpiboard.web.register import forms, models, national, staging
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.history import describe, person
from kpiboard.web.register.targets import TargetError, parse_target, record_revisions, reported_in
from kpiboard.web.register.transfer import Plan, export, plan_import, read_source


def _indicator(request: HttpRequest, ref: str, **_: Any) -> models.Indicator:
    return get_object_or_404(models.Indicator, ref=ref)


@require("kpiboard.view_register")
def register_list(request: HttpRequest) -> HttpResponse:
    _org, period, chosen = period_context(request)
    rows = models.Indicator.objects.select_related("directorate").prefetch_related("committees")
    lifecycle = request.GET.get("lifecycle", "")
    if lifecycle in models.Lifecycle.values:
        rows = rows.filter(lifecycle=lifecycle)
    committee = request.GET.get("committee", "")
    if committee:
        rows = rows.filter(committees__code=committee)
    strategic = "yes" if request.GET.get("strategic", "") == "yes" else ""
    if strategic:
        rows = rows.filter(strategic=True)
    results = {row["ref"]: row for row in evaluation_json(period)["indicators"]}
    table = []
    for row in rows:
        result = results.get(row.ref)
        table.append(
            {
                "row": row,
                "status": Status(result["status"]) if result else None,
                "value": format_value(
                    None
                    if result is None or result["value"] is None
                    else Decimal(str(result["value"])),
                    Unit(row.unit),
                    row.decimals,
                ),
                "incomplete": result is not None and result["complete"] is False,
            }
        )
    return render(
        request,
        "register/list.html",
        {
            **chosen,
            "table": table,
            "committees": models.Committee.objects.all(),
            "lifecycles": models.Lifecycle.choices,
            "chosen": {"lifecycle": lifecycle, "committee": committee, "strategic": strategic},
            "period_keep": [
                ("committee", committee),
                ("lifecycle", lifecycle),
                ("strategic", strategic),
            ],
        },
    )


def _bounds(row: models.Indicator) -> Indicator:
    """The indicator's unit and bounds as the engine reads them."""
    return bounds_indicator(
        row.ref,
        Unit(row.unit),
        read_bound(row.minimum),
        read_bound(row.maximum),
        row.integer,
        row.unit_label,
    )


@require("kpiboard.view_register")
def indicator_detail(request: HttpRequest, ref: str) -> HttpResponse:
    row = _indicator(request, ref)
    _org, period, _chosen = period_context(request)
    (result,) = evaluate_one(ref, period).indicators
    see_drafts = request.user.has_perm("kpiboard.view_drafts", row)
    returns = row.returns.order_by("-period_start")
    if not see_drafts:
        returns = returns.filter(state=ReturnState.APPROVED)
    unit_decimals = (row.unit, row.decimals)
    return render(
        request,
        "register/detail.html",
        {
            "indicator": row,
            "possible": possible_words(_bounds(row)),
            "result": result,
            "period": period,
            "value": _shown(result.value.value if result and result.value else None, unit_decimals),
            "target": _shown(result.target if result else None, unit_decimals),
            "returns": [(item, _shown(_figure(item), unit_decimals)) for item in returns[:24]],
            "targets": row.targets.all(),
            "actions": row.actions.all(),
            "moves": models.LIFECYCLE_MOVES.get(row.lifecycle, {}),
            "can_change": request.user.has_perm("kpiboard.change_register"),
            "can_act": request.user.has_perm("kpiboard.record_action", row),
            "can_history": request.user.has_perm("kpiboard.view_history", row),
            "decision_form": forms.DecisionForm(indicator=row),
            "target_form": forms.TargetForm(),
        },
    )


def _figure(item: Return) -> Any:
    if item.value is not None:
        return item.value
    if item.numerator is not None and item.denominator:
        scale = 100 if item.indicator.unit == "percent" else 1
        return item.numerator * scale / item.denominator
    return None


def _shown(value: Any, unit_decimals: tuple[str, int]) -> str:
    from kpiboard.analysis.model import Unit

    return format_value(value, Unit(unit_decimals[0]), unit_decimals[1])


@require("kpiboard.change_register")
def indicator_edit(request: HttpRequest, ref: str | None = None) -> HttpResponse:
    row = _indicator(request, ref) if ref else models.Indicator(lifecycle=models.Lifecycle.PROPOSED)
    form = forms.IndicatorForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        indicator = form.save(commit=False)
        if not row.pk:
            indicator.position = models.Indicator.objects.count()
        try:
            save_versioned(indicator, form.cleaned_data["version"], request.user)
            form.save_m2m()
        except EditConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {indicator.ref} {indicator.name}")
            return redirect("indicator", ref=indicator.ref)
    return render(request, "register/edit.html", {"form": form, "indicator": row})


@require_POST
@require("kpiboard.decide_indicator")
def indicator_decide(request: HttpRequest, ref: str) -> HttpResponse:
    row = _indicator(request, ref)
    form = forms.DecisionForm(request.POST, indicator=row)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label if field in form.fields else ''} {error}".strip(),
                )
        return redirect("indicator", ref=ref)
    data = form.cleaned_data
    version = row.version
    move = data["move"]
    if move == models.Lifecycle.SUSPENDED:
        row.extra = {**row.extra, "x_category_before_suspension": row.category}
        row.category = "suspended"
    elif row.lifecycle == models.Lifecycle.SUSPENDED and move == models.Lifecycle.ACTIVE:
        extra = dict(row.extra)
        row.category = extra.pop("x_category_before_suspension", "targeted")
        row.extra = extra
        row.ended_from = ""
    row.lifecycle = move
    if data.get("committee"):
        row.decided_by = data["committee"]
    if data.get("meeting"):
        row.decided_on = data["meeting"]
    if data.get("ended_from"):
        row.ended_from = data["ended_from"]
    row.decision_note = data.get("note") or row.decision_note
    try:
        save_versioned(row, version, request.user)
    except EditConflictError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{row.ref} is now {row.get_lifecycle_display().lower()}")
    return redirect("indicator", ref=ref)


@require_POST
@require("kpiboard.change_register")
def target_save(request: HttpRequest, ref: str) -> HttpResponse:
    """Set a target from a period. One that applies to a period already reported needs the
    reason and the committee decision, and is listed on each publication it changes."""
    row = _indicator(request, ref)
    form = forms.TargetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("indicator", ref=ref)
    data = form.cleaned_data
    start = data["start"]
    try:
        value = parse_target(data["value"], row.ref, row.unit)
    except TargetError as error:
        messages.error(request, str(error))
        return redirect("indicator", ref=ref)
    impossible = refusal(_bounds(row), value)
    if impossible:
        messages.error(request, f"Enter {impossible}")
        return redirect("indicator", ref=ref)
    period = parse_period(start)
    reported = reported_in(row, period)
    reason = (data.get("reason") or "").strip()
    if reported and not (reason and data.get("committee") and data.get("meeting")):
        messages.error(
            request,
            f"A target from {start} applies to periods already reported: "
            f"{'; '.join(r.words for r in reported)}. Give the reason and the committee "
            "decision (the committee and its meeting date) to change it; the reports stay as "
            "published and list the change.",
        )
        return redirect("indicator", ref=ref)
    with transaction.atomic():
        target = (
            models.Target.objects.select_for_update().filter(indicator=row, start=start).first()
        )
        old = None
        if target is None:
            target = models.Target(indicator=row, start=start, period_start=period.start)
        else:
            old = target.value
        target.value = value
        target.reason = reason
        target.decided_by = data.get("committee")
        target.decided_on = data.get("meeting")
        target.version = (target.version or 0) + (1 if target.pk else 0)
        target._history_user = request.user  # type: ignore[attr-defined]
        target.save()
        revisions = record_revisions(row, target, old, reported, request.user)
    said = [f"Target from {start} is now {value.normalize():f}."]
    for revision in revisions:
        before, now = Status(revision.published_status), Status(revision.status_now)
        change = f"is now {now.label}" if now is not before else f"stays {now.label}"
        said.append(
            f"{revision.publication.title} published {before.label}: {change}, listed on its page."
        )
    messages.success(request, " ".join(said))
    return redirect("indicator", ref=ref)


@require("kpiboard.record_action", _indicator)
def action_edit(request: HttpRequest, ref: str, pk: int | None = None) -> HttpResponse:
    row = _indicator(request, ref)
    action = (
        get_object_or_404(models.RemedialAction, pk=pk, indicator=row)
        if pk
        else models.RemedialAction(indicator=row, created_by=signed_in(request))
    )
    if not action.pk:
        org = organisation()
        action.period = current_period(org).label
    form = forms.ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            save_versioned(saved, form.cleaned_data["version"], request.user)
        except EditConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Action saved")
            return redirect("indicator", ref=ref)
    return render(
        request, "register/action.html", {"form": form, "indicator": row, "action": action}
    )


@require("kpiboard.view_history", _indicator)
def indicator_history(request: HttpRequest, ref: str) -> HttpResponse:
    row = _indicator(request, ref)
    entries = []
    sources: list[tuple[str, Any]] = [
        ("Indicator", row.history.all()),
        ("Target", models.Target.history.filter(indicator_id=row.pk)),
        ("Return", Return.history.filter(indicator_id=row.pk)),
        ("Action", models.RemedialAction.history.filter(indicator_id=row.pk)),
    ]
    names: dict[tuple[Any, Any], str] = {}
    for kind, records in sources:
        for record in records.select_related("history_user").order_by("-history_date")[:200]:
            entries.append(
                {
                    "kind": kind,
                    "what": str(record.instance) if kind != "Indicator" else row.ref,
                    "when": record.history_date,
                    "who": person(record.history_user),
                    "type": {"+": "Created", "~": "Changed", "-": "Deleted"}[record.history_type],
                    "changes": describe(record, names),
                }
            )
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return render(request, "register/history.html", {"indicator": row, "entries": entries})


# -- import and export ---------------------------------------------------------------------------


def _plan(path: Path, name: str) -> Plan:
    return plan_import(read_source(path, name), name)


@require("kpiboard.import_data")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        try:
            plan = staging.with_file(
                data,
                upload.name,
                lambda path: plan_import(read_source(path, upload.name), upload.name),
            )
        except DataFileError as error:
            refused(request, f"the upload did not read: {len(error.errors)} problems")
            return render(request, "register/import.html", {"form": form, "errors": error.errors})
        previous = request.session.get("import")
        if previous:
            staging.discard(previous.get("key", ""))
        key = staging.stage(request.user, upload.name, [data], plan.fingerprint())
        request.session["import"] = {"key": key, "name": upload.name}
        return render(
            request,
            "register/import_preview.html",
            {"plan": plan, "name": upload.name, "lines": list(plan.lines())[:500]},
        )
    if form.errors:
        refused(request, "the upload form was refused", form.errors)
    return render(request, "register/import.html", {"form": form})


@require_POST
@require("kpiboard.import_data")
def import_cancel(request: HttpRequest) -> HttpResponse:
    staged = request.session.pop("import", None)
    if staged:
        staging.discard(staged.get("key", ""))
        messages.success(
            request, f"Nothing was imported from {staged['name']}: the upload is deleted"
        )
    return redirect("import")


@require_POST
@require("kpiboard.import_data")
def import_confirm(request: HttpRequest) -> HttpResponse:
    staged = request.session.pop("import", None)
    upload = staging.read_staged(request.user, staged.get("key", "")) if staged else None
    if upload is None:
        messages.error(
            request,
            "There is no upload waiting (an upload waits a day for its confirmation): "
            "upload the file again",
        )
        return redirect("import")
    try:
        plan = staging.with_file(bytes(upload.data), upload.name, lambda p: _plan(p, upload.name))
        if plan.fingerprint() != upload.fingerprint:
            messages.error(
                request,
                "The register changed after you looked at this upload, so what it would change "
                "is different now. Nothing was imported: upload it again and check the changes.",
            )
            return redirect("import")
        run = apply_plan(plan, request.user)
    finally:
        upload.delete()
    counts = ", ".join(f"{n} {name}" for name, n in run.summary.items() if n)
    audit.record(request, "imported", f"register from {upload.name}", counts or "nothing changed")
    messages.success(request, f"Imported {upload.name}: {counts or 'nothing changed'}")
    return redirect("register")


@require("kpiboard.export_data")
def export_download(request: HttpRequest, kind: str) -> FileResponse:
    with tempfile.TemporaryDirectory() as folder:
        if kind == "xlsx":
            target = Path(folder) / "kpiboard.xlsx"
            export(target, workbook=True)
            data = target.read_bytes()
            name, content_type = (
                "kpiboard.xlsx",
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )
        else:
            export(Path(folder) / "data")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                root = Path(folder) / "data"
                for file in sorted(root.rglob("*")):  # the files and the reports/ folder
                    if file.is_file():
                        archive.write(file, f"data/{file.relative_to(root).as_posix()}")
            data, name, content_type = buffer.getvalue(), "kpiboard-data.zip", "application/zip"
    audit.record(
        request, "exported", "the whole register", f"downloaded as {name} ({len(data):,} bytes)"
    )
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=name, content_type=content_type
    )


@require("kpiboard.import_data")
def neighbours_upload(request: HttpRequest, ref: str) -> HttpResponse:
    """Upload a national data file for one indicator, see what it holds, then confirm."""
    row = _indicator(request, ref)
    if not row.national_definition:
        messages.error(
            request,
            f"{row.ref} has no national definition, so it has no neighbours to compare with",
        )
        return redirect("indicator", ref=ref)
    form = forms.NationalUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "indicator": row}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        metric = form.cleaned_data["metric"]
        try:
            rows = staging.with_file(
                data, upload.name, lambda path: national.read_for(row, path, metric)
            )
        except DataFileError as error:
            refused(request, f"the national data file did not read: {len(error.errors)} problems")
            context["errors"] = error.errors
            return render(request, "register/neighbours.html", context)
        previous = request.session.get("neighbours")
        if previous:
            staging.discard(previous.get("key", ""))
        request.session["neighbours"] = {
            "key": staging.stage(request.user, upload.name, [data], ""),
            "name": upload.name,
            "metric": form.cleaned_data["metric"],
            "ref": row.ref,
        }
        context["preview"] = national.summary(rows)
        context["name"] = upload.name
    if form.errors:
        refused(request, "the upload form was refused", form.errors)
    return render(request, "register/neighbours.html", context)


@require_POST
@require("kpiboard.import_data")
def neighbours_confirm(request: HttpRequest, ref: str) -> HttpResponse:
    row = _indicator(request, ref)
    staged = request.session.pop("neighbours", None)
    upload = staging.read_staged(request.user, staged.get("key", "")) if staged else None
    if upload is None or staged is None or staged["ref"] != row.ref:
        messages.error(request, "There is no upload waiting: upload the file again")
        return redirect("neighbours_upload", ref=ref)
    try:
        rows = staging.with_file(
            bytes(upload.data),
            upload.name,
            lambda path: national.read_for(row, path, staged["metric"]),
        )
        run = national.apply(row, rows, request.user, staged["name"])
    finally:
        upload.delete()
    audit.record(
        request,
        "imported",
        f"neighbours of {row.ref} from {staged['name']}",
        f"{run.summary['rows']} values for {run.summary['areas']} areas",
    )
    messages.success(
        request,
        f"Loaded {run.summary['rows']} values for {run.summary['areas']} areas into {row.ref}",
    )
    return redirect("indicator", ref=ref)
