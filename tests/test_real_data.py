"""The neighbour comparison on real Oflog adult social care data, checked by an independent count.

The demo council's Adults and Health Committee carries Oflog's published values for Cambridgeshire
(E10000003) and its 15 nearest neighbours. Here the ranks are counted again straight from Oflog's
file of all English councils and its nearest-neighbour list, without kpiboard's readers.
"""

from __future__ import annotations

from pathlib import Path

from kpiboard.analysis.evaluate import evaluate
from kpiboard.analysis.periods import parse_period
from kpiboard.datafiles import read_dataset
from oflog_count import check_against_count, nearest_neighbours, oflog_values

ROOT = Path(__file__).resolve().parents[1]


def test_cambridgeshire_ranks_match_a_count_from_the_oflog_file() -> None:
    group = nearest_neighbours()
    assert len(group) == 16
    dataset = read_dataset(ROOT / "examples" / "demo-council")
    evaluation = evaluate(dataset, parse_period("2024/25 Q2"), "ahc")
    assert check_against_count(evaluation, oflog_values(group)) >= 4  # ASC1-ASC5 have a direction
