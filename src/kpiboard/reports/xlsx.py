"""The dashboard as a workbook a performance officer can sort and filter (dashboard.xlsx).

Up to five sheets, all read from the report model:

- **Dashboard**: one row per indicator with every figure of its card, its control chart's
  variation and assurance and its recent trend; figures are numbers (a percentage is 81.0 shown
  as ``0.0``, not an Excel percentage), a missing one an empty cell; commentary is plain text
  with its line breaks (Markdown read, not shown); status cells hold the status word
  on the status colour; the header row is frozen and filtered.
- **History**: every observation of every indicator, with the target in force for its period
  and, where there is a control chart, its variation and the mean and limits at that point.
- **Summary**: the status summary (count and percentage of indicators), for a directorate or
  organisation scorecard the breakdown by committee or directorate, then the control charts'
  variation and assurance counts.
- **Neighbours**: for each indicator with neighbour figures, the council and its neighbours in
  the order of the chart, best first (left out when no indicator has any).
- **Charts**: each indicator's charts as pictures, each caption as the picture's description
  (left out when there are none).

Text from the data (names, commentary, notes) is always written as text: the workbook never
turns ``=HYPERLINK(...)``, ``+1`` or ``@SUM(A1)`` into a formula, nor an address into a link.

Every sheet prints landscape on A4, one page wide; a sheet of one table (Dashboard, History,
Neighbours) repeats its header row on each page and keeps it frozen on screen.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from kpiboard.analysis.model import Unit
from kpiboard.analysis.periods import Period
from kpiboard.analysis.status import Status
from kpiboard.analysis.transitions import TRANSITION_WORDS, Transition
from kpiboard.analysis.values import PeriodValue, target_in_force
from kpiboard.reports.cellwrap import DEFAULT_WIDTH, LINE_HEIGHT_PT, wrapped_lines
from kpiboard.reports.count_tables import CountTable
from kpiboard.reports.formatting import STATUS_COLOURS
from kpiboard.reports.icons import (
    POINT_WORDS,
    RULE_WORDS,
    assurance_label,
    recent_trend_text,
    variation_label,
)
from kpiboard.reports.markup import markdown_text
from kpiboard.reports.model import (
    DIRECTION_WORDS,
    Card,
    Report,
    change_words,
    neighbour_areas,
)
from kpiboard.reports.rendering import CardCharts, RenderedChart, png_charts
from kpiboard.reports.words import figure_period, period_label
from kpiboard.reports.xlsx_proposals import write_proposal_sheets

__all__ = ["render_xlsx"]

EXCEL_MAX_TEXT = 32_767  # characters in one cell
TRUNCATED = " … [cut short: an Excel cell holds at most 32,767 characters]"
CHART_WIDTH_PX = 640
ROW_HEIGHT_PX = 20
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text a cell can hold: line ends as Excel's in-cell line break, control characters dropped,
    and at most 32,767 characters.

    >>> clean("a\\r\\nb\\x0bc")
    'a\\nbc'
    """
    text = _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > EXCEL_MAX_TEXT:
        text = text[: EXCEL_MAX_TEXT - len(TRUNCATED)] + TRUNCATED
    return text


#: A cell: text ("" for an empty cell), a figure in the indicator's unit (Decimal or float), a
#: count (int), a status, or None for a figure that is missing (an empty cell).
Cell = str | Decimal | float | int | Status | None


def _number_format(unit: Unit, decimals: int) -> str:
    """``0.0`` for a percentage to one decimal, ``#,##0`` for a count, ``£#,##0`` for money."""
    places = "." + "0" * decimals if decimals > 0 else ""
    if unit is Unit.PERCENT:
        return "0" + places
    if unit is Unit.CURRENCY:
        return "£#,##0" + places
    return "#,##0" + places


