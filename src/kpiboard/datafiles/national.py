"""National comparator data in: Oflog's CSV and LG Inform's data.table JSON and wide CSV export.

Each reader takes one metric of a national file and returns it as the
:class:`~kpiboard.analysis.model.NeighbourValue` rows of one indicator (``ref``): every area's value
in every period of the file, ready for neighbours.csv: in period order (by first month, a shorter
period before a longer one starting with it), then by area code.

- **Oflog** (:func:`read_oflog`): the long CSV Oflog publishes, one row per area, year and metric,
  with the columns ``Financial year, Local authority code, Local authority name, Code, Value``
  (any others, such as ``Measure`` or ``MEDIAN``, ignored). ``metric`` is a ``Code`` such as
  ``ASC1``. ``Financial year`` is a financial year: ``2022-23`` is 2022/23.
- **LG Inform's API** (:func:`read_lginform_json`): the JSON of ``data.table``, a list of records
  with the fields ``areaIdentifier``, ``areaLabel``, ``periodLabel``, ``value``,
  ``confidenceIntervalLower``, ``confidenceIntervalUpper`` and ``metricTypeIdentifier`` (others
  ignored); or an object that wraps them, under one key holding the list or a single record.
  ``metric`` is a ``metricTypeIdentifier``. Summary records (``areaIsSummary`` and the like true:
  a group's mean, say) are not areas and are skipped. Numbers keep the digits the JSON holds.
  "Row N" in an error is the Nth record.
- **LG Inform's wide CSV export** (:func:`read_lginform_csv`). LG Inform's download tables put
  areas down the side and periods across the top, so the shape accepted is: the header row first
  (take out any title lines above it and notes below the table); a column of area codes (headed
  ``area code``, ``code``, ``areaIdentifier``, ``GSS code`` or ``ONS code``) and optionally one of
  area names (``area``, ``area name``, ``name`` or ``areaLabel``), in either order, usually the
  first two columns; then one column per period, headed by its label, holding the values. Such a
  file holds one metric, so there is none to choose.

Period labels are read with :func:`~kpiboard.analysis.periods.parse_period` once LG Inform's
qualifiers are dropped: ``2018/19 (academic)`` is the year 2018/19, ``Jun 2019`` is 2019-06,
``Q1 2019/20`` that quarter. As in neighbours.csv, a period must be at the indicator's frequency
(``frequency``) or a longer one. Values are numbers as the data folder reads them, also with
thousands separators (``1,414.2``); a suppressed or missing value (an empty cell, ``x``, ``c``,
``..``, ``-``, ``*``, ``n/a``, ``null``, ``NaN`` or any mark in square brackets such as ``[c]``,
``[x]``, ``[z]``, ``[low]``) becomes a row whose value is None, not an error. With ``percent``
(the indicator is a percentage) values and limits must lie from 0 to 100.

Bad input raises :class:`~kpiboard.datafiles.errors.DataFileError` listing every error at once,
each naming the file, row, column, the value found and what was expected; nothing is returned
when there is any. The checks and rows the three share are in
:mod:`~kpiboard.datafiles.national_rows`; :func:`~kpiboard.datafiles.national_rank.rank_areas`
ranks every area in every metric and period at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl

from kpiboard.analysis.model import NeighbourValue
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.folder import read_csv
from kpiboard.datafiles.national_rows import ReadingFor, checked_rows
from kpiboard.datafiles.period_columns import FREQUENCY_CODES, PeriodBook, Reading
from kpiboard.datafiles.tables import RawTable, column_letter

__all__ = [
    "SourceFormat",
    "lginform_period_label",
    "read_lginform_csv",
    "read_lginform_json",
    "read_national",
    "read_oflog",
    "sniff_format",
]


class SourceFormat(StrEnum):
    OFLOG = "oflog"
    LGINFORM_JSON = "lginform-json"
    LGINFORM_CSV = "lginform-csv"


# -- the readers -----------------------------------------------------------------------------


def read_oflog(
    path: str | Path,
    *,
    ref: str,
    metric: str | None = None,
    frequency: Frequency | None = None,
    percent: bool = False,
    year_start_month: int = 4,
) -> tuple[NeighbourValue, ...]:
    """One metric (its ``Code``; may be left out when the file holds one) of an Oflog CSV."""
    source = Path(path)
    errors: list[DataError] = []
    raw = read_csv(source, source.name, errors)
    picked = _columns(
        raw,
        {
            "financial year": "period",
            "local authority code": "area_code",
            "local authority name": "area_name",
            "code": "metric",
            "value": "value",
        },
        required=("period", "area_code", "metric", "value"),
        what="Oflog's",
        errors=errors,
    )
    if raw is None or picked is None:
        raise DataFileError(errors)
    frame, names = picked
    frame = frame.with_columns(pl.col("metric").str.strip_chars())
    chosen = _chosen_metric(frame["metric"], metric, source.name, names["metric"], errors)
    if chosen is None:
        raise DataFileError(errors)
    frame = frame.filter(pl.col("metric") == chosen).with_columns(
        # read as the financial year it names: 2011-12 is 2011/12, never December 2011
        pl.lit(FREQUENCY_CODES[Frequency.YEAR.value]).alias("_label_frequency"),
        pl.col("period").alias("_label"),
    )
    reading = ReadingFor(ref, frequency, percent, year_start_month)
    return checked_rows(frame, source.name, names, reading, PeriodBook(year_start_month), errors)


def read_lginform_json(
    path: str | Path,
    *,
    ref: str,
    metric: str | None = None,
    frequency: Frequency | None = None,
    percent: bool = False,
    year_start_month: int = 4,
) -> tuple[NeighbourValue, ...]:
    """One metric (its metricTypeIdentifier; may be left out when the file holds one) of LG
    Inform's data.table JSON."""
    source = Path(path)
    file = source.name
    errors: list[DataError] = []
    records = _json_records(source, errors)
    if records is None:
        raise DataFileError(errors)
    held = {_metric_of(record) for record in records if isinstance(record, dict)} - {None}
    chosen = None
    if held or metric is not None:  # records without the field are of no metric
        ids = pl.Series(list(held), dtype=pl.String)
        chosen = _chosen_metric(ids, metric, file, "metricTypeIdentifier", errors)
        if chosen is None:
            raise DataFileError(errors)
    frame = _record_frame(records, file, chosen, errors)
    if frame is None:
        raise DataFileError(errors)
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.Int64).alias("_label_frequency"), _lginform_labels(frame["period"])
    )
    reading = ReadingFor(ref, frequency, percent, year_start_month)
    return checked_rows(frame, file, _JSON_NAMES, reading, PeriodBook(year_start_month), errors)


