"""The one error family of the data folder: every problem found, each with its place.

A :class:`DataError` says where (file, row, column), what was found and what was expected, in
words a performance officer can act on::

    observations.csv, row 14, column value: found "abc", expected a number, such as 81.5

Rows are spreadsheet rows: the header is row 1 and the first data row is row 2, so the number is the
one Excel shows. :class:`DataFileError` carries all the errors of a read at once, never just the
first, and nothing is imported when there is any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MAX_ERRORS", "DataError", "DataFileError"]

_SHOWN_CHARACTERS = 80

MAX_ERRORS = 1000
"""The most errors listed, from a whole read and from each check of a file: a file of ten million
bad rows is reported in the first thousand and a count of the rest, in bounded memory."""


@dataclass(frozen=True, slots=True)
class DataError:
    """One problem in the data: where it is, the value found and what was expected there.

    ``row`` is None for a problem with a whole file (or with organisation.toml, whose settings
    have no rows); ``column`` is None for a problem with a whole row or file; ``value`` is None
    when there is no single cell to show, and ``""`` for an empty cell.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    #: Further cells with the same problem that this error stands for, not listed one by one.
    more: int = 0

    def __str__(self) -> str:
        place = [self.file]
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column is not None:
            place.append(f"column {self.column}")
        where = ", ".join(place)
        if self.value is None:
            return f"{where}: expected {self.expected}"
        if self.value == "":
            return f"{where}: found an empty cell, expected {self.expected}"
        return f'{where}: found "{_shown(self.value)}", expected {self.expected}'


def _shown(value: str) -> str:
    """The value on one line, cut short: a whole paragraph of commentary would hide the message."""
    flat = value.replace("\r", "\\r").replace("\n", "\\n")
    if len(flat) > _SHOWN_CHARACTERS:
        return flat[: _SHOWN_CHARACTERS - 3] + "..."
    return flat


class DataFileError(Exception):
    """The data cannot be read: ``errors`` holds every problem found, in file and row order."""

    def __init__(self, errors: Iterable[DataError]) -> None:
        found = tuple(errors)
        #: How many errors were found (with the cells each stands for); only the first
        #: MAX_ERRORS are kept in ``errors``.
        self.count = len(found) + sum(error.more for error in found)
        self.errors: tuple[DataError, ...] = found[:MAX_ERRORS]
        super().__init__(self.count)

    def __str__(self) -> str:
        listed = "\n".join(str(error) for error in self.errors)
        unlisted = self.count - len(self.errors)
        if unlisted:
            listed += f"\n... and {unlisted:,} more errors (the first {MAX_ERRORS:,} are listed)"
        return listed
