"""Import one national metric into a data folder's neighbours.csv (``kpiboard import-neighbours``).

The metric's values for every area become the rows of one indicator (which must have a national
definition) in neighbours.csv: the indicator's earlier rows for the periods in the national file
are replaced, its rows for other periods and every other indicator's rows are kept. It is all or
nothing: the folder is read and checked first, the national file is read and checked against the
indicator (its frequency; 0 to 100 for a percentage), the new neighbours.csv is written to a
temporary file and the folder is read again with it in place, and only then is it moved over the
old one. Any error leaves the folder as it was.

neighbours.csv is written as :func:`~kpiboard.datafiles.write_folder` writes it: indicators in
their order, each in period order, periods as canonical labels (2022/23), so rows kept from
before may change in form (``2022-23`` to ``2022/23``) but never in value.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kpiboard.analysis.model import Dataset, Indicator, NeighbourValue, Unit
from kpiboard.analysis.periods import Period
from kpiboard.datafiles.folder import read_csv, read_folder
from kpiboard.datafiles.national import SourceFormat, read_national, sniff_format
from kpiboard.datafiles.read import dataset_from_raw, read_dataset
from kpiboard.datafiles.schema import NEIGHBOURS
from kpiboard.datafiles.write import Cell, dataset_tables

__all__ = ["ImportSummary", "NeighbourImportError", "neighbours_import"]


class NeighbourImportError(ValueError):
    """The import cannot be made as asked: ``option`` names the argument at fault."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did: ``rows`` rows for ``areas`` areas in ``periods``, replacing
    ``replaced`` rows of the indicator, keeping ``kept`` other rows of neighbours.csv."""

    ref: str
    metric: str | None
    source: str
    source_format: SourceFormat
    areas: int
    periods: tuple[Period, ...]
    rows: int
    replaced: int
    kept: int

    def __str__(self) -> str:
        """One line, such as: Imported 1,216 rows of ASC1 from oflog.csv (oflog) into indicator
        ASC1: 152 areas, 8 periods (2015/16 to 2022/23); 128 earlier rows replaced, 900 other
        rows kept in neighbours.csv."""
        first, last = self.periods[0], self.periods[-1]
        span = f"{first} to {last}" if first != last else str(first)
        metric = self.metric or "its one metric"
        return (
            f"Imported {self.rows:,} rows of {metric} from {self.source} ({self.source_format}) "
            f"into indicator {self.ref}: {self.areas:,} areas, {len(self.periods)} periods "
            f"({span}); {self.replaced:,} earlier rows replaced, {self.kept:,} other rows kept "
            f"in {NEIGHBOURS.filename}."
        )


def neighbours_import(
    *,
    folder: Path,
    source: Path,
    ref: str,
    metric: str | None = None,
    source_format: SourceFormat | None = None,
) -> ImportSummary:
    """Put every area's values of ``metric`` in ``source`` into ``folder``'s neighbours.csv as
    indicator ``ref``'s. Raises DataFileError (bad data in either) or NeighbourImportError."""
    if not folder.is_dir():
        raise NeighbourImportError(
            "--data",
            f"{folder} is not a data folder: the values go into its {NEIGHBOURS.filename}, so "
            "a workbook cannot take them (write it out as a folder first)",
        )
    dataset = read_dataset(folder)
    indicator = _national_indicator(dataset, ref)
    chosen = source_format or sniff_format(source)
    imported = read_national(
        source,
        ref=ref,
        metric=metric,
        source_format=chosen,
        frequency=indicator.frequency,
        percent=indicator.unit is Unit.PERCENT,
        year_start_month=dataset.organisation.settings.year_start_month,
    )
    periods = tuple(sorted({row.period for row in imported}, key=lambda p: (p.start, p.end)))
    neighbours, replaced = _merged(dataset.neighbours, ref, imported, set(periods))
    target = _neighbours_file(folder)
    temporary = target.with_name(target.name + ".import.tmp")
    try:
        written = _write(temporary, dataclasses.replace(dataset, neighbours=neighbours))
        _check_folder_with(folder, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return ImportSummary(
        ref=ref,
        metric=metric,
        source=source.name,
        source_format=chosen,
        areas=len({row.area_code for row in imported}),
        periods=periods,
        rows=len(imported),
        replaced=replaced,
        kept=written - len(imported),
    )


def _national_indicator(dataset: Dataset, ref: str) -> Indicator:
    national = [i.ref for i in dataset.indicators if i.national_definition]
    listed = ", ".join(national[:20]) + (", ..." if len(national) > 20 else "") or "none"
    try:
        indicator = dataset.indicator(ref)
    except KeyError:
        raise NeighbourImportError(
            "--indicator",
            f"no indicator has the ref {ref!r} in indicators.csv: expected one with a national "
            f"definition ({listed})",
        ) from None
    if not indicator.national_definition:
        raise NeighbourImportError(
            "--indicator",
            f"indicator {ref} ({indicator.name}) has national_definition false, so neighbour "
            "values mean nothing for it: set it to true in indicators.csv if it is measured as "
            f"the national metric is (indicators with a national definition: {listed})",
        )
    return indicator


def _merged(
    neighbours: Mapping[str, Mapping[Period, tuple[NeighbourValue, ...]]],
    ref: str,
    imported: Sequence[NeighbourValue],
    periods: set[Period],
) -> tuple[dict[str, Mapping[Period, tuple[NeighbourValue, ...]]], int]:
    """Every indicator's neighbour rows with ``ref``'s rows in ``periods`` replaced by
    ``imported``; and how many were replaced."""
    before = neighbours.get(ref, {})
    replaced = sum(len(rows) for period, rows in before.items() if period in periods)
    kept = [row for period, rows in before.items() if period not in periods for row in rows]
    by_period: dict[Period, list[NeighbourValue]] = {}
    for row in sorted([*kept, *imported], key=lambda r: r.period.start):  # stable
        by_period.setdefault(row.period, []).append(row)
    merged: dict[str, Mapping[Period, tuple[NeighbourValue, ...]]] = dict(neighbours)
    merged[ref] = {period: tuple(rows) for period, rows in by_period.items()}
    return merged, replaced


def _neighbours_file(folder: Path) -> Path:
    """The folder's neighbours.csv, whatever the case of its name."""
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.lower() == NEIGHBOURS.filename:
            return entry
    return folder / NEIGHBOURS.filename


def _write(path: Path, dataset: Dataset) -> int:
    """neighbours.csv of ``dataset`` as the folder writer writes it; the number of rows."""
    header, rows = next((h, r) for spec, h, r in dataset_tables(dataset) if spec is NEIGHBOURS)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(_texts(row))
            count += 1
    return count


def _texts(row: Iterable[Cell]) -> list[str]:
    return ["" if cell is None else str(cell) for cell in row]


def _check_folder_with(folder: Path, neighbours: Path) -> None:
    """Read the folder with ``neighbours`` as its neighbours.csv; raise as read_dataset does."""
    raw = read_folder(folder)
    table = read_csv(neighbours, NEIGHBOURS.filename, raw.errors)
    dataset_from_raw(dataclasses.replace(raw, tables={**raw.tables, NEIGHBOURS.name: table}))
