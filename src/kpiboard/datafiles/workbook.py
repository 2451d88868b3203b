"""The data folder as one .xlsx workbook.

Layout (sheet names and column names case-insensitive; the header is row 1 of every sheet):

- ``organisation``: two columns, ``key`` and ``value``, one setting a row. Keys are
  organisation.toml's keys written as TOML dotted keys: ``name``, ``area_code``,
  ``year_start_month``, ``tolerance.mode``, ``tolerance.red_at``, ``tolerance.blue_above``,
  ``summary.percent_rounding``, ``spc.screen_outliers``, ``spc.run_length``, ``spc.min_points``,
  ``trend.points_month``, ...,
  ``neighbours.min_neighbours``, and the leaves of any extra table (``report.srp.title``). A value
  is a text, number or TRUE/FALSE cell. A value that is none of these in TOML (an array, a date,
  an empty table), and a text that itself starts with ``toml:``, is written as ``toml:`` followed
  by its TOML inline form (``toml:["summary", "dashboard"]``), so every document round-trips.
- ``committees``, ``directorates``, ``ambitions``: columns ``id`` and ``name``, one a row (the
  ``[[committees]]`` ... of organisation.toml).
- ``indicators``, ``targets``, ``observations``, ``neighbours``, ``commentary``: the CSV files'
  columns, one sheet each, named as the file without ``.csv``.
- ``rounds``, ``proposals``, ``comments`` (optional): the files of the folder's ``proposals/``
  (docs/proposals.md), named the same way.

Cells are typed. Reading turns each into the text a CSV file would hold: a whole number 12 (or
12.0) is ``12``, another number its shortest exact form (``81.25``), TRUE is ``true``, a date is
its ISO form (so a date in a period column is the period containing it at the indicator's
frequency). Writing puts numbers in number cells when a float holds them exactly (otherwise in
text cells, losing no digit), true/false in boolean cells, and everything else in text cells with
``write_string`` and ``strings_to_formulas`` off: a note starting with ``=``, ``+``, ``-`` or
``@`` stays text and can never run as a formula. After a round trip numbers are equal in value
(81.0 may come back as 81).
"""

from __future__ import annotations

import os
import tomllib
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeGuard

import polars as pl
import tomli_w
from python_calamine import CalamineError, CalamineWorkbook

from kpiboard.analysis.model import Dataset
from kpiboard.datafiles import toml_text
from kpiboard.datafiles.archives import check_workbook
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.narrative import narrative_file_name
from kpiboard.datafiles.organisation import organisation_to_document
from kpiboard.datafiles.proposals import PROPOSAL_SPECS, proposal_tables
from kpiboard.datafiles.schema import ORGANISATION_SHEETS, TABLES, TableSpec
from kpiboard.datafiles.source import RawData
from kpiboard.datafiles.tables import RawTable, check_table
from kpiboard.datafiles.workbook_percent import read_as_shown
from kpiboard.datafiles.write import Cell, dataset_tables

__all__ = ["ORGANISATION_SHEET", "read_workbook", "write_workbook"]

ORGANISATION_SHEET = "organisation"
_TOML_PREFIX = "toml:"
_LIST_SHEETS = tuple(spec.name for spec in ORGANISATION_SHEETS)
_WHOLE_FLOAT_LIMIT = 2**53
REPORTS_SHEET = "reports"  # the narrative documents, one a row (docs/narrative.md)
_LAST_ROW = 1_048_575  # data rows a worksheet holds below its header
_KNOWN_SHEETS = frozenset(
    (
        ORGANISATION_SHEET,
        *_LIST_SHEETS,
        *(spec.name for spec in TABLES),
        REPORTS_SHEET,
        *(spec.name for spec in PROPOSAL_SPECS),
    )
)


# -- reading ---------------------------------------------------------------------------------


