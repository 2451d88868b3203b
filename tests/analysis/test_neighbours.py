"""Statistical neighbours (semantics.md 7)."""

from decimal import Decimal as D

import pytest

from builders import dataset, indicator, neighbour, observation, period
from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.model import (
    ENGLAND_AREA_CODE,
    Direction,
    NeighbourValue,
    Observation,
    Settings,
)
from kpiboard.analysis.neighbours import (
    Comparison,
    NeighbourComparison,
    compare_with_neighbours,
    median,
)
from kpiboard.analysis.periods import Period

COUNCIL = "E10000003"


def _rows(label: str, council: int | None, others: list[int | None]) -> list[NeighbourValue]:
    rows = [neighbour(label, COUNCIL, council)] if council is not None else []
    rows += [neighbour(label, f"E09{i:06d}", v) for i, v in enumerate(others)]
    return rows


def _compare(
    rows: list[NeighbourValue],
    direction: Direction = Direction.HIGHER,
    own: dict[Period, Observation] | None = None,
    at: str = "2024/25 Q2",
    min_neighbours: int = 5,
    group: frozenset[str] | None = None,
) -> NeighbourComparison | None:
    def own_value(p: Period) -> tuple[D, D | None, D | None] | None:
        found = (own or {}).get(p)
        return None if found is None else (found.value, found.lower_ci, found.upper_ci)

    by_period: dict[Period, list[NeighbourValue]] = {}
    for row in rows:
        by_period.setdefault(row.period, []).append(row)
    return compare_with_neighbours(
        rows=by_period,
        own_value=own_value,
        area_code=COUNCIL,
        direction=direction,
        period=period(at),
        min_neighbours=min_neighbours,
        group=group,
    )


def test_the_worked_example() -> None:
    """Council 80 among 90, 80, 70, 60, 50: rank 2 shared, quartile ceil(8/6) = 2, better."""
    found = _compare(_rows("2023/24", 80, [90, 80, 70, 60, 50]))
    assert found is not None
    assert (found.rank, found.group_size, found.quartile) == (2, 6, 2)
    assert (found.n, found.median, found.mean) == (5, D(70), D(70))
    assert found.comparison is Comparison.BETTER
    assert str(found.period) == "2023/24"


def test_ties_share_the_better_rank_and_lower_is_better() -> None:
    """Lower is better: 50 is best; the council ties with two others at 60: 1, 2, 2, 2, 5."""
    found = _compare(_rows("2023/24", 60, [50, 60, 60, 70, 80]), Direction.LOWER)
    assert found is not None
    assert found.rank == 2
    assert found.quartile == 2  # ceil(4 x 2 / 6)
    assert found.median == D(60)
    assert found.comparison is Comparison.SIMILAR  # equal to the median is similar


def test_last_place_is_quartile_four() -> None:
    found = _compare(_rows("2023/24", 10, [20, 30, 40, 50, 60, 70, 80]))
    assert found is not None
    assert (found.rank, found.quartile, found.comparison) == (8, 4, Comparison.WORSE)


def test_falls_back_to_the_latest_period_with_enough_neighbours() -> None:
    """2023/24 has only four neighbours with values, so 2022/23 is used."""
    rows = _rows("2022/23", 70, [60, 65, 75, 80, 85]) + _rows("2023/24", 72, [60, 65, None, 75, 80])
    found = _compare(rows)
    assert found is not None
    assert str(found.period) == "2022/23"
    assert found.n == 5


def test_periods_after_the_reporting_period_are_not_used() -> None:
    rows = _rows("2022/23", 70, [60, 65, 75, 80, 85]) + _rows("2024/25", 72, [60, 65, 70, 75, 80])
    found = _compare(rows, at="2024/25 Q2")
    assert found is not None
    assert str(found.period) == "2022/23"


def test_the_councils_value_can_come_from_its_observations() -> None:
    rows = _rows("2023/24", None, [60, 65, 75, 80, 85])
    own = observation("2023/24", 90)
    found = _compare(rows, own={own.period: own})
    assert found is not None
    assert found.rank == 1
    assert _compare(rows) is None  # no value for the council at all


def test_england_is_shown_beside_and_not_counted() -> None:
    england = neighbour("2023/24", ENGLAND_AREA_CODE, 99)
    rows = [*_rows("2023/24", 70, [60, 65, 75, 80, 85]), england]
    found = _compare(rows)
    assert found is not None
    assert (found.england, found.n, found.rank) == (D(99), 5, 4)


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        ("60", "80", Comparison.SIMILAR),
        ("71", "80", Comparison.BETTER),
        ("60", "69", Comparison.WORSE),
        ("70", "75", Comparison.SIMILAR),
    ],
)
def test_confidence_limits_compare_as_fingertips_does(
    lower: str, upper: str, expected: Comparison
) -> None:
    """With an interval, the median (70) inside it is similar, whatever the point value."""
    rows = [neighbour("2023/24", COUNCIL, 72, lower_ci=lower, upper_ci=upper)]
    rows += _rows("2023/24", None, [60, 65, 70, 75, 80])
    found = _compare(rows)
    assert found is not None
    assert found.comparison is expected


