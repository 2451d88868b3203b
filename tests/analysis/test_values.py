"""The value of an indicator for a reporting period, and the target in force (semantics.md 2-3)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import indicator, observation, period, series, target
from kpiboard.analysis.model import Aggregation, Cumulative, Observation
from kpiboard.analysis.periods import Frequency, Period
from kpiboard.analysis.values import target_in_force, value_for_period

MONTHS = series("2024-04", [10, 20, 30, 40, 50, 60])  # April to September 2024


@pytest.mark.parametrize(
    ("aggregation", "cumulative", "expected", "as_of"),
    [
        (Aggregation.LATEST, Cumulative.NONE, D(60), "2024-09"),
        (Aggregation.SUM, Cumulative.NONE, D(150), "2024-09"),
        (Aggregation.MEAN, Cumulative.NONE, D(50), "2024-09"),
        (Aggregation.SUM, Cumulative.YTD, D(210), "2024-09"),
        (Aggregation.MEAN, Cumulative.YTD, D(35), "2024-09"),
        (Aggregation.LATEST, Cumulative.YTD, D(60), "2024-09"),
    ],
)
def test_monthly_figures_in_a_quarterly_report(
    aggregation: Aggregation, cumulative: Cumulative, expected: D, as_of: str
) -> None:
    """Q2 combines July-September, or April-September year to date."""
    found = value_for_period(
        indicator(aggregation=aggregation, cumulative=cumulative), MONTHS, period("2024/25 Q2")
    )
    assert found is not None
    assert found.value == expected
    assert str(found.as_of) == as_of
    assert found.complete


def test_ratio_sums_numerators_and_denominators() -> None:
    """27/30, 27/35, 27/35 is 81/100 = 81%, not the mean of the three percentages."""
    months = [
        observation("2024-07", None, numerator=27, denominator=30),
        observation("2024-08", None, numerator=27, denominator=35),
        observation("2024-09", None, numerator=27, denominator=35),
    ]
    found = value_for_period(indicator(aggregation=Aggregation.RATIO), months, period("2024/25 Q2"))
    assert found is not None
    assert found.value == D(81)
    assert found.numerator == D(81)
    assert found.denominator == D(100)


def test_a_missing_month_makes_the_value_incomplete() -> None:
    months = series("2024-07", [10, None, 30])
    found = value_for_period(indicator(aggregation=Aggregation.SUM), months, period("2024/25 Q2"))
    assert found is not None
    assert found.value == D(40)
    assert not found.complete
    assert [str(p) for p in found.missing] == ["2024-08"]


def test_latest_when_the_last_month_is_missing_is_the_last_one_there() -> None:
    months = series("2024-07", [10, 20])
    found = value_for_period(indicator(), months, period("2024/25 Q2"))
    assert found is not None
    assert (found.value, str(found.as_of), found.complete) == (D(20), "2024-08", False)


def test_year_to_date_misses_a_month_before_the_quarter() -> None:
    """A missing April makes a year-to-date total wrong too."""
    months = series("2024-05", [1, 1, 1, 1, 1])
    found = value_for_period(
        indicator(aggregation=Aggregation.SUM, cumulative=Cumulative.YTD),
        months,
        period("2024/25 Q2"),
    )
    assert found is not None
    assert [str(p) for p in found.missing] == ["2024-04"]


def test_same_frequency_is_the_observation_itself() -> None:
    quarters = series("2024/25 Q1", [70, 81])
    found = value_for_period(indicator(frequency=Frequency.QUARTER), quarters, period("2024/25 Q2"))
    assert found is not None
    assert (found.value, str(found.as_of), found.complete) == (D(81), "2024/25 Q2", True)


def test_year_to_date_at_the_same_frequency() -> None:
    quarters = series("2024/25 Q1", [5, 7])
    found = value_for_period(
        indicator(
            frequency=Frequency.QUARTER, aggregation=Aggregation.SUM, cumulative=Cumulative.YTD
        ),
        quarters,
        period("2024/25 Q2"),
    )
    assert found is not None
    assert found.value == D(12)


def test_coarser_takes_the_latest_that_ends_by_the_period_end() -> None:
    """An annual survey in the Q2 2024/25 report shows 2023/24: 2024/25 has not ended."""
    years = series("2022/23", [60, 64, 66])
    survey = indicator(frequency=Frequency.YEAR)
    found = value_for_period(survey, years, period("2024/25 Q2"))
    assert found is not None
    assert (found.value, str(found.as_of), found.complete) == (D(64), "2023/24", True)
    assert value_for_period(survey, years, period("2021/22 Q4")) is None


def test_no_observation_in_the_period_is_no_value() -> None:
    assert value_for_period(indicator(), MONTHS, period("2024/25 Q3")) is None
    assert value_for_period(indicator(), [], period("2024/25 Q2")) is None


def test_a_monthly_report_of_monthly_data() -> None:
    found = value_for_period(indicator(), MONTHS, period("2024-08"))
    assert found is not None
    assert found.value == D(50)


def test_target_in_force_is_the_latest_from_on_or_before_the_period_start() -> None:
    rows = [target("2023/24", 85), target("2024/25 Q2", 90), target("2024-08", 95)]
    assert target_in_force(rows, period("2023/24 Q4")) == D(85)
    assert target_in_force(rows, period("2024/25 Q1")) == D(85)
    assert target_in_force(rows, period("2024/25 Q2")) == D(90)  # 2024-08 starts after July
    assert target_in_force(rows, period("2024-08")) == D(95)
    assert target_in_force(rows, period("2022/23")) is None


def _by_definition(
    frequency: Frequency, cumulative: Cumulative, observations: list[Observation], at: Period
) -> tuple[Period, ...] | None:
    """The periods semantics.md 2 combines for ``at``, found by scanning every observation."""
    if frequency.months > at.frequency.months:
        ended = [o for o in observations if o.period.end <= at.end]
        return (ended[-1].period,) if ended else None
    start = at.financial_year.start if cumulative is Cumulative.YTD else at.start
    inside = [o.period for o in observations if start <= o.period.start and o.period.end <= at.end]
    return tuple(inside) or None


@given(
    frequency=st.sampled_from(list(Frequency)),
    cumulative=st.sampled_from(list(Cumulative)),
    # months from April 2022 with figures, and a reporting period anywhere around them
    months=st.sets(st.integers(0, 47), max_size=30),
    reporting=st.tuples(st.sampled_from(list(Frequency)), st.integers(-6, 54)),
)
def test_the_periods_combined_are_those_the_definition_picks(
    frequency: Frequency,
    cumulative: Cumulative,
    months: set[int],
    reporting: tuple[Frequency, int],
) -> None:
    """value_for_period finds its observations by bisecting the sorted list; it must pick the
    same ones as a scan of every observation would, at every frequency, year to date or not."""
    first = period("2022-04").start
    periods = sorted(
        {Period.containing(first + m, frequency, 4) for m in months}, key=lambda p: p.start
    )
    observations = [Observation("1", p, D(i)) for i, p in enumerate(periods)]
    at = Period.containing(first + reporting[1], reporting[0], 4)
    chosen = indicator(frequency=frequency, cumulative=cumulative, aggregation=Aggregation.SUM)
    found = value_for_period(chosen, observations, at)
    expected = _by_definition(frequency, cumulative, observations, at)
    assert (tuple(o.period for o in found.observations) if found else None) == expected
