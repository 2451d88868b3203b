"""The plain data the engine works on: an organisation, its indicators and their figures.

Everything here is a frozen dataclass or an enum. ``kpiboard.datafiles`` builds a :class:`Dataset`
from a data folder or workbook, and the web application builds the same from its database, so
each figure is computed in exactly one place (``evaluate()``). Numbers are :class:`~decimal.Decimal`
exactly as stored, so that a boundary such as 81 against 90 (exactly 10% off) is never decided by
binary floating point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from kpiboard.analysis.periods import Frequency, Period

if TYPE_CHECKING:  # proposals.py builds on this module's enums
    from kpiboard.analysis.proposals import Proposal, ProposalComment, ProposalRound

__all__ = [
    "ENGLAND_AREA_CODE",
    "UNIT_BOUNDS",
    "UNIT_DEFAULT",
    "UNIT_WORDS",
    "ActionState",
    "Aggregation",
    "Ambition",
    "Bound",
    "Breakdown",
    "Category",
    "Commentary",
    "Committee",
    "Cumulative",
    "Dataset",
    "Direction",
    "Directorate",
    "Indicator",
    "Narrative",
    "NeighbourValue",
    "Observation",
    "Organisation",
    "PercentRounding",
    "RemedialAction",
    "Settings",
    "SpcSettings",
    "Target",
    "Tolerance",
    "ToleranceMode",
    "Unit",
    "UnitDefault",
]

ENGLAND_AREA_CODE = "E92000001"


class Unit(StrEnum):
    PERCENT = "percent"
    NUMBER = "number"
    CURRENCY = "currency"
    DAYS = "days"
    RATE = "rate"
    SCORE = "score"


class UnitDefault(Enum):
    """The marker of a ``min`` or ``max`` left empty in indicators.csv: the unit's default."""

    UNIT = "unit"


UNIT_DEFAULT = UnitDefault.UNIT

Bound = Decimal | None | UnitDefault
"""A ``min`` or ``max`` as written: a number, None for ``none`` (no bound), or the unit default."""

#: Each unit's possible range (formats.md, indicators.csv ``min`` and ``max``).
UNIT_BOUNDS: Mapping[Unit, tuple[Decimal | None, Decimal | None]] = MappingProxyType(
    {
        Unit.PERCENT: (Decimal(0), Decimal(100)),
        Unit.NUMBER: (Decimal(0), None),
        Unit.CURRENCY: (Decimal(0), None),
        Unit.DAYS: (Decimal(0), None),
        Unit.RATE: (None, None),
        Unit.SCORE: (None, None),
    }
)

#: The words for each unit on axes and column headings, where ``unit_label`` gives none.
UNIT_WORDS: Mapping[Unit, str] = MappingProxyType(
    {
        Unit.PERCENT: "Per cent",
        Unit.NUMBER: "Number",
        Unit.CURRENCY: "Pounds (£)",
        Unit.DAYS: "Days",
        Unit.RATE: "Rate",
        Unit.SCORE: "Score",
    }
)


class Direction(StrEnum):
    """Which way is better: ``d`` is +1 for higher, -1 for lower and 0 for none."""

    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"

    @property
    def sign(self) -> int:
        return {"higher": 1, "lower": -1, "none": 0}[self.value]


class Aggregation(StrEnum):
    """How finer observations combine into a reporting period's value (semantics.md 2)."""

    LATEST = "latest"
    SUM = "sum"
    MEAN = "mean"
    RATIO = "ratio"


class Cumulative(StrEnum):
    NONE = "none"
    YTD = "ytd"


class Category(StrEnum):
    TARGETED = "targeted"
    BASELINE = "baseline"
    CONTEXTUAL = "contextual"
    IN_DEVELOPMENT = "in_development"
    SUSPENDED = "suspended"


class ToleranceMode(StrEnum):
    RELATIVE = "relative"
    POINTS = "points"


class PercentRounding(StrEnum):
    LARGEST_REMAINDER = "largest_remainder"
    INDEPENDENT = "independent"


