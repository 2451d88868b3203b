"""The report as a tagged PDF (PDF/UA-1) by WeasyPrint, from the same HTML as the web page.

The document title comes from the HTML ``<title>`` and the language from ``<html lang>``;
WeasyPrint's ``pdf/ua-1`` variant writes the structure tags a screen reader needs, asks the
viewer to show the title (``DisplayDocTitle``), and tags each table cell with the header cells
that describe it (``Headers``). One thing is added here, as the PDF is finished: each header
cell's ``Scope`` (Column in a table's head, Row elsewhere, as the HTML's ``scope`` says), which
checkers look for where a table is read by position (Matterhorn 15-003).
docs/accessibility.md lists the PDF/UA conditions the tests check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpiboard.reports.vega_engine import FONTCONFIG_LOCK

__all__ = ["PDF_VARIANT", "render_pdf"]

PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, out: Path) -> Path:
    """Write ``html`` (a complete document, laid out for print) to ``out`` as a tagged PDF."""
    from weasyprint import HTML  # imported here: WeasyPrint is slow to import
    from weasyprint.text.fonts import FontConfiguration

    with FONTCONFIG_LOCK:  # never while the charts' font configuration is in the environment
        fonts = FontConfiguration()
    HTML(string=html, base_url=str(out.parent)).write_pdf(
        out, pdf_variant=PDF_VARIANT, font_config=fonts, finisher=_scope_header_cells
    )
    return out


def _scope_header_cells(_document: Any, pdf: Any) -> None:
    """Give every TH structure element a Scope: Column under a THead, Row otherwise (the
    report's templates put column headers in ``<thead>`` and row headers, ``scope="row"``, in
    the body and foot)."""
    from pydyf import Dictionary  # type: ignore[import-untyped]  # WeasyPrint's PDF writer

    objects = pdf.objects

    def parent(element: Any) -> Any:
        reference = element.get("P")
        if not isinstance(reference, bytes):
            return None
        return objects[int(reference.split()[0])]

    for element in objects:
        if not isinstance(element, dict) or element.get("S") != "/TH":
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        in_head = group is not None and group.get("S") == "/THead"
        attributes = element.get("A")
        if attributes is None:  # WeasyPrint gives every cell one: never missing as of 70
            attributes = element["A"] = Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Column" if in_head else "/Row"
