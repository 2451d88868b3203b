"""The breakdown rule (analysis/breakdowns.py): how a period's groups combine to the headline,
which breakdowns are checked, and a mismatch named with both figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpiboard.analysis.breakdowns import (
    BreakdownRule,
    BreakdownTable,
    breakdown_grid,
    breakdown_mismatches,
    breakdown_rule,
    combine,
    in_period,
)
from kpiboard.analysis.model import (
    Aggregation,
    Breakdown,
    Category,
    Dataset,
    Direction,
    Indicator,
    Observation,
    Organisation,
    Unit,
)
from kpiboard.analysis.periods import Frequency, Period

D = Decimal
AUGUST = Period.month(2024, 8)


def indicator(aggregation: Aggregation, unit: Unit = Unit.PERCENT, decimals: int = 1) -> Indicator:
    return Indicator(
        "190",
        "First contact resolution",
        unit,
        Direction.HIGHER,
        Frequency.MONTH,
        Category.TARGETED,
        ("srp",),
        "snp",
        decimals=decimals,
        aggregation=aggregation,
    )


def group(name: str, value: str, numerator: str | None = None, denominator: str | None = None,
          period: Period = AUGUST) -> Breakdown:  # fmt: skip
    return Breakdown(
        "190",
        period,
        name,
        D(value),
        D(numerator) if numerator else None,
        D(denominator) if denominator else None,
    )


@pytest.mark.parametrize(
    ("aggregation", "counted", "rule"),
    [
        (Aggregation.SUM, False, BreakdownRule.SUM),
        (Aggregation.SUM, True, BreakdownRule.SUM),
        (Aggregation.RATIO, True, BreakdownRule.RATIO),
        (Aggregation.RATIO, False, None),  # refused on reading: a ratio's rows need counts
        (Aggregation.MEAN, True, BreakdownRule.RATIO),
        (Aggregation.LATEST, True, BreakdownRule.RATIO),
        (Aggregation.MEAN, False, None),
        (Aggregation.LATEST, False, None),
    ],
)
def test_which_rule_combines_the_groups(
    aggregation: Aggregation, counted: bool, rule: BreakdownRule | None
) -> None:
    rows = (
        [group("A", "61", "61", "100"), group("B", "66", "33", "50")]
        if counted
        else [group("A", "61"), group("B", "66")]
    )
    assert breakdown_rule(indicator(aggregation), rows) is rule


def test_combining_by_sum_and_by_ratio() -> None:
    """Sum: 12 + 30.5 = 42.5. Ratio of counts: (732 + 660) / (1200 + 1000) x 100 = 63.2727...,
    not the mean of 61 and 66 (63.5)."""
    assert combine([group("A", "12"), group("B", "30.5")], BreakdownRule.SUM, percent=False) == (
        D("42.5")
    )
    rows = [group("A", "61", "732", "1200"), group("B", "66", "660", "1000")]
    assert combine(rows, BreakdownRule.RATIO, percent=True) == D(139200) / D(2200)
    assert combine(rows, BreakdownRule.RATIO, percent=False) == D(1392) / D(2200)


def dataset(headline: str, rows: list[Breakdown], aggregation: Aggregation) -> Dataset:
    return Dataset.build(
        Organisation("Council"),
        [indicator(aggregation)],
        observations=[Observation("190", AUGUST, D(headline))],
        breakdowns=rows,
    )


TABLE = {"190": BreakdownTable("190", ("Registration", "Education Transport"), "Service")}


def test_a_complete_breakdown_agreeing_at_the_indicators_decimals_passes() -> None:
    """(732 + 660) / 2200 x 100 = 63.27..., 63.3 at 1 decimal, as the headline 63.3."""
    rows = [
        group("Registration", "61", "732", "1200"),
        group("Education Transport", "66", "660", "1000"),
    ]
    assert breakdown_mismatches(dataset("63.3", rows, Aggregation.RATIO), TABLE) == []


def test_a_mismatch_names_both_figures() -> None:
    rows = [
        group("Registration", "61", "732", "1200"),
        group("Education Transport", "66", "660", "1000"),
    ]
    (mismatch,) = breakdown_mismatches(dataset("63.5", rows, Aggregation.RATIO), TABLE)
    assert (mismatch.ref, mismatch.period, mismatch.headline) == ("190", AUGUST, D("63.5"))
    assert mismatch.combined_text == "63.3"
    assert mismatch.message == (
        "the groups of 190 in 2024-08 to combine to its headline figure 63.5 "
        "(observations.csv); their numerators over their denominators give 63.3"
    )


def test_incomplete_unlisted_or_unchecked_breakdowns_are_not_combined() -> None:
    only_one = [group("Registration", "61", "732", "1200")]
    assert breakdown_mismatches(dataset("90", only_one, Aggregation.RATIO), TABLE) == []
    values_only = [group("Registration", "61"), group("Education Transport", "66")]
    assert breakdown_mismatches(dataset("90", values_only, Aggregation.MEAN), TABLE) == []
    assert breakdown_mismatches(dataset("90", values_only, Aggregation.SUM), {}) == []
    # a group beyond the table's is shown but left out of the combination
    extra = [
        group("Registration", "61", "61", "100"),
        group("Education Transport", "66", "66", "100"),
        group("Elsewhere", "0", "0", "1000"),
    ]
    assert breakdown_mismatches(dataset("63.5", extra, Aggregation.RATIO), TABLE) == []


def test_the_grid_of_a_quarter_lays_groups_against_months() -> None:
    """Groups in the table's order (then any other as met), months in order, the headline of
    each month beside them; rows outside the quarter left out."""
    july, september = Period.month(2024, 7), Period.month(2024, 9)
    rows = [
        group("Education Transport", "66"),
        group("Registration", "61"),
        group("Registration", "78", period=july),
        group("Other", "80", period=september),
        group("Registration", "50", period=Period.month(2024, 10)),
    ]
    quarter = in_period(rows, Period.quarter(2024, 2))
    assert len(quarter) == 4
    history = [Observation("190", july, D("85.1")), Observation("190", AUGUST, D("76.1"))]
    grid = breakdown_grid(indicator(Aggregation.MEAN), quarter, history, TABLE["190"])
    assert grid is not None
    assert grid.by == "Service"
    assert grid.groups == ("Registration", "Education Transport", "Other")
    assert grid.periods == (july, AUGUST, september)
    assert grid.cell("Registration", july) == rows[2]
    assert grid.cell("Education Transport", july) is None
    assert grid.headline == {july: D("85.1"), AUGUST: D("76.1")}
    assert breakdown_grid(indicator(Aggregation.MEAN), (), history, None) is None


def test_the_evaluation_json_lists_the_periods_groups() -> None:
    """Added beside formats.md's fields (none changed): each indicator's groups within the
    reporting period, as numbers; an empty list where there are none."""
    from pathlib import Path

    from kpiboard.analysis.evaluate import evaluate
    from kpiboard.analysis.periods import parse_period
    from kpiboard.analysis.serialise import evaluation_to_json
    from kpiboard.datafiles import read_dataset

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-council"
    payload = evaluation_to_json(evaluate(read_dataset(demo), parse_period("2024/25 Q2"), "srp"))
    by_ref = {entry["ref"]: entry for entry in payload["indicators"]}
    groups = by_ref["190"]["breakdowns"]
    assert len(groups) == 15  # five services in each of three months
    assert groups[5] == {
        "period": "2024-08",
        "group": "Registration",
        "value": 61.0,
        "numerator": 732,
        "denominator": 1200,
    }
    assert by_ref["182"]["breakdowns"] == []
