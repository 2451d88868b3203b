"""Neighbour comparisons counted again straight from Oflog's published files, with the csv module.

Nothing here uses kpiboard's readers: the group comes from Oflog's nearest-neighbour list and the
values from its file of all English councils, so a comparison the engine makes from data that
kpiboard read can be checked against a count made without it.
"""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from kpiboard.analysis.evaluate import Evaluation

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "public"
OFLOG_ALL = PUBLIC / "oflog_asc_all_las.csv"
OFLOG_NEIGHBOURS = PUBLIC / "oflog_nearest_neighbours_cambridgeshire.csv"
CAMBRIDGESHIRE = "E10000003"

Values = dict[str, dict[str, dict[str, float]]]
"""measure code -> financial year (2016-17) -> area code -> value."""


def nearest_neighbours(focus: str = CAMBRIDGESHIRE) -> set[str]:
    """The area codes of ``focus``'s Oflog group, itself included."""
    with OFLOG_NEIGHBOURS.open(encoding="utf-8") as handle:
        return {
            row["neighbour_code"] for row in csv.DictReader(handle) if row["focus_code"] == focus
        }


def oflog_values(areas: set[str] | None = None) -> Values:
    """Every value in Oflog's file (only of ``areas``, when given); empty cells left out."""
    found: Values = {}
    with OFLOG_ALL.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            area = row["Local authority code"]
            if (areas is None or area in areas) and row["Value"].strip():
                found.setdefault(row["Code"], {}).setdefault(row["Financial year"], {})[area] = (
                    float(row["Value"])
                )
    return found


def check_against_count(
    evaluation: Evaluation, values: Values, council: str = CAMBRIDGESHIRE
) -> int:
    """Assert that each indicator's neighbour comparison is the one counted from ``values``
    (its ref is the Oflog code): the latest year in which the council and at least five others
    have a value, their number, median and the council's rank. Returns how many were ranked."""
    ranked = 0
    for result in evaluation.indicators:
        ref, sign = result.ref, result.indicator.direction.sign
        years = values[ref]
        usable = [y for y, areas in years.items() if council in areas and len(areas) - 1 >= 5]
        year = max(usable)
        areas = years[year]
        own = areas[council]
        others = [v for code, v in areas.items() if code != council]
        found = result.neighbours
        assert found is not None, ref
        assert str(found.period) == year.replace("-", "/"), ref
        assert found.n == len(others), ref
        assert float(found.median) == pytest.approx(statistics.median(others)), ref
        assert float(found.council_value) == pytest.approx(own), ref
        if sign == 0:
            assert found.rank is None, ref
            continue
        better = sum(1 for v in others if sign * v > sign * own)
        assert found.rank == better + 1, ref
        assert found.group_size == len(others) + 1, ref
        assert found.quartile == -(-4 * found.rank // found.group_size), ref
        ranked += 1
    return ranked
