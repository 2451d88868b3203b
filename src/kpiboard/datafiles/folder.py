"""Read a data folder: organisation.toml and the CSV files of formats.md, as text.

File names are matched case-insensitively (``Indicators.CSV`` is indicators.csv). organisation.toml
and indicators.csv are required; a missing targets, observations, neighbours or commentary file
means no rows. CSV files are read by polars with no type inference, so every cell arrives as the
text written: UTF-8 with or without a byte order mark, quoted cells may hold commas and line
breaks, a blank line counts as a (skipped) row so row numbers stay those a spreadsheet shows, and a
short row is padded with empty cells. When polars cannot read a file (a row with more cells than
the header, text that is not UTF-8, an unclosed quote), Python's csv module reads it instead to
find and name the rows at fault.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import polars as pl

from kpiboard.datafiles import toml_text
from kpiboard.datafiles.errors import MAX_ERRORS, DataError
from kpiboard.datafiles.narrative import REPORTS_FOLDER
from kpiboard.datafiles.organisation import ORGANISATION_FILE, read_group_file, toml_location
from kpiboard.datafiles.proposals import PROPOSAL_SPECS, PROPOSALS_FOLDER, proposal_file
from kpiboard.datafiles.schema import INDICATORS, TABLES
from kpiboard.datafiles.source import RawData
from kpiboard.datafiles.tables import RawTable, column_letter

__all__ = ["read_csv", "read_folder"]


def read_folder(folder: Path) -> RawData:
    """The text of every file of the data folder, with the errors met reading them."""
    errors: list[DataError] = []
    names = _files_by_name(folder, errors)
    organisation = None
    toml_path = names.get(ORGANISATION_FILE)
    if toml_path is None:
        errors.append(
            DataError(
                ORGANISATION_FILE,
                None,
                None,
                None,
                f"a file {ORGANISATION_FILE} in the data folder {folder}",
            )
        )
    else:
        try:
            organisation = toml_text.loads(toml_path.read_bytes().decode("utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            errors.append(
                DataError(
                    ORGANISATION_FILE,
                    None,
                    None,
                    None,
                    f"a valid TOML file (the TOML reader says: {error})",
                )
            )
    if organisation is not None:  # a [neighbours] group file beside organisation.toml
        organisation = read_group_file(organisation, folder, errors)
    tables: dict[str, RawTable | None] = {}
    for spec in TABLES:
        path = names.get(spec.filename)
        tables[spec.name] = read_csv(path, spec.filename, errors) if path is not None else None
        if path is None and spec is INDICATORS:
            errors.append(
                DataError(
                    spec.filename,
                    None,
                    None,
                    None,
                    f"a file {spec.filename} in the data folder {folder}",
                )
            )
    files = [ORGANISATION_FILE, *(spec.filename for spec in TABLES)]
    documents = _read_documents(folder, errors)
    files += [name for name, _ in documents]
    proposals = _read_proposals(folder, errors)
    files += [proposal_file(spec) for spec in PROPOSAL_SPECS]
    return RawData(organisation, toml_location, tables, files, errors, documents, proposals)


def _subfolder(folder: Path, name: str) -> Path | None:
    """The folder's subfolder ``name`` (in any case), not a link."""
    return next(
        (
            entry
            for entry in folder.iterdir()
            if entry.name.lower() == name and entry.is_dir() and not entry.is_symlink()
        ),
        None,
    )


def _read_proposals(folder: Path, errors: list[DataError]) -> dict[str, RawTable | None]:
    """The CSV files of the optional proposals/ folder (docs/proposals.md), by spec name."""
    found = _subfolder(folder, PROPOSALS_FOLDER)
    tables: dict[str, RawTable | None] = {spec.name: None for spec in PROPOSAL_SPECS}
    if found is None:
        return tables
    names = {
        entry.name.lower(): entry
        for entry in sorted(found.iterdir(), key=lambda e: e.name)
        if entry.is_file() and not entry.is_symlink()
    }
    for spec in PROPOSAL_SPECS:
        path = names.get(spec.filename)
        if path is not None:
            tables[spec.name] = read_csv(path, proposal_file(spec), errors)
    return tables


