"""A PDF's pages as a reader sees them: lines of text and pictures, top to bottom, each line
knowing the structure it is tagged as (``H2`` inside ``Sect``, ``TD`` inside ``Table``...).

pdfplumber gives each character's position and its marked-content id (MCID); the structure
tree (pikepdf) maps each page's MCIDs to their structure elements, whose parents give the roles.
Text in the page margins (the running title and "Page n of m") is left out: it is not the page's
content.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf

#: The print stylesheet's page margins (report.css @page: 18mm top, 20mm bottom), in points.
TOP_MARGIN = 18 / 25.4 * 72
BOTTOM_MARGIN = 20 / 25.4 * 72
HEADINGS = frozenset({"H", "H1", "H2", "H3", "H4", "H5", "H6"})


@dataclass(frozen=True)
class Element:
    """A structure element: its role, and the roles and ids of its ancestors, outermost first."""

    role: str
    ancestors: tuple[tuple[str, int], ...]  # (role, object number), Document first

    @property
    def roles(self) -> tuple[str, ...]:
        return (*(role for role, _ in self.ancestors), self.role)

    def nearest(self, role: str) -> int | None:
        """The object number of the nearest ancestor (or self) with ``role``."""
        for ancestor_role, number in reversed(self.ancestors):
            if ancestor_role == role:
                return number
        return None


@dataclass(frozen=True)
class Line:
    """A line of text on a page, from its top to its bottom (points from the top of the page)."""

    top: float
    bottom: float
    text: str
    elements: tuple[Element, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for element in self.elements for role in element.roles)

    @property
    def is_heading(self) -> bool:
        return bool(self.roles & HEADINGS)

    def table(self) -> int | None:
        """The Table element the line is in, if any."""
        for element in self.elements:
            number = element.nearest("Table")
            if number is not None:
                return number
        return None


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    height: float
    lines: tuple[Line, ...]
    pictures: tuple[tuple[float, float], ...]  # (top, bottom) of each image
    margins: tuple[float, float] = (TOP_MARGIN, BOTTOM_MARGIN)  # of the text area, in points

    @property
    def bottom(self) -> float:
        """The bottom of the lowest text or picture on the page."""
        return max([line.bottom for line in self.lines] + [b for _, b in self.pictures] + [0.0])

    @property
    def fill(self) -> float:
        """How far down the page's text area its content reaches, from 0 (empty) to 1 (full)."""
        top, bottom = self.margins
        return max(0.0, self.bottom - top) / (self.height - top - bottom)

    @property
    def last_is_heading(self) -> bool:
        """Whether the page ends on a heading: its lowest content is a heading's line (a
        picture under the heading means the heading is not last)."""
        if not self.lines:
            return False
        last = max(self.lines, key=lambda line: line.bottom)
        return last.is_heading and last.bottom >= self.bottom

    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def read_pages(
    path: Path, margins: tuple[float, float] = (TOP_MARGIN, BOTTOM_MARGIN)
) -> list[Page]:
    """Every page of the PDF at ``path``, its lines in reading order (top to bottom); text in
    the top and bottom ``margins`` (points) is the running header and footer, left out."""
    elements = _elements_by_page(path)
    pages: list[Page] = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            body_bottom = float(page.height) - margins[1]
            rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for char in page.chars:
                outside = float(char["top"]) >= body_bottom or float(char["bottom"]) <= margins[0]
                if outside or not char["text"].strip():
                    continue
                rows[round(float(char["bottom"]))].append(char)
            lines = []
            for _, chars in sorted(rows.items()):
                chars.sort(key=lambda c: float(c["x0"]))
                mcids = sorted({int(c["mcid"]) for c in chars if c.get("mcid") is not None})
                tagged = tuple(elements[index][mcid] for mcid in mcids if mcid in elements[index])
                lines.append(
                    Line(
                        top=min(float(c["top"]) for c in chars),
                        bottom=max(float(c["bottom"]) for c in chars),
                        text=_words(chars),
                        elements=tagged,
                    )
                )
            pictures = tuple(
                (float(image["top"]), float(image["bottom"]))
                for image in page.images
                if float(image["top"]) < body_bottom
            )
            pages.append(Page(index + 1, float(page.height), tuple(lines), pictures, margins))
    return pages


def _words(chars: list[dict[str, Any]]) -> str:
    """The characters of a line as text, a space where there is a gap between them."""
    text = ""
    previous: dict[str, Any] | None = None
    for char in chars:
        if previous is not None and float(char["x0"]) - float(previous["x1"]) > 1.0:
            text += " "
        text += char["text"]
        previous = char
    return text


def _elements_by_page(path: Path) -> list[dict[int, Element]]:
    """For each page, its MCIDs' structure elements (from the structure tree's ParentTree)."""
    with pikepdf.open(path) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        result: list[dict[int, Element]] = []
        for index in range(len(pdf.pages)):
            mapping: dict[int, Element] = {}
            for mcid, element in enumerate(by_key.get(index, [])):
                if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                    mapping[mcid] = Element(str(element.S)[1:], _ancestors(element))
            result.append(mapping)
        return result


def _ancestors(element: pikepdf.Object) -> tuple[tuple[str, int], ...]:
    chain: list[tuple[str, int]] = []
    parent = element.get("/P")
    while isinstance(parent, pikepdf.Dictionary) and parent.get("/Type") != "/StructTreeRoot":
        chain.append((str(parent.S)[1:], parent.objgen[0]))
        parent = parent.get("/P")
    return tuple(reversed(chain))


def count_rows(path: Path, table: int) -> int:
    """The rows (TR elements) of the Table element with object number ``table``."""
    with pikepdf.open(path) as pdf:
        return _rows(pdf.get_object((table, 0)))


def _rows(element: pikepdf.Object) -> int:
    kids = element.get("/K")
    if kids is None:
        return 0
    count = 0
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            count += 1 if kid.S == "/TR" else _rows(kid)
    return count
