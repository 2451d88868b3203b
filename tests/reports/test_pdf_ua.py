"""The PDF passes PDF/UA-1 as far as a machine can check it (issue 12): the independent checker
``pdfua`` finds nothing, and a walk of the structure tree and the pages' content (pikepdf)
meets the Matterhorn Protocol's conditions that apply to a report of text, tables, charts and
links. docs/accessibility.md lists which conditions are checked here and which are not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pdfua
import pikepdf
import pytest

from kpiboard.reports.pack import PackResult

HEADING = re.compile(r"^/H([1-6])$")
#: Operators that put something on the page: text, pictures, shadings and painted paths.
PAINTING = frozenset(
    {"Tj", "TJ", "'", '"', "Do", "sh", "BI", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s"}
)
TABLE_PARENTS = {
    "/TR": {"/Table", "/THead", "/TBody", "/TFoot"},
    "/TH": {"/TR"},
    "/TD": {"/TR"},
    "/THead": {"/Table"},
    "/TBody": {"/Table"},
    "/TFoot": {"/Table"},
}


@pytest.fixture(scope="module", params=["srp", "organisation"])
def pdf_path(request: pytest.FixtureRequest, demo_pack: PackResult) -> Path:
    if request.param == "srp":
        return demo_pack.files["pdf"]
    path: Path = request.getfixturevalue("organisation_pdf")
    return path


@dataclass
class Tree:
    """The structure elements in reading order, each with its parent's role."""

    elements: list[tuple[pikepdf.Dictionary, str | None]] = field(default_factory=list)

    def roles(self, role: str) -> list[pikepdf.Dictionary]:
        return [element for element, _ in self.elements if element.get("/S") == role]


@pytest.fixture(scope="module")
def document(pdf_path: Path) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(pdf_path) as pdf:
        yield pdf


@pytest.fixture(scope="module")
def tree(document: pikepdf.Pdf) -> Tree:
    result = Tree()

    def walk(element: pikepdf.Object, parent: str | None) -> None:
        kids = element.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                result.elements.append((kid, str(element.get("/S", "/StructTreeRoot"))))
                walk(kid, str(kid.S))

    walk(document.Root.StructTreeRoot, None)
    return result


