"""The report as a tagged PDF (PDF/UA-1) by WeasyPrint, from the same HTML as the web page.

The document title comes from the HTML ``<title>`` and the language from ``<html lang>``;
WeasyPrint's ``pdf/ua-1`` variant writes the structure tags a screen reader needs.
"""

from __future__ import annotations

from pathlib import Path

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
        out, pdf_variant=PDF_VARIANT, font_config=fonts
    )
    return out
