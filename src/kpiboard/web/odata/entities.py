"""The OData entity sets: their properties, types and keys, and the query each reads.

Declared once here; ``$metadata``, the JSON rows, ``$select``, ``$filter`` and ``$orderby`` all
read these declarations, so a property in the metadata is a property a row has and a filter can
name. Register tables keep decimals as text (web/fields.py), so their numbers are read through a
cast to floating point: ``$filter=value gt 90`` compares numbers there too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Cast

from kpiboard.web.odata.figures import figures_version
from kpiboard.web.odata.models import FigureRow
from kpiboard.web.register import models as register

__all__ = ["ENTITY_SETS", "EntitySet", "Property", "json_value", "row_document"]


@dataclass(frozen=True, slots=True)
class Property:
    """One property: its OData name and Edm type, and the column or expression behind it."""

    name: str
    type: str = "Edm.String"
    nullable: bool = True
    source: Any = None  # the model field (by default the name) or a query expression

    @property
    def column(self) -> str:
        """The name of the property's column in the query: the model's field of the same name,
        or an annotation named ``o_`` + name (so that no name clashes with a model's own field
        or relation)."""
        return self.name if self.source is None else f"o_{self.name}"

    def expression(self) -> Any:
        return F(self.source) if isinstance(self.source, str) else self.source


@dataclass(frozen=True, slots=True)
class EntitySet:
    name: str
    type_name: str
    keys: tuple[str, ...]
    properties: tuple[Property, ...]
    rows: Callable[[], QuerySet[Any]]
    description: str = ""
    #: A column that holds each row whole as its JSON object (row_document), if the set has one.
    document: str | None = None

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def queryset(self) -> QuerySet[Any]:
        """The rows with every property as a column (a field, or an ``o_`` annotation), for
        $filter and $orderby to work on."""
        rows: QuerySet[Any] = self.rows().annotate(
            **{p.column: p.expression() for p in self.properties if p.source is not None}
        )
        return rows


def _number(field: str) -> Any:
    return Cast(field, FloatField())


def _figures() -> QuerySet[Any]:
    """The rows of the current data version. The table holds one version's rows at a time
    (figures.py replaces them in one transaction), so they are not filtered by version: a page
    is then a range of the primary key, not a sort of the whole table (0.02 s, not 0.2 s, for
    a page of 120,000 rows on SQLite)."""
    figures_version()
    return FigureRow.objects.all()


S, D, I32, B, DATE = "Edm.String", "Edm.Double", "Edm.Int32", "Edm.Boolean", "Edm.Date"

FIGURES = EntitySet(
    name="Figures",
    type_name="Figure",
    keys=("ref", "period"),
    description="Every approved figure of every indicator for each period of its own frequency, "
    "with the engine's statuses for that period (kpiboard evaluate --period PERIOD).",
    rows=_figures,
    # Each row's JSON is written when the rows are built: a change to these properties needs a
    # migration that deletes the rows and their snapshot (as odata 0003 does), or whole pages
    # would still send the old ones until the data next changes.
    document="document",
    properties=(
        Property("ref", nullable=False),
        Property("period", nullable=False),
        Property("period_start", DATE, nullable=False),
        Property("period_end", DATE, nullable=False),
        Property("frequency", nullable=False),
        Property("name", nullable=False),
        Property("unit", nullable=False),
        Property("direction", nullable=False),
        Property("directorate", nullable=False),
        Property("committees", nullable=False),
        Property("value", D),
        Property("numerator", D),
        Property("denominator", D),
        Property("as_of"),
        Property("complete", B),
        Property("previous_period", nullable=False),
        Property("previous_value", D),
        Property("target", D),
        Property("previous_target", D),
        Property("status", nullable=False),
        Property("previous_status", nullable=False),
        Property("change"),
        Property("change_year_on_year"),
        Property("projected_status"),
        Property("projection_year_end", D),
        Property("neighbour_rank", I32),
        Property("neighbour_group_size", I32),
        Property("neighbour_quartile", I32),
        Property("neighbour_comparison"),
        Property("neighbour_mean", D),
        Property("spc_variation"),
        Property("spc_assurance"),
        Property("recent_trend"),
        Property("commentary"),
        Property("warnings", nullable=False),
    ),
)

INDICATORS = EntitySet(
    name="Indicators",
    type_name="Indicator",
    keys=("ref",),
    description="The register: every indicator, whatever its lifecycle.",
    rows=lambda: register.Indicator.objects.all(),
    properties=(
        # Columns of the register's own, except the directorate (a relation of that name).
        Property("ref", nullable=False),
        Property("name", nullable=False),
        Property("description", nullable=False),
        Property("unit", nullable=False),
        Property("decimals", I32, nullable=False),
        Property("direction", nullable=False),
        Property("frequency", nullable=False),
        Property("aggregation", nullable=False),
        Property("cumulative", nullable=False),
        Property("category", nullable=False),
        Property("directorate", source="directorate__code", nullable=False),
        Property("directorate_name", source="directorate__name", nullable=False),
        Property("national_definition", B, nullable=False),
        Property("owner", nullable=False),
        Property("lifecycle", nullable=False),
        Property("ended_from", nullable=False),
        # On the Organisational Scorecard (docs/proposals.md).
        Property("strategic", B, nullable=False),
    ),
)

TARGETS = EntitySet(
    name="Targets",
    type_name="Target",
    keys=("ref", "start"),
    description="Each indicator's targets, each in force from its period on.",
    rows=lambda: register.Target.objects.all(),
    properties=(
        Property("ref", source="indicator__ref", nullable=False),
        Property("start", nullable=False),
        Property("value", D, source=_number("value"), nullable=False),
        Property("reason", nullable=False),
        Property("decided_on", DATE),
    ),
)

NEIGHBOUR_VALUES = EntitySet(
    name="NeighbourValues",
    type_name="NeighbourValue",
    keys=("ref", "period", "area_code"),
    description="The statistical neighbours' values of indicators with a national definition.",
    rows=lambda: register.NeighbourValue.objects.all(),
    properties=(
        Property("ref", source="indicator__ref", nullable=False),
        Property("period", nullable=False),
        Property("area_code", nullable=False),
        Property("area_name", nullable=False),
        Property("value", D, source=_number("value")),
        Property("lower_ci", D, source=_number("lower_ci")),
        Property("upper_ci", D, source=_number("upper_ci")),
    ),
)

ENTITY_SETS: dict[str, EntitySet] = {
    entity.name: entity for entity in (INDICATORS, FIGURES, TARGETS, NEIGHBOUR_VALUES)
}


def json_value(value: Any) -> Any:
    """A column's value as OData JSON gives it (dates as ISO 8601 text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


#: A property's value as a row's JSON gives it, from the value computed for it: the type the
#: database hands back for its column (a float for Edm.Double even when the figure is whole).
AS_JSON: dict[str, Callable[[Any], Any]] = {
    "Edm.String": str,
    "Edm.Double": float,
    "Edm.Int32": int,
    "Edm.Boolean": bool,
    "Edm.Date": json_value,
}


def row_document(entity: EntitySet, row: Mapping[str, Any]) -> str:
    """``row`` (each property's value, by name) as the set's JSON object, the properties in
    their declared order: ``{"ref":"182","period":"2024-09",...,"value":84.05797101449275,...}``,
    the same object a page read column by column gives for that row."""
    return orjson.dumps(
        {
            p.name: None if (value := row[p.name]) is None else AS_JSON[p.type](value)
            for p in entity.properties
        }
    ).decode()