class _Sheet:
    """A worksheet written row by row, each cell by the type of its value."""

    def __init__(self, workbook: Any, name: str, formats: _Formats) -> None:
        self.worksheet = workbook.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.widths: dict[int, int] = {}
        # Printed as an officer would set it: landscape A4, one page wide, as many pages long
        # as it takes, narrow margins, the sheet's name and page numbers in the footer.
        self.worksheet.set_landscape()
        self.worksheet.set_paper(9)
        self.worksheet.fit_to_pages(1, 0)
        self.worksheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        self.worksheet.set_footer(f"&L{clean(name)}&RPage &P of &N")

    def header(
        self, headings: list[str], widths: list[int] | None = None, *, repeat: bool = True
    ) -> None:
        """The header row; ``repeat`` prints it at the top of every page, for a sheet of one
        table (a sheet of several tables repeats none: one table's headings would stand
        over another's rows)."""
        if repeat:
            self.worksheet.repeat_rows(self.row)
        for column, heading in enumerate(headings):
            self.worksheet.write_string(self.row, column, clean(heading), self.formats.header)
            if widths is not None:
                self.worksheet.set_column(column, column, widths[column])
                self.widths[column] = widths[column]
        self._fit_height(headings)
        self.row += 1

    def _fit_height(self, values: Sequence[Cell]) -> None:
        """The row made tall enough for its wrapped text: neither Excel nor LibreOffice sizes
        a row to its wrapped text when it opens a workbook, and its lines would overlap."""
        lines = max(
            (
                wrapped_lines(clean(value), self.widths.get(column, DEFAULT_WIDTH))
                for column, value in enumerate(values)
                if isinstance(value, str)
            ),
            default=1,
        )
        if lines > 1:
            self.worksheet.set_row(self.row, LINE_HEIGHT_PT * lines)

    def write(
        self,
        values: list[Cell],
        number_format: str = "General",
        column_formats: dict[int, str] | None = None,
    ) -> None:
        """A row; its figures in ``number_format`` but for the columns ``column_formats``
        gives a format of their own (counts among percentages)."""
        for column, value in enumerate(values):
            self.cell(column, value, (column_formats or {}).get(column, number_format))
        self._fit_height(values)
        self.row += 1

    def cell(self, column: int, value: Cell, number_format: str) -> None:
        sheet, row = self.worksheet, self.row
        if value is None:
            return  # no figure: an empty cell, never text in a column of numbers
        if isinstance(value, Status):
            sheet.write_string(row, column, value.label, self.formats.status(value))
        elif isinstance(value, str):
            text = clean(value)
            if text:  # no text leaves the cell empty
                # Wrapped within its column, whatever its length: a long line left unwrapped
                # runs across the columns to its right, on screen and on the printed page.
                sheet.write_string(row, column, text, self.formats.wrap)
        elif isinstance(value, int):
            sheet.write_number(row, column, value, self.formats.number("General"))
        else:
            sheet.write_number(row, column, float(value), self.formats.number(number_format))

    def filter(self, first_row: int, columns: int) -> None:
        self.worksheet.autofilter(first_row, 0, max(self.row - 1, first_row), columns - 1)


