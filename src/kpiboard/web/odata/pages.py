"""One page of an entity set as the bytes of OData's JSON, sent in slices as they are encoded.

The page's rows are fetched whole before the response starts (every SQL statement of a page, the
count and the rows, has run by then), so a query the database refuses is still answered 400 with
OData's error JSON, never a 200 cut off half-way; a page holds at most ``ODATA_PAGE_SIZE`` rows,
so what is held is bounded. What streams is the encoding: the opening (context and count), the
rows ``SLICE`` at a time, then ``@odata.nextLink``, which OData's JSON format allows after the
value in a streamed answer (``odata.streaming=true`` in the content type).

A page of whole rows of a set that keeps each row's JSON object (the Figures set's
``document``) is those objects joined; any other page is encoded by orjson column by column.
Measured on a page of 5,000 Figures rows (benchmarks/odata_speed.py's organisation, SQLite):
fetching 36 columns took 0.52 s and json.dumps of the rows as dicts 0.47 s, where orjson takes
0.035 s; fetching the documents instead of the columns leaves no work per value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

__all__ = ["SLICE", "Page"]

SLICE = 1000


@dataclass(frozen=True, slots=True)
class Page:
    """A page ready to send: each row is its primary key, then either its documents column
    (``names`` is None) or a value for each of ``names``."""

    context: str
    count: int | None
    rows: Sequence[tuple[Any, ...]]
    names: tuple[str, ...] | None
    next_link: str | None

    def chunks(self) -> Iterator[bytes]:
        """``{"@odata.context":...,"@odata.count":...,"value":[...],"@odata.nextLink":...}``"""
        head: dict[str, Any] = {"@odata.context": self.context}
        if self.count is not None:
            head["@odata.count"] = self.count
        yield orjson.dumps(head)[:-1] + b',"value":['
        for first in range(0, len(self.rows), SLICE):
            encoded = self._encoded(self.rows[first : first + SLICE])
            yield b"," + encoded if first else encoded
        tail = b"]"
        if self.next_link:
            tail += b',"@odata.nextLink":' + orjson.dumps(self.next_link)
        yield tail + b"}"

    def _encoded(self, rows: Sequence[tuple[Any, ...]]) -> bytes:
        """The rows as JSON objects separated by commas (no brackets)."""
        if self.names is None:
            return ",".join(row[1] for row in rows).encode()
        names = self.names
        return orjson.dumps(
            [dict(zip(names, row[1:], strict=True)) for row in rows], default=_number
        )[1:-1]


def _number(value: Any) -> float:
    """What orjson does not encode itself: a Decimal (none of the sets' columns gives one
    today) as the float JSON carries; anything else is a programming error."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value: {value!r}")
