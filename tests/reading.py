"""Reading a report pack back as a person would: what each output says about each indicator,
its status summary and its transition groups, in plain strings.

Nothing here imports kpiboard's report code: the readings are made from the files alone (HTML,
the PDF's text, the Word document, the workbook), so a test can compare them with each other and
with ``kpiboard evaluate --format json`` without trusting the code that wrote them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import docx
import lxml.html  # type: ignore[import-untyped]
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from pypdf import PdfReader

#: The words of each status (semantics.md 4 and its summary rows, section 10).
STATUS_WORDS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "blue": "Blue",
    "baseline": "Baseline",
    "contextual": "Contextual",
    "in_development": "In development",
    "suspended": "Suspended",
    "no_target": "No target",
    "no_data": "No data",
}

#: The transition groups and their one set of words (semantics.md 11, issue 11).
GROUP_WORDS = {
    "improved": "Improved",
    "deteriorated": "Deteriorated",
    "unchanged": "Unchanged",
    "not_rated": "Not rated",
    "changed_category": "Changed category",
}

FOOTER = re.compile(r"Page \d+ of \d+\s*$")
NUMBERED = re.compile(r"^(\d+\.\d+)\s+(.*)$", re.DOTALL)
ITEM = re.compile(r"(?=Indicator [^\s:]+: )")
ITEM_REF = re.compile(r"^Indicator ([^\s:]+): ")


def squash(text: str) -> str:
    """Whitespace as a reader sees it: runs of spaces and line breaks as one space."""
    return re.sub(r"\s+", " ", text).strip()


# -- what the specification says a figure and a period look like --------------------------------


def half_up(value: float, decimals: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number_text(value: float, decimals: int) -> str:
    return f"{half_up(value, decimals):,.{decimals}f}"


def value_text(value: float, unit: str, decimals: int) -> str:
    """A value at its display decimals with its unit's sign: 81.0%, 8.71 days, £1,235, 176."""
    text = number_text(value, decimals)
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} days"
    if unit == "currency":
        return f"£{text}"
    return text


def period_label(label: str, year_start_month: int = 4) -> str:
    """issue 11's label of a period, worked out from the specification's period labels:
    "2024/25 Q2" -> "2024/25 Q2 (July to September 2024)", "2023/24" -> "2023/24 (April 2023 to
    March 2024)", "2024-05" -> "May 2024"."""
    month = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if month:
        return f"{calendar.month_name[int(month[2])]} {month[1]}"
    found = re.fullmatch(r"(\d{4})/\d{2}(?: Q(\d))?", label)
    assert found, label
    year = int(found[1])
    first = year_start_month + (3 * (int(found[2]) - 1) if found[2] else 0)
    months = 3 if found[2] else 12
    start_year, start_month = year + (first - 1) // 12, (first - 1) % 12 + 1
    last = start_month - 1 + months - 1
    end_year, end_month = start_year + last // 12, last % 12 + 1
    start = calendar.month_name[start_month]
    if start_year != end_year:
        start += f" {start_year}"
    return f"{label} ({start} to {calendar.month_name[end_month]} {end_year})"