def test_no_direction_gives_no_rank_or_judgement() -> None:
    found = _compare(_rows("2023/24", 80, [90, 80, 70, 60, 50]), Direction.NONE)
    assert found is not None
    assert (found.rank, found.quartile, found.comparison) == (None, None, None)
    assert found.median == D(70)


def test_median_of_an_even_count() -> None:
    assert median([D(1), D(10), D(2), D(3)]) == D("2.5")


def test_mixed_frequencies_use_the_period_that_ends_latest() -> None:
    """Quarterly and annual national figures together: 2023/24 (ends March 2024) comes before
    2023/24 Q3 (ends December 2023), though the year starts earlier."""
    rows = _rows("2023/24", 70, [60, 65, 75, 80, 85]) + _rows(
        "2023/24 Q3", 90, [60, 65, 75, 80, 85]
    )
    rows.sort(key=lambda r: r.period.start)
    found = _compare(rows)
    assert found is not None
    assert str(found.period) == "2023/24"
    assert found.rank == 4


# -- the council's neighbour group ---------------------------------------------------------

# A national data set: the council (70), England (99) and eight areas A to H. The group picks
# some of them; areas outside it are not neighbours, however many there are.
AREAS = {"A": 90, "B": 85, "C": 80, "D": 75, "E": 65, "F": 60, "G": 55, "H": None}


def _national(label: str = "2023/24") -> list[NeighbourValue]:
    rows = [neighbour(label, COUNCIL, 70), neighbour(label, ENGLAND_AREA_CODE, 99)]
    rows += [neighbour(label, f"E0900000{letter}", value) for letter, value in AREAS.items()]
    return rows


def _codes(letters: str) -> frozenset[str]:
    return frozenset(f"E0900000{letter}" for letter in letters)


@pytest.mark.parametrize(
    ("group", "n", "rank", "median", "comparison"),
    [
        # no group: all seven areas with a value are neighbours; four are better than 70
        (None, 7, 5, D(75), Comparison.WORSE),
        # only the group counts: 90, 85, 60, 55, 75 -> three better, median 75
        (_codes("ABFGD"), 5, 4, D(75), Comparison.WORSE),
        # a group of weaker areas: 75, 65, 60, 55, 80 -> two better, median 65
        (_codes("DEFGC"), 5, 3, D(65), Comparison.BETTER),
        # the council and England in the group change nothing: never counted as neighbours
        (_codes("ABFGD") | {COUNCIL, ENGLAND_AREA_CODE}, 5, 4, D(75), Comparison.WORSE),
        # a code with no data (Z) or no value (H) is no neighbour: 90, 85, 80, 75, 65
        (_codes("ABCDEZH"), 5, 5, D(80), Comparison.WORSE),
    ],
)
def test_only_the_groups_areas_are_neighbours(
    group: frozenset[str] | None,
    n: int,
    rank: int,
    median: D,
    comparison: Comparison,
) -> None:
    found = _compare(_national(), group=group)
    assert found is not None
    assert (found.n, found.rank, found.group_size) == (n, rank, n + 1)
    assert found.median == median
    assert found.comparison is comparison
    assert found.england == D(99)  # shown beside, group or not
    assert {row.area_code for row in found.values} <= (group or {r.area_code for r in _national()})


def test_a_group_with_too_few_values_falls_back_to_an_earlier_period() -> None:
    """2023/24 has only three group areas with values; 2022/23 has five."""
    later = [r for r in _national("2023/24") if r.area_code not in _codes("AB")]
    rows = _national("2022/23") + later
    found = _compare(rows, group=_codes("ABCDE"))
    assert found is not None
    assert str(found.period) == "2022/23"
    assert found.n == 5
    assert _compare(later, group=_codes("ABCDE")) is None


def test_evaluate_uses_the_organisations_neighbour_group() -> None:
    """The setting reaches the comparison: the same data, ranked within the group or not."""
    asc = indicator("1", frequency=period("2023/24").frequency, national_definition=True)
    rows = _national()
    grouped = dataset([asc], neighbours=rows, settings=Settings(neighbour_group=_codes("DEFGC")))
    everyone = dataset([asc], neighbours=rows)
    at = period("2024/25 Q2")
    with_group = evaluate(grouped, at).indicators[0].neighbours
    without = evaluate(everyone, at).indicators[0].neighbours
    assert with_group is not None
    assert without is not None
    assert (with_group.n, with_group.rank) == (5, 3)
    assert (without.n, without.rank) == (7, 5)
