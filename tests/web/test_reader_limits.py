"""What the readers accept, the database holds (issue 16): every text column a data folder or
workbook fills is no longer, as the readers check it, than the database column it is stored in."""

from __future__ import annotations

import pytest
from django.db import models

from kpiboard.datafiles.schema import (
    ACTIONS,
    BREAKDOWNS,
    COMMENTARY,
    COMMITTEES,
    INDICATORS,
    NEIGHBOURS,
    TableSpec,
)
from kpiboard.web.collection.models import Return, ReturnBreakdown
from kpiboard.web.register.models import (
    Committee,
    Indicator,
    NeighbourValue,
    RemedialAction,
)

# (reader table, reader column, model, model field): where each read text is stored.
STORED = [
    (INDICATORS, "name", Indicator, "name"),
    (INDICATORS, "owner", Indicator, "owner"),
    (INDICATORS, "unit_label", Indicator, "unit_label"),
    (INDICATORS, "directorate", Committee, "code"),  # a directorate id, as long as any id
    (COMMITTEES, "id", Committee, "code"),
    (COMMITTEES, "name", Committee, "name"),
    (NEIGHBOURS, "area_code", NeighbourValue, "area_code"),
    (NEIGHBOURS, "area_name", NeighbourValue, "area_name"),
    (COMMENTARY, "author", Return, "author"),
    (BREAKDOWNS, "group", ReturnBreakdown, "group"),
    (ACTIONS, "who", RemedialAction, "who"),
]


@pytest.mark.parametrize(
    ("spec", "column", "model", "field"),
    STORED,
    ids=[f"{spec.name}.{column}" for spec, column, _, _ in STORED],
)
def test_the_reader_limit_fits_the_database_column(
    spec: TableSpec, column: str, model: type[models.Model], field: str
) -> None:
    stored = model._meta.get_field(field)
    assert isinstance(stored, models.CharField)
    limit = stored.max_length
    assert limit is not None
    assert spec.column(column).max_length <= limit
