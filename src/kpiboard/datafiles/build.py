"""Turn checked tables into the engine's Dataset.

Indicators, targets and commentary are built at once. Observations and neighbour values are built
per indicator on first access (:class:`RowsByRef`): a frozen dataclass of seven fields costs 2 to
4 microseconds to make, so 600,000 neighbour values take 2 seconds or more however they were read,
and an evaluation that looks at one committee, or at indicators without a national definition,
never needs most of them. The result is the same as ``Dataset.build``'s: each ref's rows in period
order, rows of the same period in file order (the mappings are keyed in indicator order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

import polars as pl

from kpiboard.analysis.model import (
    Aggregation,
    Category,
    Commentary,
    Cumulative,
    Dataset,
    Direction,
    Indicator,
    NeighbourValue,
    Observation,
    Organisation,
    Target,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.datafiles.bounds import read_bound
from kpiboard.datafiles.tables import Table

__all__ = ["RowsByRef", "build_dataset", "with_neighbours"]

_Row = TypeVar("_Row")


class RowsByRef(Mapping[str, tuple[_Row, ...]]):
    """Rows of one file by indicator ref, each ref's tuple made on first access and kept.

    ``frame`` is sorted by ``_idx``, the position of each row's indicator in ``refs``, and
    within an indicator in the order wanted; ``make`` turns one ref's slice of it into model
    objects. Equal to a dict with the same items, as every Mapping is.
    """

    def __init__(
        self,
        frame: pl.DataFrame,
        refs: Sequence[str],
        make: Callable[[pl.DataFrame], list[_Row]],
    ) -> None:
        self._frame = frame
        self._make = make
        self._made: dict[str, tuple[_Row, ...]] = {}
        self._spans: dict[str, tuple[int, int]] = {}
        offset = 0
        for length, index in frame["_idx"].rle().struct.unnest().iter_rows():
            self._spans[refs[index]] = (offset, length)
            offset += length

    def made(self) -> dict[str, tuple[_Row, ...]]:
        """Every ref's rows, made now in one pass: for the small files."""
        if not self._spans:
            return {}
        rows = self._make(self._frame)
        return {
            ref: tuple(rows[start : start + length]) for ref, (start, length) in self._spans.items()
        }

    def __getitem__(self, ref: str) -> tuple[_Row, ...]:
        made = self._made.get(ref)
        if made is None:
            offset, length = self._spans[ref]
            made = self._made[ref] = tuple(self._make(self._frame.slice(offset, length)))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, ref: object) -> bool:
        return ref in self._spans

    def __repr__(self) -> str:
        return f"RowsByRef({len(self._spans)} refs, {self._frame.height} rows)"


class NeighboursByPeriod(Mapping[Period, tuple[NeighbourValue, ...]]):
    """One indicator's neighbour values by period, each period's made on first access.

    A comparison reads the latest usable period (one or two of, say, forty), so the other rows
    of a large national data set are never turned into objects. ``spans`` gives each period's
    runs of rows (offset, length) in ``frame``, which holds every indicator's rows.
    """

    def __init__(
        self,
        frame: pl.DataFrame,
        spans: Mapping[Period, Sequence[tuple[int, int]]],
        periods: list[Period],
        numbers: _Numbers,
    ) -> None:
        self._part = frame
        self._numbers = numbers
        self._periods = periods
        self._spans = spans
        self._made: dict[Period, tuple[NeighbourValue, ...]] = {}

    def __getitem__(self, period: Period) -> tuple[NeighbourValue, ...]:
        made = self._made.get(period)
        if made is None:
            numbers, periods = self._numbers.made, self._periods
            made = self._made[period] = tuple(
                NeighbourValue(
                    ref,
                    periods[pid],
                    code,
                    name or "",
                    numbers(value),
                    numbers(lower),
                    numbers(upper),
                )
                for offset, length in self._spans[period]
                # one slice's rows as tuples: a tenth of the cost of a list per column
                for ref, pid, code, name, value, lower, upper in self._part.slice(
                    offset, length
                ).rows()
            )
        return made

    def __iter__(self) -> Iterator[Period]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, period: object) -> bool:
        return period in self._spans

    def __repr__(self) -> str:
        return f"NeighboursByPeriod({len(self._spans)} periods, {self._part.height} rows)"


def build_dataset(
    organisation: Organisation,
    indicators: Table,
    tables: Mapping[str, pl.DataFrame | None],
    periods: list[Period],
) -> Dataset:
    """The Dataset of checked frames (by file name: targets, observations, ...), all valid.

    ``periods`` numbers the Period objects that the frames' ``_pid`` columns refer to. The
    neighbours, when ``tables`` has none, can be added by :func:`with_neighbours`.
    """
    targets, observations, commentary = (
        tables.get(name) for name in ("targets", "observations", "commentary")
    )
    built = _indicators(indicators)
    refs = [indicator.ref for indicator in built]
    numbers = _Numbers()
    dataset = Dataset(
        organisation=organisation,
        indicators=built,
        targets=RowsByRef(
            _sorted(targets, "_start", ["target"]), refs, lambda part: _targets(part, periods)
        ).made(),
        # In one pass: slicing the frame per indicator costs more than the objects themselves.
        observations=RowsByRef(
            _sorted(observations, "_start", _OBSERVATION_COLUMNS),
            refs,
            lambda part: _observations(part, periods, numbers),
        ).made(),
        neighbours={},
        commentary=RowsByRef(
            _sorted(commentary, "_end", ["commentary", "author"]),
            refs,
            lambda part: _commentary(part, periods),
        ).made(),
    )
    neighbours = tables.get("neighbours")
    return with_neighbours(dataset, neighbours, periods) if neighbours is not None else dataset


