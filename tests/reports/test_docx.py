"""The Word report: read back with python-docx and checked against ``kpiboard evaluate``'s JSON."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import builders as b
from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.model import Unit
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.serialise import evaluation_to_json
from kpiboard.analysis.status import Status
from kpiboard.datafiles import read_dataset
from kpiboard.reports import docx as word
from kpiboard.reports.formatting import STATUS_COLOURS, format_value
from kpiboard.reports.model import Report, build_report
from kpiboard.reports.templates.build_docx_template import TEMPLATE_PATH, template_bytes
from reading import period_label
from report_stubs import LONG, NON_ASCII, awkward_report, stub_charts

DEMO = Path(__file__).parents[2] / "examples" / "demo-council"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)")


def render(report: Report, out: Path, **options: Any) -> DocumentObject:
    path = word.render_docx(report, out, charts=stub_charts, **options)
    return docx.Document(str(path))


# -- reading the document back ---------------------------------------------------------------
def blocks(document: DocumentObject) -> Iterator[Paragraph | Table]:
    yield from document.iter_inner_content()


def every_paragraph(document: DocumentObject) -> list[Paragraph]:
    """The body's paragraphs in order, those in tables' cells included (a card's two charts
    sit side by side in a row of two cells)."""
    body = document.element.body
    return [Paragraph(p, document._body) for p in body.iter(qn("w:p"))]


def headings(document: DocumentObject) -> list[tuple[int, str]]:
    found = []
    for paragraph in every_paragraph(document):
        name = paragraph.style.name if paragraph.style is not None else ""
        if name.startswith("Heading "):
            found.append((int(name.split()[1]), paragraph.text))
    return found


def fill(cell: Any) -> str | None:
    shading = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shading is None else str(shading.get(qn("w:fill")))


def cards(document: DocumentObject) -> dict[str, dict[str, tuple[str, str | None]]]:
    """Each appendix card's facts table: ref -> label -> (text, shading)."""
    found: dict[str, dict[str, tuple[str, str | None]]] = {}
    in_appendix, ref = False, None
    for block in blocks(document):
        if isinstance(block, Paragraph):
            style = block.style.name if block.style is not None else ""
            if style == "Heading 1":
                in_appendix = block.text.startswith("Appendix 1")
            elif style == "Heading 2" and in_appendix:
                ref = block.text.removeprefix("Indicator ").split(":")[0]
        elif in_appendix and ref is not None and ref not in found:
            found[ref] = {
                row.cells[0].text: (row.cells[1].text, fill(row.cells[1])) for row in block.rows[1:]
            }
    return found


def text_after(document: DocumentObject, start: str, stop_style: str = "Normal") -> list[str]:
    """The bullets that follow the paragraph starting with ``start``."""
    paragraphs = document.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if start in p.text)
    items = []
    for paragraph in paragraphs[index + 1 :]:
        if paragraph.style is None or paragraph.style.name != "List Bullet":
            break
        items.append(paragraph.text)
    return items


def all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")
        )


# -- the demo council ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_evaluation() -> Evaluation:
    return evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"), "srp")