def read_workbook(path: Path) -> RawData:
    """The text of every sheet of the workbook, with the errors met reading them."""
    errors: list[DataError] = []
    label = {
        name: f"{path.name}, sheet {name}"
        for name in (ORGANISATION_SHEET, *_LIST_SHEETS, *(spec.name for spec in TABLES))
    }
    files = list(label.values())
    try:
        check_workbook(path, path.name)
    except DataFileError as refused:
        errors.extend(refused.errors)
        return RawData(None, lambda key: (path.name, None, key), {}, files, errors)
    try:
        sheets = _read_sheets(path)
    except _SameSheetTwiceError as twice:
        expected = (
            f"one sheet named {twice.first.strip().lower()} (names are read whatever their case "
            f'and spaces): the workbook has "{twice.first}" and "{twice.second}"; keep one'
        )
        errors.append(DataError(path.name, None, None, None, expected))
        return RawData(None, lambda key: (path.name, None, key), {}, files, errors)
    except _DamagedSheetError as damaged:
        expected = (
            "a sheet whose XML is whole: it is damaged or cut short (the reader says "
            f"{type(damaged.error).__name__}: {damaged.error}); save the workbook again"
        )
        errors.append(DataError(f"{path.name}, sheet {damaged.sheet}", None, None, None, expected))
        return RawData(None, lambda key: (path.name, None, key), {}, files, errors)
    except (CalamineError, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        errors.append(DataError(path.name, None, None, None, f"an .xlsx workbook ({error})"))
        return RawData(None, lambda key: (path.name, None, key), {}, files, errors)
    tables: dict[str, RawTable | None] = {}
    for spec in TABLES:
        rows = sheets.get(spec.name)
        tables[spec.name] = _raw_table(label[spec.name], rows) if rows is not None else None
        if rows is None and spec is TABLES[0]:
            errors.append(DataError(path.name, None, None, None, "a sheet named indicators"))
    document, locations = _organisation_document(sheets, label, errors)
    if document is None:
        errors.append(
            DataError(
                path.name,
                None,
                None,
                None,
                "a sheet named organisation, with columns key and value",
            )
        )
    organisation_label = label[ORGANISATION_SHEET]
    documents = _documents(sheets.get(REPORTS_SHEET), f"{path.name}, sheet {REPORTS_SHEET}", errors)

    def locate(key: str) -> tuple[str, int | None, str | None]:
        return locations.get(key, (organisation_label, None, key))

    proposals: dict[str, RawTable | None] = {}
    for spec in PROPOSAL_SPECS:
        name = f"{path.name}, sheet {spec.name}"
        files.append(name)
        rows = sheets.get(spec.name)
        proposals[spec.name] = _raw_table(name, rows) if rows is not None else None
    return RawData(document, locate, tables, files, errors, documents, proposals)


def _documents(
    rows: list[tuple[object, ...]] | None, label: str, errors: list[DataError]
) -> list[tuple[str, str]]:
    """The reports sheet's narrative documents: a row per document, columns file and document."""
    if not rows:
        return []
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if header[:2] != ["file", "document"]:
        errors.append(DataError(label, 1, None, ", ".join(header), "columns file and document"))
        return []
    documents = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_cell_text(cell) for cell in (*row, None, None)[:2]]
        if not any(cells):
            continue
        name, text = cells
        documents.append((f"{label}, row {number} ({name or 'no file name'})", text or ""))
    return documents


class _SameSheetTwiceError(Exception):
    """Two sheets whose names differ only in case or spaces (observations and "Observations ")."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)
        self.first, self.second = first, second


class _DamagedSheetError(Exception):
    """A known sheet whose XML cannot be read to its end."""

    def __init__(self, sheet: str, error: Exception) -> None:
        super().__init__(sheet)
        self.sheet, self.error = sheet, error


def _read_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every worksheet's rows of typed cells (cached values of formulas), by name in lower case.

    python-calamine (Rust) reads them: openpyxl took three quarters of a 1,000-indicator import
    (docs/performance.md). It gives a cell's text as written, Office Open XML's ``_xHHHH_``
    escapes undone (a carriage return typed on the web comes back as one, a literal
    ``_x000D_`` as typed), and an empty cell as "".
    """
    book = CalamineWorkbook.from_path(str(path))
    sheets: dict[str, list[tuple[object, ...]]] = {}
    spelled: dict[str, str] = {}
    for name in book.sheet_names:
        if name.strip().lower() not in _KNOWN_SHEETS:
            continue  # a sheet of the council's own: never parsed, however large
        if name.strip().lower() in spelled:
            raise _SameSheetTwiceError(spelled[name.strip().lower()], name)
        spelled[name.strip().lower()] = name
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except CalamineError as error:
            raise _DamagedSheetError(name, error) from error
        sheets[name.strip().lower()] = [tuple(None if c == "" else c for c in row) for row in rows]
    read_as_shown(path, sheets)
    return sheets