def excel_text(value: Any, number_format: str) -> str:
    """A workbook cell as Excel shows it, for the formats a pack uses (0.0, #,##0.00, 0"%")."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    if number_format == "General":
        return str(value)
    literal = "".join(re.findall(r'"([^"]*)"', number_format))
    bare = re.sub(r'"[^"]*"', "", number_format)
    if "%" in bare:
        value, literal = value * 100, literal + "%"
    places = re.search(r"\.(0+)", bare)
    decimals = len(places[1]) if places else 0
    number = half_up(value, decimals)
    text = f"{number:,.{decimals}f}" if "," in bare else f"{number:.{decimals}f}"
    return text + literal


# -- one output's reading -----------------------------------------------------------------------


@dataclass
class Card:
    """What one output says about one indicator: its table of figures (row label to text) and
    all its words."""

    ref: str
    rows: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def row(self, *starts: str) -> str | None:
        """The first row whose label starts with one of ``starts`` (case-insensitive)."""
        for label, value in self.rows.items():
            if any(label.lower().startswith(start.lower()) for start in starts):
                return value
        return None


@dataclass
class Reading:
    """One output of a pack, as read: its blocks of text in order, its indicator cards, its status
    summary rows (words, count, percentage as shown) and the words after that table."""

    name: str
    lines: list[str] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)
    summary: list[tuple[str, str, str]] = field(default_factory=list)
    after_summary: str = ""
    groups: dict[str, tuple[int, list[str]]] = field(default_factory=dict)


def numbered_sections(lines: list[str]) -> list[tuple[str, str]]:
    """Each numbered paragraph ("4.2 Improved: 2 indicators.") and the text after it up to the
    next numbered paragraph or heading (its list, or its indicators' headings)."""
    sections: list[tuple[str, str]] = []
    current: tuple[str, list[str]] | None = None
    for line in lines:
        found = NUMBERED.match(line)
        ends = found or re.match(r"^(\d+\. |Appendix \d+: )", line)
        if ends and current is not None:
            sections.append((current[0], "\n".join(current[1])))
            current = None
        if found:
            current = (squash(found[2]), [])
        elif current is not None:
            current[1].append(line)
    if current is not None:
        sections.append((current[0], "\n".join(current[1])))
    return sections


def items(text: str) -> list[str]:
    """The entries "Indicator REF: ..." in the text after a sentence, each squashed."""
    return [squash(part) for part in ITEM.split(text) if ITEM_REF.match(squash(part))]


def find_groups(lines: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Each transition group's sentence: the count it states and the refs listed under it."""
    groups: dict[str, tuple[int, list[str]]] = {}
    for sentence, after in numbered_sections(lines):
        for group, words in GROUP_WORDS.items():
            found = re.match(rf"{words}\W+(\d+|no) indicators?\b", sentence) or re.match(
                rf"(\d+|No) indicators? (?:have |has )?(?:been )?{words.lower()}\b", sentence
            )
            if found:
                refs = [ITEM_REF.match(entry)[1] for entry in items(after)]  # type: ignore[index]
                count = 0 if found[1].lower() == "no" else int(found[1])
                groups[group] = (count, refs)
    return groups


def _fields(text: str, labels: list[str]) -> dict[str, str]:
    """Row values from text where each label is followed by its value, in order."""
    found: list[tuple[str, int, int]] = []
    at = 0
    for label in labels:
        where = text.find(label, at)
        if where < 0:
            continue
        found.append((label, where, where + len(label)))
        at = where + len(label)
    rows = {}
    for i, (label, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else text.find(" Commentary", end)
        rows[label] = squash(text[end : stop if stop >= 0 else end + 400])
    return rows


def read_html(path: Path) -> Reading:
    root = lxml.html.parse(str(path)).getroot()
    for hidden in root.xpath("//script|//style|//svg|//details"):
        hidden.drop_tree()
    reading = Reading("html")
    blocks = {"h1", "h2", "h3", "h4", "p", "li", "caption", "figcaption", "tr"}
    for element in root.iter():
        if element.tag in blocks and not any(a.tag in blocks for a in element.iterancestors()):
            if element.tag == "tr":
                text = " | ".join(squash(cell.text_content()) for cell in element)
            else:
                text = squash(element.text_content())
            if text:
                reading.lines.append(text)
    for article in root.xpath('//article[starts-with(@id, "indicator-")]'):
        ref = article.get("id").removeprefix("indicator-")
        card = Card(ref, text=squash(article.text_content()))
        for row in article.xpath('.//table[contains(@class, "facts")]//tr'):
            cells = [squash(cell.text_content()) for cell in row]
            if len(cells) >= 2:
                card.rows[cells[0]] = cells[1]
        reading.cards[ref] = card
    for table in root.xpath("//table"):
        caption = squash("".join(table.xpath("./caption//text()")))
        if re.match(r"Status of indicators, ", caption):
            for row in table.xpath(".//tr"):
                cells = [squash(cell.text_content()) for cell in row]
                if len(cells) == 3 and cells[0] != "Status":
                    reading.summary.append((cells[0], cells[1], cells[2]))
            break
    titles = [
        i for i, line in enumerate(reading.lines) if line.startswith("Status of indicators, ")
    ]
    total = [i for i, line in enumerate(reading.lines) if line.startswith("Total |")]
    after = [i for i in total if titles and i > titles[0]]
    if after and after[0] + 1 < len(reading.lines):
        reading.after_summary = reading.lines[after[0] + 1]
    reading.groups = find_groups(reading.lines)
    return reading


def read_pdf(path: Path, labels: dict[str, list[str]]) -> Reading:
    """The PDF's text; ``labels`` are each card's row labels, as the HTML it was made from has
    them, to find its fields in the text."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not FOOTER.search(line) and line != "•"]
    reading = Reading("pdf", lines=lines)
    start = max(i for i, line in enumerate(lines) if line.startswith("Appendix"))
    chunks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[start:]:
        found = ITEM_REF.match(line)
        if found:
            current = chunks.setdefault(found[1], [])
        if current is not None:
            current.append(line)
    for ref, chunk in chunks.items():
        body = squash(" ".join(chunk))
        reading.cards[ref] = Card(ref, _fields(body, labels.get(ref, [])), body)
    for i, line in enumerate(lines):
        if line.startswith("Status of indicators, "):
            for row in lines[i + 1 :]:
                found = re.match(r"^(.+?) (\d+) (\d+%)$", row)
                if row.startswith("Status "):
                    continue
                if not found:
                    reading.after_summary = row
                    break
                reading.summary.append((found[1], found[2], found[3]))
            break
    reading.groups = find_groups(lines)
    return reading


def read_docx(path: Path) -> Reading:
    document = docx.Document(str(path))
    reading = Reading("docx")
    card: Card | None = None
    in_appendix = False
    summary_next = False
    after_table = False
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            paragraph = Paragraph(element, document)
            text = squash(paragraph.text)
            style = paragraph.style.name if paragraph.style is not None else ""
            if not text:
                continue
            if after_table:
                reading.after_summary, after_table = text, False
            reading.lines.append(text)
            if style.startswith("Heading 1"):
                in_appendix = text.startswith("Appendix")
                card = None
            found = ITEM_REF.match(text)
            if in_appendix and style.startswith("Heading 2") and found:
                card = reading.cards.setdefault(found[1], Card(found[1]))
            if card is not None:
                card.text = squash(f"{card.text} {text}")
            summary_next = text.startswith("Status of indicators, ")
        elif element.tag == qn("w:tbl"):
            table = Table(element, document)
            rows = [[squash(cell.text) for cell in row.cells] for row in table.rows]
            for cells in rows:
                reading.lines.append(" | ".join(cells))
                if card is not None:
                    card.text = squash(f"{card.text} {' '.join(cells)}")
                    if len(cells) >= 2 and cells[0] != "Measure":
                        card.rows.setdefault(cells[0], cells[1])
            if summary_next:
                reading.summary = [tuple(cells[:3]) for cells in rows[1:]]  # type: ignore[misc]
                summary_next, after_table = False, True
    reading.groups = find_groups(reading.lines)
    return reading


def read_xlsx(path: Path) -> Reading:
    """The workbook: the Dashboard's rows as cards (each cell as Excel shows it), the Summary
    sheet's status table, and any sheet's rows that name a transition group."""
    book = load_workbook(path)
    reading = Reading("xlsx")
    sheet = book["Dashboard"]
    header = [str(cell.value) for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        shown = [excel_text(cell.value, cell.number_format) for cell in row]
        if not shown or not shown[0]:
            continue
        rows = dict(zip(header, shown, strict=False))
        reading.cards[shown[0]] = Card(shown[0], rows, squash(" ".join(shown)))
    for worksheet in book.worksheets:
        table = [
            [excel_text(cell.value, cell.number_format) for cell in row]
            for row in worksheet.iter_rows()
        ]
        for i, cells in enumerate(table):
            if cells and cells[0].startswith("Status of indicators, ") and not reading.summary:
                for shown in table[i + 2 :]:
                    if not shown or not shown[0]:
                        break
                    if len(shown) < 3 or not shown[1]:
                        reading.after_summary = shown[0]
                        break
                    reading.summary.append((shown[0], shown[1], shown[2]))
            if worksheet.title == "Dashboard" or not cells:
                continue
            for group, words in GROUP_WORDS.items():
                if cells[0] == words and len(cells) > 1 and cells[1].isdigit():
                    refs = [r for c in cells[2:] for r in re.split(r",\s*", c) if r]
                    reading.groups[group] = (int(cells[1]), refs)
    return reading


def read_pack(files: dict[str, Path]) -> dict[str, Reading]:
    html = read_html(files["html"])
    labels = {ref: list(card.rows) for ref, card in html.cards.items()}
    return {
        "html": html,
        "pdf": read_pdf(files["pdf"], labels),
        "docx": read_docx(files["docx"]),
        "xlsx": read_xlsx(files["xlsx"]),
    }
