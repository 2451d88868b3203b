"""Write a Dataset as a data folder: organisation.toml and the CSV files of formats.md (the
optional breakdowns.csv and actions.csv only when the Dataset has rows for them).

Columns are in the order of formats.md (indicators.csv then its ``x_`` columns); indicators in their
order, the other files grouped by indicator in that order, each indicator's rows in period order.
Periods are written in their canonical label (``2024/25 Q2``), numbers with ``str(Decimal)`` so no
digit is lost, and an empty cell stands for "not given": a computed value (``value_given`` False),
a missing limit, ``rebase`` when false. Reading the folder back gives an equal Dataset.

The CSV files are UTF-8 with a byte order mark, so that Excel opens them with the right characters,
and each file is written to a temporary name and then moved into place.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import tomli_w

from kpiboard.analysis.model import Bound, Dataset, Indicator, UnitDefault
from kpiboard.datafiles.folder import quoted
from kpiboard.datafiles.narrative import REPORTS_FOLDER, narrative_file_name
from kpiboard.datafiles.organisation import ORGANISATION_FILE, organisation_to_document
from kpiboard.datafiles.proposals import PROPOSAL_SPECS, PROPOSALS_FOLDER, proposal_tables
from kpiboard.datafiles.schema import (
    ACTIONS,
    BREAKDOWNS,
    COMMENTARY,
    INDICATORS,
    NEIGHBOURS,
    OBSERVATIONS,
    TABLES,
    TARGETS,
    TableSpec,
)

__all__ = ["Cell", "dataset_tables", "write_folder"]

Cell = str | Decimal | bool | int | None
"""A cell before it is written: text in a CSV file, a typed cell in a workbook."""


def write_folder(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``dataset`` into the folder ``path`` (made if missing; files there replaced)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    document = organisation_to_document(dataset.organisation)
    _replace(folder / ORGANISATION_FILE, tomli_w.dumps(document), encoding="utf-8")
    tables = dataset_tables(dataset)
    written = {spec.name for spec, _, _ in tables}
    for spec in TABLES:  # an optional file with no rows now: an old one there would read back
        if spec.optional and spec.name not in written:
            (folder / spec.filename).unlink(missing_ok=True)
    _write_documents(dataset, folder)
    for spec, header, rows in tables:
        _write_csv(folder / spec.filename, header, rows)
    _write_proposals(dataset, folder)


def _write_csv(target: Path, header: list[str], rows: Iterable[Sequence[Cell]]) -> None:
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_text(cell) for cell in row] for row in rows)
    os.replace(temporary, target)


def _write_proposals(dataset: Dataset, folder: Path) -> None:
    """The proposals/ files with rows (docs/proposals.md); a file with none now is removed, and
    the folder is made only when there is something to write."""
    tables = proposal_tables(dataset)
    place = folder / PROPOSALS_FOLDER
    written = {spec.name for spec, _, _ in tables}
    if place.is_dir():
        for spec in PROPOSAL_SPECS:
            if spec.name not in written:
                (place / spec.filename).unlink(missing_ok=True)
    if not tables:
        return
    place.mkdir(exist_ok=True)
    for spec, header, rows in tables:
        _write_csv(place / spec.filename, header, rows)


def _write_documents(dataset: Dataset, folder: Path) -> None:
    """The narrative documents in reports/, each as written; no folder when there are none,
    and no Markdown file left there that the Dataset no longer has."""
    reports = folder / REPORTS_FOLDER
    names = {narrative_file_name(n): n for n in dataset.narratives.values()}
    if reports.is_dir():
        for old in reports.glob("*.md"):
            if old.name not in names:
                old.unlink()
    if not names:
        return
    reports.mkdir(exist_ok=True)
    for name, narrative in sorted(names.items()):
        target = reports / name
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(narrative.source.encode("utf-8"))
        os.replace(temporary, target)


def _replace(target: Path, text: str, encoding: str) -> None:
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(text, encoding=encoding)
    os.replace(temporary, target)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, str):
        return quoted(cell)  # a spreadsheet shows it as text instead of running it
    return str(cell)


def dataset_tables(
    dataset: Dataset,
) -> list[tuple[TableSpec, list[str], Iterator[Sequence[Cell]]]]:
    """Each file's spec, header and rows of typed cells, in the order they are written."""
    refs = _refs(dataset)
    extra = _extra_columns(dataset.indicators)
    tables: list[tuple[TableSpec, list[str], Iterator[Sequence[Cell]]]] = [
        (
            INDICATORS,
            [*INDICATORS.column_names, *extra],
            (_indicator_row(indicator, extra) for indicator in dataset.indicators),
        ),
        (
            TARGETS,
            list(TARGETS.column_names),
            ([t.ref, str(t.start), t.value] for ref in refs for t in dataset.targets.get(ref, ())),
        ),
        (
            OBSERVATIONS,
            list(OBSERVATIONS.column_names),
            (
                [
                    o.ref,
                    str(o.period),
                    o.value if o.value_given else None,
                    o.numerator,
                    o.denominator,
                    o.lower_ci,
                    o.upper_ci,
                    True if o.rebase else None,
                    o.note or None,
                ]
                for ref in refs
                for o in dataset.observations.get(ref, ())
            ),
        ),
        (
            NEIGHBOURS,
            list(NEIGHBOURS.column_names),
            (
                [
                    n.ref,
                    str(n.period),
                    n.area_code,
                    n.area_name or None,
                    n.value,
                    n.lower_ci,
                    n.upper_ci,
                ]
                for ref in refs
                for rows in dataset.neighbours.get(ref, {}).values()
                for n in rows
            ),
        ),
        (
            COMMENTARY,
            list(COMMENTARY.column_names),
            (
                [c.ref, str(c.period), c.text, c.author or None]
                for ref in refs
                for c in dataset.commentary.get(ref, ())
            ),
        ),
    ]
    # The optional files only when there is something to write: data without any is as before.
    breakdowns: list[Sequence[Cell]] = [
        [
            b.ref,
            str(b.period),
            b.group,
            b.value if b.value_given else None,
            b.numerator,
            b.denominator,
            b.note or None,
        ]
        for ref in refs
        for b in dataset.breakdowns.get(ref, ())
    ]
    actions: list[Sequence[Cell]] = [
        [a.ref, str(a.raised_in), a.action, a.who or None, a.due.isoformat(), a.state.value]
        for ref in refs
        for a in dataset.actions.get(ref, ())
    ]
    for spec, rows in ((BREAKDOWNS, breakdowns), (ACTIONS, actions)):
        if rows:
            tables.append((spec, list(spec.column_names), iter(rows)))
    return tables