def _cell_text(value: object) -> str | None:
    """The text a CSV file would hold for a typed cell."""
    if value is None:
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _WHOLE_FLOAT_LIMIT:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _raw_table(file: str, rows: Sequence[Sequence[object]]) -> RawTable:
    """A sheet as text cells, like a CSV file's. A filled cell right of the header's last is kept
    under a column with no name, which the checks refuse (it is never silently dropped)."""
    header = tuple(_cell_text(cell) for cell in rows[0]) if rows else ()
    while header and header[-1] is None:
        header = header[:-1]
    body = rows[1:]
    filled = max(
        (max((i + 1 for i, cell in enumerate(row) if cell is not None), default=0) for row in body),
        default=0,
    )
    header = header + (None,) * (filled - len(header))
    columns = {
        f"c{position}": [_cell_text(row[position]) if position < len(row) else None for row in body]
        for position in range(len(header))
    }
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return RawTable(file, header, frame)


def _organisation_document(
    sheets: Mapping[str, list[tuple[object, ...]]],
    label: Mapping[str, str],
    errors: list[DataError],
) -> tuple[dict[str, Any] | None, dict[str, tuple[str, int | None, str | None]]]:
    """organisation.toml's document from the organisation sheet and the id-and-name sheets,
    with where each key was found (for errors)."""
    locations: dict[str, tuple[str, int | None, str | None]] = {}
    rows = sheets.get(ORGANISATION_SHEET)
    if rows is None:
        return None, locations
    document: dict[str, Any] = {}
    file = label[ORGANISATION_SHEET]
    header = [(_cell_text(cell) or "").strip().lower() for cell in rows[0]] if rows else []
    if header[:2] != ["key", "value"]:
        found = ", ".join(cell for cell in header if cell)
        errors.append(DataError(file, 1, None, found, "the columns key and value"))
        return document, locations
    for number, row in enumerate(rows[1:], start=2):
        key = (_cell_text(row[0]) or "").strip() if row else ""
        value = row[1] if len(row) > 1 else None
        if not key:
            if value is not None:
                errors.append(DataError(file, number, "key", "", "the key of the setting"))
            continue
        if value is None:  # an empty cell leaves the setting at its default
            continue
        locations[key] = (file, number, key)
        _set_setting(document, key, value, (file, number), errors)
    for spec in ORGANISATION_SHEETS:
        sheet = sheets.get(spec.name)
        if sheet is not None:
            document[spec.name] = _id_names(spec, label[spec.name], sheet, locations, errors)
    return document, locations


def _set_setting(
    document: dict[str, Any],
    key: str,
    cell: object,
    where: tuple[str, int],
    errors: list[DataError],
) -> None:
    """Put one row's value into the document at its dotted key."""
    file, row = where
    try:
        path = _key_path(key)
    except tomllib.TOMLDecodeError:
        errors.append(
            DataError(
                file, row, "key", key, "a setting key such as tolerance.red_at or report.title"
            )
        )
        return
    try:
        value = _setting_value(cell)
    except tomllib.TOMLDecodeError as error:
        errors.append(
            DataError(file, row, key, _cell_text(cell), f"a TOML value after toml: ({error})")
        )
        return
    table = document
    for part in path[:-1]:
        inner = table.setdefault(part, {})
        if not isinstance(inner, dict):
            errors.append(
                DataError(
                    file, row, key, _cell_text(cell), f"a key that is not inside the setting {part}"
                )
            )
            return
        table = inner
    if path[-1] in table:
        errors.append(
            DataError(
                file, row, key, _cell_text(cell), "each setting once: this key is on an earlier row"
            )
        )
        return
    table[path[-1]] = value


def _key_path(key: str) -> list[str]:
    """The parts of a TOML dotted key: 'report."a.b".title' is report, a.b, title."""
    parsed: Any = tomllib.loads(f"{key} = 0")
    path = []
    while isinstance(parsed, dict):
        ((part, parsed),) = parsed.items()
        path.append(part)
    return path


def _setting_value(cell: object) -> object:
    """A typed cell as a TOML value; ``toml:`` text is read as TOML."""
    if isinstance(cell, str) and cell.startswith(_TOML_PREFIX):
        literal: Any = toml_text.loads("v = " + cell[len(_TOML_PREFIX) :])
        return literal["v"]
    if isinstance(cell, float):
        return Decimal(repr(cell))
    return cell