@pytest.fixture(scope="module")
def demo_path(demo_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docx") / "report.docx"
    return word.render_docx(build_report(demo_evaluation), out, charts=stub_charts)


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> DocumentObject:
    return docx.Document(str(demo_path))


def test_every_placeholder_of_the_template_is_filled(demo_path: Path) -> None:
    xml = all_xml(demo_path)
    assert "{{" not in xml
    assert "{%" not in xml
    assert "}}" not in xml


def test_the_cover_is_the_demo_committees(demo: DocumentObject) -> None:
    lines = [p.text for p in demo.paragraphs[:20]]
    assert "To: Strategy, Resources and Performance Committee" in lines
    assert "Meeting date: 17 December 2024" in lines
    assert "Name: Alex Morgan" in lines
    assert "Email: alex.morgan@example.gov.uk" in lines
    assert demo.paragraphs[1].style is not None
    assert demo.paragraphs[1].style.name == "Title"


def test_title_and_language_are_set(demo: DocumentObject) -> None:
    assert demo.core_properties.title == (
        "Corporate Performance Report: Strategy, Resources and Performance Committee, 2024/25 Q2"
    )
    assert demo.core_properties.language == "en-GB"
    defaults = demo.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang is not None
    assert lang.get(qn("w:val")) == "en-GB"


def test_headings_are_in_order_and_name_each_section(demo: DocumentObject) -> None:
    found = headings(demo)
    levels = [level for level, _ in found]
    assert levels[0] == 1
    assert all(after - before <= 1 for before, after in itertools.pairwise(levels))
    assert [text for level, text in found if level == 1] == [
        "1. Purpose",
        "2. Background",
        "3. Main issues",
        "4. Conclusion and recommendations",
        "5. Significant implications",
        "6. Source documents",
        "Appendix 1: Strategy, Resources and Performance Committee performance dashboard "
        "2024/25 Q2",
    ]


def test_every_indicator_has_a_card_with_its_status_word(
    demo: DocumentObject, demo_evaluation: Evaluation
) -> None:
    expected = evaluation_to_json(demo_evaluation)["indicators"]
    found = cards(demo)
    assert list(found) == [i["ref"] for i in expected]
    for indicator in expected:
        facts = found[indicator["ref"]]
        status = Status(indicator["status"])
        previous = Status(indicator["previous_status"])
        assert facts["Status"] == (status.label, STATUS_COLOURS[status][0].lstrip("#"))
        assert facts["Previous status"][0] == previous.label


def test_values_are_formatted_in_their_unit(
    demo: DocumentObject, demo_evaluation: Evaluation
) -> None:
    found = cards(demo)
    for indicator in evaluation_to_json(demo_evaluation)["indicators"]:
        unit = Unit(indicator["unit"])
        decimals = demo_evaluation.result(indicator["ref"]).indicator.decimals
        value = format_value(Decimal(repr(indicator["value"])), unit, decimals)
        # the quarter, not its last month; an annual figure's own year
        label = (
            period_label(indicator["as_of"])
            if len(indicator["as_of"]) == 7 and "/" in (indicator["as_of"])
            else "2024/25 Q2 (July to September 2024)"
        )
        assert found[indicator["ref"]]["Current performance"][0].startswith(f"{value} for {label}")
        assert found[indicator["ref"]]["Current target"][0] == format_value(
            None if indicator["target"] is None else Decimal(repr(indicator["target"])),
            unit,
            decimals,
        )
    assert found["182"]["Current performance"][0].startswith("81.0% for 2024/25 Q2 (")
    assert found["186"]["Current performance"][0].startswith("8.71 days for 2024/25 Q2 (")


def test_the_summary_table_has_the_counts_and_percentages(
    demo: DocumentObject, demo_evaluation: Evaluation
) -> None:
    table = demo.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Status", "Number of indicators", "Percentage of indicators"]
    summary = evaluation_to_json(demo_evaluation)["summary"]
    assert rows[1:-1] == [
        [Status(line["status"]).label, str(line["count"]), f"{line['percent']}%"]
        for line in summary
    ]
    # semantics.md 10: 1, 1, 10 and 1 of 13 each rounded on its own add to 101, so the footnote,
    # and the total row still says 100%.
    assert rows[-1] == ["Total", "13", "100%"]
    shown = {row[0]: row[2] for row in rows[1:-1]}
    assert [shown[s] for s in ("Red", "Amber", "Green", "Baseline")] == ["8%", "8%", "77%", "8%"]
    assert "Figures may not add to 100 due to rounding." in [p.text for p in demo.paragraphs]
    for row, line in zip(table.rows[1:-1], summary, strict=True):
        assert fill(row.cells[0]) == STATUS_COLOURS[Status(line["status"])][0].lstrip("#")
    header = table.rows[0]._tr.trPr
    assert header is not None
    assert header.find(qn("w:tblHeader")) is not None


def test_a_scorecard_breaks_the_summary_down_by_directorate(tmp_path: Path) -> None:
    evaluation = evaluate(read_dataset(DEMO), parse_period("2024/25 Q2"))
    report = build_report(evaluation)
    assert report.breakdown is not None
    document = render(report, tmp_path / "report.docx")
    table = document.tables[1]
    header = table.rows[0].cells
    assert [c.text for c in header] == [
        "Directorate",
        *(s.label for s in report.breakdown.statuses),
        "Total",
    ]
    assert fill(header[1]) == STATUS_COLOURS[Status.RED][0].lstrip("#")
    totals = [int(row.cells[-1].text) for row in table.rows[1:]]
    assert sum(totals) == len(evaluation.indicators)


def test_the_conclusion_lists_the_improved_indicators(
    demo: DocumentObject, demo_evaluation: Evaluation
) -> None:
    improved = evaluation_to_json(demo_evaluation)["transitions"]["improved"]
    assert improved == ["190", "212"]
    items = text_after(demo, "Improved: 2 indicators.")
    assert [item.removeprefix("Indicator ").split(":")[0] for item in items] == improved
    assert items[0].endswith("has gone from Amber to Green")
    groups = evaluation_to_json(demo_evaluation)["transitions"]
    kept = text_after(demo, "Unchanged: 10 indicators.")
    assert [i.removeprefix("Indicator ").split(":")[0] for i in kept] == groups["unchanged"]
    not_rated = text_after(demo, "Not rated: 1 indicator.")
    assert [i.removeprefix("Indicator ").split(":")[0] for i in not_rated] == ["187"]
    assert not_rated[0].endswith("(Baseline)")


def test_every_red_indicator_is_named_with_its_commentary(
    demo: DocumentObject, demo_evaluation: Evaluation
) -> None:
    reds = [i for i in evaluation_to_json(demo_evaluation)["indicators"] if i["status"] == "red"]
    assert reds
    texts = [p.text for p in demo.paragraphs]
    main_issues = texts[
        texts.index("3. Main issues") : texts.index("4. Conclusion and recommendations")
    ]
    for red in reds:
        title = f"Indicator {red['ref']}: {red['name']}"
        at = main_issues.index(title)
        assert main_issues[at + 1] == "Status: Red"
        assert main_issues[at + 2] == red["commentary"]


def test_each_card_has_its_charts_described_by_their_captions(
    demo_path: Path, demo_evaluation: Evaluation
) -> None:
    """13 line charts and 11 control charts: all but 187 (3 yearly figures) and 212 (10
    quarters) have the 13 points a control chart needs, and say so instead."""
    with_spc = [r.ref for r in demo_evaluation.indicators if r.spc is not None]
    assert sorted({r.ref for r in demo_evaluation.indicators} - set(with_spc)) == ["187", "212"]
    document = docx.Document(str(demo_path))
    assert len(document.inline_shapes) == 13 + 11
    xml = all_xml(demo_path)
    descriptions = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert descriptions[:2] == ["Line chart of indicator 182", "Control chart of indicator 182"]
    assert sum(d.startswith("Control chart of") for d in descriptions) == 11
    ids = re.findall(r'<wp:docPr id="(\d+)"', xml)
    assert len(ids) == len(set(ids)) == 24
    texts = [p.text for p in every_paragraph(document)]
    assert "Control chart of indicator 182" in texts
    title = "Indicator 212: Number of staff who have completed Introduction to First Aid"
    card = texts[len(texts) - texts[::-1].index(title) :]  # the appendix card, not main issues
    assert card[card.index("Control chart") + 1] == (
        "Fewer than 13 points: no control chart yet (10 so far)."
    )


# -- awkward text ----------------------------------------------------------------------------
def test_formula_like_and_non_ascii_text_is_written_as_it_is(tmp_path: Path) -> None:
    names = {str(i): text for i, text in enumerate((*FORMULAS, NON_ASCII))}
    report = awkward_report({ref: f"{text} in commentary" for ref, text in names.items()}, names)
    document = render(report, tmp_path / "report.docx")
    texts = [p.text for p in document.paragraphs]
    for ref, text in names.items():
        assert f"Indicator {ref}: {text}" in texts
        assert f"{text} in commentary" in texts
    assert cards(document)["4"]  # the non-ASCII one has its card


def test_a_committee_with_no_indicators_gets_a_report_saying_so(tmp_path: Path) -> None:
    evaluation = evaluate(b.dataset([b.indicator("1")]), parse_period("2024/25 Q2"), "other")
    document = render(build_report(evaluation), tmp_path / "report.docx")
    assert document.paragraphs[-1].text == "There are no indicators in this report."


def test_template_tags_in_the_data_are_printed_not_run(tmp_path: Path) -> None:
    text = "{{ title }} {% for x in y %} {#"
    report = awkward_report({"1": text}, {"1": text})
    document = render(report, tmp_path / "report.docx")
    texts = [p.text for p in document.paragraphs]
    assert text in texts
    assert f"Indicator 1: {text}" in texts


def test_an_indicator_with_no_data_shows_dashes(tmp_path: Path) -> None:
    document = render(awkward_report({"1": "Fine."}), tmp_path / "report.docx")
    facts = cards(document)["empty"]
    assert facts["Current performance"] == ("–", None)
    assert facts["Current target"] == ("–", None)
    assert facts["Status"][0] == "No data"
    assert facts["Variation (control chart)"][0] == "No figures yet: no control chart."
    assert len(document.inline_shapes) == 2  # indicator 1's two charts, none for no figures


def test_very_long_commentary_is_written_whole(tmp_path: Path) -> None:
    document = render(awkward_report({"1": LONG}), tmp_path / "report.docx")
    assert LONG.strip() in [p.text for p in document.paragraphs]


def test_commentary_markdown_becomes_paragraphs_and_lists_never_markup(tmp_path: Path) -> None:
    text = (
        "Performance **rose** to *81%*.\n\n- first point\n- second [link](https://x.org)\n"
        "\n3. third\n4. fourth\n\n# A heading\n\n<script>alert(1)</script>\n\n"
        "Line one  \nline two\r\nand control\x0bcharacters\x00."
    )
    document = render(awkward_report({"1": text}), tmp_path / "report.docx")
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "Performance rose to 81%.")
    got = [(p.style.name if p.style else "", p.text) for p in paragraphs[at : at + 8]]
    assert got == [
        ("Normal", "Performance rose to 81%."),
        ("List Bullet", "first point"),
        ("List Bullet", "second link (https://x.org)"),
        ("List Continue", "3. third"),
        ("List Continue", "4. fourth"),
        ("Normal", "A heading"),
        ("Normal", "<script>alert(1)</script>"),
        ("Normal", "Line one\nline two and controlcharacters."),
    ]
    assert paragraphs[at].runs[1].bold


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_any_commentary_gives_a_document_word_can_open(tmp_path: Path, text: str) -> None:
    document = render(awkward_report({"1": text}), tmp_path / "report.docx")
    assert cards(document)["1"]