DEFAULT_RED_AT = {ToleranceMode.RELATIVE: Decimal("0.10"), ToleranceMode.POINTS: Decimal("10")}
DEFAULT_BLUE_ABOVE = {ToleranceMode.RELATIVE: Decimal("0.05"), ToleranceMode.POINTS: Decimal("5")}


@dataclass(frozen=True, slots=True)
class Tolerance:
    """The RAGB thresholds (semantics.md 4). ``blue_above`` None means no Blue status."""

    mode: ToleranceMode = ToleranceMode.RELATIVE
    red_at: Decimal = Decimal("0.10")
    blue_above: Decimal | None = Decimal("0.05")

    def __post_init__(self) -> None:
        if self.red_at <= 0:
            raise ValueError(f"red_at must be above 0, not {self.red_at}")
        if self.blue_above is not None and self.blue_above < 0:
            raise ValueError(f"blue_above must be 0 or more, not {self.blue_above}")

    @classmethod
    def for_mode(cls, mode: ToleranceMode) -> Tolerance:
        """The default thresholds of a mode: 10% and 5%, or 10 and 5 points."""
        return cls(mode, DEFAULT_RED_AT[mode], DEFAULT_BLUE_ABOVE[mode])


@dataclass(frozen=True, slots=True)
class SpcSettings:
    """Making Data Count settings (semantics.md 8)."""

    screen_outliers: bool = True
    run_length: int = 7
    min_points: int = 13


