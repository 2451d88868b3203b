"""Changes through the API, each with the web's checks, workflow and audit: an owner's system
submits a return (the return form's checks and warnings; it then awaits review by someone else),
and the performance team uploads a data folder (.zip) or workbook (.xlsx) for a dry run, then
applies it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.datastructures import MultiValueDict
from ninja import File, Router, Status
from ninja.files import UploadedFile

from kpiboard.datafiles import DataFileError
from kpiboard.web.api.auth import allowed, writable
from kpiboard.web.api.common import PathPeriod, Ref
from kpiboard.web.api.problems import ApiError, data_errors
from kpiboard.web.api.reads_register import figure_out
from kpiboard.web.api.schemas import ImportPlanOut, ImportRunOut, ReturnIn, ReturnOut, answers
from kpiboard.web.audit.records import record
from kpiboard.web.collection import services
from kpiboard.web.concurrency import EditConflictError
from kpiboard.web.period_choice import PeriodNotUnderstoodError, reporting_period
from kpiboard.web.register import models, staging
from kpiboard.web.register.apply import apply_plan
from kpiboard.web.register.dataset import organisation
from kpiboard.web.register.forms import UploadForm
from kpiboard.web.register.transfer import plan_import, read_source

router = Router(tags=["changes"])

#: How many lines of an import's changes its dry run lists.
SHOWN_CHANGES = 500


def _form_data(payload: ReturnIn, version: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: getattr(payload, name) or ""
        for name in ("value", "numerator", "denominator", "lower_ci", "upper_ci")
    }
    data.update(
        note=payload.note,
        commentary=payload.commentary,
        surprise_reason=payload.surprise_reason,
        version=str(payload.version if payload.version is not None else version),
    )
    if payload.confirm:
        data["confirm"] = "on"
    return data


def _form_errors(form: Any) -> list[dict[str, Any]]:
    return [
        {"field": field if field != "__all__" else "request", "in": "body", "detail": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]


@router.post(
    "/returns/{ref}/{period}",
    response={201: ReturnOut, **answers(ReturnOut, 409)},
    summary="Submit a return",
    description="An indicator's figure and commentary for a period (a slug such as 2024-25-q2 "
    "or a label): checked as the return form checks it, every error at once. Submitted (the "
    "default), it awaits review by the performance team; with `submit: false` it is kept as a "
    "draft. A figure far from the indicator's history needs `confirm` and `surprise_reason`. "
    "Needs a read-write token of the indicator's owner or of the performance team.",
)
def return_submit(
    request: HttpRequest, ref: Ref, period: PathPeriod, payload: ReturnIn
) -> Status[dict[str, Any]]:
    writable(request)
    row = get_object_or_404(models.Indicator, ref=ref)
    allowed(request, "kpiboard.enter_return", row)
    org = organisation()
    try:
        when = reporting_period(org, period)
    except PeriodNotUnderstoodError as error:
        raise ApiError(
            422, str(error), errors=[{"field": "period", "in": "path", "detail": str(error)}]
        ) from error
    if when.frequency.value != row.frequency:
        detail = f"{row.ref} is reported by {row.frequency}, not for {when.label}"
        raise ApiError(422, detail, errors=[{"field": "period", "in": "path", "detail": detail}])
    item = services.return_for(row, when)
    if item.state in services.DONE:
        raise ApiError(
            409,
            f"{row.ref} {when.label} is {item.get_state_display().lower()}: it can no longer be "
            "changed (the performance team can return it to you)",
        )
    created = item.pk is None
    form = services.return_form(row, when, item, org, _form_data(payload, item.version))
    if not form.is_valid():
        errors = _form_errors(form)
        raise ApiError(
            422,
            f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the return: see errors",
            errors=errors,
        )
    try:
        saved = services.return_save(form=form, row=row, user=request.user, submit=payload.submit)
    except EditConflictError as error:
        raise ApiError(409, str(error)) from error
    if payload.submit:
        message = f"{row.ref} {when.label} submitted: it awaits review by the performance team"
    else:
        message = f"{row.ref} {when.label} saved as a draft"
    return Status(
        201 if created else 200,
        {
            "ref": row.ref,
            "period": when.label,
            "state": saved.state,
            "awaiting_review": saved.state == "submitted",
            "message": message,
            "warning": saved.surprise,
            "version": saved.version,
            "figure": figure_out(saved),
        },
    )


@router.post(
    "/imports",
    response=answers(ImportPlanOut, status=201),
    summary="Upload data for a dry run",
    description="A data folder (.zip) or workbook (.xlsx) is read and checked, every error at "
    "once (file, row, column, value, expected), and what it would change is listed; nothing "
    "changes until it is applied with the key returned (within a day). Performance team only.",
)
def import_dry_run(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    writable(request)
    allowed(request, "kpiboard.import_data")
    form = UploadForm(files=MultiValueDict({"file": [file]}))
    if not form.is_valid():
        raise ApiError(422, "The file cannot be imported", errors=_form_errors(form))
    data = b"".join(file.chunks())
    name = str(file.name or "upload")
    try:
        plan = staging.with_file(
            data, name, lambda path: plan_import(read_source(path, name), name)
        )
    except DataFileError as error:
        errors = data_errors(error.errors)
        raise ApiError(
            422,
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in {name}: nothing was "
            "imported",
            errors=errors,
        ) from error
    key = staging.stage(request.user, name, [data], plan.fingerprint())
    lines = list(plan.lines())
    return Status(
        201,
        {
            "key": key,
            "name": name,
            "empty": plan.empty,
            "counts": plan.counts(),
            "changes": lines[:SHOWN_CHANGES],
            "more_changes": max(0, len(lines) - SHOWN_CHANGES),
        },
    )


@router.post(
    "/imports/{key}/apply",
    response=answers(ImportRunOut, 409),
    summary="Apply an upload",
    description="Applies the upload the dry run staged under `key`, in one transaction, if the "
    "register has not changed since the dry run (else 409: upload it again).",
)
def import_apply(request: HttpRequest, key: str) -> dict[str, Any]:
    writable(request)
    allowed(request, "kpiboard.import_data")
    upload = staging.read_staged(request.user, key[:64])
    if upload is None:
        raise ApiError(
            404, "There is no upload waiting under that key (one waits a day): upload it again"
        )
    try:
        plan = staging.with_file(
            bytes(upload.data),
            upload.name,
            lambda path: plan_import(read_source(path, upload.name), upload.name),
        )
        if plan.fingerprint() != upload.fingerprint:
            raise ApiError(
                409,
                "The register changed after the dry run, so what the upload would change is "
                "different now. Nothing was imported: upload it again and check the changes.",
            )
        run = apply_plan(plan, request.user)
    finally:
        upload.delete()
    counts = ", ".join(f"{n} {name}" for name, n in run.summary.items() if n)
    record(request, "imported", f"register from {upload.name}", counts or "nothing changed")
    return {"name": upload.name, "counts": {k: int(v) for k, v in run.summary.items()}}
