"""Appendix 2, "Proposed strategic indicators for comment" (docs/proposals.md): the right
proposals in each pack, the register's baseline, and the same appendix in HTML, PDF, Word and
Excel; none at all where a pack circulates nothing. Also the strategic scorecards' cover."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from itertools import pairwise
from pathlib import Path

import docx
import openpyxl
import pdfua
import pikepdf
import pytest
from pypdf import PdfReader

from kpiboard.analysis.evaluate import Evaluation, evaluate
from kpiboard.analysis.model import Dataset
from kpiboard.analysis.periods import parse_period
from kpiboard.analysis.proposals import ProposalComment
from kpiboard.reports.docx import render_docx
from kpiboard.reports.html import render_html
from kpiboard.reports.model import Report, build_report
from kpiboard.reports.pdf import render_pdf
from kpiboard.reports.proposals import NEW_INDICATOR, proposal_appendix, proposals_for_scope
from kpiboard.reports.xlsx import render_xlsx

Q2 = parse_period("2024/25 Q2")
TITLE = "Appendix 2: Proposed strategic indicators for comment"


def _evaluation(dataset: Dataset, scope: str) -> Evaluation:
    if scope == "organisation":
        return evaluate(dataset, Q2)
    if scope.startswith("directorate:"):
        return evaluate(dataset, Q2, directorate=scope.split(":")[1])
    return evaluate(dataset, Q2, scope)


@pytest.mark.parametrize(
    ("scope", "refs"),
    [
        # srp is consulted on SKPI-ASC-1 (with ahc), 182, SKPI-SNP-1, 186 and SKPI-FIN-1.
        ("srp", ["SKPI-ASC-1", "182", "SKPI-SNP-1", "186", "SKPI-FIN-1"]),
        ("ahc", ["ASC5", "SKPI-ASC-1"]),
        ("directorate:asc", ["ASC5", "SKPI-ASC-1"]),  # SKPI-ASC-2 is still a draft
        ("directorate:fin", ["186", "SKPI-FIN-1"]),
        ("directorate:cfe", []),
        ("organisation", ["ASC5", "SKPI-ASC-1", "182", "SKPI-SNP-1", "186", "SKPI-FIN-1"]),
    ],
)
def test_each_pack_carries_the_proposals_that_concern_it(
    demo_dataset: Dataset, scope: str, refs: list[str]
) -> None:
    evaluation = _evaluation(demo_dataset, scope)
    assert [p.ref for p in proposals_for_scope(demo_dataset, evaluation)] == refs
    appendix = proposal_appendix(demo_dataset, evaluation)
    assert (appendix is None) == (not refs)
    if appendix is not None:
        assert [e.ref for e in appendix.entries] == refs


def test_only_the_period_a_round_is_circulated_in(demo_dataset: Dataset) -> None:
    for label in ("2024/25 Q1", "2024/25 Q3", "2024-08"):
        assert proposal_appendix(demo_dataset, evaluate(demo_dataset, parse_period(label))) is None


def _row(appendix_entry_rows: tuple[tuple[str, str], ...], label: str) -> str:
    return dict(appendix_entry_rows)[label]


def test_the_baseline_is_the_registers_figure_for_the_period(demo_dataset: Dataset) -> None:
    """By hand from observations.csv: 182 in July to September 2024 answered 101 + 107 + 116 =
    324 of 128 + 134 + 138 = 400 requests on time, 81.0%; 186 is its latest month, September's
    8.71 days; ASC5 is annual and its latest year ending by September 2024 is 2022/23, 85.3%."""
    appendix = proposal_appendix(demo_dataset, evaluate(demo_dataset, Q2))
    assert appendix is not None
    baselines = {e.ref: _row(e.rows, "Baseline (2024/25 Q2)") for e in appendix.entries}
    assert baselines == {
        "ASC5": "85.3% for 2022/23 (April 2022 to March 2023)",
        "SKPI-ASC-1": NEW_INDICATOR,
        "182": "81.0% for 2024/25 Q2 (July to September 2024)",
        "SKPI-SNP-1": NEW_INDICATOR,
        "186": "8.71 days for 2024/25 Q2 (July to September 2024)",
        "SKPI-FIN-1": NEW_INDICATOR,
    }


def test_an_entry_says_everything_in_words(demo_dataset: Dataset) -> None:
    appendix = proposal_appendix(demo_dataset, evaluate(demo_dataset, Q2, "ahc"))
    assert appendix is not None
    asc5 = appendix.entries[0]
    rows = dict(asc5.rows)
    assert asc5.title == "ASC5: Outcome of short-term services: sequel to service"
    assert rows["Directorate"] == "Adults, Health and Commissioning"
    assert rows["Direction"] == "Higher is better"
    assert rows["Frequency"] == "Annually"
    assert rows["Proposed target"] == "88.0% from 2025/26 Q1"
    assert rows["National definition"].startswith("Yes")
    assert rows["Committees consulted"] == "Adults and Health Committee"
    assert rows["Ambitions served"].startswith("People enjoy healthy, safe, and independent lives")
    assert "Decision" not in rows  # proposed, not decided
    assert [c.cells[:2] for c in asc5.comments] == [
        ("Adults and Health Committee", "14 November 2024")
    ]
    assert appendix.introduction.startswith("The following 2 proposed strategic indicators")


def test_a_decision_and_its_amendment_are_shown(demo_dataset: Dataset) -> None:
    adopted = [
        replace(
            p,
            state=p.state.ADOPTED,
            decided_by="srp",
            decided_on=date(2025, 1, 23),
            amendment="Target 92% in place of 90%",
            amendment_reason="Members asked for a stretch",
        )
        if p.ref == "182"
        else p
        for p in demo_dataset.proposals
    ]
    dataset = replace(demo_dataset, proposals=tuple(adopted))
    appendix = proposal_appendix(dataset, evaluate(dataset, Q2, "srp"))
    assert appendix is not None
    rows = dict(next(e for e in appendix.entries if e.ref == "182").rows)
    assert rows["Decision"] == (
        "Adopted by the Strategy, Resources and Performance Committee on 23 January 2025"
    )
    assert rows["Amendment"] == "Target 92% in place of 90%"
    assert rows["Reason for the amendment"] == "Members asked for a stretch"


# -- the four formats ------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.com","click")'


@pytest.fixture(scope="module")
def srp_report(demo_dataset: Dataset) -> Report:
    """srp's Q2 report with the appendix; one comment looks like a formula."""
    comments = (
        *demo_dataset.proposal_comments,
        ProposalComment("skpi-2025-26", "SKPI-SNP-1", "srp", date(2024, 11, 21), FORMULA),
    )
    dataset = replace(demo_dataset, proposal_comments=comments)
    evaluation = evaluate(dataset, Q2, "srp")
    return build_report(evaluation, proposals=proposal_appendix(dataset, evaluation))