class _Formats:
    """The workbook's cell formats, each made once."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#f3f2f1", "bottom": 2}
        )
        self.bold = workbook.add_format({"bold": True})
        self.italic = workbook.add_format({"italic": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self._numbers: dict[str, Any] = {}
        self._statuses: dict[Status, Any] = {}

    def number(self, number_format: str) -> Any:
        if number_format not in self._numbers:
            self._numbers[number_format] = self.workbook.add_format(
                {"num_format": number_format, "valign": "top"}
            )
        return self._numbers[number_format]

    def number_bold(self, number_format: str) -> Any:
        key = "bold " + number_format
        if key not in self._numbers:
            self._numbers[key] = self.workbook.add_format(
                {"num_format": number_format, "bold": True}
            )
        return self._numbers[key]

    def status(self, status: Status) -> Any:
        if status not in self._statuses:
            fill, ink = STATUS_COLOURS[status]
            self._statuses[status] = self.workbook.add_format(
                {
                    "bg_color": fill,
                    "font_color": ink,
                    "bold": True,
                    "valign": "top",
                    "border": 1,
                    "border_color": "#505a5f",
                }
            )
        return self._statuses[status]


# -- the sheets --------------------------------------------------------------------------------
def _dashboard_columns(report: Report) -> list[tuple[str, int, Callable[[Card], Cell]]]:
    """The Dashboard's columns: heading, width and the cell of each card."""
    directorates = {d.id: d.name for d in report.evaluation.organisation.directorates}
    period, previous = report.evaluation.period, report.evaluation.previous_period

    def value(card: Card) -> Cell:
        found = card.result.value
        return found.value if found else None

    def previous_value(card: Card) -> Cell:
        found = card.result.previous_value
        return found.value if found else None

    def period_of(card: Card, found: PeriodValue | None, reporting: Period) -> Cell:
        """The period the figure belongs to, in words; empty without a figure."""
        own = figure_period(found, card.result.indicator.frequency, reporting)
        return period_label(own) if own is not None else None

    def missing(found: PeriodValue | None) -> Cell:
        """The months or quarters of the period with no figure, in words."""
        return ", ".join(map(period_label, found.missing)) if found is not None else ""

    def change(found: object) -> Cell:
        return change_words(found) if found is not None else None

    min_points = report.evaluation.organisation.settings.spc.min_points

    def spc(figure: str) -> Callable[[Card], Cell]:
        def cell(card: Card) -> Cell:
            chart = card.result.spc
            return getattr(chart, figure) if chart is not None else None

        return cell

    return [
        ("Ref", 10, lambda c: c.ref),
        ("Indicator", 50, lambda c: c.name),
        ("Description", 50, lambda c: c.description),
        (
            "Directorate",
            25,
            lambda c: directorates.get(
                c.result.indicator.directorate, c.result.indicator.directorate
            ),
        ),
        ("Unit", 12, lambda c: c.result.indicator.unit_words),
        ("Current performance", 12, value),
        ("Period", 24, lambda c: period_of(c, c.result.value, period)),
        ("No figure for", 16, lambda c: missing(c.result.value)),
        ("Previous performance", 12, previous_value),
        ("Previous period", 24, lambda c: period_of(c, c.result.previous_value, previous)),
        ("Current target", 12, lambda c: c.result.target),
        ("Previous target", 12, lambda c: c.result.previous_target),
        ("Status", 14, lambda c: c.status),
        ("Previous status", 14, lambda c: c.previous_status),
        ("Direction of improvement", 22, lambda c: DIRECTION_WORDS[c.result.indicator.direction]),
        (f"Change since {previous}", 16, lambda c: change(c.result.change)),
        ("Change on a year earlier", 16, lambda c: change(c.result.change_year_on_year)),
        (
            "Projected year end",
            12,
            lambda c: c.result.trend.year_end.value if c.result.trend else None,
        ),
        (
            "Year-end target",
            12,
            lambda c: c.result.trend.year_end_target if c.result.trend else None,
        ),
        (
            "Projected status",
            14,
            lambda c: c.result.trend.projected_status if c.result.trend else None,
        ),
        (
            "Neighbours' median",
            12,
            lambda c: c.result.neighbours.median if c.result.neighbours else None,
        ),
        (
            "Rank among neighbours (1 is best)",
            14,
            lambda c: c.result.neighbours.rank if c.result.neighbours else None,
        ),
        (
            "Neighbour group size",
            12,
            lambda c: c.result.neighbours.group_size if c.result.neighbours else None,
        ),
        (
            "Quartile (1 is best)",
            10,
            lambda c: c.result.neighbours.quartile if c.result.neighbours else None,
        ),
        ("Variation (control chart)", 24, lambda c: variation_label(c.result, min_points)),
        ("Assurance (control chart)", 24, lambda c: assurance_label(c.result, min_points)),
        ("Mean (control chart)", 12, spc("mean")),
        ("Lower process limit", 12, spc("lpl")),
        ("Upper process limit", 12, spc("upl")),
        ("Recent trend", 24, lambda c: recent_trend_text(c.result)),
        ("Data quality", 30, lambda c: " ".join(c.result.warnings)),
        ("Commentary", 80, lambda c: markdown_text(c.commentary)),
    ]


def _dashboard(sheet: _Sheet, report: Report) -> None:
    columns = _dashboard_columns(report)
    sheet.header([c[0] for c in columns], [c[1] for c in columns])
    sheet.worksheet.freeze_panes(1, 2)  # the headings, and the ref and name of each row
    for card in report.cards:
        indicator = card.result.indicator
        sheet.write(
            [cell(card) for _, _, cell in columns],
            _number_format(indicator.unit, indicator.decimals),
        )
    sheet.filter(0, len(columns))


def _optional(number: Decimal | None) -> Cell:
    """A figure only some observations have: an empty cell when absent, not "–"."""
    return "" if number is None else number


#: The History sheet's numerator and denominator: counts of cases, whatever the unit of the
#: figure they make (110 of 127 requests, not 110.0 of 127.0).
COUNT_COLUMNS = {4: "#,##0", 5: "#,##0"}


