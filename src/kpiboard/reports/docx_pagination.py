"""How the Word document breaks across pages: Word's own keep-with-next and keep-together, so
that Word and LibreOffice paginate it sensibly whatever the council's template.

- A heading is kept with what follows it (never the last line of a page).
- A table of fewer than :data:`SMALL_TABLE_ROWS` rows is kept whole (every row but the last
  kept with the next, none split); a longer one may break between rows, never inside one, and
  repeats its header row.
- A chart's heading, picture and caption stay together; a card's two charts sit side by side
  (in a borderless table of one row, which is never split), so that a card fits a page.

These are paragraph and row properties (``w:keepNext``, ``w:keepLines``, ``w:cantSplit``), so
they hold in a council's own template too, where its heading styles may lack them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from kpiboard.reports.model import Card
from kpiboard.reports.rendering import RenderedChart

__all__ = [
    "SMALL_TABLE_ROWS",
    "compact",
    "keep_table_together",
    "keep_with_next",
    "layout_row",
    "write_card_charts",
]

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

#: A table of fewer rows than this is never split across pages (issue 12).
SMALL_TABLE_ROWS = 15


def keep_with_next(paragraph: Paragraph, *, whole: bool = True) -> Paragraph:
    """Keep ``paragraph`` on the page of the next one (and, if ``whole``, all its lines on one
    page)."""
    paragraph.paragraph_format.keep_with_next = True
    if whole:
        paragraph.paragraph_format.keep_together = True
    return paragraph


def keep_table_together(table: Any) -> None:
    """Keep the ``w:tbl`` element ``table`` on one page if it has fewer than SMALL_TABLE_ROWS
    rows; in any case never split a row across pages."""
    rows = table.findall(qn("w:tr"))
    small = len(rows) < SMALL_TABLE_ROWS
    for index, row in enumerate(rows):
        properties = row.get_or_add_trPr()
        if properties.find(qn("w:cantSplit")) is None:
            properties.append(OxmlElement("w:cantSplit"))
        if small and index < len(rows) - 1:
            for paragraph in row.iter(qn("w:p")):
                paragraph.get_or_add_pPr().get_or_add_keepNext()


def layout_row(widths: list[int], gap: int) -> tuple[Any, list[Any]]:
    """A borderless one-row table to set pictures side by side (a card's two charts, so the
    card fits a page), and the empty paragraph that ends each cell, before which the cell's
    content goes. Its row is never split; ``widths`` and ``gap`` are in twips."""
    columns = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p/></w:tc>'
        for width in widths
    )
    table = parse_xml(
        f"<w:tbl {_W}><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="{gap}" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{columns}</w:tblGrid>"
        f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr></w:tbl>"
    )
    ends = [cell.find(qn("w:p")) for cell in table.iter(qn("w:tc"))]
    return table, ends


def write_card_charts(writer: Any, card: Card, charts: Sequence[RenderedChart]) -> None:
    """A card's charts for ``writer`` (docx's ``_Writer``): figures over time and the control
    chart (or the words saying why there is none) side by side, each half the text's width;
    the statistical neighbours chart, with a bar an area, as wide as the text beneath them."""
    panels: list[Callable[[int | None], None]] = []
    wide: list[RenderedChart] = []
    reason = card.no_control_chart

    def missing(_width: int | None) -> None:
        if reason:
            writer.no_control_chart(reason)

    for chart in charts:
        if chart.kind == "neighbours":
            wide.append(chart)
            continue
        panels.append(partial(_chart, writer, card, chart))
        if chart.kind == "history" and reason:
            panels.append(missing)
    if not charts and reason:
        panels.append(missing)
    if len(panels) == 1:
        panels[0](None)
    for start in range(0, len(panels) if len(panels) > 1 else 0, 2):
        pair = panels[start : start + 2]
        gap = 284  # twips: half a centimetre between the two
        half = writer.width_twips // 2
        table, ends = layout_row([half, writer.width_twips - half], gap)
        writer.end.addprevious(table)
        saved = writer.end
        for panel, end in zip(pair, ends, strict=False):
            writer.end = end
            panel((half - gap) * 635)  # EMU
            if end.getprevious() is not None:  # a cell keeps one paragraph at least
                end.getparent().remove(end)
        writer.end = saved
    for chart in wide:
        writer.chart(card, chart)


def _chart(writer: Any, card: Card, chart: RenderedChart, width: int | None) -> None:
    writer.chart(card, chart, width=width)


def compact(table: Any, *, half_points: int = 18, cell_margin: int | None = None) -> None:
    """Set the ``w:tbl`` ``table`` closer: its text ``half_points``/2 points, no space after its
    cells' paragraphs (a card's figures, so the card fits a page), and if given its cells' left
    and right margins in twips (a breakdown's many columns, so no word breaks inside)."""
    if cell_margin is not None:
        properties = table.find(qn("w:tblPr"))
        margins = parse_xml(
            f'<w:tblCellMar {_W}><w:left w:w="{cell_margin}" w:type="dxa"/>'
            f'<w:right w:w="{cell_margin}" w:type="dxa"/></w:tblCellMar>'
        )
        look = properties.find(qn("w:tblLook"))  # tblCellMar comes before tblLook
        if look is not None:
            look.addprevious(margins)
        else:
            properties.append(margins)
    for paragraph in table.iter(qn("w:p")):
        paragraph.get_or_add_pPr().get_or_add_spacing().after = 0
    for run in table.iter(qn("w:r")):
        run.get_or_add_rPr().get_or_add_sz().val = Pt(half_points / 2)
