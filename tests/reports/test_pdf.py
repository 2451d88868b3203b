"""The PDF is tagged (PDF/UA-1), titled, in English, and says what the evaluation says."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from kpiboard.reports.pack import PackResult


def test_the_pdf_is_tagged_with_title_and_language(demo_pack: PackResult) -> None:
    reader = PdfReader(demo_pack.files["pdf"])
    root: Any = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == (
        "Corporate Performance Report: Strategy, Resources and Performance Committee, 2024/25 Q2"
    )
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def pdf_text(path: Path) -> str:
    """The PDF's text read back, every run of white space one space."""
    pages = PdfReader(path).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def test_the_pdf_text_carries_the_figures(demo_pack: PackResult, demo_json: dict[str, Any]) -> None:
    text = pdf_text(demo_pack.files["pdf"])
    assert "Red 1 8%" in text
    assert "Amber 1 8%" in text
    assert "Green 10 77%" in text
    assert "Baseline 1 8%" in text  # each percentage rounded on its own (semantics.md 10)
    assert "Figures may not add to 100 due to rounding." in text
    for indicator in demo_json["indicators"]:
        assert f"Indicator {indicator['ref']}:" in text
    assert "has gone from Amber to Green" in text
    foi = next(i for i in demo_json["indicators"] if i["ref"] == "182")
    assert f"{foi['value']:.1f}%" in text  # 81.0%


def test_the_pdf_has_the_control_charts_and_their_summary(
    demo_pack: PackResult, demo_json: dict[str, Any]
) -> None:
    """The counts of each kind of variation and assurance, worked out from the JSON's control
    charts (each percentage of the 13 rounded on its own), the card's headings and words, and
    the reason a card has no control chart, as read back from the PDF's text."""
    text = pdf_text(demo_pack.files["pdf"])
    charts = [i["spc"] for i in demo_json["indicators"]]
    total = len(charts)

    def row(words: str, count: int) -> str:
        return f"{words} {count} {round(Decimal(100 * count) / total)}%"

    improving = sum(1 for c in charts if c and c["variation"].startswith("improvement"))
    common = sum(1 for c in charts if c and c["variation"] == "common_cause")
    none = sum(1 for c in charts if c is None)
    changed = sum(1 for c in charts if c and c["stability"] == "changed")
    stable = [c["assurance"] for c in charts if c and c["stability"] != "changed"]
    assert (improving, common, none, changed) == (8, 3, 2, 6)  # the demo's story (issue 11)
    assert "Variation shown by the control charts, 2024/25 Q2" in text
    assert row("Special cause improvement", improving) in text  # 8 62%
    assert row("Common cause variation", common) in text  # 3 23%
    assert row("Too few points for a control chart", none) in text  # 2 15%
    assert "Assurance of meeting the target, 2024/25 Q2" in text
    assert row("Hit and miss: will sometimes meet the target", stable.count("inconsistent")) in text
    assert row("Will consistently fail the target", stable.count("fail")) in text
    assert row("Not judged: the process has changed since its limits were set", changed) in text
    assert text.count("Control chart") >= 13  # a heading on every card
    assert "Special cause improvement (high): the latest figure is significantly higher" in text
    assert "Fewer than 13 points: no control chart yet (10 so far)." in text
    assert "Statistical process control chart of Proportion of Freedom of Information" in text
    assert "No significant change (last 5 points)" in text
