"""The columns of each file of the data folder (formats.md), as data.

The reader checks cells against these specs and the writers take their column order from them, so
formats.md, the validation and the files written can only disagree here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from kpiboard.analysis.model import (
    ActionState,
    Aggregation,
    Category,
    Cumulative,
    Direction,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency
from kpiboard.datafiles.refs import REF_EXPECTED, REF_PATTERN, RESERVED_REFS

__all__ = [
    "ACTIONS",
    "AMBITIONS",
    "BREAKDOWNS",
    "COMMENTARY",
    "COMMITTEES",
    "DIRECTORATES",
    "INDICATORS",
    "NEIGHBOURS",
    "OBSERVATIONS",
    "ORGANISATION_SHEETS",
    "TABLES",
    "TARGETS",
    "Column",
    "Kind",
    "TableSpec",
]


class Kind(StrEnum):
    """What a cell holds. Every cell arrives as text and is checked against its kind."""

    TEXT = "text"
    NUMBER = "number"  # a decimal number, kept exactly as written
    NUMBER_OR_NONE = "number_or_none"  # a number, or the word none (blue_above)
    INTEGER = "integer"  # a whole number between Column.low and Column.high
    BOOLEAN = "boolean"  # true or false, in any case
    CHOICE = "choice"  # one of Column.choices, in any case
    PERIOD = "period"  # a period label or a date, read with the indicator's frequency
    LIST = "list"  # ids separated by ;
    DATE = "date"  # an ISO date, 2024-12-31


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``required`` means the column must be there and no cell of it empty."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    pattern: str | None = None  # a regular expression a TEXT cell must match
    pattern_expected: str = ""  # what the pattern means, for the error message
    reserved: tuple[str, ...] = ()  # values that match the pattern but are refused all the same
    max_length: int = 500  # the most characters a TEXT or LIST cell may hold (the database's)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A CSV file of the folder (or a sheet of the workbook, named without ``.csv``).

    ``keep_extra``: the file's ``x_`` columns are kept (in Indicator.extra); in the other files
    they are accepted and dropped. ``optional``: written only when it has rows (formats.md's
    optional files), so data without any reads and writes as before.
    """

    name: str
    columns: tuple[Column, ...]
    keep_extra: bool = False
    optional: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


#: The longest texts a cell may hold, by kind of text (characters). The web's models and forms
#: hold the same texts to the same limits, so that what the web accepts a folder accepts.
NOTE_LENGTH = 2_000
DESCRIPTION_LENGTH = 10_000
COMMENTARY_LENGTH = 20_000


def _choices(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


_NUMBER = Kind.NUMBER

INDICATORS = TableSpec(
    "indicators",
    (
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            pattern_expected=REF_EXPECTED,
            reserved=RESERVED_REFS,
        ),
        Column("name", required=True),
        Column("description", max_length=DESCRIPTION_LENGTH),
        Column("unit", Kind.CHOICE, required=True, choices=_choices(Unit)),
        Column("decimals", Kind.INTEGER, low=0, high=10),
        Column("direction", Kind.CHOICE, required=True, choices=_choices(Direction)),
        Column("frequency", Kind.CHOICE, required=True, choices=_choices(Frequency)),
        Column("aggregation", Kind.CHOICE, choices=_choices(Aggregation)),
        Column("cumulative", Kind.CHOICE, choices=_choices(Cumulative)),
        Column("category", Kind.CHOICE, required=True, choices=_choices(Category)),
        Column("committees", Kind.LIST, required=True, max_length=2_000),
        Column("directorate", required=True, max_length=50),
        Column("ambitions", Kind.LIST, max_length=2_000),
        Column("national_definition", Kind.BOOLEAN),
        Column(
            "owner",
            pattern=r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$",
            pattern_expected="an e-mail address, such as performance@council.gov.uk",
            max_length=254,
        ),
        Column("tolerance_mode", Kind.CHOICE, choices=_choices(ToleranceMode)),
        Column("red_at", _NUMBER),
        Column("blue_above", Kind.NUMBER_OR_NONE),
        Column("min", Kind.NUMBER_OR_NONE),
        Column("max", Kind.NUMBER_OR_NONE),
        Column("integer", Kind.BOOLEAN),
        Column("unit_label", max_length=100),
    ),
    keep_extra=True,
)

TARGETS = TableSpec(
    "targets",
    (
        Column("ref", required=True),
        Column("from", Kind.PERIOD, required=True),
        Column("target", _NUMBER, required=True),
    ),
)

OBSERVATIONS = TableSpec(
    "observations",
    (
        Column("ref", required=True),
        Column("period", Kind.PERIOD, required=True),
        Column("value", _NUMBER),
        Column("numerator", _NUMBER),
        Column("denominator", _NUMBER),
        Column("lower_ci", _NUMBER),
        Column("upper_ci", _NUMBER),
        Column("rebase", Kind.BOOLEAN),
        Column("note", max_length=NOTE_LENGTH),
    ),
)

NEIGHBOURS = TableSpec(
    "neighbours",
    (
        Column("ref", required=True),
        Column("period", Kind.PERIOD, required=True),
        Column("area_code", required=True, max_length=20),
        Column("area_name", max_length=200),
        Column("value", _NUMBER),
        Column("lower_ci", _NUMBER),
        Column("upper_ci", _NUMBER),
    ),
)

COMMENTARY = TableSpec(
    "commentary",
    (
        Column("ref", required=True),
        Column("period", Kind.PERIOD, required=True),
        Column("commentary", required=True, max_length=COMMENTARY_LENGTH),
        Column("author", max_length=200),
    ),
)

BREAKDOWNS = TableSpec(
    "breakdowns",
    (
        Column("ref", required=True),
        Column("period", Kind.PERIOD, required=True),
        Column("group", required=True, max_length=200),
        Column("value", _NUMBER),
        Column("numerator", _NUMBER),
        Column("denominator", _NUMBER),
        Column("note", max_length=NOTE_LENGTH),
    ),
    optional=True,
)

ACTIONS = TableSpec(
    "actions",
    (
        Column("ref", required=True),
        Column("raised_in", Kind.PERIOD, required=True),
        Column("action", required=True, max_length=NOTE_LENGTH),
        Column("who", max_length=200),
        Column("due", Kind.DATE, required=True),
        Column("state", Kind.CHOICE, choices=_choices(ActionState)),
    ),
    optional=True,
)

TABLES = (INDICATORS, TARGETS, OBSERVATIONS, NEIGHBOURS, COMMENTARY, BREAKDOWNS, ACTIONS)
"""The CSV files in the order they are checked, reported and written."""

_ID_AND_NAME = (Column("id", required=True, max_length=50), Column("name", required=True))
COMMITTEES = TableSpec("committees", _ID_AND_NAME)
DIRECTORATES = TableSpec("directorates", _ID_AND_NAME)
AMBITIONS = TableSpec("ambitions", _ID_AND_NAME)
ORGANISATION_SHEETS = (COMMITTEES, DIRECTORATES, AMBITIONS)
"""The workbook's sheets for organisation.toml's arrays of tables."""