def _history(sheet: _Sheet, report: Report) -> None:
    headings = [
        "Ref",
        "Indicator",
        "Period",
        "Value",
        "Numerator",
        "Denominator",
        "Target in force",
        "Note",
        "Variation (control chart)",
        "Special cause rule",
        "Mean (control chart)",
        "Lower process limit",
        "Upper process limit",
    ]
    sheet.header(headings, [10, 50, 12, 12, 12, 12, 12, 50, 16, 30, 12, 12, 12])
    sheet.worksheet.freeze_panes(1, 0)
    for card in report.cards:
        result = card.result
        number_format = _number_format(result.indicator.unit, result.indicator.decimals)
        spc = result.spc
        points: Sequence[list[Cell]] = [[]] * len(result.history)
        if spc is not None:
            points = [
                [
                    POINT_WORDS[kind],
                    RULE_WORDS[rule] if rule is not None else "",
                    limits.mean,
                    limits.lpl,
                    limits.upl,
                ]
                for kind, rule, limits in zip(
                    spc.point_types, spc.special_causes, spc.point_limits, strict=True
                )
            ]
        for observation, point in zip(result.history, points, strict=True):
            sheet.write(
                [
                    card.ref,
                    card.name,
                    str(observation.period),
                    observation.value,
                    _optional(observation.numerator),
                    _optional(observation.denominator),
                    target_in_force(result.targets, observation.period),
                    observation.note,
                    *point,
                ],
                number_format,
                COUNT_COLUMNS,
            )
    sheet.filter(0, len(headings))


def _summary(sheet: _Sheet, report: Report) -> None:
    summary = sheet.worksheet
    formats = sheet.formats
    _counts(sheet, report.summary, [24, 14, 14])
    breakdown = report.breakdown
    if breakdown is not None and breakdown.rows:
        sheet.row += 1
        summary.write_string(sheet.row, 0, clean(breakdown.caption), formats.bold)
        sheet.row += 1
        sheet.header(
            [breakdown.group_heading, *(s.label for s in breakdown.statuses), "Total"],
            repeat=False,
        )
        for name, counts, total in breakdown.rows:
            sheet.write([name, *counts, total])
    sheet.row += 1
    _transitions(sheet, report)
    for spc_table in (report.spc_summary.variation, report.spc_summary.assurance):
        sheet.row += 1
        _counts(sheet, spc_table)


def _transitions(sheet: _Sheet, report: Report) -> None:
    """Each transition group in the engine's words, its count and its indicators (semantics.md
    11), as the report's conclusion lists them."""
    evaluation = report.evaluation
    caption = f"Compared with {period_label(evaluation.previous_period)}"
    sheet.worksheet.write_string(sheet.row, 0, caption, sheet.formats.bold)
    sheet.row += 1
    sheet.header(["Group", "Number of indicators", "Indicators"], repeat=False)
    for group in Transition:
        members = evaluation.transitions.members(group)
        sheet.write([TRANSITION_WORDS[group], len(members), ", ".join(members)])


def _counts(sheet: _Sheet, table: CountTable, widths: list[int] | None = None) -> None:
    """A count table: caption, header, a row per group (a status in its colours), the total
    and any footnote; ``widths`` sets the columns' widths."""
    formats = sheet.formats
    sheet.worksheet.write_string(sheet.row, 0, clean(table.caption), formats.bold)
    sheet.row += 1
    sheet.header(
        [table.heading, "Number of indicators", "Percentage of indicators"], widths, repeat=False
    )
    for line in table.lines:
        label: Cell = line.status if line.status is not None else line.label
        sheet.write([label, line.count, Decimal(line.percent)], '0"%"')
    sheet.worksheet.write_string(sheet.row, 0, "Total", formats.bold)
    sheet.worksheet.write_number(sheet.row, 1, table.total, formats.bold)
    # 100%, as the PDF and HTML say (semantics.md 10), as a number like the rows above.
    sheet.worksheet.write_number(
        sheet.row, 2, 100 if table.total else 0, formats.number_bold('0"%"')
    )
    sheet.row += 1
    if table.footnote:
        sheet.worksheet.write_string(sheet.row, 0, clean(table.footnote), formats.italic)
        sheet.row += 1


