"""A report pack: the same report model written as HTML, PDF, Word and Excel.

``write_pack`` builds the model once, renders the charts once, and times each step so the
benchmark can say where the time goes. The formats are written while the charts are drawn, so
the steps overlap: each format's time runs from when its writing began, waiting for charts
included, and ``charts`` from the first chart sent to the last one drawn.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import Narrative
from kpiboard.reports import FORMATS
from kpiboard.reports.colophon import Colophon, data_version_of_figures
from kpiboard.reports.model import Action, Card, Report, build_report
from kpiboard.reports.proposals import ProposalAppendix
from kpiboard.reports.rendering import RenderedChart, chart_outlines, drawing_charts

if TYPE_CHECKING:
    from kpiboard.reports.html import ChartView
    from kpiboard.reports.pdf_process import PdfProcess

__all__ = ["FORMATS", "PackResult", "Progress", "write_pack"]

#: Told how far a pack has got: what is being done ("charts", "files"), how many of how many.
Progress = Callable[[str, int, int], None]

FILE_NAMES = {
    "html": "report.html",
    "pdf": "report.pdf",
    "docx": "report.docx",
    "xlsx": "dashboard.xlsx",
}


@dataclass
class PackResult:
    """The files written and the seconds each step took."""

    report: Report
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def write_pack(
    evaluation: Evaluation,
    out: Path,
    formats: Iterable[str] = FORMATS,
    *,
    template: Path | None = None,
    actions: Mapping[str, Sequence[Action]] | None = None,
    data_version: str | None = None,
    narrative: Narrative | None = None,
    progress: Progress | None = None,
    proposals: ProposalAppendix | None = None,
    pdf_process: PdfProcess | None = None,
) -> PackResult:
    """Write the chosen formats of the report for ``evaluation`` into the folder ``out``, with
    the remedial actions by indicator ref, where there are any, on the indicators' cards.

    ``data_version`` names the data the figures came from, for the colophon (a digest of the
    figures if None); the colophon's date is now. ``narrative`` is the officer's own words for
    this report, if any; ``proposals`` the appendix of proposed strategic indicators it
    circulates for comment (:func:`kpiboard.reports.proposals.proposal_appendix`).
    ``progress`` is told as each card's charts are drawn ("charts", n, cards) and each format
    is written ("files", n, formats). ``pdf_process``, if given, writes the PDF
    (:mod:`kpiboard.reports.pdf_process`; the command line's), else a thread of this process."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}: expected some of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report = build_report(evaluation, actions, narrative, proposals)
    colophon = Colophon(datetime.now(UTC), data_version or data_version_of_figures(evaluation))
    result = PackResult(report)
    result.seconds["model"] = time.perf_counter() - started

    charts_drawn = None if progress is None else _rising(functools.partial(progress, "charts"))
    with drawing_charts(
        [card.result for card in report.cards],
        council=report.organisation,
        svg="html" in wanted,
        png="pdf" in wanted or "docx" in wanted or "xlsx" in wanted,
        period=evaluation.period,
        drawn=charts_drawn,
        rgb="pdf" in wanted,
    ) as drawn:
        if charts_drawn is not None:
            drawn.watch(charts_drawn)
        written = _write_formats(
            report, drawn, out, wanted, template, colophon, progress, pdf_process
        )
    result.seconds["charts"] = drawn.seconds
    for name in FORMATS:
        if name in written:
            result.files[name], result.seconds[name] = written[name]
    return result


def _rising(told: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """``told``, called only when the count has grown (the charts of a card drawn in this
    process are told once as drawn, and again when all are)."""
    lock = threading.Lock()
    last = [0]

    def tell(done: int, total: int) -> None:
        with lock:
            if done <= last[0]:
                return
            last[0] = done
            told(done, total)

    return tell


def _print_views(
    report: Report, drawn: Mapping[str, tuple[RenderedChart, ...]]
) -> tuple[dict[str, tuple[ChartView, ...]], dict[str, Callable[[], bytes]]]:
    """Each card's charts for the PDF before they are drawn, each picture an address
    (``kpiboard-chart:n``), and the PNG at each address, read when asked for (waiting for it to
    be drawn)."""
    from kpiboard.reports.html import ChartView
    from kpiboard.reports.pdf import PICTURE_SCHEME

    outlines = chart_outlines(
        [card.result for card in report.cards],
        council=report.organisation,
        period=report.evaluation.period,
    )
    views: dict[str, tuple[ChartView, ...]] = {}
    pictures: dict[str, Callable[[], bytes]] = {}
    for card in report.cards:
        shown = []
        for index, chart in enumerate(outlines.get(card.ref, ())):
            address = f"{PICTURE_SCHEME}:{len(pictures)}"
            pictures[address] = functools.partial(_png, drawn, card.ref, index, chart)
            shown.append(
                ChartView(
                    None,
                    address,
                    chart.caption,
                    chart.headers,
                    chart.rows,
                    kind=chart.kind,
                    title=chart.title,
                )
            )
        views[card.ref] = tuple(shown)
    return views, pictures


def _png(
    drawn: Mapping[str, tuple[RenderedChart, ...]], ref: str, index: int, outline: RenderedChart
) -> bytes:
    """The PNG of card ``ref``'s chart ``index``, once drawn, which must be the chart
    ``outline`` foretold."""
    charts = drawn.get(ref, ())
    chart = charts[index] if index < len(charts) else None
    if (
        chart is None
        or chart.png is None
        or (chart.kind, chart.caption)
        != (
            outline.kind,
            outline.caption,
        )
    ):
        raise RuntimeError(f"indicator {ref}'s chart {index + 1} was not drawn as outlined")
    return chart.png


def _write_formats(
    report: Report,
    drawn: Mapping[str, tuple[RenderedChart, ...]],
    out: Path,
    wanted: list[str],
    template: Path | None,
    colophon: Colophon,
    progress: Progress | None = None,
    pdf_process: PdfProcess | None = None,
) -> dict[str, tuple[Path, float]]:
    """Write each format wanted while the charts are drawn: Word and Excel in threads, card by
    card as the charts come; the HTML and PDF when they all have (the PDF in a thread of its
    own, which first imports WeasyPrint). Each format's file and the seconds it took."""

    def card_charts(card: Card) -> tuple[RenderedChart, ...]:
        return drawn.get(card.ref, ())

    writers: dict[str, Callable[[], Path]] = {}
    began: dict[str, float] = {}  # a format begun before its thread starts
    if "html" in wanted or "pdf" in wanted:
        from kpiboard.reports.html import chart_views, render_html

        @functools.cache
        def views() -> dict[str, tuple[ChartView, ...]]:
            return chart_views(report, drawn)  # when every chart is drawn

        def write_html() -> Path:
            path = out / FILE_NAMES["html"]
            path.write_text(
                render_html(report, charts=views(), colophon=colophon), encoding="utf-8"
            )
            return path

        def write_pdf() -> Path:
            if pdf_process is not None:  # begun below, before the other formats' threads
                return pdf_process.finish(process_pictures)
            from kpiboard.reports.pdf import render_pdf, start_pdf

            start_pdf()  # WeasyPrint's import, about half a second, while the charts are drawn
            # The document now, its pictures when WeasyPrint reaches them: it reads the HTML
            # and works out every element's style while the charts are still being drawn.
            print_views, pictures = _print_views(report, drawn)
            html = render_html(report, charts=print_views, for_print=True, colophon=colophon)
            return render_pdf(html, out / FILE_NAMES["pdf"], pictures)

        if "html" in wanted:
            writers["html"] = write_html
        if "pdf" in wanted:
            writers["pdf"] = write_pdf
            if pdf_process is not None:
                # The document to the PDF's process now, from this thread alone: with Word,
                # Excel and the HTML taking turns in the interpreter it took three times as
                # long, and the PDF's process waits for it.
                began["pdf"] = time.perf_counter()
                print_views, process_pictures = _print_views(report, drawn)
                pdf_process.begin(
                    render_html(report, charts=print_views, for_print=True, colophon=colophon),
                    out / FILE_NAMES["pdf"],
                )
    if "docx" in wanted:
        from kpiboard.reports.docx import render_docx

        writers["docx"] = lambda: render_docx(
            report,
            out / FILE_NAMES["docx"],
            template=template,
            charts=card_charts,
            colophon=colophon,
        )
    if "xlsx" in wanted:
        from kpiboard.reports.xlsx import render_xlsx

        writers["xlsx"] = lambda: render_xlsx(report, out / FILE_NAMES["xlsx"], charts=card_charts)

    finished = [0]
    lock = threading.Lock()

    def write(name: str) -> tuple[Path, float]:
        started = began.get(name, time.perf_counter())
        path = writers[name]()
        if progress is not None:
            with lock:
                finished[0] += 1
                count = finished[0]
            progress("files", count, len(writers))
        return path, time.perf_counter() - started

    # The PDF, Word and Excel in threads, beside the HTML in this one (every fork of the charts'
    # processes is behind us): the PDF's thread imports WeasyPrint while the charts are drawn,
    # Word and Excel take each card's charts as they are drawn; all of them wait without the GIL.
    # The PDF is started first: it is the longest, and the last to finish decides the pack's time.
    background = [name for name in ("pdf", "docx", "xlsx") if name in writers]
    with ThreadPoolExecutor(max(1, len(background))) as pool:
        pending = {name: pool.submit(write, name) for name in background}
        done: dict[str, tuple[Path, float]] = {
            name: write(name) for name in ("html",) if name in writers
        }
        done.update((name, future.result()) for name, future in pending.items())
    return done
