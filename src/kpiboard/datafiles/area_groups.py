"""A council's neighbour group: a list of area codes, from a file or written inline.

organisation.toml's ``[neighbours] group`` names the areas a council compares itself with
(semantics.md 7), either inline (``group = ["E10000012", "E10000013"]``) or as a file beside
organisation.toml (``group = "cipfa.csv"``). Three shapes of file are read, one code a row:

- a CIPFA nearest-neighbours list, such as Trafford's: a header row with a column of codes named
  ``code`` or ``area_code`` (any case; also ``neighbour_code``, ``gss_code``, ``areaIdentifier``,
  ``local authority code``), any other columns ignored;
- Oflog's nearest-neighbour map (``focus_code, focus_name, neighbour_code, neighbour_name,
  is_self``), which may hold the groups of several councils: the rows whose ``focus_code`` is the
  council's ``area_code`` are its group;
- a plain list of codes with no header at all (the first cell is then already a code).

Codes are GSS codes (a capital letter and eight digits, such as E10000003), so that a name in the
code column, or a code with a space inside, is caught here rather than silently matching nothing.
Each code may appear once. The group file is small (tens of rows), so Python's csv module reads it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from kpiboard.datafiles.errors import DataError, DataFileError

__all__ = [
    "AREA_CODE",
    "AREA_CODE_EXPECTED",
    "group_code_errors",
    "read_area_group",
]

AREA_CODE = re.compile(r"^[A-Z][0-9]{8}$")
AREA_CODE_EXPECTED = (
    "an area code such as E10000003 (a GSS code: a capital letter and eight digits)"
)

_CODE_COLUMNS = (
    "area_code",
    "code",
    "neighbour_code",
    "gss_code",
    "areaidentifier",
    "local_authority_code",
)
"""Names of the column of codes, in order of preference (compared lower-cased, spaces as _)."""


def read_area_group(
    path: str | Path, *, area_code: str | None = None, file: str | None = None
) -> tuple[str, ...]:
    """The area codes of a group file, in file order; ``area_code`` picks the council's rows of a
    nearest-neighbour map. ``file`` is the name errors give the file (its name by default).

    Raises DataFileError naming every row at fault.
    """
    source = Path(path)
    label = file or source.name
    errors: list[DataError] = []
    rows = _rows(source, label, errors)
    codes: list[tuple[int, str, str]] = []  # (row, column, code)
    if rows is not None:
        codes = _codes(rows, label, area_code, errors)
    found = _checked(codes, label, errors)
    if errors:
        raise DataFileError(errors)
    return found


def group_code_errors(codes: Sequence[str]) -> list[tuple[str, str]]:
    """(code, what was expected) for each bad or repeated code of an inline group."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code in codes:
        if not AREA_CODE.match(code):
            problems.append((code, AREA_CODE_EXPECTED))
        elif code in seen:
            problems.append((code, "each area code once in the group"))
        seen.add(code)
    return problems


def _rows(source: Path, label: str, errors: list[DataError]) -> list[list[str]] | None:
    try:
        data = source.read_bytes()
    except OSError as error:
        errors.append(DataError(label, None, None, None, f"a file that can be read ({error})"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        errors.append(
            DataError(label, line, None, None, 'UTF-8 text: in Excel, save it as "CSV UTF-8"')
        )
        return None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        errors.append(DataError(label, None, None, None, f"CSV that can be read ({error})"))
        return None


def _codes(
    rows: list[list[str]], label: str, area_code: str | None, errors: list[DataError]
) -> list[tuple[int, str, str]]:
    """(row, column name, code) of every code in the file, before they are checked."""
    filled = [(n, row) for n, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if not filled:
        errors.append(DataError(label, 1, None, None, "area codes, one a row"))
        return []
    first_number, header = filled[0]
    names = [_name(cell) for cell in header]
    if AREA_CODE.match(header[0].strip()):  # no header: a code on the first row already
        return [(number, "A", row[0].strip()) for number, row in filled]
    body = filled[1:]
    if "focus_code" in names and "neighbour_code" in names:
        focus_at = names.index("focus_code")
        body = _focus_rows(body, focus_at, header[focus_at].strip(), label, area_code, errors)
        position = names.index("neighbour_code")
    else:
        position = next((names.index(n) for n in _CODE_COLUMNS if n in names), -1)
        if position < 0:
            errors.append(
                DataError(
                    label,
                    first_number,
                    None,
                    ",".join(cell.strip() for cell in header),
                    "a header with a column of area codes named code or area_code (as in a "
                    "CIPFA list), Oflog's focus_code and neighbour_code, or no header at all",
                )
            )
            return []
    column = header[position].strip()
    return [(number, column, _cell(row, position)) for number, row in body]


def _focus_rows(
    body: list[tuple[int, list[str]]],
    focus_at: int,
    focus_column: str,
    label: str,
    area_code: str | None,
    errors: list[DataError],
) -> list[tuple[int, list[str]]]:
    """The rows of a nearest-neighbour map whose focus is the council."""
    focuses = sorted({_cell(row, focus_at) for _, row in body} - {""})
    if area_code is None and len(focuses) == 1:
        area_code = focuses[0]
    if area_code is None or area_code not in focuses:
        listed = ", ".join(focuses[:12]) + (", ..." if len(focuses) > 12 else "")
        wanted = (
            f"rows whose {focus_column} is the council's area_code {area_code}"
            if area_code is not None
            else f"one {focus_column}, or an area_code in organisation.toml to choose one"
        )
        errors.append(
            DataError(label, None, focus_column, None, f"{wanted} (the file has {listed})")
        )
        return []
    return [(n, row) for n, row in body if _cell(row, focus_at) == area_code]


def _checked(
    codes: list[tuple[int, str, str]], label: str, errors: list[DataError]
) -> tuple[str, ...]:
    found: dict[str, int] = {}
    for row, column, code in codes:
        if not AREA_CODE.match(code):
            errors.append(DataError(label, row, column, code, AREA_CODE_EXPECTED))
        elif code in found:
            expected = f"each area code once: row {found[code]} has {code} already"
            errors.append(DataError(label, row, column, code, expected))
        else:
            found[code] = row
    if not codes and not errors:
        errors.append(DataError(label, None, None, None, "at least one area code"))
    return tuple(found)


def _cell(row: list[str], position: int) -> str:
    return row[position].strip() if position < len(row) else ""


def _name(cell: str) -> str:
    return "_".join(cell.strip().lower().split())
