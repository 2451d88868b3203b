"""organisation.toml: the council, its settings, committees, directorates and ambitions.

Read with :mod:`tomllib` (floats as exact Decimal) into a plain document, then checked here into an
:class:`~kpiboard.analysis.model.Organisation`. The workbook builds the same document from its
``organisation``, ``committees``, ``directorates`` and ``ambitions`` sheets, so both are checked by
the one function :func:`organisation_from_document`.

Settings (all optional, with the defaults of semantics.md):

====================================  ===========================================================
``name``                              the council's name (required)
``area_code``                         GSS code that finds the council among neighbour data
``year_start_month``                  first month of the financial year, 1-12 (4)
``[tolerance] mode``                  ``relative`` or ``points`` (relative)
``[tolerance] red_at``                above 0 (0.10 relative, 10 points)
``[tolerance] blue_above``            0 or more, or ``"none"`` for no Blue (0.05, or 5 points)
``[summary] percent_rounding``        ``independent`` or ``largest_remainder`` (independent)
``[spc] screen_outliers``             true or false (true)
``[spc] run_length``                  2 to 100 (7)
``[spc] min_points``                  2 to 1,000 (13)
``[trend] points_month``              observations in a monthly trend, 3 to 1,000 (12)
``[trend] points_quarter``            the same for quarterly indicators (8)
``[trend] points_year``               the same for annual indicators (5)
``[neighbours] min_neighbours``       neighbours needed for a comparison, 1 to 1,000 (5)
``[neighbours] group``                the council's neighbour group: a list of area codes, or the
                                      name of a file of them beside organisation.toml (none:
                                      every area in neighbours.csv is a neighbour)
``[[committees]]``, ``[[directorates]]``, ``[[ambitions]]``: ``id`` and ``name``, ids unique.
``[breakdowns.<ref>] groups``, ``by``   the groups of an indicator's breakdowns.csv and what they
                                      are (kept in ``extra``; checked by
                                      :mod:`kpiboard.datafiles.breakdowns`, see
                                      docs/breakdowns-and-actions.md)
====================================  ===========================================================

The group file (``group = "cipfa.csv"``) is read by
:func:`~kpiboard.datafiles.area_groups.read_area_group`: a CIPFA list, Oflog's nearest-neighbour
map or a plain column of codes. Only a data folder can name one (the folder reader calls
:func:`read_group_file`); a workbook writes the codes inline, ``toml:["E10000012", ...]``. The
group is written back inline, codes sorted, so a written folder needs no other file and reads
back to the same group; the file's order and its other columns are not kept.

Numbers and true/false may also be written as text ("0.10", "true"): a spreadsheet cell often
holds them so. Any other top-level table (such as ``[report]`` or ``[report.srp]``) is kept
verbatim in ``Organisation.extra`` and written back; an unknown plain key, or an unknown key
inside one of the tables above, is an error (it is most likely a misspelt setting).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from kpiboard.analysis.magnitude import TOO_LARGE_EXPECTED, representable
from kpiboard.analysis.model import (
    DEFAULT_BLUE_ABOVE,
    DEFAULT_RED_AT,
    DEFAULT_TREND_POINTS,
    Ambition,
    Committee,
    Directorate,
    Organisation,
    PercentRounding,
    Settings,
    SpcSettings,
    Tolerance,
    ToleranceMode,
)
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.area_groups import group_code_errors, read_area_group
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.tables import CONTROL_EXPECTED, NUMBER_PATTERN

__all__ = [
    "ORGANISATION_FILE",
    "Locate",
    "inside_folder",
    "organisation_from_document",
    "organisation_to_document",
    "read_group_file",
    "toml_location",
]

ORGANISATION_FILE = "organisation.toml"

Locate = Callable[[str], tuple[str, int | None, str | None]]
"""Where a setting was written: its key (``tolerance.red_at``, ``committees[2].id``) to the file,
row and column an error about it should name."""


def toml_location(key: str) -> tuple[str, int | None, str | None]:
    """organisation.toml has no rows: an error names the file and the setting's key."""
    return ORGANISATION_FILE, None, key


