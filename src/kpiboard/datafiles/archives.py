"""Zip archives checked before anything in them is expanded: a data folder sent as a .zip and an
.xlsx workbook (itself a zip of XML parts).

A small file can unpack into a great deal (a 329 KB workbook held 98 MB of XML in an extra sheet;
a 9 MB zip held 100,000 entries), so the archive's own directory is read first and refused when it
has too many entries, an entry too large, or too much in all; paths that leave the folder and
links are refused too. A workbook's XML parts are refused when they declare a document type or
entities (an entity expansion "billion laughs", or an external entity naming a server file):
defusedxml reads each part's prolog, which is where XML allows a declaration, and stops at the
first element. Every refusal is a DataError naming the file and the entry.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from kpiboard.datafiles.errors import DataError, DataFileError

__all__ = ["DAMAGED", "Limits", "check_workbook", "check_zip", "damaged"]


@dataclass(frozen=True, slots=True)
class Limits:
    """How much an archive may hold. A data folder has a dozen files and a few narratives; a
    workbook of 1,000 indicators and 20 years of monthly figures is about 30 MB of XML."""

    entries: int = 1_000
    entry_bytes: int = 200 * 1024 * 1024
    total_bytes: int = 500 * 1024 * 1024


DEFAULT = Limits()


def _size(count: int) -> str:
    return f"{count:,} bytes"


def check_zip(
    path: Path, shown: str, limits: Limits = DEFAULT, kind: str = "a zip archive"
) -> list[zipfile.ZipInfo]:
    """The archive's entries, once its directory shows nothing to refuse (DataFileError if it
    does). Nothing is decompressed. ``kind`` names what the file should have been."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DataFileError([DataError(shown, None, None, None, f"{kind} ({error})")]) from error
    _check_members(members, shown, limits)
    return members


def _check_members(members: Sequence[zipfile.ZipInfo], shown: str, limits: Limits) -> None:
    errors: list[DataError] = []
    if len(members) > limits.entries:
        errors.append(
            DataError(shown, None, None, f"{len(members):,} entries", f"at most {limits.entries:,}")
        )
        raise DataFileError(errors)  # the entries are not worth listing one by one
    total = 0
    for member in members:
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
            errors.append(
                DataError(shown, None, None, member.filename, "a path inside the data folder")
            )
        if len(member.filename) > 255 or any(len(part) > 120 for part in name.parts):
            errors.append(
                DataError(
                    shown,
                    None,
                    None,
                    member.filename[:60] + "...",
                    "a file name of at most 120 characters",
                )
            )
        if member.external_attr >> 28 == 0o12:  # a symbolic link
            errors.append(DataError(shown, None, None, member.filename, "a file, not a link"))
        if member.file_size > limits.entry_bytes:
            errors.append(
                DataError(
                    shown,
                    None,
                    None,
                    f"{member.filename}: {_size(member.file_size)} unpacked",
                    f"at most {_size(limits.entry_bytes)} in one file",
                )
            )
        total += member.file_size
    if total > limits.total_bytes:
        errors.append(
            DataError(
                shown,
                None,
                None,
                f"{_size(total)} unpacked",
                f"at most {_size(limits.total_bytes)} of data",
            )
        )
    if errors:
        raise DataFileError(errors)


def check_workbook(path: Path, shown: str, limits: Limits = DEFAULT) -> None:
    """Refuse a workbook over the limits or with a DTD or entities in any XML part."""
    members = check_zip(path, shown, limits, "an .xlsx workbook")
    errors: list[DataError] = []
    with zipfile.ZipFile(path) as archive:
        for member in members:
            if member.is_dir() or not member.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(member) as part:
                    problem = _declaration_problem(part)
            except DAMAGED as error:
                raise damaged(shown, member.filename, "an .xlsx workbook", error) from error
            if problem:
                errors.append(DataError(shown, None, None, member.filename, problem))
    if errors:
        raise DataFileError(errors)


DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)
"""What reading a damaged member of a zip raises: a bad checksum, a broken deflate stream, an
end before the member's end."""


def damaged(shown: str, member: str, kind: str, error: BaseException) -> DataFileError:
    """The error for a zip member that cannot be read back whole."""
    return DataFileError(
        [
            DataError(
                shown,
                None,
                None,
                member,
                f"{kind} that is whole: this part is damaged and cannot be read ({error}); "
                "save or download the file again",
            )
        ]
    )


def _declaration_problem(part: IO[bytes]) -> str | None:
    """What is wrong with an XML part's prolog, or None: only its first element is read."""
    try:
        for _event, _element in iterparse(
            part, events=("start",), forbid_dtd=True, forbid_entities=True, forbid_external=True
        ):
            return None
    except DefusedXmlException:
        return "XML without a document type or entity declarations (DTD), which kpiboard refuses"
    except SyntaxError as error:  # xml.etree.ElementTree.ParseError
        return f"well-formed XML ({error})"
    return None