@pytest.fixture(scope="module")
def plain_report(demo_dataset: Dataset) -> Report:
    """srp's Q3 report: no round is circulated in it."""
    return build_report(evaluate(demo_dataset, parse_period("2024/25 Q3"), "srp"))


def test_html_appendix_is_headed_captioned_and_in_the_contents(srp_report: Report) -> None:
    html = render_html(srp_report, charts={})
    appendix = html[html.index('<section class="appendix proposals"') :]
    assert f'<h2 id="appendix-2-heading">{TITLE}</h2>' in appendix
    assert f'<a href="#appendix-2">{TITLE}</a>' in html  # the contents
    headings = re.findall(r"<h([2-4])[^>]*>([^<]*)</h\1>", appendix)
    assert [text for level, text in headings if level == "3"] == [
        "SKPI-ASC-1: Percentage of Care Act assessments completed within 28 days of the request",
        "182: Proportion of Freedom of Information requests responded to within statutory "
        "timescale",
        "SKPI-SNP-1: Percentage of residents satisfied with how the Council handled their contact",
        "186: Average working days lost to sickness absence per full-time equivalent "
        "(rolling 12 months)",
        "SKPI-FIN-1: Percentage of planned savings in the Medium Term Financial Strategy delivered",
    ]
    assert [level for level, _ in headings] == ["2"] + ["3", "4"] * 5
    assert '<th scope="row">Baseline (2024/25 Q2)</th><td>81.0% for 2024/25 Q2' in appendix
    assert "<caption>Comments on proposed indicator 182</caption>" in appendix
    assert '<th scope="col">Officer&#39;s response</th>' in appendix
    assert "<td>No response yet.</td>" in appendix  # SKPI-FIN-1's comment has none
    assert "=HYPERLINK(&#34;http://example.com&#34;" in appendix  # escaped, as text


def test_no_proposals_no_appendix(plain_report: Report) -> None:
    html = render_html(plain_report, charts={}).split("</style>")[1]  # the page, not its CSS
    assert "Appendix 2" not in html
    assert "Proposed strategic indicators" not in html
    assert "appendix-2" not in html


def test_word_appendix_has_headings_and_tables(srp_report: Report, tmp_path: Path) -> None:
    path = render_docx(srp_report, tmp_path / "report.docx", charts=lambda card: ())
    document = docx.Document(str(path))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
    start = headings.index(("Heading 1", TITLE))
    after = headings[start + 1 :]
    assert [name for name, _ in after] == ["Heading 2", "Heading 3"] * 5
    assert after[2] == ("Heading 2", headings[start + 3][1])
    assert after[2][1].startswith("182: ")
    comments = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "Committee" and "95%" in t.rows[1].cells[2].text
    )
    assert [c.text for c in comments.rows[0].cells] == [
        "Committee",
        "Meeting",
        "Comment",
        "Officer's response",
    ]
    assert comments.rows[1].cells[1].text == "21 November 2024"


