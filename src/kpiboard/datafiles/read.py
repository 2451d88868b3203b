"""Read a data folder or workbook into a Dataset: every check first, then the model.

Both sources become a :class:`RawData` (the organisation document and each file's text cells);
from there one path checks and builds them, so a folder and a workbook of the same data give the
same Dataset and the same errors (bar the file names). Nothing is returned when anything is wrong:
:class:`~kpiboard.datafiles.errors.DataFileError` lists every error of every file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import polars as pl

from kpiboard.analysis.model import Dataset, Narrative, Organisation
from kpiboard.analysis.proposals import Proposal, ProposalComment, ProposalRound
from kpiboard.datafiles.actions import build_actions, check_actions
from kpiboard.datafiles.breakdowns import (
    build_breakdowns,
    check_breakdown_groups,
    check_breakdown_tables,
    check_breakdowns,
    combination_errors,
)
from kpiboard.datafiles.build import build_dataset, with_neighbours
from kpiboard.datafiles.checks import (
    check_commentary,
    check_indicators,
    check_neighbours,
    check_observations,
    check_targets,
)
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.folder import read_folder
from kpiboard.datafiles.narrative import Context, check_unique, parse_narrative
from kpiboard.datafiles.organisation import organisation_from_document
from kpiboard.datafiles.period_columns import PeriodBook
from kpiboard.datafiles.proposals import check_strategic_column, read_proposals
from kpiboard.datafiles.schema import BREAKDOWNS, INDICATORS, NEIGHBOURS, TABLES, TableSpec
from kpiboard.datafiles.source import RawData
from kpiboard.datafiles.strategic import check_strategic_table
from kpiboard.datafiles.tables import RawTable, Table, check_table
from kpiboard.datafiles.workbook import read_workbook

__all__ = ["dataset_from_raw", "read_dataset"]


_CHECKS: dict[str, Callable[[Table, pl.DataFrame, PeriodBook, list[DataError]], pl.DataFrame]] = {
    "targets": check_targets,
    "observations": check_observations,
    "neighbours": check_neighbours,
    "commentary": check_commentary,
    "breakdowns": check_breakdowns,
    "actions": check_actions,
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
    """Check everything in ``raw``, then build the Dataset; raise with every error found.

    neighbours.csv, the largest file by far (a national data set), is checked in a second
    thread while this one checks and builds the others: its checks run inside polars, which
    lets go of the GIL, and the observations are built in Python meanwhile. It has its own
    PeriodBook, so the numbering of periods never depends on which thread came first. What the
    other files built is thrown away if anything, anywhere, is wrong.
    """
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
        check_strategic_column(indicator_table, errors)
    neighbour_book = PeriodBook(organisation.settings.year_start_month)
    with ThreadPoolExecutor(1) as pool:
        neighbours = pool.submit(
            _checked, raw.tables.get(NEIGHBOURS.name), NEIGHBOURS, known, neighbour_book
        )
        frames: dict[str, pl.DataFrame | None] = {}
        for spec in TABLES[1:]:
            if spec is not NEIGHBOURS:
                frames[spec.name], found = _checked(raw.tables.get(spec.name), spec, known, book)
                errors += found
        breakdown_tables = {}
        if raw.organisation is not None:
            refs = None if known is None else known["ref"].to_list()
            breakdown_tables = check_breakdown_tables(raw.organisation, raw.locate, refs, errors)
        breakdown_file = _file_name(raw, BREAKDOWNS)
        check_breakdown_groups(frames.get("breakdowns"), breakdown_file, breakdown_tables, errors)
        built = None
        if not errors and indicator_table is not None and raw.organisation is not None:
            built = build_dataset(organisation, indicator_table, frames, book.periods)
            optional = Dataset.build(  # indexed by ref as Dataset.build indexes them
                organisation,
                [],
                actions=build_actions(frames.get("actions"), book.periods),
                breakdowns=build_breakdowns(frames.get("breakdowns"), book.periods),
            )
            built = replace(built, actions=optional.actions, breakdowns=optional.breakdowns)
            errors += combination_errors(
                built, frames.get("breakdowns"), breakdown_file, breakdown_tables
            )
        neighbour_frame, found = neighbours.result()
    errors += found
    narratives = _narratives(raw, organisation, known, errors)
    rounds: tuple[ProposalRound, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    comments: tuple[ProposalComment, ...] = ()
    if raw.organisation is not None:
        check_strategic_table(raw.organisation, organisation, raw.locate, errors)
        rounds, proposals, comments = read_proposals(raw.proposal_tables, organisation, errors)
    if errors or built is None:
        raise DataFileError(_in_order(errors, raw.files))
    built = replace(
        built,
        narratives={(n.scope, n.period): n for n in narratives},
        rounds=rounds,
        proposals=proposals,
        proposal_comments=comments,
    )
    return with_neighbours(built, neighbour_frame, neighbour_book.periods)


def _narratives(
    raw: RawData, organisation: Organisation, known: pl.DataFrame | None, errors: list[DataError]
) -> list[Narrative]:
    """The reports/ documents, checked against the organisation's scopes and the refs."""
    scopes = frozenset(
        ["organisation"]
        + [c.id for c in organisation.committees]
        + [d.id for d in organisation.directorates]
        + ["strategic"]  # the strategic scorecards (docs/proposals.md)
        + [f"strategic-{d.id}" for d in organisation.directorates]
    )
    refs = None if known is None else frozenset(known["ref"].to_list())
    context = Context(scopes, refs, organisation.settings.year_start_month)
    parsed = []
    for file, text in raw.documents:
        narrative = parse_narrative(text, file, context, errors)
        if narrative is not None:
            parsed.append((file, narrative))
    check_unique(parsed, errors)
    return [narrative for _, narrative in parsed]


def _file_name(raw: RawData, spec: TableSpec) -> str:
    """The name errors give a file (a workbook's sheet: "data.xlsx, sheet breakdowns")."""
    table = raw.tables.get(spec.name)
    return table.file if table is not None else spec.filename


def _checked(
    table: RawTable | None, spec: TableSpec, known: pl.DataFrame | None, book: PeriodBook
) -> tuple[pl.DataFrame | None, list[DataError]]:
    """One file checked (None when it is not there): the frame the model is built from, and the
    errors found. Without indicators.csv only the cells can be checked."""
    errors: list[DataError] = []
    if table is None:
        return None, errors
    checked = check_table(table, spec, errors)
    if known is None:
        return None, errors
    return _CHECKS[spec.name](checked, known, book, errors), errors


def _in_order(errors: list[DataError], files: list[str]) -> list[DataError]:
    """File by file (as ``files`` lists them), then row by row; checks' order within a row."""
    rank = {file: position for position, file in enumerate(files)}
    return sorted(errors, key=lambda e: (rank.get(e.file, len(rank)), e.row or 0))
