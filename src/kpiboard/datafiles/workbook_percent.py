"""Cells a workbook shows as percentages: 81% is stored as 0.81, and means 81.

A figure of a percentage indicator is written in percentage points (81 for 81%). A cell formatted
as a percentage in Excel holds the fraction (0.81) and shows 81%; read as stored, it would be a
figure of 0.81%, wrong by a factor of a hundred and silently so. The workbook reader asks
:func:`percent_cells` which cells of the figure sheets carry a percentage number format, and reads
each as the number it shows (:func:`shown_percent`) where the row's indicator is a percentage, and
as the text "81%" otherwise, which the number check refuses by name ("no % sign").

A number format is a percentage when its code has a ``%`` outside quoted text and escapes
(Excel's built-in formats 9 ``0%`` and 10 ``0.00%``, or a custom code such as ``0.0%``). Only the
styles and the figure sheets' cell attributes are read, with defusedxml, and only when some style
is a percentage at all.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse, parse

__all__ = ["FIGURE_COLUMNS", "percent_cells", "read_as_shown", "shown_percent"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILT_IN_PERCENT = frozenset({9, 10})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, an escaped character, [colour]
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
EXCEL_DIGITS = 15
"""Excel keeps 15 significant digits: a stored 0.8100000000000001 is the 0.81 that was typed."""


def shown_percent(value: float) -> Decimal:
    """The percentage a cell holding ``value`` shows: 0.81 -> 81, 0.815 -> 81.5.

    >>> shown_percent(0.8100000000000001), shown_percent(0.815), shown_percent(1.0)
    (Decimal('81'), Decimal('81.5'), Decimal('100'))
    """
    exact = Decimal(repr(value))
    if exact.is_zero():
        return Decimal(0)
    places = EXCEL_DIGITS - exact.adjusted() - 1
    return Decimal(f"{(exact.quantize(Decimal(1).scaleb(-places)) * 100).normalize():f}")


def percent_cells(path: Path, sheets: Iterable[str]) -> dict[str, set[tuple[int, int]]]:
    """For each sheet named (any case), the (row, column) of each cell with a percentage format,
    both counted from 0 as the reader's rows are."""
    wanted = {name.strip().lower() for name in sheets}
    part = "xl/styles.xml"
    try:
        with zipfile.ZipFile(path) as archive:
            styles = _percent_styles(archive)
            if not styles:
                return {}
            found: dict[str, set[tuple[int, int]]] = {}
            for name, part in _sheet_parts(archive).items():
                if name.strip().lower() in wanted and part in archive.namelist():
                    with archive.open(part) as xml:
                        found[name.strip().lower()] = _styled_cells(xml, styles)
            return found
    except (SyntaxError, DefusedXmlException) as error:  # ParseError is a SyntaxError
        raise ValueError(f"{part} is not well-formed XML: {error}") from error


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The indexes of the cell formats (``cellXfs``) whose number format is a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    root = _root(archive, "xl/styles.xml")
    codes = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
        for fmt in root.iter(f"{_MAIN}numFmt")
    }
    percent = {n for n, code in codes.items() if "%" in _QUOTED.sub("", code)} | _BUILT_IN_PERCENT
    formats = root.find(f"{_MAIN}cellXfs")
    if formats is None:
        return frozenset()
    return frozenset(
        index
        for index, xf in enumerate(formats.iter(f"{_MAIN}xf"))
        if int(xf.get("numFmtId", "0")) in percent
    )


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's name to its part in the zip (``xl/worksheets/sheet3.xml``)."""
    names = archive.namelist()
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in _root(archive, "xl/_rels/workbook.xml.rels").iter(f"{_PACKAGE_REL}Relationship")
    }
    sheets = list(_root(archive, "xl/workbook.xml").iter(f"{_MAIN}sheet"))
    parts = {}
    for sheet in sheets:
        target = targets.get(sheet.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name", "")] = str(PurePosixPath(path))
    return parts


def _root(archive: zipfile.ZipFile, part: str) -> Element:
    with archive.open(part) as xml:
        root = parse(xml).getroot()
    if root is None:  # pragma: no cover - parse gives a root or raises
        raise ValueError(f"{part} has no root element")
    return root


def _styled_cells(xml: IO[bytes], styles: frozenset[int]) -> set[tuple[int, int]]:
    cells = set()
    for _event, element in iterparse(xml, events=("end",)):
        if element.tag == f"{_MAIN}c":
            style = element.get("s")
            if style is not None and style.isdigit() and int(style) in styles:
                place = _CELL.match(element.get("r", ""))
                if place:
                    cells.add((int(place[2]) - 1, _column_index(place[1])))
            element.clear()
    return cells


def _column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


FIGURE_COLUMNS = {
    "observations": ("value", "lower_ci", "upper_ci"),
    "targets": ("target",),
    "neighbours": ("value", "lower_ci", "upper_ci"),
    "breakdowns": ("value",),
}
"""The sheets and columns whose numbers are an indicator's figures, in its own units."""


def read_as_shown(path: Path, sheets: dict[str, list[tuple[object, ...]]]) -> None:
    """Replace, in place, each percentage-formatted number in a figure column by what it shows:
    the number (81) for a percentage indicator, else the text "81%" for the checks to refuse."""
    cells = percent_cells(path, FIGURE_COLUMNS)
    if not cells:
        return
    percent_refs = _percent_refs(sheets.get("indicators") or [])
    for sheet, places in cells.items():
        rows = sheets.get(sheet)
        if not rows:
            continue
        header = [str(cell or "").strip().lower() for cell in rows[0]]
        columns = {header.index(name) for name in FIGURE_COLUMNS[sheet] if name in header}
        ref_at = header.index("ref") if "ref" in header else None
        for row_index, column in places:
            if column not in columns or not 0 < row_index < len(rows):
                continue
            row = list(rows[row_index])
            value = row[column] if column < len(row) else None
            if not isinstance(value, float | int) or isinstance(value, bool):
                continue
            shown = shown_percent(float(value))
            ref = _ref_text(row[ref_at]) if ref_at is not None and ref_at < len(row) else None
            row[column] = f"{shown:f}" if ref in percent_refs else f"{shown:f}%"
            rows[row_index] = tuple(row)


def _percent_refs(rows: list[tuple[object, ...]]) -> set[str]:
    """The refs the indicators sheet gives the unit percent."""
    if not rows:
        return set()
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if "ref" not in header or "unit" not in header:
        return set()
    ref, unit = header.index("ref"), header.index("unit")
    refs = set()
    for row in rows[1:]:
        if len(row) > max(ref, unit) and str(row[unit] or "").strip().lower() == "percent":
            refs.add(_ref_text(row[ref]))
    return refs


def _ref_text(cell: object) -> str:
    """A ref as the reader's text: 182.0 typed as a number is 182."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