def _refs(dataset: Dataset) -> list[str]:
    """Indicator refs in file order, then any ref that only the other files name."""
    refs = [indicator.ref for indicator in dataset.indicators]
    seen = set(refs)
    for mapping in (
        dataset.targets,
        dataset.observations,
        dataset.neighbours,
        dataset.commentary,
        dataset.breakdowns,
        dataset.actions,
    ):
        for ref in mapping:
            if ref not in seen:
                seen.add(ref)
                refs.append(ref)
    return refs


def _extra_columns(indicators: Iterable[Indicator]) -> list[str]:
    """The ``x_`` columns, in the order first met."""
    columns: dict[str, None] = {}
    for indicator in indicators:
        for name in indicator.extra:
            if not name.startswith("x_") or name != name.strip().lower():
                raise ValueError(
                    f"indicator {indicator.ref}: extra column {name!r} must be lower case and "
                    "start with x_"
                )
            columns.setdefault(name, None)
    return list(columns)


def _bound_cell(bound: Bound) -> Cell:
    """A ``min`` or ``max`` as written: empty for the unit's default, ``none`` for no bound."""
    if isinstance(bound, UnitDefault):
        return None
    return "none" if bound is None else bound


def _indicator_row(indicator: Indicator, extra: Sequence[str]) -> list[Cell]:
    blue_above: Cell = "none" if indicator.no_blue else indicator.blue_above
    return [
        indicator.ref,
        indicator.name,
        indicator.description or None,
        indicator.unit.value,
        indicator.decimals,
        indicator.direction.value,
        indicator.frequency.value,
        indicator.aggregation.value,
        indicator.cumulative.value,
        indicator.category.value,
        ";".join(indicator.committees),
        indicator.directorate,
        ";".join(indicator.ambitions) or None,
        indicator.national_definition,
        indicator.owner or None,
        indicator.tolerance_mode.value if indicator.tolerance_mode else None,
        indicator.red_at,
        blue_above,
        _bound_cell(indicator.minimum),
        _bound_cell(indicator.maximum),
        indicator.integer,
        indicator.unit_label or None,
        *(indicator.extra.get(name) or None for name in extra),
    ]
