"""The neighbour comparison on real Oflog adult social care data, checked by an independent count.

The demo council's Adults and Health Committee carries Oflog's published values for Cambridgeshire
(E10000003) and its 15 nearest neighbours. Here the ranks are counted again straight from Oflog's
file of all English councils and its nearest-neighbour list, without kpiboard's readers.
"""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.datafiles import read_dataset

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "public"
CAMBRIDGESHIRE = "E10000003"


def _oflog() -> dict[str, dict[str, dict[str, float]]]:
    """measure code -> financial year -> area code -> value, for the 16-area group."""
    with (PUBLIC / "oflog_nearest_neighbours_cambridgeshire.csv").open(encoding="utf-8") as f:
        group = {
            row["neighbour_code"]
            for row in csv.DictReader(f)
            if row["focus_code"] == CAMBRIDGESHIRE
        }
    assert len(group) == 16
    found: dict[str, dict[str, dict[str, float]]] = {}
    with (PUBLIC / "oflog_asc_all_las.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Local authority code"] in group and row["Value"].strip():
                found.setdefault(row["Code"], {}).setdefault(row["Financial year"], {})[
                    row["Local authority code"]
                ] = float(row["Value"])
    return found


def test_cambridgeshire_ranks_match_a_count_from_the_oflog_file() -> None:
    oflog = _oflog()
    dataset = read_dataset(ROOT / "examples" / "demo-council")
    evaluation = evaluate(dataset, parse_period("2024/25 Q2"), "ahc")
    checked = 0
    for result in evaluation.indicators:
        ref, sign = result.ref, result.indicator.direction.sign
        years = oflog[ref]
        # The latest year in which Cambridgeshire and at least five neighbours have values.
        usable = [
            y for y, areas in years.items() if CAMBRIDGESHIRE in areas and len(areas) - 1 >= 5
        ]
        year = max(usable)
        areas = years[year]
        own = areas[CAMBRIDGESHIRE]
        others = [v for code, v in areas.items() if code != CAMBRIDGESHIRE]
        found = result.neighbours
        assert found is not None, ref
        assert str(found.period) == year.replace("-", "/"), ref
        assert found.n == len(others)
        assert float(found.median) == pytest.approx(statistics.median(others)), ref
        assert float(found.council_value) == pytest.approx(own)
        if sign == 0:
            assert found.rank is None
            continue
        better = sum(1 for v in others if sign * v > sign * own)
        assert found.rank == better + 1, ref
        assert found.group_size == len(others) + 1
        assert found.quartile == -(-4 * found.rank // found.group_size)
        checked += 1
    assert checked >= 4  # ASC1-ASC5 have a direction
