"""Public pages, no sign-in: published reports with their files, each published scorecard, and
the published figures as open data. Everything shown is what was frozen at publication."""

from __future__ import annotations

import csv
import io
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kpiboard.datafiles.folder import quoted
from kpiboard.web.register.models import TargetRevision
from kpiboard.web.reporting import selectors
from kpiboard.web.reporting.models import CONTENT_TYPES, Publication, PublishedFile

#: A report's HTML is self-contained (inline styles, inline SVG, PNG as data: URIs) and runs no
#: script: it is served with nothing else allowed.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def report_html_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES["html"])
    response["Content-Security-Policy"] = REPORT_CSP
    return response


def file_response(data: bytes, fmt: str, filename: str, sha256: str) -> HttpResponse:
    """A pack file: the HTML shown in the browser, the others downloaded."""
    if fmt == "html":
        response = report_html_response(data)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = HttpResponse(
            data, content_type=CONTENT_TYPES.get(fmt, "application/octet-stream")
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = f'"{sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def published_list(request: HttpRequest) -> HttpResponse:
    publications = Publication.objects.select_related("replaced_by").defer(
        "evaluation", "definitions", "front_matter"
    )
    files: dict[int, list[PublishedFile]] = {}
    for item in PublishedFile.objects.defer("content").filter(publication__in=publications):
        files.setdefault(item.publication_id, []).append(item)
    return render(
        request,
        "reporting/published_list.html",
        {"entries": [(p, files.get(p.pk, [])) for p in publications]},
    )


def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.select_related("replaces", "replaced_by"), pk=pk
    )
    return render(
        request,
        "reporting/publication.html",
        {
            "publication": publication,
            "files": selectors.file_list(publication),
            "rows": selectors.scorecard(publication),
            "summary": selectors.summary(publication),
            "revisions": selectors.revision_rows(
                list(publication.revisions.select_related("publication").order_by("pk"))
            ),
            "target_revisions": list(
                TargetRevision.objects.filter(publication=publication).order_by("pk")
            ),
        },
    )


def publication_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    # The publication first: a lookup by its id copes with any number in the address
    # (99999999999999999999 is no row), where filtering the files by publication_id does not.
    publication = get_object_or_404(Publication, pk=pk)
    item = PublishedFile.objects.filter(publication=publication, format=fmt).first()
    if item is None:
        raise Http404("No such file")
    name = "-".join(
        (
            publication.scope.replace(":", "-"),
            publication.period.replace("/", "-").replace(" ", "-"),
            f"v{publication.number}",
            item.name,
        )
    ).lower()
    return file_response(bytes(item.content), fmt, name, item.sha256)


def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reporting/open_data.html", {"columns": selectors.OPEN_DATA_COLUMNS.items()}
    )


def _cell(value: object) -> str:
    """Text made safe from formula injection; numbers as written."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return quoted(str(value))


def open_data_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(selectors.OPEN_DATA_FIELDS)
    for row in selectors.open_data_rows():
        writer.writerow([_cell(row[name]) for name in selectors.OPEN_DATA_FIELDS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="figures.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data_json(request: HttpRequest) -> HttpResponse:
    payload = {"fields": list(selectors.OPEN_DATA_FIELDS), "figures": selectors.open_data_rows()}
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