def test_word_without_proposals_has_no_appendix_2(plain_report: Report, tmp_path: Path) -> None:
    path = render_docx(plain_report, tmp_path / "report.docx", charts=lambda card: ())
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any("Proposed strategic indicators" in text for text in texts)


def test_excel_sheets_print_and_keep_text_as_text(srp_report: Report, tmp_path: Path) -> None:
    path = render_xlsx(srp_report, tmp_path / "dashboard.xlsx", charts=lambda card: ())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["Proposals", "Proposal comments"]
    sheet = book["Proposals"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Ref", "Proposed indicator", "Directorate"]
    assert "Baseline (2024/25 Q2)" in header
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "SKPI-ASC-1", "182", "SKPI-SNP-1", "186", "SKPI-FIN-1",
    ]  # fmt: skip
    baseline = header.index("Baseline (2024/25 Q2)")
    assert str(sheet.cell(3, baseline + 1).value).startswith("81.0% for 2024/25 Q2")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    fit = sheet.sheet_properties.pageSetUpPr
    assert fit is not None
    assert fit.fitToPage
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    comments = book["Proposal comments"]
    formula = next(row for row in comments.iter_rows(min_row=2) if row[3].value == FORMULA)
    assert formula[3].data_type == "s"  # text, never a formula


def test_excel_without_proposals_has_no_such_sheets(plain_report: Report, tmp_path: Path) -> None:
    path = render_xlsx(plain_report, tmp_path / "dashboard.xlsx", charts=lambda card: ())
    assert "Proposals" not in openpyxl.load_workbook(path).sheetnames


@pytest.fixture(scope="module")
def pdf_path(srp_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    html = render_html(srp_report, for_print=True, charts={})
    return render_pdf(html, tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="module")
def pdf(pdf_path: Path) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(pdf_path) as document:
        yield document


def test_the_pdf_with_the_appendix_stays_valid(pdf_path: Path) -> None:
    report = pdfua.validate(str(pdf_path))
    assert [(f.rule_id, f.message) for f in report.findings] == []


def test_the_pdfs_headings_nest(pdf: pikepdf.Pdf) -> None:
    """The appendix's H2, each proposal's H3 and its comments' H4: no level skipped."""
    levels: list[int] = []

    def walk(element: pikepdf.Object) -> None:
        kids = element.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if match := re.match(r"^/H([1-6])$", str(kid.S)):
                    levels.append(int(match.group(1)))
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    assert levels.count(1) == 1
    assert [(a, b) for a, b in pairwise(levels) if b > a + 1] == []
    assert levels[-11:] == [2] + [3, 4] * 5  # the appendix closes the document


def test_the_pdf_reads_back_with_the_appendix(pdf_path: Path) -> None:
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf_path).pages)
    assert TITLE in text
    assert "SKPI-FIN-1: Percentage of planned savings" in text
    assert "New indicator: no figures yet" in text
    assert "ASC5" not in text.split(TITLE)[-1]  # ahc's alone


# -- strategic scorecards --------------------------------------------------------------------------


def _strategic(dataset: Dataset, refs: set[str]) -> Dataset:
    indicators = tuple(
        replace(i, extra={**i.extra, "x_strategic": "true"}) if i.ref in refs else i
        for i in dataset.indicators
    )
    return replace(dataset, indicators=indicators)


def test_the_organisational_scorecard_goes_to_the_configured_committee(
    demo_dataset: Dataset,
) -> None:
    dataset = _strategic(demo_dataset, {"182", "186", "ASC5"})
    evaluation = evaluate(dataset, Q2, strategic=True)
    assert evaluation.strategic
    assert [r.ref for r in evaluation.indicators] == ["182", "186", "ASC5"]
    report = build_report(evaluation)
    assert report.subtitle == "Organisational Scorecard, 2024/25 Q2"
    assert report.appendix_title == (
        "Appendix 1: Organisational Scorecard performance dashboard 2024/25 Q2"
    )
    assert report.front_matter.to == "Strategy, Resources and Performance Committee"  # [strategic]


def test_a_directorates_strategic_scorecard(demo_dataset: Dataset) -> None:
    dataset = _strategic(demo_dataset, {"182", "186", "ASC5"})
    evaluation = evaluate(dataset, Q2, directorate="asc", strategic=True)
    assert [r.ref for r in evaluation.indicators] == ["ASC5"]
    report = build_report(evaluation, proposals=proposal_appendix(dataset, evaluation))
    assert report.subtitle == "Adults, Health and Commissioning strategic scorecard, 2024/25 Q2"
    assert report.front_matter.to == "Adults and Health Committee"  # asc = "ahc"
    assert report.proposals is not None
    assert [e.ref for e in report.proposals.entries] == ["ASC5", "SKPI-ASC-1"]