# -- the template ----------------------------------------------------------------------------
def test_the_shipped_template_is_what_the_script_builds() -> None:
    assert TEMPLATE_PATH == word.TEMPLATE
    assert template_bytes() == word.TEMPLATE.read_bytes(), (
        "run: uv run python src/kpiboard/reports/templates/build_docx_template.py"
    )


def test_every_placeholder_is_documented(demo_evaluation: Evaluation) -> None:
    documented = set(re.findall(r"``\{\{p? (\w+) \}\}``", word.__doc__ or ""))
    assert documented == {*word.placeholders(build_report(demo_evaluation)), "body"}
    with zipfile.ZipFile(word.TEMPLATE) as package:
        shipped = set(re.findall(r"\{\{p? (\w+) \}\}", package.read("word/document.xml").decode()))
    assert shipped <= documented


def replace_in_template(source: Path, target: Path, old: str, new: str) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as changed:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            changed.writestr(item, data)
    return target


def test_a_councils_own_template_is_used(tmp_path: Path) -> None:
    own = replace_in_template(
        word.TEMPLATE, tmp_path / "own.docx", "Key decision: ", "Key decision (Anytown): "
    )
    document = render(awkward_report({"1": "Fine."}), tmp_path / "report.docx", template=own)
    texts = [p.text for p in document.paragraphs]
    assert "Key decision (Anytown): No" in texts
    assert "Key decision: No" not in texts


