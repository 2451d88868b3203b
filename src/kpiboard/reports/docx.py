"""The report as a Word document: a docxtpl template for the cover, python-docx for the body.

The template (``templates/committee_report.docx``, written by ``templates/build_docx_template.py``)
holds the cover as placeholders; the body is built from the report model's sections and cards
and goes in at ``{{p body }}``. A council can pass its own ``.docx`` as ``template=`` (the CLI's
``--template``), laid out as it likes, using these placeholders; every one is optional but
``{{p body }}``, without which the report has no body:

======================================  ===========================================================
placeholder                             filled with
======================================  ===========================================================
``{{ title }}``                         the report's title, "Corporate Performance Report"
``{{ subtitle }}``                      what it covers and when: "... Committee, 2024/25 Q2"
``{{ organisation }}``                  the council's name
``{{ scope_name }}``                    the committee, directorate or organisation reported on
``{{ period }}``                        the reporting period, "2024/25 Q2"
``{{ appendix_title }}``                "Appendix 1: ... performance dashboard 2024/25 Q2"
``{{ to }}``                            To
``{{ meeting_date }}``                  Meeting date, "17 December 2024"
``{{ from_ }}``                         From
``{{ electoral_divisions }}``           Electoral division(s)
``{{ key_decision }}``                  Key decision
``{{ forward_plan_ref }}``              Forward Plan ref
``{{ executive_summary }}``             Executive summary
``{{ recommendation }}``                Recommendation
``{{ officer_name }}``                  Officer contact: name
``{{ officer_post }}``                  Officer contact: post
``{{ officer_email }}``                 Officer contact: email
``{{p body }}``                         the numbered sections and Appendix 1, on a paragraph of
                                        their own
======================================  ===========================================================

Placeholders work in the headers and footers too. A cover line with no value is empty; the
default template leaves such a line out (``{%p if meeting_date %}`` around it), as a council's
own template can. A name
that is not a placeholder stops the render with a :class:`TemplateError` naming it. The body
uses the styles Heading 1 to 3, List Bullet (1 to 3), List Continue (1 to 3), Caption and Table
Grid; a template without one of them is given python-docx's, so a council's own styles win and a
missing one never breaks the document.

In the body, section headings are Heading 1, indicators named in the text and the cards of the
appendix Heading 2 and a card's parts Heading 3, so the outline and a screen reader's list of
headings follow the report. Status is a word in a cell shaded with the status colour, never colour
alone. Commentary is Markdown, written as plain paragraphs and lists (never raw HTML); text that
Word cannot hold (control characters) is dropped rather than breaking the file.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable, Mapping
from copy import deepcopy
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Emu, Pt
from docx.text.paragraph import Paragraph as WordParagraph
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError
from lxml import etree  # type: ignore[import-untyped]

from kpiboard.analysis.status import Status
from kpiboard.reports.breakdown_table import GroupTable
from kpiboard.reports.colophon import Colophon, data_version_of_figures
from kpiboard.reports.count_tables import Breakdown, CountTable
from kpiboard.reports.cover import FrontMatter
from kpiboard.reports.docx_markdown import MarkdownWriter, markdown_tokens
from kpiboard.reports.docx_pagination import (
    compact,
    keep_table_together,
    keep_with_next,
    write_card_charts,
)
from kpiboard.reports.docx_proposals import write_proposals
from kpiboard.reports.formatting import STATUS_COLOURS
from kpiboard.reports.model import (
    NO_COMMENTARY,
    NO_INDICATORS,
    Block,
    Bullets,
    Card,
    IndicatorNote,
    Paragraph,
    Report,
)
from kpiboard.reports.prose import Prose
from kpiboard.reports.rendering import CHART_TITLES, SPC, CardCharts, RenderedChart, png_charts

__all__ = ["TEMPLATE", "TemplateError", "placeholders", "render_docx"]

TEMPLATE = Path(__file__).with_name("templates") / "committee_report.docx"
BODY_STYLES = (
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Continue",
    "List Continue 2",
    "List Continue 3",
    "Caption",
    "Table Grid",
)

#: Characters XML 1.0 cannot hold, which Word would refuse the whole file for.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class TemplateError(ValueError):
    """A Word template that cannot be filled: names the file and what is wrong."""


def clean(text: str) -> str:
    """Text Word can hold: Windows and old Mac line ends become one line break, and characters
    XML cannot carry are dropped.

    >>> clean("a\\r\\nb\\x0bc\\x00")
    'a\\nbc'
    """
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# -- the cover ---------------------------------------------------------------------------------
def placeholders(report: Report) -> dict[str, str]:
    """The text placeholders of the template and their values for ``report``."""
    front = {f.name: getattr(report.front_matter, f.name) for f in dataclasses.fields(FrontMatter)}
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "organisation": report.organisation,
        "scope_name": report.scope_name,
        "period": report.period,
        "appendix_title": report.appendix_title,
        **front,
    }


class _Body:
    """docxtpl's ``Subdoc`` (what ``tpl.new_subdoc()`` returns) without its docxcompose import.

    A python-docx document that shares the template's part, so its styles are the template's and
    its pictures are stored in the template; rendered at ``{{p body }}`` as its body's XML.
    """

    def __init__(self, template: DocxTemplate) -> None:
        main: DocumentObject = template.get_docx()
        self.document: DocumentObject = Document()
        self.document._part = main.part
        # The template's page, so tables and pictures are laid out for its width.
        own, theirs = self.document.element.body.sectPr, main.element.body.sectPr
        if own is not None and theirs is not None:
            own.getparent().replace(own, deepcopy(theirs))

    def __html__(self) -> str:
        body = self.document.element.body
        section = body.sectPr
        if section is not None:
            body.remove(section)
        xml = etree.tostring(body, encoding="unicode")
        if section is not None:
            body.append(section)
        return re.sub(r"</?w:body[^>]*>", "", xml)

    __str__ = __html__


# -- styles a council's template may lack ------------------------------------------------------
@cache
def _default_document() -> DocumentObject:
    return Document()


def _ensure_styles(document: DocumentObject) -> None:
    """Copy into ``document`` any body style it lacks, with the numbering a list style needs."""
    names = {style.name for style in document.styles}
    defaults = _default_document()
    for name in BODY_STYLES:
        if name in names:
            continue
        element = deepcopy(defaults.styles[name].element)
        for num_id in element.iter(qn("w:numId")):
            num_id.set(qn("w:val"), _copy_numbering(document, defaults, num_id.get(qn("w:val"))))
        document.styles.element.append(element)


def _copy_numbering(document: DocumentObject, defaults: DocumentObject, num_id: str | None) -> str:
    """Copy the default template's list ``num_id`` (and its definition) and return its new id."""
    source = defaults.part.numbering_part.element
    target = document.part.numbering_part.element
    num = next(n for n in source.iter(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(
        a for a in source.iter(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id
    )
    used = [int(a.get(qn("w:abstractNumId"))) for a in target.iter(qn("w:abstractNum"))]
    new_abstract = deepcopy(abstract)
    new_abstract_id = str(max(used, default=-1) + 1)
    new_abstract.set(qn("w:abstractNumId"), new_abstract_id)
    for child in list(new_abstract):
        if child.tag == qn("w:nsid"):  # a new list, not a continuation of the default's
            new_abstract.remove(child)
    existing_nums = list(target.iter(qn("w:num")))
    if existing_nums:
        existing_nums[0].addprevious(new_abstract)
    else:
        target.append(new_abstract)
    return str(target.add_num(int(new_abstract_id)).numId)


# -- the body ----------------------------------------------------------------------------------
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_BREAKS = re.compile(r"(\n|\t)")

#: A table cell: its text, and the status whose colour shades it (None for a plain cell).
TableCell = tuple[str, Status | None]


def _attribute(text: str) -> str:
    return escape(clean(text), {'"': "&quot;"})


def _run_xml(text: str, *, bold: bool = False, ink: str | None = None) -> str:
    """A ``w:r`` of ``text``, line breaks and tabs as Word's own elements."""
    properties = ("<w:b/>" if bold else "") + (f'<w:color w:val="{ink}"/>' if ink else "")
    content = "".join(
        "<w:br/>"
        if part == "\n"
        else "<w:tab/>"
        if part == "\t"
        else f'<w:t xml:space="preserve">{escape(part)}</w:t>'
        for part in _BREAKS.split(clean(text))
        if part
    )
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{content}</w:r>"


def _cell_xml(cell: TableCell, width: int, *, header: bool) -> str:
    """A ``w:tc``; a status cell is shaded with its colour, its word bold in the contrasting ink."""
    text, status = cell
    shading, ink = "", None
    if status is not None:
        fill, ink = (colour.lstrip("#") for colour in STATUS_COLOURS[status])
        shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    run = _run_xml(text, bold=header or status is not None, ink=ink)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f"<w:p>{run}</w:p></w:tc>"
    )


def _table_xml(caption: str, style_id: str, widths: list[int], rows: list[list[TableCell]]) -> str:
    """A full-width table whose first row is its header (repeated on each page), with the
    caption Word gives screen readers (Table Properties, Alt Text)."""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    body = "".join(
        "<w:tr>"
        + ("<w:trPr><w:tblHeader/></w:trPr>" if index == 0 else "")
        + "".join(
            _cell_xml(cell, width, header=index == 0)
            for cell, width in zip(row, widths, strict=True)
        )
        + "</w:tr>"
        for index, row in enumerate(rows)
    )
    return (
        f'<w:tbl {_W}><w:tblPr><w:tblStyle w:val="{_attribute(style_id)}"/>'
        '<w:tblW w:w="5000" w:type="pct"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0"'
        ' w:noHBand="0" w:noVBand="1"/>'
        f'<w:tblCaption w:val="{_attribute(caption)}"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


class _Writer:
    """Writes the report model's blocks and cards into a python-docx document, in order."""

    def __init__(self, document: DocumentObject, charts: CardCharts) -> None:
        self.document = document
        self.charts = charts
        # python-docx finds a style by name by reading every style: once each, not per paragraph.
        self.style_ids = {name: document.styles[name].style_id for name in BODY_STYLES}
        section = document.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin  # type: ignore[operator]
        self.width = Emu(width)  # of the text on the page
        self.width_twips = int(width / 635)  # 635 EMU to the twip
        self.container = document._body
        self.pictures = 0
        self.part_names = {str(p.partname) for p in document.part.package.iter_parts()}
        end = document.element.body.sectPr
        assert end is not None, "the body document ends with its section properties"
        self.end = end
        self.writers: Mapping[str, Callable[[Any], None]] = {
            "paragraph": self.paragraph,
            "bullets": self.bullets,
            "counts": self.counts,
            "breakdown": self.breakdown,
            "note": self.note,
            "prose": self.prose,
        }

    def text(self, text: str = "", style: str | None = None) -> WordParagraph:
        """A paragraph of ``text`` in one of the BODY_STYLES (Normal if None), at the end."""
        element = OxmlElement("w:p")
        self.end.addprevious(element)  # python-docx's add_paragraph looks for the end each time
        paragraph = WordParagraph(element, self.container)
        if style is not None:
            element.get_or_add_pPr().style = self.style_ids[style]
        if text:
            paragraph.add_run(clean(text))
        return paragraph

    def heading(self, text: str, level: int) -> WordParagraph:
        return keep_with_next(self.text(text, f"Heading {level}"))

    # blocks, by kind
    def block(self, block: Block) -> None:
        self.writers[block.kind](block)

    def paragraph(self, block: Paragraph) -> None:
        paragraph = self.text()
        if block.number:
            paragraph.add_run(f"{block.number} ").bold = True
        paragraph.add_run(clean(block.text))

    def bullets(self, block: Bullets) -> None:
        for item in block.items:
            self.text(item, "List Bullet")

    def table(self, caption: str, weights: list[int], rows: list[list[TableCell]]) -> Any:
        """A table under its caption; the first row is the header. Columns share the width
        of the page by ``weights``."""
        self.text(caption, "Caption").paragraph_format.keep_with_next = True
        widths = [self.width_twips * weight // sum(weights) for weight in weights]
        xml = _table_xml(caption, self.style_ids["Table Grid"], widths, rows)
        table = parse_xml(xml)
        keep_table_together(table)  # whole on a page if small; no row ever split
        self.end.addprevious(table)
        return table

    def counts(self, block: CountTable) -> None:
        """A count table (the status summary's first cells in their status's colours)."""
        header = [block.heading, "Number of indicators", "Percentage of indicators"]
        rows: list[list[TableCell]] = [[(heading, None) for heading in header]]
        rows += [
            [(line.label, line.status), (str(line.count), None), (f"{line.percent}%", None)]
            for line in block.lines
        ]
        rows.append([("Total", None), (str(block.total), None), (block.total_percent, None)])
        self.table(block.caption, [2, 1, 1], rows)
        if block.footnote:
            self.text().add_run(clean(block.footnote)).italic = True

    def breakdown(self, block: Breakdown) -> None:
        header: list[TableCell] = [
            (block.group_heading, None),
            *((s.label, s) for s in block.statuses),
            ("Total", None),
        ]
        rows = [header]
        for name, counts, total in block.rows:
            rows.append([(name, None), *((str(n), None) for n in counts), (str(total), None)])
        # Names two or three words a line; each status's words whole ("development"), at 7pt.
        table = self.table(block.caption, [8] + [7] * (len(header) - 2) + [4], rows)
        compact(table, half_points=14, cell_margin=20)

    def status_line(self, status: Status) -> None:
        """The status as a word shaded with the status colour: "Status: Green"."""
        paragraph = self.text("Status: ")
        fill, ink = (colour.lstrip("#") for colour in STATUS_COLOURS[status])
        paragraph._p.append(
            parse_xml(
                f'<w:r {_W}><w:rPr><w:b/><w:color w:val="{ink}"/>'
                f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:rPr>'
                f"<w:t>{escape(status.label)}</w:t></w:r>"
            )
        )

    def note(self, block: IndicatorNote) -> None:
        self.heading(block.title, 2)
        self.status_line(block.status)
        self.commentary(block.commentary)

    def prose(self, block: Prose) -> None:
        """The officer's words: a numbered paragraph, or a list or quotation under one."""
        MarkdownWriter(self, block.number).write(markdown_tokens(clean(block.markdown)))

    # commentary (Markdown)
    def commentary(self, text: str) -> None:
        if not text.strip():
            self.text(NO_COMMENTARY)
            return
        MarkdownWriter(self).write(markdown_tokens(clean(text)))

    # the appendix
    def card(self, card: Card, *, first: bool) -> None:
        heading = self.heading(card.title, 2)
        heading.paragraph_format.page_break_before = not first
        if card.description:
            self.text(card.description)
        facts = self.table(
            f"Figures for indicator {card.ref}",
            [2, 5],
            [
                [("Measure", None), ("Value", None)],
                *([(fact.label, None), (fact.text, fact.status)] for fact in card.facts),
            ],
        )
        compact(facts)
        if card.groups is not None:
            self.groups(card.groups)
        self.heading("Commentary", 3)
        self.commentary(card.commentary)
        charts = [chart for chart in self.charts(card) if chart.png is not None]
        write_card_charts(self, card, charts)  # side by side, so the card fits a page

    def groups(self, block: GroupTable) -> None:
        """The card's small table of the indicator's groups, the indicator's figure below."""
        rows: list[list[TableCell]] = [[(heading, None) for heading in block.headers]]
        rows += [[(cell, None) for cell in row] for row in block.rows]
        if block.total is not None:
            rows.append([(cell, None) for cell in block.total])
        compact(self.table(block.caption, [3] + [2] * (len(block.headers) - 1), rows))
        for note in block.notes:
            self.text().add_run(clean(note)).italic = True

    def chart(self, card: Card, chart: RenderedChart, *, width: int | None = None) -> None:
        """The chart under its heading, described by its caption (alt text and printed), as
        wide as the text or ``width`` EMU."""
        assert chart.png is not None
        caption = clean(chart.caption)
        self.heading(chart.title, 3)
        picture = keep_with_next(self.text())
        inline = self.picture(chart.png, Emu(width) if width is not None else self.width)
        picture.add_run()._r.add_drawing(inline)
        properties = inline.docPr
        properties.set("descr", caption)
        properties.set("title", f"{chart.title} of indicator {clean(card.ref)}")
        self.text(caption, "Caption").paragraph_format.keep_together = True

    def no_control_chart(self, reason: str) -> None:
        self.heading(CHART_TITLES[SPC], 3)
        self.text(reason)

    def picture(self, png: bytes, width: Emu) -> CT_Inline:
        """A picture of the chart, ``width`` wide.

        python-docx's ``add_picture`` looks for an identical picture already in the document by
        hashing every one each time; charts are all different, and that took seconds for 200.
        """
        part = self.document.part
        image = Image.from_blob(png)
        self.pictures += 1
        name = PackURI(f"/word/media/chart{self.pictures}.{image.ext}")
        while name in self.part_names:
            self.pictures += 1
            name = PackURI(f"/word/media/chart{self.pictures}.{image.ext}")
        relationship = part.relate_to(ImagePart.from_image(image, name), RELATIONSHIP_TYPE.IMAGE)
        wide, high = image.scaled_dimensions(width, None)
        # The ids of pictures are numbered afresh by docxtpl when it puts the body in place.
        return CT_Inline.new_pic_inline(self.pictures, relationship, image.filename, wide, high)

    def report(self, report: Report, colophon: Colophon) -> None:
        for section in report.sections:
            self.heading(f"{section.number}. {section.heading}", 1)
            for block in section.blocks:
                self.block(block)
        self.text(
            f"{report.organisation}. {report.title}, {report.subtitle}. {colophon.text()}"
        ).paragraph_format.space_before = Pt(18)
        appendix = self.heading(report.appendix_title, 1)
        appendix.paragraph_format.page_break_before = True
        if not report.cards:
            self.text(NO_INDICATORS)
        for index, card in enumerate(report.cards):
            self.card(card, first=index == 0)
        if report.proposals is not None:
            write_proposals(self, report.proposals)


# -- rendering ---------------------------------------------------------------------------------
def _set_language(document: DocumentObject, language: str) -> None:
    """The document's language, for screen readers and spelling: core property and style default."""
    document.core_properties.language = language
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if run_properties is None:
        return
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)


def render_docx(
    report: Report,
    out: Path,
    *,
    template: Path | None = None,
    charts: CardCharts | None = None,
    colophon: Colophon | None = None,
) -> Path:
    """Write ``report`` to ``out`` as a Word document from ``template`` (the shipped one if None).

    ``colophon`` says when and from which data, after the last numbered section (now, and a
    digest of the figures, if None).

    ``charts`` gives each card's charts, drawn as PNG (drawn here if None); each is put under
    its heading, with its caption as the picture's alternative text and printed beneath it.
    """
    template_path = template or TEMPLATE
    try:
        tpl = DocxTemplate(template_path)
        document: DocumentObject = tpl.get_docx()
    except (OSError, KeyError, zipfile.BadZipFile, PackageNotFoundError) as error:
        raise TemplateError(f"{template_path}: not a Word (.docx) document ({error})") from error
    _ensure_styles(document)
    body = _Body(tpl)
    if colophon is None:
        colophon = Colophon(datetime.now(UTC), data_version_of_figures(report.evaluation))
    _Writer(body.document, charts or png_charts(report)).report(report, colophon)
    context: dict[str, object] = {
        name: clean(value) for name, value in placeholders(report).items()
    }
    context["body"] = body
    environment = Environment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(context, jinja_env=environment)
    except UndefinedError as error:
        raise TemplateError(
            f"{template_path}: {error.message}: the placeholders are "
            + ", ".join(f"{{{{ {name} }}}}" for name in context)
        ) from error
    except TemplateSyntaxError as error:
        raise TemplateError(
            f"{template_path}: a placeholder is not closed or is misspelt: {error.message}"
        ) from error
    properties = tpl.docx.core_properties
    properties.title = clean(f"{report.title}: {report.subtitle}")
    properties.subject = clean(report.appendix_title)
    properties.author = properties.last_modified_by = clean(report.organisation)
    _set_language(tpl.docx, report.language)
    tpl.save(out)
    return out
