"""The report as one self-contained HTML file (styles and SVG charts inline), and as the page
WeasyPrint turns into the tagged PDF.

A card shows each of its charts (figures over time, control chart, statistical neighbours)
under a heading of its own, as a figure with its caption and, on screen, its data as a table;
a card without a control chart says why, in words.

The PDF's charts are PNG images with the caption as their alternative text: WeasyPrint lays out
vl-convert's SVG (every label a text element) at about a third of a second a chart, a PNG in
a few milliseconds. The charts' data tables are left out of the PDF for the same reason (they
are in the HTML, beside each chart, and in the workbook's History and Neighbours sheets).

The template walks the report model's sections and blocks generically: a section is written once
in :mod:`kpiboard.reports.model` and appears the same in every format.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpiboard.analysis.status import Status
from kpiboard.reports.colophon import Colophon, data_version_of_figures
from kpiboard.reports.markup import commentary_html, paragraph_html
from kpiboard.reports.model import NO_COMMENTARY, NO_INDICATORS, Report, card_anchor
from kpiboard.reports.proposals import COMMENT_HEADINGS, NO_COMMENTS
from kpiboard.reports.rendering import RenderedChart, render_charts

__all__ = ["ChartView", "chart_views", "render_html", "status_badge"]


@dataclass(frozen=True, slots=True)
class ChartView:
    """An indicator's chart as the page shows it: inline SVG, caption and its data as a table."""

    svg: Markup | None
    png: str | None  # a data: URI, for the PDF
    caption: str
    headers: list[str]
    rows: list[list[str]]
    kind: str  # as RenderedChart's: "history", "spc" or "neighbours"
    title: str  # the chart's heading on the card (rendering.CHART_TITLES)

    def table_name(self, ref: str) -> str:
        """The data table's caption, unique on the page: "Control chart data for indicator 182"."""
        return f"{self.title} data for indicator {ref}"


def status_badge(status: Status) -> Markup:
    """The status as a word in a coloured box: the word is always there, colour never alone."""
    return Markup('<strong class="status status--{}">{}</strong>').format(
        status.value, status.label
    )


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("kpiboard.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        status_badge=status_badge,
        commentary=commentary_html,
        paragraph=paragraph_html,
        card_anchor=card_anchor,
        no_commentary=NO_COMMENTARY,
        no_indicators=NO_INDICATORS,
        comment_headings=COMMENT_HEADINGS,
        no_comments=NO_COMMENTS,
    )
    return environment


@cache
def _css() -> str:
    return resources.files("kpiboard.reports").joinpath("templates/report.css").read_text()


def chart_views(
    report: Report,
    drawn: Mapping[str, Sequence[RenderedChart]] | None = None,
    *,
    for_print: bool = False,
) -> dict[str, tuple[ChartView, ...]]:
    """Every card's charts for the page: drawn here unless the pack has drawn them already."""
    if drawn is None:
        results = [card.result for card in report.cards]
        drawn = render_charts(
            results,
            council=report.organisation,
            svg=not for_print,
            png=for_print,
            period=report.evaluation.period,
            rgb=for_print,
        )
    views: dict[str, tuple[ChartView, ...]] = {}
    for card in report.cards:
        views[card.ref] = tuple(
            _view(chart)
            for chart in drawn.get(card.ref, ())
            if chart.svg is not None or chart.png is not None
        )
    return views


def _view(chart: RenderedChart) -> ChartView:
    # The SVG comes from vl-convert, which escapes every label drawn in it.
    svg = Markup(chart.svg) if chart.svg is not None else None
    png = None
    if chart.png is not None:
        png = "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")
    return ChartView(
        svg, png, chart.caption, chart.headers, chart.rows, kind=chart.kind, title=chart.title
    )


def render_html(
    report: Report,
    *,
    for_print: bool = False,
    charts: Mapping[str, Sequence[ChartView]] | None = None,
    colophon: Colophon | None = None,
) -> str:
    """The complete HTML document. ``for_print`` lays it out for WeasyPrint's PDF.

    ``charts`` are each card's charts by ref (drawn here if None; a card missing from it has
    none). ``colophon`` says when and from which data (now, and a digest of the figures, if
    None)."""
    views = charts if charts is not None else chart_views(report, for_print=for_print)
    if colophon is None:
        colophon = Colophon(datetime.now(UTC), data_version_of_figures(report.evaluation))
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        css=Markup(_css()),
        charts=views,
        for_print=for_print,
        colophon=colophon,
        decorative_background=decorative_background,
    )


def decorative_background(svg: str) -> str:
    """A decorative inline SVG (an icon beside the words it stands for) as a CSS background, for
    the PDF: WeasyPrint tags an ``<svg>`` or ``<img>`` as a Figure, which needs alternative text,
    but draws a background as an artifact, as PDF/UA asks of decoration."""
    uri = "data:image/svg+xml;base64," + base64.b64encode(
        svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1).encode("utf-8")
    ).decode("ascii")
    return f"background-image: url({uri})"
