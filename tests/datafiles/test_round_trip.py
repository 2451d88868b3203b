"""Write then read gives the Dataset back: exactly for a folder, equal in value for a workbook."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from math import ceil, floor
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiboard.analysis.model import (
    UNIT_DEFAULT,
    Aggregation,
    Ambition,
    Category,
    Commentary,
    Committee,
    Cumulative,
    Dataset,
    Direction,
    Directorate,
    Indicator,
    NeighbourValue,
    Observation,
    Organisation,
    PercentRounding,
    Settings,
    SpcSettings,
    Target,
    Tolerance,
    ToleranceMode,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.datafiles import read_dataset, write_folder, write_workbook

DataFolder = Callable[..., Path]

# -- the hand-made folder of conftest.py -----------------------------------------------------


def test_folder_round_trip_is_exact(data_folder: DataFolder, tmp_path: Path) -> None:
    original = read_dataset(data_folder())
    write_folder(original, tmp_path / "once")
    again = read_dataset(tmp_path / "once")
    assert again == original
    assert _digits(again) == _digits(original)
    write_folder(again, tmp_path / "twice")
    for file in sorted((tmp_path / "once").iterdir()):
        assert file.read_bytes() == (tmp_path / "twice" / file.name).read_bytes(), file.name


def test_files_are_written_in_the_order_of_formats_md(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    write_folder(read_dataset(data_folder()), tmp_path)
    observations = (tmp_path / "observations.csv").read_text(encoding="utf-8-sig").splitlines()
    assert observations == [
        "ref,period,value,numerator,denominator,lower_ci,upper_ci,rebase,note",
        "182,2024-04,,74,100,,,,",
        "182,2024-05,81,81,100,75,86,true,Two late replies",
        "214,2024-04,11.5,,,,,,",
        "300,2024/25 Q1,37,,,,,,",
    ]
    indicators = (tmp_path / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert indicators[0].startswith("ref,name,description,unit,decimals,direction,frequency,")
    assert indicators[0].endswith(",red_at,blue_above,min,max,integer,unit_label")
    assert indicators[2].endswith(",points,5,none,,,false,")
    toml = (tmp_path / "organisation.toml").read_text(encoding="utf-8")
    assert "red_at = 0.10" in toml
    assert "[report.srp]" in toml


def test_workbook_gives_the_same_dataset_as_the_folder(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    original = read_dataset(data_folder())
    write_workbook(original, tmp_path / "data.xlsx")
    assert read_dataset(tmp_path / "data.xlsx") == original


def test_workbook_cells_are_typed_for_a_spreadsheet_user(
    data_folder: DataFolder, tmp_path: Path
) -> None:
    write_workbook(read_dataset(data_folder()), tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(tmp_path / "data.xlsx")
    observations = book["observations"]
    assert [cell.value for cell in observations[1]][:4] == ["ref", "period", "value", "numerator"]
    assert observations["A2"].value == "182"  # a ref stays text
    assert observations["D2"].value == 74  # a number is a number
    assert observations["H3"].value is True
    settings_rows = {row[0]: row[1] for row in book["organisation"].iter_rows(values_only=True)}
    assert settings_rows["tolerance.red_at"] == 0.1
    assert settings_rows["report.srp.to"] == "Strategy, Resources and Performance Committee"
    assert list(book["committees"].iter_rows(values_only=True))[1][0] == "srp"


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(
    data_folder: DataFolder, tmp_path: Path
) -> None:

    dangerous = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)"]
    observations = "".join(
        f'214,2024-{5 + i:02d},10,,,,,,"{text.replace(chr(34), chr(34) * 2)}"\n'
        for i, text in enumerate(dangerous)
    )
    commentary = '214,2024-05,"=1+2",@author\n'
    original = read_dataset(data_folder(add_observations=observations, add_commentary=commentary))
    write_workbook(original, tmp_path / "data.xlsx")
    book = openpyxl.load_workbook(tmp_path / "data.xlsx")
    notes = [row[8] for row in book["observations"].iter_rows(min_row=2)]
    written = {cell.value: cell.data_type for cell in notes if cell.value}
    assert written == dict.fromkeys(["Two late replies", *dangerous], "s")
    commentary_cells = next(iter(book["commentary"].iter_rows(min_row=3, values_only=False)))
    assert (commentary_cells[2].value, commentary_cells[2].data_type) == ("=1+2", "s")
    assert (commentary_cells[3].value, commentary_cells[3].data_type) == ("@author", "s")
    assert read_dataset(tmp_path / "data.xlsx") == original


def _digits(dataset: Dataset) -> list[str]:
    """Every number as written, so that 81.0 and 81 differ."""
    numbers: list[Any] = []
    for rows in dataset.observations.values():
        for o in rows:
            numbers += [o.value, o.numerator, o.denominator, o.lower_ci, o.upper_ci]
    for targets in dataset.targets.values():
        numbers += [t.value for t in targets]
    for by_period in dataset.neighbours.values():
        for neighbours in by_period.values():
            numbers += [(n.value, n.lower_ci, n.upper_ci) for n in neighbours]
    return [str(n) for n in numbers]


# -- generated datasets ----------------------------------------------------------------------

_TEXT = (
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"),
        )
        | st.sampled_from(" ,;\"'=+-@\n£é"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
_ID = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=6)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Commentary as people type it (formats.md: line breaks, tabs and any Unicode text survive every
#: round trip): line ends of every kind, tabs, Markdown, text that looks like a formula or like
#: the workbook's own escapes (``_x000D_``), emoji, inside the text.
_COMMENTARY = (
    st.lists(
        st.sampled_from(
            [
                "\r\n",
                "\r",
                "\n",
                "\t",
                "_x000D_",
                "_x005F_",
                "_x",
                "=SUM(A1)",
                "+1",
                "@",
                "**46 staff**",
                "- item",
                "café",
                "Ŵales",
                "👍",
                "–",
                " ",
                "a",
                "1",
            ]
        )
        | st.text(st.characters(codec="utf-8"), max_size=5),
        min_size=1,
        max_size=12,
    )
    .map(lambda parts: "".join(parts).strip())  # every reader strips a cell's ends (tables.py)
    # Control characters other than tab and the line ends are refused by every reader (issue 16:
    # NUL cannot be stored in PostgreSQL; the others are invisible and come from damaged files).
    .filter(lambda text: text != "" and not _CONTROL.search(text))
)


def _number(low: int = -10_000, high: int = 10_000, places: int = 4) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False
    )


_KNOWN_KEYS = {
    "name",
    "area_code",
    "year_start_month",
    "tolerance",
    "summary",
    "spc",
    "trend",
    "neighbours",
    "committees",
    "directorates",
    "ambitions",
}


@st.composite
def _organisation(draw: st.DrawFn) -> Organisation:
    mode = draw(st.sampled_from(ToleranceMode))
    tolerance = Tolerance(
        mode,
        draw(_number(0, 20, 2).filter(lambda d: d > 0)),
        draw(st.none() | _number(0, 20, 2)),
    )
    settings_ = Settings(
        year_start_month=draw(st.integers(1, 12)),
        tolerance=tolerance,
        percent_rounding=draw(st.sampled_from(PercentRounding)),
        trend_points={f: draw(st.integers(3, 30)) for f in Frequency},
        min_neighbours=draw(st.integers(1, 20)),
        spc=SpcSettings(draw(st.booleans()), draw(st.integers(2, 12)), draw(st.integers(2, 40))),
    )
    extra_value = st.one_of(
        _TEXT,
        st.just(""),
        st.just("toml: not a literal"),
        st.integers(-1000, 1000),
        st.booleans(),
        _number(-100, 100, 2),
        st.lists(_TEXT, min_size=1, max_size=3),
    )
    extra = draw(
        st.dictionaries(
            _ID.map(str.lower),
            st.dictionaries(_ID, extra_value, min_size=1, max_size=3),
            max_size=2,
        ).filter(lambda d: not set(d) & _KNOWN_KEYS)
    )

    def entries(kind: type[Committee] | type[Directorate] | type[Ambition]) -> Any:
        ids = draw(st.lists(_ID, min_size=1, max_size=3, unique=True))
        return tuple(kind(id_, draw(_TEXT)) for id_ in ids)

    return Organisation(
        name=draw(_TEXT),
        area_code=draw(st.none() | _ID),
        settings=settings_,
        committees=entries(Committee),
        directorates=entries(Directorate),
        ambitions=entries(Ambition),
        extra=extra,
    )


def _periods(frequency: Frequency, year_start_month: int) -> st.SearchStrategy[Period]:
    months = st.integers(2000 * 12, 2030 * 12)
    return months.map(lambda m: Period.containing(m, frequency, year_start_month))


@st.composite
def _indicator(draw: st.DrawFn, ref: str, organisation: Organisation) -> Indicator:
    committees = [c.id for c in organisation.committees]
    ambitions = [a.id for a in organisation.ambitions]
    no_blue = draw(st.booleans())
    indicator = Indicator(
        ref=ref,
        name=draw(_TEXT),
        unit=draw(st.sampled_from(Unit)),
        direction=draw(st.sampled_from(Direction)),
        frequency=draw(st.sampled_from(Frequency)),
        category=draw(st.sampled_from(Category)),
        committees=tuple(draw(st.lists(st.sampled_from(committees), min_size=1, unique=True))),
        directorate=draw(st.sampled_from([d.id for d in organisation.directorates])),
        description=draw(st.just("") | _TEXT),
        decimals=draw(st.integers(0, 10)),
        aggregation=draw(st.sampled_from(Aggregation)),
        cumulative=draw(st.sampled_from(Cumulative)),
        ambitions=tuple(draw(st.lists(st.sampled_from(ambitions), unique=True))),
        national_definition=draw(st.booleans()),
        owner=draw(st.just("") | st.just("officer@example.gov.uk")),
        tolerance_mode=draw(st.none() | st.sampled_from(ToleranceMode)),
        red_at=draw(st.none() | _number(0, 20, 2).filter(lambda d: d > 0)),
        blue_above=None if no_blue else draw(st.none() | _number(0, 20, 2)),
        no_blue=no_blue,
        extra=draw(st.dictionaries(_ID.map(lambda s: "x_" + s.lower()), _TEXT, max_size=2)),
    )
    # every kind of bound: the unit's default (an empty cell), none, or a number
    minimum = draw(st.sampled_from([UNIT_DEFAULT, None]) | _number(-50, 50, 2))
    maximum = draw(st.sampled_from([UNIT_DEFAULT, None]) | _number(-50, 150, 2))
    integer = draw(st.booleans())
    bounded = replace(
        indicator,
        minimum=minimum,
        maximum=maximum,
        integer=integer,
        unit_label=draw(st.just("") | _TEXT),
    )
    low, high = bounded.lower_bound, bounded.upper_bound
    if high is not None and (
        (low is not None and (low > high or (integer and floor(high) < ceil(low))))
        or (indicator.aggregation is Aggregation.RATIO and high < 0)  # counts give 0 or more
    ):
        bounded = replace(bounded, maximum=None)  # a min above the max is an error
    return bounded


def _possible(indicator: Indicator, at_least: Decimal | None = None) -> st.SearchStrategy[Decimal]:
    """A value the indicator can have (and ``at_least``, where given)."""
    low, high = indicator.lower_bound, indicator.upper_bound
    if at_least is not None:
        low = at_least if low is None else max(low, at_least)
    least = low if low is not None else (high - 20_000 if high is not None else Decimal(-10_000))
    most = high if high is not None else least + 20_000
    if indicator.integer:
        return st.integers(ceil(least), floor(most)).map(Decimal)
    return st.decimals(least, most, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def _observation(draw: st.DrawFn, indicator: Indicator, period: Period) -> Observation:
    percent = indicator.unit is Unit.PERCENT
    counts = indicator.aggregation is Aggregation.RATIO or draw(st.booleans())
    high = indicator.upper_bound
    counts = counts and (high is None or high >= 0)  # counts give a value of 0 or more
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    exact: Decimal | None = None  # numerator / denominator, x 100 for percentages
    times = Decimal(100) if percent else Decimal(1)
    value = draw(_possible(indicator, Decimal(0) if counts else None))
    if counts:
        denominator = Decimal(draw(st.integers(1, 10_000)))
        numerator = (value * denominator / times).to_integral_value(ROUND_FLOOR)
        if indicator.impossible(numerator * times / denominator) is not None:
            # counts that give the value itself (it has at most 4 places)
            denominator = Decimal(10**6 if percent else 10**4)
            numerator = value * denominator / times
        exact = numerator * times / denominator
    given = True
    if exact is not None and draw(st.booleans()):
        value, given = exact, False
    elif exact is not None:  # a value beside its counts must agree at the display decimals
        value = exact.quantize(Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP)
        if indicator.impossible(value) is not None:  # rounded past a bound
            value = exact
    lower: Decimal | None = None
    upper: Decimal | None = None
    if draw(st.booleans()):
        lower = value - draw(_number(0, 5, 2))
        upper = value + draw(_number(0, 5, 2))
        if indicator.lower_bound is not None:
            lower = max(lower, indicator.lower_bound)
        if indicator.upper_bound is not None:
            upper = min(upper, indicator.upper_bound)
    return Observation(
        indicator.ref,
        period,
        value,
        numerator,
        denominator,
        lower,
        upper,
        rebase=draw(st.booleans()),
        note=draw(st.just("") | _TEXT),
        value_given=given,
    )


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    organisation = draw(_organisation())
    ysm = organisation.settings.year_start_month
    refs = draw(st.lists(_ID, min_size=1, max_size=4, unique=True))
    indicators = [draw(_indicator(ref, organisation)) for ref in refs]
    targets: list[Target] = []
    observations: list[Observation] = []
    neighbours: list[NeighbourValue] = []
    commentary: list[Commentary] = []
    for indicator in indicators:
        percent = indicator.unit is Unit.PERCENT
        frequency = indicator.frequency
        starts = draw(
            st.lists(
                st.sampled_from(Frequency).flatmap(lambda f: _periods(f, ysm)),
                max_size=3,
                unique_by=lambda p: p.start,
            )
        )
        targets += [Target(indicator.ref, start, draw(_possible(indicator))) for start in starts]
        for period in draw(st.lists(_periods(frequency, ysm), max_size=4, unique=True)):
            observations.append(draw(_observation(indicator, period)))
        coarser = [f for f in Frequency if f.months >= frequency.months]
        for period in draw(
            st.lists(
                st.sampled_from(coarser).flatmap(lambda f: _periods(f, ysm)),
                max_size=2,
                unique=True,
            )
        ):
            for area in draw(st.lists(_ID, min_size=1, max_size=3, unique=True)):
                value = draw(st.none() | (_number(0, 100) if percent else _number()))
                neighbours.append(
                    NeighbourValue(
                        indicator.ref,
                        period,
                        area,
                        draw(st.just("") | _TEXT),
                        value,
                    )
                )
        for period in draw(
            st.lists(
                st.sampled_from(Frequency).flatmap(lambda f: _periods(f, ysm)),
                max_size=2,
                unique=True,
            )
        ):
            commentary.append(
                Commentary(indicator.ref, period, draw(_COMMENTARY), draw(st.just("") | _TEXT))
            )
    return Dataset.build(organisation, indicators, targets, observations, neighbours, commentary)


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(datasets())
def test_any_dataset_survives_a_folder_round_trip_exactly(dataset: Dataset) -> None:
    with TemporaryDirectory() as folder:
        write_folder(dataset, folder)
        again = read_dataset(folder)
    assert again == dataset
    assert _digits(again) == _digits(dataset)


@_SETTINGS
@given(datasets())
def test_any_dataset_survives_a_workbook_round_trip_in_value(dataset: Dataset) -> None:
    with TemporaryDirectory() as folder:
        write_workbook(dataset, Path(folder) / "data.xlsx")
        assert read_dataset(Path(folder) / "data.xlsx") == dataset
