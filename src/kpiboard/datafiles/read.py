"""Read a data folder or workbook into a Dataset: every check first, then the model.

Both sources become a :class:`RawData` (the organisation document and each file's text cells);
from there one path checks and builds them, so a folder and a workbook of the same data give the
same Dataset and the same errors (bar the file names). Nothing is returned when anything is wrong:
:class:`~kpiboard.datafiles.errors.DataFileError` lists every error of every file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import polars as pl

from kpiboard.analysis.model import Dataset, Organisation
from kpiboard.datafiles.build import build_dataset
from kpiboard.datafiles.checks import (
    check_commentary,
    check_indicators,
    check_neighbours,
    check_observations,
    check_targets,
)
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.folder import read_folder
from kpiboard.datafiles.organisation import organisation_from_document
from kpiboard.datafiles.period_columns import PeriodBook
from kpiboard.datafiles.schema import INDICATORS, TABLES
from kpiboard.datafiles.source import RawData
from kpiboard.datafiles.tables import Table, check_table
from kpiboard.datafiles.workbook import read_workbook

__all__ = ["dataset_from_raw", "read_dataset"]


_CHECKS: dict[str, Callable[[Table, pl.DataFrame, PeriodBook, list[DataError]], pl.DataFrame]] = {
    "targets": check_targets,
    "observations": check_observations,
    "neighbours": check_neighbours,
    "commentary": check_commentary,
}


def read_dataset(path: str | os.PathLike[str]) -> Dataset:
    """The Dataset in a data folder, or in an .xlsx workbook (chosen by the path).

    Raises DataFileError, listing every error found, when anything in the data is wrong.
    """
    source = Path(path)
    if source.is_dir():
        return dataset_from_raw(read_folder(source))
    if source.suffix.lower() == ".xlsx" and source.is_file():
        return dataset_from_raw(read_workbook(source))
    expected = "a data folder or an .xlsx workbook"
    found = "nothing there" if not source.exists() else "a file that is neither"
    raise DataFileError([DataError(str(source), None, None, found, expected)])


def dataset_from_raw(raw: RawData) -> Dataset:
    """Check everything in ``raw``, then build the Dataset; raise with every error found."""
    errors = list(raw.errors)
    organisation = Organisation(name="")
    if raw.organisation is not None:
        organisation = organisation_from_document(raw.organisation, raw.locate, errors)
    book = PeriodBook(organisation.settings.year_start_month)
    raw_indicators = raw.tables.get(INDICATORS.name)
    indicator_table = (
        check_table(raw_indicators, INDICATORS, errors) if raw_indicators is not None else None
    )
    known = None
    if indicator_table is not None:
        readable = organisation if raw.organisation is not None else None
        known = check_indicators(indicator_table, readable, errors)
    frames: dict[str, pl.DataFrame | None] = {}
    for spec in TABLES[1:]:
        table = raw.tables.get(spec.name)
        frames[spec.name] = None
        if table is not None:
            checked = check_table(table, spec, errors)
            if known is not None:  # without indicators.csv only the cells can be checked
                frames[spec.name] = _CHECKS[spec.name](checked, known, book, errors)
    if errors or indicator_table is None or raw.organisation is None:
        raise DataFileError(_in_order(errors, raw.files))
    return build_dataset(organisation, indicator_table, frames, book.periods)


def _in_order(errors: list[DataError], files: list[str]) -> list[DataError]:
    """File by file (as ``files`` lists them), then row by row; checks' order within a row."""
    rank = {file: position for position, file in enumerate(files)}
    return sorted(errors, key=lambda e: (rank.get(e.file, len(rank)), e.row or 0))
