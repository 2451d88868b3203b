"""The flat feed: the Figures rows as one CSV or one JSON array, for Power BI's web connector
(Get data -> Web) and any script, with the same sign-in as the OData service.

Every text cell of the CSV is safe from formula injection (``=HYPERLINK(...)`` typed as
commentary opens in Excel as text: ``'=HYPERLINK(...)``, datafiles.folder.quoted); numbers are
written as Python writes a float, which round-trips.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from kpiboard.datafiles.folder import quoted
from kpiboard.web.odata.entities import FIGURES, json_value
from kpiboard.web.odata.views import signed_in_feed

__all__ = ["figures_csv", "figures_json"]

CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return quoted(str(json_value(value)))


def _rows() -> QuerySet[Any, tuple[Any, ...]]:
    """Every row, in the feed's order (the Figures set's, by primary key); the rows are built
    here, before the response starts, if the data has moved on."""
    columns = [p.column for p in FIGURES.properties]
    return FIGURES.queryset().order_by("pk").values_list(*columns)


def _csv_lines(rows: QuerySet[Any, tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow([p.name for p in FIGURES.properties])
    lines: list[str] = []
    for row in rows.iterator(chunk_size=CHUNK):
        lines.append(writer.writerow([_cell(v) for v in row]))
        if len(lines) == CHUNK:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _json_lines(documents: QuerySet[Any, str]) -> Iterator[str]:
    """The rows' own JSON objects (each kept with its row, as the OData set sends them)."""
    yield "["
    lines: list[str] = []
    for document in documents.iterator(chunk_size=CHUNK):
        lines.append(document)
        if len(lines) == CHUNK:
            yield ",".join(lines)
            lines = [""]  # the comma between this chunk and the next
    yield ",".join(lines) if lines != [""] else ""
    yield "]"


@signed_in_feed
def figures_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="figures.csv"'
    return response


@signed_in_feed
def figures_json(request: HttpRequest) -> StreamingHttpResponse:
    documents = FIGURES.queryset().order_by("pk").values_list("document", flat=True)
    response = StreamingHttpResponse(
        _json_lines(documents), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="figures.json"'
    return response
