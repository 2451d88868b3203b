"""The council among its statistical neighbours: order, ranks, chart, caption and data table.

The worked example of semantics.md 7: the council 80 with neighbours 90, 80, 70, 60 and 50, and
England at 75. Higher is better: 90 first (rank 1), then the council and the other 80 sharing
rank 2 (the council first), then 70 (4), 60 (5) and 50 (6); the neighbours' median is 70.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
from altair.vegalite.v6.schema.core import Root

import builders as b
from kpiboard.analysis.evaluate import IndicatorResult, evaluate_indicator
from kpiboard.analysis.model import ENGLAND_AREA_CODE, Direction, Unit
from kpiboard.analysis.periods import Frequency
from kpiboard.reports.chart_render import render_svg
from kpiboard.reports.model import neighbour_areas
from kpiboard.reports.neighbour_chart import neighbour_caption, neighbour_chart, neighbour_table

SVG = "{http://www.w3.org/2000/svg}"
COUNCIL = "Test Council"
AREA = "E10000003"  # the builders' council
NEIGHBOURS = {"Avon": 90, "Berks": 80, "Cumbria": 70, "Devon": 60, "Essex": 50}


def result(direction: Direction, *, england: bool = True) -> IndicatorResult:
    indicator = b.indicator(
        direction=direction,
        frequency=Frequency.YEAR,
        unit=Unit.NUMBER,
        decimals=0,
        name="Carers' quality of life",
        national_definition=True,
    )
    areas = {AREA: ("Council row", 80)} | {
        f"E0600000{i}": (name, value) for i, (name, value) in enumerate(NEIGHBOURS.items())
    }
    if england:
        areas[ENGLAND_AREA_CODE] = ("England", 75)
    rows = [
        replace(b.neighbour("2023/24", code, value), area_name=name)
        for code, (name, value) in areas.items()
    ]
    dataset = b.dataset(
        [indicator],
        observations=[b.observation("2023/24", 80)],
        neighbours=rows,
    )
    return evaluate_indicator(dataset, indicator, b.period("2024/25 Q2"))


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (
            Direction.HIGHER,
            [("Avon", 1), (COUNCIL, 2), ("Berks", 2), ("Cumbria", 4), ("Devon", 5), ("Essex", 6)],
        ),
        (
            Direction.LOWER,
            [("Essex", 1), ("Devon", 2), ("Cumbria", 3), (COUNCIL, 4), ("Berks", 4), ("Avon", 6)],
        ),
        (
            Direction.NONE,
            [
                ("Avon", None),
                (COUNCIL, None),
                ("Berks", None),
                ("Cumbria", None),
                ("Devon", None),
                ("Essex", None),
            ],
        ),
    ],
)
def test_areas_are_ordered_best_first_with_the_engines_ranks(
    direction: Direction, expected: list[tuple[str, int | None]]
) -> None:
    found = result(direction)
    areas = neighbour_areas(found, COUNCIL)
    assert [(area.name, area.rank) for area in areas] == expected
    council = next(area for area in areas if area.council)
    assert council.rank == found.neighbours.rank if found.neighbours else False


def test_the_chart_draws_every_area_england_and_the_median() -> None:
    found = result(Direction.HIGHER)
    spec = neighbour_chart(found, COUNCIL)
    assert spec is not None
    Root.validate(spec)
    bars = spec["datasets"]["areas"]
    assert [(bar["label"], bar["value"], bar["series"]) for bar in bars] == [
        ("Avon", 90.0, "Neighbours"),
        (COUNCIL, 80.0, "This council"),
        ("Berks", 80.0, "Neighbours"),
        ("Cumbria", 70.0, "Neighbours"),
        ("Devon", 60.0, "Neighbours"),
        ("Essex", 50.0, "Neighbours"),
    ]
    assert spec["datasets"]["england"] == [{"series": "England", "value": 75.0, "text": "75"}]
    assert spec["datasets"]["median"][0]["value"] == 70.0
    layers = {layer["name"]: layer for layer in spec["layer"]}
    assert layers["areas"]["encoding"]["y"]["sort"] is None  # the order of the rows
    assert layers["areas"]["encoding"]["x"]["scale"]["zero"] is True
    colours = layers["areas"]["encoding"]["color"]["scale"]
    council_colour = colours["range"][colours["domain"].index("This council")]
    assert council_colour != colours["range"][colours["domain"].index("Neighbours")]
    assert spec["title"]["subtitle"] == "Statistical neighbours, 2023/24, best first"


def test_the_svg_names_the_council_in_bold_and_every_series_in_the_legend() -> None:
    """Colour is not the only signal: the council's name is bold, each series is named."""
    spec = neighbour_chart(result(Direction.HIGHER), COUNCIL)
    assert spec is not None
    root = ET.fromstring(render_svg(spec))
    texts = {t.text: t for t in root.iter(f"{SVG}text")}
    assert {"This council", "Neighbours", "Neighbours' median", "England"} <= set(texts)
    assert texts[COUNCIL].get("font-weight") == "bold"
    assert texts["Avon"].get("font-weight") != "bold"
    assert root.get("aria-label") == neighbour_caption(result(Direction.HIGHER), COUNCIL)


def test_the_caption_and_the_table() -> None:
    found = result(Direction.HIGHER)
    assert neighbour_caption(found, COUNCIL) == (
        "Bar chart of Carers' quality of life for 2023/24, the council and its 5 statistical "
        "neighbours, best first: Test Council 80, ranked 2 of 6 (1 is best); the neighbours' "
        "median 70; England 75."
    )
    headers, rows = neighbour_table(found, COUNCIL)
    assert headers == ["Area", "Value", "Rank (1 is best)"]
    assert rows == [
        ["Avon", "90", "1"],
        ["Test Council (this council)", "80", "2"],
        ["Berks", "80", "2"],
        ["Cumbria", "70", "4"],
        ["Devon", "60", "5"],
        ["Essex", "50", "6"],
        ["Neighbours' median", "70", ""],
        ["England", "75", "Not ranked"],
    ]


def test_without_england_or_a_direction() -> None:
    found = result(Direction.NONE, england=False)
    spec = neighbour_chart(found, COUNCIL)
    assert spec is not None
    assert "england" not in spec["datasets"]
    assert spec["title"]["subtitle"].endswith("highest first")
    caption = neighbour_caption(found, COUNCIL)
    assert caption is not None
    assert "England" not in caption
    assert "Test Council 80, among 5 neighbours" in caption
    _, rows = neighbour_table(found, COUNCIL)
    assert rows[1] == ["Test Council (this council)", "80", "Not ranked: no direction"]


def test_no_neighbours_no_chart() -> None:
    dataset = b.dataset([b.indicator()], observations=b.series("2024-01", [1, 2, 3]))
    found = evaluate_indicator(dataset, dataset.indicators[0], b.period("2024/25 Q2"))
    assert neighbour_chart(found, COUNCIL) is None
    assert neighbour_caption(found, COUNCIL) is None
    assert neighbour_table(found, COUNCIL)[1] == []


def test_a_name_with_quotes_stays_a_string_in_the_bold_test() -> None:
    name = 'The "Royal" Borough\'s Council \\ <b>'
    spec: dict[str, Any] | None = neighbour_chart(result(Direction.HIGHER), name)
    assert spec is not None
    root = ET.fromstring(render_svg(spec))
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert name in bold