def read_lginform_csv(
    path: str | Path,
    *,
    ref: str,
    frequency: Frequency | None = None,
    percent: bool = False,
    year_start_month: int = 4,
) -> tuple[NeighbourValue, ...]:
    """LG Inform's wide CSV of one metric: a row per area, a column per period."""
    source = Path(path)
    file = source.name
    errors: list[DataError] = []
    raw = read_csv(source, file, errors)
    if raw is None:
        raise DataFileError(errors)
    reading = ReadingFor(ref, frequency, percent, year_start_month)
    book = PeriodBook(year_start_month)
    frame, names = _wide_to_long(raw, reading, book, errors)
    if frame is None:
        raise DataFileError(errors)
    return checked_rows(frame, file, names, reading, book, errors)


def read_national(
    path: str | Path,
    *,
    ref: str,
    metric: str | None = None,
    source_format: SourceFormat | None = None,
    frequency: Frequency | None = None,
    percent: bool = False,
    year_start_month: int = 4,
) -> tuple[NeighbourValue, ...]:
    """Any of the three, ``source_format`` found by :func:`sniff_format` when None. A wide
    LG Inform CSV names no metric, so ``metric`` is not used for one."""
    chosen = source_format or sniff_format(path)
    options: dict[str, Any] = {
        "ref": ref,
        "frequency": frequency,
        "percent": percent,
        "year_start_month": year_start_month,
    }
    if chosen is SourceFormat.OFLOG:
        return read_oflog(path, metric=metric, **options)
    if chosen is SourceFormat.LGINFORM_JSON:
        return read_lginform_json(path, metric=metric, **options)
    return read_lginform_csv(path, **options)