def _files_by_name(folder: Path, errors: list[DataError]) -> dict[str, Path]:
    """The folder's files by lower-case name; two files that differ only in case are an error
    (a stray ``TARGETS.csv`` beside ``targets.csv`` must not silently win or lose)."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            found.setdefault(entry.name.lower(), []).append(entry)
    read = {ORGANISATION_FILE, *(spec.filename for spec in TABLES)}
    for name, entries in found.items():
        if len(entries) > 1 and name in read:
            spelled = " and ".join(entry.name for entry in entries)
            errors.append(
                DataError(
                    name,
                    None,
                    None,
                    None,
                    f"one file named {name} (names are read whatever their case): the folder "
                    f"has {spelled}; keep one",
                )
            )
    return {name: entries[0] for name, entries in found.items()}


#: The largest narrative document read: a report's own words, not a book.
MAX_DOCUMENT_BYTES = 1_000_000


def _read_documents(folder: Path, errors: list[DataError]) -> list[tuple[str, str]]:
    """The Markdown documents of the folder's ``reports/`` folder, by name."""
    reports = next(
        (
            entry
            for entry in folder.iterdir()
            if entry.name.lower() == REPORTS_FOLDER and entry.is_dir() and not entry.is_symlink()
        ),
        None,
    )
    if reports is None:
        return []
    documents = []
    for entry in sorted(reports.iterdir(), key=lambda e: e.name):
        name = f"{REPORTS_FOLDER}/{entry.name}"
        if entry.name.startswith("."):
            continue
        if not entry.name.lower().endswith(".md") or entry.is_symlink() or not entry.is_file():
            errors.append(
                DataError(name, None, None, None, "only Markdown files (.md) in reports/")
            )
            continue
        if entry.stat().st_size > MAX_DOCUMENT_BYTES:
            errors.append(
                DataError(
                    name, None, None, None, f"at most {MAX_DOCUMENT_BYTES:,} bytes of Markdown"
                )
            )
            continue
        try:
            documents.append((name, entry.read_bytes().decode("utf-8-sig")))
        except UnicodeDecodeError as error:
            errors.append(DataError(name, None, None, None, f"text in UTF-8 ({error})"))
    return documents


def read_csv(path: Path, file: str, errors: list[DataError]) -> RawTable | None:
    """The header and text cells of a CSV file, or None (with errors) when it cannot be read."""
    data = path.read_bytes()
    if b"\r" in data and b"\n" not in data:
        errors.append(
            DataError(
                file,
                None,
                None,
                None,
                "lines ending in a line feed (Windows or Unix line endings): this file's lines "
                "end in a carriage return alone, as old Macintosh programs wrote them; save it "
                'again as "CSV UTF-8"',
            )
        )
        return None
    try:
        frame = pl.read_csv(
            data, has_header=False, infer_schema=False, raise_if_empty=True, low_memory=False
        )
    except pl.exceptions.NoDataError:
        errors.append(DataError(file, 1, None, None, "a header row naming the columns"))
        return None
    except pl.exceptions.PolarsError:
        return _read_with_python(data, file, errors)
    if frame.height == 0:
        errors.append(DataError(file, 1, None, None, "a header row naming the columns"))
        return None
    header = frame.row(0)
    body = frame.slice(1)
    body.columns = [f"c{position}" for position in range(body.width)]
    return RawTable(file, tuple(header), unquote_formulas(body))


def _read_with_python(data: bytes, file: str, errors: list[DataError]) -> RawTable | None:
    """Read what polars would not, naming the rows at fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        errors.append(
            DataError(
                file,
                line,
                None,
                None,
                'UTF-8 text: in Excel, save it as "CSV UTF-8 (Comma delimited)"',
            )
        )
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        errors.append(DataError(file, None, None, None, f"CSV that can be read ({error})"))
        return None
    if not rows:
        errors.append(DataError(file, 1, None, None, "a header row naming the columns"))
        return None
    header, body = rows[0], rows[1:]
    width = len(header)
    fine = True
    for number, row in enumerate(body, start=2):
        if not fine and len(errors) >= MAX_ERRORS:
            break  # enough said: the read fails, and DataFileError lists no more than these
        for position in range(width, len(row)):
            if row[position].strip():
                fine = False
                errors.append(
                    DataError(
                        file,
                        number,
                        column_letter(position),
                        row[position],
                        f"no cell beyond the last named column ({column_letter(width - 1)})",
                    )
                )
    if not fine:
        return None
    columns = {
        f"c{position}": [row[position] if position < len(row) else None for row in body]
        for position in range(width)
    }
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return RawTable(file, tuple(header), unquote_formulas(frame))


#: A cell a spreadsheet would run as a formula. The folder writer puts a ``'`` before such text
#: (OWASP's advice against CSV injection), and before text that already starts with quotes and
#: then one of these; the reader takes one off again, so every text round-trips.
FORMULA_START = "=+-@\t\r"


def quoted(text: str) -> str:
    """``=SUM(A1)`` as ``'=SUM(A1)``, ``'=x`` as ``''=x``; other text as it is.

    >>> quoted("=SUM(A1)"), quoted("'=x"), quoted("fine"), quoted("it's")
    ("'=SUM(A1)", "''=x", 'fine', "it's")
    """
    return "'" + text if text.lstrip("'")[:1] in FORMULA_START and text.lstrip("'") else text


def unquote_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells the folder writer quoted (``'=...``) read as written (``=...``); see ``quoted``."""
    if frame.height == 0:
        return frame
    # One cheap scan for a leading quote; the pattern runs only on the columns that have one.
    flagged = frame.select(pl.all().str.starts_with("'").any()).row(0)
    columns = [name for name, found in zip(frame.columns, flagged, strict=True) if found]
    if not columns:
        return frame
    pattern = f"^'+[{re.escape(FORMULA_START)}]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern))
        .then(pl.col(name).str.slice(1))
        .otherwise(pl.col(name))
        .alias(name)
        for name in columns
    )