def _id_names(
    spec: TableSpec,
    file: str,
    rows: Sequence[Sequence[object]],
    locations: dict[str, tuple[str, int | None, str | None]],
    errors: list[DataError],
) -> list[dict[str, str]]:
    """The committees (or directorates, ambitions) sheet as organisation.toml's entries."""
    table = check_table(_raw_table(file, rows), spec, errors)
    entries = []
    for row, id_, name in table.frame.select("_row", "id", "name").iter_rows():
        if id_ is None or name is None:  # already reported as an empty cell
            continue
        entries.append({"id": id_, "name": name})
        for column in ("id", "name"):
            locations[f"{spec.name}[{len(entries)}].{column}"] = (file, row, column)
    return entries


# -- writing ---------------------------------------------------------------------------------


def write_workbook(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``dataset`` as an .xlsx workbook at ``path`` (replaced if there)."""
    import xlsxwriter

    options = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "constant_memory": True,
    }
    document = organisation_to_document(dataset.organisation)
    lists = {name: document.pop(name, []) for name in _LIST_SHEETS}
    with xlsxwriter.Workbook(os.fspath(path), options) as book:
        bold = book.add_format({"bold": True})
        _write_sheet(
            book,
            bold,
            ORGANISATION_SHEET,
            ["key", "value"],
            ([key, value] for key, value in _settings(document)),
        )
        for name in _LIST_SHEETS:
            _write_sheet(
                book,
                bold,
                name,
                ["id", "name"],
                ([entry["id"], entry["name"]] for entry in lists[name]),
            )
        for spec, header, rows in dataset_tables(dataset):
            _write_sheet(book, bold, spec.name, header, rows)
        if dataset.narratives:
            narratives = sorted((narrative_file_name(n), n) for n in dataset.narratives.values())
            _write_sheet(
                book,
                bold,
                REPORTS_SHEET,
                ["file", "document"],
                ([name, n.source] for name, n in narratives),
            )
        for spec, header, proposal_rows in proposal_tables(dataset):
            _write_sheet(book, bold, spec.name, header, iter(proposal_rows))


def _write_sheet(
    book: Any, bold: Any, name: str, header: Sequence[str], rows: Iterator[Sequence[Cell]]
) -> None:
    sheet = book.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    for column, title in enumerate(header):
        sheet.write_string(0, column, title, bold)
    for number, row in enumerate(rows, start=1):
        if number > _LAST_ROW:  # XlsxWriter would drop the rest without a word
            raise ValueError(
                f"{name} has more rows than a worksheet holds ({_LAST_ROW:,}): write a folder"
            )
        for column, cell in enumerate(row):
            _write_cell(sheet, number, column, cell)


def _write_cell(sheet: Any, row: int, column: int, cell: Cell) -> None:
    if cell is None:
        return
    if isinstance(cell, bool):
        sheet.write_boolean(row, column, cell)
    elif isinstance(cell, int):
        sheet.write_number(row, column, cell)
    elif isinstance(cell, Decimal):
        as_float = float(cell)
        if Decimal(repr(as_float)) == cell:
            sheet.write_number(row, column, as_float)
        else:  # more digits than a float holds: text keeps them all
            sheet.write_string(row, column, str(cell))
    else:
        sheet.write_string(row, column, cell)


def _settings(document: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Cell]]:
    """The document's leaves as (dotted key, cell); see the module docstring for ``toml:``."""
    for key, value in document.items():
        dotted = prefix + _key_literal(key)
        if isinstance(value, Mapping) and value:
            yield from _settings(value, dotted + ".")
        elif _plain_cell(value):
            yield dotted, value
        else:
            yield dotted, _TOML_PREFIX + _toml_literal(value)


def _plain_cell(value: object) -> TypeGuard[Cell]:
    """A value a cell holds as itself: text (not starting toml:), true/false, or a number a float
    holds exactly."""
    if isinstance(value, str):
        return bool(value) and not value.startswith(_TOML_PREFIX)
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < _WHOLE_FLOAT_LIMIT
    if isinstance(value, Decimal):
        return value.is_finite() and Decimal(repr(float(value))) == value
    return False


def _key_literal(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]


def _toml_literal(value: object) -> str:
    """A value in TOML's inline form, on one line."""
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key_literal(k)} = {_toml_literal(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")