def sniff_format(path: str | Path) -> SourceFormat:
    """JSON by its name or its first character; a CSV with Oflog's columns is Oflog's; any other
    CSV is taken for LG Inform's wide export."""
    source = Path(path)
    if source.suffix.lower() == ".json":
        return SourceFormat.LGINFORM_JSON
    with source.open("rb") as handle:
        start = handle.read(64 * 1024)
    text = start.decode("utf-8-sig", errors="replace")
    if text.lstrip()[:1] in ("[", "{"):
        return SourceFormat.LGINFORM_JSON
    header = {_normal(cell) for cell in text.splitlines()[0].split(",")} if text else set()
    if {"financial year", "local authority code", "code", "value"} <= header:
        return SourceFormat.OFLOG
    return SourceFormat.LGINFORM_CSV


# -- Oflog and the CSV columns ---------------------------------------------------------------


def _normal(name: str | None) -> str:
    """A header as compared: ``Local_authority  Code`` is ``local authority code``."""
    return " ".join((name or "").replace("_", " ").strip().strip('"').lower().split())


def _columns(
    raw: RawTable | None,
    wanted: Mapping[str, str],
    *,
    required: Sequence[str],
    what: str,
    errors: list[DataError],
) -> tuple[pl.DataFrame, dict[str, str]] | None:
    """The columns ``wanted`` (normalised header -> role) as a frame of roles, with ``_row`` and
    each role's header as written; None when a required one is missing."""
    if raw is None:
        return None
    found: dict[str, tuple[int, str]] = {}
    for position, cell in enumerate(raw.header):
        role = wanted.get(_normal(cell))
        if role is not None and role not in found:
            found[role] = (position, (cell or "").strip())
    headers = {_normal(name): name for name in wanted}
    for normal, role in wanted.items():
        if role in required and role not in found:
            expected = f"a column named {normal}: {what} files have one"
            errors.append(DataError(raw.file, 1, headers[normal], None, expected))
    if any(role not in found for role in required):
        return None
    frame = raw.frame.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias("_row"),
        *(pl.col(f"c{position}").alias(role) for role, (position, _) in found.items()),
        *(pl.lit(None, dtype=pl.String).alias(r) for r in set(wanted.values()) - set(found)),
    )
    names = {role: header for role, (_, header) in found.items()}
    return frame, names


def _chosen_metric(
    metrics: pl.Series, metric: str | None, file: str, column: str, errors: list[DataError]
) -> str | None:
    """``metric`` when the file holds it, or the file's one metric when None."""
    held = sorted(metrics.drop_nulls().unique().to_list())
    shown = ", ".join(held[:20]) + (", ..." if len(held) > 20 else "")
    if metric is not None and metric.strip() in held:
        return metric.strip()
    if metric is None and len(held) == 1:
        return str(held[0])
    if metric is None:
        expected = f"one metric, or a metric chosen from those in the file: {shown}"
    else:
        expected = f"a metric that the file holds: {shown or 'none'}"
    errors.append(DataError(file, None, column, metric, expected))
    return None


# -- LG Inform's JSON ------------------------------------------------------------------------

_JSON_FIELDS = {
    "areaIdentifier": "area_code",
    "areaLabel": "area_name",
    "periodLabel": "period",
    "value": "value",
    "confidenceIntervalLower": "lower_ci",
    "confidenceIntervalUpper": "upper_ci",
    "metricTypeIdentifier": "metric",
}
_JSON_NAMES = {role: field for field, role in _JSON_FIELDS.items()}
_JSON_REQUIRED = ("areaIdentifier", "periodLabel", "value")
_SUMMARY_FLAGS = ("areaIsSummary", "periodIsSummary", "metricTypeIsSummary", "valueTypeIsSummary")


