"""Public pages, no sign-in: published reports with their files, each published scorecard, and
the published figures as open data. Everything shown is what was frozen at publication.

A withdrawn publication is taken down unless the team kept it readable (issue 14, finding 3):
taken down, its page and every file answer 410 Gone with the withdrawal notice (when, why, whom
to ask, the replacement); kept readable, its page and its HTML file carry the notice, and its PDF,
Word and Excel files answer 410 with the notice and a link to the HTML, since a notice cannot be
relied on to travel with a copy of those files. The team keeps the files under /reports/.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from kpiboard.datafiles.folder import quoted
from kpiboard.web.register.models import TargetRevision
from kpiboard.web.reporting import selectors
from kpiboard.web.reporting.models import (
    CONTENT_TYPES,
    FORMAT_LABELS,
    Publication,
    PublishedFile,
)

#: The one format of a report kept readable after withdrawal that is served, with the notice.
READABLE_FORMAT = "html"

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


def offered(publication: Publication, files: Any) -> list[PublishedFile]:
    """The files the public may have of ``publication``: all of a current one, the HTML of one
    kept readable after withdrawal, none of one taken down."""
    if not publication.withdrawn:
        return list(files)
    if publication.withdrawn_readable:
        return [item for item in files if item.format == READABLE_FORMAT]
    return []


def _contact(publication: Publication) -> dict[str, str]:
    """Whom to ask about a withdrawn report: its officer contact, else the organisation's
    performance team."""
    front = publication.front_matter or {}
    organisation = str((publication.evaluation or {}).get("organisation", "")).strip()
    return {
        "name": str(front.get("officer_name", "")).strip(),
        "post": str(front.get("officer_post", "")).strip(),
        "email": str(front.get("officer_email", "")).strip(),
        "team": f"The performance team at {organisation}"
        if organisation
        else "The performance team",
    }


def _notice_context(publication: Publication) -> dict[str, Any]:
    replacement = Publication.objects.filter(replaces=publication).first()
    return {
        "publication": publication,
        "replacement": replacement,
        "contact": _contact(publication),
    }


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    return response


def withdrawn_response(
    request: HttpRequest, publication: Publication, fmt: str | None = None
) -> HttpResponse:
    """410 Gone with the withdrawal notice, for the page or (``fmt``) a file of a publication."""
    context = {
        **_notice_context(publication),
        "file_label": FORMAT_LABELS.get(fmt, fmt) if fmt else None,
        "readable_html": publication.withdrawn_readable
        and PublishedFile.objects.filter(publication=publication, format=READABLE_FORMAT).exists(),
    }
    return _noindex(render(request, "reporting/withdrawn.html", context, status=410))


_BODY_TAG = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def with_notice_banner(html: bytes, banner: str) -> bytes:
    """The report's HTML with ``banner`` first inside its body (first of all without one)."""
    data = banner.encode("utf-8")
    match = _BODY_TAG.search(html)
    if match is None:
        return data + html
    return html[: match.end()] + data + html[match.end() :]


def published_file_name(publication: Publication, item: PublishedFile) -> str:
    return "-".join(
        (
            publication.scope.replace(":", "-"),
            publication.period.replace("/", "-").replace(" ", "-"),
            f"v{publication.number}",
            item.name,
        )
    ).lower()


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
        {"entries": [(p, offered(p, files.get(p.pk, []))) for p in publications]},
    )


def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.select_related("replaces", "replaced_by"), pk=pk
    )
    if publication.taken_down:
        return withdrawn_response(request, publication)
    response = render(
        request,
        "reporting/publication.html",
        {
            **_notice_context(publication),
            "files": offered(publication, selectors.file_list(publication)),
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
    return _noindex(response) if publication.withdrawn else response


def publication_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    # The publication first: a lookup by its id copes with any number in the address
    # (99999999999999999999 is no row), where filtering the files by publication_id does not.
    publication = get_object_or_404(Publication, pk=pk)
    item = PublishedFile.objects.filter(publication=publication, format=fmt).first()
    if item is None:
        raise Http404("No such file")
    name = published_file_name(publication, item)
    if not publication.withdrawn:
        return file_response(bytes(item.content), fmt, name, item.sha256)
    if publication.taken_down or fmt != READABLE_FORMAT:
        return withdrawn_response(request, publication, fmt)
    banner = render_to_string(
        "reporting/_withdrawn_banner.html",
        {
            **_notice_context(publication),
            "site": request.build_absolute_uri("/").rstrip("/"),
        },
        request,
    )
    data = with_notice_banner(bytes(item.content), banner)
    return _noindex(file_response(data, fmt, name, hashlib.sha256(data).hexdigest()))


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
    # Named, and never to be sniffed as a page (ASVS 14.4.2): shown in the browser, saved as this.
    response["Content-Disposition"] = 'inline; filename="figures.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
