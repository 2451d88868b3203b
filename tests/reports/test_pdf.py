"""The PDF is tagged (PDF/UA-1), titled, in English, and says what the evaluation says."""

from __future__ import annotations

import re
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


def test_the_pdf_text_carries_the_figures(demo_pack: PackResult, demo_json: dict[str, Any]) -> None:
    reader = PdfReader(demo_pack.files["pdf"])
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Red 1 8%" in text
    assert "Amber 1 8%" in text
    assert "Green 10 77%" in text
    assert "Baseline 1 7%" in text
    for indicator in demo_json["indicators"]:
        assert f"Indicator {indicator['ref']}:" in text
    assert "has gone from Amber to Green" in text
    foi = next(i for i in demo_json["indicators"] if i["ref"] == "182")
    assert f"{foi['value']:.1f}%" in text  # 81.0%