def with_neighbours(
    dataset: Dataset, neighbours: pl.DataFrame | None, periods: list[Period]
) -> Dataset:
    """``dataset`` with the checked frame of neighbours.csv, whose ``_pid`` numbers ``periods``."""
    refs = [indicator.ref for indicator in dataset.indicators]
    frame = _sorted(neighbours, "_start", _NEIGHBOUR_COLUMNS)
    return replace(dataset, neighbours=_neighbours_by_ref(frame, refs, periods, _Numbers()))


_OBSERVATION_COLUMNS = [
    "value",
    "numerator",
    "denominator",
    "lower_ci",
    "upper_ci",
    "rebase#b",
    "note",
    "_percent",
]
_NEIGHBOUR_COLUMNS = ["area_code", "area_name", "value", "lower_ci", "upper_ci"]


def _neighbours_by_ref(
    frame: pl.DataFrame, refs: Sequence[str], periods: list[Period], numbers: _Numbers
) -> dict[str, NeighboursByPeriod]:
    """Each indicator's neighbour rows by period, found in one pass over the runs of
    (indicator, period) in the sorted frame: slicing the frame per indicator cost more."""
    if frame.height == 0:
        return {}
    width = len(periods) + 1
    key = (pl.col("_idx").cast(pl.Int64) * width + pl.col("_pid").cast(pl.Int64)).alias("key")
    runs = frame.select(key)["key"].rle().struct.unnest()
    lengths = runs["len"]
    starts = (lengths.cum_sum() - lengths).to_list()
    indexes = (runs["value"] // width).to_list()
    pids = (runs["value"] % width).to_list()
    spans = list(zip(starts, lengths.to_list(), strict=True))
    # Each indicator's runs follow one another (the frame is in indicator order).
    bounds = pl.Series(indexes).rle().struct.unnest()
    ends = bounds["len"].cum_sum().to_list()
    columns = frame.select("ref", "_pid", *_NEIGHBOUR_COLUMNS)
    by_ref: dict[str, NeighboursByPeriod] = {}
    begin = 0
    if runs["value"].n_unique() == runs.height:
        # The usual case: each (indicator, period) is one run of rows. Built in C, by zip.
        for index, end in zip(bounds["value"].to_list(), ends, strict=True):
            by_period = dict(
                zip(map(periods.__getitem__, pids[begin:end]), zip(spans[begin:end]), strict=True)
            )
            by_ref[refs[index]] = NeighboursByPeriod(columns, by_period, periods, numbers)
            begin = end
        return by_ref
    # Periods of different lengths starting in the same month can interleave their rows.
    for index, end in zip(bounds["value"].to_list(), ends, strict=True):
        found: dict[Period, list[tuple[int, int]]] = {}
        for pid, span in zip(pids[begin:end], spans[begin:end], strict=True):
            found.setdefault(periods[pid], []).append(span)
        by_ref[refs[index]] = NeighboursByPeriod(columns, found, periods, numbers)
        begin = end
    return by_ref


def _sorted(frame: pl.DataFrame | None, period_key: str, columns: list[str]) -> pl.DataFrame:
    """``_idx``, ``ref``, ``_pid`` and ``columns``, in indicator order, then by ``period_key``
    (``_start`` or ``_end``), then in file order: the order of Dataset.build.

    A file already in that order (as the writer writes it) is not sorted again.
    """
    if frame is None:
        return pl.DataFrame(schema={"_idx": pl.Int64, "ref": pl.String, "_pid": pl.Int64})
    if period_key == "_end":
        frame = frame.with_columns((pl.col("_start") + pl.col("_months") - 1).alias("_end"))
    frame = frame.select("_idx", "ref", "_pid", period_key, "_row", *columns)
    low, high = frame.select(
        pl.col(period_key).min().alias("low"), pl.col(period_key).max().alias("high")
    ).row(0)
    if low is not None:
        order = pl.col("_idx") * (high - low + 1) + (pl.col(period_key) - low)
        if not frame.select(order.is_sorted()).item():
            frame = frame.sort(["_idx", period_key, "_row"])
    return frame.drop(period_key, "_row")


def _indicators(table: Table) -> tuple[Indicator, ...]:
    columns = [
        "ref", "name", "unit", "direction", "frequency", "category", "committees",
        "directorate", "description", "decimals#i", "aggregation", "cumulative", "ambitions",
        "national_definition#b", "owner", "tolerance_mode", "red_at", "blue_above", "min",
        "max", "integer#b", "unit_label",
    ]  # fmt: skip
    extra = table.extra
    indicators = []
    for row in table.frame.select(*columns, *extra).iter_rows():
        (ref, name, unit, direction, frequency, category, committees, directorate, description,
         decimals, aggregation, cumulative, ambitions, national, owner, mode, red_at,
         blue_above, minimum, maximum, integer, unit_label) = row[: len(columns)]  # fmt: skip
        no_blue = blue_above is not None and blue_above.lower() == "none"
        indicators.append(
            Indicator(
                ref=ref,
                name=name,
                unit=Unit(unit),
                direction=Direction(direction),
                frequency=Frequency(frequency),
                category=Category(category),
                committees=_ids(committees),
                directorate=directorate,
                description=description or "",
                decimals=decimals if decimals is not None else 1,
                aggregation=Aggregation(aggregation or Aggregation.LATEST.value),
                cumulative=Cumulative(cumulative or Cumulative.NONE.value),
                ambitions=_ids(ambitions),
                national_definition=bool(national),
                owner=owner or "",
                tolerance_mode=ToleranceMode(mode) if mode else None,
                red_at=_decimal(red_at),
                blue_above=None if no_blue else _decimal(blue_above),
                no_blue=no_blue,
                minimum=read_bound(minimum),
                maximum=read_bound(maximum),
                integer=bool(integer),
                unit_label=unit_label or "",
                extra={
                    key: value
                    for key, value in zip(extra, row[len(columns) :], strict=True)
                    if value is not None
                },
            )
        )
    return tuple(indicators)


def _ids(cell: str | None) -> tuple[str, ...]:
    if cell is None:
        return ()
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class _Numbers:
    """Decimals by their text, each made once: 600,000 neighbour values of one decimal place
    between 0 and 100 hold about a thousand distinct numbers (Decimals are immutable, so rows
    can share them)."""

    def __init__(self) -> None:
        self._made: dict[str | None, Decimal | None] = {None: None}

    def made(self, text: str | None) -> Decimal | None:
        """The Decimal of one text (None for none)."""
        found = self._made.get(text)
        if found is None and text is not None:
            found = self._made[text] = Decimal(text)
        return found

    def column(self, column: pl.Series) -> list[Decimal | None]:
        if column.null_count() == column.len():
            return [None] * column.len()
        texts = column.to_list()
        made = self._made
        try:
            return [made[text] for text in texts]
        except KeyError:
            for text in texts:
                if text not in made:
                    made[text] = Decimal(text)
            return [made[text] for text in texts]


def _refs(part: pl.DataFrame) -> list[str]:
    """The ref of every row of a slice (of one ref, or of several)."""
    return part["ref"].to_list()


def _periods(part: pl.DataFrame, periods: list[Period]) -> list[Period]:
    return list(map(periods.__getitem__, part["_pid"].to_list()))


def _texts(column: pl.Series) -> list[str]:
    if column.null_count() == column.len():
        return [""] * column.len()
    return [text or "" for text in column.to_list()]


def _targets(part: pl.DataFrame, periods: list[Period]) -> list[Target]:
    values = [Decimal(text) for text in part["target"].to_list()]
    return list(map(Target, part["ref"].to_list(), _periods(part, periods), values))


def _observations(
    part: pl.DataFrame, periods: list[Period], numbers: _Numbers
) -> list[Observation]:
    """Observations (of one ref or several); where the value is empty it is numerator /
    denominator (x 100 for percentages), with ``value_given`` False."""
    values = numbers.column(part["value"])
    numerators = numbers.column(part["numerator"])
    denominators = numbers.column(part["denominator"])
    given = [value is not None for value in values]
    if not all(given):
        hundred, one = Decimal(100), Decimal(1)
        values = [
            value
            if value is not None
            else _computed(numerator, denominator, hundred if percent else one)
            for value, numerator, denominator, percent in zip(
                values, numerators, denominators, part["_percent"].to_list(), strict=True
            )
        ]
    rebase = part["rebase#b"]
    return list(
        map(
            Observation,
            _refs(part),
            _periods(part, periods),
            values,
            numerators,
            denominators,
            numbers.column(part["lower_ci"]),
            numbers.column(part["upper_ci"]),
            [False] * part.height
            if rebase.null_count() == part.height
            else [flag is True for flag in rebase.to_list()],
            _texts(part["note"]),
            given,
        )
    )


def _computed(numerator: Decimal | None, denominator: Decimal | None, times: Decimal) -> Decimal:
    """numerator x 100 / denominator for a percentage: 2 of 3 is 66.66...67 (28 digits)."""
    assert numerator is not None  # checked before building
    assert denominator is not None
    return numerator * times / denominator


def _commentary(part: pl.DataFrame, periods: list[Period]) -> list[Commentary]:
    return list(
        map(
            Commentary,
            part["ref"].to_list(),
            _periods(part, periods),
            part["commentary"].to_list(),
            _texts(part["author"]),
        )
    )