DEFAULT_TREND_POINTS = MappingProxyType(
    {Frequency.MONTH: 12, Frequency.QUARTER: 8, Frequency.YEAR: 5}
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of semantics.md, with its default."""

    year_start_month: int = 4
    tolerance: Tolerance = field(default_factory=Tolerance)
    percent_rounding: PercentRounding = PercentRounding.INDEPENDENT
    trend_points: Mapping[Frequency, int] = field(default_factory=lambda: DEFAULT_TREND_POINTS)
    min_neighbours: int = 5
    spc: SpcSettings = field(default_factory=SpcSettings)
    #: The area codes of the council's neighbour group (organisation.toml's ``[neighbours]
    #: group``, such as its 15 CIPFA nearest neighbours): only these areas are its neighbours.
    #: None: every area in the neighbour data is.
    neighbour_group: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Committee:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Directorate:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Ambition:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """organisation.toml. ``extra`` keeps tables the engine does not read (such as ``[report]``)."""

    name: str
    area_code: str | None = None
    settings: Settings = field(default_factory=Settings)
    committees: tuple[Committee, ...] = ()
    directorates: tuple[Directorate, ...] = ()
    ambitions: tuple[Ambition, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of indicators.csv. ``extra`` keeps the ``x_`` columns for a lossless round trip."""

    ref: str
    name: str
    unit: Unit
    direction: Direction
    frequency: Frequency
    category: Category
    committees: tuple[str, ...]
    directorate: str
    description: str = ""
    decimals: int = 1
    aggregation: Aggregation = Aggregation.LATEST
    cumulative: Cumulative = Cumulative.NONE
    ambitions: tuple[str, ...] = ()
    national_definition: bool = False
    owner: str = ""
    tolerance_mode: ToleranceMode | None = None
    red_at: Decimal | None = None
    blue_above: Decimal | None = None
    no_blue: bool = False
    #: ``min`` and ``max`` as written (formats.md): a number, None for ``none``, or
    #: :data:`UNIT_DEFAULT`; :attr:`lower_bound` and :attr:`upper_bound` are the bounds in force.
    minimum: Bound = UNIT_DEFAULT
    maximum: Bound = UNIT_DEFAULT
    integer: bool = False
    unit_label: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def strategic(self) -> bool:
        """Whether this is a strategic KPI (an adopted proposal, docs/proposals.md): the
        ``x_strategic`` column of indicators.csv says ``true``."""
        return self.extra.get("x_strategic", "").strip().lower() in {"true", "yes", "1"}

    @property
    def lower_bound(self) -> Decimal | None:
        """The least possible value (None: no bound): ``min``, or the unit's default."""
        if isinstance(self.minimum, UnitDefault):
            return UNIT_BOUNDS[self.unit][0]
        return self.minimum

    @property
    def upper_bound(self) -> Decimal | None:
        """The greatest possible value (None: no bound): ``max``, or the unit's default."""
        if isinstance(self.maximum, UnitDefault):
            return UNIT_BOUNDS[self.unit][1]
        return self.maximum

    @property
    def unit_words(self) -> str:
        """The unit as a reader says it, for axis titles and column headings: ``unit_label``
        with a capital (``seconds`` gives "Seconds"), or the unit's own words ("Per cent")."""
        label = self.unit_label.strip()
        return label[:1].upper() + label[1:] if label else UNIT_WORDS[self.unit]

    def impossible(self, value: Decimal) -> str | None:
        """What a value should have been when the indicator cannot have it, else None.

        >>> Indicator("1", "x", Unit.PERCENT, Direction.HIGHER, Frequency.MONTH,
        ...           Category.TARGETED, ("c",), "d").impossible(Decimal("107"))
        'a value from 0 to 100'
        """
        low, high = self.lower_bound, self.upper_bound
        outside = (low is not None and value < low) or (high is not None and value > high)
        if outside:
            if low is not None and high is not None:
                return f"a value from {low} to {high}"
            if low is not None:
                return f"a value of {low} or more"
            return f"a value of {high} or less"
        if self.integer and value != value.to_integral_value():
            return "a whole number"
        return None

    def tolerance(self, framework: Tolerance) -> Tolerance:
        """The thresholds in force for this indicator: the framework's, with its own overrides.

        An indicator that switches to the other mode starts from that mode's defaults (10 and 5
        points, or 10% and 5%), since the framework's numbers are in the wrong units for it.
        """
        if self.tolerance_mode is None or self.tolerance_mode is framework.mode:
            base = framework
        else:
            base = Tolerance.for_mode(self.tolerance_mode)
        blue_above = base.blue_above
        if self.no_blue:
            blue_above = None
        elif self.blue_above is not None:
            blue_above = self.blue_above
        return Tolerance(
            mode=base.mode,
            red_at=self.red_at if self.red_at is not None else base.red_at,
            blue_above=blue_above,
        )


@dataclass(frozen=True, slots=True)
class Target:
    """From ``start`` on, the target is ``value`` (semantics.md 3)."""

    ref: str
    start: Period
    value: Decimal


class Observation(NamedTuple):
    """One figure of an indicator for one period at its own frequency.

    ``value`` is always filled: where only a numerator and denominator were given, datafiles
    computes it (times 100 for percentages).

    A named tuple, not a frozen dataclass like the rest of the model: a data folder holds a
    hundred thousand observations or more, and a named tuple is made in half the time (a frozen
    dataclass sets each of its ten fields through ``object.__setattr__``). It is just as
    immutable; change one with ``_replace``.
    """

    ref: str
    period: Period
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    lower_ci: Decimal | None = None
    upper_ci: Decimal | None = None
    rebase: bool = False
    note: str = ""
    value_given: bool = True


@dataclass(frozen=True, slots=True)
class NeighbourValue:
    """One area's value of a nationally defined indicator (neighbours.csv)."""

    ref: str
    period: Period
    area_code: str
    area_name: str
    value: Decimal | None
    lower_ci: Decimal | None = None
    upper_ci: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Commentary:
    ref: str
    period: Period
    text: str
    author: str = ""


class ActionState(StrEnum):
    """Where a remedial action stands (actions.csv ``state``)."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def words(self) -> str:
        """As a reader says it: "In progress"."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class RemedialAction:
    """One row of actions.csv: what will be done about an indicator, by whom and by when."""

    ref: str
    raised_in: Period
    action: str
    due: date
    who: str = ""
    state: ActionState = ActionState.PLANNED


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One group's figure of an indicator for one period (breakdowns.csv): the same rules as
    an :class:`Observation` for value, numerator and denominator (``value`` always filled)."""

    ref: str
    period: Period
    group: str
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""
    value_given: bool = True


@dataclass(frozen=True, slots=True)
class Narrative:
    """The officer's own words for one report (a Markdown document in the data folder's
    ``reports/`` folder, docs/narrative.md): lines of the cover, the highlights chosen, and
    Markdown at named places of the report.

    ``scope`` is ``organisation`` or a committee's or directorate's id; ``source`` is the
    document as written, kept so that an export writes it back unchanged. ``places`` maps
    ``purpose``, ``background``, ``main_issues``, ``after_table`` and ``conclusion`` to
    Markdown; ``sections`` are further numbered sections (heading, Markdown) in order.
    ``highlights`` is the refs chosen, or None for the default rule.
    """

    scope: str
    period: Period
    source: str
    cover: Mapping[str, str] = field(default_factory=dict)
    highlights: tuple[str, ...] | None = None
    places: Mapping[str, str] = field(default_factory=dict)
    sections: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Dataset:
    """Everything ``evaluate()`` needs, in the order of the files.

    The mappings are indexes by indicator ref, each list in period order; neighbour values are
    indexed by ref and then by period, since a comparison needs one period's rows of a national
    data set that may hold hundreds. Build one with :meth:`Dataset.build`, which makes the
    indexes from flat sequences.
    """

    organisation: Organisation
    indicators: tuple[Indicator, ...]
    targets: Mapping[str, tuple[Target, ...]]
    observations: Mapping[str, tuple[Observation, ...]]
    neighbours: Mapping[str, Mapping[Period, tuple[NeighbourValue, ...]]]
    commentary: Mapping[str, tuple[Commentary, ...]]
    #: actions.csv by ref, each ref's in the order raised, then due.
    actions: Mapping[str, tuple[RemedialAction, ...]] = field(default_factory=dict)
    #: breakdowns.csv by ref, each ref's in period order, groups in file order.
    breakdowns: Mapping[str, tuple[Breakdown, ...]] = field(default_factory=dict)
    #: The reports/ documents, by (scope, period).
    narratives: Mapping[tuple[str, Period], Narrative] = field(default_factory=dict)
    #: The proposals/ files (docs/proposals.md), each in file order.
    rounds: tuple[ProposalRound, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    proposal_comments: tuple[ProposalComment, ...] = ()

    @classmethod
    def build(
        cls,
        organisation: Organisation,
        indicators: tuple[Indicator, ...] | list[Indicator],
        targets: tuple[Target, ...] | list[Target] = (),
        observations: tuple[Observation, ...] | list[Observation] = (),
        neighbours: tuple[NeighbourValue, ...] | list[NeighbourValue] = (),
        commentary: tuple[Commentary, ...] | list[Commentary] = (),
        actions: tuple[RemedialAction, ...] | list[RemedialAction] = (),
        breakdowns: tuple[Breakdown, ...] | list[Breakdown] = (),
    ) -> Dataset:
        """Index flat rows by ref. Rows keep their file order within a ref (sorted by period)."""
        return cls(
            organisation=organisation,
            indicators=tuple(indicators),
            targets=_index(targets, key=lambda t: t.start.start),
            observations=_index(observations, key=lambda o: o.period.start),
            neighbours={
                ref: _by_period(rows)
                for ref, rows in _index(neighbours, key=lambda n: n.period.start).items()
            },
            commentary=_index(commentary, key=lambda c: c.period.end),
            actions=_index(actions, key=action_order),
            breakdowns=_index(breakdowns, key=lambda b: b.period.start),
        )

    def narrative(self, scope: str, period: Period) -> Narrative | None:
        """The officer's words for the report of ``scope`` for ``period``, if written."""
        return self.narratives.get((scope, period))

    def indicator(self, ref: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.ref == ref:
                return indicator
        raise KeyError(ref)


def action_order(action: RemedialAction) -> tuple[int, date]:
    """Actions of an indicator in the order raised, then due (ties in file order)."""
    return (action.raised_in.start, action.due)


def _index(rows: Any, key: Any) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.ref, []).append(row)
    return {ref: tuple(sorted(items, key=key)) for ref, items in grouped.items()}


def _by_period(rows: tuple[NeighbourValue, ...]) -> dict[Period, tuple[NeighbourValue, ...]]:
    grouped: dict[Period, list[NeighbourValue]] = {}
    for row in rows:
        grouped.setdefault(row.period, []).append(row)
    return {period: tuple(group) for period, group in grouped.items()}