_TREND_KEYS = {
    "points_month": Frequency.MONTH,
    "points_quarter": Frequency.QUARTER,
    "points_year": Frequency.YEAR,
}
_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "tolerance": ("mode", "red_at", "blue_above"),
    "summary": ("percent_rounding",),
    "spc": ("screen_outliers", "run_length", "min_points"),
    "trend": tuple(_TREND_KEYS),
    "neighbours": ("min_neighbours", "group"),
}
_LIST_KEYS = ("committees", "directorates", "ambitions")
_PLAIN_KEYS = ("name", "area_code", "year_start_month")
_INTEGER = re.compile(r"^[+]?[0-9]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_RUN_LENGTH = 100
"""The longest special-cause run: Making Data Count uses 6 to 8; longer says nothing."""
MAX_POINTS = 1000
"""The most points a setting may ask for (ten years of months is 120)."""
_NUMBER = re.compile(NUMBER_PATTERN)
_E = TypeVar("_E", ToleranceMode, PercentRounding)


class _Reader:
    """Reads typed settings out of the document, recording an error for each bad one."""

    def __init__(self, locate: Locate, errors: list[DataError]) -> None:
        self.locate = locate
        self.errors = errors

    def error(self, key: str, value: object, expected: str) -> None:
        file, row, column = self.locate(key)
        found = None if value is None else _shown(value)
        self.errors.append(DataError(file, row, column, found, expected))

    def table(self, document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = document.get(key, {})
        if not isinstance(value, Mapping):
            self.error(key, value, f"a table [{key}]")
            return {}
        for inner in value:
            if inner not in _TABLE_KEYS[key]:
                self.error(
                    f"{key}.{inner}",
                    None,
                    f"one of the settings {', '.join(_TABLE_KEYS[key])} in [{key}]",
                )
        return value

    def text(
        self, table: Mapping[str, Any], key: str, prefix: str = "", max_length: int = 500
    ) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            if _CONTROL.search(value):
                self.error(prefix + key, value, CONTROL_EXPECTED)
                return None
            if len(value.strip()) > max_length:
                self.error(prefix + key, value, f"text of at most {max_length:,} characters")
                return None
            return value.strip()
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)  # an id such as 6, typed as a number
        self.error(prefix + key, value, "text")
        return None

    def integer(
        self,
        table: Mapping[str, Any],
        key: str,
        low: int,
        high: int | None,
        default: int,
        prefix: str = "",
    ) -> int:
        value = table.get(key)
        if value is None:
            return default
        number = _as_integer(value)
        if number is None or number < low or (high is not None and number > high):
            bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
            self.error(prefix + key, value, f"a whole number {bounds}")
            return default
        return number

    def number(self, table: Mapping[str, Any], key: str, prefix: str = "") -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        number = _as_number(value)
        if number is None:
            self.error(prefix + key, value, "a number, such as 0.10")
        elif not representable(number):
            self.error(prefix + key, value, TOO_LARGE_EXPECTED)
            return None
        return number

    def boolean(self, table: Mapping[str, Any], key: str, default: bool, prefix: str = "") -> bool:
        value = table.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.error(prefix + key, value, "true or false")
        return default

    def choice(
        self, table: Mapping[str, Any], key: str, enum: type[_E], default: _E, prefix: str = ""
    ) -> _E:
        value = table.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            for member in enum:
                if member.value == value.strip().lower():
                    return member
        self.error(prefix + key, value, f"one of {', '.join(m.value for m in enum)}")
        return default


def organisation_from_document(
    document: Mapping[str, Any], locate: Locate, errors: list[DataError]
) -> Organisation:
    """Check the document of organisation.toml (or of the workbook's sheets) into an Organisation.

    Errors go to ``errors``; where a setting is bad its default is used, so that the rest of the
    data can still be checked against it.
    """
    read = _Reader(locate, errors)
    for key, value in document.items():
        known = key in _PLAIN_KEYS or key in _TABLE_KEYS or key in _LIST_KEYS
        if not known and not _is_table(value):
            read.error(
                key,
                value,
                "a known setting (such as name, area_code, year_start_month) "
                "or a table such as [report]",
            )
    name = read.text(document, "name", max_length=200)
    if _blank(document, "name"):
        read.error("name", document.get("name"), "the council's name: it is required")
    neighbours = read.table(document, "neighbours")
    settings = Settings(
        year_start_month=read.integer(document, "year_start_month", 1, 12, default=4),
        tolerance=_tolerance(read, read.table(document, "tolerance")),
        percent_rounding=read.choice(
            read.table(document, "summary"),
            "percent_rounding",
            PercentRounding,
            PercentRounding.INDEPENDENT,
            prefix="summary.",
        ),
        trend_points=_trend_points(read, read.table(document, "trend")),
        min_neighbours=read.integer(
            neighbours, "min_neighbours", 1, MAX_POINTS, default=5, prefix="neighbours."
        ),
        spc=_spc(read, read.table(document, "spc")),
        neighbour_group=_neighbour_group(read, neighbours),
    )
    return Organisation(
        name=name or "",
        area_code=read.text(document, "area_code", max_length=20) or None,
        settings=settings,
        committees=tuple(Committee(*pair) for pair in _id_names(read, document, "committees")),
        directorates=tuple(
            Directorate(*pair) for pair in _id_names(read, document, "directorates")
        ),
        ambitions=tuple(Ambition(*pair) for pair in _id_names(read, document, "ambitions")),
        extra={
            key: value
            for key, value in document.items()
            if key not in _PLAIN_KEYS
            and key not in _TABLE_KEYS
            and key not in _LIST_KEYS
            and _is_table(value)
        },
    )


def _tolerance(read: _Reader, table: Mapping[str, Any]) -> Tolerance:
    mode = read.choice(table, "mode", ToleranceMode, ToleranceMode.RELATIVE, prefix="tolerance.")
    red_at = read.number(table, "red_at", prefix="tolerance.")
    if red_at is not None and red_at <= 0:
        read.error("tolerance.red_at", table["red_at"], "a number above 0, such as 0.10")
        red_at = None
    blue_above: Decimal | None = DEFAULT_BLUE_ABOVE[mode]
    raw_blue = table.get("blue_above")
    if isinstance(raw_blue, str) and raw_blue.strip().lower() == "none":
        blue_above = None
    elif raw_blue is not None:
        given = _as_number(raw_blue)
        if given is not None and not representable(given):
            read.error("tolerance.blue_above", raw_blue, TOO_LARGE_EXPECTED)
        elif given is None or given < 0:
            read.error("tolerance.blue_above", raw_blue, 'a number of 0 or more, or "none"')
        else:
            blue_above = given
    return Tolerance(mode, red_at if red_at is not None else DEFAULT_RED_AT[mode], blue_above)


def _spc(read: _Reader, table: Mapping[str, Any]) -> SpcSettings:
    return SpcSettings(
        screen_outliers=read.boolean(table, "screen_outliers", True, prefix="spc."),
        run_length=read.integer(table, "run_length", 2, MAX_RUN_LENGTH, default=7, prefix="spc."),
        min_points=read.integer(table, "min_points", 2, MAX_POINTS, default=13, prefix="spc."),
    )


def _trend_points(read: _Reader, table: Mapping[str, Any]) -> Mapping[Frequency, int]:
    if not table:
        return DEFAULT_TREND_POINTS
    return MappingProxyType(
        {
            frequency: read.integer(
                table, key, 3, MAX_POINTS, default=DEFAULT_TREND_POINTS[frequency], prefix="trend."
            )
            for key, frequency in _TREND_KEYS.items()
        }
    )


def _neighbour_group(read: _Reader, table: Mapping[str, Any]) -> frozenset[str] | None:
    """``[neighbours] group`` written inline: a list of area codes, each once."""
    value = table.get("group")
    key = "neighbours.group"
    if value is None:
        return None
    if isinstance(value, str):
        read.error(
            key,
            value,
            'a list of area codes, such as ["E10000012", "E10000013"]: only a data folder\'s '
            "organisation.toml can name a file of them",
        )
        return None
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        read.error(key, value, 'a list of area codes, such as ["E10000012", "E10000013"]')
        return None
    if not value:
        read.error(key, "[]", "at least one area code: leave group out for every area")
        return None
    codes = [code.strip() for code in value]
    problems = group_code_errors(codes)
    for code, expected in problems:
        read.error(key, code, expected)
    return None if problems else frozenset(codes)


def inside_folder(folder: Path, name: str) -> Path | None:
    """The file ``name`` names inside ``folder``, or None when it would lie anywhere else.

    A data folder (or an upload unpacked into one) may name only its own files: never an absolute
    path, never a ``..``, never a link that leads out, so that nothing in a folder can make
    kpiboard read, or quote in an error, a file that is not the user's own input.
    """
    relative = Path(name)
    if not name or relative.is_absolute() or relative.drive or ".." in relative.parts:
        return None
    if "\\" in name or "\x00" in name:
        return None
    root = folder.resolve()
    try:
        resolved = (root / relative).resolve()
    except (OSError, RuntimeError):  # a loop of links
        return None
    if not resolved.is_relative_to(root) or resolved == root:
        return None
    return resolved


def read_group_file(
    document: dict[str, Any], folder: Path, errors: list[DataError]
) -> dict[str, Any]:
    """The document with a ``[neighbours] group`` file name replaced by the codes in that file.

    The file is found beside organisation.toml, in ``folder``. Its errors (or its absence) go to
    ``errors``, naming the group file's rows, and the group is then left out of the document.
    A document without a group file is returned as it is.
    """
    neighbours = document.get("neighbours")
    if not isinstance(neighbours, Mapping) or not isinstance(neighbours.get("group"), str):
        return document
    name = neighbours["group"].strip()
    rest = {key: value for key, value in neighbours.items() if key != "group"}
    path = inside_folder(folder, name)
    if path is None or not path.is_file():
        errors.append(
            DataError(
                ORGANISATION_FILE,
                None,
                "neighbours.group",
                name,
                "the name of a file of area codes inside the data folder (no absolute path, no "
                "'..', no link out of the folder), or a list of area codes",
            )
        )
        return {**document, "neighbours": rest}
    area_code = document.get("area_code")
    try:
        codes = read_area_group(
            path, area_code=area_code.strip() if isinstance(area_code, str) else None, file=name
        )
    except DataFileError as error:
        errors.extend(error.errors)
        return {**document, "neighbours": rest}
    return {**document, "neighbours": {**rest, "group": list(codes)}}


def _id_names(read: _Reader, document: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    """The ``[[committees]]`` (or directorates, ambitions) as (id, name), each id once."""
    entries = document.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        read.error(key, entries, f"an array of tables [[{key}]], each with an id and a name")
        return []
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        prefix = f"{key}[{number}]."
        for inner in entry:
            if inner not in ("id", "name"):
                read.error(prefix + inner, None, f"only id and name in [[{key}]]")
        id_, name = read.text(entry, "id", prefix, 50), read.text(entry, "name", prefix)
        if _blank(entry, "id"):
            read.error(prefix + "id", entry.get("id"), "an id: it is required")
        elif id_ in seen:
            read.error(prefix + "id", id_, f"an id not already used in [[{key}]]")
        if _blank(entry, "name"):
            read.error(prefix + "name", entry.get("name"), "a name: it is required")
        if id_ and name and id_ not in seen:
            pairs.append((id_, name))
        if id_:
            seen.add(id_)
    return pairs


def organisation_to_document(organisation: Organisation) -> dict[str, Any]:
    """The TOML document of an Organisation: every setting written out, then the extra tables."""
    settings = organisation.settings
    tolerance = settings.tolerance
    document: dict[str, Any] = {"name": organisation.name}
    if organisation.area_code is not None:
        document["area_code"] = organisation.area_code
    document["year_start_month"] = settings.year_start_month
    document["tolerance"] = {
        "mode": tolerance.mode.value,
        "red_at": tolerance.red_at,
        "blue_above": "none" if tolerance.blue_above is None else tolerance.blue_above,
    }
    document["summary"] = {"percent_rounding": settings.percent_rounding.value}
    document["spc"] = {
        "screen_outliers": settings.spc.screen_outliers,
        "run_length": settings.spc.run_length,
        "min_points": settings.spc.min_points,
    }
    document["trend"] = {
        key: settings.trend_points[frequency] for key, frequency in _TREND_KEYS.items()
    }
    document["neighbours"] = {"min_neighbours": settings.min_neighbours}
    if settings.neighbour_group is not None:
        document["neighbours"]["group"] = sorted(settings.neighbour_group)
    for key, entries in (
        ("committees", organisation.committees),
        ("directorates", organisation.directorates),
        ("ambitions", organisation.ambitions),
    ):
        if entries:
            document[key] = [{"id": entry.id, "name": entry.name} for entry in entries]
    clashes = sorted(set(organisation.extra) & set(document))
    if clashes:
        raise ValueError(f"Organisation.extra cannot hold the settings {', '.join(clashes)}")
    document.update(organisation.extra)
    return document


def _blank(table: Mapping[str, Any], key: str) -> bool:
    """Missing, or empty text (a value of the wrong type is reported as such instead)."""
    value = table.get(key)
    return value is None or (isinstance(value, str) and not value.strip())


def _is_table(value: object) -> bool:
    """A TOML table, or an array of tables: what ``extra`` may keep."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _as_integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    return None


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return Decimal(value.strip())
    return None


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    return str(value)