def test_an_independent_checker_finds_nothing(pdf_path: Path) -> None:
    """pdfua (PyPI) checks its subset of PDF/UA-1: structure tree, marked, content tagged or
    artifact, language, figure alternative text, table headers, links, headings, title."""
    report = pdfua.validate(str(pdf_path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert report.exit_code == 0


def test_the_catalog_and_metadata(document: pikepdf.Pdf) -> None:
    """06-001..06-003 (XMP with pdfuaid:part 1 and dc:title), 07-001/07-002 (the title
    displayed), 11-006 (the document's language), 01-001 (marked)."""
    root = document.Root
    assert bool(root.MarkInfo.Marked)
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    assert str(root.Lang) == "en-GB"
    xmp = root.Metadata.read_bytes().decode("utf-8")
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)
    assert "<dc:title>" in xmp
    assert str(document.docinfo["/Title"]).startswith("Corporate Performance Report: ")


def test_one_h1_and_headings_in_order(tree: Tree) -> None:
    """Exactly one H1, first; no level skipped going down (14-002, 14-003); no heading inside
    a heading (the cover's subtitle was once an H1 in the H1)."""
    levels = [
        int(match.group(1))
        for element, _ in tree.elements
        if (match := HEADING.match(str(element.S)))
    ]
    assert levels[0] == 1
    assert levels.count(1) == 1
    skipped = [(a, b) for a, b in pairwise(levels) if b > a + 1]
    assert skipped == []
    nested = [
        str(element.S)
        for element, parent in tree.elements
        if HEADING.match(str(element.S)) and parent is not None and HEADING.match(parent)
    ]
    assert nested == []
    assert not tree.roles("/H")  # 14-007: numbered headings only


def test_every_figure_has_alternative_text(tree: Tree) -> None:
    """13-004: each Figure (the charts) has /Alt; decorative icons are not Figures but drawn
    as artifacts."""
    figures = tree.roles("/Figure")
    assert figures
    missing = [f for f in figures if not str(f.get("/Alt", "")).strip()]
    assert missing == []
    assert all(len(str(f.Alt)) > 40 for f in figures)  # a description, not a name


def test_no_icon_is_a_figure(tree: Tree) -> None:
    """The control-chart icons (1.35em, about 14pt, beside the words they stand for) are drawn
    as artifacts: every Figure is a chart, at least a third of the text's width (about 170pt),
    and each card's line chart is one (the srp pack's 22 icons were Figures without text)."""
    figures = tree.roles("/Figure")
    widths = [float(f.A.BBox[2]) - float(f.A.BBox[0]) for f in figures]
    assert min(widths) > 150
    assert sum(str(f.Alt).startswith("Line chart of ") for f in figures) >= 13


def test_tables_have_header_cells_with_scope(tree: Tree) -> None:
    """Every table has header cells; every TH has a Scope (15-003), every Headers entry names
    a TH's ID (15-005); table elements sit only where tables allow (09-004)."""
    tables = tree.roles("/Table")
    assert tables
    ids = {str(th.ID) for th in tree.roles("/TH") if "/ID" in th}
    for th in tree.roles("/TH"):
        assert str(th.A.Scope) in ("/Column", "/Row", "/Both")
    for td in tree.roles("/TD"):
        for header in td.A.get("/Headers", []):
            assert str(header) in ids
    for element, parent in tree.elements:
        allowed = TABLE_PARENTS.get(str(element.S))
        if allowed is not None:
            assert parent in allowed, f"{element.S} inside {parent}"


def test_table_heads_are_columns_and_row_headers_rows(tree: Tree) -> None:
    heads = tree.roles("/THead")
    assert heads
    for head in heads:
        for row in head.K:
            for cell in row.K:
                if cell.get("/S") == "/TH":
                    assert cell.A.Scope == "/Column"


def test_page_content_is_tagged_or_an_artifact(document: pikepdf.Pdf) -> None:
    """01-005: everything painted is inside marked content, either tagged (an MCID the parent
    tree maps to a structure element) or an Artifact; 01-003/01-004: never one inside the other."""
    nums = document.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for index, page in enumerate(document.pages):
        mapped = parents.get(int(page.obj.StructParents), pikepdf.Array())
        stack: list[str] = []  # "tagged", "artifact" or "other" for each open BMC/BDC
        for instruction in pikepdf.parse_content_stream(page):
            operands, name = instruction.operands, str(instruction.operator)
            if name in ("BMC", "BDC"):
                tag = str(operands[0])
                if tag == "/Artifact":
                    kind = "artifact"
                elif name == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    mcid = int(operands[1].get("/MCID", -1))
                    known = 0 <= mcid < len(mapped) and isinstance(mapped[mcid], pikepdf.Dictionary)
                    kind = "tagged" if known else "other"
                else:
                    kind = "other"
                assert not ({"tagged", "artifact"} & set(stack) and kind != "other"), (
                    f"page {index + 1}: {kind} content inside {stack}"
                )
                stack.append(kind)
            elif name == "EMC":
                stack.pop()
            elif name in PAINTING:
                assert {"tagged", "artifact"} & set(stack), (
                    f"page {index + 1}: {name} neither tagged nor an artifact"
                )


def test_tagged_content_belongs_to_the_structure_tree(document: pikepdf.Pdf, tree: Tree) -> None:
    """Every structure element the parent tree maps a page's content to is in the document's
    structure tree: the running title and page numbers in the margins, which WeasyPrint tags
    outside the tree, are pagination artifacts instead."""
    in_tree = {element.objgen for element, _ in tree.elements}
    nums = document.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        entry = nums[index + 1]
        for element in entry if isinstance(entry, pikepdf.Array) else [entry]:
            if isinstance(element, pikepdf.Dictionary):
                assert element.objgen in in_tree, f"{element.get('/S')} outside the tree"
    footer = [
        i
        for i in pikepdf.parse_content_stream(document.pages[0])
        if str(i.operator) == "BDC"
        and str(i.operands[0]) == "/Artifact"
        and i.operands[1].get("/Type") == "/Pagination"
    ]
    assert len(footer) >= 2  # the running title and "Page 1 of n"


def test_links_are_tagged_and_pages_tab_in_structure_order(document: pikepdf.Pdf) -> None:
    """28-008 (a page with annotations tabs in structure order) and 28-011 (each link annotation
    in a Link element, through its StructParent)."""
    nums = document.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in document.pages:
        annotations = page.obj.get("/Annots", pikepdf.Array())
        if len(annotations):
            assert page.obj.get("/Tabs") == "/S"
        for annotation in annotations:
            if annotation.get("/Subtype") == "/Link":
                assert parents[int(annotation.StructParent)].S == "/Link"


def test_every_font_is_embedded(document: pikepdf.Pdf) -> None:
    """31-009 and following: every font used has its program in the file."""
    fonts = 0
    for page in document.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            descendants = font.get("/DescendantFonts")
            for described in descendants if descendants is not None else [font]:
                descriptor = described.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts += 1
    assert fonts
