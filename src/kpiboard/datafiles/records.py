"""Rows held in memory as a third source beside the folder and the workbook.

The web application checks a return typed into a form by the very checks a data folder gets:
it passes the indicator's row and the typed figures here as text cells, and gets back the
Dataset, or :class:`~kpiboard.datafiles.DataFileError` with every error by column.

>>> from kpiboard.datafiles.records import dataset_from_records
>>> document = {"name": "Demo", "committees": [{"id": "c", "name": "C"}],
...             "directorates": [{"id": "d", "name": "D"}]}
>>> indicator = {"ref": "1", "name": "On time", "unit": "percent", "direction": "higher",
...              "frequency": "month", "category": "targeted", "committees": "c",
...              "directorate": "d"}
>>> figure = {"ref": "1", "period": "2024-07", "numerator": "3", "denominator": "4"}
>>> data = dataset_from_records(document, {"indicators": [indicator], "observations": [figure]})
>>> data.observations["1"][0].value
Decimal('75')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from kpiboard.analysis.model import Dataset
from kpiboard.datafiles.organisation import toml_location
from kpiboard.datafiles.read import dataset_from_raw
from kpiboard.datafiles.schema import TABLES
from kpiboard.datafiles.source import RawData
from kpiboard.datafiles.tables import RawTable

__all__ = ["dataset_from_records"]

Record = Mapping[str, str | None]


def dataset_from_records(
    organisation: Mapping[str, Any], tables: Mapping[str, Sequence[Record]]
) -> Dataset:
    """Check rows given as text cells by column name (``{"indicators": [{"ref": ...}]}``).

    Errors name the file as the folder would (``observations.csv``) and the row as its place in
    the list (the first row is row 2, after a header).
    """
    raw: dict[str, RawTable | None] = {}
    for spec in TABLES:
        rows = tables.get(spec.name)
        if rows is None:
            raw[spec.name] = None
            continue
        header: list[str] = []
        for row in rows:
            header.extend(name for name in row if name not in header)
        columns = {
            f"c{position}": [row.get(name) for row in rows] for position, name in enumerate(header)
        }
        frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
        raw[spec.name] = RawTable(f"{spec.name}.csv", tuple(header), frame)
    files = ["organisation.toml", *(f"{spec.name}.csv" for spec in TABLES)]
    return dataset_from_raw(RawData(organisation, toml_location, raw, files))