def _json_records(source: Path, errors: list[DataError]) -> list[Any] | None:
    """The records of the file: a list, or the one list (or record) an object wraps."""
    file = source.name
    try:
        text = source.read_bytes().decode("utf-8-sig")
        # Numbers as the text they were written in: 3.51 stays exactly 3.51.
        document = json.loads(text, parse_float=str, parse_int=str, parse_constant=str)
    except UnicodeDecodeError:
        errors.append(DataError(file, None, None, None, "UTF-8 text"))
        return None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        expected = f"JSON that can be read ({error.msg}, {where})"
        errors.append(DataError(file, None, None, None, expected))
        return None
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "areaIdentifier" in document:
            return [document]
        wrapped = [
            value
            for value in document.values()
            if (isinstance(value, list) and value and all(isinstance(v, dict) for v in value))
            or (isinstance(value, dict) and "areaIdentifier" in value)
        ]
        if len(wrapped) == 1:
            return wrapped[0] if isinstance(wrapped[0], list) else [wrapped[0]]
    keys = ", ".join(document) if isinstance(document, dict) else type(document).__name__
    errors.append(
        DataError(
            file,
            None,
            None,
            keys,
            "a list of LG Inform data.table records, or an object holding one such list",
        )
    )
    return None


def _record_frame(
    records: list[Any], file: str, metric: str | None, errors: list[DataError]
) -> pl.DataFrame | None:
    """A text column per field, one row per record of ``metric`` (None: of any) that is not a
    summary.

    A record that is not an object, or lacks a field every record needs, is named and left out,
    so that the others are still checked; when no record has a needed field the file is not
    LG Inform's, and that one error is all (None is returned).
    """
    columns: dict[str, list[str | None]] = {role: [] for role in _JSON_FIELDS.values()}
    rows: list[int] = []
    absent: dict[str, list[int]] = {field: [] for field in _JSON_REQUIRED}
    records_seen = 0
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(DataError(file, number, None, _json_text(record), "a record: {...}"))
            continue
        if metric is not None and _metric_of(record) != metric:
            continue
        if any(record.get(flag) in (True, "true") for flag in _SUMMARY_FLAGS):
            continue
        records_seen += 1
        missing = [field for field in _JSON_REQUIRED if field not in record]
        for field in missing:
            absent[field].append(number)
        if missing:
            continue
        rows.append(number)
        for field, role in _JSON_FIELDS.items():
            columns[role].append(_json_text(record.get(field)))
    for field, numbers in absent.items():
        if numbers and len(numbers) == records_seen:  # none has it: one error, not one a record
            expected = f"records with a field {field}, as LG Inform's data.table gives"
            errors.append(DataError(file, None, field, None, expected))
            return None
        expected = f"a field {field}, as every LG Inform data.table record has"
        errors.extend(DataError(file, number, field, None, expected) for number in numbers)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(pl.Series("_row", rows, dtype=pl.Int64))


def _metric_of(record: dict[str, Any]) -> str | None:
    text = _json_text(record.get("metricTypeIdentifier"))
    return text.strip() if text is not None else None


def _json_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value  # numbers too: they were read as their text
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


# -- LG Inform's wide CSV --------------------------------------------------------------------

_CODE_HEADERS = frozenset(
    {"area code", "code", "areacode", "areaidentifier", "area identifier", "gss code", "ons code"}
)
_NAME_HEADERS = frozenset({"area", "area name", "areaname", "name", "arealabel", "area label"})