def _neighbours(sheet: _Sheet, report: Report) -> None:
    """Each indicator's council and neighbours, best first, as its neighbour chart shows them."""
    headings = ["Ref", "Indicator", "Period", "Area", "Value", "Rank (1 is best)", "This council"]
    sheet.header(headings, [10, 50, 12, 40, 12, 12, 12])
    sheet.worksheet.freeze_panes(1, 0)
    for card in report.cards:
        found = card.result.neighbours
        if found is None:
            continue
        indicator = card.result.indicator
        number_format = _number_format(indicator.unit, indicator.decimals)
        for area in neighbour_areas(card.result, report.organisation):
            rank: Cell = area.rank if area.rank is not None else ""
            this = "Yes" if area.council else ""
            row: list[Cell] = [card.ref, card.name, str(found.period), area.name, area.value]
            sheet.write([*row, rank, this], number_format)
        if found.england is not None:
            england: list[Cell] = [card.ref, card.name, str(found.period), "England"]
            sheet.write([*england, found.england, "", ""], number_format)
    sheet.filter(0, len(headings))


def _png_display_size(png: bytes) -> tuple[float, float]:
    """The width and height in screen pixels Excel gives a PNG, from its size and resolution."""
    width, height = struct.unpack(">II", png[16:24])
    x_dpi = y_dpi = 96.0
    found = png.find(b"pHYs")
    if found > 0:
        x_ppu, y_ppu, unit = struct.unpack(">IIB", png[found + 4 : found + 13])
        if unit == 1 and x_ppu and y_ppu:  # pixels per metre
            x_dpi, y_dpi = x_ppu * 0.0254, y_ppu * 0.0254
    return width * 96 / x_dpi, height * 96 / y_dpi


def _charts(
    sheet: _Sheet, report: Report, drawn: Sequence[tuple[Card, Sequence[RenderedChart]]]
) -> None:
    worksheet = sheet.worksheet
    worksheet.set_column(0, 0, 100)
    index = 0
    for card, charts in drawn:
        for chart in charts:
            if chart.png is not None:
                index += 1
                _chart(sheet, f"{card.title}: {chart.title}", chart.png, chart.caption, index)


def _chart(sheet: _Sheet, title: str, png: bytes, caption: str, index: int) -> None:
    """A chart under its title, its caption beneath it and as the picture's description."""
    worksheet = sheet.worksheet
    text = clean(caption)
    worksheet.write_string(sheet.row, 0, clean(title), sheet.formats.bold)
    width, height = _png_display_size(png)
    scale = min(1.0, CHART_WIDTH_PX / width) if width else 1.0
    worksheet.insert_image(
        sheet.row + 1,
        0,
        f"chart{index}.png",
        {
            "image_data": io.BytesIO(png),
            "x_scale": scale,
            "y_scale": scale,
            "description": text,
            "object_position": 1,
        },
    )
    rows = int(height * scale // ROW_HEIGHT_PX) + 2
    worksheet.write_string(sheet.row + rows, 0, text, sheet.formats.italic)
    sheet.row += rows + 2


def render_xlsx(
    report: Report,
    out: Path,
    *,
    charts: CardCharts | None = None,
) -> Path:
    """Write the dashboard workbook of ``report`` to ``out``.

    ``charts`` gives each card's charts, drawn as PNG (drawn here if None); the Charts sheet is
    left out when no card has one.
    """
    workbook = xlsxwriter.Workbook(
        str(out),
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties(
        {
            "title": clean(f"{report.title}: {report.subtitle}"),
            "subject": clean(report.appendix_title),
            "author": clean(report.organisation),
            "company": clean(report.organisation),
            "comments": "Written by kpiboard from the figures as they stood when it was produced.",
        }
    )
    formats = _Formats(workbook)
    _dashboard(_Sheet(workbook, "Dashboard", formats), report)
    _history(_Sheet(workbook, "History", formats), report)
    _summary(_Sheet(workbook, "Summary", formats), report)
    if any(card.result.neighbours is not None for card in report.cards):
        _neighbours(_Sheet(workbook, "Neighbours", formats), report)
    card_charts = charts or png_charts(report)
    drawn = [(card, card_charts(card)) for card in report.cards]
    if any(chart.png is not None for _, found in drawn for chart in found):
        _charts(_Sheet(workbook, "Charts", formats), report, drawn)
    if report.proposals is not None:
        write_proposal_sheets(lambda name: _Sheet(workbook, name, formats), report.proposals)
    workbook.close()
    return out