def test_a_template_naming_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    own = replace_in_template(word.TEMPLATE, tmp_path / "own.docx", "{{ to }}", "{{ to_whom }}")
    expected = r"own\.docx: 'to_whom' is undefined.*\{\{ to \}\}"
    with pytest.raises(word.TemplateError, match=expected):
        render(awkward_report({"1": "Fine."}), tmp_path / "report.docx", template=own)


def test_a_file_that_is_not_word_is_refused(tmp_path: Path) -> None:
    (tmp_path / "own.docx").write_text("not a document")
    with pytest.raises(word.TemplateError, match="not a Word"):
        render(
            awkward_report({"1": "Fine."}), tmp_path / "report.docx", template=tmp_path / "own.docx"
        )


def test_a_template_without_the_list_styles_is_given_them(tmp_path: Path) -> None:
    """A template made in Word often lacks List Bullet until it is used; bullets still show."""
    shipped = docx.Document(str(word.TEMPLATE))
    styles = shipped.styles.element
    for name in ("List Bullet", "List Bullet 2", "Caption"):
        styles.remove(shipped.styles[name].element)
    numbering = shipped.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    buffer = io.BytesIO()
    shipped.save(buffer)
    (tmp_path / "own.docx").write_bytes(buffer.getvalue())
    document = render(
        awkward_report({"1": "- a\n- b"}), tmp_path / "report.docx", template=tmp_path / "own.docx"
    )
    bullets = [p for p in document.paragraphs if p.style and p.style.name == "List Bullet"]
    assert [p.text for p in bullets][-2:] == ["a", "b"]
    style_num = document.styles["List Bullet"].element.find(f".//{qn('w:numId')}")
    assert style_num is not None
    num_id = style_num.get(qn("w:val"))
    numbering = document.part.numbering_part.element
    assert [n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == num_id]