def _wide_to_long(
    raw: RawTable, reading: ReadingFor, book: PeriodBook, errors: list[DataError]
) -> tuple[pl.DataFrame | None, dict[str, str]]:
    """One row per area and period column; the headers read as periods first (row 1)."""
    file = raw.file
    code_at = name_at = None
    periods: dict[int, tuple[str, str]] = {}  # position -> (header as written, label read)
    for position, cell in enumerate(raw.header):
        header = (cell or "").strip()
        normal = _normal(header)
        if normal in _CODE_HEADERS and code_at is None:
            code_at = position
        elif normal in _NAME_HEADERS and name_at is None:
            name_at = position
        elif header:
            periods[position] = (header, lginform_period_label(header))
        elif raw.frame[f"c{position}"].str.strip_chars().str.len_bytes().fill_null(0).gt(0).any():
            letter = column_letter(position)
            expected = f"a period label heading column {letter}, which has values"
            errors.append(DataError(file, 1, letter, "", expected))
    if code_at is None:
        errors.append(
            DataError(
                file,
                1,
                None,
                ",".join((cell or "").strip() for cell in raw.header),
                "a header with a column of area codes named area code or code, then a column "
                "per period (LG Inform's download, areas as rows and periods as columns)",
            )
        )
    good = _period_headers(file, periods, reading, book, errors)
    names = {"area_code": (raw.header[code_at] or "").strip() if code_at is not None else ""}
    if name_at is not None:
        names["area_name"] = (raw.header[name_at] or "").strip()
    if code_at is None or not good:
        if code_at is not None and not periods:
            expected = "a column per period, headed by its label"
            errors.append(DataError(file, 1, None, None, expected))
        return None, names
    texts = [f"c{position}" for position in good]
    wide = (
        raw.frame.select(
            (pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias("_row"),
            pl.col(f"c{code_at}").alias("area_code"),
            (pl.col(f"c{name_at}") if name_at is not None else pl.lit(None, pl.String)).alias(
                "area_name"
            ),
            *texts,
        )
        .with_columns(pl.col(name).str.strip_chars() for name in ("area_code", *texts))
        .filter(pl.any_horizontal(pl.col(n).str.len_bytes() > 0 for n in ("area_code", *texts)))
    )
    long = wide.unpivot(
        on=texts,
        index=["_row", "area_code", "area_name"],
        variable_name="_source",
        value_name="value",
    )
    header_of = {f"c{position}": periods[position][0] for position in good}
    label_of = {f"c{position}": periods[position][1] for position in good}
    frame = long.with_columns(
        pl.col("_source").replace_strict(header_of, return_dtype=pl.String).alias("_column"),
        pl.col("_source").replace_strict(header_of, return_dtype=pl.String).alias("period"),
        pl.col("_source").replace_strict(label_of, return_dtype=pl.String).alias("_label"),
        pl.lit(None, dtype=pl.Int64).alias("_label_frequency"),
        pl.lit(None, dtype=pl.String).alias("lower_ci"),
        pl.lit(None, dtype=pl.String).alias("upper_ci"),
    ).drop("_source")
    return frame, names


def _period_headers(
    file: str,
    periods: Mapping[int, tuple[str, str]],
    reading: ReadingFor,
    book: PeriodBook,
    errors: list[DataError],
) -> list[int]:
    """The positions of the columns whose header is a period; the others named on row 1."""
    if not periods:
        return []
    labels = pl.DataFrame(
        {"_label": [label for _, label in periods.values()]},
        schema={"_label": pl.String},
    ).with_columns(pl.lit(reading.frequency_code, dtype=pl.Int64).alias("_fcode"))
    labels = book.resolve(labels, "_label", Reading.SAME_OR_LONGER)
    labels = labels.with_columns(book.error_message().alias("_message"))
    good: list[int] = []
    seen: dict[int, int] = {}
    for position, (pid, message) in zip(
        periods, labels.select("_pid", "_message").iter_rows(), strict=True
    ):
        header = periods[position][0]
        if pid is None:
            errors.append(DataError(file, 1, header, header, str(message)))
        elif pid in seen:
            expected = f"each period once: column {column_letter(seen[pid])} is also {header}"
            errors.append(DataError(file, 1, header, header, expected))
        else:
            seen[pid] = position
            good.append(position)
    return good


# -- period labels ---------------------------------------------------------------------------

_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_MONTH_NAME = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.?\s+(?P<year>[0-9]{4})$")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


def lginform_period_label(text: str) -> str:
    """An LG Inform period label as parse_period reads it.

    >>> lginform_period_label("2018/19 (academic)"), lginform_period_label("Sept 2019")
    ('2018/19', '2019-09')
    """
    label = _QUALIFIER.sub("", text.strip())
    found = _MONTH_NAME.match(label)
    if found:
        word = found["month"].lower()
        for number, name in enumerate(_MONTH_NAMES, start=1):
            if name.startswith(word):
                return f"{found['year']}-{number:02d}"
    return label


def _lginform_labels(periods: pl.Series) -> pl.Expr:
    texts = periods.drop_nulls().unique().to_list()
    return (
        pl.col("period")
        .replace({text: lginform_period_label(text) for text in texts})
        .alias("_label")
    )
