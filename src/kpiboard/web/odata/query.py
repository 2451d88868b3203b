"""The query options of an OData request, read into a plan for a queryset, or refused.

``$filter`` is read by odata-query (its lexer, parser and Django visitor), after its names are
checked against the entity set's properties and renamed to the query's ``o_`` columns; nothing
here parses OData expressions by hand. Every mistake is an :class:`ODataQueryError` naming the
option, what was found and what was expected, which the views answer with 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from odata_query import ast
from odata_query import exceptions as odata_errors
from odata_query.django.django_q import AstToDjangoQVisitor
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.visitor import NodeTransformer

from kpiboard.web.odata.entities import EntitySet, Property

__all__ = ["ODataQueryError", "QueryPlan", "read_query"]

#: Options this service answers; any other ``$`` option is refused rather than ignored.
KNOWN_OPTIONS = ("$select", "$filter", "$orderby", "$top", "$skip", "$count", "$skiptoken")
MAX_FILTER_LENGTH = 4000
JSON_FORMATS = ("json", "application/json", "")


#: The literals each Edm type may be compared with (null with any).
LITERALS: dict[str, tuple[type, ...]] = {
    "Edm.String": (ast.String, ast.Null),
    "Edm.Double": (ast.Integer, ast.Float, ast.Null),
    "Edm.Int32": (ast.Integer, ast.Null),
    "Edm.Boolean": (ast.Boolean, ast.Null),
    "Edm.Date": (ast.Date, ast.Null),
}


class ODataQueryError(ValueError):
    """A query option this service cannot answer: ``option`` names it (``$filter``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.message = message


@dataclass(frozen=True, slots=True)
class QueryPlan:
    select: tuple[Property, ...]
    where: Q | None
    annotations: Mapping[str, Any]
    order: tuple[str, ...]
    ordered_by_client: bool
    top: int | None
    skip: int
    count: bool
    after: int | None  # $skiptoken: the last primary key of the page before

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows the filter keeps, in the plan's order (not yet paged)."""
        if self.annotations:
            queryset = queryset.annotate(**self.annotations)
        if self.where is not None:
            queryset = queryset.filter(self.where)
        return queryset.order_by(*self.order)


class _Renamer(NodeTransformer):
    """Each property name in the expression as its ``o_`` column; an unknown name refused."""

    def __init__(self, entity: EntitySet) -> None:
        self.entity = entity

    def visit_Identifier(self, node: ast.Identifier) -> ast.Identifier:  # noqa: N802
        found = self.entity.property(node.name)
        if found is None:
            raise ODataQueryError(
                "$filter",
                f"{node.name!r} is not a property of {self.entity.type_name}: "
                f"expected one of {', '.join(p.name for p in self.entity.properties)}",
            )
        return ast.Identifier(found.column)

    def visit_Call(self, node: ast.Call) -> ast._Node:  # noqa: N802
        """A function's arguments are renamed, its own name is not."""
        return ast.Call(node.func, [self.visit(arg) for arg in node.args])

    def visit_Compare(self, node: ast.Compare) -> ast._Node:  # noqa: N802
        """A property compared with a literal of another type (``value eq 'many'``) is refused
        here, as every database would answer it differently."""
        for one, other in ((node.left, node.right), (node.right, node.left)):
            if not isinstance(one, ast.Identifier):
                continue
            found = self.entity.property(one.name)
            literals = other.val if isinstance(other, ast.List) else [other]
            accepted = LITERALS.get(found.type, ()) if found else ()
            for literal in literals:
                if isinstance(literal, ast._Literal) and not isinstance(literal, accepted):
                    raise ODataQueryError(
                        "$filter",
                        f"{one.name} is {found.type if found else '?'}, not compared with "
                        f"{type(literal).__name__.lower()} {getattr(literal, 'val', '')!r}",
                    )
        renamed: ast._Node = self.generic_visit(node)
        return renamed

    def visit_Attribute(self, node: ast.Attribute) -> ast._Node:  # noqa: N802
        raise ODataQueryError(
            "$filter", f"{self.entity.type_name} has no navigation properties ({node.attr!r})"
        )

    def visit_CollectionLambda(self, node: ast._Node) -> ast._Node:  # noqa: N802
        raise ODataQueryError("$filter", "any() and all() are not supported: no collections here")


def read_query(entity: EntitySet, params: Mapping[str, str]) -> QueryPlan:
    """The plan for ``params`` (the request's query string as a mapping of single values)."""
    for name in params:
        if name.startswith("$") and name not in KNOWN_OPTIONS and name != "$format":
            raise ODataQueryError(
                name, f"{name} is not supported: expected one of {', '.join(KNOWN_OPTIONS)}"
            )
    if params.get("$format", "json").split(";")[0].strip().lower() not in JSON_FORMATS:
        raise ODataQueryError("$format", "only JSON is served: expected $format=json")
    where, annotations = _filter(entity, params.get("$filter"))
    order, by_client = _orderby(entity, params.get("$orderby"))
    return QueryPlan(
        select=_select(entity, params.get("$select")),
        where=where,
        annotations=annotations,
        order=order,
        ordered_by_client=by_client,
        top=_whole(params, "$top"),
        skip=_whole(params, "$skip") or 0,
        count=_boolean(params, "$count"),
        after=_whole(params, "$skiptoken"),
    )


def _select(entity: EntitySet, text: str | None) -> tuple[Property, ...]:
    if text is None or text.strip() in ("", "*"):
        return entity.properties
    chosen: list[Property] = []
    for raw in text.split(","):
        name = raw.strip()
        found = entity.property(name)
        if found is None:
            raise ODataQueryError(
                "$select",
                f"{name!r} is not a property of {entity.type_name}: expected one of "
                f"{', '.join(p.name for p in entity.properties)}",
            )
        if found not in chosen:
            chosen.append(found)
    # In the declared order, as $metadata lists them.
    return tuple(p for p in entity.properties if p in chosen)


def _filter(entity: EntitySet, text: str | None) -> tuple[Q | None, Mapping[str, Any]]:
    if text is None or not text.strip():
        return None, {}
    if len(text) > MAX_FILTER_LENGTH:
        raise ODataQueryError("$filter", f"longer than {MAX_FILTER_LENGTH} characters")
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
        if tree is None:
            raise ODataQueryError("$filter", "empty expression")
        tree = _Renamer(entity).visit(tree)
        visitor = AstToDjangoQVisitor(entity.rows().model)
        where = visitor.visit(tree)
    except ODataQueryError:
        raise
    except odata_errors.ODataException as error:
        raise ODataQueryError("$filter", f"{text!r}: {error}") from None
    except (ValueError, TypeError, NotImplementedError, AttributeError, KeyError) as error:
        raise ODataQueryError("$filter", f"{text!r} cannot be answered: {error}") from None
    if not isinstance(where, Q):
        raise ODataQueryError("$filter", f"{text!r} is not a true-or-false expression")
    return where, dict(visitor.queryset_annotations)


def _orderby(entity: EntitySet, text: str | None) -> tuple[tuple[str, ...], bool]:
    if text is None or not text.strip():
        return ("pk",), False
    order: list[str] = []
    for raw in text.split(","):
        parts = raw.split()
        if not parts or len(parts) > 2:
            raise ODataQueryError("$orderby", f"{raw.strip()!r}: expected 'property [asc|desc]'")
        found = entity.property(parts[0])
        if found is None:
            raise ODataQueryError(
                "$orderby", f"{parts[0]!r} is not a property of {entity.type_name}"
            )
        direction = parts[1].lower() if len(parts) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise ODataQueryError("$orderby", f"{parts[1]!r}: expected asc or desc")
        order.append(("-" if direction == "desc" else "") + found.column)
    return (*order, "pk"), True  # the primary key last, so that pages never overlap


def _whole(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", text.strip()):
        raise ODataQueryError(name, f"{text!r}: expected a whole number, 0 or more")
    return int(text)


def _boolean(params: Mapping[str, str], name: str) -> bool:
    text = params.get(name, "false").strip().lower()
    if text not in ("true", "false"):
        raise ODataQueryError(name, f"{text!r}: expected true or false")
    return text == "true"