def test_copying_the_template_leaves_it_unchanged(tmp_path: Path) -> None:
    before = word.TEMPLATE.read_bytes()
    shutil.copy(word.TEMPLATE, tmp_path / "copy.docx")
    render(
        awkward_report({"1": "Fine."}), tmp_path / "report.docx", template=tmp_path / "copy.docx"
    )
    assert word.TEMPLATE.read_bytes() == before
    assert (tmp_path / "copy.docx").read_bytes() == before


def test_the_control_chart_summary_tables(demo: DocumentObject) -> None:
    """After the status summary: variation, then assurance, each adding up to the 13."""
    variation, assurance = demo.tables[1], demo.tables[2]
    rows = [[cell.text for cell in row.cells] for row in variation.rows]
    assert rows == [
        ["Variation at the latest point", "Number of indicators", "Percentage of indicators"],
        ["Special cause improvement", "8", "62%"],
        ["Special cause concern", "0", "0%"],
        ["Common cause variation", "3", "23%"],
        ["Too few points for a control chart", "2", "15%"],
        ["Total", "13", "100%"],
    ]
    rows = [[cell.text for cell in row.cells] for row in assurance.rows]
    assert rows[0][0] == "Assurance against the target"
    assert rows[1:-1] == [
        ["Will consistently pass the target", "0", "0%"],
        ["Hit and miss: will sometimes meet the target", "4", "31%"],
        ["Will consistently fail the target", "1", "8%"],
        ["Not judged: the process has changed since its limits were set", "6", "46%"],
        ["Too few points for a control chart", "2", "15%"],
    ]
    captions = [
        p.text for p in demo.paragraphs if p.style is not None and p.style.name == "Caption"
    ]
    assert "Variation shown by the control charts, 2024/25 Q2" in captions


def test_each_card_says_what_its_control_chart_shows(demo: DocumentObject) -> None:
    found = cards(demo)
    assert found["182"]["Variation (control chart)"][0] == (
        "Special cause improvement (high): the latest figure is significantly higher, which is "
        "better"
    )
    # By hand: 182's figures for May to September 2024 (110/148, 115/152, 101/128, 107/134,
    # 116/138: 74.3, 75.7, 78.9, 79.9, 84.1%) each rise, a trend that flags the last point.
    assert found["182"]["Assurance (control chart)"][0] == (
        "The process has changed since May 2024 (a run of 5 points each higher than the one "
        "before); its limits describe the old process, so assurance against the target is not "
        "judged until the limits are recalculated from that point."
    )
    assert "consistently" not in found["182"]["Assurance (control chart)"][0]
    assert found["184"]["Variation (control chart)"][0].startswith("Common cause variation")
    assert found["184"]["Assurance (control chart)"][0].startswith("Hit and miss")
    assert found["187"]["Variation (control chart)"][0] == (
        "Fewer than 13 points: no control chart yet (3 so far)."
    )
    assert found["182"]["Recent trend"][0] == "No significant change (last 5 points)"
    heads = headings(demo)
    title = (
        2,
        "Indicator 182: Proportion of Freedom of Information requests responded to within "
        "statutory timescale",
    )
    at = len(heads) - 1 - heads[::-1].index(title)  # the card, not the note in main issues
    assert heads[at + 1 : at + 4] == [
        (3, "Commentary"),
        (3, "Performance over time"),
        (3, "Control chart"),
    ]
